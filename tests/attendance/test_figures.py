"""Figures agree with the DfE method and with an independent calculation (schools.attendance.codes.summarise)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.attendance.codes import summarise
from schools.attendance.selectors import (
    Period,
    enrolment_figures,
    pn_sessions_for,
    pn_threshold_windows,
    pupil_rows,
    resolve_period,
    totals,
    weekly_trend,
)
from schools.models import AcademicYear, AttendanceSummary, AttendanceWeek, Enrolment, Term
from tests.attendance.marks import store_marks

pytestmark = pytest.mark.django_db
D = datetime.date


def _school_days(start: D, count: int) -> list[D]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _write(enrolment: Enrolment, term: Term, marks: list[tuple[D, int, str]]) -> None:
    store_marks(enrolment, term, marks)


def _term_period(term: Term) -> Period:
    return Period(f"term-{term.pk}", "term", term.start_date, term.end_date, term=term)


def test_exactly_ten_percent_is_persistent_and_not_counted_codes_leave_possible(world, terms):
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    days = _school_days(D(2025, 9, 8), 20)  # 40 sessions
    marks = [(day, s, "/") for day in days for s in (0, 1)]
    marks[:4] = [(d, s, "N") for d, s, _ in marks[:4]]  # 4 of 40 = 10.0%
    marks += [(D(2025, 10, 6), 0, "X"), (D(2025, 10, 6), 1, "#")]  # not counted
    _write(enrolment, terms["autumn"], marks)
    summary = AttendanceSummary.objects.get(enrolment=enrolment, term=terms["autumn"])
    assert (summary.possible, summary.unauthorised, summary.is_persistent, summary.is_severe) == (40, 4, True, False)
    figures, pa, sa = totals(world.users["la_officer"], _term_period(terms["autumn"]))
    assert (figures.possible, figures.absent, pa, sa) == (40, 4, 1, 0)


def test_one_fewer_absence_is_not_persistent(world, terms):
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    days = _school_days(D(2025, 9, 8), 20)
    marks = [(day, s, "N" if i < 3 else "/") for i, (day, s) in enumerate((d, s) for d in days for s in (0, 1))]
    _write(enrolment, terms["autumn"], marks)
    assert not AttendanceSummary.objects.get(enrolment=enrolment, term=terms["autumn"]).is_persistent


def test_school_user_totals_cover_only_their_registers(world, terms):
    _write(Enrolment.objects.get(pupil=world.pupil_a), terms["autumn"], [(D(2025, 9, 8), 0, "N")])
    _write(Enrolment.objects.get(pupil=world.pupil_b), terms["autumn"], [(D(2025, 9, 8), 0, "/")])
    period = _term_period(terms["autumn"])
    assert totals(world.users["school_a"], period)[0].possible == 1
    assert totals(world.users["school_a"], period)[0].unauthorised == 1
    assert totals(world.users["school_b"], period)[0].unauthorised == 0
    assert totals(world.users["la_manager"], period)[0].possible == 2


def _summer_2025(world, terms):
    """The 2024/25 summer term (22 April to Tuesday 22 July 2025, half term 26-30 May) before the fixture's 2025/26
    terms (autumn 3 September to 19 December, half term 27-31 October), and pupil_a enrolled across both."""
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    year = AcademicYear.objects.create(name="2024/25", start_date=D(2024, 9, 1), end_date=D(2025, 8, 31))
    summer = Term.objects.create(academic_year=year, name="summer", start_date=D(2025, 4, 22),
                                 end_date=D(2025, 7, 22), half_term_start=D(2025, 5, 26),
                                 half_term_end=D(2025, 5, 30))
    enrolment.start_date = D(2024, 9, 1)
    enrolment.save()
    return enrolment, summer


def test_pn_window_spans_the_summer_holiday_counting_school_weeks_not_marks(world, terms):
    """WT2024: ten G/N/O/U sessions within 10 school weeks, which "can span different terms or school years". A
    school week is one in which the school has a session, from its calendar, whether or not the pupil has a mark.

    School weeks around the summer: 7, 14, 21 July (the term ends on Tuesday 22nd), then 1 September (term starts
    Wednesday 3rd), 8, 15, 22, 29 September, 6, 13, 20 October, (half term), 3 November. One N a week on 7 and 14 July
    and on 3, 8, 15, 22 September and 6, 13, 20 October, none in the weeks of 21 July and 29 September: the window of
    the ten school weeks 14 July to 20 October holds 8 of them, 7 July to 13 October holds 8: the threshold is not
    met. (Counting only the weeks with a mark, as the scan once did, would have stretched ten marked weeks from
    7 July to 3 November and met it.) Two more N on 3 November: the ten school weeks from 1 September to 3 November
    hold 3 Sep ... 20 Oct (7) + 3 Nov (2) = 9, from 21 July 9: still not; a third N that Tuesday makes 10."""
    enrolment, summer = _summer_2025(world, terms)
    _write(enrolment, summer, [(D(2025, 7, 7), 0, "N"), (D(2025, 7, 14), 0, "N")])
    autumn_days = [D(2025, 9, 3), D(2025, 9, 8), D(2025, 9, 15), D(2025, 9, 22), D(2025, 10, 6), D(2025, 10, 13),
                   D(2025, 10, 20)]
    _write(enrolment, terms["autumn"], [(day, 0, "N") for day in autumn_days])
    period = Period("custom", "custom", D(2025, 4, 22), D(2025, 12, 19))
    assert pn_threshold_windows(world.users["la_officer"], period) == []
    _write(enrolment, terms["autumn"], [(D(2025, 11, 3), 0, "N"), (D(2025, 11, 3), 1, "N")])
    assert pn_threshold_windows(world.users["la_officer"], period) == []
    _write(enrolment, terms["autumn"], [(D(2025, 11, 4), 0, "N")])
    [window] = pn_threshold_windows(world.users["la_officer"], period)
    # Ten school weeks ending in the week of 3 November: 1 Sep, 8, 15, 22, 29 Sep, 6, 13, 20 Oct, (half term), 3 Nov
    # is nine; the tenth back is the week of 21 July.
    assert (window.sessions, window.window_start, window.window_end) == (10, D(2025, 7, 21), D(2025, 11, 3))
    # A school user of another school never sees it.
    assert pn_threshold_windows(world.users["school_b"], period) == []


def test_a_window_that_began_before_the_period_is_found_whatever_period_is_shown(world, terms):
    """Unauthorised holiday either side of the summer: six G sessions before it (Wednesday 16 to Friday 18 July),
    four after (Wednesday 3 and Thursday 4 September). The ten school weeks ending in the week of 1 September (1 Sep,
    21 and 14 July, back to 19 May, half term skipped) hold all ten, so the threshold is met in the autumn term's
    first week: the autumn term's list and the year-to-date list show it, though the window began in the summer."""
    enrolment, summer = _summer_2025(world, terms)
    _write(enrolment, summer, [(day, s, "G") for day in _school_days(D(2025, 7, 16), 3) for s in (0, 1)])
    _write(enrolment, terms["autumn"], [(day, s, "G") for day in (D(2025, 9, 3), D(2025, 9, 4)) for s in (0, 1)])
    autumn = Period(f"term-{terms['autumn'].pk}", "autumn", D(2025, 9, 3), D(2025, 12, 19), term=terms["autumn"])
    [window] = pn_threshold_windows(world.users["la_officer"], autumn)
    assert (window.sessions, window.window_end) == (10, D(2025, 9, 1))
    assert window.window_start <= D(2025, 7, 14)
    year_to_date = Period("custom", "year to date", D(2025, 9, 1), D(2025, 11, 23))
    assert [w.enrolment_id for w in pn_threshold_windows(world.users["la_officer"], year_to_date)] == [
        enrolment.pk]
    # The summer term alone (ending 22 July) holds only six.
    summer_only = Period("custom", "summer", D(2025, 4, 22), D(2025, 7, 22))
    assert pn_threshold_windows(world.users["la_officer"], summer_only) == []


