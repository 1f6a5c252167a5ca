"""The session's idle timeout without a database write on every page (config.settings: SESSION_REFRESH_SECONDS)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.dispatch import receiver

REFRESHED_KEY = "_refreshed_at"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, keeping the idle timeout (SESSION_COOKIE_AGE from the last activity) while writing an unchanged
    session at most once every SESSION_REFRESH_SECONDS. SESSION_SAVE_EVERY_REQUEST made every page a database write
    and a commit; a commit waits for the disk, and under load those waits were most of the slowest pages. A session
    now ends between the cookie age and the cookie age less a minute after the last request."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_KEY] = now  # modified: saved with a new expiry, and the cookie sent again
        return super().process_response(request, response)


@receiver(user_logged_in)
def _signed_in_now(sender, request, user, **kwargs):
    """Signing in saves the session with a fresh expiry, so the first page after it need not save it again."""
    if getattr(request, "session", None) is not None:
        request.session[REFRESHED_KEY] = int(time.time())
