"""The deadline engine against worked examples counted by hand on the calendar in conftest.py: half terms, bank
holidays, an LA INSET day (14 Nov 2025), Alpha Primary's own INSET day (20 Nov 2025), Christmas and a year end.

Rules (statutory-rules.md §5): the board considers reinstatement within 15 school days of notice (permanent; more
than 15 days in a term; a missed public exam) or 50 (6-15 days with representations); parents have 15 school days
to apply for an independent review; the panel meets within 15; the board reconsiders within 10; education from the
6th school day (LA for a permanent exclusion, the school for a suspension over five days).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from schools.exclusions import rules, services
from schools.models import Exclusion

pytestmark = pytest.mark.django_db
D = datetime.date


def test_permanent_exclusion_before_christmas(record):
    # Thursday 11 Dec 2025. Days of exclusion: 11, 12, 15, 16, 17 → the 6th is Thursday 18 Dec.
    # Board: 15 school days after the notice on 11 Dec: 12, 15-19 (6), Christmas, 5-9 Jan (11), 12-15 Jan (15).
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    assert (e.day6_duty, e.day6_date) == ("la", D(2025, 12, 18))
    assert (e.board_rule, e.board_due) == ("permanent", D(2026, 1, 15))
    assert e.end_date is None and e.days == 0


def test_across_half_term_and_a_school_specific_inset_day(record, calendar):
    # Wednesday 22 Oct 2025, permanent. Days 22, 23, 24, (half term 27-31), 3, 4 Nov → 6th day is Wednesday 5 Nov.
    e = record(kind="permanent", start_date=D(2025, 10, 22), length_sessions=None)
    assert e.day6_date == D(2025, 11, 5)
    # Board: 23, 24, 3-7 Nov (7), 10-13 (11), LA INSET 14th, 17-19 (14), Alpha's own INSET 20th, 21 Nov (15).
    assert e.board_due == D(2025, 11, 21)
    # Beta Academy keeps 20 Nov as a school day, so its board is due a day earlier.
    other = services.exclusion_record(
        user=calendar.users["la_officer"], pupil=calendar.pupil_b, school=calendar.school_b, kind="permanent",
        start_date=D(2025, 10, 22), reasons=["DB"])
    assert other.board_due == D(2025, 11, 20)


def test_independent_review_and_reconsideration_chain(record, calendar):
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    e = services.exclusion_review_record(
        user=calendar.users["school_a"], exclusion=e, board_met_on=D(2026, 1, 14), board_decision="upheld",
        board_decision_notified_on=D(2026, 1, 19))
    # Parents apply within 15 school days of being told on Monday 19 Jan: 20-23 (4), 26-30 (9), 2-6 Feb (14),
    # Monday 9 Feb (15).
    assert e.irp_application_due == D(2026, 2, 9)
    e = services.exclusion_review_record(user=calendar.users["school_a"], exclusion=e, irp_applied_on=D(2026, 2, 6))
    # The panel meets within 15 school days of Friday 6 Feb: 9-13 (5), half term 16-20, 23-27 (10), 2-6 Mar (15).
    assert e.irp_meeting_due == D(2026, 3, 6)
    e = services.exclusion_review_record(user=calendar.users["school_a"], exclusion=e, irp_decided_on=D(2026, 3, 23),
                                         irp_decision="quash")
    # Reconsideration within 10 school days of Monday 23 Mar: 24-27 (4), Easter holidays, 13-17 Apr (9), 20 Apr (10).
    assert e.reconsideration_due == D(2026, 4, 20)
    statuses = {d.key: d.status(today=D(2026, 4, 1), soon=D(2026, 4, 14)) for d in e.deadlines()}
    assert statuses == {"day6": "missed", "board": "done", "irp_application": "done", "irp_meeting": "late",
                        "reconsideration": "upcoming"}


def test_suspension_over_a_bank_holiday_sets_a_school_day6_duty(record):
    # Thursday 30 Apr 2026 for 12 sessions: 30 Apr, 1 May, (Early May bank holiday 4 May), 5, 6, 7, 8 May.
    e = record(start_date=D(2026, 4, 30), length_sessions=12)
    assert (e.end_date, e.end_session, e.days) == (D(2026, 5, 8), "pm", Decimal(6))
    assert (e.day6_duty, e.day6_date) == ("school", D(2026, 5, 8))
    assert e.board_rule == ""  # six days, no representations: the board need not meet


def test_ten_sessions_is_no_day6_duty_eleven_is():
    assert rules.day6_duty_for(kind="suspension", sessions=10) == ""
    assert rules.day6_duty_for(kind="suspension", sessions=11) == "school"
    assert rules.day6_duty_for(kind="lunchtime", sessions=30) == ""
    assert rules.day6_duty_for(kind="permanent", sessions=None) == "la"


def test_permanent_exclusion_across_the_summer_holiday(record):
    # Monday 20 Jul 2026: 20, 21, 22 Jul, then the new year's autumn term 2, 3 Sep → the 6th day is Friday 4 Sep.
    e = record(kind="permanent", start_date=D(2026, 7, 20), length_sessions=None)
    assert e.day6_date == D(2026, 9, 4)
    # Board: 21, 22 Jul (2), 2-4 Sep (5), 7-11 (10), 14-18 Sep (15).
    assert e.board_due == D(2026, 9, 18)


def test_representations_give_the_board_50_school_days(record):
    # Six days from Monday 2 Mar 2026 with representations: 50 school days after notice on 2 Mar:
    # 3-6 Mar (4), 9-27 Mar (19), Easter, 13 Apr-1 May (34), bank holiday 4 May, 5-22 May (48), half term,
    # 1 Jun (49), 2 Jun (50).
    e = record(start_date=D(2026, 3, 2), length_sessions=12, parental_representations=True)
    assert (e.board_rule, e.board_due) == ("representations", D(2026, 6, 2))
    # Representations are made about a particular suspension: a later one without them sets no board duty.
    assert record(pupil=e.pupil, start_date=D(2026, 3, 16), length_sessions=2).board_rule == ""


def test_more_than_fifteen_days_in_a_term_makes_the_board_meet_for_every_suspension(record):
    first = record(start_date=D(2025, 9, 8), length_sessions=20)  # 10 days: 8-19 Sep
    assert first.board_rule == ""
    second = record(start_date=D(2025, 10, 1), length_sessions=12)  # 6 more: 16 in the autumn term
    first.refresh_from_db()
    assert second.term_days_total == first.term_days_total == 16
    assert first.board_rule == second.board_rule == "over_15"
    # The duty arose with the second notice (Wednesday 1 Oct), which took the term past 15 days: the board meets
    # within 15 school days of it for both, 2-3 Oct (2), 6-10 (7), 13-17 (12), 20-22 Oct (15). Not from the first
    # notice (8 Sep, which would give 29 Sep, before the duty existed).
    assert first.board_due == second.board_due == D(2025, 10, 22)
    # Cancelling the second takes the term back to 10 days and the duty away.
    services.exclusion_cancel(user=second.created_by, exclusion=second, cancelled_on=D(2025, 10, 1),
                              reason="Issued in error")
    first.refresh_from_db()
    assert (first.term_days_total, first.board_rule, first.board_due) == (10, "", None)


def test_a_missed_public_exam_makes_the_board_meet_within_15_days(record):
    e = record(start_date=D(2026, 5, 11), length_sessions=4, missed_public_exam=True)
    assert (e.board_rule, e.board_due) == ("public_exam", D(2026, 6, 8))  # 12-22 May (9), half term, 1-8 Jun


def test_afternoon_start_and_lunchtimes(record):
    # Wednesday 3 Dec 2025 afternoon, 3 sessions: Wed pm, Thu am and pm.
    e = record(start_date=D(2025, 12, 3), start_session="pm", length_sessions=3)
    assert (e.end_date, e.end_session, e.days) == (D(2025, 12, 4), "pm", Decimal("1.5"))
    # Three lunchtimes from Friday 5 Dec: 5, 8, 9 Dec; half a day each.
    lunch = record(kind="lunchtime", start_date=D(2025, 12, 5), length_sessions=3)
    assert (lunch.end_date, lunch.days) == (D(2025, 12, 9), Decimal("1.5"))
    # A suspension from the afternoon after the last lunchtime does not overlap it.
    record(start_date=D(2025, 12, 9), start_session="pm", length_sessions=1)


@pytest.mark.parametrize("start, sessions, days", [("am", 1, 1), ("am", 2, 1), ("am", 3, 2), ("pm", 1, 1),
                                                   ("pm", 2, 2), ("pm", 3, 2), ("pm", 4, 3)])
def test_days_spanned_by_sessions(start, sessions, days):
    assert rules.days_needed(start, sessions) == days


def test_the_schedule_is_recomputed_when_term_dates_change(record, calendar):
    from schools.models import Closure

    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    Closure.objects.create(date=D(2025, 12, 15), school=calendar.school_a, kind="closure", reason="Heating failure")
    assert services.exclusion_recompute(exclusion=Exclusion.objects.get(pk=e.pk)) is True
    e.refresh_from_db()
    assert e.day6_date == D(2025, 12, 19)
    assert services.exclusion_recompute(exclusion=e) is False


def test_term_and_year_lookups_used_by_the_term_total_and_the_cap(calendar):
    from schools.models import Term
    from schools.school_days import academic_year_containing, term_containing

    assert term_containing(D(2025, 10, 28), calendar.school_a) == (D(2025, 9, 3), D(2025, 12, 19))  # half term
    assert term_containing(D(2025, 12, 25), calendar.school_a) is None  # holidays belong to no term
    Term.objects.create(academic_year=academic_year_containing(D(2025, 9, 1)), name="autumn",
                        school=calendar.school_b, start_date=D(2025, 9, 1), end_date=D(2025, 12, 17))
    assert term_containing(D(2025, 9, 2), calendar.school_b) == (D(2025, 9, 1), D(2025, 12, 17))
    assert term_containing(D(2025, 9, 2), calendar.school_a) is None  # before the LA's term starts
    assert str(academic_year_containing(D(2026, 8, 31))) == "2025/26"
    assert str(academic_year_containing(D(2026, 9, 1))) == "2026/27"


def test_a_suspension_over_christmas_counts_each_day_in_its_own_term(record):
    """Excl2012 reg 24: "more than 15 school days in a term". Autumn 2025 ends Friday 19 Dec; spring starts Monday
    5 Jan 2026. 12 days in September, then 6 days from Wednesday 17 Dec: 17, 18, 19 Dec (3 in autumn), 5, 6, 7 Jan
    (3 in spring). Autumn holds 12 + 3 = 15 (not more than 15), spring 3: no board duty. Counting the whole suspension
    in the autumn (18) would have demanded a meeting the law does not require."""
    first = record(start_date=D(2025, 9, 8), length_sessions=24)  # 8-23 Sep: 12 days
    across = record(start_date=D(2025, 12, 17), length_sessions=12)
    assert (across.end_date, across.days) == (D(2026, 1, 7), Decimal(6))
    first.refresh_from_db()
    assert (across.term_days_total, across.board_rule, across.board_due) == (Decimal(15), "", None)
    assert (first.term_days_total, first.board_rule) == (Decimal(15), "")
    # Two more days in spring: 3 + 2 = 5, still no duty; 11 more make spring 3 + 2 + 11 = 16 > 15: the duty runs
    # from that last notice (Monday 2 Feb 2026): 3-6 Feb (4), 9-13 (9), half term 16-20, 23-27 (14), 2 Mar (15).
    record(start_date=D(2026, 1, 19), length_sessions=4)
    last = record(start_date=D(2026, 2, 2), length_sessions=22)  # 2-13 Feb, 23 Feb: 11 days
    across.refresh_from_db()
    assert (last.term_days_total, last.board_rule, last.board_due) == (Decimal(16), "over_15", D(2026, 3, 2))
    # The suspension over Christmas has its spring days in that term, so the spring duty covers it too; the
    # autumn (15 days) still creates none.
    assert (across.term_days_total, across.board_rule, across.board_due) == (Decimal(16), "over_15", D(2026, 3, 2))
    first.refresh_from_db()
    assert (first.term_days_total, first.board_rule, first.board_due) == (Decimal(15), "", None)


def test_the_duty_from_a_later_notice_is_not_backdated_and_reminders_follow_it(record, calendar):
    """10 days from Monday 8 Sep 2025, then 6 from Monday 3 Nov (autumn total 16): the board must consider both within
    15 school days of the 3 Nov notice: 4-7 Nov (4), 10-13 (8), LA INSET 14th, 17-19 (11), Alpha's INSET 20th,
    21 (12), 24-26 Nov (15). No deadline before 3 Nov, so no reminder says it "was due" weeks ago."""
    first = record(start_date=D(2025, 9, 8), length_sessions=20)
    second = record(start_date=D(2025, 11, 3), length_sessions=12)
    first.refresh_from_db()
    assert first.board_due == second.board_due == D(2025, 11, 26)
    assert all(e.board_due > e.start_date for e in (first, second))


def test_a_suspension_over_the_summer_counts_in_each_school_year_and_term(record):
    """Year end: Tuesday 21 July 2026, 8 sessions: 21, 22 Jul (the last two days of 2025/26's summer term), then
    2, 3 Sep (2026/27's autumn term, which starts on Wednesday 2 September). Two days in each term, each year."""
    e = record(start_date=D(2026, 7, 21), length_sessions=8)
    assert (e.end_date, e.days, e.start_year_days) == (D(2026, 9, 3), Decimal(4), Decimal(2))
    summer = next(d for d in services.term_duties(e) if d.bounds[0] == D(2026, 4, 13))
    autumn = next(d for d in services.term_duties(e) if d.bounds[0] == D(2026, 9, 2))
    assert (summer.total, autumn.total) == (Decimal(2), Decimal(2))
    assert (e.term_days_total, e.board_rule) == (Decimal(2), "")