def test_a_period_ending_mid_week_counts_only_its_own_sessions(world, terms):
    """Eight N on Monday 8 to Thursday 11 September (AM and PM on the 8th to 11th), then two on Friday 12th. A period
    ending on Thursday 11 September has 8: not met; one ending on Friday has 10. The sessions listed stop at the
    period's end too."""
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    _write(enrolment, terms["autumn"], [(day, s, "N") for day in _school_days(D(2025, 9, 8), 5) for s in (0, 1)])
    thursday = Period("custom", "to Thursday", D(2025, 9, 3), D(2025, 9, 11))
    assert pn_threshold_windows(world.users["la_officer"], thursday) == []
    friday = Period("custom", "to Friday", D(2025, 9, 3), D(2025, 9, 12))
    [window] = pn_threshold_windows(world.users["la_officer"], friday)
    assert window.sessions == 10
    assert len(pn_sessions_for(world.users["la_officer"], [window])[enrolment.pk]) == 10


def test_nine_sessions_do_not_meet_the_threshold(world, terms):
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    _write(enrolment, terms["autumn"], [(day, 0, "G") for day in _school_days(D(2025, 9, 8), 9)])
    period = resolve_period(None, D(2025, 12, 19), D(2025, 9, 1), D(2025, 12, 19))
    assert pn_threshold_windows(world.users["la_officer"], period) == []


