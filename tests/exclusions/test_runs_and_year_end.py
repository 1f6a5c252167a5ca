"""Back-to-back suspensions and suspensions over a year end, with worked examples counted by hand on the calendar in
tests/exclusions/fixtures.py (autumn 2025: 3 Sep-19 Dec, half term 27-31 Oct, LA INSET 14 Nov, Alpha Primary's own
INSET 20 Nov; spring from 5 Jan 2026; summer to 22 Jul 2026; 2026/27 from 2 Sep 2026).

Day 6: consecutive suspensions count as one period, so back-to-back suspensions that together pass five school days
oblige the school to arrange full-time education from the 6th school day of the run (DfE suspension and permanent
exclusion guidance 2023; SI 2007/1870 reg 3). The duty sits on the suspension that day falls in.

The 45-day cap is per school year: a suspension running over the summer counts its days in each year.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from schools.exclusions import services
from schools.models import Exclusion, ExclusionReminder

pytestmark = pytest.mark.django_db
D = datetime.date


def _fresh(e: Exclusion) -> Exclusion:
    return Exclusion.objects.get(pk=e.pk)


def _duty(e: Exclusion):
    e = _fresh(e)
    return e.day6_duty, e.day6_date, e.run_start_date


# --- Back-to-back suspensions and day 6 -----------------------------------------------------------------------------

def test_two_three_day_suspensions_back_to_back_set_a_day6_duty_on_the_second(record):
    # Mon 3 Nov 2025, 6 sessions: 3, 4, 5 Nov. Then Thu 6 Nov, 6 sessions: 6, 7, 10 Nov. Six school days in a row:
    # the 6th (3, 4, 5, 6, 7, 10) is Monday 10 November, in the second suspension.
    first = record(start_date=D(2025, 11, 3), length_sessions=6)
    assert _duty(first) == ("", None, None)  # three days alone: no duty
    second = record(start_date=D(2025, 11, 6), length_sessions=6)
    assert _duty(second) == ("school", D(2025, 11, 10), D(2025, 11, 3))
    assert _duty(first) == ("", None, D(2025, 11, 3))  # part of the run, but the duty is the second's
    deadline = next(d for d in _fresh(second).deadlines() if d.key == "day6")
    assert deadline.label == ("Full-time education from the 6th school day of the back-to-back suspensions from "
                              "3 November 2025 (school arranges)")
    assert "consecutive suspensions count together" in deadline.source
    assert list(Exclusion.objects.missing_day6_provision()) == [_fresh(second)]


def test_a_morning_end_and_an_afternoon_start_are_back_to_back(record):
    # Mon 3 Nov am, 5 sessions: to Wed 5 Nov am. Wed 5 Nov pm, 6 sessions: to Mon 10 Nov am. 11 sessions = 5.5 days,
    # more than five: day 6 is Mon 10 Nov (3, 4, 5, 6, 7, 10), the second suspension's last morning.
    record(start_date=D(2025, 11, 3), length_sessions=5)
    second = record(start_date=D(2025, 11, 5), start_session="pm", length_sessions=6)
    assert (_fresh(second).end_date, _fresh(second).end_session) == (D(2025, 11, 10), "am")
    assert _duty(second) == ("school", D(2025, 11, 10), D(2025, 11, 3))


def test_exactly_five_days_back_to_back_is_no_duty(record):
    record(start_date=D(2025, 11, 3), length_sessions=4)  # 3, 4 Nov
    second = record(start_date=D(2025, 11, 5), length_sessions=6)  # 5, 6, 7 Nov: five days in all
    assert _duty(second) == ("", None, D(2025, 11, 3))
    assert not Exclusion.objects.missing_day6_provision().exists()


def test_a_run_over_a_weekend_an_la_inset_day_and_the_schools_own_inset_day(record, calendar):
    # Wed 12 Nov, 4 sessions (12, 13); Friday 14th is the LA's INSET day, so the next session is Mon 17 Nov:
    # 4 sessions (17, 18); then Wed 19 Nov, 4 sessions: 19 and, over Alpha's own INSET day on the 20th, Fri 21.
    # Run: 12, 13, 17, 18, 19, 21 → the 6th school day is Friday 21 November, in the third suspension.
    first = record(start_date=D(2025, 11, 12), length_sessions=4)
    second = record(start_date=D(2025, 11, 17), length_sessions=4)
    third = record(start_date=D(2025, 11, 19), length_sessions=4)
    assert _fresh(third).end_date == D(2025, 11, 21)
    assert _duty(third) == ("school", D(2025, 11, 21), D(2025, 11, 12))
    assert _duty(first)[0] == _duty(second)[0] == ""
    # At Beta Academy, which keeps the 20th as a school day, the same dates are not back to back after Tue 18th
    # unless the next starts on Wed 19th: 12, 13, 17, 18, 19, 20 → day 6 is Thursday 20 November.
    officer = calendar.users["la_officer"]
    kwargs = {"user": officer, "pupil": calendar.pupil_b, "school": calendar.school_b, "kind": "suspension",
              "reasons": ["DB"], "length_sessions": 4}
    services.exclusion_record(start_date=D(2025, 11, 12), **kwargs)
    services.exclusion_record(start_date=D(2025, 11, 17), **kwargs)
    beta_third = services.exclusion_record(start_date=D(2025, 11, 19), **kwargs)
    assert _duty(beta_third) == ("school", D(2025, 11, 20), D(2025, 11, 12))


def test_back_to_back_over_the_christmas_holiday(record):
    # Wed 17 Dec 2025, 6 sessions: 17, 18, 19 Dec, the last days of the autumn term. The next school session is
    # Mon 5 Jan 2026: 6 sessions, 5, 6, 7 Jan. Day 6 of the run (17, 18, 19, 5, 6, 7) is Wednesday 7 January.
    record(start_date=D(2025, 12, 17), length_sessions=6)
    spring = record(start_date=D(2026, 1, 5), length_sessions=6)
    assert _duty(spring) == ("school", D(2026, 1, 7), D(2025, 12, 17))


def test_a_day_back_in_school_breaks_the_run(record):
    # 3-5 Nov, then back on Thu 6 Nov, then 7-11 Nov: two runs of three days, no duty.
    first = record(start_date=D(2025, 11, 3), length_sessions=6)
    second = record(start_date=D(2025, 11, 7), length_sessions=6)
    assert _duty(first) == ("", None, None) and _duty(second) == ("", None, None)


def test_a_lunchtime_exclusion_does_not_join_a_run(record):
    # Five days, 3-7 Nov, then a lunchtime exclusion on Mon 10 Nov: the pupil is in school that morning and
    # afternoon, so there is no sixth day of suspension.
    five = record(start_date=D(2025, 11, 3), length_sessions=10)
    record(kind="lunchtime", start_date=D(2025, 11, 10), length_sessions=1)
    assert _duty(five) == ("", None, None)
    # A suspension from the afternoon after the lunchtime is not back to back with the five days either.
    after = record(start_date=D(2025, 11, 10), start_session="pm", length_sessions=2)
    assert _duty(after) == ("", None, None)


def test_recording_the_earlier_suspension_later_moves_the_duty(record):
    second = record(start_date=D(2025, 11, 6), length_sessions=6)  # 6, 7, 10 Nov
    assert _duty(second) == ("", None, None)
    record(start_date=D(2025, 11, 3), length_sessions=6)  # recorded afterwards: 3, 4, 5 Nov
    assert _duty(second) == ("school", D(2025, 11, 10), D(2025, 11, 3))


def test_cancelling_or_shortening_a_suspension_in_the_run_ends_the_duty(record, calendar):
    first = record(start_date=D(2025, 11, 3), length_sessions=6)
    second = record(start_date=D(2025, 11, 6), length_sessions=6)
    services.exclusion_reminders_refresh(today=D(2025, 11, 6))
    assert ExclusionReminder.objects.filter(exclusion=second, kind="day6", resolved_on__isnull=True).exists()
    services.exclusion_update(user=calendar.users["school_a"], exclusion=_fresh(first), length_sessions=4)
    # The first now ends on Tue 4 Nov: the pupil is back on Wed 5 Nov, so the runs are 2 and 3 days.
    assert _duty(second) == ("", None, None)
    services.exclusion_update(user=calendar.users["school_a"], exclusion=_fresh(first), length_sessions=6)
    assert _duty(second)[0] == "school"
    services.exclusion_cancel(user=calendar.users["school_a"], exclusion=_fresh(first), cancelled_on=D(2025, 11, 6),
                              reason="Issued in error")
    assert _duty(second) == ("", None, None)
    services.exclusion_reminders_refresh(today=D(2025, 11, 7))
    assert not ExclusionReminder.objects.filter(exclusion=second, resolved_on__isnull=True).exists()


def test_provision_for_the_run_is_recorded_against_the_suspension_with_the_duty(record, calendar):
    record(start_date=D(2025, 11, 3), length_sessions=6)
    second = record(start_date=D(2025, 11, 6), length_sessions=12)  # 6, 7, 10, 11, 12, 13 Nov
    assert _duty(second) == ("school", D(2025, 11, 10), D(2025, 11, 3))
    services.placement_record(user=calendar.users["school_a"], pupil=calendar.pupil_a, exclusion=_fresh(second),
                              arranged_by="school", commissioning_school=calendar.school_a, provider_kind="other",
                              provider_name="Inclusion centre", hours_per_week=Decimal(25),
                              start_date=D(2025, 11, 10))
    assert not Exclusion.objects.missing_day6_provision().exists()


def test_the_run_is_shown_on_the_exclusion_page(record, calendar, client):
    from django.urls import reverse

    first = record(start_date=D(2025, 11, 3), length_sessions=6)
    second = record(start_date=D(2025, 11, 6), length_sessions=6)
    client.force_login(calendar.users["school_a"])
    page = client.get(reverse("exclusion_detail", args=[first.pk])).content.decode()
    assert 'data-testid="consecutive-run"' in page
    assert "6 school days in all" in page
    assert reverse("exclusion_detail", args=[second.pk]) in page  # where the day-6 duty is
    api = client.get(f"/api/exclusions/{second.pk}/").json()
    assert (api["day6_duty"], api["day6_date"], api["run_start_date"]) == ("school", "2025-11-10", "2025-11-03")


# --- A suspension over a year end -----------------------------------------------------------------------------------

def test_a_suspension_over_the_summer_counts_in_each_school_year(record):
    # Mon 20 Jul 2026, 10 sessions: 20, 21, 22 Jul (the summer term ends on the 22nd), then 2, 3 Sep 2026 in the
    # new school year. Three days count in 2025/26 and two in 2026/27.
    e = record(start_date=D(2026, 7, 20), length_sessions=10)
    assert (e.end_date, e.days, e.start_year_days) == (D(2026, 9, 3), Decimal(5), Decimal(3))
    assert services.suspension_days_in_year(e.pupil_id, D(2026, 7, 1))[0] == Decimal(3)
    assert services.suspension_days_in_year(e.pupil_id, D(2026, 9, 10))[0] == Decimal(2)
    assert [(str(y), d) for y, d in [(services.academic_year_containing(day), n)
                                     for day, n in services.year_shares(e)]] == [("2025/26", Decimal(3)),
                                                                                 ("2026/27", Decimal(2))]


def test_an_afternoon_start_and_lunchtimes_over_the_summer(record):
    # Tue 21 Jul pm, 5 sessions: 21 pm, 22 (2) = 1.5 days in 2025/26; 2 Sep (2) = 1 day in 2026/27.
    e = record(start_date=D(2026, 7, 21), start_session="pm", length_sessions=5)
    assert (e.days, e.start_year_days) == (Decimal("2.5"), Decimal("1.5"))
    # Two lunchtimes from Wed 22 Jul: 22 Jul in 2025/26, Wed 2 Sep in 2026/27, half a day each.
    lunch = record(kind="lunchtime", start_date=D(2026, 7, 22), length_sessions=2, pupil=_other_pupil(record))
    assert (lunch.end_date, lunch.days, lunch.start_year_days) == (D(2026, 9, 2), Decimal(1), Decimal("0.5"))


def _other_pupil(record):
    from schools.models import Enrolment, School
    from tests.factories import EnrolmentFactory, PupilFactory

    pupil = PupilFactory(legal_first_name="Lou", legal_last_name="Lunch")
    EnrolmentFactory(pupil=pupil, school=School.objects.get(name="Alpha Primary"))
    assert Enrolment.objects.filter(pupil=pupil).exists()
    return pupil


def test_the_cap_is_checked_in_both_years(record, calendar):
    # 44 days in 2025/26 (15 + 15 + 14), then a suspension from 20 Jul 2026 with 3 days before the summer: 47 in
    # 2025/26, refused, naming the year and the days that fall in it.
    record(start_date=D(2025, 9, 8), length_sessions=30)
    record(start_date=D(2025, 11, 3), length_sessions=30)
    record(start_date=D(2026, 1, 5), length_sessions=28)
    with pytest.raises(ValidationError) as error:
        record(start_date=D(2026, 7, 20), length_sessions=10)
    message = error.value.message_dict["length_sessions"][0]
    assert "suspensions in 2025/26 to 47 school days (with the 3 days of this suspension that fall in 2025/26)" in \
        message and "1 days (2 sessions) remain in 2025/26" in message
    # One day before the summer (Wed 22 Jul) and four after it: 45 in 2025/26 is allowed, 4 days in 2026/27.
    e = record(start_date=D(2026, 7, 22), length_sessions=10)
    assert (e.start_year_days, e.days) == (Decimal(1), Decimal(5))
    assert services.suspension_days_in_year(e.pupil_id, D(2026, 7, 1))[0] == Decimal(45)
    assert services.suspension_days_in_year(e.pupil_id, D(2026, 10, 1))[0] == Decimal(4)


def test_days_carried_into_the_new_year_count_against_its_cap(record):
    carried = record(start_date=D(2026, 7, 22), length_sessions=10)  # 22 Jul; 2, 3, 4, 7 Sep: 4 days in 2026/27
    assert carried.days - carried.start_year_days == Decimal(4)
    record(start_date=D(2026, 9, 14), length_sessions=30)  # 15
    record(start_date=D(2026, 11, 2), length_sessions=30)  # 15
    record(start_date=D(2026, 11, 23), length_sessions=20)  # 10: 44 in 2026/27
    with pytest.raises(ValidationError) as error:
        record(start_date=D(2026, 12, 7), length_sessions=4)
    assert "suspensions in 2026/27 to 46 school days" in error.value.message_dict["length_sessions"][0]


def test_the_cap_shown_on_the_pupil_tab_counts_the_carried_days(record, calendar, client):
    from django.urls import reverse

    record(start_date=D(2026, 7, 20), length_sessions=10)
    client.force_login(calendar.users["school_a"])
    page = client.get(reverse("pupil_exclusions", args=[calendar.pupil_a.pk])).content.decode()
    assert "Suspended for <strong>2</strong> of 45 school days in 2026/27" in page  # "today" is 23 Nov 2026


def test_whole_numbers_of_days_read_as_people_write_them(record, calendar, client):
    from django.urls import reverse

    e = record(start_date=D(2025, 11, 3), length_sessions=20)  # ten days: Decimal("10.0")
    client.force_login(calendar.users["school_a"])
    page = client.get(reverse("exclusion_detail", args=[e.pk])).content.decode()
    assert "1E+1" not in page and "10 of 45 school days" in page

