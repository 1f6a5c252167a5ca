"""Attendance figures for pages, exports and the API. Every function takes the user and reads only the enrolments
(registers) that user may see; every figure comes with the Period it covers, named on screen.

Term and whole-year figures come from the stored summaries; rolling and custom periods sum the week rows in SQL
(schools.attendance.weeks), counting only the sessions inside the period in the weeks it starts and ends in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, F, FilteredRelation, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Substr
from django.db.models.lookups import In
from django.shortcuts import get_object_or_404

from schools.attendance import weeks as week_rows
from schools.attendance.codes import (
    CODES,
    PERSISTENT_ABSENCE_RATE,
    PN_THRESHOLD_SESSIONS,
    PN_THRESHOLD_WINDOW_SCHOOL_WEEKS,
    SEVERE_ABSENCE_RATE,
    Category,
    absence_rate,
    is_persistent,
    is_severe,
)
from schools.attendance.engine import at_least_sql
from schools.models import (
    AcademicYear,
    AttendanceImport,
    AttendanceSummary,
    AttendanceWeek,
    CtfReviewItem,
    Enrolment,
    Term,
)
from schools.scoping import is_la_user

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A named span of dates. ``term`` or ``academic_year`` is set when stored summaries cover it exactly."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date
    term: Term | None = None
    academic_year: AcademicYear | None = None

    @property
    def summarised(self) -> bool:
        return self.term is not None or self.academic_year is not None


def current_academic_year(today: datetime.date) -> AcademicYear | None:
    return (AcademicYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
            or AcademicYear.objects.filter(start_date__lte=today).order_by("-start_date").first())


def available_periods(today: datetime.date) -> list[Period]:
    """The periods a user can pick: each LA term of this year, the year to date, and the last 4 and 10 weeks."""
    year = current_academic_year(today)
    periods: list[Period] = []
    if year is not None:
        for term in year.terms.filter(school__isnull=True).order_by("start_date"):
            if term.start_date <= today:
                periods.append(Period(f"term-{term.pk}", f"{term.get_name_display()} term {year.name}",
                                      term.start_date, term.end_date, term=term))
        periods.append(Period(f"year-{year.pk}", f"{year.name} year to date", year.start_date, today,
                              academic_year=year))
    for weeks in (4, 10):
        periods.append(Period(f"rolling-{weeks}", f"Last {weeks} weeks (to {today:%d %B %Y})",
                              today - datetime.timedelta(weeks=weeks) + ONE_DAY, today))
    return periods


def resolve_period(key: str | None, today: datetime.date, start: datetime.date | None = None,
                   end: datetime.date | None = None, *, periods: list[Period] | None = None) -> Period:
    """The attendance period a request asks for: custom dates (either order), else a key the period picker offers
    (available_periods), else the year to date. A key it does not offer (an old link) also gives the year to date:
    every page, export and API response names the period it shows, so the fallback is never silent. (Reports read
    theirs with reporting.selectors.report_period_for, which compares with a previous period.)"""
    if start and end:
        if end < start:
            start, end = end, start
        return Period("custom", f"{start:%d %B %Y} to {end:%d %B %Y}", start, end)
    periods = available_periods(today) if periods is None else periods
    by_key = {p.key: p for p in periods}
    if key in by_key:
        return by_key[key]
    default = next((p for p in periods if p.key.startswith("year-")), None)
    return default or periods[-1]


COUNT_FIELDS = ["possible", "present", "aea", "authorised", "unauthorised", "late", "pn_sessions"]
_COUNTED_BY = {  # which codes a count field counts, per regime (schools.attendance.codes is the only source)
    "possible": lambda c: c.category != Category.NOT_COUNTED,
    "present": lambda c: c.category == Category.PRESENT,
    "aea": lambda c: c.category == Category.AEA,
    "authorised": lambda c: c.category == Category.AUTHORISED,
    "unauthorised": lambda c: c.category == Category.UNAUTHORISED,
    "late": lambda c: c.is_late,
    "pn_sessions": lambda c: c.pn_threshold,
}


def _slots_counting(name: str, monday: datetime.date, slots: list[int]):
    """SQL for how many of these slots of a week row hold a mark the count field counts."""
    table = CODES[week_rows.regime_of_week(monday)]
    padded = [week_rows.pad(code) for code, meaning in table.items() if _COUNTED_BY[name](meaning)]
    if not slots or not padded:
        return Value(0)
    terms = [Case(When(In(Substr("marks", 2 * slot + 1, 2), padded), then=Value(1)), default=Value(0),
                  output_field=IntegerField()) for slot in slots]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _inside(monday: datetime.date, start: datetime.date, end: datetime.date) -> list[int]:
    return [slot for slot in range(week_rows.SLOTS) if start <= week_rows.slot_date(monday, slot) <= end]


def week_counts(start: datetime.date, end: datetime.date) -> dict[str, Sum]:
    """Per count field, the SUM over week rows of the sessions between two dates: a week wholly inside adds its
    stored count; the first and last weeks, when the period cuts them, add only their slots inside it."""
    first, last = week_rows.week_start(start), week_rows.week_start(end)
    edges = [monday for monday in {first, last} if len(_inside(monday, start, end)) < week_rows.SLOTS]
    result = {}
    for name in COUNT_FIELDS:
        whens = [When(week_start=monday, then=_slots_counting(name, monday, _inside(monday, start, end)))
                 for monday in edges]
        value = Case(*whens, default=F(name), output_field=IntegerField()) if whens else F(name)
        result[name] = Sum(value)
    return result


def _weeks_in(queryset, start: datetime.date, end: datetime.date):
    return queryset.filter(week_start__range=(week_rows.week_start(start), end))


@dataclass
class Figures:
    possible: int = 0
    present: int = 0
    aea: int = 0
    authorised: int = 0
    unauthorised: int = 0
    late: int = 0
    pn_sessions: int = 0

    @classmethod
    def from_row(cls, row: dict) -> Figures:
        return cls(**{name: row.get(name) or 0 for name in COUNT_FIELDS})

    @property
    def attended(self) -> int:
        return self.present + self.aea

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    def rate(self, part: int):
        return absence_rate(self.possible, part)

    @property
    def absence_rate(self):
        return absence_rate(self.possible, self.absent)

    @property
    def authorised_rate(self):
        return absence_rate(self.possible, self.authorised)

    @property
    def unauthorised_rate(self):
        return absence_rate(self.possible, self.unauthorised)

    @property
    def attendance_rate(self):
        return absence_rate(self.possible, self.attended)

    @property
    def persistent(self) -> bool:
        return is_persistent(self.possible, self.absent)

    @property
    def severe(self) -> bool:
        return is_severe(self.possible, self.absent)


def visible_enrolments(user):
    return Enrolment.objects.visible_to(user)


def weeks_in(user, period: Period):
    """The week rows the user may see that the period touches."""
    return _weeks_in(AttendanceWeek.objects.visible_to(user), period.start, period.end)


def register(user, period: Period, enrolments) -> list[week_rows.StoredMark]:
    """Every mark of these enrolments in the period, in date and session order (a pupil's register calendar)."""
    rows = weeks_in(user, period).filter(enrolment__in=enrolments).order_by("week_start", "enrolment_id")
    marks = [mark for enrolment_id, monday, stored in rows.values_list("enrolment_id", "week_start", "marks")
             for mark in week_rows.decode(enrolment_id, monday, stored)]
    return sorted((m for m in marks if period.start <= m.date <= period.end), key=lambda m: (m.date, m.session))


def _for_period(summaries, period: Period):
    """Summary rows for a stored period. A term period means that term of that year at every school, so a school on
    its own term dates (an academy) is counted under its own autumn term when the period is the LA's autumn term."""
    if period.term:
        return summaries.filter(term__name=period.term.name, term__academic_year=period.term.academic_year_id)
    return summaries.filter(academic_year=period.academic_year, term__isnull=True)


def enrolment_figures(user, period: Period, enrolments=None):
    """Per-enrolment figures for a period as a queryset of dicts: enrolment_id plus the count fields.

    Summarised periods read the stored rows; others sum the week rows with one GROUP BY."""
    if period.summarised:
        rows = _for_period(AttendanceSummary.objects.visible_to(user), period)
        if enrolments is not None:
            rows = rows.filter(enrolment__in=enrolments)
        return rows.values("enrolment_id", *COUNT_FIELDS)
    rows = weeks_in(user, period)
    if enrolments is not None:
        rows = rows.filter(enrolment__in=enrolments)
    return rows.values("enrolment_id").annotate(**week_counts(period.start, period.end)).order_by()


def _sums_sql(alias: str) -> str:
    """SUM of every count column of a per-enrolment subquery, then how many of its rows are PA and SA."""
    absent, possible = f"({alias}.authorised + {alias}.unauthorised)", f"{alias}.possible"
    sums = ", ".join(f"SUM({alias}.{name})" for name in COUNT_FIELDS)
    return (f"{sums}, SUM(CASE WHEN {at_least_sql(PERSISTENT_ABSENCE_RATE, absent=absent, possible=possible)} "
            f"THEN 1 ELSE 0 END), SUM(CASE WHEN {at_least_sql(SEVERE_ABSENCE_RATE, absent=absent, possible=possible)}"
            f" THEN 1 ELSE 0 END)")


def _figures_from(values) -> tuple[Figures, int, int]:
    *counts, pa, sa = values
    return (Figures(**{name: int(v or 0) for name, v in zip(COUNT_FIELDS, counts, strict=True)}),
            int(pa or 0), int(sa or 0))


def totals(user, period: Period, enrolments=None) -> tuple[Figures, int, int]:
    """(figures over all the enrolments, how many are persistently absent, how many severely), in one SQL statement
    wrapped around the per-enrolment aggregate, so a 250,000-pupil LA is summed by the database."""
    inner_sql, params = enrolment_figures(user, period, enrolments).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_sums_sql('pe')} FROM ({inner_sql}) AS pe", params)
        return _figures_from(cursor.fetchone())


