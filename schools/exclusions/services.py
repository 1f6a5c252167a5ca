"""Every write to exclusions, placements, part-time timetables, managed moves, Fair Access, CME and CNIS records.

As in schools.services: keyword-only arguments, one transaction, full validation before anything is saved (errors are
ValidationErrors keyed by field), and an audit row with before/after values for every write. Deadlines are worked out
here in school days of the excluding school's calendar (schools.school_days) and stored on the exclusion.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min, Q, Sum
from django.utils import timezone

from schools.audit import record_change, snapshot
from schools.common import providers
from schools.exclusions import rules
from schools.models import (
    APProvider,
    AuditEvent,
    ChildNotInSchool,
    CMEEnquiry,
    CMERecord,
    Enrolment,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    PartTimeReview,
    PartTimeTimetable,
    Placement,
    Pupil,
    School,
)
from schools.roles import Capability, require
from schools.school_days import (
    CalendarMissing,
    academic_year_containing,
    add_school_days,
    is_school_day,
    load_calendar,
    nth_school_day_of,
    school_days_between,
)
from schools.scoping import is_la_user
from schools.services import reject_unknown_fields

Kind = Exclusion.Kind


def _today() -> datetime.date:
    return timezone.localdate()


def _check_own_school(user, school: School | None, field: str = "school") -> None:
    """School users act only for their own schools (LA staff for any)."""
    if school is None or is_la_user(user):
        return
    if not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({field: f"You can only record this for your own school, not {school}."})


def on_roll(pupil: Pupil, school: School, day: datetime.date) -> bool:
    return Enrolment.objects.filter(pupil=pupil, school=school, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)).exists()


def _require_on_roll(pupil: Pupil, school: School, day: datetime.date, field: str) -> None:
    if not on_roll(pupil, school, day):
        raise ValidationError({field: f"{pupil.display_name} was not on {school}'s roll on {day:%-d %B %Y}."})


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


# ---------------------------------------------------------------------------------------------------------------
# Exclusions: validation and the schedule

EXCLUSION_EDITABLE = frozenset({"start_date", "start_session", "length_sessions", "reasons", "description",
                                "notice_date", "la_notified_on", "missed_public_exam", "parental_representations"})


def _set_reasons(exclusion: Exclusion, reasons) -> None:
    codes = [str(code).strip().upper() for code in (reasons or []) if str(code).strip()]
    if not codes:
        raise ValidationError({"reasons": "Choose at least one reason."})
    if len(codes) > rules.MAX_REASONS:
        raise ValidationError({"reasons": f"Choose up to {rules.MAX_REASONS} reasons: the census records no more "
                                          f"than {rules.MAX_REASONS} (you chose {len(codes)})."})
    if len(set(codes)) != len(codes):
        raise ValidationError({"reasons": "Choose each reason once."})
    for code in codes:
        reason = rules.REASON_CODES.get(code)
        if reason is None:
            raise ValidationError({"reasons": f"{code} is not a DfE exclusion reason code."})
        if not reason.current and not exclusion.imported:
            raise ValidationError({"reasons": f"{code} ({reason.label}) is a legacy code, kept only for imported "
                                              "history; choose a current reason."})
    codes += [""] * (rules.MAX_REASONS - len(codes))
    exclusion.reason_1, exclusion.reason_2, exclusion.reason_3 = codes


def _slots(exclusion: Exclusion) -> tuple[int, float]:
    """The exclusion's span as comparable numbers: 3 slots a day (morning, lunchtime, afternoon)."""
    def unit(day, slot):
        return day.toordinal() * 3 + slot

    if exclusion.kind == Kind.LUNCHTIME:
        return unit(exclusion.start_date, 1), unit(exclusion.end_date, 1)
    start = unit(exclusion.start_date, 0 if exclusion.start_session == "am" else 2)
    if exclusion.kind == Kind.PERMANENT:
        reinstated = Exclusion.BoardDecision.REINSTATED
        if exclusion.board_decision == reinstated and exclusion.board_met_on:
            return start, unit(exclusion.board_met_on, 2)
        return start, float("inf")
    return start, unit(exclusion.end_date, 0 if exclusion.end_session == "am" else 2)


def _check_overlaps(exclusion: Exclusion) -> None:
    others = Exclusion.objects.filter(pupil_id=exclusion.pupil_id, cancelled_on__isnull=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=exclusion.start_date))
    if exclusion.end_date:
        others = others.filter(start_date__lte=exclusion.end_date)
    if exclusion.pk:
        others = others.exclude(pk=exclusion.pk)
    start, end = _slots(exclusion)
    for other in others.select_related("school"):
        other_start, other_end = _slots(other)
        if start <= other_end and other_start <= end:
            until = f" to {other.end_date:%-d %B %Y}" if other.end_date else ""
            raise ValidationError({"start_date": (
                f"This overlaps the pupil's {other.get_kind_display().lower()} from "
                f"{other.start_date:%-d %B %Y}{until}"
                f"{'' if other.school_id == exclusion.school_id else ' at another school'}.")})


def suspension_days_in_year(pupil_id: int, day: datetime.date, *, exclude_pk=None) -> tuple[Decimal, object]:
    """Suspended days (lunchtimes count half) in the school year containing ``day``, at every school: the days of
    suspensions starting that year that fall in it, and the days a suspension from the year before carries over the
    summer into it (Exclusion.start_year_days). One query."""
    year = academic_year_containing(day)
    if year is None:
        return Decimal(0), None
    starts_in_year = Q(start_date__range=(year.start_date, year.end_date))
    carried_in = Q(start_date__lt=year.start_date, end_date__gte=year.start_date)
    rows = Exclusion.objects.filter(pupil_id=pupil_id, cancelled_on__isnull=True,
                                    kind__in=[Kind.SUSPENSION, Kind.LUNCHTIME]).filter(starts_in_year | carried_in)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    totals = rows.aggregate(started=Sum("start_year_days", filter=starts_in_year),
                            carried=Sum(F("days") - F("start_year_days"), filter=carried_in))
    return (totals["started"] or Decimal(0)) + (totals["carried"] or Decimal(0)), year


