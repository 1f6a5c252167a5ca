"""Admin site: an LA admin resets a user's two-factor sign-in (a lost phone), audited like the user's own removal.

django-otp's own device admin is taken off the site: it shows each device's secret key and QR code, which would let
anyone with admin access copy a colleague's authenticator.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.accounts import two_factor

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.action(description="Reset two-factor sign-in (they sign in with a password, then set it up again)")
def reset_two_factor(modeladmin, request, queryset):
    reset = 0
    for user in queryset:
        reset += bool(two_factor.remove_devices(user=user, actor=request.user, path=request.path))
    modeladmin.message_user(request, f"Two-factor sign-in reset for {reset} user(s).", messages.SUCCESS)
