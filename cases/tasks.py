"""Celery tasks for casework: thin, idempotent, calling cases.services."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def send_casework_reminders() -> dict:
    """Daily (beat): remind officers of case reviews, and people of their tasks, due soon or overdue (My work shows
    them). Idempotent: one reminder per person, review or task, and due date."""
    from cases.services import casework_reminders_refresh

    return casework_reminders_refresh()
