"""Every reported figure, set-wise in SQL, for the dashboards, the termly PDF, the exports and the API alike.

Each selector takes a :class:`Scope` (the user, and which of the schools they may see are counted) and a
:class:`ReportPeriod`, and starts from the areas' own scoped querysets (``Model.objects.visible_to(user)``), narrowed
to the scope's schools. Attendance is read through the attendance engine's per-enrolment figures
(schools.attendance.selectors.enrolment_figures) and its one PA/SA test (schools.attendance.engine.at_least_sql); the
provision, legal, casework and traded figures through those areas' selectors and models.

Nothing here loops over pupils or records: each table is one GROUP BY (or one aggregate), whatever the LA's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models import CharField as SqlChar
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from reporting.models import NationalFigure, SchoolLinkOfficer
from schools.attendance import selectors as attendance
from schools.attendance import stages as attendance_stages
from schools.attendance.codes import PERSISTENT_ABSENCE_RATE, SEVERE_ABSENCE_RATE
from schools.attendance.engine import at_least_sql
from schools.common.filters import urn_or_404
from schools.models import AcademicYear, Enrolment, Exclusion, Partnership, Pupil, School, Term
from schools.roles import Capability, Role
from schools.school_days import current_la_term, la_terms
from schools.scoping import is_la_user

ONE_DAY = datetime.timedelta(days=1)
HUNDRED = Decimal(100)


def today() -> datetime.date:
    return timezone.localdate()


# =====================================================================================================================
# Numbers that know what they were worked out from (so small-number suppression can hide a rate built on 1-4 pupils)


@dataclass(frozen=True)
class Rate:
    """``numerator`` as a percentage of ``denominator``, one decimal place, half up; None with no denominator.
    ``pupils``: how many pupils the rate is about, when its terms are not pupils (sessions), for suppression."""

    numerator: int | Decimal
    denominator: int | Decimal
    pupils: int | None = None
    places: int = 1  # exclusion rates of the school population take two (0.10%), as the DfE and seed 000 print them

    @property
    def value(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * HUNDRED / Decimal(self.denominator)).quantize(
            Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    @property
    def small(self) -> bool:
        """Based on 1 to 4 pupils or records (seed 000: "a rate based on less than 5")."""
        if self.pupils is not None:
            return 0 < self.pupils < 5
        return 0 < self.numerator < 5 or 0 < self.denominator < 5


@dataclass(frozen=True)
class Average:
    total: Decimal
    count: int

    @property
    def value(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / self.count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def small(self) -> bool:
        return 0 < self.count < 5


# =====================================================================================================================
# Scope: whose figures


@dataclass(frozen=True)
class Scope:
    """Whose figures a dashboard or report adds up. ``school_ids`` None means every school the user may see (the LA
    for LA roles); otherwise those schools only, always within the user's own scope (``visible_to``)."""

    user: object
    school_ids: tuple[int, ...] | None
    label: str
    kind: str  # "la", "partnership", "school", "mine" (an officer's schools), "own" (a school user's schools)
    # LA-only sections (legal records, AP, Fair Access, caseloads, traded income) are shown: the reader is LA staff.
    # A school's termly report is made for the school to read, so it is False there even when LA staff make it.
    la_audience: bool
    school: School | None = None
    partnership: Partnership | None = None

    def q(self, path: str) -> Q:
        """Q narrowing rows whose school is reached by ``path`` (e.g. "school", "pathway__case__school")."""
        return Q() if self.school_ids is None else Q(**{f"{path}__in": self.school_ids})

    @property
    def query(self) -> dict[str, str]:
        """The request parameters that ask for this scope again (for links between pages)."""
        if self.kind == "school" and self.school is not None:
            return {"school": self.school.urn}
        if self.kind == "partnership" and self.partnership is not None:
            return {"partnership": str(self.partnership.pk)}
        if self.kind == "mine":
            return {"schools": "mine"}
        if self.kind == "la" and getattr(self.user, "role", None) == Role.LA_OFFICER:
            return {"schools": "all"}
        return {}


def officer_school_ids(user, on: datetime.date | None = None) -> list[int]:
    """An LA officer's schools: those they are link officer for, and any school where they hold an open case or
    held a targeting support meeting this academic year. Three small indexed lookups, one query."""
    from cases.models import Case, TargetingSupportMeeting

    on = on or today()
    year = AcademicYear.objects.filter(start_date__lte=on, end_date__gte=on).values("pk")[:1]
    linked = SchoolLinkOfficer.objects.filter(officer=user).values("school_id")
    cases = Case.objects.open().filter(officer=user, school__isnull=False).values("school_id")
    tsms = TargetingSupportMeeting.objects.filter(officer=user, academic_year__in=year).values("school_id")
    return list(School.objects.filter(Q(pk__in=linked) | Q(pk__in=cases) | Q(pk__in=tsms))
                .order_by("name").values_list("pk", flat=True))


def scope_for(user, *, school: School | None = None, partnership: Partnership | None = None,
              mine: bool | None = None) -> Scope:
    """The scope a user asked for: one school (which they must be able to see), one partnership (LA roles), an LA
    officer's own schools (their default), or everything the user may see. A school user is always held to their
    own schools."""
    from schools.models import LocalAuthority

    la_user = is_la_user(user)
    if school is not None:
        if not School.objects.visible_to(user).filter(pk=school.pk).exists():
            raise Http404
        return Scope(user, (school.pk,), school.name, "school", la_audience=la_user, school=school)
    if not la_user:
        own = list(School.objects.visible_to(user).order_by("name"))
        label = own[0].name if len(own) == 1 else f"Your schools ({len(own)})"
        return Scope(user, tuple(s.pk for s in own), label, "own", la_audience=False)
    if partnership is not None:
        ids = tuple(partnership.schools.order_by("pk").values_list("pk", flat=True))
        return Scope(user, ids, f"{partnership.name} partnership", "partnership", la_audience=True,
                     partnership=partnership)
    if mine is None:
        mine = user.role == Role.LA_OFFICER
    if mine:
        ids = tuple(officer_school_ids(user))
        return Scope(user, ids, f"Your schools ({len(ids)})", "mine", la_audience=True)
    la = LocalAuthority.current()
    return Scope(user, None, f"{la.name if la else 'The authority'}: every school", "la", la_audience=True)


def scope_from_request(request) -> Scope:
    """?school=<URN>, ?partnership=<id> or ?schools=mine|all, as the dashboards and the API take them. A school out
    of the user's scope (or that does not exist) is 404."""
    return scope_from_params(request.user, request.GET.copy())


def scope_from_params(user, params) -> Scope:
    """scope_from_request's reading of a mutable mapping of parameters (a QueryDict copy, or a dict)."""
    picked = params.get("scope", "")
    if "=" in picked:  # the dashboard's picker sends one field, e.g. scope=school=123456
        name, _, value = picked.partition("=")
        if name in ("school", "partnership", "schools"):
            for other in ("school", "partnership", "schools"):
                params.pop(other, None)
            params[name] = value
    if params.get("school"):
        school = School.objects.visible_to(user).filter(urn=urn_or_404(params["school"])).first()
        if school is None:
            raise Http404
        return scope_for(user, school=school)
    if params.get("partnership") and is_la_user(user):
        try:
            partnership = Partnership.objects.get(pk=int(params["partnership"]))
        except (ValueError, Partnership.DoesNotExist):
            raise Http404 from None
        return scope_for(user, partnership=partnership)
    choice = params.get("schools")
    return scope_for(user, mine={"mine": True, "all": False}.get(choice))


