"""Reads for roll notifications. Each takes the user and starts from ``visible_to`` (a school sees the notices it
sent and its own roll; the LA sees every school's); out-of-scope lookups raise Http404.

The per-school overdue flags (reg 13, schools.roll.rules): a deletion with no notice (an enrolment that ended with no
deletion notice from that school), a deletion notice after the deletion, an admission notice later than 5 school
days, and an admission with no notice, counted since the start of the academic year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from schools.models import AcademicYear, Enrolment, RollNotification, School
from schools.roll import rules
from schools.school_days import CalendarMissing, add_school_days

Kind = RollNotification.Kind
#: How far before a deletion the new school's admission may be dated and still confirm the move.
CONFIRMATION_LOOKBACK = datetime.timedelta(days=90)


def today() -> datetime.date:
    return timezone.localdate()


def notification_list(*, user):
    return RollNotification.objects.visible_to(user).select_related("school", "pupil", "new_school")


def notification_get(*, user, pk: int) -> RollNotification:
    return get_object_or_404(notification_list(user=user).select_related("cme_record", "exclusion"), pk=pk)


def _admissions_for(pairs) -> list[RollNotification]:
    """Admission notices at the given (school id, upn, pupil id) destinations."""
    q = Q()
    for school_id, upn, pupil_id in pairs:
        who = Q(upn=upn) | Q(pupil_id=pupil_id) if pupil_id else Q(upn=upn)
        q |= Q(school_id=school_id) & who
    if not q:
        return []
    return list(RollNotification.objects.filter(q, kind=Kind.ADMISSION).select_related("school")
                .order_by("event_date", "pk"))


def _confirms(admission: RollNotification, deletion: RollNotification) -> bool:
    same_pupil = admission.upn == deletion.upn or (deletion.pupil_id and admission.pupil_id == deletion.pupil_id)
    return (admission.school_id == deletion.new_school_id and bool(same_pupil)
            and admission.event_date >= deletion.event_date - CONFIRMATION_LOOKBACK)


def admission_confirmation(notification: RollNotification) -> RollNotification | None:
    """The new school's admission notice for the pupil of a deletion notice (the move is confirmed), or None."""
    return confirmations_for([notification]).get(notification.pk)


def confirmations_for(notifications) -> dict[int, RollNotification]:
    """{deletion notice pk: the admission notice confirming its move} for a page of notices, in one query."""
    deletions = [n for n in notifications if n.kind == Kind.DELETION and n.new_school_id]
    admissions = _admissions_for({(n.new_school_id, n.upn, n.pupil_id) for n in deletions})
    found = {}
    for deletion in deletions:
        match = next((a for a in admissions if _confirms(a, deletion)), None)
        if match is not None:
            found[deletion.pk] = match
    return found


# ---------------------------------------------------------------------------------------------------------------
# Overdue flags


def flags_since(on: datetime.date | None = None) -> datetime.date:
    """The start of the academic year containing the day (a year back when no academic year is entered)."""
    on = on or today()
    year = AcademicYear.objects.filter(start_date__lte=on, end_date__gte=on).first()
    return year.start_date if year else on - datetime.timedelta(days=365)


def _standard_leaving_q() -> Q:
    q = Q(pk__in=[])
    for phase, oldest in rules.OLDEST_YEAR.items():
        q |= Q(school__phase=phase, nc_year__gte=oldest, end_date__month__in=rules.SCHOOL_YEAR_END_MONTHS)
    return q


def _standard_joining_q() -> Q:
    first, last = rules.SCHOOL_YEAR_START_WINDOW
    q = Q(pk__in=[])
    for phase, youngest in rules.YOUNGEST_YEAR.items():
        q |= Q(school__phase=phase, nc_year__lte=youngest, start_date__month=first.month,
               start_date__day__gte=first.day, start_date__day__lte=last.day)
    return q


def _notice_exists(kind: str) -> Exists:
    return Exists(RollNotification.objects.filter(kind=kind, school=OuterRef("school")).filter(
        Q(pupil=OuterRef("pupil")) | Q(upn=OuterRef("pupil__upn"))))


def deletions_without_notice(*, user, since: datetime.date | None = None, on: datetime.date | None = None):
    """Enrolments at the user's schools that ended (since the start of the year, up to today) with no deletion notice
    from the school, leaving the final year's leavers aside (reg 13(5))."""
    on = on or today()
    return (Enrolment.objects.visible_to(user)
            .filter(end_date__isnull=False, end_date__gte=since or flags_since(on), end_date__lte=on)
            .exclude(_standard_leaving_q()).exclude(_notice_exists(Kind.DELETION))
            .select_related("pupil", "school"))


def admission_notice_cutoff(on: datetime.date) -> datetime.date:
    """Admissions on or before this day are past their 5 school days (the LA calendar; a school's own INSET days can
    make its own deadline a day later, which the notice itself records exactly)."""
    try:
        return add_school_days(on, -rules.ADMISSION_NOTICE_SCHOOL_DAYS, None)
    except CalendarMissing:
        return on - datetime.timedelta(days=7)


def admissions_without_notice(*, user, since: datetime.date | None = None, on: datetime.date | None = None):
    """Enrolments at the user's schools that started this year, more than 5 school days ago, at a non-standard point
    (reg 13(2)), with no admission notice from the school."""
    on = on or today()
    return (Enrolment.objects.visible_to(user)
            .filter(start_date__gte=since or flags_since(on), start_date__lte=admission_notice_cutoff(on))
            .exclude(_standard_joining_q()).exclude(_notice_exists(Kind.ADMISSION))
            .select_related("pupil", "school"))


@dataclass
class SchoolFlags:
    school: School
    deletions_without_notice: int = 0
    late_deletion_notices: int = 0
    late_admission_notices: int = 0
    admissions_without_notice: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return (self.deletions_without_notice + self.late_deletion_notices + self.late_admission_notices
                + self.admissions_without_notice)


def _counts(queryset) -> dict[int, int]:
    return dict(queryset.order_by().values_list("school").annotate(n=Count("pk")).values_list("school", "n"))


def school_flags(*, user, school_id: int | None = None, on: datetime.date | None = None) -> list[SchoolFlags]:
    """Per school (those the user may see, with any flag), the four overdue counts, worst first: four grouped
    queries whatever the number of schools."""
    on = on or today()
    since = flags_since(on)
    late = notification_list(user=user).filter(late=True, received_on__gte=since)
    counts = {
        "deletions_without_notice": _counts(deletions_without_notice(user=user, since=since, on=on)),
        "late_deletion_notices": _counts(late.filter(kind=Kind.DELETION)),
        "late_admission_notices": _counts(late.filter(kind=Kind.ADMISSION)),
        "admissions_without_notice": _counts(admissions_without_notice(user=user, since=since, on=on)),
    }
    ids = set().union(*counts.values())
    if school_id is not None:
        ids &= {school_id}
    schools = School.objects.visible_to(user).filter(pk__in=ids).order_by("name")
    rows = [SchoolFlags(school, **{name: found.get(school.pk, 0) for name, found in counts.items()})
            for school in schools]
    return sorted(rows, key=lambda row: -row.total)