def year_shares(exclusion: Exclusion) -> list[tuple[datetime.date, Decimal]]:
    """(a day in the year, days counted in that year) for each school year the exclusion's days fall in."""
    shares = [(exclusion.start_date, exclusion.start_year_days)]
    carried = exclusion.days - exclusion.start_year_days
    if carried > 0 and exclusion.end_date:
        shares.append((exclusion.end_date, carried))
    return shares


def _check_cap(exclusion: Exclusion) -> None:
    if exclusion.kind == Kind.PERMANENT:
        return
    shares = year_shares(exclusion)
    for day, own in shares:
        before, year = suspension_days_in_year(exclusion.pupil_id, day, exclude_pk=exclusion.pk)
        total = before + own
        if total > rules.SUSPENSION_CAP_DAYS:
            left = max(rules.SUSPENSION_CAP_DAYS - before, Decimal(0))
            part = (f" (with the {_fmt(own)} days of this suspension that fall in {year})" if len(shares) > 1
                    else "")
            raise ValidationError({"length_sessions": (
                f"This would bring {exclusion.pupil.display_name}'s suspensions in {year} to {_fmt(total)} school "
                f"days{part} (counting every school): the limit is {_fmt(rules.SUSPENSION_CAP_DAYS)} school days in "
                f"a school year. {_fmt(left)} days ({int(left * rules.SESSIONS_PER_DAY)} sessions) remain in "
                f"{year}.")})


def _calendar_error(error: CalendarMissing) -> ValidationError:
    return ValidationError({"start_date": str(error)})


def _schedule_length(exclusion: Exclusion) -> None:
    """End date, end session and length in days, from the school's calendar."""
    school = exclusion.school
    if exclusion.kind == Kind.PERMANENT:
        exclusion.length_sessions = None
        exclusion.end_date, exclusion.end_session, exclusion.days = None, "", Decimal(0)
        return
    sessions = exclusion.length_sessions or 0
    if exclusion.kind == Kind.LUNCHTIME:
        exclusion.start_session = Exclusion.StartSession.AM
        exclusion.end_date = nth_school_day_of(exclusion.start_date, sessions, school)
        exclusion.end_session = ""
    else:
        exclusion.end_date = nth_school_day_of(
            exclusion.start_date, rules.days_needed(exclusion.start_session, sessions), school)
        exclusion.end_session = rules.end_session_of(exclusion.start_session, sessions)
    exclusion.days = rules.sessions_to_days(sessions)
    exclusion.start_year_days = _start_year_days(exclusion)


def _start_year_days(exclusion: Exclusion) -> Decimal:
    """The exclusion's school days inside the school year it starts in: all of them, unless it runs over the summer
    into the next year, when its sessions are counted day by day up to the year's last day."""
    year = academic_year_containing(exclusion.start_date)
    if year is None or exclusion.end_date is None or exclusion.end_date <= year.end_date:
        return exclusion.days
    calendar = load_calendar(exclusion.school, exclusion.start_date, year.end_date)
    day, remaining, sessions = exclusion.start_date, exclusion.length_sessions or 0, 0
    while day <= year.end_date and remaining > 0:
        if calendar.is_school_day(day):
            if exclusion.kind == Kind.LUNCHTIME:
                take = 1
            else:
                take = min(remaining, 1 if day == exclusion.start_date and exclusion.start_session == "pm" else 2)
            sessions += take
            remaining -= take
        day += datetime.timedelta(days=1)
    return rules.sessions_to_days(sessions)


COUNTED_IN_TERMS = [Kind.SUSPENSION, Kind.LUNCHTIME]


def _term_of(day: datetime.date, calendar) -> tuple[datetime.date, datetime.date] | None:
    return next(((start, end) for start, end, *_ in calendar.terms if start <= day <= end), None)


def term_sessions(exclusion: Exclusion, calendar) -> dict[tuple[datetime.date, datetime.date], int]:
    """The exclusion's sessions (lunchtimes) in each term its school days fall in, by the term's (start, end): a
    suspension that runs over a holiday adds each day to its own term (Excl2012 reg 24: "in a term")."""
    if exclusion.kind not in COUNTED_IN_TERMS or exclusion.is_cancelled or not exclusion.end_date:
        return {}
    counts: dict[tuple[datetime.date, datetime.date], int] = {}
    day, remaining = exclusion.start_date, exclusion.length_sessions or 0
    while day <= exclusion.end_date and remaining > 0:
        if calendar.is_school_day(day):
            if exclusion.kind == Kind.LUNCHTIME:
                take = 1
            else:
                take = min(remaining, 1 if day == exclusion.start_date and exclusion.start_session == "pm" else 2)
            bounds = _term_of(day, calendar)
            if bounds is not None:
                counts[bounds] = counts.get(bounds, 0) + take
            remaining -= take
        day += datetime.timedelta(days=1)
    return counts


@dataclass(frozen=True)
class TermBoardDuty:
    """What one term's suspensions oblige the board to do: the term's total and, when it is over 15 school days,
    the suspension whose notice created that duty (the one that took the total past 15)."""

    bounds: tuple[datetime.date, datetime.date]
    total: Decimal
    trigger: Exclusion | None


def term_duties(exclusion: Exclusion) -> list[TermBoardDuty]:
    """For each term the exclusion has days in: the pupil's suspended days at this school in that term (every
    suspension and lunchtime, each counting only its days in the term) and the notice that took it past 15. Two
    queries and one calendar however many suspensions."""
    school = exclusion.school
    if exclusion.kind not in COUNTED_IN_TERMS or not exclusion.end_date:
        return []
    window = datetime.timedelta(days=rules.CONSECUTIVE_SEARCH_DAYS)
    others = list(Exclusion.objects.filter(
        pupil_id=exclusion.pupil_id, school_id=exclusion.school_id, cancelled_on__isnull=True,
        kind__in=COUNTED_IN_TERMS, end_date__isnull=False,
        start_date__range=(exclusion.start_date - window, exclusion.end_date + window)).exclude(pk=exclusion.pk))
    members = [*others, exclusion]
    calendar = load_calendar(school, min(e.start_date for e in members), max(e.end_date for e in members))
    own = term_sessions(exclusion, calendar)
    if not own:
        return []
    shares = {id(e): term_sessions(e, calendar) for e in members}
    ordered = sorted(members, key=lambda e: (e.start_date, e.start_session != Exclusion.StartSession.AM,
                                              e.notice_date or e.start_date, e.pk or 0))
    duties = []
    for bounds in sorted(own):
        total, trigger = Decimal(0), None
        for member in ordered:
            days = rules.sessions_to_days(shares[id(member)].get(bounds, 0))
            if not days:
                continue
            total += days
            if trigger is None and total > rules.BOARD_TERM_TOTAL_TRIGGER:
                trigger = member
        duties.append(TermBoardDuty(bounds, total, trigger))
    return duties


