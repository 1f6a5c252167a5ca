"""Celery tasks for reporting: take ids, call the service, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from reporting import services, snapshots
from reporting.models import ReportRun
from schools.common import jobs

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=0)
def generate_report(self, run_id: int) -> str:
    """Make a report's PDF. The task claims its job first (schools.jobs.job_claim), so a second delivery (the
    sweep, or a broker redelivery after a lost ack) does nothing; the PDF is kept only once whole, so Retry is safe."""
    run = ReportRun.objects.select_related("job", "job__created_by", "term__academic_year", "school",
                                           "partnership").get(pk=run_id)
    if not jobs.job_claim(run.job_id):
        run.job.refresh_from_db()
        return run.job.status
    run.job.refresh_from_db()
    try:
        services.report_generate(run=run)
    except Exception as exc:
        logger.exception("Report %s failed", run_id)
        services.report_failed(run=run, error=exc)
        raise
    run.job.refresh_from_db()
    return run.job.status


@shared_task(acks_late=True)
def make_term_end_reports() -> int | None:
    """Nightly (beat): once an LA term has ended, make its LA-wide termly report, once. Returns the run's id."""
    run = services.report_schedule_term_end()
    return run.pk if run else None


@shared_task(acks_late=True)
def refresh_report_snapshots(only_stale: bool = False) -> int:
    """Nightly (beat) and after register imports: add the kept dashboard figures up again (reporting.snapshots)."""
    return snapshots.refresh_snapshots(only_stale=only_stale)


def refresh_after_import(*, school_ids) -> None:
    """The ``attendance.imported`` step (schools.tasks.run_attendance_import): mark the kept dashboard figures out of
    date and queue their refresh once imports have settled. A queue that cannot be reached loses nothing: the page
    says the figures are out of date, and the nightly refresh catches up."""
    if not snapshots.mark_stale():
        return

    def publish():
        try:
            refresh_report_snapshots.apply_async(kwargs={"only_stale": True},
                                                 countdown=snapshots.REFRESH_DELAY_SECONDS)
        except Exception:  # kombu raises OperationalError (or OSError) when Redis is unreachable
            logger.exception("The dashboard figures' refresh could not be queued; the nightly refresh will catch up")

    transaction.on_commit(publish)
