"""A letter batch runs as a job like an import: queued after commit (so a queue that is down leaves it waiting, not a
server error), claimed once (a second delivery does nothing), and after an interruption Retry makes only the letters
still missing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legal import services, tasks
from legal.models import Letter, LetterTemplate
from schools.models import Job
from tests.attendance.fixtures import attendance_targets  # noqa: F401  (school B's pupil past the threshold)
from tests.factories import CarerFactory, FamilyFactory
from tests.jobs_support import retry_from_its_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(world, attendance_targets, django_capture_on_commit_callbacks):  # noqa: F811
    family = FamilyFactory()
    world.pupil_b.family = family
    world.pupil_b.save()
    CarerFactory(family=family, full_name="Pat Parent")
    CarerFactory(family=family, full_name="Sam Parent", relationship="father")
    CarerFactory(family=family, full_name="Gran", relationship="grandmother", parental_responsibility=False)
    officer = world.users["la_officer"]
    officer.job_title = "Attendance officer"  # the warning letter is signed with it
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = services.letter_batch_start(user=officer,
                                           template=LetterTemplate.objects.get(kind="warning_letter"))
    made.job.refresh_from_db()
    return made


def test_the_batch_is_a_queued_job_and_a_second_delivery_changes_nothing(batch):
    assert batch.job.params["task"] == {"name": "legal.tasks.run_letter_batch", "args": [batch.pk]}
    assert batch.job.status == Job.Status.SUCCEEDED and batch.job.attempts == 1
    letters = set(Letter.objects.filter(batch=batch).values_list("pk", flat=True))
    assert len(letters) == 2  # each parent with parental responsibility, not the grandmother

    assert tasks.run_letter_batch.delay(batch.pk).get() == Job.Status.SUCCEEDED
    assert set(Letter.objects.filter(batch=batch).values_list("pk", flat=True)) == letters
    batch.job.refresh_from_db()
    assert batch.job.attempts == 1


def test_retry_after_an_interruption_makes_only_the_missing_letters(world, batch, client,
                                                                    django_capture_on_commit_callbacks):
    kept, lost = Letter.objects.filter(batch=batch).order_by("pk")
    lost.delete()  # the worker died after the first letter: as if the second was never made
    retry_from_its_page(client, world.users["la_officer"], batch.job_id, reverse("legal:batch", args=[batch.pk]),
                        django_capture_on_commit_callbacks)
    letters = list(Letter.objects.filter(batch=batch).order_by("pk"))
    assert len(letters) == 2 and letters[0].pk == kept.pk
    assert {letter.carer.full_name for letter in letters} == {"Pat Parent", "Sam Parent"}
    batch.job.refresh_from_db()
    assert (batch.job.status, batch.job.attempts, batch.job.message) == (Job.Status.SUCCEEDED, 2, "2 letters made.")
    assert batch.job.result_file

