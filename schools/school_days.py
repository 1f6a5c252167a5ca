"""School days: the one calendar service every statutory deadline counts with (DESIGN.md, Attendance engine).

A school day is a weekday inside one of the school's terms (its own term dates where it has them for that academic
year, otherwise the LA's), outside half term, that is not an English bank holiday and not a closure day (the LA's
closures apply only to schools on LA term dates; a school's own closures always apply).

Bank holidays come from the ``holidays`` package (England subdivision), so an LA never has to type them in. Its UK
class is imported with this module, not looked up by country code on the first call, so a worker loads the rules
when it starts rather than inside the first register import or deadline it works out (0.06 s).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from django.db.models import Q
from holidays.countries.united_kingdom import UnitedKingdom

from schools.models import Closure, School, Term

ONE_DAY = datetime.timedelta(days=1)
# Deadlines reach at most a school year ahead (the 45-day cap, 50-school-day board reviews); searching further means
# the calendar has no terms entered, which is an error worth reporting rather than looping on.
MAX_SEARCH_DAYS = 800


class CalendarMissing(LookupError):
    """No term dates cover the dates asked about: an admin needs to enter them."""


@cache
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(UnitedKingdom(subdiv="ENG", years=year).keys())


def english_bank_holidays(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Bank holidays in England between two dates inclusive, with their names."""
    result = []
    for year in range(start.year, end.year + 1):
        for day, name in sorted(UnitedKingdom(subdiv="ENG", years=year).items()):
            if start <= day <= end:
                result.append((day, name))
    return result


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


@dataclass(frozen=True)
class SchoolCalendar:
    """Term dates and closures for one school over a date window, loaded with two queries."""

    terms: tuple[tuple[datetime.date, datetime.date, datetime.date | None, datetime.date | None], ...]
    closures: frozenset[datetime.date]

    def is_school_day(self, day: datetime.date) -> bool:
        if day.weekday() >= 5 or day in self.closures or is_bank_holiday(day):
            return False
        for start, end, half_start, half_end in self.terms:
            if start <= day <= end:
                return not (half_start and half_end and half_start <= day <= half_end)
        return False

    def covers(self, day: datetime.date) -> bool:
        return any(start <= day for start, *_ in self.terms) and any(day <= end for _, end, *_ in self.terms)


def load_calendar(school: School | None, start: datetime.date, end: datetime.date) -> SchoolCalendar:
    """The school's calendar between two dates (the LA's when ``school`` is None)."""
    key = school.pk if school is not None else None
    return calendars_for([key] if key is not None else [], start, end)[key]


def calendars_for(school_ids, start: datetime.date, end: datetime.date) -> dict[int | None, SchoolCalendar]:
    """Calendars for many schools at once (None: the LA's), by load_calendar's rules, from two queries: for scans
    over every school (the penalty-notice threshold's school weeks)."""
    school_ids = set(school_ids)
    terms = list(Term.objects.filter(start_date__lte=end, end_date__gte=start)
                 .filter(Q(school__isnull=True) | Q(school_id__in=school_ids)))
    closures = list(Closure.objects.filter(date__range=(start, end))
                    .filter(Q(school__isnull=True) | Q(school_id__in=school_ids)).values_list("school_id", "date"))
    la_terms = [term for term in terms if term.school_id is None]
    la_closures = {day for school_id, day in closures if school_id is None}
    result = {None: SchoolCalendar(
        terms=tuple(sorted((t.start_date, t.end_date, t.half_term_start, t.half_term_end) for t in la_terms)),
        closures=frozenset(la_closures))}
    for school_id in school_ids:
        own = [term for term in terms if term.school_id == school_id]
        own_years = {term.academic_year_id for term in own}
        chosen = own + [term for term in la_terms if term.academic_year_id not in own_years]
        own_days = {day for term in own for day in _days(term.start_date, term.end_date)}
        result[school_id] = SchoolCalendar(
            terms=tuple(sorted((t.start_date, t.end_date, t.half_term_start, t.half_term_end) for t in chosen)),
            closures=frozenset({day for day in la_closures if day not in own_days}
                               | {day for sid, day in closures if sid == school_id}))
    return result