def pupil_rows(user, period: Period, enrolments, fields=COUNT_FIELDS):
    """Enrolments annotated with the period's counts, for pupil lists (PA/SA lists, drill-down). ``fields`` narrows
    the counts to those a caller reads (each is a subquery of its own)."""
    if period.summarised:
        # Each enrolment's stored row for the period joined once (an enrolment has at most one: a year, or the term
        # of that name at its school), rather than a subquery per count per enrolment: an LA-wide list of 250,000
        # enrolments filtered by its figures is one hash join instead of two million lookups.
        if period.term:
            terms = list(Term.objects.filter(name=period.term.name, academic_year=period.term.academic_year_id)
                         .values_list("pk", flat=True))
            condition = Q(attendance_summaries__academic_year=period.term.academic_year_id,
                          attendance_summaries__term__in=terms)
        else:
            condition = Q(attendance_summaries__academic_year=period.academic_year,
                          attendance_summaries__term__isnull=True)
        enrolments = enrolments.annotate(period_summary=FilteredRelation("attendance_summaries", condition=condition))
        annotations = {name: Coalesce(F(f"period_summary__{name}"), 0) for name in fields}
        # The PA and SA flags stored with the counts (worked out by the same rule, engine.at_least_sql): a list of
        # the persistently absent filters on them, by summary_period_pa_idx, instead of on arithmetic over counts.
        annotations |= {"stored_pa": F("period_summary__is_persistent"), "stored_sa": F("period_summary__is_severe")}
    else:
        rows = _weeks_in(AttendanceWeek.objects.filter(enrolment=OuterRef("pk")), period.start, period.end)
        annotations = {
            name: Coalesce(Subquery(rows.order_by().values("enrolment").annotate(n=expr).values("n")), 0)
            for name, expr in week_counts(period.start, period.end).items() if name in fields
        }
    return enrolments.annotate(**annotations).select_related("pupil", "school")