CODES = st.sampled_from(["/", "\\", "L", "U", "N", "G", "O", "C", "M", "I", "E", "K", "V", "X", "Z", "#", "C1", "Y1"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=st.lists(CODES, min_size=1, max_size=60))
def test_engine_agrees_with_the_reference_calculation(world, terms, codes):
    AttendanceWeek.objects.all().delete()
    AttendanceSummary.objects.all().delete()  # derived from the weeks, so cleared with them
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    days = _school_days(D(2025, 9, 8), (len(codes) + 1) // 2)
    marks = [(days[i // 2], i % 2, code) for i, code in enumerate(codes)]
    _write(enrolment, terms["autumn"], marks)
    expected = summarise([(day, code) for day, _, code in marks])
    stored = AttendanceSummary.objects.get(enrolment=enrolment, term=terms["autumn"])
    assert (stored.possible, stored.present + stored.aea, stored.authorised, stored.unauthorised, stored.late) == (
        expected.possible, expected.attended, expected.authorised, expected.unauthorised, expected.late)
    rolling = Period("custom", "custom", D(2025, 9, 1), D(2025, 12, 19))
    row = next(iter(enrolment_figures(world.users["la_officer"], rolling)))
    assert (row["possible"], row["unauthorised"]) == (expected.possible, expected.unauthorised)


def test_the_nightly_recompute_is_scheduled_and_names_a_real_task():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["attendance-nightly-recompute"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_term_period_counts_schools_on_their_own_term_dates(world, terms):
    """The LA's autumn term figures include an academy's pupils, summarised under the academy's own autumn term."""
    own_autumn = Term.objects.create(academic_year=terms["year"], name="autumn", school=world.school_b,
                                     start_date=D(2025, 9, 1), end_date=D(2025, 12, 17))
    _write(Enrolment.objects.get(pupil=world.pupil_b), own_autumn, [(D(2025, 9, 1), 0, "N")])
    _write(Enrolment.objects.get(pupil=world.pupil_a), terms["autumn"], [(D(2025, 9, 8), 0, "/")])
    figures, pa, _ = totals(world.users["la_manager"], _term_period(terms["autumn"]))
    assert (figures.possible, figures.unauthorised, pa) == (2, 1, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=st.lists(CODES, min_size=1, max_size=40), start=st.integers(0, 13), length=st.integers(0, 13))
def test_a_period_that_cuts_weeks_counts_only_its_own_sessions(world, terms, codes, start, length):
    """A custom period starting and ending mid-week adds whole weeks' stored counts and only the sessions inside it
    from the weeks it cuts, for the totals, the per-pupil rows and the weekly trend alike."""
    AttendanceWeek.objects.all().delete()
    AttendanceSummary.objects.all().delete()  # derived from the weeks, so cleared with them
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    days = _school_days(D(2025, 9, 8), (len(codes) + 1) // 2)
    marks = [(days[i // 2], i % 2, code) for i, code in enumerate(codes)]
    _write(enrolment, terms["autumn"], marks)
    first = D(2025, 9, 8) + datetime.timedelta(days=start)
    last = first + datetime.timedelta(days=length)
    period = Period("custom", "custom", first, last)
    expected = summarise([(day, code) for day, _, code in marks if first <= day <= last])
    user = world.users["la_officer"]
    figures = totals(user, period)[0]
    assert (figures.possible, figures.attended, figures.authorised, figures.unauthorised, figures.late) == (
        expected.possible, expected.attended, expected.authorised, expected.unauthorised, expected.late)
    row = pupil_rows(user, period, Enrolment.objects.filter(pk=enrolment.pk)).get()
    assert (row.possible, row.present + row.aea) == (expected.possible, expected.attended)
    assert sum(week["possible"] for week in weekly_trend(user, period, [enrolment])) == expected.possible


def test_rates_round_half_up_everywhere():
    """8 of 128 sessions is 6.25%: 6.3% on every page, export, API answer and PDF (half up, the DfE's rounding), not
    6.2% (Python's and Decimal's default, half to even)."""
    from reporting.selectors import Rate
    from schools.attendance.codes import absence_rate, as_percent, rate_as_percent
    from schools.templatetags.attendance import percent

    assert as_percent(8, 128) == Decimal("6.3") and rate_as_percent(absence_rate(128, 8)) == Decimal("6.3")
    assert percent(absence_rate(128, 8)) == "6.3%"
    assert Rate(8, 128).value == Decimal("6.3")
    assert as_percent(1, 8) == Decimal("12.5") and as_percent(1, 16) == Decimal("6.3")  # 6.25 again
    assert as_percent(3, 0) is None


def test_the_threshold_counts_each_schools_own_school_weeks(world, terms):
    """Two pupils with the same absences, one at a school on the LA's calendar (half term 27-31 October), one at an
    academy with its own autumn term and a two-week October break (20-31 October).

    Marks for both: N all day Wednesday 3 September (2), N on the morning of each Monday 8, 15, 22, 29 September and
    6, 13 October (6), N all day Monday 17 November (2): 10 in all.
    - LA calendar: the ten school weeks ending with 17 November are 17, 10, 3 Nov, 20, 13, 6 Oct, 29, 22, 15, 8 Sep:
      they hold 6 + 2 = 8, and the ten ending 10 November (back to 1 Sep) hold 2 + 6 = 8: not met.
    - The academy: 20 and 27 October are not school weeks, so the ten ending with 17 November reach back to the week
      of 1 September and hold all 10: met, window 1 September to 17 November.
    A one-day closure at the LA-calendar school (Tuesday 16 September) leaves its weeks as they were."""
    from schools.models import Closure

    academy_autumn = Term.objects.create(academic_year=terms["year"], name="autumn", school=world.school_b,
                                         start_date=D(2025, 9, 3), end_date=D(2025, 12, 19),
                                         half_term_start=D(2025, 10, 20), half_term_end=D(2025, 10, 31))
    Closure.objects.create(date=D(2025, 9, 16), school=world.school_a, kind=Closure.Kind.CLOSURE,
                           reason="Boiler failure")
    marks = ([(D(2025, 9, 3), s, "N") for s in (0, 1)]
             + [(day, 0, "N") for day in (D(2025, 9, 8), D(2025, 9, 15), D(2025, 9, 22), D(2025, 9, 29),
                                           D(2025, 10, 6), D(2025, 10, 13))]
             + [(D(2025, 11, 17), s, "N") for s in (0, 1)])
    on_la_calendar = Enrolment.objects.get(pupil=world.pupil_a)
    at_academy = Enrolment.objects.get(pupil=world.pupil_b)
    _write(on_la_calendar, terms["autumn"], marks)
    _write(at_academy, academy_autumn, marks)
    [window] = pn_threshold_windows(world.users["la_officer"], _term_period(terms["autumn"]))
    assert (window.enrolment_id, window.sessions, window.window_start, window.window_end) == (
        at_academy.pk, 10, D(2025, 9, 1), D(2025, 11, 17))
