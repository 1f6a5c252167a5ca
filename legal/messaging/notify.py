"""The GOV.UK Notify client (the official notifications-python-client), made from settings, and what its errors mean
for us. The API key is passed to the client and nowhere else: never logged, never put in a message."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


def configured() -> bool:
    """Notify is used when a key is set; otherwise letters go to the print queue (the embedded default)."""
    return bool(settings.NOTIFY_API_KEY)


def client():
    from notifications_python_client.notifications import NotificationsAPIClient

    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL,
                                  timeout=settings.NOTIFY_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class Failure:
    status_code: int
    message: str

    @property
    def retryable(self) -> bool:
        from legal.messaging import rules

        return self.status_code in rules.RETRY_STATUSES


def failure_of(error) -> Failure:
    """Notify's answer as (HTTP status, its error messages joined). A connection that failed counts as 503 (the
    client's own convention), so it is retried."""
    status = getattr(error, "status_code", 503)
    message = getattr(error, "message", "") or str(error)
    if isinstance(message, list):  # [{"error": "ValidationError", "message": "..."}]
        message = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item)
                            for item in message)
    return Failure(status_code=int(status), message=str(message)[:450])