def current_enrolment_counts(user, period: Period, **enrolment_lookups):
    """possible, present and aea for the period on each current enrolment the user may see that had sessions,
    narrowed by ``enrolment_lookups`` (e.g. ``pupil=OuterRef("pupil_id")`` or ``pupil_id__in=ids``), with
    ``pupil_ref`` the pupil's id: the enrolment with the most possible sessions first, then the older one (dual
    registration counts once, by its main enrolment). Summarised periods read the stored rows themselves, so each
    figure is one indexed lookup rather than a subquery per count."""
    if period.summarised:
        rows = (_for_period(AttendanceSummary.objects.visible_to(user), period)
                .filter(enrolment__end_date__isnull=True, possible__gt=0,
                        **{f"enrolment__{lookup}": value for lookup, value in enrolment_lookups.items()})
                .annotate(pupil_ref=F("enrolment__pupil_id")))
        return rows.order_by("-possible", "enrolment_id")
    enrolments = Enrolment.objects.visible_to(user).filter(end_date__isnull=True, **enrolment_lookups)
    rows = (pupil_rows(user, period, enrolments, fields=("possible", "present", "aea")).filter(possible__gt=0)
            .annotate(pupil_ref=F("pupil_id")))
    return rows.order_by("-possible", "pk")


def at_or_above(rows, rate):
    """Keep rows whose absence is at least ``rate`` of possible sessions, compared exactly in whole numbers."""
    numerator, denominator = rate.as_integer_ratio()
    return rows.filter(possible__gt=0).alias(
        absent_scaled=(F("authorised") + F("unauthorised")) * denominator,
        possible_scaled=F("possible") * numerator,
    ).filter(absent_scaled__gte=F("possible_scaled"))


