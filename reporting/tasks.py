"""Celery tasks for reporting: take ids, call the service, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from reporting import services
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