def stale_schools_in(scope: Scope) -> list:
    """The open schools the scope counts whose registers are behind (schools.attendance.freshness: no register for
    STALE_AFTER_SCHOOL_DAYS of their school days), longest first: their attendance figures stop at their last register
    day, and a dashboard says so beside the figures."""
    from schools.attendance import freshness

    return freshness.stale_in(School.objects.visible_to(scope.user).filter(scope.q("pk")), today())


def scope_choices(user) -> dict:
    """What the scope picker offers this user: their schools (and partnerships for LA roles)."""
    schools = list(School.objects.visible_to(user).order_by("name").values("urn", "name"))
    partnerships = list(Partnership.objects.order_by("name").values("pk", "name")) if is_la_user(user) else []
    return {"schools": schools, "partnerships": partnerships,
            "is_officer": getattr(user, "role", "") == Role.LA_OFFICER}


# =====================================================================================================================
# Periods


@dataclass(frozen=True)
class ReportPeriod:
    """The period a report covers (an attendance Period: a term or an academic year, up to today while it runs) and
    the same span a year earlier to compare with."""

    current: attendance.Period
    previous: attendance.Period | None
    term: Term | None = None
    year: AcademicYear | None = None

    @property
    def key(self) -> str:
        return self.current.key

    @property
    def label(self) -> str:
        return self.current.label

    @property
    def start(self) -> datetime.date:
        return self.current.start

    @property
    def end(self) -> datetime.date:
        return self.current.end

    @property
    def academic_year(self) -> AcademicYear:
        return self.year or self.term.academic_year

    @property
    def term_name(self) -> str:
        return self.term.name if self.term else ""

    @property
    def short(self) -> str:
        """A chart legend's name for the period, e.g. "Autumn 2026/27 to date"."""
        name = f"{self.term.get_name_display()} {self.term.academic_year.name}" if self.term else self.year.name
        return f"{name} to date" if self.end < (self.term or self.year).end_date else name

    @property
    def previous_short(self) -> str:
        if self.previous is None:
            return ""
        name = self.previous.label.replace(" term", "").replace("Academic year ", "").split(" to ")[0]
        return f"{name}, same weeks" if self.previous.term is None and self.previous.academic_year is None else name


