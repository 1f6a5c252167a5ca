"""Council sign-in: staff sign in with the council's identity provider over OpenID Connect (Microsoft Entra ID in most
councils; any OIDC provider), through mozilla-django-oidc.

- Who: a person is matched by the provider's stable subject id (kept on the user at their first council sign-in),
  else by email address (case-insensitive, exactly one user); someone new is created when their groups give access.
- What they may do: at every sign-in their groups (settings.OIDC_GROUPS_CLAIM, from the ID token or the userinfo
  endpoint) are mapped through schools.models.SignInGroup to a role (the highest any group gives) and, for school
  users, schools. No mapped group: no access, and a page that says so and lists the groups the provider sent. A group
  removed at the provider takes the access away at the next sign-in; a user switched off here stays out.
- Two-factor: left to the provider by default (settings.OIDC_TRUST_PROVIDER_TWO_FACTOR); set it false and a user with
  an authenticator here is asked for its code after the provider, as after a password.
- Refusals never raise: a token that fails verification (signature, nonce), a provider that does not answer, or an
  ambiguous match ends on schools.accounts.views.sign_in_refused with the reason in words, and nothing signed in.
- Sign-out ends the provider's session too (RP-initiated logout) when OIDC_OP_LOGOUT_ENDPOINT is set.
- Local passwords stay for the embedded default and for school users; LOCAL_PASSWORDS_FOR_LA_STAFF=false refuses
  them to LA roles, on the sign-in page and the API token endpoint, so LA staff come only through the provider.

Role and school changes made by a sign-in are audited against the user, as an admin's change would be.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from schools.models import AuditEvent, SignInGroup
from schools.roles import LA_ROLES, Role

logger = logging.getLogger(__name__)

# The session remembers that this sign-in came through the provider (sign-out, two-factor) and why one was refused.
SIGNED_IN_WITH_KEY = "signed_in_with"
COUNCIL = "council"
REFUSED_KEY = "council_sign_in_refused"
BACKEND = "schools.accounts.oidc.CouncilBackend"
# Highest first: a person in an officers' group and a managers' group is a manager.
ROLE_PRECEDENCE = [Role.LA_ADMIN, Role.LA_MANAGER, Role.LA_OFFICER, Role.LEGAL_OFFICER, Role.SCHOOL_USER]


class Refused(Exception):
    """A council sign-in that must not go through; ``reason`` is a key of schools.accounts.views.REFUSAL_TEXT."""

    def __init__(self, reason: str, groups: list[str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.groups = groups or []


def enabled() -> bool:
    return settings.OIDC_ENABLED


def password_sign_in_allowed(user) -> bool:
    """Whether this user may sign in with a local password (the sign-in page and the API token endpoint)."""
    return not (enabled() and user.role in LA_ROLES and not settings.LOCAL_PASSWORDS_FOR_LA_STAFF)


def signed_in_with_council(request) -> bool:
    return request.session.get(SIGNED_IN_WITH_KEY) == COUNCIL


def second_factor_done_by_provider(request) -> bool:
    """The provider's sign-in stands for our two-factor step (schools.accounts.middleware)."""
    return settings.OIDC_TRUST_PROVIDER_TWO_FACTOR and signed_in_with_council(request)


def groups_in(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):  # some providers send one group as a string, or a space-separated list
        value = value.split()
    return sorted({str(group) for group in value})


def access_for(groups: list[str]) -> tuple[str, list[int]]:
    """(role, school ids) the groups give; Refused("no_group") when none is mapped, ("no_school") when the role is
    school user and no mapped group names a school."""
    mapped = list(SignInGroup.objects.filter(group__in=groups).prefetch_related("schools"))
    if not mapped:
        raise Refused("no_group", groups)
    role = min((m.role for m in mapped), key=ROLE_PRECEDENCE.index)
    if role != Role.SCHOOL_USER:
        return role, []
    school_ids = sorted({school.pk for m in mapped if m.role == Role.SCHOOL_USER for school in m.schools.all()})
    if not school_ids:
        raise Refused("no_school", groups)
    return role, school_ids


