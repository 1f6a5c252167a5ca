"""Celery tasks for data protection: take ids, call subject_access or retention, safe to run twice.

Imported by schools.tasks so the worker (which autodiscovers ``<app>.tasks``) registers them. Their names are pinned
to the module they were first defined in (``schools.data_protection_tasks``): jobs stored before the move and the beat
schedule name them so."""

from __future__ import annotations

import logging

from celery import shared_task

from schools.common import jobs
from schools.models import Job

logger = logging.getLogger(__name__)


@shared_task(name="schools.data_protection_tasks.run_subject_access", bind=True, acks_late=True, max_retries=0)
def run_subject_access(self, job_id: int) -> str:
    from schools.data_protection.subject_access import run_export

    if not jobs.job_claim(job_id):
        # Delivered twice (the sweep re-sent it, or a broker redelivery): another run has it or made the file.
        return Job.objects.values_list("status", flat=True).get(pk=job_id)
    job = Job.objects.select_related("created_by").get(pk=job_id, kind=Job.Kind.SUBJECT_ACCESS)
    try:
        run_export(job)
    except Exception as exc:
        logger.exception("Subject access export %s failed", job_id)
        jobs.job_finish(job, status=Job.Status.FAILED, message=f"The export failed: {exc}", retryable=True)
        raise
    return Job.Status.SUCCEEDED


@shared_task(name="schools.data_protection_tasks.apply_retention", acks_late=True)
def apply_retention() -> dict:
    from schools.data_protection.retention import anonymise, expire_sar_exports

    run = anonymise()
    return {"run": run.pk, "anonymised": run.anonymised, "held": run.held, "exports_deleted": expire_sar_exports()}