def _board_schedule(exclusion: Exclusion) -> tuple[Decimal, str, datetime.date | None]:
    """(the term total that decides it, the board rule, the date the board must meet by).

    Over 15 school days in a term: within 15 school days of the notice that took the term past 15, for every
    suspension in that term (earlier ones included: the duty did not exist before that notice). Otherwise the
    suspension's own notice starts the clock (a missed public exam; representations about it)."""
    school = exclusion.school
    if exclusion.kind == Kind.PERMANENT:
        rule = rules.BOARD_RULES["permanent"]
        return Decimal(0), rule.key, add_school_days(exclusion.notice_date, rule.school_days, school)
    duties = term_duties(exclusion) if not exclusion.is_cancelled else []
    term_total = max((duty.total for duty in duties), default=Decimal(0) if exclusion.is_cancelled
                     else exclusion.days)
    over = [duty for duty in duties if duty.trigger is not None]
    if over:
        rule = rules.BOARD_RULES["over_15"]
        due = min(add_school_days(duty.trigger.notice_date, rule.school_days, school) for duty in over)
        return max(duty.total for duty in over), rule.key, due
    rule = rules.board_rule_for(kind=exclusion.kind, term_days_total=term_total,
                                missed_public_exam=exclusion.missed_public_exam,
                                parental_representations=exclusion.parental_representations)
    if rule is None:
        return term_total, "", None
    return term_total, rule.key, add_school_days(exclusion.notice_date, rule.school_days, school)


def _schedule_deadlines(exclusion: Exclusion) -> None:
    """Review deadlines and the day-6 date, in school days of the excluding school (exclusion_rules)."""
    school = exclusion.school
    exclusion.term_days_total, exclusion.board_rule, exclusion.board_due = _board_schedule(exclusion)
    permanent = exclusion.kind == Kind.PERMANENT
    exclusion.irp_application_due = (
        add_school_days(exclusion.board_decision_notified_on, rules.IRP_APPLICATION_SCHOOL_DAYS, school)
        if permanent and exclusion.board_decision == Exclusion.BoardDecision.UPHELD
        and exclusion.board_decision_notified_on else None)
    exclusion.irp_meeting_due = (add_school_days(exclusion.irp_applied_on, rules.IRP_MEETING_SCHOOL_DAYS, school)
                                 if permanent and exclusion.irp_applied_on else None)
    reconsider = exclusion.irp_decision in (Exclusion.IrpDecision.RECOMMEND, Exclusion.IrpDecision.QUASH)
    exclusion.reconsideration_due = (
        add_school_days(exclusion.irp_decided_on, rules.RECONSIDERATION_SCHOOL_DAYS, school)
        if permanent and reconsider and exclusion.irp_decided_on else None)
    exclusion.day6_duty, exclusion.day6_date, exclusion.run_start_date = _day6_schedule(exclusion)


def _session_after(exclusion: Exclusion, calendar) -> tuple[datetime.date, str]:
    """The first school session after a suspension ends: that afternoon, or the next school day's morning."""
    if exclusion.end_session == Exclusion.StartSession.AM:
        return exclusion.end_date, Exclusion.StartSession.PM
    day = exclusion.end_date + datetime.timedelta(days=1)
    for _ in range(rules.CONSECUTIVE_SEARCH_DAYS):
        if calendar.is_school_day(day):
            return day, Exclusion.StartSession.AM
        day += datetime.timedelta(days=1)
    return day, Exclusion.StartSession.AM


def consecutive_run(exclusion: Exclusion) -> list[Exclusion]:
    """The back-to-back suspensions from the same school that ``exclusion`` belongs to, in order (just itself when
    it stands alone): each starts in the school session straight after the one before ends (exclusion_rules)."""
    if exclusion.kind != Kind.SUSPENSION or exclusion.is_cancelled or not exclusion.end_date:
        return [exclusion]
    window = datetime.timedelta(days=rules.CONSECUTIVE_SEARCH_DAYS)
    others = [e for e in Exclusion.objects.filter(
        pupil_id=exclusion.pupil_id, school_id=exclusion.school_id, kind=Kind.SUSPENSION, cancelled_on__isnull=True,
        start_date__range=(exclusion.start_date - window, exclusion.start_date + window), end_date__isnull=False)
        if e.pk != exclusion.pk or exclusion.pk is None]
    if not others:
        return [exclusion]
    items = sorted([*others, exclusion], key=lambda e: (e.start_date, e.start_session != Exclusion.StartSession.AM))
    calendar = load_calendar(exclusion.school, min(e.start_date for e in items),
                             max(e.end_date for e in items) + window)

    def follows(before: Exclusion, after: Exclusion) -> bool:
        return (after.start_date, after.start_session) == _session_after(before, calendar)

    at = next(i for i, e in enumerate(items) if e is exclusion)
    first, last = at, at
    while first > 0 and follows(items[first - 1], items[first]):
        first -= 1
    while last < len(items) - 1 and follows(items[last], items[last + 1]):
        last += 1
    return items[first:last + 1]


def _day6_schedule(exclusion: Exclusion) -> tuple[str, datetime.date | None, datetime.date | None]:
    """(who arranges education from the 6th school day, that day, the first day of its back-to-back run).

    A permanent exclusion: the LA, from its own 6th day. A suspension: the school, when it, or the run of back-to-back
    suspensions it belongs to, is longer than five school days; day 6 counts from the run's first day and the duty sits
    on the suspension that day falls in (one duty per run)."""
    school = exclusion.school
    if exclusion.kind == Kind.PERMANENT:
        return "la", nth_school_day_of(exclusion.start_date, rules.PROVISION_FROM_SCHOOL_DAY, school), None
    run = consecutive_run(exclusion)
    duty = rules.day6_duty_for(kind=exclusion.kind, sessions=sum(e.length_sessions or 0 for e in run))
    run_start = run[0].start_date if len(run) > 1 else None
    if not duty:
        return "", None, run_start
    day6 = nth_school_day_of(run[0].start_date, rules.PROVISION_FROM_SCHOOL_DAY, school)
    carrier = next((e for e in run if e.start_date <= day6 <= e.end_date), None)
    if carrier is not exclusion:
        return "", None, run_start
    return duty, day6, run_start


