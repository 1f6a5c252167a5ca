"""How the figures are shown: every table of the dashboards and the PDF is a :class:`FigureTable` built here from a
selectors.Report, so the page, the PDF, the CSV/XLSX export and its suppression rule are one definition; and the
SVG charts (schools.common.charts) drawn from the same figures.

A cell is a value (count, Rate, Average, Money, text) and, on the dashboards, the link to the records behind it:
the attendance "pupils behind the figures" list, the exclusion, notice and case lists with their filters where those
lists can say the same thing, and the reporting drill-down lists where they cannot (pupil groups, phases, an
officer's schools).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from reporting import selectors as s
from reporting import suppression
from schools.attendance import selectors as attendance_figures
from schools.common import charts
from schools.models import Exclusion, School

SUPPRESSED = "x"
SECTION_SLUGS = {"attendance": "attendance", "exclusions": "suspensions-and-exclusions", "legal": "legal",
                 "casework": "casework", "provision": "day-6-and-provision", "traded": "traded-income"}
DASH = "–"


@dataclass(frozen=True)
class Money:
    amount: Decimal


@dataclass(frozen=True)
class Cell:
    value: object
    href: str = ""
    note: str = ""  # a visually hidden phrase saying what a linked number is, for screen readers
    hidden: bool = False  # shown as x when small numbers are suppressed, to protect a small one (reporting.suppression)


def is_small(value) -> bool:
    if isinstance(value, s.Rate | s.Average):
        return value.small
    if isinstance(value, int) and not isinstance(value, bool):
        return 0 < value < 5
    return False


def is_hidden(value, suppress: bool) -> bool:
    """Shown as x: with suppression on, a small number (1-4), anything worked out from one, or a cell hidden so that a
    small number cannot be worked out from the rest of its table (reporting.suppression)."""
    if not suppress:
        return False
    if isinstance(value, Cell):
        return value.hidden or is_small(value.value)
    return is_small(value)


def display(value, suppress: bool = False) -> str:
    """A cell's text: counts with thousands separators, rates as percentages to one place, averages to one place,
    money in pounds and pence; x for a small number (1-4) or anything worked out from one when suppressing."""
    if is_hidden(value, suppress):
        return SUPPRESSED
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return DASH
    if isinstance(value, s.Rate):
        rate = value.value
        return DASH if rate is None else f"{rate}%"
    if isinstance(value, s.Average):
        average = value.value
        return DASH if average is None else f"{average}"
    if isinstance(value, Money):
        return f"£{value.amount:,.2f}"
    if isinstance(value, s.Comparator):
        return f"{value.value.normalize():f}{value.unit}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return str(value)


def export_value(value, suppress: bool = False):
    """What a download holds for a cell: whole numbers stay numbers (so a spreadsheet can add them up), the rest is
    the page's text."""
    raw = value.value if isinstance(value, Cell) else value
    if isinstance(raw, int) and not isinstance(raw, bool) and not is_hidden(value, suppress):
        return raw
    return display(value, suppress)


@dataclass
class FigureTable:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    definition: str = ""  # a reporting.definitions key
    first_column_is_header: bool = True
    empty: str = "No records for this period."
    total_row: bool = False  # the last row adds up the others

    def numeric(self, index: int) -> bool:
        return index > 0 or not self.first_column_is_header


# =====================================================================================================================
# Drill-down links


class Links:
    """Where each figure's records are listed, for one period and scope. ``None`` everywhere (the PDF) gives plain
    numbers."""

    def __init__(self, period: s.ReportPeriod, scope: s.Scope):
        self.period = period
        self.scope = scope
        self._attendance_keys = {p.key for p in attendance_figures.available_periods(s.today())}
        self._school = self._find_single_school()

    def _query(self, **params) -> str:
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def _scope_params(self) -> dict:
        return self.scope.query

    def _single_school(self) -> School | None:
        return self._school

    def _find_single_school(self) -> School | None:
        if self.scope.school is not None:
            return self.scope.school
        if self.scope.kind == "own" and self.scope.school_ids and len(self.scope.school_ids) == 1:
            return School.objects.filter(pk=self.scope.school_ids[0]).first()
        return None

    def pupils(self, show: str, dimension: str = "", group: str = "") -> str:
        """The pupils behind an attendance figure. The attendance list when it can say the same (a whole-LA, school
        or partnership scope, no pupil group or one phase, and a period it offers); the reporting list otherwise."""
        single_phase = dimension == "phase" and group in {"primary", "secondary", "special"}
        if (self.period.key in self._attendance_keys and (not dimension or single_phase)
                and self.scope.kind in {"la", "school", "partnership", "own"}
                and (self.scope.kind != "own" or self._single_school())):
            school = self._single_school()
            params = {"period": self.period.key, "show": show,
                      "school": school.urn if school else "",
                      "partnership": self.scope.partnership.pk if self.scope.partnership else "",
                      "phase": group if single_phase else ""}
            return f"{reverse('attendance_pupil_list')}?{self._query(**params)}"
        params = {"period": self.period.key, **self._scope_params(), "show": show, "dimension": dimension,
                  "group": group if dimension else ""}
        return f"{reverse('reporting:drill_absence')}?{self._query(**params)}"

    def exclusions(self, kind: str = "", dimension: str = "", group: str = "", reason: str = "",
                   start: datetime.date | None = None, end: datetime.date | None = None) -> str:
        start, end = start or self.period.start, end or self.period.end
        if not dimension and self.scope.kind in {"la", "school", "own"} and (
                self.scope.kind == "la" or self._single_school()):
            school = self._single_school()
            params = {"kind": kind, "reason": reason, "status": "active", "school": school.pk if school else "",
                      "start_from": start.isoformat(), "start_to": end.isoformat()}
            return f"{reverse('exclusion_list')}?{self._query(**params)}"
        params = {"period": self.period.key, **self._scope_params(), "kind": kind, "dimension": dimension,
                  "group": group if dimension else "", "reason": reason}
        if (start, end) != (self.period.start, self.period.end):
            params.update({"start": start.isoformat(), "end": end.isoformat()})
        return f"{reverse('reporting:drill_exclusions')}?{self._query(**params)}"

    def notices(self, status: str = "", notice_type: str = "") -> str:
        if not self.scope.la_audience or self.scope.kind not in {"la", "school"}:
            return ""
        school = self._single_school()
        params = {"status": status, "notice_type": notice_type, "school": school.pk if school else "",
                  "issued_from": self.period.start.isoformat(), "issued_to": self.period.end.isoformat()}
        return f"{reverse('legal:notice_list')}?{self._query(**params)}"

    def cases(self, stage: str = "", status: str = "") -> str:
        if self.scope.kind not in {"la", "school", "partnership"} and not self._single_school():
            return ""
        school = self._single_school()
        params = {"stage": stage, "status": status, "school": school.pk if school else "",
                  "partnership": self.scope.partnership.pk if self.scope.partnership else ""}
        return f"{reverse('cases:list')}?{self._query(**params)}"

    def named(self, name: str, **params) -> str:
        query = self._query(**params)
        return reverse(name) + (f"?{query}" if query else "")


