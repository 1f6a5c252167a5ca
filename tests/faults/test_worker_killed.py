"""A Celery worker SIGKILLed in the middle of an import's write: nothing half-written, the import shows failed with
Retry, Retry runs it to success, and delivering the task again or uploading the same file again changes nothing.

The worker is a real `celery worker` process on the test database; the kill lands while it holds the import's write
lock (schools.attendance.engine.WRITE_LOCK), i.e. inside the transaction that writes the marks.
"""

from __future__ import annotations

import signal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from schools.attendance.engine import WRITE_LOCK
from schools.attendance.services import attendance_import_start
from schools.models import (
    AttendanceImport,
    AttendanceMarkChange,
    AttendanceMarkDetail,
    AttendanceSummary,
    AttendanceWeek,
    AuditEvent,
    Job,
    User,
)
from schools.tasks import run_attendance_import
from tests.faults import support
from tests.perf import la

pytestmark = [pytest.mark.live_services, pytest.mark.django_db(transaction=True)]

PUPILS = 3_000
DAYS = 120  # 720,000 register rows: long enough to be caught writing


def _stored() -> tuple:
    """Everything an import writes, in full."""
    return (list(AttendanceWeek.objects.order_by("enrolment_id", "week_start").values_list(
                "enrolment_id", "week_start", "marks", "possible", "present", "unauthorised")),
            AttendanceMarkChange.objects.count(), AttendanceMarkDetail.objects.count(),
            list(AttendanceSummary.objects.order_by("pk").values_list("pk", "possible", "present", "unauthorised")))


def _upload(user, path) -> AttendanceImport:
    return attendance_import_start(user=user, kind="csv", bad_rows="keep_good",
                                   uploaded_file=SimpleUploadedFile(path.name, path.read_bytes(), "text/csv"))


def _finished(attendance_import: AttendanceImport, worker, seconds: float = 180) -> Job:
    support.wait_until(lambda: Job.objects.get(pk=attendance_import.job_id).is_finished, seconds=seconds, every=0.2,
                       what=f"import {attendance_import.pk}\n{worker.output()}")
    return Job.objects.get(pk=attendance_import.job_id)


def _writing(job_id: int):
    """The claiming worker's backend pid once it holds the import write lock, else None."""
    claimant = Job.objects.get(pk=job_id).claimed_by
    if not claimant:
        return None
    pid = int(claimant.split(":")[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %s AND objid = %s",
                       [pid, WRITE_LOCK])
        return pid if cursor.fetchone() else None


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def test_a_worker_killed_mid_import_leaves_nothing_half_written_and_retry_finishes_it(tmp_path):
    support.require_live_services()
    generated = la.build(PUPILS)
    officer = User.objects.create(username="officer", role="la_officer")
    first_week, year = tmp_path / "first-week.csv", tmp_path / "year.csv"
    la.write_csv(first_week, generated.school_days[:5])
    la.write_csv(year, generated.school_days[:DAYS], seed=3)
    broker = settings.CELERY_BROKER_URL
    worker = support.start_worker(tmp_path, broker=broker, name="doomed")
    try:
        assert _finished(_upload(officer, first_week), worker).status == Job.Status.SUCCEEDED
        before = _stored()

        doomed = _upload(officer, year)
        pid = support.wait_until(lambda: _writing(doomed.job_id), seconds=180, every=0.02,
                                 what=f"the worker to start writing\n{worker.output()}")
        worker.kill(signal.SIGKILL)
        support.wait_until(lambda: _backend_gone(pid), seconds=120, every=0.2,
                           what="PostgreSQL to notice the worker's connection is gone")
        assert _stored() == before  # the kill rolled the whole write back: nothing of this file is stored
    finally:
        worker.stop()

    browser = Client()
    browser.force_login(officer)
    page = browser.get(reverse("attendance_import_detail", args=[doomed.pk])).content.decode()
    job = Job.objects.get(pk=doomed.job_id)
    assert job.status == Job.Status.FAILED and job.retryable
    assert "stopped before it finished, so nothing from this run was saved" in page
    assert 'data-testid="job-retry"' in page

    worker = support.start_worker(tmp_path, broker=broker, name="fresh")
    try:
        response = browser.post(reverse("job_retry", args=[job.pk]))
        assert response["Location"] == reverse("attendance_import_detail", args=[doomed.pk])
        job = _finished(doomed, worker)
        assert job.status == Job.Status.SUCCEEDED, job.message
        assert job.attempts == 2
        doomed.refresh_from_db()
        assert doomed.rows_read == PUPILS * DAYS * 2 and doomed.rows_rejected == 0
        after = _stored()
        assert len(after[0]) > len(before[0])
        audits = AuditEvent.objects.count()

        # The same task delivered again (a broker redelivery of the killed worker's message): a no-op.
        assert run_attendance_import.delay(doomed.pk).get(timeout=60) == Job.Status.SUCCEEDED
        assert _stored() == after and AuditEvent.objects.count() == audits

        # The same file uploaded again: every mark is already stored, so nothing changes.
        again = _upload(officer, year)
        assert _finished(again, worker).status == Job.Status.SUCCEEDED
        again.refresh_from_db()
        assert (again.marks_changed, again.marks_unchanged) == (0, PUPILS * DAYS * 2)
        assert _stored() == after
    finally:
        worker.stop()