def _days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def _calendar_around(school, day: datetime.date, span_days: int) -> SchoolCalendar:
    start, end = day - datetime.timedelta(days=span_days), day + datetime.timedelta(days=span_days)
    return load_calendar(school, start, end)


def is_school_day(day: datetime.date, school: School | None = None) -> bool:
    return load_calendar(school, day, day).is_school_day(day)


def add_school_days(day: datetime.date, n: int, school: School | None = None) -> datetime.date:
    """The n-th school day after ``day`` (before it when n is negative); ``day`` itself never counts.

    "Within 15 school days of the notice" is ``add_school_days(notice_date, 15, school)``.
    """
    if n == 0:
        return day
    step = ONE_DAY if n > 0 else -ONE_DAY
    calendar = _calendar_around(school, day, MAX_SEARCH_DAYS)
    remaining, current = abs(n), day
    for _ in range(MAX_SEARCH_DAYS):
        current += step
        if calendar.is_school_day(current):
            remaining -= 1
            if remaining == 0:
                return current
    raise CalendarMissing(f"No term dates cover {abs(n)} school days from {day:%d %B %Y}; enter the term dates.")


def nth_school_day_of(start: datetime.date, n: int, school: School | None = None) -> datetime.date:
    """The n-th school day counting ``start`` as day 1 when it is a school day (e.g. "the 6th day of exclusion")."""
    calendar = _calendar_around(school, start, MAX_SEARCH_DAYS)
    counted, current = 0, start
    for _ in range(MAX_SEARCH_DAYS):
        if calendar.is_school_day(current):
            counted += 1
            if counted == n:
                return current
        current += ONE_DAY
    raise CalendarMissing(f"No term dates cover {n} school days from {start:%d %B %Y}; enter the term dates.")


def school_days_between(start: datetime.date, end: datetime.date, school: School | None = None) -> int:
    """School days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    calendar = load_calendar(school, start, end)
    return sum(1 for day in _days(start, end) if calendar.is_school_day(day))


def school_weeks_between(start: datetime.date, end: datetime.date, school: School | None = None) -> float:
    """School weeks (five school days each) from ``start`` to ``end`` inclusive."""
    return school_days_between(start, end, school) / 5


def term_containing(day: datetime.date, school: School | None = None) -> tuple[datetime.date, datetime.date] | None:
    """Start and end of the term (the school's own dates where it has them, else the LA's) that ``day`` falls in.

    "More than 15 school days in a term" (exclusion reviews) totals suspensions inside these bounds.
    """
    calendar = load_calendar(school, day, day)
    for start, end, _half_start, _half_end in calendar.terms:
        if start <= day <= end:
            return start, end
    return None


def academic_year_containing(day: datetime.date):
    """The AcademicYear row covering ``day`` (the 45-day suspension cap counts within one), or None."""
    from schools.models import AcademicYear

    return AcademicYear.objects.filter(start_date__lte=day, end_date__gte=day).first()


# --- The LA's terms (the periods reports, TSMs, traded capacity and invoices are counted in) -------------------------

def la_terms(academic_year=None):
    """The LA's own terms (not a school's own term dates), with their academic year; of one year when given."""
    terms = Term.objects.filter(school__isnull=True).select_related("academic_year")
    return terms.filter(academic_year=academic_year) if academic_year is not None else terms


def la_term_containing(day: datetime.date) -> Term | None:
    return la_terms().filter(start_date__lte=day, end_date__gte=day).first()


def current_la_term(on: datetime.date | None = None, *, between_terms: str = "last") -> Term | None:
    """The LA term running on the day (today by default).

    In a holiday, ``between_terms`` says which term the caller means: ``"last"`` (the last term that started: a
    report or a count of work done) or ``"next"`` (the next term to start: planning officers' time and bookings).
    With no term on that side it is the other side's, so there is a term whenever the LA has entered any.
    """
    from django.utils import timezone

    on = on or timezone.localdate()
    terms = la_terms()
    running = terms.filter(start_date__lte=on, end_date__gte=on).first()
    if running is not None:
        return running
    last = terms.filter(start_date__lte=on).order_by("-start_date").first()
    upcoming = terms.filter(start_date__gt=on).order_by("start_date").first()
    return (upcoming or last) if between_terms == "next" else (last or upcoming)