def _cell(value, href_maker, *args, note: str = "", **kwargs) -> Cell:
    href = href_maker(*args, **kwargs) if href_maker and value else ""
    return Cell(value, href, note)


# =====================================================================================================================
# Tables


def _previous(row: s.AttendanceRow | None, attr: str):
    return getattr(row, attr) if row is not None else None


def attendance_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    section = report.attendance
    if section is None:
        return []
    period, previous = report.period, report.period.previous
    last = "Last year"
    total, before = section.total, section.previous
    pupils = links.pupils if links else None

    def national(measure):
        figure = section.national.get(measure)
        return Cell(figure, note=figure.label) if figure else None

    headline = FigureTable("attendance_headline", f"Attendance headlines, {period.label}",
                           ["Measure", "This period", last, "England (latest published)", "England year"], [
        ["Overall absence", total.absence, _previous(before, "absence"), national("overall_absence"),
         _national_year(section, "overall_absence")],
        ["Authorised absence", total.authorised, _previous(before, "authorised"), national("authorised_absence"),
         _national_year(section, "authorised_absence")],
        ["Unauthorised absence", total.unauthorised, _previous(before, "unauthorised"),
         national("unauthorised_absence"), _national_year(section, "unauthorised_absence")],
        ["Persistent absence (% of enrolments)", _cell(total.persistent, pupils, "pa"),
         _previous(before, "persistent"), national("persistent_absence"),
         _national_year(section, "persistent_absence")],
        ["Persistently absent enrolments", _cell(total.pa, pupils, "pa"), _previous(before, "pa"), None, ""],
        ["Severe absence (% of enrolments)", _cell(total.severe, pupils, "sa"), _previous(before, "severe"),
         national("severe_absence"), _national_year(section, "severe_absence")],
        ["Severely absent enrolments", _cell(total.sa, pupils, "sa"), _previous(before, "sa"), None, ""],
        ["Enrolments with sessions", _cell(total.enrolments, pupils, "all"), _previous(before, "enrolments"), None,
         ""],
    ], definition="overall_absence")

    def group_row(row: s.AttendanceRow, dimension: str, last_row: s.AttendanceRow | None = None,
                  with_last: bool = False) -> list:
        cells = [row.label, _cell(row.enrolments, pupils, "all", dimension, row.key, note=f"pupils, {row.label}"),
                 row.absence, row.authorised, row.unauthorised,
                 _cell(row.pa, pupils, "pa", dimension, row.key, note=f"persistently absent, {row.label}"),
                 row.persistent,
                 _cell(row.sa, pupils, "sa", dimension, row.key, note=f"severely absent, {row.label}"), row.severe]
        if with_last:
            cells.append(_previous(last_row, "absence"))
        return cells

    headers = ["Group", "Enrolments", "Overall absence", "Authorised", "Unauthorised", "Persistently absent",
               "Persistent absence", "Severely absent", "Severe absence"]
    tables = [headline, FigureTable(
        "attendance_phase", f"Absence by phase, {period.label}", ["Phase", *headers[1:], f"Overall absence, {last}"],
        [group_row(row, "phase", section.by_phase_previous.get(row.key), True) for row in section.by_phase]
        + ([group_row(total, "", before, True)] if section.by_phase else []),
        definition="persistent_absence", total_row=bool(section.by_phase))]
    for dimension, rows in section.by_group:
        tables.append(FigureTable(f"attendance_{dimension.key}", f"Absence by {dimension.by}, {period.label}",
                                  [dimension.title, *headers[1:]],
                                  [group_row(row, dimension.key) for row in rows], definition="characteristics"))
    if section.national_by_phase:
        tables.append(_england_by_phase("attendance_england_phase", f"Absence by phase against England, "
                                                                     f"{period.label}",
                                        section.by_phase, section.national_by_phase,
                                        [("overall_absence", "Overall absence", "absence"),
                                         ("persistent_absence", "Persistent absence", "persistent"),
                                         ("severe_absence", "Severe absence", "severe")]))
    weeks_last = {monday: (possible, absent) for monday, possible, absent in section.weeks_previous}
    offset = (period.start - previous.start) if previous else datetime.timedelta(0)
    tables.append(FigureTable("attendance_weeks", f"Absence week by week, {period.label}",
                              ["Week beginning", "Overall absence", "Same week last year"],
                              [[f"{monday:%-d %b %Y}", s.Rate(absent, possible),
                                _week_rate(weeks_last, monday - offset)] for monday, possible, absent in section.weeks],
                              definition="overall_absence"))
    return tables


