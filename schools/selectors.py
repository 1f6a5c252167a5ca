"""Reads that matter. Every selector takes the user and starts from the scoped queryset, so nothing here can
return another school's pupils; out-of-scope lookups raise Http404."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from schools.common.filters import urn_or_404
from schools.models import AuditEvent, Carer, Enrolment, Family, Pupil, School
from schools.roles import Capability
from schools.scoping import is_la_user


def la_pupils() -> int:
    """How many pupils the LA has: PostgreSQL's own estimate (kept by ANALYZE and autovacuum, no scan), else a count.
    Pages that add the whole LA up keep their figures above a size (reporting.snapshots, the attendance overview)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Pupil._meta.db_table])
            row = cursor.fetchone()
        if row and row[0] >= 0:  # -1: never analysed
            return int(row[0])
    return Pupil.objects.count()


def is_large_la() -> bool:
    """Whether the LA has enough pupils (settings.REPORT_SNAPSHOT_FROM_PUPILS) that figures adding it all up are kept
    and shared rather than worked out on every visit: the reports dashboards (reporting.snapshots), the attendance
    overview and its counts (schools.attendance.lists), the schools behind with their registers
    (schools.attendance.freshness) and the home page's pupil count (pupil_count)."""
    return la_pupils() >= settings.REPORT_SNAPSHOT_FROM_PUPILS


def pupil_count(*, user) -> tuple[int, datetime.datetime | None]:
    """How many pupils the user may see, and when they were counted if the count is kept (else None).

    LA staff see every pupil; at a large LA (settings.REPORT_SNAPSHOT_FROM_PUPILS) counting them on every home page
    was a scan of the whole table (250,000 pupils: 12-19 ms, with two parallel workers, of a 50 ms page), so the count
    is shared for a few minutes (schools.common.kept) and counted again as soon as a pupil is added (the key holds the
    newest pupil's id); a pupil merged or erased shows within KEEP_MINUTES. A school's pupils are always counted."""
    from django.db.models import Max
    from django.utils import timezone

    from schools.common.kept import kept, kept_key

    visible = pupil_list(user=user)
    # The pupils' own scoping rule (Pupil.objects.visible_to) decides who sees every pupil, so only they share a count.
    if not is_la_user(user) or not is_large_la():
        return visible.count(), None
    newest = Pupil.objects.aggregate(newest=Max("pk"))["newest"]
    return kept(kept_key("pupil-count", "la", newest), lambda: (visible.count(), timezone.now()))[0]


def school_list(*, user):
    return (
        School.objects.visible_to(user)
        .select_related("partnership")
        .annotate(on_roll=Count("enrolments", filter=Q(enrolments__end_date__isnull=True)))
        .order_by("name")
    )


def school_get(*, user, urn: str) -> School:
    return get_object_or_404(school_list(user=user), urn=urn_or_404(urn))


def pupil_list(*, user):
    return Pupil.objects.visible_to(user).with_current_enrolment(user)


def school_roll(*, user, school: School):
    return pupil_list(user=user).filter(enrolments__school=school, enrolments__end_date__isnull=True)


def pupil_get(*, user, pk: int) -> Pupil:
    return get_object_or_404(Pupil.objects.visible_to(user).select_related("family"), pk=pk)


def pupil_enrolments(*, user, pupil: Pupil):
    return Enrolment.objects.visible_to(user).filter(pupil=pupil).select_related("school")


def family_get(*, user, pk: int) -> Family:
    visible_children = (
        Pupil.objects.visible_to(user).with_current_enrolment(user).order_by("date_of_birth")
    )
    return get_object_or_404(
        Family.objects.visible_to(user).prefetch_related(
            Prefetch("children", queryset=visible_children, to_attr="visible_children"),
            Prefetch("carers", queryset=Carer.objects.all()),
        ),
        pk=pk,
    )


def family_list(*, user):
    # A correlated count per listed family: only the page's rows are counted, and only children the user may see.
    visible_children = (
        Pupil.objects.visible_to(user).filter(family=OuterRef("pk")).order_by()
        .values("family").annotate(n=Count("pk")).values("n")
    )
    return (
        Family.objects.visible_to(user)
        .annotate(child_count=Coalesce(Subquery(visible_children), 0))
        .order_by("name", "pk")
    )


def audit_list(*, user):
    if not user.can(Capability.READ_AUDIT):
        return AuditEvent.objects.none()
    return AuditEvent.objects.all()
