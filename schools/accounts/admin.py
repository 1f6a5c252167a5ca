"""Admin site: the council groups that give access (council sign-in); an LA admin resets a user's two-factor sign-in
(a lost phone), audited like the user's own removal.

django-otp's own device admin is taken off the site: it shows each device's secret key and QR code, which would let
anyone with admin access copy a colleague's authenticator.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.accounts import tokens, two_factor
from schools.common.admin import AuditedAdmin
from schools.models import SignInGroup

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.action(description="Reset two-factor sign-in (they sign in with a password, then set it up again)")
def reset_two_factor(modeladmin, request, queryset):
    reset = 0
    for user in queryset:
        reset += bool(two_factor.remove_devices(user=user, actor=request.user, path=request.path))
    modeladmin.message_user(request, f"Two-factor sign-in reset for {reset} user(s).", messages.SUCCESS)


@admin.action(description="Revoke API token (programs using it must get a new one)")
def revoke_api_tokens(modeladmin, request, queryset):
    revoked = sum(tokens.revoke(user=user, actor=request.user, path=request.path) for user in queryset)
    modeladmin.message_user(request, f"API tokens revoked for {revoked} user(s).", messages.SUCCESS)


@admin.register(SignInGroup)
class SignInGroupAdmin(AuditedAdmin):
    """Which council groups give which role (council sign-in, schools.accounts.oidc). A change applies to each member
    at their next sign-in."""

    list_display = ["name", "group", "role"]
    list_filter = ["role"]
    search_fields = ["name", "group"]
    filter_horizontal = ["schools"]