def _england_by_phase(key: str, title: str, rows, national: dict, measures: list[tuple[str, str, str]]
                      ) -> FigureTable:
    """Each phase's figures beside England's for that phase (seed 000's "England" rows), for the phases the
    comparator table has; the England column names its year."""
    headers = ["Phase"]
    for _, label, _ in measures:
        headers += [label, "England"]
    headers.append("England year")
    body = []
    for row in rows:
        figures = national.get(row.key)
        if not figures:
            continue
        cells = [row.label]
        for measure, _, attr in measures:
            england = figures.get(measure)
            cells += [getattr(row, attr), Cell(england, note=england.label) if england else None]
        years = sorted({c.label.replace("England, ", "") for c in figures.values()})
        cells.append(", ".join(years))
        body.append(cells)
    return FigureTable(key, title, headers, body, definition="national")


def _national_year(section, measure: str) -> str:
    figure = section.national.get(measure)
    return figure.label.replace("England, ", "") if figure else ""


def _week_rate(weeks: dict, monday: datetime.date):
    """Last year's figure for the week closest to the same point of the term (weeks start on Mondays)."""
    for shift in (0, -7, 7, -14, 14):
        found = weeks.get(monday - datetime.timedelta(days=monday.weekday()) + datetime.timedelta(days=shift))
        if found:
            return s.Rate(found[1], found[0])
    return None


def exclusion_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    section = report.exclusions
    if section is None:
        return []
    period, total = report.period, section.total
    go = links.exclusions if links else None
    last = "Last year"
    prev = section.previous

    def nat(measure):
        figure = section.national.get(measure)
        return (Cell(figure, note=figure.label) if figure else None), (figure.label.replace("England, ", "")
                                                                        if figure else "")

    def prev_value(attr):
        return getattr(prev, attr) if prev else None

    pstart = report.period.previous.start if report.period.previous else None
    pend = report.period.previous.end if report.period.previous else None

    def prev_link(kind, attr):
        value = prev_value(attr)
        return _cell(value, go, kind, start=pstart, end=pend) if prev else None

    headline = FigureTable(
        "exclusions_headline", f"Exclusions headlines, {period.label}",
        ["Measure", "This period", last, "England (latest published)", "England year"], [
            ["Suspensions", _cell(total.suspensions, go, S), prev_link(S, "suspensions"), None, ""],
            ["Suspensions, % of school population", total.suspension_rate, prev_value("suspension_rate"),
             *nat("suspension_rate")],
            ["Pupils with one or more suspensions", total.pupils_suspended, prev_value("pupils_suspended"), None, ""],
            ["Pupils suspended, % of school population", total.pupils_suspended_rate,
             prev_value("pupils_suspended_rate"), *nat("pupils_suspended_rate")],
            ["Average length of a suspension (days)", total.average_length, prev_value("average_length"),
             *nat("suspension_average_days")],
            ["Suspensions of 5 days or less", total.short_share, prev_value("short_share"), None, ""],
            ["Permanent exclusions", _cell(total.permanent, go, P), prev_link(P, "permanent"), None, ""],
            ["Permanent exclusions, % of school population", total.permanent_rate, prev_value("permanent_rate"),
             *nat("permanent_exclusion_rate")],
            ["Change in permanent exclusions on last year", section.permanent_change, None, None, ""],
            ["Lunchtime exclusions", _cell(total.lunchtime, go, L), prev_link(L, "lunchtime"), None, ""],
            ["School population", total.population, prev_value("population"), None, ""],
        ], definition="suspensions")

    def phase_row(row, dimension="phase"):
        return [row.label, row.population,
                _cell(row.suspensions, go, S, dimension, row.key, note=f"suspensions, {row.label}"),
                row.suspension_rate, row.pupils_suspended, row.pupils_suspended_rate,
                _cell(row.permanent, go, P, dimension, row.key, note=f"permanent exclusions, {row.label}"),
                row.permanent_rate, row.average_length]

    by_phase = FigureTable(
        "exclusions_phase", f"Suspensions and permanent exclusions by phase, {period.label}",
        ["Phase", "School population", "Suspensions", "% of population", "Pupils suspended", "% of population",
         "Permanent exclusions", "% of population", "Average length (days)"],
        [phase_row(row) for row in section.by_phase] + ([phase_row(total, dimension="")] if section.by_phase else []),
        definition="population", total_row=bool(section.by_phase))
    distribution = FigureTable(
        "exclusions_distribution", f"Distribution of exclusions by phase, {period.label}",
        ["Phase", "Share of suspensions", "Share of permanent exclusions"],
        [[row.label, share_s, share_p] for row, share_s, share_p in section.phase_share], definition="population")
    reasons = FigureTable(
        "exclusions_reasons", f"Reasons for suspensions and permanent exclusions, {period.label}",
        ["Reason", "Suspensions", "% of suspensions", "Permanent exclusions", "% of permanent exclusions"],
        [[f"{row.code}: {row.label}", _cell(row.suspensions, go, S, reason=row.code, note=f"suspensions, {row.code}"),
          row.suspension_share, _cell(row.permanent, go, P, reason=row.code, note=f"permanent, {row.code}"),
          row.permanent_share] for row in section.reasons], definition="reasons")
    tables = [headline, by_phase, distribution, reasons]
    if section.national_by_phase:
        tables.append(_england_by_phase("exclusions_england_phase", f"Exclusions by phase against England, "
                                                                     f"{period.label}",
                                        section.by_phase, section.national_by_phase,
                                        [("suspension_rate", "Suspensions, % of population", "suspension_rate"),
                                         ("permanent_exclusion_rate", "Permanent exclusions, % of population",
                                          "permanent_rate")]))
    for dimension, rows in section.group_shares():
        tables.append(FigureTable(
            f"exclusions_{dimension.key}", f"Exclusions by {dimension.by}, {period.label}",
            [dimension.title, "School population", "Suspensions", "Share of suspensions", "Suspension rate",
             "Permanent exclusions", "Share of permanent exclusions"],
            [[row.label, row.population,
              _cell(row.suspensions, go, S, dimension.key, row.key, note=f"suspensions, {row.label}"), share_s,
              row.suspension_rate,
              _cell(row.permanent, go, P, dimension.key, row.key, note=f"permanent exclusions, {row.label}"), share_p]
             for row, share_s, share_p in rows], definition="exclusion_groups"))
    trend_rows = []
    for row in section.trend:
        # England's figure for that very year only: a later or earlier year's would mislead in a trend.
        england = {measure: section.trend_national.get((measure, row.year.name))
                   for measure in ("suspension_rate", "permanent_exclusion_rate")}
        trend_rows.append([row.year.name, _cell(row.exclusions, go, "", start=row.year.start_date,
                                                end=row.year.end_date, note=f"exclusions in {row.year.name}"),
                           row.pupils, row.days, row.permanent, row.suspension_rate, row.permanent_rate,
                           england["suspension_rate"], england["permanent_exclusion_rate"]])
    tables.append(FigureTable("exclusions_trend", "Exclusions over the years",
                              ["Academic year", "Exclusions", "Pupils excluded", "Days suspended", "Permanent",
                               "Suspension rate", "Permanent exclusion rate", "England suspension rate",
                               "England permanent exclusion rate"], trend_rows, definition="exclusion_trend"))
    return tables


