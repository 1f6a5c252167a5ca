"""The home page leads with the user's work: panels of counts, each a link to the list where the work is done.

This app's own panels (the threshold worklist, exclusion deadlines, registers not received) are made here; the higher
apps add theirs (casework, alerts, referrals, legal requests) through the ``home`` steps of schools.common.providers,
each ``(user, today) -> Panel or None``. Every count is one query on a list the user may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.urls import reverse

from schools.common import providers
from schools.roles import Role


@dataclass
class Item:
    label: str
    count: int | None  # None: a link without a number (nothing worked out yet)
    href: str
    urgent: bool = False  # shown as needing attention when the count is not zero


@dataclass
class Panel:
    title: str
    items: list[Item] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (text, href) shown under the counts
    order: int = 50


def threshold_panel(user, today: datetime.date) -> Panel | None:
    """Pupils at the penalty-notice threshold with no action yet, in the year to date's kept run (the nightly run
    makes it; the count waits for it rather than scanning every register here)."""
    from schools.attendance import selectors
    from schools.models import PnThresholdEntry, PnThresholdRun

    period = selectors.resolve_period(None, today)
    url = reverse("pn_threshold_list")
    run = PnThresholdRun.objects.filter(period_key=period.key, start=period.start, end=period.end).first()
    if run is None:
        items = [Item("Penalty-notice threshold worklist", None, url)]
        if user.role == Role.SCHOOL_USER:
            items.append(_persistent_absence_item(user, period))
        return Panel("Attendance", items, order=10)
    entries = PnThresholdEntry.objects.visible_to(user).filter(run=run)
    linked = providers.provider("attendance.link_school_ids")
    mine = linked(user) if linked is not None else []
    if mine:
        entries = entries.filter(school_id__in=mine)
    waiting = entries.exclude(last_action_on__gte=F("window_start")).count()
    suffix = " at your link schools" if mine else ""
    items = [Item(f"At the penalty-notice threshold with no action yet{suffix}", waiting, f"{url}?action=none",
                  urgent=True)]
    if user.role == Role.SCHOOL_USER:
        items.append(_persistent_absence_item(user, period))
    return Panel("Attendance", items, order=10)


def _persistent_absence_item(user, period) -> Item:
    """A school's persistently absent pupils over the period, counted as the list it links to counts them (the
    attendance pupils list's FilterSet over the engine's figures for the school's enrolments: a few hundred rows)."""
    from schools.attendance import selectors as figures
    from schools.attendance import stages
    from schools.attendance.filters import AttendancePupilFilterSet

    rows = stages.attendance_pupil_list(user, period, figures.visible_enrolments(user))
    count = AttendancePupilFilterSet({"show": "pa"}, queryset=rows).qs.count()
    return Item(f"Persistently absent (10% or more), {period.label}", count,
                f"{reverse('attendance_pupil_list')}?show=pa&period={period.key}")


def exclusions_panel(user, today: datetime.date) -> Panel | None:
    """Exclusion deadlines, day-6 provision not in place, part-time timetables past their review and (LA staff)
    children missing education whose enquiries are overdue: each counted through the FilterSet of the list it links
    to, so the count and the list always agree."""
    from schools.exclusions import selectors as exclusion_selectors
    from schools.exclusions.filters import ExclusionFilterSet, PartTimeTimetableFilterSet

    week_end = today + datetime.timedelta(days=6 - today.weekday())
    due = exclusion_selectors.reminder_list(user=user).filter(resolved_on__isnull=True, due__lte=week_end).count()
    no_provision = ExclusionFilterSet({"deadline": "day6_missing", "status": "active"},
                                      queryset=exclusion_selectors.exclusion_list(user=user)).qs.count()
    reviews = PartTimeTimetableFilterSet({"flag": "review_overdue"},
                                         queryset=exclusion_selectors.part_time_list(user=user)).qs.count()
    items = [
        Item("Exclusion deadlines due this week or overdue", due, reverse("exclusion_reminders"), urgent=True),
        Item("Exclusions with no provision from day 6", no_provision,
             f"{reverse('exclusion_list')}?deadline=day6_missing&status=active", urgent=True),
        Item("Part-time timetables with a review overdue", reviews,
             f"{reverse('part_time_list')}?flag=review_overdue", urgent=True),
    ]
    if user.role != Role.SCHOOL_USER:  # the CME register is the LA's
        from schools.exclusions.filters import CMEFilterSet

        overdue = CMEFilterSet({"enquiries": "overdue"}, queryset=exclusion_selectors.cme_list(user=user)).qs.count()
        items.append(Item("Children missing education with enquiries overdue", overdue,
                          f"{reverse('cme_list')}?enquiries=overdue", urgent=True))
    return Panel("Exclusions and provision", items, order=20)


def registers_panel(user, today: datetime.date) -> Panel | None:
    """Managers (and LA admins): the schools whose registers have stopped arriving."""
    from schools.attendance import freshness

    if user.role not in (Role.LA_MANAGER, Role.LA_ADMIN):
        return None
    behind = freshness.stale_schools(user, today)
    overview = f"{reverse('attendance_overview')}?group=school"
    panel = Panel("Registers", [Item(f"Schools with no registers for {freshness.STALE_AFTER_SCHOOL_DAYS} school days "
                                     "or more", len(behind), overview, urgent=True)], order=30)
    for late in behind[:5]:
        since = late.last_register_date.strftime("%-d %b") if late.last_register_date else "none received"
        panel.lines.append((f"{late.school.name}: last {since}, {late.school_days_missing} school days",
                            reverse("school_attendance", args=[late.school.urn])))
    return panel


def panels_for(user, today: datetime.date) -> list[Panel]:
    made = [make(user, today) for make in (threshold_panel, exclusions_panel, registers_panel)]
    made += [make(user, today) for _name, make in providers.steps("home")]
    return sorted((panel for panel in made if panel is not None), key=lambda panel: panel.order)