#: What another suspension can change on its neighbours: the term total (and so the board rule) and whether a run of
#: back-to-back suspensions passes five days (and so which one carries the day-6 duty).
NEIGHBOUR_FIELDS = ["term_days_total", "board_rule", "board_due", "day6_duty", "day6_date", "run_start_date"]


def _refresh_term_neighbours(exclusion: Exclusion) -> None:
    """Work out again the schedules another suspension changes: the pupil's other suspensions at the school this term
    and in any back-to-back run with it."""
    window = datetime.timedelta(days=rules.CONSECUTIVE_SEARCH_DAYS)
    neighbours = Exclusion.objects.filter(
        pupil_id=exclusion.pupil_id, school_id=exclusion.school_id, cancelled_on__isnull=True,
        kind__in=[Kind.SUSPENSION, Kind.LUNCHTIME],
        start_date__range=(exclusion.start_date - window, exclusion.start_date + window)).exclude(pk=exclusion.pk)
    for other in neighbours.select_related("school", "pupil"):
        before = [getattr(other, name) for name in NEIGHBOUR_FIELDS]
        try:
            _schedule_deadlines(other)
        except CalendarMissing:
            continue
        if [getattr(other, name) for name in NEIGHBOUR_FIELDS] != before:
            other.save(update_fields=NEIGHBOUR_FIELDS)


def _validate_and_schedule(exclusion: Exclusion) -> None:
    errors = {}
    if exclusion.kind != Kind.PERMANENT and not exclusion.length_sessions:
        errors["length_sessions"] = ("Enter the number of lunchtimes." if exclusion.kind == Kind.LUNCHTIME
                                     else "Enter the length in sessions (two a day).")
    if exclusion.la_notified_on and exclusion.la_notified_on > _today():
        errors["la_notified_on"] = "The date the LA was notified cannot be in the future."
    if exclusion.notice_date and exclusion.start_date and exclusion.notice_date > exclusion.start_date + \
            datetime.timedelta(days=31):
        errors["notice_date"] = "Notice is given when the pupil is excluded: check the date."
    if errors:
        raise ValidationError(errors)
    try:
        if not is_school_day(exclusion.start_date, exclusion.school):
            raise ValidationError({"start_date": (
                f"{exclusion.start_date:%A %-d %B %Y} is not a school day at {exclusion.school}: an exclusion starts "
                "on a school day.")})
        _require_on_roll(exclusion.pupil, exclusion.school, exclusion.start_date, "start_date")
        _schedule_length(exclusion)
        _check_overlaps(exclusion)
        _check_cap(exclusion)
        _schedule_deadlines(exclusion)
    except CalendarMissing as error:
        raise _calendar_error(error) from error
    exclusion.full_clean()


@transaction.atomic
def exclusion_record(*, user, pupil: Pupil, school: School, kind: str, start_date: datetime.date,
                     start_session: str = "am", length_sessions: int | None = None, reasons=(),
                     description: str = "", notice_date: datetime.date | None = None,
                     la_notified_on: datetime.date | None = None, missed_public_exam: bool = False,
                     parental_representations: bool = False, imported: bool = False) -> Exclusion:
    """Record a suspension, permanent exclusion or lunchtime exclusion for a pupil on the school's roll that day."""
    require(user, Capability.RECORD_EXCLUSIONS)
    _check_own_school(user, school)
    exclusion = Exclusion(
        pupil=pupil, school=school, kind=kind, start_date=start_date, start_session=start_session or "am",
        length_sessions=length_sessions if kind != Kind.PERMANENT else None, description=description,
        notice_date=notice_date or start_date, la_notified_on=la_notified_on,
        missed_public_exam=missed_public_exam, parental_representations=parental_representations,
        imported=imported, created_by=user if user.is_authenticated else None)
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose suspension, permanent exclusion or lunchtime exclusion."})
    _set_reasons(exclusion, reasons)
    _validate_and_schedule(exclusion)
    exclusion.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=exclusion)
    _refresh_term_neighbours(exclusion)
    return exclusion


@transaction.atomic
def exclusion_update(*, user, exclusion: Exclusion, **fields) -> Exclusion:
    """Correct an exclusion's details; its schedule is worked out again."""
    require(user, Capability.RECORD_EXCLUSIONS)
    reject_unknown_fields(fields, EXCLUSION_EDITABLE)
    if exclusion.is_cancelled:
        raise ValidationError("A cancelled exclusion cannot be changed.")
    before = snapshot(exclusion)
    old_start = exclusion.start_date
    reasons = fields.pop("reasons", None)
    for name, value in fields.items():
        setattr(exclusion, name, value)
    if not exclusion.notice_date:
        exclusion.notice_date = exclusion.start_date
    if reasons is not None:
        _set_reasons(exclusion, reasons)
    _validate_and_schedule(exclusion)
    exclusion.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=exclusion, before=before)
    _refresh_term_neighbours(exclusion)
    if old_start != exclusion.start_date:
        moved_from = Exclusion(pk=exclusion.pk, pupil_id=exclusion.pupil_id, school=exclusion.school,
                               start_date=old_start, kind=exclusion.kind)
        _refresh_term_neighbours(moved_from)
    return exclusion


REVIEW_FIELDS = ("board_met_on", "board_decision", "board_decision_notified_on", "irp_applied_on",
                 "irp_decided_on", "irp_decision", "reconsidered_on")


REVIEW_DATES = ("board_met_on", "board_decision_notified_on", "irp_applied_on", "irp_decided_on", "reconsidered_on")


def _review_date_errors(e: Exclusion, today: datetime.date) -> dict[str, str]:
    errors = {}
    for name in REVIEW_DATES:
        value = getattr(e, name)
        if value and value > today:
            errors[name] = "This date cannot be in the future."
        elif value and value < e.start_date:
            errors[name] = "This date is before the exclusion started."
    return errors


