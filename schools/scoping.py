"""The one row-level scoping mechanism (DESIGN.md, Access model).

LA roles see the whole authority. A school user sees a pupil while, and because, the pupil is or was on the roll of
one of the user's schools; everything pupil-linked is reached through the same test. Every page, API viewset,
export and search starts from ``Model.objects.visible_to(user)``; anything else answers 404.

Pupil-linked models subclass ``PupilLinkedQuerySet`` and name the path to the pupil in ``pupil_path``.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from schools.roles import LA_ROLES

_NOTHING = Q(pk__in=[])


def is_la_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in LA_ROLES)


def user_school_ids(user):
    """A subquery of the user's school ids (no extra round trip)."""
    return user.schools.values("pk")


def visibility_key(user) -> str:
    """Text naming what the user may see, equal for two users exactly when every ``visible_to`` gives them the same
    rows: "la" for LA roles, else their schools' ids. Figures kept in a cache key on it, so they are only ever reused
    for a reader who may see the same pupils."""
    if is_la_user(user):
        return "la"
    if not (user and user.is_authenticated and user.is_active):
        return "none"
    return "schools:" + ",".join(str(pk) for pk in sorted(user.schools.values_list("pk", flat=True)))


def school_scope_q(user) -> Q:
    if is_la_user(user):
        return Q()
    if not (user and user.is_authenticated and user.is_active):
        return _NOTHING
    return Q(pk__in=user_school_ids(user))


def pupil_scope_q(user, pupil_path: str = "") -> Q:
    """Q selecting rows whose pupil (reached by ``pupil_path``, "" for Pupil itself) the user may see."""
    if is_la_user(user):
        return Q()
    if not (user and user.is_authenticated and user.is_active):
        return _NOTHING
    # By name: the models build their querysets from this module, so it cannot import them.
    enrolments = apps.get_model("schools", "Enrolment").objects
    pupil_ref = OuterRef(pupil_path or "pk")
    on_users_roll = enrolments.filter(pupil=pupil_ref, school__in=user_school_ids(user))
    return Q(Exists(on_users_roll))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):  # pragma: no cover - every subclass defines its scope
        raise NotImplementedError


class PupilLinkedQuerySet(ScopedQuerySet):
    #: Django lookup path from this model to its pupil, e.g. "pupil" or "case__pupil"; "" for Pupil itself.
    pupil_path = "pupil"

    def visible_to(self, user):
        return self.filter(pupil_scope_q(user, self.pupil_path))
