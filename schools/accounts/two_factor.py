"""Two-factor sign-in (TOTP authenticator apps) for LA roles: the rules and every write.

Who: LA roles only (schools.roles.LA_ROLES). LA staff reach every pupil in the authority, so a stolen password costs
the most there; school users reach their own roll and sign in with a password (the set-up page answers 403 for them).
Optional by default; TWO_FACTOR_REQUIRED_FOR_LA_ROLES=true makes it mandatory for LA roles, and those without a
device are sent to set it up before anything else (schools.accounts.middleware).

Sign-in: a user with a confirmed device gives the password, then the 6-digit code (schools.accounts.views). Until
the code is right nothing is signed in: the session holds only a pending sign-in, for PENDING_SECONDS. A wrong code
is a failed sign-in for django-axes (same username and address as a wrong password), so the lock-out counts both.
The API token endpoint asks for the code in an ``otp`` field (schools.accounts.api).

Set-up and removal are audited (AuditEvent create/delete of the device) without the device's secret key.
"""

from __future__ import annotations

import base64
import datetime
import re

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from schools.models import AuditEvent

# How long the password step of a two-step sign-in stays good while the code is awaited.
PENDING_SECONDS = 5 * 60
PENDING_SESSION_KEY = "two_factor_pending"
DEVICE_NAME = "Authenticator app"
CODE_PATTERN = re.compile(r"^\d{6}$")
LOCKED_OUT_MESSAGE = ("Too many failed sign-in attempts for this username from this address: try again in 30 "
                      "minutes.")


class CodeRefused(Exception):
    """The code was not accepted; ``locked`` says the failure locked the account out (axes)."""

    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


def offered_to(user) -> bool:
    return bool(user.is_authenticated and user.is_la_staff)


def required_for(user) -> bool:
    return offered_to(user) and settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES


def confirmed_device(user) -> TOTPDevice | None:
    if not user or not user.pk:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalise_code(raw: str) -> str:
    """Apps show codes as "123 456"; people paste them with spaces or hyphens."""
    return re.sub(r"[\s-]", "", raw or "")


# --- set-up and removal -------------------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device the set-up page shows, made once and kept until confirmed (so a reload shows the same
    secret the person may already have scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret an app asks for when typed in, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG (no image request, nothing from another origin: CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff",
                                                              title="QR code for your authenticator app")


def _audit(*, user, actor, action: str, device: TOTPDevice, path: str) -> None:
    # Written directly rather than through schools.audit.record_change, whose snapshot would copy every field of
    # the device into the log, its secret key among them.
    AuditEvent.objects.create(
        user=actor, username=actor.username, action=action, object_type=TOTPDevice._meta.label,
        object_id=str(device.pk), object_repr=f"Two-factor sign-in for {user.username}"[:200],
        changes={"user": [None, user.username] if action == AuditEvent.Action.CREATE else [user.username, None],
                 "name": [None, device.name] if action == AuditEvent.Action.CREATE else [device.name, None]},
        path=path[:300],
    )


def confirm_device(request, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm a set-up with a code from the app; the session counts as verified with it from then on.

    API tokens issued before are deleted: they were got with the password alone."""
    code = normalise_code(code)
    if not CODE_PATTERN.match(code):
        raise CodeRefused("Enter the 6-digit code from your authenticator app")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not device.verify_token(code):
            raise CodeRefused("The code is wrong or has expired: enter the code your app shows now")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
        Token.objects.filter(user=request.user).delete()  # got with the password alone
        _audit(user=request.user, actor=request.user, action=AuditEvent.Action.CREATE, device=device,
               path=request.path)
    otp_login(request, device)
    return device


def remove_devices(*, user, actor, path: str = "") -> int:
    """Remove a user's two-factor sign-in (by the user with a current code, or an LA admin resetting it)."""
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
        for device in devices:
            if device.confirmed:
                _audit(user=user, actor=actor, action=AuditEvent.Action.DELETE, device=device, path=path)
            device.delete()
        if any(d.confirmed for d in devices):
            Token.objects.filter(user=user).delete()  # an API token ends with the second factor it was got with
    return sum(1 for d in devices if d.confirmed)


# --- the code step of sign-in -------------------------------------------------------------------------------------


def record_failure(request, user) -> bool:
    """A wrong code counts as a failed sign-in for axes (same credentials key as a wrong password); returns whether
    this failure locked the account out."""
    auth_signals.user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the GOV.UK page for the site, JSON for the API (its clients read JSON)."""
    from axes.helpers import get_failure_limit
    from django.http import JsonResponse
    from django.template.response import TemplateResponse

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT_MESSAGE}, status=429)
    username = (credentials or {}).get("username", "")
    return TemplateResponse(request, "registration/locked_out.html",
                            {"failure_limit": get_failure_limit(request, credentials), "username": username},
                            status=429).render()


def is_locked_out(request, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username})


def check_code(request, user, device: TOTPDevice, code: str) -> None:
    """Verify a sign-in code, counting a failure toward the lock-out. Raises CodeRefused."""
    code = normalise_code(code)
    if is_locked_out(request, user.username):
        raise CodeRefused("Too many failed attempts", locked=True)
    if not CODE_PATTERN.match(code):
        raise CodeRefused("Enter the 6-digit code from your authenticator app")
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        # django-otp's own per-device delay after wrong codes (doubling each time), on top of axes' count.
        locked = record_failure(request, user)
        raise CodeRefused("Too many wrong codes in a row: wait a minute, then enter the code your app shows now",
                          locked=locked)
    if not device.verify_token(code):
        locked = record_failure(request, user)
        raise CodeRefused("The code is wrong or has expired: enter the code your app shows now", locked=locked)


def start_pending(request, user, redirect_to: str) -> None:
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk, "backend": user.backend, "next": redirect_to,
        "until": (timezone.now() + datetime.timedelta(seconds=PENDING_SECONDS)).timestamp(),
    }


def pending(request) -> dict | None:
    data = request.session.get(PENDING_SESSION_KEY)
    if not data:
        return None
    if timezone.now().timestamp() > data["until"]:
        clear_pending(request)
        return None
    return data


def clear_pending(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)