S, P, L = Exclusion.Kind.SUSPENSION, Exclusion.Kind.PERMANENT, Exclusion.Kind.LUNCHTIME


def legal_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    from legal.models import PenaltyNotice

    section = report.legal
    if section is None:
        return []
    period = report.period
    go = links.notices if links else None
    status = PenaltyNotice.Status

    def notice_row(row: s.NoticeRow, notice_type: str = "") -> list:
        return [row.label, _cell(row.issued, go, "", notice_type), _cell(row.paid_reduced, go, status.PAID_REDUCED,
                                                                           notice_type),
                _cell(row.paid_full, go, status.PAID_FULL, notice_type),
                _cell(row.withdrawn, go, status.WITHDRAWN, notice_type), row.unpaid,
                _cell(row.running, go, status.ISSUED, notice_type), row.payment_rate, Money(row.collected)]

    from legal.rules import NoticeType

    codes = {label: code for code, label in NoticeType.choices}
    tables = [FigureTable("legal_notices", f"Penalty notices issued, {period.label}",
                          ["Kind of notice", "Issued", "Paid (reduced rate)", "Paid (full rate)", "Withdrawn",
                           "Unpaid or referred", "Within the payment period", "Payment rate", "Collected"],
                          [notice_row(row, codes.get(row.label, "")) for row in section.notices]
                          + ([notice_row(section.notices_total)] if section.notices else []),
                          definition="notices", total_row=bool(section.notices))]
    if report.scope.la_audience:
        tables.append(FigureTable("legal_prosecutions", f"Prosecutions laid, {period.label}",
                                  ["Offence", "Status", "Outcome", "Prosecutions", "Fines", "Costs"],
                                  [[row.offence, row.status, row.outcome, row.prosecutions, Money(row.fines),
                                    Money(row.costs)] for row in section.prosecutions],
                                  definition="prosecutions", first_column_is_header=True))
    tables.append(FigureTable("legal_requests", f"Schools' requests for penalty notices, {period.label}",
                              ["Status", "Requests"], [[label, n] for label, n in section.requests],
                              definition="notices"))
    return tables


def casework_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    from schools.stages import STAGE_ORDER

    section = report.casework
    if section is None:
        return []
    period = report.period
    go = links.cases if links else None
    stages = dict(zip([label for label, _ in section.by_stage], STAGE_ORDER, strict=True))
    tables = [
        FigureTable("casework_stages", f"Open cases by stage on {section.stages_on:%-d %B %Y}", ["Stage", "Open cases"],
                    [[label, _cell(n, go, stages[label], "open", note=f"open cases, {label}")]
                     for label, n in section.by_stage], definition="cases_by_stage"),
        FigureTable("casework_flow", f"Cases and referrals, {period.label}", ["Measure", "Number"], [
            ["Cases opened", section.opened], ["Cases closed", section.closed],
            ["Referrals made by schools", section.referrals.get("made", 0)],
            *[[f"Referrals {label.lower()}", n] for label, n in section.referrals.items() if label != "made"],
            ["Referrals allocated to an officer", section.referral_days.count],
            ["Average days from referral to allocation", section.referral_days],
            ["Allocated within 5 days", section.within_5], ["Allocated within 10 days", section.within_10],
            ["Awaiting allocation now", _cell(section.awaiting_allocation, go, "", "referred")],
        ], definition="referral_time"),
        FigureTable("casework_outcomes", f"Cases closed by outcome, {period.label}", ["Outcome", "Cases closed"],
                    [[label, n] for label, n in section.outcomes], definition="cases_opened_closed"),
    ]
    if section.caseloads:
        tables.append(FigureTable("casework_caseloads", f"Caseload per officer on {section.stages_on:%-d %B %Y}",
                                  ["Officer", "Open cases", "Caseload limit", "Over the limit"],
                                  [[row.officer, row.open_cases, row.limit, row.over] for row in section.caseloads],
                                  definition="caseloads"))
    return tables