# Grouping for the LA overview: key → (GROUP BY expression, label expression).
GROUPINGS = {"school": ("s.id", "MIN(s.name)"), "phase": ("s.phase", "s.phase"), "partnership": ("p.name", "p.name")}


def totals_by(user, period: Period, group: str, enrolments=None) -> list[dict]:
    """The LA overview table: one GROUP BY over the per-enrolment figures, by school, phase or partnership
    (``enrolments``, when given, narrows it to those rows, e.g. one phase or partnership)."""
    from schools.models import Partnership, School

    inner_sql, params = enrolment_figures(user, period, enrolments).query.sql_with_params()
    key, label_sql = GROUPINGS[group]
    sql = f"""
        SELECT {label_sql}, MIN(s.urn), MIN(s.phase), MIN(p.id), {_sums_sql("pe")}
        FROM ({inner_sql}) AS pe
        JOIN {Enrolment._meta.db_table} e ON e.id = pe.enrolment_id
        JOIN {School._meta.db_table} s ON s.id = e.school_id
        LEFT JOIN {Partnership._meta.db_table} p ON p.id = s.partnership_id
        GROUP BY {key} ORDER BY {label_sql}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    phases = dict(School.Phase.choices)
    table = []
    for label, urn, phase, partnership_id, *values in result:
        figures, pa, sa = _figures_from(values)
        # What a drill-down link filters the pupil list by: the school's URN, the phase, or the partnership's id.
        drill = {"school": {"school": urn}, "phase": {"phase": phase},
                 "partnership": {"partnership": partnership_id} if partnership_id else {}}[group]
        table.append({"label": phases.get(label, label) if group == "phase" else (label or "No partnership"),
                      "urn": urn if group == "school" else None, "drill": drill, "total": figures, "pa": pa,
                      "sa": sa})
    return table


@dataclass(frozen=True)
class PnWindow:
    enrolment_id: int
    sessions: int
    window_start: datetime.date  # Monday of the window's first school week
    window_end: datetime.date  # Monday of the school week in which the threshold was met
    until: datetime.date | None = None  # the period's last day: sessions after it are not counted


#: How far before a period the scan looks for the start of a window that ends inside it: ten school weeks can span
#: a summer holiday and a half term, so half a year of calendar weeks always holds them.
PN_LOOKBACK = datetime.timedelta(weeks=26)


def school_weeks(start: datetime.date, end: datetime.date) -> dict[int, list[datetime.date]]:
    """The Mondays of the weeks in which a school has at least one school day (term time, not half term, not a bank
    holiday, not a closure) between two dates, in order: key 0 for every school on the LA's calendar, a school's id
    for one whose own term dates or closures give it different school weeks in the span (a closed day or two leaves
    the week a school week, so most such schools share the LA's list and are left under key 0, which keeps the
    threshold scan to its fastest plan). Four queries however many schools."""
    from schools.models import Closure
    from schools.school_days import calendars_for

    own = set(Term.objects.filter(start_date__lte=end, end_date__gte=start, school__isnull=False)
              .values_list("school_id", flat=True))
    own |= set(Closure.objects.filter(date__range=(start, end), school__isnull=False)
               .values_list("school_id", flat=True))
    calendars = {key or 0: calendar for key, calendar in calendars_for(own, start, end).items()}
    first = week_rows.week_start(start)
    weeks = {}
    for key, calendar in calendars.items():
        mondays, monday = [], first
        while monday <= end:
            if any(calendar.is_school_day(monday + datetime.timedelta(days=d)) for d in range(5)):
                mondays.append(monday)
            monday += datetime.timedelta(weeks=1)
        weeks[key] = mondays
    return {key: mondays for key, mondays in weeks.items() if key == 0 or mondays != weeks[0]}


def _pn_sql_for_week(monday: datetime.date, until: datetime.date) -> tuple[str, list]:
    """SQL counting a week row's G/N/O/U sessions up to ``until`` (the week the period ends in, cut mid-week)."""
    slots = _inside(monday, monday, until)
    table = CODES[week_rows.regime_of_week(monday)]
    padded = [week_rows.pad(code) for code, meaning in table.items() if meaning.pn_threshold]
    if not slots or not padded:
        return "0", []
    marks = ", ".join(["%s"] * len(padded))
    terms = [f"(CASE WHEN SUBSTR(w.marks, {2 * slot + 1}, 2) IN ({marks}) THEN 1 ELSE 0 END)" for slot in slots]
    return " + ".join(terms), padded * len(slots)


