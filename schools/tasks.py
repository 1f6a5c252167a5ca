"""Celery tasks: take ids, call the export code, and are safe to run twice."""

from __future__ import annotations

import csv
import io
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.http import QueryDict

from schools import selectors
from schools.attendance.tasks import refresh_threshold_worklist  # noqa: F401  (registered with the worker here)
from schools.audit import record_exported_pupils, record_view
from schools.common import jobs, providers
from schools.exports import PUPIL_EXPORT_COLUMNS, pupil_export_rows
from schools.filters import PupilFilterSet
from schools.models import AuditEvent, Job

logger = logging.getLogger(__name__)


class _JobRequest:
    """The minimum a FilterSet needs from a request, rebuilt from the job's owner."""

    def __init__(self, user):
        self.user = user


@shared_task(bind=True, acks_late=True, max_retries=0)
def run_pupil_export(self, job_id: int) -> str:
    if not jobs.job_claim(job_id):
        # Delivered twice (the sweep re-sent it, or a broker redelivery after a lost ack): another run has it.
        return Job.objects.values_list("status", flat=True).get(pk=job_id)
    job = Job.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    data = QueryDict(mutable=True)
    data.update(job.params.get("query", {}))
    filterset = PupilFilterSet(data, queryset=selectors.pupil_list(user=user), request=_JobRequest(user))
    try:
        pupils = filterset.qs
        total = pupils.count()
        jobs.job_mark_running(job, total=total)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([title for title, _ in PUPIL_EXPORT_COLUMNS])
        for done, row in enumerate(pupil_export_rows(pupils), start=1):
            writer.writerow(row)
            if done % 1000 == 0:
                jobs.job_progress(job, done=done)
        job.refresh_from_db()
        job.result_file.save(f"pupils-{job.pk}.csv", ContentFile(buffer.getvalue().encode("utf-8-sig")), save=True)
        event = record_view(user=user, instance=job, action=AuditEvent.Action.EXPORT,
                            path=f"pupil export: {total} pupils")
        record_exported_pupils(event, pupils, pupil_path="pk")
        jobs.job_progress(job, done=total)
        jobs.job_finish(job, status=Job.Status.SUCCEEDED, message=f"{total} pupils exported.")
    except Exception as exc:
        logger.exception("Pupil export %s failed", job_id)
        jobs.job_finish(job, status=Job.Status.FAILED, message=f"The export failed: {exc}", retryable=True)
        raise
    return Job.Status.SUCCEEDED


@shared_task(bind=True, acks_late=True, max_retries=0)
def run_attendance_import(self, import_id: int) -> str:
    from schools.attendance.services import run_import
    from schools.models import AttendanceImport

    attendance_import = AttendanceImport.objects.select_related("job", "uploaded_by").get(pk=import_id)
    if not jobs.job_claim(attendance_import.job_id):
        attendance_import.job.refresh_from_db()
        return attendance_import.job.status  # delivered twice: another run has it, or had it
    attendance_import.job.refresh_from_db()
    try:
        outcome = run_import(attendance_import)
    except Exception as exc:
        logger.exception("Attendance import %s failed", import_id)
        jobs.job_finish(attendance_import.job, status=Job.Status.FAILED,
                            message=f"The import stopped with an error and nothing was saved: {exc}", retryable=True)
        raise
    if outcome.applied:
        # cases: early-warning alerts for the schools it touched; reporting: the kept dashboard figures' refresh.
        for _name, after_import in providers.steps("attendance.imported"):
            after_import(school_ids=outcome.school_ids)
    attendance_import.job.refresh_from_db()
    return attendance_import.job.status


@shared_task(acks_late=True)
def sweep_jobs() -> dict:
    """Every minute (beat): jobs whose worker died are marked failed; jobs the queue never got are sent again."""
    return jobs.jobs_sweep()


@shared_task(acks_late=True)
def recompute_attendance() -> None:
    """Nightly: rebuild every summary from the marks, set-wise; then work out the penalty-notice threshold worklist
    afresh for every period the picker offers today (schools.attendance.threshold)."""
    from django.utils import timezone

    from schools.attendance import threshold
    from schools.attendance.engine import recompute_all

    recompute_all()
    threshold.refresh_current_runs(timezone.localdate())


@shared_task(acks_late=True)
def send_exclusion_reminders() -> dict:
    """Daily (beat): recompute exclusion schedules for open exclusions, then write reminders for deadlines due within
    two school days and for missing day-6 provision. Idempotent: one reminder per exclusion, deadline and date."""
    import datetime

    from django.db.models import Q
    from django.utils import timezone

    from schools.exclusions.services import exclusion_recompute, exclusion_reminders_refresh
    from schools.models import Exclusion

    today = timezone.localdate()
    recent = today - datetime.timedelta(days=120)
    open_ones = Exclusion.objects.filter(cancelled_on__isnull=True).filter(
        Q(start_date__gte=recent) | Q(kind=Exclusion.Kind.PERMANENT, reconsidered_on__isnull=True,
                                      start_date__gte=today - datetime.timedelta(days=400)))
    changed = sum(exclusion_recompute(exclusion=e) for e in open_ones.select_related("school").iterator())
    result = exclusion_reminders_refresh(today=today)
    result["recomputed"] = changed
    return result


# Data protection tasks live beside their code; importing them here registers them with the worker.
from schools.data_protection.tasks import apply_retention, run_subject_access  # noqa: E402, F401
