"""The subject access export and the retention task through Redis and a live Celery worker (CI's PostgreSQL run);
skipped on the embedded default unless REQUIRE_LIVE_SERVICES=true (then a failure), as tests/test_celery_live.py."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from schools.data_protection import subject_access as data_protection
from schools.data_protection.tasks import apply_retention, run_subject_access
from schools.models import Job
from tests.data_protection.test_retention import leaver
from tests.test_celery_live import _wait_for, live_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.live_services, pytest.mark.django_db(transaction=True)]


def test_export_runs_on_a_live_worker_and_a_second_delivery_does_nothing(world, live_worker):  # noqa: F811
    job = data_protection.subject_access_start(user=world.users["la_manager"], pupil=world.pupil_b)
    job = _wait_for(job, seconds=60)
    assert job.status == Job.Status.SUCCEEDED, job.message
    with job.result_file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert json.loads(archive.read("subject-access.json"))["pupil_id"] == world.pupil_b.pk
    name = job.result_file.name
    assert run_subject_access.delay(job.pk).get(timeout=30) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.result_file.name == name  # not made again


def test_retention_task_runs_on_a_live_worker(world, live_worker):  # noqa: F811
    pupil = leaver(world)
    assert apply_retention.delay().get(timeout=60)["anonymised"] == 1
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Anonymised"
    assert apply_retention.delay().get(timeout=60)["anonymised"] == 0  # nothing new the second time