def provision_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    section = report.provision
    if section is None:
        return []
    period = report.period
    on = f"{section.on:%-d %B %Y}"

    def day6_row(label, counts):
        counts = counts or {"needed": 0, "met": 0, "late": 0, "none": 0}
        return [label, counts["needed"], counts["met"], counts["late"], counts["none"],
                s.Rate(counts["met"], counts["needed"])]

    day6_link = links.named("day6_dashboard") if links else ""
    tables = [
        FigureTable("provision_day6", f"Day-6 provision for exclusions starting in {period.label}",
                    ["Who arranges it", "Needed", "By the 6th day", "Late", "None recorded", "% by the 6th day"],
                    [day6_row("Local authority (permanent exclusions)", section.day6.get("la")),
                     day6_row("School (suspensions over 5 days)", section.day6.get("school")),
                     [Cell("All", day6_link), *day6_row("", section.day6.get("all"))[1:]]],
                    definition="day6", total_row=True),
        FigureTable("provision_part_time", f"Part-time timetables on {on}", ["Measure", "Timetables"], [
            ["Running", _link_cell(section.part_time["running"], links, "part_time_list", status="open")],
            [f"Started in {period.label}", section.part_time["started"]],
            ["Running with a review overdue", _link_cell(section.part_time["review_overdue"], links,
                                                         "part_time_list", flag="review_overdue")],
            ["Running past the planned end", _link_cell(section.part_time["past_end"], links, "part_time_list",
                                                        flag="past_end")],
            ["Running, LA never notified", _link_cell(section.part_time["not_notified"], links, "part_time_list",
                                                      flag="not_notified")],
        ], definition="part_time"),
    ]
    if report.scope.la_audience:
        tables.append(FigureTable(
            "provision_ap", f"Alternative provision places on {on}",
            ["Provider", "Places commissioned (fte)", "Places used (fte)", "Pupils placed"],
            [[_link_cell(row["name"], links, "ap_provider_list"), row["commissioned"], row["used"], row["pupils"]]
             for row in section.ap_providers]
            + ([["All providers", section.ap_commissioned, section.ap_used,
                 sum(row["pupils"] for row in section.ap_providers)]] if section.ap_providers else []),
            definition="ap_places", total_row=bool(section.ap_providers)))
        waiting = section.fair_access_open
        tables.append(FigureTable("provision_fair_access", f"Fair Access: children without a place on {on}",
                                  ["Measure", "Children"], [
            ["Without a place", _link_cell(waiting.get("all", 0), links, "fair_access_list")],
            ["38 school days or more", waiting.get("38+", 0)], ["69 school days or more", waiting.get("69+", 0)],
            ["100 school days or more", waiting.get("100+", 0)],
            [f"Placed in {period.label}", section.fair_access_placed],
            ["Average school days without a place (those placed)", section.fair_access_average],
        ], definition="fair_access"))
    return tables


def _link_cell(value, links: Links | None, name: str, **params) -> Cell:
    return Cell(value, links.named(name, **params) if links and value else "")


def traded_tables(report: s.Report, links: Links | None) -> list[FigureTable]:
    section = report.traded
    if section is None:
        return []
    terms = ", ".join(f"{t.get_name_display()} {t.academic_year.name}" for t in section.terms)
    return [
        FigureTable("traded_services", f"Traded income by service, {terms}", ["Service", "Net income"],
                    [[label, Money(net)] for label, net in section.by_service]
                    + ([["All services", Money(section.total)]] if section.by_service else []),
                    definition="traded_income", total_row=bool(section.by_service)),
        FigureTable("traded_schools", f"Traded income by school, {terms}", ["School", "Net income"],
                    [[label, Money(net)] for label, net in section.by_school], definition="traded_income"),
    ]


TABLE_BUILDERS = {"attendance": attendance_tables, "exclusions": exclusion_tables, "legal": legal_tables,
                  "casework": casework_tables, "provision": provision_tables, "traded": traded_tables}


def tables_for(report: s.Report, section: str, links: Links | None) -> list[FigureTable]:
    """A section's tables, with the cells that must be hidden alongside small numbers marked (shown as x only when
    suppressing)."""
    return protect(TABLE_BUILDERS[section](report, links))


def _raw(value):
    return value.value if isinstance(value, Cell) else value


def _count(value) -> int | None:
    raw = _raw(value)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def hidden_cells(table: FigureTable, others: dict[str, set] | None = None) -> set[tuple[int, int]]:
    """The (row, column) cells shown as x when suppressing: small numbers, the cells that protect them, and what is
    worked out from either (reporting.suppression)."""
    rows = table.rows
    hidden = {(r, c) for r, row in enumerate(rows) for c, value in enumerate(row) if is_small(_raw(value))}
    relations = suppression.relations_for(table.key)
    if relations is None:
        return hidden
    counts = {(r, c): _count(value) for r, row in enumerate(rows) for c, value in enumerate(row)}
    if relations.mirrors and others is not None and relations.mirrors[0] in others:
        other_key, pairs = relations.mirrors
        other_hidden, other_labels = others[other_key]
        for r, row in enumerate(rows):
            other_row = other_labels.get(str(_raw(row[0])))
            hidden |= {(r, mine) for mine, theirs in pairs if other_row is not None and (other_row, theirs)
                       in other_hidden}
    hidden = suppression.complementary(counts, hidden, suppression.sum_groups(relations, len(rows),
                                                                             table.total_row))
    return suppression.with_derived(hidden, relations, len(rows))


