import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Pages need a signed-in user; API views are left to DRF, which authenticates tokens as well as sessions
    and answers 401/403 in JSON instead of redirecting to the sign-in page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, keeping the idle timeout (SESSION_COOKIE_AGE from the last activity) while writing an unchanged
    session at most once every SESSION_REFRESH_SECONDS. SESSION_SAVE_EVERY_REQUEST made every page a database write
    and a commit; a commit waits for the disk, and under load those waits were most of the slowest pages. A session
    now ends between the cookie age and the cookie age less a minute after the last request."""

    refreshed_key = "_refreshed_at"

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.refreshed_key, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.refreshed_key] = now  # modified: saved with a new expiry, and the cookie sent again
        return super().process_response(request, response)
