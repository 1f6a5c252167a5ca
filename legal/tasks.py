"""Celery tasks for legal work: take ids, call a service, safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from schools.models import Job

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=0)
def run_letter_batch(self, batch_id: int) -> str:
    from legal.models import LetterBatch
    from legal.services import letter_batch_run
    from schools.common import jobs

    batch = LetterBatch.objects.select_related("job", "template", "created_by").get(pk=batch_id)
    if not jobs.job_claim(batch.job_id):
        batch.job.refresh_from_db()
        return batch.job.status  # delivered twice: another run has it, or had it
    batch.job.refresh_from_db()
    try:
        letter_batch_run(batch)
    except Exception as exc:
        logger.exception("Letter batch %s failed", batch_id)
        jobs.job_finish(batch.job, status=Job.Status.FAILED, retryable=True,
                                message=f"The batch stopped with an error; Retry makes the letters missing: {exc}")
        raise
    batch.job.refresh_from_db()
    return batch.job.status


@shared_task(acks_late=True)
def mark_unpaid_notices() -> int:
    """Daily (beat): notices whose payment period is over become "unpaid", ready to refer or withdraw."""
    from legal.services import notices_mark_unpaid

    return notices_mark_unpaid()


# Messages to families: their tasks live with their package; imported here so Celery's autodiscovery (which reads
# each app's ``tasks`` module) registers them with the worker.
from legal.messaging.tasks import poll_messages, send_message  # noqa: E402, F401