def protect(tables: list[FigureTable]) -> list[FigureTable]:
    """The tables with every cell that must be hidden wrapped as a hidden Cell (links and notes kept)."""
    seen: dict[str, tuple[set, dict[str, int]]] = {}
    for table in tables:
        hidden = hidden_cells(table, seen)
        seen[table.key] = (hidden, {str(_raw(row[0])): r for r, row in enumerate(table.rows) if row})
        for r, c in hidden:
            value = table.rows[r][c]
            if is_small(_raw(value)):
                continue  # a small number is x by itself
            if isinstance(value, Cell):
                table.rows[r][c] = dataclasses.replace(value, hidden=True)
            else:
                table.rows[r][c] = Cell(value, hidden=True)
    return tables


def table_section(key: str) -> str | None:
    """Which section a table key belongs to (exports name a table; only its section is computed)."""
    prefix = key.split("_", 1)[0]
    return {"attendance": "attendance", "exclusions": "exclusions", "legal": "legal", "casework": "casework",
            "provision": "provision", "traded": "traded"}.get(prefix)


# =====================================================================================================================
# Charts


def _pct(rate: s.Rate | None) -> float | None:
    value = rate.value if rate is not None else None
    return float(value) if value is not None else None


def _shown(rate: s.Rate | None, suppress: bool) -> bool:
    return rate is not None and rate.value is not None and not (suppress and rate.small)


def _one_place(value: float) -> str:
    return f"{value:.1f}%"


def _two_places(value: float) -> str:
    return f"{value:.2f}%"


@dataclass(frozen=True)
class Chart:
    title: str
    svg: object

    def __str__(self) -> str:
        return str(self.svg)


@dataclass
class Charts:
    items: dict[str, Chart] = field(default_factory=dict)

    def __getitem__(self, key):
        return self.items.get(key)

    def get(self, key):
        return self.items.get(key)


def _bars(title: str, categories: list[str], series: list[charts.Series], **options) -> Chart:
    options.setdefault("label_width", charts.label_room(categories))
    return Chart(title, charts.bar_chart(categories, series, title=title, **options))


