"""Attendance figures for pages, exports and the API. Every function takes the user and reads only the enrolments
(registers) that user may see; every figure comes with the Period it covers, named on screen.

Term and whole-year figures come from the stored summaries; rolling and custom periods aggregate the marks in SQL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from schools.attendance_codes import (
    PERSISTENT_ABSENCE_RATE,
    PN_THRESHOLD_SESSIONS,
    PN_THRESHOLD_WINDOW_SCHOOL_WEEKS,
    SEVERE_ABSENCE_RATE,
    Category,
    absence_rate,
    is_persistent,
    is_severe,
)
from schools.attendance_engine import at_least_sql
from schools.models import AcademicYear, AttendanceMark, AttendanceSummary, Enrolment, Term

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
                   end: datetime.date | None = None) -> Period:
    """The period a request asks for (?period=…, or custom dates); the year to date when it names none."""
    if start and end:
        if end < start:
            start, end = end, start
        return Period("custom", f"{start:%d %B %Y} to {end:%d %B %Y}", start, end)
    periods = available_periods(today)
    by_key = {p.key: p for p in periods}
    if key in by_key:
        return by_key[key]
    default = next((p for p in periods if p.key.startswith("year-")), None)
    return default or periods[-1]


# Conditional counts shared by every aggregate over marks.
def _sessions(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField()))


MARK_COUNTS = {
    "possible": _sessions(~Q(category=Category.NOT_COUNTED)),
    "present": _sessions(Q(category=Category.PRESENT)),
    "aea": _sessions(Q(category=Category.AEA)),
    "authorised": _sessions(Q(category=Category.AUTHORISED)),
    "unauthorised": _sessions(Q(category=Category.UNAUTHORISED)),
    "late": _sessions(Q(is_late=True)),
    "pn_sessions": _sessions(Q(counts_pn=True)),
}
COUNT_FIELDS = list(MARK_COUNTS)


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


def marks_in(user, period: Period):
    return AttendanceMark.objects.visible_to(user).filter(date__range=(period.start, period.end))


def _for_period(summaries, period: Period):
    """Summary rows for a stored period. A term period means that term of that year at every school, so a school on
    its own term dates (an academy) is counted under its own autumn term when the period is the LA's autumn term."""
    if period.term:
        return summaries.filter(term__name=period.term.name, term__academic_year=period.term.academic_year_id)
    return summaries.filter(academic_year=period.academic_year, term__isnull=True)


def enrolment_figures(user, period: Period, enrolments=None):
    """Per-enrolment figures for a period as a queryset of dicts: enrolment_id plus the count fields.

    Summarised periods read the stored rows; others aggregate marks with one GROUP BY."""
    if period.summarised:
        rows = _for_period(AttendanceSummary.objects.visible_to(user), period)
        if enrolments is not None:
            rows = rows.filter(enrolment__in=enrolments)
        return rows.values("enrolment_id", *COUNT_FIELDS)
    marks = marks_in(user, period)
    if enrolments is not None:
        marks = marks.filter(enrolment__in=enrolments)
    return marks.values("enrolment_id").annotate(**MARK_COUNTS).order_by()


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


def pupil_rows(user, period: Period, enrolments):
    """Enrolments annotated with the period's counts, for pupil lists (PA/SA lists, drill-down)."""
    if period.summarised:
        summaries = _for_period(AttendanceSummary.objects.filter(enrolment=OuterRef("pk")), period)
        annotations = {name: Coalesce(Subquery(summaries.values(name)[:1]), 0) for name in COUNT_FIELDS}
    else:
        marks = AttendanceMark.objects.filter(enrolment=OuterRef("pk"), date__range=(period.start, period.end))
        annotations = {
            name: Coalesce(Subquery(marks.order_by().values("enrolment").annotate(n=expr).values("n")), 0)
            for name, expr in MARK_COUNTS.items()
        }
    return enrolments.annotate(**annotations).select_related("pupil", "school")


def at_or_above(rows, rate):
    """Keep rows whose absence is at least ``rate`` of possible sessions, compared exactly in whole numbers."""
    numerator, denominator = rate.as_integer_ratio()
    return rows.filter(possible__gt=0).alias(
        absent_scaled=(F("authorised") + F("unauthorised")) * denominator,
        possible_scaled=F("possible") * numerator,
    ).filter(absent_scaled__gte=F("possible_scaled"))


