"""Celery tasks of the attendance engine that its own writer queues (schools.tasks imports them, so the worker
registers them): kept apart from schools.tasks, which imports the import services, so the writer can queue them
without an import cycle."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_threshold_worklist(school_ids: list[int], since: str | None = None) -> None:
    """After a register import: the penalty-notice threshold worklist's kept runs brought up to date for the pupils of
    the schools it wrote (schools.attendance.threshold.refresh_schools), outside the import, so the person importing
    waits only for their marks. Idempotent; the nightly run puts right anything a lost task missed."""
    from schools.attendance import threshold

    threshold.refresh_schools(school_ids, since=datetime.date.fromisoformat(since) if since else None)
