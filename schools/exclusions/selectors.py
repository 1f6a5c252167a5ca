"""Reads for exclusions and provision. Each takes the user and starts from ``visible_to`` (schools.scoping), so a
school sees its own rows of its own pupils and the LA sees everything; out-of-scope lookups raise Http404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from schools.exclusions import rules
from schools.exclusions.services import suspension_days_in_year
from schools.models import (
    APProvider,
    ChildNotInSchool,
    CMERecord,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    PartTimeTimetable,
    Placement,
)
from schools.school_days import CalendarMissing, add_school_days


def today() -> datetime.date:
    return timezone.localdate()


def soon_limit(on: datetime.date | None = None) -> datetime.date:
    """The reminder window's last day on the LA calendar (today when no term dates are entered)."""
    on = on or today()
    try:
        return add_school_days(on, rules.REMINDER_WINDOW_SCHOOL_DAYS, None)
    except CalendarMissing:
        return on


def school_days_ago(n: int, on: datetime.date | None = None) -> datetime.date | None:
    """The date ``n`` school days before ``on`` on the LA calendar: rows started on or before it have run n days."""
    try:
        return add_school_days(on or today(), -n, None)
    except CalendarMissing:
        return None


# ---------------------------------------------------------------------------------------------------------------
# Exclusions


def exclusion_list(*, user):
    return Exclusion.objects.visible_to(user).select_related("pupil", "school")


def exclusion_get(*, user, pk: int) -> Exclusion:
    return get_object_or_404(exclusion_list(user=user), pk=pk)


def exclusion_run(*, user, exclusion: Exclusion) -> list[Exclusion]:
    """The back-to-back suspensions the exclusion is part of, in order (empty when it stands alone). Members share
    the run's first day (Exclusion.run_start_date, kept by the services), so this is one query."""
    if not exclusion.run_start_date or exclusion.is_cancelled:
        return []
    return list(Exclusion.objects.visible_to(user).filter(
        pupil_id=exclusion.pupil_id, school_id=exclusion.school_id, kind=Exclusion.Kind.SUSPENSION,
        cancelled_on__isnull=True, run_start_date=exclusion.run_start_date).order_by("start_date", "start_session"))


def year_split(exclusion: Exclusion) -> list[tuple[str, Decimal]]:
    """[(school year, days counted in it)] when a suspension runs over the summer into the next year, else []."""
    carried = exclusion.days - exclusion.start_year_days
    if exclusion.kind == Exclusion.Kind.PERMANENT or carried <= 0:
        return []
    from schools.models import AcademicYear

    years = list(AcademicYear.objects.filter(end_date__gte=exclusion.start_date,
                                             start_date__lte=exclusion.end_date).order_by("start_date"))
    if len(years) < 2:
        return []
    return [(years[0].name, exclusion.start_year_days), (years[1].name, carried)]


def pupil_exclusions(*, user, pupil):
    return exclusion_list(user=user).filter(pupil=pupil)


@dataclass(frozen=True)
class CapStatus:
    total: Decimal
    year: object
    remaining: Decimal

    @property
    def state(self) -> str:
        if self.total >= rules.SUSPENSION_CAP_DAYS:
            return "reached"
        if self.total >= rules.SUSPENSION_CAP_WARNING_DAYS:
            return "near"
        return "ok"

    @property
    def tag(self) -> tuple[str, str]:
        return {"reached": ("45-day limit reached", "red"), "near": ("Nearing the 45-day limit", "orange"),
                "ok": ("Within the limit", "green")}[self.state]


def suspension_cap_status(*, pupil, on: datetime.date | None = None) -> CapStatus:
    """Suspended days this school year at every school (a total only: where they were is not shown)."""
    total, year = suspension_days_in_year(pupil.pk, on or today())
    return CapStatus(total=total, year=year, remaining=max(rules.SUSPENSION_CAP_DAYS - total, Decimal(0)))


def reminder_list(*, user):
    return ExclusionReminder.objects.visible_to(user).select_related("exclusion__pupil", "exclusion__school")


# ---------------------------------------------------------------------------------------------------------------
# Provision


def placement_list(*, user):
    return Placement.objects.visible_to(user).select_related(
        "pupil", "exclusion", "ap_provider", "host_school", "commissioning_school")


def exclusion_placements(*, user, exclusion: Exclusion):
    return placement_list(user=user).filter(exclusion=exclusion)