def _board_errors(e: Exclusion) -> dict[str, str]:
    errors = {}
    if e.board_decision and not e.board_met_on:
        errors["board_met_on"] = "Enter the date the board met to record its decision."
    if e.board_decision_notified_on and not e.board_decision:
        errors["board_decision"] = "Record the board's decision before the date parents were told of it."
    if e.board_met_on and e.board_decision_notified_on and e.board_decision_notified_on < e.board_met_on:
        errors["board_decision_notified_on"] = "Parents are told of the decision after the board meets."
    return errors


def _independent_review_errors(e: Exclusion) -> dict[str, str]:
    """The independent review panel's steps, in the order the 2012 Regulations give them (later messages win)."""
    errors = {}
    irp_fields = [n for n in ("irp_applied_on", "irp_decided_on", "irp_decision", "reconsidered_on") if getattr(e, n)]
    if irp_fields and e.kind != Kind.PERMANENT:
        errors[irp_fields[0]] = "Independent review is for permanent exclusions only."
    elif irp_fields and e.board_decision != Exclusion.BoardDecision.UPHELD:
        errors[irp_fields[0]] = "Parents can ask for an independent review only once the board declines to reinstate."
    if e.irp_decided_on and not e.irp_applied_on:
        errors["irp_applied_on"] = "Enter the date parents applied for the review."
    if e.irp_applied_on and e.board_decision_notified_on and e.irp_applied_on < e.board_decision_notified_on:
        errors["irp_applied_on"] = "The application comes after parents are told of the board's decision."
    if e.irp_decision and not e.irp_decided_on:
        errors["irp_decided_on"] = "Enter the date of the panel's decision."
    if e.reconsidered_on and e.irp_decision not in (Exclusion.IrpDecision.RECOMMEND, Exclusion.IrpDecision.QUASH):
        errors["reconsidered_on"] = "The board reconsiders only when the panel recommends or directs it."
    return errors


@transaction.atomic
def exclusion_review_record(*, user, exclusion: Exclusion, **fields) -> Exclusion:
    """Record the governing board's consideration and, for a permanent exclusion, the independent review."""
    require(user, Capability.RECORD_EXCLUSIONS)
    reject_unknown_fields(fields, frozenset(REVIEW_FIELDS))
    if exclusion.is_cancelled:
        raise ValidationError("A cancelled exclusion has no review.")
    before = snapshot(exclusion)
    for name, value in fields.items():
        setattr(exclusion, name, value or ("" if name in ("board_decision", "irp_decision") else None))
    e = exclusion
    errors = {**_review_date_errors(e, _today()), **_board_errors(e), **_independent_review_errors(e)}
    if errors:
        raise ValidationError(errors)
    try:
        if e.kind == Kind.PERMANENT:
            _check_overlaps(e)  # a reinstatement date may now end the exclusion
        _schedule_deadlines(e)
    except CalendarMissing as error:
        raise _calendar_error(error) from error
    e.full_clean()
    e.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=e, before=before)
    return e


@transaction.atomic
def exclusion_cancel(*, user, exclusion: Exclusion, cancelled_on: datetime.date, reason: str) -> Exclusion:
    """Cancel ("rescind") an exclusion before the governing board meets (Excl guidance 2023)."""
    require(user, Capability.RECORD_EXCLUSIONS)
    if exclusion.is_cancelled:
        raise ValidationError("This exclusion is already cancelled.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the exclusion is cancelled."})
    if exclusion.board_met_on and cancelled_on >= exclusion.board_met_on:
        raise ValidationError({"cancelled_on": "An exclusion can be cancelled only before the governing board meets "
                                               f"(it met on {exclusion.board_met_on:%-d %B %Y})."})
    if cancelled_on > _today():
        raise ValidationError({"cancelled_on": "The cancellation date cannot be in the future."})
    before = snapshot(exclusion)
    exclusion.cancelled_on = cancelled_on
    exclusion.cancellation_reason = reason.strip()
    exclusion.full_clean()
    exclusion.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=exclusion, before=before)
    _refresh_term_neighbours(exclusion)
    ExclusionReminder.objects.filter(exclusion=exclusion, resolved_on__isnull=True).update(resolved_on=_today())
    return exclusion


@transaction.atomic
def exclusion_reintegration_start(*, user, exclusion: Exclusion, plan: str,
                                  meeting_on: datetime.date | None = None) -> Exclusion:
    """Record a reintegration plan and open or join the pupil's reintegration case (through the cases hook)."""
    require(user, Capability.RECORD_EXCLUSIONS)
    if not (plan or "").strip():
        raise ValidationError({"plan": "Describe the reintegration plan."})
    if meeting_on and meeting_on < exclusion.start_date:
        raise ValidationError({"meeting_on": "The reintegration meeting comes after the exclusion starts."})
    before = snapshot(exclusion)
    exclusion.reintegration_plan = plan.strip()
    exclusion.reintegration_meeting_on = meeting_on
    open_case = providers.provider("exclusions.reintegration_case")  # the cases app's, when installed
    if open_case is not None:
        case = open_case(user=user, exclusion=exclusion, plan=exclusion.reintegration_plan)
        exclusion.reintegration_case_id = getattr(case, "pk", None)
    exclusion.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=exclusion, before=before)
    return exclusion


def exclusion_recompute(*, exclusion: Exclusion) -> bool:
    """Work the stored schedule out again from today's calendar (e.g. after term dates change). True if it changed.

    Derived columns only, so no audit row: the audit holds what people entered.
    """
    fields = ["end_date", "end_session", "days", "start_year_days", "term_days_total", "board_rule", "board_due",
              "irp_application_due", "irp_meeting_due", "reconsideration_due", "day6_duty", "day6_date",
              "run_start_date"]
    before = [getattr(exclusion, f) for f in fields]
    try:
        _schedule_length(exclusion)
        _schedule_deadlines(exclusion)
    except CalendarMissing:
        return False
    if [getattr(exclusion, f) for f in fields] == before:
        return False
    exclusion.save(update_fields=fields)
    return True


# ---------------------------------------------------------------------------------------------------------------
# Reminders (the daily task)

