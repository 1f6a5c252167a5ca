"""Holds signed-in users to the two-factor rules (schools.accounts.two_factor) on every page and API call.

- A session that came through the council's identity provider passes when the provider's two-factor is trusted
  (schools.accounts.oidc, OIDC_TRUST_PROVIDER_TWO_FACTOR).
- A user with a confirmed device whose session was not verified with a code (signed in some other way, such as the
  admin site's own sign-in form) is signed out, so the sign-in page asks for the code.
- With TWO_FACTOR_REQUIRED_FOR_LA_ROLES on, an LA-role user without a device is sent to set it up before anything
  else; the API answers 403 for their session.

Runs in process_view before config.middleware.LoginRequiredMiddleware, which then sends a signed-out user to sign in
(pages) or lets DRF answer 401 (API). Token-authenticated API calls never carry a session user: the token endpoint
applies the same rules when it issues a token (schools.accounts.api).
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from rest_framework.views import APIView

from schools.accounts import oidc, two_factor

# What a user who must still set up two-factor sign-in may reach: the set-up page and the way out.
SETUP_ALLOWED = {"two_factor_setup", "logout", "login", "login_code"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified() or oidc.second_factor_done_by_provider(request):
            return None
        if two_factor.has_device(user):
            logout(request)
            return None
        if two_factor.required_for(user):
            match = request.resolver_match
            if match and match.url_name in SETUP_ALLOWED:
                return None
            view_class = getattr(view_func, "cls", None)
            if view_class is not None and issubclass(view_class, APIView):
                return JsonResponse({"detail": "Set up two-factor sign-in on your account page first."}, status=403)
            return redirect("two_factor_setup")
        return None
