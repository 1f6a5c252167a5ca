"""A real task round trip: PostgreSQL + Redis broker + a live Celery worker (CI's PostgreSQL run).

On the embedded default (no CELERY_BROKER_URL) these tests skip, unless REQUIRE_LIVE_SERVICES=true, when a missing
broker is a failure: CI sets it so the live run can never silently turn into a skip.
"""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings
from django.db import connection

from schools import services
from schools.models import AuditEvent, Job
from schools.tasks import run_pupil_export

pytestmark = [pytest.mark.live_services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_worker():
    if not settings.CELERY_BROKER_URL or connection.vendor == "sqlite":
        if os.environ.get("REQUIRE_LIVE_SERVICES") == "true":
            pytest.fail("REQUIRE_LIVE_SERVICES=true but CELERY_BROKER_URL is unset or the database is SQLite.")
        pytest.skip("Needs CELERY_BROKER_URL (Redis) and PostgreSQL.")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20.0) as worker:
        yield worker


def _wait_for(job: Job, seconds: float = 30.0) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"Job {job.pk} still {job.status} after {seconds}s")


def test_export_round_trips_through_redis_and_a_live_worker(world, live_worker):
    job = services.pupil_export_start(user=world.users["school_a"], query={})
    job = _wait_for(job)
    assert job.status == Job.Status.SUCCEEDED, job.message
    text = job.result_file.read().decode("utf-8-sig")
    assert world.pupil_a.upn in text and world.moved.upn in text
    assert world.pupil_b.upn not in text


def test_a_task_delivered_twice_has_no_duplicate_effect(world, live_worker):
    job = _wait_for(services.pupil_export_start(user=world.users["la_officer"], query={}))
    exports = AuditEvent.objects.filter(action="export").count()
    result = run_pupil_export.delay(job.pk)
    assert result.get(timeout=30) == Job.Status.SUCCEEDED
    assert AuditEvent.objects.filter(action="export").count() == exports