def pn_threshold_windows(user, period: Period, school=None, enrolments=None) -> list[PnWindow]:
    """Enrolments with at least 10 G/N/O/U sessions within a rolling 10 school weeks, met in the period.

    A school week is a week in which the pupil's school has at least one session (school_weeks, from its calendar):
    a week with no marks for the pupil still counts, and holidays do not, so the window spans terms and school years
    (WT2024: the 10 school weeks "can span different terms or school years") and is found whatever period is asked
    for, however early in it the window started. Sessions after the period's last day (a period ending mid-week) do
    not count. For each enrolment the first window that met the threshold in the period is returned.
    ``enrolments`` (a filtered queryset, e.g. from PnThresholdFilterSet) narrows the scan; it never widens the
    user's scope. ``user`` None is the whole authority, for the worklist's kept runs (schools.attendance.threshold).
    """
    scope = Enrolment.objects.all() if user is None else Enrolment.objects.visible_to(user)
    if school is not None:
        scope = scope.filter(school=school)
    if enrolments is not None:
        scope = scope.filter(pk__in=enrolments.values("pk"))
    if school is None and enrolments is None and (user is None or is_la_user(user)):
        scope_sql, scope_params = "", []  # the whole authority: no scope to test each week row against
    else:
        inner, scope_params = scope.values("pk").query.sql_with_params()
        scope_sql = f"AND w.enrolment_id IN ({inner})"
    weeks = school_weeks(period.start - PN_LOOKBACK, period.end)
    first_week, last_week = week_rows.week_start(period.start), week_rows.week_start(period.end)
    # Each school week's ordinal in its calendar: a window is ten consecutive ordinals, whatever lies between.
    date = "DATE '{}'" if connection.vendor == "postgresql" else "'{}'"  # SQLite keeps dates as ISO text
    values = ", ".join(f"({key}, {date.format(monday.isoformat())}, {n})" for key, mondays in weeks.items()
                       for n, monday in enumerate(mondays))
    if not values:
        return []
    own = [key for key in weeks if key]
    if own:  # some schools keep their own term dates: each week row takes its school's calendar
        calendar_of = f"CASE WHEN e.school_id IN ({', '.join(map(str, own))}) THEN e.school_id ELSE 0 END"
        calendar_join = f"JOIN {Enrolment._meta.db_table} e ON e.id = w.enrolment_id"
        calendar_match = f"AND sw.calendar = {calendar_of}"
    else:  # every school on the LA's calendar: no join to find it (the usual case, and the fastest plan)
        calendar_join, calendar_match = "", ""
    last_sql, last_params = _pn_sql_for_week(last_week, period.end)
    span = PN_THRESHOLD_WINDOW_SCHOOL_WEEKS - 1
    table = AttendanceWeek._meta.db_table
    sql = f"""
        WITH school_week(calendar, week_start, n) AS (VALUES {values})
        SELECT enrolment_id, pn_in_window, calendar, n FROM (
            SELECT enrolment_id, pn_in_window, calendar, n,
                   ROW_NUMBER() OVER (PARTITION BY enrolment_id ORDER BY n) AS nth
            FROM (
                SELECT w.enrolment_id, sw.calendar, sw.n, w.week_start,
                       SUM(CASE WHEN w.week_start = %s THEN {last_sql} ELSE w.pn_sessions END) OVER (
                           PARTITION BY w.enrolment_id ORDER BY sw.n
                           RANGE BETWEEN {span} PRECEDING AND CURRENT ROW) AS pn_in_window
                FROM {table} w
                {calendar_join}
                JOIN school_week sw ON sw.week_start = w.week_start {calendar_match}
                WHERE w.week_start BETWEEN %s AND %s {scope_sql}
            ) AS windows
            WHERE pn_in_window >= %s AND week_start >= %s
        ) AS met
        WHERE nth = 1 ORDER BY enrolment_id
    """
    params = [last_week, *last_params, weeks_first(weeks), period.end, *scope_params, PN_THRESHOLD_SESSIONS,
              first_week]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [PnWindow(enrolment_id, sessions, weeks[calendar][max(n - span, 0)], weeks[calendar][n], period.end)
            for enrolment_id, sessions, calendar, n in rows]


