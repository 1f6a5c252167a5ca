"""Celery tasks for casework: thin, idempotent, calling cases.services."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_casework_reminders() -> dict:
    """Daily (beat): remind officers of case reviews, and people of their tasks, due soon or overdue (My work shows
    them). Idempotent: one reminder per person, review or task, and due date."""
    from cases.services import casework_reminders_refresh

    return casework_reminders_refresh()


@shared_task(acks_late=True)
def evaluate_alerts(school_ids: list[int] | None = None) -> dict:
    """Nightly (beat, after the attendance recompute) for every school, and after each register import for the
    schools it touched: open, refresh and clear early-warning alerts. Idempotent: a second run changes nothing."""
    from cases.alerts.services import evaluate_alerts as evaluate

    return evaluate(school_ids=school_ids)


def evaluate_after_import(*, school_ids: Iterable[int]) -> None:
    """The ``attendance.imported`` provider (schools.tasks.run_attendance_import, once an import saved its marks):
    queue the evaluation for the schools whose registers the import wrote, after the current transaction commits.
    A queue that cannot be reached loses nothing: the nightly evaluation covers every school."""
    ids = sorted({int(pk) for pk in school_ids})
    if not ids:
        return

    def publish():
        try:
            evaluate_alerts.delay(school_ids=ids)
        except Exception:  # kombu raises OperationalError (or OSError) when Redis is unreachable
            logger.exception("Early-warning alerts for schools %s could not be run or queued; the nightly "
                             "evaluation will catch up", ids)

    transaction.on_commit(publish)
