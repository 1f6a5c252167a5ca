"""API tokens: issued at /api/auth/token/, expiring after API_TOKEN_IDLE_HOURS without use or API_TOKEN_MAX_DAYS
after issue (8 hours and 30 days unless the authority sets otherwise), and bound to the credentials they were got
with: a password change or a two-factor reset ends them (explicitly where the service changes them, and at the
token's next use for any other path, since its record holds a fingerprint of both). A user sees theirs on Your
account, with its last use, and revokes it there; an LA admin revokes any in the admin site.

Each use is recorded at most once a minute (as sessions are), so a busy script costs no write per request."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from schools.audit import record_view
from schools.models import ApiTokenUse, AuditEvent

RECORD_EVERY = datetime.timedelta(seconds=60)


def _fingerprint(user) -> str:
    """What the token was got with: the password (its stored hash) and the confirmed authenticator, if any."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = ",".join(str(pk) for pk in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
                       .values_list("pk", flat=True))
    return hashlib.sha256(f"{user.password}|{devices}".encode()).hexdigest()


def expires_at(token: Token, use: ApiTokenUse | None) -> datetime.datetime:
    absolute = token.created + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    last = use.last_used_at if use is not None else token.created
    return min(absolute, last + datetime.timedelta(hours=settings.API_TOKEN_IDLE_HOURS))


@transaction.atomic
def issue(*, user) -> Token:
    """The user's token: their current one while it lasts, else a new one."""
    token = Token.objects.filter(user=user).first()
    use = ApiTokenUse.objects.filter(user=user).first()
    if token is not None and (expires_at(token, use) <= timezone.now()
                              or use is None or use.fingerprint != _fingerprint(user)):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
        ApiTokenUse.objects.update_or_create(user=user, defaults={"last_used_at": timezone.now(),
                                                                  "fingerprint": _fingerprint(user)})
        _audit(actor=user, use=ApiTokenUse.objects.get(user=user), action=AuditEvent.Action.CREATE,
               path="API token issued")
    return token


def still_valid(token: Token) -> bool:
    """Whether the token may still be used (and it is recorded as used now); an expired or superseded one is
    deleted."""
    use = ApiTokenUse.objects.filter(user_id=token.user_id).first()
    now = timezone.now()
    if use is None and expires_at(token, None) > now:
        # A token made outside issue() (an LA admin adding one in the admin site): its record starts now.
        use = ApiTokenUse.objects.create(user_id=token.user_id, last_used_at=now, fingerprint=_fingerprint(token.user))
    if use is None or expires_at(token, use) <= now or use.fingerprint != _fingerprint(token.user):
        Token.objects.filter(pk=token.pk).delete()
        return False
    if now - use.last_used_at >= RECORD_EVERY:
        ApiTokenUse.objects.filter(pk=use.pk).update(last_used_at=now)
    return True


def _audit(*, actor, use: ApiTokenUse, action: str, path: str) -> None:
    # Who and when only: neither the token's key nor the credentials' fingerprint belongs in the audit log.
    record_view(user=actor, instance=use, action=action, path=path)


def revoke(*, user, actor, path: str = "") -> bool:
    """End the user's API token (by the user, or an LA admin); True if there was one."""
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=user).delete()
        use = ApiTokenUse.objects.filter(user=user).first()
        if deleted and use is not None:
            _audit(actor=actor, use=use, action=AuditEvent.Action.DELETE, path=path or "API token revoked")
    return bool(deleted)


def token_for_page(user) -> dict | None:
    """What Your account shows of the user's token, or None."""
    token = Token.objects.filter(user=user).first()
    if token is None:
        return None
    use = ApiTokenUse.objects.filter(user=user).first()
    return {"created": token.created, "last_used_at": use.last_used_at if use else None,
            "expires_at": expires_at(token, use)}