def _username_for(claims: dict) -> str:
    from schools.models import User

    base = (claims.get("preferred_username") or claims.get("email") or f"council-{claims['sub']}")[:140]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _audit_user_change(user, changes: dict, *, created: bool, path: str) -> None:
    AuditEvent.objects.create(
        user=user, username=user.username,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, object_type="schools.User",
        object_id=str(user.pk), object_repr=f"{user.username}: council sign-in"[:200], changes=changes,
        path=path[:300])


class CouncilBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, matching people by subject then email and taking role and schools from the
    groups claim. Every refusal is recorded in the session for the refused page rather than raised."""

    def authenticate(self, request, **kwargs):
        if not enabled() or request is None or "nonce" not in kwargs:
            return None  # a password sign-in, or council sign-in not configured
        try:
            return super().authenticate(request, **kwargs)
        except Refused as refused:
            remember_refusal(request, refused.reason, refused.groups)
        except SuspiciousOperation as error:
            logger.warning("Council sign-in refused: %s", error)
            remember_refusal(request, "unverified")
        except requests.RequestException as error:
            logger.warning("Council sign-in: the provider did not answer: %s", error)
            remember_refusal(request, "provider_unavailable")
        return None

    def get_payload_data(self, token, key):
        """The ID token's claims once its signature, algorithm, audience (this service) and times are checked, with a
        minute's allowance for the two clocks (mozilla-django-oidc's own check skips the audience and allows none)."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm != settings.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(f"ID token signed with {algorithm!r}, not {settings.OIDC_RP_SIGN_ALGO}.")
            return jwt.decode(token, key, algorithms=[algorithm], audience=settings.OIDC_RP_CLIENT_ID,
                              leeway=settings.OIDC_CLOCK_SKEW_SECONDS, options={"require": ["exp", "iat", "sub"]})
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        # Entra ID puts the groups in the ID token only; the userinfo endpoint adds names and email where it has them.
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims):
        if not claims.get(settings.OIDC_SUBJECT_CLAIM):
            raise Refused("no_identity")
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        self.verify_claims(claims)
        subject = str(claims[settings.OIDC_SUBJECT_CLAIM])
        user = self.UserModel.objects.filter(oidc_subject=subject).first()
        if user is None and claims.get("email"):
            matches = list(self.UserModel.objects.filter(email__iexact=claims["email"], oidc_subject=None)[:2])
            if len(matches) > 1:
                raise Refused("ambiguous")
            user = matches[0] if matches else None
        if user is not None and not user.is_active:
            raise Refused("disabled")
        groups = groups_in(claims)
        role, school_ids = access_for(groups)
        return self._save(user, claims, subject, role, school_ids)

    @transaction.atomic
    def _save(self, user, claims: dict, subject: str, role: str, school_ids: list[int]):
        created = user is None
        if created:
            user = self.UserModel(username=_username_for({**claims, "sub": subject}))
            user.set_unusable_password()
        before = {"role": user.role, "schools": sorted(user.schools.values_list("pk", flat=True)) if user.pk else [],
                  "oidc_subject": user.oidc_subject, "email": user.email, "first_name": user.first_name,
                  "last_name": user.last_name}
        user.oidc_subject = subject
        user.role = role
        user.email = (claims.get("email") or user.email)[:254]
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        user.last_name = (claims.get("family_name") or user.last_name)[:150]
        user.save()
        user.schools.set(school_ids)
        after = {"role": role, "schools": school_ids, "oidc_subject": subject, "email": user.email,
                 "first_name": user.first_name, "last_name": user.last_name}
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            _audit_user_change(user, changes, created=created, path=self.request.path)
        return user


def remember_refusal(request, reason: str, groups: list[str] | None = None) -> None:
    request.session[REFUSED_KEY] = {"reason": reason, "groups": (groups or [])[:50]}


def provider_sign_out_url(request) -> str | None:
    """Where to send the browser after our sign-out so the provider's session ends too (RP-initiated logout), or
    None when this session did not come through the provider or it has no end-session endpoint."""
    if not (enabled() and signed_in_with_council(request) and settings.OIDC_OP_LOGOUT_ENDPOINT):
        return None
    query = {"client_id": settings.OIDC_RP_CLIENT_ID,
             "post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))}
    if request.session.get("oidc_id_token"):
        query["id_token_hint"] = request.session["oidc_id_token"]
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(query)}"