def weeks_first(weeks: dict[int, list[datetime.date]]) -> datetime.date:
    return min(mondays[0] for mondays in weeks.values() if mondays)


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def pn_sessions_in_window(user, window: PnWindow) -> list[week_rows.StoredMark]:
    """The marks that met the threshold, for the list's "show sessions" detail."""
    return pn_sessions_for(user, [window])[window.enrolment_id]


def weekly_trend(user, period: Period, enrolments):
    """(week_start, possible, attended) per week, for the trend chart."""
    counts = week_counts(period.start, period.end)
    return (weeks_in(user, period).filter(enrolment__in=enrolments).values("week_start")
            .annotate(possible=counts["possible"], attended=counts["present"] + counts["aea"])
            .order_by("week_start"))


def code_breakdown(user, period: Period, enrolments) -> list[dict]:
    """Sessions per code in the period, most used first (read from the enrolments' week rows)."""
    return code_counts(register(user, period, enrolments))


def code_counts(marks) -> list[dict]:
    """Sessions per code among marks already read (StoredMarks or their dicts), most used first."""
    tally: dict[str, int] = {}
    for mark in marks:
        code = mark["code"] if isinstance(mark, dict) else mark.code
        tally[code] = tally.get(code, 0) + 1
    return [{"code": code, "sessions": n} for code, n in sorted(tally.items(), key=lambda item: (-item[1], item[0]))]


def pn_sessions_for(user, windows: list[PnWindow]) -> dict[int, list[week_rows.StoredMark]]:
    """The sessions that met the threshold for every window in a list: {enrolment_id: marks}, read in one query of
    the windows' week rows (the list's export names every pupil's sessions)."""
    result: dict[int, list[week_rows.StoredMark]] = {window.enrolment_id: [] for window in windows}
    if not windows:
        return result
    by_enrolment = {window.enrolment_id: window for window in windows}
    rows = (AttendanceWeek.objects.visible_to(user)
            .filter(enrolment_id__in=list(by_enrolment),
                    week_start__range=(min(w.window_start for w in windows), max(w.window_end for w in windows)))
            .order_by("enrolment_id", "week_start").values_list("enrolment_id", "week_start", "marks"))
    for enrolment_id, monday, stored in rows:
        window = by_enrolment[enrolment_id]
        if window.window_start <= monday <= window.window_end:
            result[enrolment_id].extend(mark for mark in week_rows.decode(enrolment_id, monday, stored)
                                        if mark.counts_pn and (window.until is None or mark.date <= window.until))
    return result


def import_list_for(user):
    """Imports the user may see (LA staff: all; others: their own uploads), with pupils still waiting for review."""
    imports = AttendanceImport.objects.select_related("job", "uploaded_by").annotate(
        held_pending=Count("review_items", filter=Q(review_items__status=CtfReviewItem.Status.PENDING)),
        held_total=Count("review_items", filter=~Q(review_items__status=CtfReviewItem.Status.SUPERSEDED)))
    if not user.is_la_staff:
        imports = imports.filter(uploaded_by=user)
    return imports


def visible_import(user, pk: int) -> AttendanceImport:
    """One import the user may see, or 404."""
    return get_object_or_404(import_list_for(user), pk=pk)
