"""Which roll changes count as having no notice: the final year's leavers at the end of the school year and the
youngest year's joiners at its start need none (reg 13(2), 13(5))."""

from __future__ import annotations

import datetime

import pytest

from schools.roll import selectors
from tests.factories import EnrolmentFactory, PupilFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def test_leavers_with_no_notice_leave_out_the_final_years_july_leavers(calendar, send):
    school = calendar.school_b  # a secondary school: its final year is Year 11
    y11_july = EnrolmentFactory(school=school, start_date=D(2021, 9, 3), end_date=D(2026, 7, 22), nc_year=11)
    y9_july = EnrolmentFactory(school=school, start_date=D(2024, 9, 3), end_date=D(2026, 7, 22), nc_year=9)
    y11_march = EnrolmentFactory(school=school, start_date=D(2021, 9, 3), end_date=D(2026, 3, 6), nc_year=11)
    notified = EnrolmentFactory(school=school, start_date=D(2024, 9, 3), end_date=D(2026, 5, 1), nc_year=8)
    send(pupil=notified.pupil, event_date=D(2026, 5, 1), ground="g")
    found = set(selectors.deletions_without_notice(user=calendar.users["la_officer"], since=D(2026, 1, 1)))
    assert found == {y9_july, y11_march}
    assert y11_july not in found
    assert set(selectors.deletions_without_notice(user=calendar.users["school_a"], since=D(2026, 1, 1))) == set()


def test_joiners_with_no_notice_leave_out_the_youngest_year_in_september_and_the_last_5_school_days(calendar, send):
    school = calendar.school_b
    y7_september = EnrolmentFactory(pupil=PupilFactory(), school=school, start_date=D(2026, 9, 2), nc_year=7)
    y9_september = EnrolmentFactory(pupil=PupilFactory(), school=school, start_date=D(2026, 9, 2), nc_year=9)
    # Today is Monday 23 November: 5 school days back is Monday 16 November.
    on_16th = EnrolmentFactory(pupil=PupilFactory(), school=school, start_date=D(2026, 11, 16), nc_year=8)
    on_17th = EnrolmentFactory(pupil=PupilFactory(), school=school, start_date=D(2026, 11, 17), nc_year=8)
    notified = EnrolmentFactory(pupil=PupilFactory(), school=school, start_date=D(2026, 10, 5), nc_year=8)
    send("admission", pupil=notified.pupil, event_date=D(2026, 10, 5))
    assert selectors.admission_notice_cutoff(D(2026, 11, 23)) == D(2026, 11, 16)
    found = set(selectors.admissions_without_notice(user=calendar.users["la_officer"]))
    assert {y9_september, on_16th} <= found
    assert not found & {y7_september, on_17th, notified}
