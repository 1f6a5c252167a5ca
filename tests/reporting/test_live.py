"""The termly report through Redis and a live Celery worker (the PostgreSQL + Redis run; skipped on the embedded
default unless REQUIRE_LIVE_SERVICES=true), asked for on commit exactly as a page asks for it."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from reporting import services
from schools.models import Job, Term
from tests.exclusions.fixtures import build_calendar
from tests.test_celery_live import _wait_for, live_worker  # noqa: F401  (the worker fixture)

# Skipped as a module where there is no live worker to use (unless live services are required, when the worker
# fixture fails instead), so the transactional database set-up is not paid for nothing.
LIVE = bool(settings.CELERY_BROKER_URL) and "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = [pytest.mark.live_services, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not LIVE and os.environ.get("REQUIRE_LIVE_SERVICES") != "true",
                                 reason="Needs CELERY_BROKER_URL (Redis) and PostgreSQL.")]


def test_a_report_round_trips_through_a_live_worker(world, live_worker):  # noqa: F811
    build_calendar(world)
    term = Term.objects.get(academic_year__name="2026/27", name="autumn", school__isnull=True)
    run = services.report_request(user=world.users["school_a"], term=term, school=world.school_a)
    job = _wait_for(run.job, seconds=90)
    assert job.status == Job.Status.SUCCEEDED, job.message
    run.refresh_from_db()
    with run.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
