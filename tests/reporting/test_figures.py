"""Each report figure against an independent calculation on the fixture data (tests/reporting/conftest.py): the
expectations are worked out here in plain Python from the marks written and the records made, never through the
selectors."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from reporting import selectors as s
from schools.models import Enrolment, Exclusion
from tests.reporting.conftest import CATEGORY, MARKS

D = datetime.date
pytestmark = pytest.mark.django_db


def pct(numerator, denominator, places=1):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal(1).scaleb(-places),
                                                                     rounding=ROUND_HALF_UP)


def counts(codes: str) -> dict:
    tally = Counter(CATEGORY[c] for c in codes)
    absent = tally["authorised"] + tally["unauthorised"]
    return {"possible": len(codes), "present": tally["present"], "aea": tally["aea"],
            "authorised": tally["authorised"], "unauthorised": tally["unauthorised"], "absent": absent,
            "pa": absent * 10 >= len(codes), "sa": absent * 2 >= len(codes)}


def expected(keys, which: int) -> dict:
    rows = [counts(MARKS[key][which]) for key in keys if MARKS[key][which]]
    total = {name: sum(row[name] for row in rows) for name in rows[0]}
    total["enrolments"] = len(rows)
    return total


def manager_report(report_world, **scope):
    return s.report_figures(s.scope_for(report_world.users["la_manager"], **scope), s.report_period_for(None))


def test_the_default_period_is_this_term_to_date_against_the_same_days_last_year(report_world):
    period = s.report_period_for(None)
    assert period.label == "Autumn term 2026/27 to 23 November 2026"
    assert (period.start, period.end, period.term) == (D(2026, 9, 2), D(2026, 11, 23), report_world.this_autumn)
    # Last year's term started on 3 September; the same 82 days from it.
    assert (period.previous.start, period.previous.end) == (D(2025, 9, 3), D(2025, 11, 24))
    assert period.previous.label == "Autumn term 2025/26 to 24 November 2025"
    ended = s.term_period(report_world.last_autumn)
    assert ended.label == "Autumn term 2025/26" and ended.current.term == report_world.last_autumn
    assert ended.previous is None  # no 2024/25 calendar in the fixture
    with pytest.raises(s.Http404):
        s.report_period_for("term-999999")
    with pytest.raises(s.Http404):
        s.report_period_for("nonsense")


def test_attendance_headline_against_the_marks_written(report_world):
    report = manager_report(report_world)
    now, before = expected(MARKS, 0), expected(MARKS, 1)
    total, previous = report.attendance.total, report.attendance.previous
    assert (total.figures.possible, total.figures.present, total.figures.aea, total.figures.authorised,
            total.figures.unauthorised) == (now["possible"], now["present"], now["aea"], now["authorised"],
                                            now["unauthorised"])
    assert (total.enrolments, total.pa, total.sa) == (5, now["pa"], now["sa"]) == (5, 3, 1)
    assert total.absence.value == pct(now["absent"], now["possible"]) == Decimal("24.0")
    assert total.persistent.value == pct(3, 5) and total.severe.value == pct(1, 5)
    # Last year: pupil_b's exactly 10% counts as persistent absence.
    assert (previous.enrolments, previous.pa, previous.sa) == (4, before["pa"], before["sa"]) == (4, 1, 0)
    assert previous.absence.value == pct(before["absent"], before["possible"])
    # England: the latest published figure for the same term, naming its year; none for a measure published only
    # for whole years (an autumn term is never compared with a whole year).
    overall = report.attendance.national["overall_absence"]
    assert (overall.value, overall.label) == (Decimal("6.70"), "England, autumn term 2023/24")
    assert report.attendance.national["severe_absence"] is None
    assert report.attendance.national["authorised_absence"] is None


def _group_of(report_world, key: str, dimension: str) -> str:
    pupil, enrolment = report_world.pupils[key], report_world.enrolments[key]
    return {
        "phase": {"primary": "primary", "secondary": "secondary"}.get(enrolment.school.phase, "other"),
        "sex": pupil.sex,
        "sen": {"N": "none", "K": "support", "E": "ehcp"}[pupil.sen_status],
        "fsm": "yes" if pupil.fsm_eligible else "no",
        "looked_after": "yes" if pupil.looked_after else "no",
        "cin_cp": pupil.cin_cp or "none",
        "ethnicity": {"W": "white", "M": "mixed", "A": "asian", "B": "black"}.get(pupil.ethnicity[0], "?")
        if pupil.ethnicity not in ("CHNE", "OOTH", "REFU", "NOBT") else
        {"CHNE": "chinese", "OOTH": "other"}.get(pupil.ethnicity, "unclassified"),
        "nc_year": str(enrolment.nc_year),
    }[dimension]


@pytest.mark.parametrize("dimension", ["phase", *s.ATTENDANCE_GROUPS])
def test_attendance_by_phase_and_pupil_group(report_world, dimension):
    scope = s.scope_for(report_world.users["la_manager"])
    period = s.report_period_for(None)
    rows = {row.key: row for row in s.attendance_by(scope, period.current, dimension)}
    wanted: dict[str, list[str]] = {}
    for key in MARKS:
        wanted.setdefault(_group_of(report_world, key, dimension), []).append(key)
    assert set(rows) == set(wanted), dimension
    for group, keys in wanted.items():
        figures = expected(keys, 0)
        row = rows[group]
        assert (row.figures.possible, row.figures.authorised + row.figures.unauthorised, row.enrolments, row.pa,
                row.sa) == (figures["possible"], figures["absent"], figures["enrolments"], figures["pa"],
                            figures["sa"]), (dimension, group)


def test_weekly_absence_adds_up_to_the_term(report_world):
    report = manager_report(report_world)
    weeks = report.attendance.weeks
    assert sum(possible for _, possible, _ in weeks) == report.attendance.total.figures.possible
    assert sum(absent for _, _, absent in weeks) == report.attendance.total.figures.absent
    assert [monday.weekday() for monday, _, _ in weeks] == [0] * len(weeks)


def test_exclusions_in_the_seed_000_shape(report_world):
    report = manager_report(report_world)
    section = report.exclusions
    start, end = D(2026, 9, 2), D(2026, 11, 23)
    live = [e for e in Exclusion.objects.all() if e.cancelled_on is None and start <= e.start_date <= end]
    suspensions = [e for e in live if e.kind == "suspension"]
    permanent = [e for e in live if e.kind == "permanent"]
    on_roll = {e.pupil_id for e in Enrolment.objects.all()
               if e.start_date <= end and (e.end_date is None or e.end_date >= start)}
    total = section.total
    assert (total.suspensions, total.permanent, total.lunchtime, total.population) == (
        len(suspensions), len(permanent), 1, len(on_roll)) == (3, 1, 1, 5)
    assert total.pupils_suspended == len({e.pupil_id for e in suspensions})
    assert total.suspension_rate.value == pct(3, 5, 2) == Decimal("60.00")
    days = sum(e.days for e in suspensions)
    assert days == Decimal("8.5") and total.average_length.value == Decimal("2.8")  # (1 + 6 + 1.5) / 3
    assert total.short_share.value == pct(sum(e.days <= 5 for e in suspensions), 3)
    # By phase: school A is primary, school B secondary; each phase's population is its own schools' roll.
    phases = {row.key: row for row in section.by_phase}
    assert (phases["primary"].suspensions, phases["primary"].population) == (1, 2)
    assert (phases["secondary"].suspensions, phases["secondary"].permanent, phases["secondary"].population) == (
        2, 1, 3)
    shares = {row.key: (share_s.value, share_p.value) for row, share_s, share_p in section.phase_share}
    assert shares["secondary"] == (pct(2, 3), Decimal("100.0"))
    # Reasons: each exclusion citing a reason counts once, whichever of its three places holds it.
    cited = Counter((e.kind, code) for e in live for code in e.reasons)
    reasons = {row.code: row for row in section.reasons}
    for code, row in reasons.items():
        assert (row.suspensions, row.permanent) == (cited[("suspension", code)], cited[("permanent", code)])
    assert (reasons["DB"].suspensions, reasons["DB"].permanent) == (2, 1)
    assert reasons["DB"].suspension_share.value == pct(2, 3)
    assert "VP" not in reasons  # the cancelled suspension's reason
    # By SEN, sex and ethnicity: each group's share of all suspensions.
    sen = {row.key: (row, share_s) for row, share_s, _ in dict(section.group_shares())[s.DIMENSIONS["sen"]]}
    assert sen["ehcp"][0].suspensions == 1 and sen["ehcp"][1].value == pct(1, 3)
    sex = {row.key: row for row, _, _ in dict(section.group_shares())[s.DIMENSIONS["sex"]]}
    assert (sex["M"].suspensions, sex["M"].permanent, sex["F"].suspensions) == (2, 1, 1)
    # Trend: 2025/26 holds last March's suspension; 2026/27 this term's (and none later yet).
    trend = {row.year.name: row for row in section.trend}
    assert (trend["2025/26"].suspensions, trend["2025/26"].days, trend["2025/26"].pupils) == (1, Decimal("2"), 1)
    assert (trend["2026/27"].exclusions, trend["2026/27"].permanent) == (4, 1)
    assert section.previous.suspensions == 0 and section.permanent_change is None


def test_legal_figures_agree_with_the_legal_selectors(report_world):
    from legal import selectors as legal
    from legal import services as legal_services

    prosecution = report_world.legal.prosecution
    legal_officer = report_world.users["legal_officer"]
    prosecution = legal_services.prosecution_prepare(user=legal_officer, prosecution=prosecution,
                                                     expected_version=prosecution.version,
                                                     witness_statement="I am the LA's attendance officer.")
    legal_services.prosecution_lay(user=legal_officer, prosecution=prosecution, laid_on=D(2026, 11, 20),
                                   court="Brighton Magistrates", expected_version=prosecution.version)
    report = manager_report(report_world)
    period = report.period
    theirs = {row["notice_type"]: row for row in legal.payment_rate_figures(
        user=report_world.users["la_manager"], start=period.start, end=period.end)}
    for row in report.legal.notices:
        other = theirs[row.label]
        assert (row.issued, row.withdrawn, row.paid_reduced, row.paid_full, row.collected) == (
            other["issued"], other["withdrawn"], other["paid_reduced"], other["paid_full"], other["collected"])
        assert row.payment_rate.value == other["payment_rate"]
    assert report.legal.notices_total.issued == 2 and report.legal.notices_total.collected == Decimal("160.00")
    laid = legal.prosecution_figures(user=report_world.users["la_manager"], start=period.start, end=period.end)
    assert [(r.offence, r.status, r.prosecutions) for r in report.legal.prosecutions] == [
        (r["offence"], r["status"], r["prosecutions"]) for r in laid] and report.legal.prosecutions_total == 1


def test_casework_figures(report_world):
    from cases.models import Case
    from cases.selectors import officer_caseloads

    report = manager_report(report_world)
    section = report.casework
    cases = list(Case.objects.all())
    open_by_stage = Counter(c.stage for c in cases if c.status == "open")
    assert dict(section.by_stage)["Stage 2: Early intervention"] == open_by_stage["2_early_intervention"] == 2
    start, end = D(2026, 9, 2), D(2026, 11, 23)
    assert section.opened == sum(start <= c.opened_on <= end for c in cases) == 3
    assert section.closed == 1 and section.outcomes == [("Improved", 1)]
    loads = {o.display_name: o.open_cases for o in officer_caseloads()}
    assert {row.officer: row.open_cases for row in section.caseloads} == {
        name: n for name, n in loads.items() if n}
    assert section.referrals["made"] == 1 and section.referral_days.count == 1
    assert section.within_5 == 1 and section.referral_days.value == Decimal("0.0")


def _school_days(start: D, end: D, half_term: tuple[D, D]) -> int:
    day, n = start, 0
    while day <= end:
        n += day.weekday() < 5 and not half_term[0] <= day <= half_term[1]
        day += datetime.timedelta(days=1)
    return n


def test_provision_figures(report_world):
    report = manager_report(report_world)
    section = report.provision
    # Day 6: the LA's placement began on the 6th school day (met); the school's a day late.
    assert section.day6["la"] == {"needed": 1, "met": 1, "late": 0, "none": 0}
    assert section.day6["school"] == {"needed": 1, "met": 0, "late": 1, "none": 0}
    assert section.day6_met_rate.value == Decimal("50.0")
    assert section.part_time == {"running": 1, "started": 1, "review_overdue": 1, "past_end": 1, "not_notified": 1}
    assert [(p["name"], p["commissioned"], p["used"], p["pupils"]) for p in section.ap_providers] == [
        ("Aspire Academy AP", Decimal("23.0"), Decimal("1"), 1)]  # 25 hours a week is one full-time place
    out = _school_days(D(2026, 9, 2), D(2026, 11, 23), (D(2026, 10, 26), D(2026, 10, 30)))
    assert out == 54
    assert section.fair_access_open == {"all": 1, "38+": 1, "69+": 0, "100+": 0}


def test_traded_income_reuses_the_traded_selectors(report_world):
    from interventions.traded import selectors as traded
    from interventions.traded import services as traded_services
    from tests.traded.fixtures import make_traded

    world = report_world.world
    setup = make_traded(world)
    for school, user in ((world.school_a, "school_a"), (world.school_b, "school_b")):
        traded_services.package_buy(user=world.users[user], school=school, academic_year=setup.year, role="officer",
                                    days="2", schedule="single")
    invoices = traded_services.invoice_run(user=world.users["la_manager"], period_kind="term", term=setup.autumn)
    report = manager_report(report_world)
    assert report.traded.total == sum(i.net for i in invoices) == Decimal("900.00")  # 2 x 2 days x £225
    assert [(label, net) for label, net in report.traded.by_school] == [
        (row["invoice__school__name"], row["net"]) for row in traded.income_by_school(
            user=world.users["la_manager"], terms=[setup.autumn])]
    only_b = manager_report(report_world, school=world.school_b)
    assert only_b.traded is None or only_b.traded.total == Decimal("450.00")
    # Officers and school users never get the section.
    officer = s.report_figures(s.scope_for(world.users["la_officer"], mine=False), s.report_period_for(None))
    assert officer.traded is None


def test_partnership_scope_counts_its_schools_only(report_world):
    world = report_world.world
    partnership = world.school_b.partnership
    report = manager_report(report_world, partnership=partnership)
    assert report.scope.label == f"{partnership.name} partnership"
    assert report.attendance.total.enrolments == 3  # school B's three enrolments
    assert report.exclusions.total.population == 3


def test_phases_are_set_beside_englands_where_the_table_has_them(report_world):
    from reporting import presentation
    from reporting.models import NationalFigure

    report = manager_report(report_world)
    assert not any(t.key == "exclusions_england_phase" for t in presentation.tables_for(report, "exclusions", None))
    # A whole year's figure is not set beside the autumn term the report covers (not like for like)...
    NationalFigure.objects.create(measure="suspension_rate", phase="secondary", academic_year="2023/24",
                                  value=Decimal("20.51"), source="DfE, by phase")
    report = manager_report(report_world)
    assert not any(t.key == "exclusions_england_phase" for t in presentation.tables_for(report, "exclusions", None))
    # ...England's autumn-term figure is.
    NationalFigure.objects.create(measure="suspension_rate", phase="secondary", academic_year="2023/24",
                                  term="autumn", value=Decimal("9.87"), source="DfE, by phase, autumn term")
    NationalFigure.objects.create(measure="overall_absence", phase="primary", academic_year="2023/24",
                                  term="autumn", value=Decimal("5.6"), source="DfE, by phase")
    report = manager_report(report_world)
    exclusions = next(t for t in presentation.tables_for(report, "exclusions", None)
                      if t.key == "exclusions_england_phase")
    assert [[presentation.display(v) for v in row] for row in exclusions.rows] == [
        ["Secondary", "66.67%", "9.87%", "33.33%", "–", "autumn term 2023/24"]]  # 2 suspensions, 1 PEX, 3 pupils
    attendance = next(t for t in presentation.tables_for(report, "attendance", None)
                      if t.key == "attendance_england_phase")
    assert attendance.rows[0][0] == "Primary" and presentation.display(attendance.rows[0][2]) == "5.6%"
    assert attendance.rows[0][-1] == "autumn term 2023/24"
