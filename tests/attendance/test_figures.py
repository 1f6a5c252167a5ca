"""Figures agree with the DfE method and with an independent calculation (schools.attendance.codes.summarise)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.attendance.codes import summarise
from schools.attendance.selectors import (
    Period,
    enrolment_figures,
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


def test_pn_window_spans_half_term_and_the_year_end(world, terms):
    """Ten N sessions spread over weeks either side of half term and of the summer holiday still meet the threshold
    when they fall within 10 school weeks; holiday weeks have no sessions and do not count."""
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    spring = terms["spring"]
    summer_year = AcademicYear.objects.create(name="2024/25", start_date=D(2024, 9, 1), end_date=D(2025, 8, 31))
    summer = Term.objects.create(academic_year=summer_year, name="summer", start_date=D(2025, 4, 22),
                                 end_date=D(2025, 7, 22))
    enrolment.start_date = D(2024, 9, 1)
    enrolment.save()
    # Weeks of 7 and 14 July 2025 (summer term), then 3, 8, 15, 22 Sep and 6, 13, 20 Oct, and 3 Nov after half term.
    july = [(D(2025, 7, 7), 0, "N"), (D(2025, 7, 14), 0, "N")]
    autumn_days = [D(2025, 9, 3), D(2025, 9, 8), D(2025, 9, 15), D(2025, 9, 22), D(2025, 10, 6), D(2025, 10, 13),
                   D(2025, 10, 20), D(2025, 11, 3)]
    _write(enrolment, summer, july)
    _write(enrolment, terms["autumn"], [(day, 0, "N") for day in autumn_days])
    assert spring  # the spring term exists but has no marks
    period = Period("custom", "custom", D(2025, 4, 1), D(2025, 12, 19))
    windows = pn_threshold_windows(world.users["la_officer"], period)
    assert len(windows) == 1
    window = windows[0]
    # 10 school weeks with a session: 7 Jul, 14 Jul, 1 Sep, 8 Sep, 15 Sep, 22 Sep, 6 Oct, 13 Oct, 20 Oct, 3 Nov.
    assert (window.sessions, window.window_start, window.window_end) == (10, D(2025, 7, 7), D(2025, 11, 3))
    # A school user of another school never sees it.
    assert pn_threshold_windows(world.users["school_b"], period) == []


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