# Grouping for the LA overview: key → (GROUP BY expression, label expression).
GROUPINGS = {"school": ("s.id", "MIN(s.name)"), "phase": ("s.phase", "s.phase"), "partnership": ("p.name", "p.name")}


def totals_by(user, period: Period, group: str) -> list[dict]:
    """The LA overview table: one GROUP BY over the per-enrolment figures, by school, phase or partnership."""
    from schools.models import Partnership, School

    inner_sql, params = enrolment_figures(user, period).query.sql_with_params()
    key, label_sql = GROUPINGS[group]
    sql = f"""
        SELECT {label_sql}, MIN(s.urn), {_sums_sql("pe")}
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
    for label, urn, *values in result:
        figures, pa, sa = _figures_from(values)
        table.append({"label": phases.get(label, label) if group == "phase" else (label or "No partnership"),
                      "urn": urn if group == "school" else None, "total": figures, "pa": pa, "sa": sa})
    return table


@dataclass(frozen=True)
class PnWindow:
    enrolment_id: int
    sessions: int
    window_start: datetime.date
    window_end: datetime.date


def pn_threshold_windows(user, period: Period, school=None) -> list[PnWindow]:
    """Enrolments with at least 10 G/N/O/U sessions within a rolling 10 school weeks inside the period.

    A school week is a week in which the pupil had at least one session at that school (a mark other than "#", the
    planned-closure code), so the window stretches over holidays and may span terms and years. For each enrolment the
    first window that met the threshold is returned (its start and end weeks and its sessions).
    """
    scope = Enrolment.objects.visible_to(user)
    if school is not None:
        scope = scope.filter(school=school)
    scope_sql, scope_params = scope.values("pk").query.sql_with_params()
    table = AttendanceMark._meta.db_table
    span = PN_THRESHOLD_WINDOW_SCHOOL_WEEKS - 1
    sql = f"""
        WITH weeks AS (
            SELECT enrolment_id, week_start, SUM(CASE WHEN counts_pn THEN 1 ELSE 0 END) AS pn
            FROM {table}
            WHERE date BETWEEN %s AND %s AND code <> '#' AND enrolment_id IN ({scope_sql})
            GROUP BY enrolment_id, week_start
        ), windows AS (
            SELECT enrolment_id, week_start,
                   SUM(pn) OVER w AS pn_in_window, MIN(week_start) OVER w AS window_start
            FROM weeks
            WINDOW w AS (PARTITION BY enrolment_id ORDER BY week_start ROWS BETWEEN {span} PRECEDING AND CURRENT ROW)
        ), first_met AS (
            SELECT enrolment_id, MIN(week_start) AS window_end FROM windows
            WHERE pn_in_window >= %s GROUP BY enrolment_id
        )
        SELECT w.enrolment_id, w.pn_in_window, w.window_start, w.week_start
        FROM windows w JOIN first_met f ON f.enrolment_id = w.enrolment_id AND f.window_end = w.week_start
        ORDER BY w.enrolment_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.start, period.end, *scope_params, PN_THRESHOLD_SESSIONS])
        rows = cursor.fetchall()
    return [PnWindow(enrolment_id, sessions, _as_date(start), _as_date(end)) for enrolment_id, sessions, start, end
            in rows]


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def pn_sessions_in_window(user, window: PnWindow):
    """The marks that met the threshold, for the list's "show sessions" detail."""
    return (AttendanceMark.objects.visible_to(user)
            .filter(enrolment_id=window.enrolment_id, counts_pn=True,
                    week_start__range=(window.window_start, window.window_end))
            .order_by("date", "session"))


def weekly_trend(user, period: Period, enrolments):
    """(week_start, possible, attended) per week, for the trend chart."""
    return (marks_in(user, period).filter(enrolment__in=enrolments).values("week_start")
            .annotate(possible=MARK_COUNTS["possible"],
                      attended=_sessions(Q(category__in=[Category.PRESENT, Category.AEA])))
            .order_by("week_start"))


def code_breakdown(user, period: Period, enrolments):
    return (marks_in(user, period).filter(enrolment__in=enrolments).values("code")
            .annotate(sessions=Count("pk")).order_by("-sessions", "code"))
