"""What the sign-in tests share: a confirmed authenticator device and the code it shows now."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def device_for(user, **kwargs) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True, **kwargs)


def code_now(device: TOTPDevice) -> str:
    """The 6-digit code an authenticator app would show at the (test) clock's now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_now(device))
    return f"{(right + 500_000) % 1_000_000:06d}"