REMINDER_CHECKS = {
    # kind: (due field, done field)
    ExclusionReminder.Kind.BOARD: ("board_due", "board_met_on"),
    ExclusionReminder.Kind.IRP_APPLICATION: ("irp_application_due", "irp_applied_on"),
    ExclusionReminder.Kind.IRP_MEETING: ("irp_meeting_due", "irp_decided_on"),
    ExclusionReminder.Kind.RECONSIDERATION: ("reconsideration_due", "reconsidered_on"),
}
REMINDER_LOOKBACK = datetime.timedelta(days=60)  # missed deadlines older than this are on the lists, not reminded


def _reminder_due(exclusion: Exclusion, kind: str):
    """The due date if this deadline is still open, else None."""
    if exclusion.is_cancelled:
        return None
    if kind == ExclusionReminder.Kind.DAY6:
        if not exclusion.day6_duty or (exclusion.provision_from and exclusion.provision_from <= exclusion.day6_date):
            return None
        return exclusion.day6_date
    due_field, done_field = REMINDER_CHECKS[kind]
    if getattr(exclusion, done_field):
        return None
    return getattr(exclusion, due_field)


@transaction.atomic
def exclusion_reminders_refresh(*, today: datetime.date | None = None) -> dict:
    """Create a reminder for every open deadline due within two school days (or already missed) and for missing
    day-6 provision; resolve reminders whose deadline has been met. Safe to run any number of times."""
    today = today or _today()
    horizon = today + datetime.timedelta(days=14)  # two school days are never more than a holiday away
    since = today - REMINDER_LOOKBACK
    window = Q(day6_date__range=(since, horizon), provision_from__isnull=True) | Q(
        day6_date__range=(since, horizon), provision_from__gt=F("day6_date"))
    for due_field, done_field in REMINDER_CHECKS.values():
        window |= Q(**{f"{due_field}__range": (since, horizon), f"{done_field}__isnull": True})
    candidates = list(Exclusion.objects.filter(cancelled_on__isnull=True).filter(window)
                      .select_related("pupil", "school"))
    soon_by_school: dict[int, datetime.date] = {}
    new = []
    for exclusion in candidates:
        if exclusion.school_id not in soon_by_school:
            try:
                soon_by_school[exclusion.school_id] = add_school_days(
                    today, rules.REMINDER_WINDOW_SCHOOL_DAYS, exclusion.school)
            except CalendarMissing:
                soon_by_school[exclusion.school_id] = today
        soon = soon_by_school[exclusion.school_id]
        for kind, label in ExclusionReminder.Kind.choices:
            due = _reminder_due(exclusion, kind)
            if due is None or due > soon or due < since:
                continue
            state = "was due" if due < today else "is due"
            what = ("no provision recorded from the 6th school day" if kind == ExclusionReminder.Kind.DAY6
                    else label.lower())
            new.append(ExclusionReminder(
                exclusion=exclusion, kind=kind, due=due, created_on=today,
                message=(f"{exclusion.pupil.display_name} ({exclusion.school}): {what}; {state} "
                         f"{due:%-d %B %Y}.")[:300]))
    ExclusionReminder.objects.bulk_create(new, ignore_conflicts=True)
    met = [reminder.pk for reminder in ExclusionReminder.objects.filter(resolved_on__isnull=True)
           .select_related("exclusion") if _reminder_due(reminder.exclusion, reminder.kind) != reminder.due]
    resolved = ExclusionReminder.objects.filter(pk__in=met).update(resolved_on=today)
    return {"candidates": len(candidates), "open": ExclusionReminder.objects.filter(
        resolved_on__isnull=True).count(), "resolved": resolved}


# ---------------------------------------------------------------------------------------------------------------
# Placements (day-6 and other provision)

PLACEMENT_FIELDS = frozenset({"exclusion", "arranged_by", "commissioning_school", "provider_kind", "ap_provider",
                              "host_school", "provider_name", "hours_per_week", "start_date", "end_date", "notes"})


def _refresh_provision_from(exclusion: Exclusion | None) -> None:
    if exclusion is None:
        return
    first = exclusion.placements.aggregate(first=Min("start_date"))["first"]
    Exclusion.objects.filter(pk=exclusion.pk).update(provision_from=first)
    exclusion.provision_from = first


@transaction.atomic
def placement_record(*, user, pupil: Pupil, **fields) -> Placement:
    """Record provision: the LA's (any LA editor) or a school's (that school's users, or the LA on its behalf)."""
    require(user, Capability.RECORD_PROVISION)
    reject_unknown_fields(fields, PLACEMENT_FIELDS)
    placement = Placement(pupil=pupil, created_by=user, **fields)
    errors = {}
    la_user = is_la_user(user)
    if not la_user:
        if placement.arranged_by != Placement.ArrangedBy.SCHOOL:
            errors["arranged_by"] = "A school records the provision it arranges; the LA records its own."
        if placement.commissioning_school is None:
            placement.commissioning_school = user.schools.order_by("name").first()
    if placement.arranged_by == Placement.ArrangedBy.SCHOOL and placement.commissioning_school is None:
        errors["commissioning_school"] = "Choose the school that arranged the provision."
    if placement.arranged_by == Placement.ArrangedBy.LA:
        placement.commissioning_school = None
    kind = placement.provider_kind
    if kind == Placement.ProviderKind.AP and placement.ap_provider is None:
        errors["ap_provider"] = "Choose the alternative provision provider."
    if kind == Placement.ProviderKind.SCHOOL and placement.host_school is None:
        errors["host_school"] = "Choose the school providing the education."
    if kind == Placement.ProviderKind.OTHER and not placement.provider_name.strip():
        errors["provider_name"] = "Name the provider."
    exclusion = placement.exclusion
    if exclusion is not None:
        if exclusion.pupil_id != pupil.pk:
            errors["exclusion"] = "That exclusion is another pupil's."
        elif exclusion.is_cancelled:
            errors["exclusion"] = "That exclusion was cancelled."
        elif placement.start_date and placement.start_date < exclusion.start_date:
            errors["start_date"] = "Provision for an exclusion starts on or after the exclusion's first day."
    if errors:
        raise ValidationError(errors)
    _check_own_school(user, placement.commissioning_school, "commissioning_school")
    placement.full_clean()
    placement.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=placement)
    _refresh_provision_from(exclusion)
    return placement


