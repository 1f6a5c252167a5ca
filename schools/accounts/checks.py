"""Deployment checks for signing in (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    """LA roles reach every pupil in the authority: in production their sign-in needs a second factor unless the
    council has explicitly decided otherwise (for example, its single sign-on already asks for one)."""
    if settings.DEBUG or settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES:
        return []
    return [Warning(
        "Two-factor sign-in is not required for LA roles (TWO_FACTOR_REQUIRED_FOR_LA_ROLES=false).",
        hint="Leave TWO_FACTOR_REQUIRED_FOR_LA_ROLES unset (or true) in production, unless staff sign in through "
             "the council's identity provider with its own second factor.",
        id="accounts.W001")]