def _to_date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _previous_span(start: datetime.date, end: datetime.date, last_start: datetime.date,
                   last_end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Last year's span for a period still running: the same number of days from last year's start."""
    return last_start, min(last_end, last_start + (end - start))


class NoTermDates(Exception):
    """No academic year has started: an LA admin enters term dates (admin site) before anything can be reported."""


def term_period(term: Term, on: datetime.date | None = None) -> ReportPeriod:
    """An LA term as a report period; up to ``on`` while the term runs, compared with the same term last year (over
    the same number of days while it runs, from the week rows; otherwise the whole term, from the summaries)."""
    on = on or today()
    year = term.academic_year
    running = term.end_date > on
    end = on if running else term.end_date
    name = f"{term.get_name_display()} term {year.name}"
    label = f"{name} to {_to_date(end)}" if running else name
    # A running term's summaries hold what has been recorded so far, so they are the term to date (fast to read).
    current = attendance.Period(f"term-{term.pk}", label, term.start_date, end, term=term)
    last = (la_terms().filter(name=term.name, academic_year__start_date__lt=year.start_date)
            .order_by("-academic_year__start_date").first())
    previous = None
    if last is not None:
        last_name = f"{last.get_name_display()} term {last.academic_year.name}"
        if running:
            start, stop = _previous_span(term.start_date, end, last.start_date, last.end_date)
            previous = attendance.Period("previous", f"{last_name} to {_to_date(stop)}", start, stop)
        else:
            previous = attendance.Period(f"term-{last.pk}", last_name, last.start_date, last.end_date, term=last)
    return ReportPeriod(current, previous, term=term)


def year_period(year: AcademicYear, on: datetime.date | None = None) -> ReportPeriod:
    on = on or today()
    running = year.end_date > on
    end = on if running else year.end_date
    label = f"{year.name} to {_to_date(end)}" if running else f"Academic year {year.name}"
    current = attendance.Period(f"year-{year.pk}", label, year.start_date, end, academic_year=year)
    last = AcademicYear.objects.filter(start_date__lt=year.start_date).order_by("-start_date").first()
    previous = None
    if last is not None:
        if running:
            start, stop = _previous_span(year.start_date, end, last.start_date, last.end_date)
            previous = attendance.Period("previous", f"{last.name} to {_to_date(stop)}", start, stop)
        else:
            previous = attendance.Period(f"year-{last.pk}", f"Academic year {last.name}", last.start_date,
                                         last.end_date, academic_year=last)
    return ReportPeriod(current, previous, year=year)


def period_options(on: datetime.date | None = None) -> list[tuple[str, str]]:
    """(key, label) of the periods a dashboard offers: every LA term that has started, newest first, and every
    academic year, over the last three years."""
    on = on or today()
    options = []
    years = list(AcademicYear.objects.filter(start_date__lte=on).order_by("-start_date")[:3])
    terms = {}
    for term in la_terms().filter(academic_year__in=years, start_date__lte=on).order_by("-start_date"):
        terms.setdefault(term.academic_year_id, []).append(term)
    for year in years:
        for term in terms.get(year.pk, []):
            running = term.end_date > on
            options.append((f"term-{term.pk}", f"{term.get_name_display()} term {year.name}"
                                               f"{' (to date)' if running else ''}"))
        options.append((f"year-{year.pk}", f"Academic year {year.name}{' (to date)' if year.end_date > on else ''}"))
    return options


def report_period_for(key: str | None, on: datetime.date | None = None) -> ReportPeriod:
    """The report period a request names (``term-<id>`` or ``year-<id>``, from period_options) with the period it is
    compared with; the current LA term (the last that started, in a holiday) when it names none. A key that names no
    LA term or year that has started is 404: a report or a figure for a committee never silently shows another period.
    (Attendance lists read their period with schools.attendance.selectors.resolve_period, whose keys differ.)"""
    on = on or today()
    if key:
        kind, _, pk = key.partition("-")
        try:
            pk_int = int(pk)
        except ValueError:
            raise Http404 from None
        if kind == "term":
            term = la_terms().filter(pk=pk_int, start_date__lte=on).first()
            if term is not None:
                return term_period(term, on)
        elif kind == "year":
            year = AcademicYear.objects.filter(pk=pk_int, start_date__lte=on).first()
            if year is not None:
                return year_period(year, on)
        raise Http404
    term = current_la_term(on)
    if term is not None:
        return term_period(term, on)
    year = AcademicYear.objects.filter(start_date__lte=on).order_by("-start_date").first()
    if year is None:
        raise NoTermDates
    return year_period(year, on)


# =====================================================================================================================
# Pupil groups: one definition serves the attendance SQL, the exclusion ORM queries and the drill-down filters


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    values: tuple = ()  # stored values in the group; empty for the catch-all group


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    table: str  # "pupil", "school" or "enrolment": where the column lives
    column: str
    groups: tuple[Group, ...]
    boolean: bool = False
    phrase: str = ""  # how a title says it: "Absence by {phrase}"

    @property
    def by(self) -> str:
        return self.phrase or self.title.lower()

    @property
    def listed(self) -> list:
        return [value for group in self.groups for value in group.values]

    @property
    def labels(self) -> dict[str, str]:
        return {group.key: group.label for group in self.groups}

    def _default(self) -> Group:
        return next(group for group in self.groups if not group.values)

    def sql(self, alias: str) -> str:
        """SQL CASE giving the group key of a row (aliases: e enrolment, p pupil, s school). Literals come from the
        definitions below, never from a request."""
        column = f"{alias}.{self.column}"
        if self.boolean:
            return f"CASE WHEN {column} THEN 'yes' ELSE 'no' END"
        whens = []
        for group in self.groups:
            if group.values:
                literals = ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
                                     for v in group.values)
                whens.append(f"WHEN {column} IN ({literals}) THEN '{group.key}'")
        return f"CASE {' '.join(whens)} ELSE '{self._default().key}' END"

    def _path(self, paths: dict[str, str]) -> str:
        return f"{paths[self.table]}{self.column}"

    def expression(self, paths: dict[str, str]):
        """The same grouping as an ORM expression; ``paths`` maps "pupil"/"school"/"enrolment" to lookup prefixes
        (e.g. {"pupil": "pupil__", "school": "school__"} from an exclusion)."""
        path = self._path(paths)
        if self.boolean:
            return SqlCase(When(**{path: True}, then=Value("yes")), default=Value("no"), output_field=SqlChar())
        whens = [When(**{f"{path}__in": list(group.values)}, then=Value(group.key))
                 for group in self.groups if group.values]
        return SqlCase(*whens, default=Value(self._default().key), output_field=SqlChar())

    def filter(self, key: str, paths: dict[str, str]) -> Q:
        """Q selecting rows in the group ``key`` (the drill-down); unknown keys select nothing."""
        path = self._path(paths)
        if self.boolean:
            return Q(**{path: key == "yes"}) if key in ("yes", "no") else Q(pk__in=[])
        group = next((g for g in self.groups if g.key == key), None)
        if group is None:
            return Q(pk__in=[])
        if group.values:
            return Q(**{f"{path}__in": list(group.values)})
        return ~Q(**{f"{path}__in": self.listed})


E = Pupil.Ethnicity
ETHNIC_GROUPS = (
    Group("white", "White", (E.WBRI, E.WIRI, E.WIRT, E.WROM, E.WOTH)),
    Group("mixed", "Mixed", (E.MWBC, E.MWBA, E.MWAS, E.MOTH)),
    Group("asian", "Asian or Asian British", (E.AIND, E.APKN, E.ABAN, E.AOTH)),
    Group("black", "Black or Black British", (E.BCRB, E.BAFR, E.BOTH)),
    Group("chinese", "Chinese", (E.CHNE,)),
    Group("other", "Any other ethnic group", (E.OOTH,)),
    Group("unclassified", "Unclassified (refused or not obtained)"),
)

PHASE = Dimension("phase", "Phase", "school", "phase", (
    Group("primary", "Primary", (School.Phase.PRIMARY,)),
    Group("secondary", "Secondary", (School.Phase.SECONDARY,)),
    Group("special", "Special", (School.Phase.SPECIAL,)),
    Group("other", "Other phases"),  # nursery, middle, all-through, PRU and AP schools
))

DIMENSIONS: dict[str, Dimension] = {d.key: d for d in [
    PHASE,
    Dimension("sex", "Sex", "pupil", "sex", (Group("F", "Girls", ("F",)), Group("M", "Boys", ("M",)),
                                             Group("unknown", "Not recorded"))),
    Dimension("sen", "SEN", "pupil", "sen_status", phrase="SEN status", groups=(
        Group("none", "No SEN", (Pupil.SenStatus.NONE,)),
        Group("support", "SEN support", (Pupil.SenStatus.SEN_SUPPORT,)),
        Group("ehcp", "EHC plan", (Pupil.SenStatus.EHCP,)), Group("unknown", "Not recorded"))),
    Dimension("fsm", "Free school meals", "pupil", "fsm_eligible",
              (Group("yes", "Eligible for FSM"), Group("no", "Not eligible")), boolean=True,
              phrase="free school meals eligibility"),
    Dimension("looked_after", "Looked after", "pupil", "looked_after",
              (Group("yes", "Looked after"), Group("no", "Not looked after")), boolean=True,
              phrase="looked-after status"),
    Dimension("cin_cp", "CIN / CP", "pupil", "cin_cp", phrase="child in need or protection plan", groups=(
        Group("cp", "Child protection plan", (Pupil.CinCp.CP,)), Group("cin", "Child in need", (Pupil.CinCp.CIN,)),
        Group("none", "Neither"))),
    Dimension("ethnicity", "Ethnicity", "pupil", "ethnicity", ETHNIC_GROUPS),
    Dimension("nc_year", "Year group", "enrolment", "nc_year", groups=tuple(
        [Group(str(value), label, (value,)) for value, label in Enrolment.NcYear.choices]
        + [Group("unknown", "Not recorded")])),
]}
ATTENDANCE_GROUPS = ["sex", "sen", "fsm", "looked_after", "cin_cp", "ethnicity", "nc_year"]
EXCLUSION_GROUPS = ["sen", "sex", "ethnicity"]
ENROLMENT_PATHS = {"pupil": "pupil__", "school": "school__", "enrolment": ""}
EXCLUSION_PATHS = {"pupil": "pupil__", "school": "school__", "enrolment": "none__"}  # no NC year on an exclusion


# =====================================================================================================================
# National comparators


@dataclass(frozen=True)
class Comparator:
    value: Decimal
    label: str  # "England, autumn term 2023/24"
    source: str
    source_url: str
    unit: str = "%"
    measure: str = ""


def national_figures() -> dict[tuple[str, str], list[NationalFigure]]:
    """Every comparator, by (measure, phase), newest year first (one query for a whole report)."""
    result: dict[tuple[str, str], list[NationalFigure]] = {}
    for figure in NationalFigure.objects.order_by("-academic_year", "term"):
        result.setdefault((figure.measure, figure.phase), []).append(figure)
    return result


def comparator(table: dict, measure: str, period: ReportPeriod, phase: str = "all") -> Comparator | None:
    """The England figure to set beside a figure, like for like: the latest published year no later than the
    period's, for the same term when the period is a term (to date or whole), for the whole year when it is a year.
    None when no such figure is published: a term is never set beside a whole year (absence differs by season, so
    the comparison would mislead a committee), and the figure then stands alone."""
    year = period.academic_year.name
    candidates = [f for f in table.get((measure, phase), []) if f.academic_year <= year]
    chosen = next((f for f in candidates if f.term == (period.term_name or "")), None)
    if chosen is None:
        return None
    unit = " days" if measure == NationalFigure.Measure.SUSPENSION_AVERAGE_DAYS else "%"
    return Comparator(chosen.value, f"England, {chosen.period_label}", chosen.source, chosen.source_url, unit,
                      chosen.get_measure_display())


def comparators_by_year(table: dict, measures: Iterable[str], phase: str = "all") -> dict[tuple[str, str], Comparator]:
    """Whole-year England figures keyed by (measure, academic year), for trend tables."""
    result = {}
    for measure in measures:
        for figure in table.get((measure, phase), []):
            if not figure.term:
                result[(measure, figure.academic_year)] = Comparator(
                    figure.value, f"England, {figure.academic_year}", figure.source, figure.source_url,
                    measure=figure.get_measure_display())
    return result


# =====================================================================================================================
# Attendance


@dataclass(frozen=True)
class AttendanceRow:
    key: str
    label: str
    figures: attendance.Figures
    enrolments: int  # enrolments with possible sessions in the period
    pa: int
    sa: int

    @property
    def absence(self) -> Rate:
        return Rate(self.figures.absent, self.figures.possible, pupils=self.enrolments)

    @property
    def authorised(self) -> Rate:
        return Rate(self.figures.authorised, self.figures.possible, pupils=self.enrolments)

    @property
    def unauthorised(self) -> Rate:
        return Rate(self.figures.unauthorised, self.figures.possible, pupils=self.enrolments)

    @property
    def persistent(self) -> Rate:
        return Rate(self.pa, self.enrolments)

    @property
    def severe(self) -> Rate:
        return Rate(self.sa, self.enrolments)


def _enrolments(scope: Scope):
    """The enrolments the scope counts (None: every one the user may see, which enrolment_figures scopes itself)."""
    if scope.school_ids is None:
        return None
    return Enrolment.objects.visible_to(scope.user).filter(school_id__in=scope.school_ids)


def _aggregates_sql(alias: str) -> str:
    """SUM of every count column of a per-enrolment subquery, how many enrolments had sessions, and how many of
    those are persistently and severely absent (the one SQL test, schools.attendance.engine.at_least_sql)."""
    absent, possible = f"({alias}.authorised + {alias}.unauthorised)", f"{alias}.possible"
    sums = ", ".join(f"SUM({alias}.{name})" for name in attendance.COUNT_FIELDS)
    return (f"{sums}, SUM(CASE WHEN {possible} > 0 THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {at_least_sql(PERSISTENT_ABSENCE_RATE, absent=absent, possible=possible)} THEN 1 ELSE 0 "
            f"END), SUM(CASE WHEN {at_least_sql(SEVERE_ABSENCE_RATE, absent=absent, possible=possible)} THEN 1 "
            f"ELSE 0 END)")


def _row(key: str, label: str, values) -> AttendanceRow:
    *counts, enrolments, pa, sa = values
    names = attendance.COUNT_FIELDS
    figures = attendance.Figures(**{name: int(value or 0) for name, value in zip(names, counts, strict=True)})
    return AttendanceRow(key, label, figures, int(enrolments or 0), int(pa or 0), int(sa or 0))


def attendance_total(scope: Scope, period: attendance.Period | None) -> AttendanceRow | None:
    """Absence, PA and SA over every enrolment the scope counts: one SQL statement around the engine's
    per-enrolment figures."""
    if period is None:
        return None
    return attendance_breakdown(scope, period, ())[0]


def attendance_by(scope: Scope, period: attendance.Period | None, dimension: str) -> list[AttendanceRow]:
    """The same figures by a pupil group or phase; groups in their defined order, empty ones left out."""
    if period is None:
        return []
    return attendance_breakdown(scope, period, (dimension,))[1][dimension]


def attendance_breakdown(scope: Scope, period: attendance.Period, dimensions: Iterable[str]
                         ) -> tuple[AttendanceRow, dict[str, list[AttendanceRow]]]:
    """The total and the figures by each dimension in one statement: the engine's per-enrolment figures are worked
    out once (a materialised CTE, with each row's group in every dimension beside them), then summed once per
    dimension. A report's section needs the total, the phases and up to eight pupil groups: one pass over the
    period's week rows instead of one per table (at 50,000 pupils, about 100 ms each)."""
    dims = [DIMENSIONS[key] for key in dimensions]
    try:
        inner, params = attendance.enrolment_figures(scope.user, period, _enrolments(scope)).query.sql_with_params()
    except EmptyResultSet:  # a scope with no schools at all (a school user not yet linked to one): nothing to count
        return _row("all", "All pupils", [None] * (len(attendance.COUNT_FIELDS) + 3)), {dim.key: [] for dim in dims}
    aliases = {"pupil": "p", "school": "s", "enrolment": "e"}
    groups_sql = "".join(f", {dim.sql(aliases[dim.table])} AS g{n}" for n, dim in enumerate(dims))
    parts = [f"SELECT -1 AS dim, 'all' AS grp, {_aggregates_sql('j')} FROM pe AS j"]
    parts += [f"SELECT {n}, g{n}, {_aggregates_sql('j')} FROM grouped AS j GROUP BY g{n}" for n in range(len(dims))]
    grouped = (f", grouped AS MATERIALIZED (SELECT pe.*{groups_sql} FROM pe "
               f"JOIN {Enrolment._meta.db_table} e ON e.id = pe.enrolment_id "
               f"JOIN {Pupil._meta.db_table} p ON p.id = e.pupil_id "
               f"JOIN {School._meta.db_table} s ON s.id = e.school_id)") if dims else ""
    sql = f"WITH pe AS MATERIALIZED ({inner}){grouped} " + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    total = next(_row("all", "All pupils", values) for n, _grp, *values in fetched if n == -1)
    by: dict[str, list[AttendanceRow]] = {}
    for n, dim in enumerate(dims):
        found = {grp: values for m, grp, *values in fetched if m == n}
        by[dim.key] = [_row(group.key, group.label, found[group.key]) for group in dim.groups
                       if group.key in found and found[group.key][-3]]
    return total, by


def weekly_absence(scope: Scope, period: attendance.Period | None) -> list[tuple[datetime.date, int, int]]:
    """(Monday, possible, absent) per week of the period, summed over the week rows in one GROUP BY (the trend
    chart). Cut weeks count only their sessions inside the period, as the engine counts them."""
    if period is None:
        return []
    counts = attendance.week_counts(period.start, period.end)
    rows = attendance.weeks_in(scope.user, period)
    if scope.school_ids is not None:
        rows = rows.filter(enrolment__school_id__in=scope.school_ids)
    rows = (rows.values("week_start").annotate(possible=counts["possible"],
                                              absent=counts["authorised"] + counts["unauthorised"])
            .order_by("week_start"))
    return [(row["week_start"], int(row["possible"] or 0), int(row["absent"] or 0)) for row in rows]


@dataclass
class AttendanceSection:
    total: AttendanceRow | None
    previous: AttendanceRow | None
    by_phase: list[AttendanceRow]
    by_phase_previous: dict[str, AttendanceRow]
    by_group: list[tuple[Dimension, list[AttendanceRow]]]
    weeks: list[tuple[datetime.date, int, int]]
    weeks_previous: list[tuple[datetime.date, int, int]]
    national: dict[str, Comparator | None] = field(default_factory=dict)
    # England by phase, where the comparator table has it: {phase: {measure: Comparator}}.
    national_by_phase: dict[str, dict[str, Comparator]] = field(default_factory=dict)


HEADLINE_MEASURES = ["overall_absence", "authorised_absence", "unauthorised_absence", "persistent_absence",
                     "severe_absence"]


def attendance_section(scope: Scope, period: ReportPeriod, *, groups: Iterable[str] = ATTENDANCE_GROUPS,
                       weeks: bool = True, national: dict | None = None) -> AttendanceSection:
    national = national if national is not None else national_figures()
    groups = list(groups)
    total, by = attendance_breakdown(scope, period.current, ["phase", *groups]) if period.current else (None, {})
    previous, by_previous = (attendance_breakdown(scope, period.previous, ["phase"]) if period.previous
                             else (None, {}))
    return AttendanceSection(
        total=total,
        previous=previous,
        by_phase=by.get("phase", []),
        by_phase_previous={row.key: row for row in by_previous.get("phase", [])},
        by_group=[(DIMENSIONS[key], by[key]) for key in groups],
        weeks=weekly_absence(scope, period.current) if weeks else [],
        weeks_previous=weekly_absence(scope, period.previous) if weeks else [],
        national={measure: comparator(national, measure, period) for measure in HEADLINE_MEASURES},
        national_by_phase=by_phase_comparators(national, HEADLINE_MEASURES, period),
    )


PHASES_COMPARED = ["primary", "secondary", "special"]


def by_phase_comparators(table: dict, measures: Iterable[str], period: ReportPeriod) -> dict:
    """{phase: {measure: Comparator}} for the phases the comparator table has figures for (none are seeded: an LA
    admin enters them from the DfE's tables by phase)."""
    result: dict[str, dict[str, Comparator]] = {}
    for phase in PHASES_COMPARED:
        found = {m: c for m in measures if (c := comparator(table, m, period, phase)) is not None}
        if found:
            result[phase] = found
    return result


# =====================================================================================================================
# Exclusions (seed 000's appendix)


def exclusions_in(scope: Scope, start: datetime.date, end: datetime.date):
    """Exclusions starting in the span, not cancelled, that the scope counts."""
    return (Exclusion.objects.visible_to(scope.user).active()
            .filter(scope.q("school"), start_date__gte=start, start_date__lte=end))


def on_roll(scope: Scope, start: datetime.date, end: datetime.date):
    """Enrolments on the roll at any time in the span (the school population)."""
    return (Enrolment.objects.visible_to(scope.user).filter(scope.q("school"), start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start)))


S, P, L = Exclusion.Kind.SUSPENSION, Exclusion.Kind.PERMANENT, Exclusion.Kind.LUNCHTIME
SHORT_SUSPENSION_DAYS = 5  # seed 000: "% of all exclusions were for 5 days or less"


def _exclusion_counts() -> dict:
    return {
        "suspensions": Count("pk", filter=Q(kind=S)),
        "pupils_suspended": Count("pupil", filter=Q(kind=S), distinct=True),
        "permanent": Count("pk", filter=Q(kind=P)),
        "lunchtime": Count("pk", filter=Q(kind=L)),
        "suspension_days": Coalesce(Sum("days", filter=Q(kind=S)), Value(Decimal(0))),
        "short": Count("pk", filter=Q(kind=S, days__lte=SHORT_SUSPENSION_DAYS)),
    }


@dataclass(frozen=True)
class ExclusionRow:
    key: str
    label: str
    population: int
    suspensions: int
    pupils_suspended: int
    permanent: int
    lunchtime: int
    suspension_days: Decimal
    short: int

    @property
    def suspension_rate(self) -> Rate:
        return Rate(self.suspensions, self.population, places=2)

    @property
    def pupils_suspended_rate(self) -> Rate:
        return Rate(self.pupils_suspended, self.population, places=2)

    @property
    def permanent_rate(self) -> Rate:
        return Rate(self.permanent, self.population, places=2)

    @property
    def average_length(self) -> Average:
        return Average(self.suspension_days, self.suspensions)

    @property
    def short_share(self) -> Rate:
        return Rate(self.short, self.suspensions)


def _exclusion_row(key: str, label: str, counts: dict | None, population: int) -> ExclusionRow:
    counts = counts or {}
    return ExclusionRow(key, label, population, counts.get("suspensions", 0), counts.get("pupils_suspended", 0),
                        counts.get("permanent", 0), counts.get("lunchtime", 0),
                        Decimal(counts.get("suspension_days") or 0), counts.get("short", 0))


def exclusions_by(scope: Scope, start: datetime.date, end: datetime.date, dimension: str) -> list[ExclusionRow]:
    """Suspensions, pupils suspended, permanent and lunchtime exclusions and suspended days by phase or pupil group,
    with each group's population: two GROUP BYs."""
    dim = DIMENSIONS[dimension]
    grouped = {row.pop("grp"): row for row in exclusions_in(scope, start, end)
               .annotate(grp=dim.expression(EXCLUSION_PATHS)).values("grp").annotate(**_exclusion_counts())
               .order_by()}
    population = dict(on_roll(scope, start, end).annotate(grp=dim.expression(ENROLMENT_PATHS)).values("grp")
                      .annotate(n=Count("pupil", distinct=True)).values_list("grp", "n").order_by())
    return [_exclusion_row(group.key, group.label, grouped.get(group.key), population.get(group.key, 0))
            for group in dim.groups if group.key in grouped or population.get(group.key)]


def exclusions_total(scope: Scope, start: datetime.date, end: datetime.date) -> ExclusionRow:
    counts = exclusions_in(scope, start, end).aggregate(**_exclusion_counts())
    population = on_roll(scope, start, end).aggregate(n=Count("pupil", distinct=True))["n"]
    return _exclusion_row("all", "Total", counts, population)


@dataclass(frozen=True)
class ReasonRow:
    code: str
    label: str
    suspensions: int
    permanent: int
    suspension_share: Rate
    permanent_share: Rate


def exclusion_reasons(scope: Scope, start: datetime.date, end: datetime.date, total: ExclusionRow) -> list[ReasonRow]:
    """How many suspensions and permanent exclusions cite each reason (any of their three), in one query; most
    cited first."""
    from schools.exclusions.rules import REASON_CODES

    cites = {code: Q(reason_1=code) | Q(reason_2=code) | Q(reason_3=code) for code in REASON_CODES}
    counts = exclusions_in(scope, start, end).aggregate(
        **{f"s_{code}": Count("pk", filter=Q(kind=S) & q) for code, q in cites.items()},
        **{f"p_{code}": Count("pk", filter=Q(kind=P) & q) for code, q in cites.items()})
    rows = [ReasonRow(code, reason.label, counts[f"s_{code}"], counts[f"p_{code}"],
                      Rate(counts[f"s_{code}"], total.suspensions), Rate(counts[f"p_{code}"], total.permanent))
            for code, reason in REASON_CODES.items() if counts[f"s_{code}"] or counts[f"p_{code}"]]
    return sorted(rows, key=lambda r: (-(r.suspensions + r.permanent), r.code))


@dataclass(frozen=True)
class TrendRow:
    year: AcademicYear
    exclusions: int  # suspensions and permanent exclusions
    pupils: int
    days: Decimal
    suspensions: int
    permanent: int
    population: int

    @property
    def suspension_rate(self) -> Rate:
        return Rate(self.suspensions, self.population, places=2)

    @property
    def permanent_rate(self) -> Rate:
        return Rate(self.permanent, self.population, places=2)


def exclusion_trend(scope: Scope, up_to: AcademicYear, years: int = 5) -> list[TrendRow]:
    """Seed 000's trend table for the academic years up to ``up_to``: exclusions, pupils, days, permanent, and
    rates on each year's population. One GROUP BY over the exclusions (the year from a CASE on the start date) and
    one aggregate of each year's population."""
    chosen = list(AcademicYear.objects.filter(start_date__lte=up_to.start_date).order_by("-start_date")[:years])
    chosen.reverse()
    if not chosen:
        return []
    year_of = SqlCase(*[When(start_date__range=(y.start_date, y.end_date), then=Value(y.pk)) for y in chosen],
                      default=Value(None))
    base = (Exclusion.objects.visible_to(scope.user).active().filter(scope.q("school"))
            .filter(start_date__gte=chosen[0].start_date, start_date__lte=chosen[-1].end_date,
                    kind__in=[S, P]))
    grouped = {row.pop("year"): row for row in base.annotate(year=year_of).values("year").annotate(
        exclusions=Count("pk"), pupils=Count("pupil", distinct=True),
        days=Coalesce(Sum("days", filter=Q(kind=S)), Value(Decimal(0))),
        suspensions=Count("pk", filter=Q(kind=S)), permanent=Count("pk", filter=Q(kind=P))).order_by()}
    roll = Enrolment.objects.visible_to(scope.user).filter(scope.q("school"))
    population = roll.aggregate(**{f"y{y.pk}": Count("pupil", distinct=True, filter=Q(start_date__lte=y.end_date) & (
        Q(end_date__isnull=True) | Q(end_date__gte=y.start_date))) for y in chosen})
    result = []
    for year in chosen:
        row = grouped.get(year.pk, {})
        result.append(TrendRow(year, row.get("exclusions", 0), row.get("pupils", 0), Decimal(row.get("days") or 0),
                               row.get("suspensions", 0), row.get("permanent", 0), population[f"y{year.pk}"]))
    return result


@dataclass
class ExclusionSection:
    start: datetime.date
    end: datetime.date
    total: ExclusionRow
    previous: ExclusionRow | None
    by_phase: list[ExclusionRow]
    reasons: list[ReasonRow]
    by_group: list[tuple[Dimension, list[ExclusionRow]]]
    trend: list[TrendRow]
    national: dict[str, Comparator | None] = field(default_factory=dict)
    trend_national: dict[tuple[str, str], Comparator] = field(default_factory=dict)
    national_by_phase: dict[str, dict[str, Comparator]] = field(default_factory=dict)

    @property
    def phase_share(self) -> list[tuple[ExclusionRow, Rate, Rate]]:
        """Seed 000's "distribution of exclusions": each phase's share of suspensions and permanent exclusions."""
        return [(row, Rate(row.suspensions, self.total.suspensions), Rate(row.permanent, self.total.permanent))
                for row in self.by_phase]

    def group_shares(self) -> list[tuple[Dimension, list[tuple[ExclusionRow, Rate, Rate]]]]:
        return [(dim, [(row, Rate(row.suspensions, self.total.suspensions), Rate(row.permanent, self.total.permanent))
                       for row in rows]) for dim, rows in self.by_group]

    @property
    def permanent_change(self) -> Rate | None:
        """Change in permanent exclusions on the same period last year, as a percentage of last year's."""
        if self.previous is None or not self.previous.permanent:
            return None
        return Rate(self.total.permanent - self.previous.permanent, self.previous.permanent)


EXCLUSION_MEASURES = ["suspension_rate", "pupils_suspended_rate", "permanent_exclusion_rate", "suspension_average_days"]


def exclusion_section(scope: Scope, period: ReportPeriod, *, national: dict | None = None,
                      summary: bool = False) -> ExclusionSection:
    """``summary``: the dashboard's overview, which shows the totals and the phase chart only, skips the reasons,
    the pupil groups and the trend (a query per group, most of the section's time for one school)."""
    national = national if national is not None else national_figures()
    start, end = period.start, period.end
    total = exclusions_total(scope, start, end)
    previous = exclusions_total(scope, period.previous.start, period.previous.end) if period.previous else None
    return ExclusionSection(
        start=start, end=end, total=total, previous=previous,
        by_phase=exclusions_by(scope, start, end, "phase"),
        reasons=[] if summary else exclusion_reasons(scope, start, end, total),
        by_group=[] if summary else [(DIMENSIONS[key], exclusions_by(scope, start, end, key))
                                     for key in EXCLUSION_GROUPS],
        trend=[] if summary else exclusion_trend(scope, period.academic_year),
        national={measure: comparator(national, measure, period) for measure in EXCLUSION_MEASURES},
        trend_national=comparators_by_year(national, ["suspension_rate", "permanent_exclusion_rate"]),
        national_by_phase=by_phase_comparators(national, EXCLUSION_MEASURES, period),
    )


# =====================================================================================================================
# Legal (the LA's records; a school sees its own requests and what they led to)


@dataclass(frozen=True)
class NoticeRow:
    label: str
    issued: int
    paid_reduced: int
    paid_full: int
    withdrawn: int
    unpaid: int  # unpaid or referred for prosecution
    running: int  # still within the payment period
    collected: Decimal

    @property
    def paid(self) -> int:
        return self.paid_reduced + self.paid_full

    @property
    def payment_rate(self) -> Rate:
        return Rate(self.paid, self.issued - self.withdrawn)


@dataclass(frozen=True)
class ProsecutionRow:
    offence: str
    status: str
    outcome: str
    prosecutions: int
    fines: Decimal
    costs: Decimal


@dataclass
class LegalSection:
    notices: list[NoticeRow]
    notices_total: NoticeRow
    prosecutions: list[ProsecutionRow]
    requests: list[tuple[str, int]]  # penalty-notice requests from schools, by status

    @property
    def prosecutions_total(self) -> int:
        return sum(row.prosecutions for row in self.prosecutions)


def _pounds(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def legal_section(scope: Scope, period: ReportPeriod) -> LegalSection:
    """Notices issued in the period by type and outcome, prosecutions laid in it by offence, status and outcome (the
    same counting as legal.selectors.payment_rate_figures and prosecution_figures, narrowed to the scope's
    schools), and schools' requests by status. Three GROUP BYs."""
    from legal.models import PenaltyNotice, PenaltyNoticeRequest, Prosecution
    from legal.rules import NoticeType, Offence

    status = PenaltyNotice.Status
    notices = (PenaltyNotice.objects.visible_to(scope.user).filter(scope.q("school"))
               .filter(issued_on__gte=period.start, issued_on__lte=period.end))
    if not scope.la_audience:
        # What a school is told: the notices its own requests led to (legal.models.NoticeQuerySet), nothing else.
        notices = notices.filter(request__school_id__in=scope.school_ids or ())
    counts = {"issued": Count("pk"), "paid_reduced": Count("pk", filter=Q(status=status.PAID_REDUCED)),
              "paid_full": Count("pk", filter=Q(status=status.PAID_FULL)),
              "withdrawn": Count("pk", filter=Q(status=status.WITHDRAWN)),
              "unpaid": Count("pk", filter=Q(status__in=[status.UNPAID, status.REFERRED])),
              "running": Count("pk", filter=Q(status=status.ISSUED)),
              "collected": Sum("paid_amount", filter=Q(status__in=list(PenaltyNotice.PAID)))}
    types = dict(NoticeType.choices)

    def notice_row(label, row) -> NoticeRow:
        return NoticeRow(label, row["issued"], row["paid_reduced"], row["paid_full"], row["withdrawn"],
                         row["unpaid"], row["running"], _pounds(row["collected"]))

    by_type = [notice_row(types.get(row["notice_type"], row["notice_type"]), row)
               for row in notices.values("notice_type").annotate(**counts).order_by("notice_type")]
    total = notice_row("All notices", notices.aggregate(**counts))
    prosecuted = Prosecution.objects.visible_to(scope.user) if scope.la_audience else Prosecution.objects.none()
    prosecutions = (prosecuted.filter(scope.q("pathway__case__school"))
                    .filter(information_laid_on__gte=period.start, information_laid_on__lte=period.end)
                    .values("offence", "status", "outcome")
                    .annotate(n=Count("pk"), fines=Sum("fine_amount"), costs=Sum("costs_amount"))
                    .order_by("offence", "status", "outcome"))
    offences, statuses = dict(Offence.choices), dict(Prosecution.Status.choices)
    outcomes = dict(Prosecution.Outcome.choices)
    prosecution_rows = [ProsecutionRow(offences.get(r["offence"], r["offence"]), statuses.get(r["status"], r["status"]),
                                       outcomes.get(r["outcome"], "Not yet decided") if r["outcome"]
                                       else "Not yet decided", r["n"], _pounds(r["fines"]), _pounds(r["costs"]))
                        for r in prosecutions]
    request_statuses = dict(PenaltyNoticeRequest.Status.choices)
    requests = [(request_statuses.get(s, s), n) for s, n in
                PenaltyNoticeRequest.objects.visible_to(scope.user).filter(scope.q("school"))
                .filter(submitted_on__gte=period.start, submitted_on__lte=period.end)
                .values_list("status").annotate(n=Count("pk")).order_by("status")]
    return LegalSection(by_type, total, prosecution_rows, requests)


# =====================================================================================================================
# Casework


@dataclass(frozen=True)
class CaseloadRow:
    officer: str
    open_cases: int
    limit: int | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.open_cases > self.limit


@dataclass
class CaseworkSection:
    by_stage: list[tuple[str, int]]
    opened: int
    closed: int
    outcomes: list[tuple[str, int]]
    caseloads: list[CaseloadRow]
    referrals: dict
    referral_days: Average
    within_5: int
    within_10: int
    awaiting_allocation: int
    stages_on: datetime.date


def casework_section(scope: Scope, period: ReportPeriod) -> CaseworkSection:
    """Cases by stage (today), opened and closed in the period with outcomes, open caseload per officer against
    their limit, and referrals made in the period with the time to the case's first allocation. A GROUP BY or an
    aggregate each."""
    from cases.models import Allocation, Case, CaseworkPolicy, OfficerCaseloadLimit, Referral
    from schools.stages import STAGE_ORDER, Stage

    cases = Case.objects.visible_to(scope.user).filter(scope.q("school"))
    stages = cases.counts_by_stage()
    span = {"gte": period.start, "lte": period.end}
    flows = cases.aggregate(opened=Count("pk", filter=Q(opened_on__gte=span["gte"], opened_on__lte=span["lte"])),
                            closed=Count("pk", filter=Q(closed_on__gte=span["gte"], closed_on__lte=span["lte"])),
                            awaiting=Count("pk", filter=Q(status=Case.Status.REFERRED)))
    outcomes = dict(Case.Outcome.choices)
    outcome_rows = [(outcomes.get(o, o), n) for o, n in
                    cases.filter(closed_on__gte=period.start, closed_on__lte=period.end).values_list("outcome")
                    .annotate(n=Count("pk")).order_by("-n", "outcome")]
    policy = CaseworkPolicy.current()
    own_limit = OfficerCaseloadLimit.objects.filter(officer=OuterRef("officer")).values("caseload_limit")[:1]
    loads = (cases.open().filter(officer__isnull=False)
             .values("officer", "officer__first_name", "officer__last_name", "officer__username")
             .annotate(n=Count("pk"), limit=Coalesce(Subquery(own_limit), Value(policy.caseload_limit)))
             .order_by("-n", "officer__first_name", "officer__last_name"))
    caseloads = [CaseloadRow(" ".join(p for p in [r["officer__first_name"], r["officer__last_name"]] if p)
                             or r["officer__username"], r["n"], r["limit"]) for r in loads]
    referrals = (Referral.objects.visible_to(scope.user).filter(scope.q("school"))
                 .filter(created_at__date__gte=period.start, created_at__date__lte=period.end))
    by_status = dict(referrals.values_list("status").annotate(n=Count("pk")).order_by())
    first_allocation = (Allocation.objects.filter(case=OuterRef("case")).order_by("allocated_at")
                        .values("allocated_at")[:1])
    waits = (referrals.filter(case__isnull=False).annotate(allocated=Subquery(first_allocation))
             .filter(allocated__isnull=False)
             .annotate(wait=ExpressionWrapper(F("allocated") - F("created_at"), output_field=DurationField())))
    summary = waits.aggregate(n=Count("pk"), mean=Avg("wait"),
                              within_5=Count("pk", filter=Q(wait__lte=datetime.timedelta(days=5))),
                              within_10=Count("pk", filter=Q(wait__lte=datetime.timedelta(days=10))))
    mean = summary["mean"]
    mean_days = Decimal(mean.total_seconds() / 86400) if isinstance(mean, datetime.timedelta) else \
        Decimal(str(mean or 0)) / Decimal(86_400_000_000)  # SQLite returns microseconds
    statuses = dict(Referral.Status.choices)
    return CaseworkSection(
        by_stage=[(Stage(s).label, stages.get(s, 0)) for s in STAGE_ORDER],
        opened=flows["opened"], closed=flows["closed"], outcomes=outcome_rows,
        caseloads=caseloads if scope.la_audience else [],
        referrals={"made": sum(by_status.values()), **{statuses[k]: v for k, v in by_status.items() if k in statuses}},
        referral_days=Average(mean_days * summary["n"], summary["n"]),
        within_5=summary["within_5"], within_10=summary["within_10"], awaiting_allocation=flows["awaiting"],
        stages_on=today(),
    )


# =====================================================================================================================
# Provision


@dataclass
class ProvisionSection:
    day6: dict  # {"la": {...}, "school": {...}, "all": {...}} with needed, met, late, none
    part_time: dict
    ap_providers: list[dict]
    ap_commissioned: Decimal
    ap_used: Decimal
    fair_access_open: dict  # band -> count, plus "all"
    fair_access_placed: int
    fair_access_average: Average
    on: datetime.date

    @property
    def day6_met_rate(self) -> Rate:
        return Rate(self.day6["all"]["met"], self.day6["all"]["needed"])


def provision_section(scope: Scope, period: ReportPeriod) -> ProvisionSection:
    """Day-6 compliance for exclusions starting in the period, part-time timetables running at its end, AP places
    commissioned against used and Fair Access waits on its last day (LA-only registers for the LA's audience)."""
    from schools.exclusions import rules
    from schools.exclusions.selectors import ap_provider_list, date_school_days_back
    from schools.models import FairAccessReferral, PartTimeTimetable

    on = min(period.end, today())
    duties = exclusions_in(scope, period.start, period.end).exclude(day6_duty="")
    counts = {"needed": Count("pk"), "met": Count("pk", filter=Q(provision_from__lte=F("day6_date"))),
              "late": Count("pk", filter=Q(provision_from__gt=F("day6_date"))),
              "none": Count("pk", filter=Q(provision_from__isnull=True))}
    day6 = {row.pop("day6_duty"): row for row in duties.values("day6_duty").annotate(**counts).order_by()}
    day6["all"] = duties.aggregate(**counts)
    timetables = PartTimeTimetable.objects.visible_to(scope.user).filter(scope.q("school"))
    running = Q(start_date__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    part_time = timetables.aggregate(
        running=Count("pk", filter=running),
        started=Count("pk", filter=Q(start_date__gte=period.start, start_date__lte=period.end)),
        review_overdue=Count("pk", filter=running & Q(next_review_date__lt=on)),
        past_end=Count("pk", filter=running & Q(planned_end_date__lt=on)),
        not_notified=Count("pk", filter=running & Q(la_notified_on__isnull=True)))
    providers, commissioned, used = [], Decimal(0), Decimal(0)
    fair_open: dict = {"all": 0}
    placed, average = 0, Average(Decimal(0), 0)
    if scope.la_audience:
        for provider in ap_provider_list(user=scope.user, on=on).filter(is_active=True):
            providers.append({"name": provider.name, "commissioned": provider.places_commissioned,
                              "used": provider.places_used, "pupils": provider.pupils_placed})
            commissioned += provider.places_commissioned
            used += provider.places_used or 0
        referrals = FairAccessReferral.objects.visible_to(scope.user)
        if scope.school_ids is not None:
            on_their_roll = Enrolment.objects.filter(pupil=OuterRef("pupil"), school_id__in=scope.school_ids)
            referrals = referrals.filter(Q(allocated_school_id__in=scope.school_ids) | Q(Exists(on_their_roll)))
        waiting = referrals.filter(out_of_school_since__lte=on).filter(Q(placed_on__isnull=True) | Q(placed_on__gt=on))
        bands = {}
        for threshold in rules.FAIR_ACCESS_BANDS:
            since = date_school_days_back(threshold, on)  # None without term dates: no one counted in the band
            bands[f"{threshold}+"] = Count("pk", filter=Q(out_of_school_since__lte=since) if since else Q(pk__in=[]))
        fair_open = waiting.aggregate(all=Count("pk"), **bands)
        done = referrals.filter(placed_on__gte=period.start, placed_on__lte=period.end).aggregate(
            n=Count("pk"), days=Coalesce(Sum("days_without_placement"), 0))
        placed, average = done["n"], Average(Decimal(done["days"]), done["n"])
    return ProvisionSection(day6=day6, part_time=part_time, ap_providers=providers, ap_commissioned=commissioned,
                            ap_used=used, fair_access_open=fair_open, fair_access_placed=placed,
                            fair_access_average=average, on=on)


# =====================================================================================================================
# Traded services income (managers and admins: Capability.INVOICE_TRADED)


@dataclass
class TradedSection:
    terms: list[Term]
    total: Decimal
    by_service: list[tuple[str, Decimal]]
    by_school: list[tuple[str, Decimal]]


def _terms_of(period: ReportPeriod) -> list[Term]:
    if period.term is not None:
        return [period.term]
    return list(la_terms().filter(academic_year=period.year).order_by("start_date"))


def traded_section(scope: Scope, period: ReportPeriod) -> TradedSection | None:
    """Net traded income for the period's LA term(s), reusing interventions.traded.selectors, narrowed to the
    scope's schools. None for users who may not read traded income."""
    from interventions.traded import selectors as traded

    if not scope.user.can(Capability.INVOICE_TRADED):
        return None
    terms = _terms_of(period)
    by_service = traded.income_by_service(user=scope.user, terms=terms).filter(scope.q("invoice__school"))
    by_school = traded.income_by_school(user=scope.user, terms=terms).filter(scope.q("invoice__school"))
    service_rows = [(row["service__intervention__name"] or f"Annual package ({traded.role_label(row['role'])})",
                     _pounds(row["net"])) for row in by_service]
    school_rows = [(row["invoice__school__name"], _pounds(row["net"])) for row in by_school]
    return TradedSection(terms, sum((net for _, net in school_rows), Decimal("0.00")), service_rows, school_rows)


# =====================================================================================================================
# The whole report


SECTION_KEYS = ["attendance", "exclusions", "legal", "casework", "provision", "traded"]


@dataclass
class Report:
    scope: Scope
    period: ReportPeriod
    attendance: AttendanceSection | None = None
    exclusions: ExclusionSection | None = None
    legal: LegalSection | None = None
    casework: CaseworkSection | None = None
    provision: ProvisionSection | None = None
    traded: TradedSection | None = None
    made_at: datetime.datetime | None = None


def section_builders(scope: Scope, period: ReportPeriod, national: dict, *,
                     summary: bool = False) -> list[tuple[str, object]]:
    """(section, function making it) in report order; a report (or the task's progress bar) runs them one by one.
    ``summary``: the dashboard's overview, which shows no pupil-group tables, skips counting them (and the exclusion
    reasons and trend it does not draw)."""
    groups = () if summary else ATTENDANCE_GROUPS
    return [
        ("attendance", lambda: attendance_section(scope, period, groups=groups, national=national)),
        ("exclusions", lambda: exclusion_section(scope, period, national=national, summary=summary)),
        ("legal", lambda: legal_section(scope, period)),
        ("casework", lambda: casework_section(scope, period)),
        ("provision", lambda: provision_section(scope, period)),
        ("traded", lambda: traded_section(scope, period) if scope.la_audience else None),
    ]


def report_figures(scope: Scope, period: ReportPeriod, *, sections: Iterable[str] = SECTION_KEYS,
                   progress=None, summary: bool = False) -> Report:
    """Every section's figures; ``progress(done, total)`` is told after each (the background job's bar)."""
    national = national_figures()
    report = Report(scope, period, made_at=timezone.localtime())
    wanted = set(sections)
    builders = [(name, build) for name, build in section_builders(scope, period, national, summary=summary)
                if name in wanted]
    for done, (name, build) in enumerate(builders, start=1):
        setattr(report, name, build())
        if progress:
            progress(done, len(builders))
    return report


# =====================================================================================================================
# Drill-down: the pupils and exclusions behind a figure


def drill_enrolments(scope: Scope, period: attendance.Period, *, dimension: str = "", group: str = ""):
    """The enrolments behind an attendance figure: the scope's, optionally one pupil group or phase (the reporting
    drill-down adds the groups the attendance list has no filter for), with the period's counts, suggested stage and
    case stage (schools.attendance.stages.attendance_pupil_list)."""
    enrolments = Enrolment.objects.visible_to(scope.user).filter(scope.q("school"))
    if dimension:
        if dimension not in DIMENSIONS:
            raise Http404
        enrolments = enrolments.filter(DIMENSIONS[dimension].filter(group, ENROLMENT_PATHS))
    return attendance_stages.attendance_pupil_list(scope.user, period, enrolments)


def drill_exclusions(scope: Scope, start: datetime.date, end: datetime.date, *, dimension: str = "",
                     group: str = ""):
    """The exclusions behind an exclusion figure (the exclusion list's columns), newest first; the kind and reason
    are the drill-down list's own filters (reporting.filters.DrillExclusionFilterSet)."""
    rows = exclusions_in(scope, start, end).select_related("pupil", "school")
    if dimension:
        if dimension not in DIMENSIONS or dimension == "nc_year":
            raise Http404
        rows = rows.filter(DIMENSIONS[dimension].filter(group, EXCLUSION_PATHS))
    return rows.order_by("-start_date", "-pk")


def national_figures_used(report: Report) -> list[Comparator]:
    """The England figures a report sets beside its own, each once, for its list of sources."""
    seen: dict[str, Comparator] = {}
    for section in (report.attendance, report.exclusions):
        for figure in (getattr(section, "national", {}) or {}).values():
            if figure is not None:
                seen.setdefault(f"{figure.label}|{figure.measure}", figure)
    return list(seen.values())