@transaction.atomic
def placement_end(*, user, placement: Placement, end_date: datetime.date) -> Placement:
    require(user, Capability.RECORD_PROVISION)
    before = snapshot(placement)
    placement.end_date = end_date
    placement.full_clean()
    placement.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=placement, before=before)
    return placement


# ---------------------------------------------------------------------------------------------------------------
# Part-time timetables


@transaction.atomic
def part_time_record(*, user, pupil: Pupil, school: School, start_date: datetime.date,
                     planned_end_date: datetime.date, hours_per_week: Decimal, reason: str,
                     parent_agreed_on: datetime.date, reason_detail: str = "",
                     la_notified_on: datetime.date | None = None,
                     next_review_date: datetime.date | None = None) -> PartTimeTimetable:
    """A school notifies a part-time timetable: agreed with the parent, time-limited, reviewed (WT2024)."""
    require(user, Capability.RECORD_PROVISION)
    _check_own_school(user, school)
    errors = {}
    if hours_per_week is not None and hours_per_week >= max(rules.FULL_TIME_HOURS.values()):
        errors["hours_per_week"] = (f"{_fmt(hours_per_week)} hours a week is full time (25 hours or more): a "
                                    "part-time timetable has fewer.")
    if planned_end_date and start_date and planned_end_date <= start_date:
        errors["planned_end_date"] = "The planned end must be after the start: part-time timetables are time-limited."
    if parent_agreed_on and start_date and parent_agreed_on > start_date:
        errors["parent_agreed_on"] = "The parent must agree before the timetable starts."
    if la_notified_on and la_notified_on > _today():
        errors["la_notified_on"] = "The date the LA was notified cannot be in the future."
    if errors:
        raise ValidationError(errors)
    _require_on_roll(pupil, school, start_date, "start_date")
    if next_review_date is None:
        try:
            next_review_date = add_school_days(start_date, rules.PART_TIME_REVIEW_INTERVAL_SCHOOL_DAYS, school)
        except CalendarMissing as error:
            raise _calendar_error(error) from error
    timetable = PartTimeTimetable(
        pupil=pupil, school=school, start_date=start_date, planned_end_date=planned_end_date,
        hours_per_week=hours_per_week, reason=reason, reason_detail=reason_detail,
        parent_agreed_on=parent_agreed_on, la_notified_on=la_notified_on, next_review_date=next_review_date,
        created_by=user)
    timetable.full_clean()
    if next_review_date < start_date:
        raise ValidationError({"next_review_date": "The first review comes after the start."})
    clash = PartTimeTimetable.objects.filter(
        pupil=pupil, school=school, start_date__lte=planned_end_date).filter(
        Q(ended_on__isnull=True, planned_end_date__gte=start_date) | Q(ended_on__gte=start_date)).first()
    if clash:
        raise ValidationError({"start_date": f"This overlaps the pupil's part-time timetable from "
                                             f"{clash.start_date:%-d %B %Y}: review or end that one instead."})
    timetable.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=timetable)
    return timetable


@transaction.atomic
def part_time_review_record(*, user, timetable: PartTimeTimetable, reviewed_on: datetime.date, outcome: str,
                            notes: str = "", next_review_date: datetime.date | None = None,
                            new_planned_end_date: datetime.date | None = None) -> PartTimeReview:
    require(user, Capability.RECORD_PROVISION)
    if timetable.ended_on:
        raise ValidationError("This timetable has ended.")
    errors = {}
    if reviewed_on < timetable.start_date:
        errors["reviewed_on"] = "The review comes after the timetable starts."
    elif reviewed_on > _today():
        errors["reviewed_on"] = "The review date cannot be in the future."
    Outcome = PartTimeReview.Outcome
    if outcome != Outcome.END and (next_review_date is None or next_review_date <= reviewed_on):
        errors["next_review_date"] = "Set the next review date, after this review."
    if outcome == Outcome.EXTEND and (new_planned_end_date is None or new_planned_end_date <= reviewed_on):
        errors["new_planned_end_date"] = "Give the new planned end date, after this review."
    if errors:
        raise ValidationError(errors)
    before = snapshot(timetable)
    review = PartTimeReview(timetable=timetable, reviewed_on=reviewed_on, outcome=outcome, notes=notes,
                            created_by=user)
    review.full_clean()
    review.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=review, pupil_id=timetable.pupil_id)
    if outcome == Outcome.END:
        timetable.ended_on = reviewed_on
        timetable.end_reason = "Ended at review"
    else:
        timetable.next_review_date = next_review_date
        if outcome == Outcome.EXTEND:
            timetable.planned_end_date = new_planned_end_date
    timetable.full_clean()
    timetable.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=timetable, before=before)
    return review


# ---------------------------------------------------------------------------------------------------------------
# Managed moves


@transaction.atomic
def managed_move_record(*, user, pupil: Pupil, from_school: School, to_school: School, agreed_on: datetime.date,
                        start_date: datetime.date, review_date: datetime.date | None = None,
                        notes: str = "") -> ManagedMove:
    require(user, Capability.RECORD_PROVISION)
    if not is_la_user(user) and not user.schools.filter(pk__in=[from_school.pk, to_school.pk]).exists():
        raise ValidationError({"from_school": "You can record a managed move to or from your own school only."})
    if agreed_on > start_date:
        raise ValidationError({"agreed_on": "Everyone, parents included, agrees before the move starts."})
    if review_date and review_date <= start_date:
        raise ValidationError({"review_date": "The review comes after the move starts."})
    _require_on_roll(pupil, from_school, start_date, "start_date")
    move = ManagedMove(pupil=pupil, from_school=from_school, to_school=to_school, agreed_on=agreed_on,
                       start_date=start_date, review_date=review_date, notes=notes, created_by=user)
    move.full_clean()
    move.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=move)
    return move