def without_staff_names(report: s.Report) -> s.Report:
    """The report as a paper for publication shows it: officers' caseloads under letters in the order the figures
    list them (Officer A has the most open cases), never names."""
    casework = report.casework
    if casework is None or not casework.caseloads:
        return report
    letters = [chr(ord("A") + i % 26) + ("" if i < 26 else str(i // 26 + 1)) for i in range(len(casework.caseloads))]
    caseloads = [dataclasses.replace(row, officer=f"Officer {letter}")
                 for letter, row in zip(letters, casework.caseloads, strict=True)]
    return dataclasses.replace(report, casework=dataclasses.replace(casework, caseloads=caseloads))


def charts_for(report: s.Report, suppress: bool = False) -> Charts:
    """The report's SVG charts, keyed by name, each with the title shown above it. A group whose figure is
    suppressed is left out of a chart (its bar would give the number away); the table beside it shows the x. One
    builder per report section, as the section builders in reporting.selectors are."""
    period = report.period
    now, last = period.short, period.previous_short or "Last year"
    hiding = Hiding(report, suppress)
    result: dict[str, Chart] = {}
    for section_charts in SECTION_CHARTS:
        result.update(section_charts(report, hiding, now, last))
    return Charts(result)


class Hiding:
    """What a chart may not draw when small numbers are suppressed: truthy while suppressing, and ``cell`` says
    whether the table cell a bar stands for is hidden (small, or hidden to protect a small one), so a chart never
    shows a value its table hides."""

    def __init__(self, report: s.Report, suppress: bool):
        self.report, self.on = report, bool(suppress)
        self._tables: dict[str, tuple[FigureTable, dict[str, int]]] | None = None

    def __bool__(self) -> bool:
        return self.on

    def cell(self, table_key: str, label: str, column: int) -> bool:
        if not self.on:
            return False
        if self._tables is None:
            self._tables = {table.key: (table, {str(_raw(row[0])): r for r, row in enumerate(table.rows) if row})
                            for key in TABLE_BUILDERS for table in tables_for(self.report, key, None)}
        table, rows = self._tables.get(table_key, (None, {}))
        row = rows.get(label)
        return table is not None and row is not None and is_hidden(table.rows[row][column], True)

    def count(self, value, table_key: str, label: str, *columns: int):
        """A count as a bar draws it: 0 (no bar) when its cell, or any of the cells it adds up, is hidden."""
        hidden = (self.on and is_small(value)) or any(self.cell(table_key, label, c) for c in columns)
        return 0 if hidden else value


def _attendance_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    a = report.attendance
    if a is None or a.total is None:
        return {}
    found = {"attendance_phase": _attendance_phase_chart(a, suppress, now, last),
             "attendance_groups": _attendance_groups_chart(a, suppress, now),
             "attendance_weeks": _attendance_weeks_chart(report, now, last) if a.weeks else None}
    return {key: chart for key, chart in found.items() if chart is not None}


def _attendance_phase_chart(a, suppress: Hiding, now: str, last: str) -> Chart | None:
    rows = [row for row in a.by_phase
            if _shown(row.absence, suppress) and not suppress.cell("attendance_phase", row.label, 2)]
    if not rows:
        return None
    series = [charts.Series(now, [_pct(row.absence) or 0 for row in rows])]
    if a.by_phase_previous:
        series.append(charts.Series(last, [_pct(_previous(a.by_phase_previous.get(row.key), "absence")) or 0
                                           for row in rows]))
    return _bars(f"Overall absence by phase: {now} against {last}", [row.label for row in rows], series,
                 stacked=False, format_value=_one_place)


# The pupil groups the persistent-absence chart compares with all pupils (dimension key: group keys).
CHARTED_GROUPS = {"sex": ["F", "M"], "sen": ["support", "ehcp"], "fsm": ["yes"], "looked_after": ["yes"],
                  "cin_cp": ["cin", "cp"]}


def _attendance_groups_chart(a, suppress: Hiding, now: str) -> Chart | None:
    groups = [("All pupils", a.total.persistent)]
    groups += [(row.label, row.persistent) for dimension, rows in a.by_group for row in rows
               if row.key in CHARTED_GROUPS.get(dimension.key, [])
               and not suppress.cell(f"attendance_{dimension.key}", row.label, 6)]
    groups = [(label, rate) for label, rate in groups if _shown(rate, suppress)]
    if len(groups) <= 1:
        return None
    return _bars(f"Persistent absence by pupil group, {now}", [label for label, _ in groups],
                 [charts.Series("Persistently absent, % of enrolments", [_pct(r) for _, r in groups])],
                 stacked=False, format_value=_one_place)


def _attendance_weeks_chart(report: s.Report, now: str, last: str) -> Chart:
    table = next(t for t in attendance_tables(report, None) if t.key == "attendance_weeks")
    national = report.attendance.national.get("overall_absence")
    title = f"Overall absence week by week: {now} against {last}"
    return Chart(title, charts.lines_chart(
        [row[0].rsplit(" ", 1)[0] for row in table.rows],
        [charts.Series(now, [_pct(row[1]) for row in table.rows]),
         charts.Series(last, [_pct(row[2]) for row in table.rows])], title=title,
        reference=float(national.value) if national else None,
        reference_label=f"{national.label}: {national.value.normalize():f}%" if national else ""))


def _exclusion_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    e = report.exclusions
    if e is None:
        return {}
    found = {"exclusions_phase": _exclusions_phase_chart(e, suppress, now),
             "exclusions_trend": _exclusions_trend_chart(e),
             "exclusions_reasons": _exclusions_reasons_chart(e, suppress, now)}
    return {key: chart for key, chart in found.items() if chart is not None}


def _exclusions_phase_chart(e, suppress: Hiding, now: str) -> Chart | None:
    rows = [row for row in e.by_phase
            if _shown(row.suspension_rate, suppress) and not suppress.cell("exclusions_phase", row.label, 3)]
    if not rows or not e.total.suspensions:
        return None
    return _bars(f"Suspensions as a percentage of the school population, by phase, {now}", [row.label for row in rows],
                 [charts.Series("Suspensions, % of pupils", [_pct(row.suspension_rate) for row in rows])],
                 stacked=False, format_value=_two_places)


def _exclusions_trend_chart(e) -> Chart | None:
    trend = [row for row in e.trend if row.population]
    if len(trend) <= 1:
        return None
    title = "Suspensions as a percentage of the school population, by academic year"
    return Chart(title, charts.lines_chart(
        [row.year.name for row in trend],
        [charts.Series("Suspensions, % of pupils", [_pct(row.suspension_rate) for row in trend])], title=title))


def _exclusions_reasons_chart(e, suppress: Hiding, now: str) -> Chart | None:
    labels = {id(row): f"{row.code}: {row.label}" for row in e.reasons[:8]}
    reasons = [row for row in e.reasons[:8]
               if suppress.count(row.suspensions, "exclusions_reasons", labels[id(row)], 1)]
    if not reasons:
        return None
    return _bars(f"Most cited reasons, {now}", [labels[id(row)] for row in reasons],
                 [charts.Series("Suspensions", [row.suspensions for row in reasons]),
                  charts.Series("Permanent exclusions", [suppress.count(row.permanent, "exclusions_reasons",
                                                                        labels[id(row)], 3)
                                                         for row in reasons])], stacked=True)


def _legal_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    legal = report.legal
    if legal is None or not legal.notices or (suppress and is_small(legal.notices_total.issued)):
        return {}
    rows = legal.notices
    # Each bar's value and the columns of the notices table it stands for (Paid is the two paid columns).
    bars = (("Paid", "paid", (2, 3)), ("Withdrawn", "withdrawn", (4,)), ("Unpaid or referred", "unpaid", (5,)),
            ("Still to pay", "running", (6,)))
    series = [charts.Series(label, [suppress.count(getattr(row, field), "legal_notices", row.label, *columns)
                                    for row in rows])
              for label, field, columns in bars]
    if not any(value for item in series for value in item.values):  # all suppressed: no chart, the table says x
        return {}
    return {"legal_notices": _bars(f"Penalty notices issued and what became of them, {now}",
                                   [row.label.split(" (")[0] for row in rows], series, stacked=True)}


def _casework_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    c = report.casework
    if c is None or not any(n for _, n in c.by_stage):
        return {}
    result = {"casework_stages": _bars(
        f"Open cases by stage on {c.stages_on:%-d %B %Y}", [label for label, _ in c.by_stage],
        [charts.Series("Open cases", [suppress.count(n, "casework_stages", label, 1) for label, n in c.by_stage])],
        stacked=False)}
    if c.caseloads:
        rows = c.caseloads[:15]
        result["casework_caseloads"] = _bars(
            "Caseload per officer against their limit", [row.officer for row in rows],
            [charts.Series("Open cases", [row.open_cases for row in rows]),
             charts.Series("Caseload limit", [row.limit or 0 for row in rows])], stacked=False)
    return result


def _provision_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    p = report.provision
    if p is None or not p.ap_providers:
        return {}
    return {"provision_ap": _bars(
        f"Alternative provision places commissioned against used, {p.on:%-d %B %Y}",
        [row["name"] for row in p.ap_providers],
        [charts.Series("Commissioned", [float(row["commissioned"]) for row in p.ap_providers]),
         charts.Series("Used", [float(row["used"] or 0) for row in p.ap_providers])], stacked=False)}


def _traded_charts(report: s.Report, suppress: bool, now: str, last: str) -> dict[str, Chart]:
    t = report.traded
    if t is None or not t.by_service:
        return {}
    rows = t.by_service[:10]
    return {"traded_services": _bars(
        "Traded income by service (the ten largest)", [label for label, _ in rows],
        [charts.Series("Net income", [float(net) for _, net in rows])], stacked=False,
        format_value=lambda v: f"£{v:,.0f}")}


# In the order the report's sections come (reporting.selectors.SECTION_KEYS).
SECTION_CHARTS = (_attendance_charts, _exclusion_charts, _legal_charts, _casework_charts, _provision_charts,
                  _traded_charts)


# =====================================================================================================================
# Headline cards (NCER-style: the figure, last year's, England's, and where the figure comes from)


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: object
    previous: object = None
    previous_label: str = ""
    england: s.Comparator | None = None
    href: str = ""
    definition: str = ""

    @property
    def change(self):
        """Direction against last year in words (a number going up is not always bad news, so no colour)."""
        now, before = _number(self.value), _number(self.previous)
        if now is None or before is None:
            return ""
        if now == before:
            return "the same as"
        return "up on" if now > before else "down on"


def _number(value):
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, s.Rate | s.Average):
        return value.value
    if isinstance(value, int | Decimal):
        return value
    return None


def headline_cards(report: s.Report, links: Links | None) -> list[Card]:
    """The figures at the top of a report or dashboard, each with last year's, England's and (on a page) a link to
    the pupils or records behind it. One builder per section."""
    last = report.period.previous.label if report.period.previous else ""
    return [card for section_cards in SECTION_CARDS for card in section_cards(report, links, last)]


def _link(links: Links | None, name: str, *args, when=True, **kwargs) -> str:
    """A card's link to what is behind it: none in a PDF (no links) or when there is nothing behind it."""
    return getattr(links, name)(*args, **kwargs) if links and when else ""


def _attendance_cards(report: s.Report, links: Links | None, last: str) -> list[Card]:
    a = report.attendance
    if a is None or a.total is None:
        return []
    before = a.previous
    return [
        Card("overall_absence", "Overall absence", a.total.absence, _previous(before, "absence"), last,
             a.national.get("overall_absence"), definition="overall_absence"),
        Card("persistent_absence", "Persistent absence", a.total.persistent, _previous(before, "persistent"),
             last, a.national.get("persistent_absence"), href=_link(links, "pupils", "pa", when=a.total.pa),
             definition="persistent_absence"),
        Card("severe_absence", "Severe absence", a.total.severe, _previous(before, "severe"), last,
             a.national.get("severe_absence"), href=_link(links, "pupils", "sa", when=a.total.sa),
             definition="severe_absence"),
    ]


def _exclusion_cards(report: s.Report, links: Links | None, last: str) -> list[Card]:
    e = report.exclusions
    if e is None:
        return []
    prev = e.previous
    return [
        Card("suspension_rate", "Suspensions, % of pupils", e.total.suspension_rate,
             prev.suspension_rate if prev else None, last, e.national.get("suspension_rate"),
             href=_link(links, "exclusions", S, when=e.total.suspensions), definition="suspension_rate"),
        Card("permanent_exclusion_rate", "Permanent exclusions, % of pupils", e.total.permanent_rate,
             prev.permanent_rate if prev else None, last, e.national.get("permanent_exclusion_rate"),
             href=_link(links, "exclusions", P, when=e.total.permanent), definition="permanent_exclusions"),
    ]


def _legal_cards(report: s.Report, links: Links | None, last: str) -> list[Card]:
    legal = report.legal
    if legal is None or not report.scope.la_audience:
        return []
    issued = legal.notices_total.issued
    return [Card("notices", "Penalty notices issued", issued, href=_link(links, "notices", when=issued),
                 definition="notices")]


def _casework_cards(report: s.Report, links: Links | None, last: str) -> list[Card]:
    c = report.casework
    if c is None:
        return []
    open_cases = sum(n for _, n in c.by_stage)
    return [Card("open_cases", "Open cases", open_cases, href=_link(links, "cases", status="open", when=open_cases),
                 definition="cases_by_stage")]


def _provision_cards(report: s.Report, links: Links | None, last: str) -> list[Card]:
    p = report.provision
    if p is None or not p.day6["all"]["needed"]:
        return []
    return [Card("day6", "Day-6 provision in place by the 6th day", p.day6_met_rate,
                 href=_link(links, "named", "day6_dashboard"), definition="day6")]


SECTION_CARDS = (_attendance_cards, _exclusion_cards, _legal_cards, _casework_cards, _provision_cards)