def ap_provider_list(*, user, on: datetime.date | None = None):
    """Providers with places commissioned and used today (pupils placed, and their hours as full-time places)."""
    on = on or today()
    current = Q(placements__start_date__lte=on) & (Q(placements__end_date__isnull=True)
                                                   | Q(placements__end_date__gte=on))
    return APProvider.objects.visible_to(user).annotate(
        pupils_placed=Count("placements", filter=current),
        hours_placed=Coalesce(Sum("placements__hours_per_week", filter=current), Value(Decimal(0)),
                              output_field=DecimalField()),
    ).annotate(
        places_used=ExpressionWrapper(F("hours_placed") / rules.FTE_HOURS,
                                      output_field=DecimalField(max_digits=6, decimal_places=1)),
    ).order_by("name")


def part_time_list(*, user):
    return PartTimeTimetable.objects.visible_to(user).select_related("pupil", "school")


def part_time_get(*, user, pk: int) -> PartTimeTimetable:
    return get_object_or_404(part_time_list(user=user), pk=pk)


@dataclass(frozen=True)
class PartTimeFlags:
    """Dates that turn a part-time timetable's flags on, worked out once per page rather than per row."""

    today: datetime.date
    long_running_since: datetime.date | None

    def for_timetable(self, timetable: PartTimeTimetable) -> list[tuple[str, str]]:
        if timetable.ended_on:
            return [("Ended", "grey")]
        flags = []
        if timetable.next_review_date < self.today:
            flags.append(("Review overdue", "red"))
        if timetable.planned_end_date < self.today:
            flags.append(("Past planned end", "red"))
        if self.long_running_since and timetable.start_date <= self.long_running_since:
            flags.append(("Long-running", "orange"))
        if not timetable.la_notified_on:
            flags.append(("LA not notified", "yellow"))
        return flags


def part_time_flags(on: datetime.date | None = None) -> PartTimeFlags:
    on = on or today()
    return PartTimeFlags(today=on, long_running_since=school_days_ago(rules.PART_TIME_LONG_RUNNING_SCHOOL_DAYS, on))


def managed_move_list(*, user):
    return ManagedMove.objects.visible_to(user).select_related("pupil", "from_school", "to_school")


def managed_move_get(*, user, pk: int) -> ManagedMove:
    return get_object_or_404(managed_move_list(user=user), pk=pk)


def fair_access_list(*, user):
    return FairAccessReferral.objects.visible_to(user).select_related("pupil", "panel", "allocated_school")


def fair_access_get(*, user, pk: int) -> FairAccessReferral:
    return get_object_or_404(fair_access_list(user=user), pk=pk)


def cme_list(*, user):
    return CMERecord.objects.visible_to(user).select_related("pupil", "referring_school", "officer").annotate(
        enquiry_count=Count("enquiries")).order_by("-referred_on", "-pk")


def cme_get(*, user, pk: int) -> CMERecord:
    return get_object_or_404(cme_list(user=user).prefetch_related("enquiries"), pk=pk)


def cnis_list(*, user):
    return ChildNotInSchool.objects.visible_to(user).select_related("pupil")


def fair_access_days(referrals, on: datetime.date | None = None) -> dict[int, int | None]:
    """School days without a placement per referral: stored once placed, else counted to today on the LA calendar
    (loaded once for the whole page)."""
    from schools.school_days import load_calendar

    on = on or today()
    result = {r.pk: r.days_without_placement for r in referrals if r.placed_on}
    still_out = [r for r in referrals if not r.placed_on]
    if still_out:
        calendar = load_calendar(None, min(r.out_of_school_since for r in still_out), on)
        for referral in still_out:
            day, count = referral.out_of_school_since, 0
            while day <= on:
                count += calendar.is_school_day(day)
                day += datetime.timedelta(days=1)
            result[referral.pk] = count
    return result


def date_school_days_back(n: int, on: datetime.date | None = None) -> datetime.date | None:
    """The latest start date from which a child has been out ``n`` school days by ``on`` (counting ``on`` itself when
    it is a school day), on the LA calendar; None when no term dates cover it."""
    from schools.school_days import is_school_day

    on = on or today()
    try:
        return add_school_days(on, -(n - 1) if is_school_day(on, None) else -n, None)
    except CalendarMissing:
        return None