@transaction.atomic
def managed_move_outcome(*, user, move: ManagedMove, outcome: str, outcome_on: datetime.date,
                         notes: str = "") -> ManagedMove:
    require(user, Capability.RECORD_PROVISION)
    if move.outcome != ManagedMove.Outcome.IN_PROGRESS:
        on = f", {move.outcome_on:%-d %B %Y}" if move.outcome_on else ""
        raise ValidationError({"outcome": f"The move's outcome was already recorded ({move.get_outcome_display()}"
                                          f"{on})."})
    if outcome == ManagedMove.Outcome.IN_PROGRESS:
        raise ValidationError({"outcome": "Choose how the move ended."})
    if outcome_on < move.start_date:
        raise ValidationError({"outcome_on": "The outcome comes after the move starts."})
    before = snapshot(move)
    move.outcome, move.outcome_on = outcome, outcome_on
    if notes:
        move.notes = f"{move.notes}\n{notes}".strip()
    move.full_clean()
    move.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=move, before=before)
    return move


# ---------------------------------------------------------------------------------------------------------------
# LA registers: AP providers, Fair Access, CME, CNIS


@transaction.atomic
def ap_provider_create(*, user, **fields) -> APProvider:
    require(user, Capability.MANAGE_LA_REGISTERS)
    provider = APProvider(**fields)
    provider.full_clean()
    provider.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=provider)
    return provider


@transaction.atomic
def fair_access_refer(*, user, pupil: Pupil, category: str, referred_on: datetime.date,
                      out_of_school_since: datetime.date, panel=None, notes: str = "") -> FairAccessReferral:
    require(user, Capability.MANAGE_LA_REGISTERS)
    if out_of_school_since > referred_on:
        raise ValidationError({"out_of_school_since": "The child was out of school before (or when) referred."})
    try:
        due = add_school_days(referred_on, rules.FAIR_ACCESS_ALLOCATION_SCHOOL_DAYS, None)
    except CalendarMissing as error:
        raise ValidationError({"referred_on": str(error)}) from error
    referral = FairAccessReferral(pupil=pupil, category=category, referred_on=referred_on,
                                  out_of_school_since=out_of_school_since, panel=panel, notes=notes,
                                  allocation_due=due, created_by=user)
    referral.full_clean()
    referral.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=referral)
    return referral


@transaction.atomic
def fair_access_allocate(*, user, referral: FairAccessReferral, allocated_school: School,
                         allocated_on: datetime.date, placed_on: datetime.date | None = None) -> FairAccessReferral:
    require(user, Capability.MANAGE_LA_REGISTERS)
    if allocated_on < referral.referred_on:
        raise ValidationError({"allocated_on": "A place is allocated after the referral."})
    if placed_on and placed_on < allocated_on:
        raise ValidationError({"placed_on": "The child starts after the place is allocated."})
    before = snapshot(referral)
    referral.allocated_school, referral.allocated_on, referral.placed_on = allocated_school, allocated_on, placed_on
    referral.days_without_placement = (
        school_days_between(referral.out_of_school_since, placed_on - datetime.timedelta(days=1), None)
        if placed_on else None)
    referral.full_clean()
    referral.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=referral, before=before)
    return referral


@transaction.atomic
def cme_record(*, user, reason: str, referred_on: datetime.date, pupil: Pupil | None = None, child_name: str = "",
               date_of_birth=None, address: str = "", referring_school: School | None = None,
               referral_source: str = "", last_attended_on=None, officer=None) -> CMERecord:
    require(user, Capability.MANAGE_LA_REGISTERS)
    if last_attended_on and last_attended_on > referred_on:
        raise ValidationError({"last_attended_on": "The child last attended before the referral."})
    record = CMERecord(pupil=pupil, child_name=child_name, date_of_birth=date_of_birth, address=address,
                       referred_on=referred_on, referring_school=referring_school, referral_source=referral_source,
                       reason=reason, last_attended_on=last_attended_on, officer=officer, created_by=user)
    record.full_clean()
    record.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=record)
    return record


@transaction.atomic
def cme_enquiry_add(*, user, record: CMERecord, made_on: datetime.date, method: str, result: str) -> CMEEnquiry:
    require(user, Capability.MANAGE_LA_REGISTERS)
    if made_on < record.referred_on:
        raise ValidationError({"made_on": "Enquiries follow the referral."})
    if made_on > _today():
        raise ValidationError({"made_on": "The date cannot be in the future."})
    enquiry = CMEEnquiry(record=record, made_on=made_on, method=method, result=result, created_by=user)
    enquiry.full_clean()
    enquiry.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=enquiry, pupil_id=record.pupil_id)
    return enquiry


@transaction.atomic
def cme_close(*, user, record: CMERecord, outcome: str, outcome_on: datetime.date, notes: str = "") -> CMERecord:
    require(user, Capability.MANAGE_LA_REGISTERS)
    if outcome == CMERecord.Outcome.OPEN:
        raise ValidationError({"outcome": "Choose the outcome."})
    if outcome_on < record.referred_on:
        raise ValidationError({"outcome_on": "The outcome comes after the referral."})
    if outcome == CMERecord.Outcome.NOT_FOUND and not record.enquiries.exists():
        raise ValidationError({"outcome": "Record the enquiries made before closing as not found."})
    before = snapshot(record)
    record.outcome, record.outcome_on, record.outcome_notes = outcome, outcome_on, notes
    record.full_clean()
    record.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=record, before=before)
    return record


class RegisterNotInForce(PermissionDenied):
    """The CNIS register's duties are not yet commenced (CWSA 2026 s38): off unless CNIS_REGISTER_ENABLED."""


def cnis_enabled() -> bool:
    return bool(getattr(settings, "CNIS_REGISTER_ENABLED", False))


@transaction.atomic
def cnis_register(*, user, category: str, parent_names: str, registered_on: datetime.date, pupil=None,
                  child_name: str = "", date_of_birth=None, address: str = "", parent_contact: str = "",
                  education_providers: str = "", home_visit_requested_on=None,
                  support_offered: str = "") -> ChildNotInSchool:
    if not cnis_enabled():
        raise RegisterNotInForce("The Children Not in School register is not in force (CNIS_REGISTER_ENABLED).")
    require(user, Capability.MANAGE_LA_REGISTERS)
    entry = ChildNotInSchool(pupil=pupil, child_name=child_name, date_of_birth=date_of_birth, address=address,
                             category=category, parent_names=parent_names, parent_contact=parent_contact,
                             education_providers=education_providers, registered_on=registered_on,
                             home_visit_requested_on=home_visit_requested_on, support_offered=support_offered,
                             created_by=user)
    entry.full_clean()
    entry.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=entry)
    return entry

