"""School-day arithmetic against a hand-checked calendar, plus properties that must hold for any dates."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.models import AcademicYear, Closure, Term
from schools.school_days import (
    CalendarMissing,
    add_school_days,
    is_school_day,
    nth_school_day_of,
    school_days_between,
    school_weeks_between,
)
from tests.factories import SchoolFactory

D = datetime.date


@pytest.fixture
def calendar(db):
    year = AcademicYear.objects.create(name="2025/26", start_date=D(2025, 9, 1), end_date=D(2026, 8, 31))
    Term.objects.create(academic_year=year, name="autumn", start_date=D(2025, 9, 3), end_date=D(2025, 12, 19),
                        half_term_start=D(2025, 10, 27), half_term_end=D(2025, 10, 31))
    Term.objects.create(academic_year=year, name="spring", start_date=D(2026, 1, 5), end_date=D(2026, 3, 27),
                        half_term_start=D(2026, 2, 16), half_term_end=D(2026, 2, 20))
    Term.objects.create(academic_year=year, name="summer", start_date=D(2026, 4, 13), end_date=D(2026, 7, 22),
                        half_term_start=D(2026, 5, 25), half_term_end=D(2026, 5, 29))
    Closure.objects.create(date=D(2025, 11, 14), kind="inset")
    academy = SchoolFactory(name="Own Terms Academy")
    Term.objects.create(academic_year=year, name="autumn", school=academy, start_date=D(2025, 9, 1),
                        end_date=D(2025, 12, 17))
    Closure.objects.create(date=D(2025, 9, 1), school=academy, kind="inset")
    return {"year": year, "academy": academy, "la_school": SchoolFactory()}


def test_weekends_half_terms_closures_and_bank_holidays_are_not_school_days(calendar):
    school = calendar["la_school"]
    assert is_school_day(D(2025, 9, 3), school)
    assert not is_school_day(D(2025, 9, 6), school)  # Saturday
    assert not is_school_day(D(2025, 10, 28), school)  # half term
    assert not is_school_day(D(2025, 11, 14), school)  # LA INSET day
    assert not is_school_day(D(2026, 5, 4), school)  # Early May bank holiday, in the summer term
    assert not is_school_day(D(2025, 12, 22), school)  # Christmas holiday


def test_a_school_with_its_own_terms_ignores_la_closures_but_keeps_its_own(calendar):
    academy = calendar["academy"]
    assert not is_school_day(D(2025, 9, 1), academy)  # its own INSET day
    assert is_school_day(D(2025, 9, 2), academy)  # before the LA term starts
    assert is_school_day(D(2025, 11, 14), academy)  # the LA's INSET day is not the academy's
    assert is_school_day(D(2025, 10, 28), academy)  # no half term entered for the academy


def test_worked_examples(calendar):
    school = calendar["la_school"]
    # Friday 24 Oct 2025 + 1 school day skips half term: Monday 3 Nov.
    assert add_school_days(D(2025, 10, 24), 1, school) == D(2025, 11, 3)
    # 15 school days after Monday 10 Nov 2025: 11,12,13,(14 INSET),17-21,24-28,1,2 → Tue 2 Dec.
    assert add_school_days(D(2025, 11, 10), 15, school) == D(2025, 12, 2)
    # An exclusion from Thursday 11 Dec 2025: 11, 12, 15, 16, 17 are days 1-5, so the 6th day is Thursday 18 Dec.
    assert nth_school_day_of(D(2025, 12, 11), 6, school) == D(2025, 12, 18)
    # From Tuesday 16 Dec: 16, 17, 18, 19, then 5 Jan is day 5 and Tuesday 6 Jan 2026 day 6.
    assert nth_school_day_of(D(2025, 12, 16), 6, school) == D(2026, 1, 6)
    # Autumn 2025 on LA dates: 78 weekdays 3 Sep–19 Dec, less 5 half-term days and 1 INSET day.
    assert school_days_between(D(2025, 9, 3), D(2025, 12, 19), school) == 72
    assert school_weeks_between(D(2025, 9, 3), D(2025, 12, 19), school) == 14.4


def test_counting_back(calendar):
    assert add_school_days(D(2025, 11, 3), -1, calendar["la_school"]) == D(2025, 10, 24)


def test_missing_term_dates_are_reported_not_looped_on(calendar):
    with pytest.raises(CalendarMissing, match="enter the term dates"):
        add_school_days(D(2026, 7, 20), 30, calendar["la_school"])


# From the second week of term, so counting back never runs off the first term entered.
dates = st.dates(min_value=D(2025, 9, 29), max_value=D(2026, 6, 19))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=dates, n=st.integers(min_value=1, max_value=20))
def test_adding_n_school_days_spans_exactly_n_school_days(calendar, start, n):
    school = calendar["la_school"]
    end = add_school_days(start, n, school)
    assert end > start and is_school_day(end, school)
    assert school_days_between(start + datetime.timedelta(days=1), end, school) == n
    assert add_school_days(end, -n, school) <= start
