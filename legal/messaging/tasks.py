"""Celery tasks for messages to families: take ids, call a service, safe to run twice (the service claims the
message and checks Notify for our reference before any second send)."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_message(self, message_id: int) -> None:
    """Send one message to GOV.UK Notify; on 429 or 5xx try again later (the service counts the attempts and records
    a failure after the last)."""
    from legal.messaging.services import message_send

    delay = message_send(message_id=message_id)
    # With no worker (the embedded default runs tasks in-process) there is nobody to come back later: try again now,
    # as many times as the service allows.
    while delay is not None and self.request.is_eager:
        delay = message_send(message_id=message_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(acks_late=True)
def poll_messages() -> int:
    """Beat (every NOTIFY_POLL_SECONDS): statuses of messages Notify may still change; resend any that never left."""
    from legal.messaging.services import messages_poll

    return messages_poll()
