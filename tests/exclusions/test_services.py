"""Bad input is refused with a clear message at the field and nothing half-saved; every write is audited; the
45-day cap counts every school; provision, part-time timetables, moves, Fair Access, CME and reminders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from schools.common import providers
from schools.exclusions import services
from schools.models import (
    AuditEvent,
    CMERecord,
    Enrolment,
    Exclusion,
    ExclusionReminder,
    PartTimeTimetable,
    Placement,
)
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _refused(record, field, words, **fields):
    exclusions, audits = Exclusion.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        record(**fields)
    messages = " ".join(error.value.message_dict[field])
    assert words in messages, messages
    assert Exclusion.objects.count() == exclusions and AuditEvent.objects.count() == audits
    return messages


def test_recording_is_audited(record):
    e = record()
    event = AuditEvent.objects.get(object_type="schools.Exclusion", object_id=str(e.pk))
    assert (event.action, event.username, event.pupil_id) == ("create", "school_a", e.pupil_id)
    assert event.changes["reason_1"] == [None, "PA"]


def test_pupil_not_on_the_schools_roll_that_day(record, calendar):
    # Ben is on Beta's roll, not Alpha's.
    message = _refused(record, "start_date", "was not on Alpha Primary's roll on 3 November 2025",
                       pupil=calendar.pupil_b, user=calendar.users["la_officer"])
    assert "Ben Able" in message
    # Mo left Alpha in July 2024.
    _refused(record, "start_date", "not on Alpha Primary's roll", pupil=calendar.moved)


@pytest.mark.parametrize("day, words", [
    (D(2025, 11, 8), "Saturday 8 November 2025 is not a school day"),
    (D(2025, 10, 28), "Tuesday 28 October 2025 is not a school day"),  # half term
    (D(2025, 11, 20), "Thursday 20 November 2025 is not a school day at Alpha Primary"),  # its own INSET day
    (D(2026, 5, 4), "Monday 4 May 2026 is not a school day"),  # bank holiday
])
def test_start_on_a_non_school_day(record, day, words):
    _refused(record, "start_date", words, start_date=day)


def test_overlapping_suspensions(record):
    record(start_date=D(2025, 11, 3), length_sessions=6)  # Mon-Wed
    _refused(record, "start_date", "overlaps the pupil's suspension from 3 November 2025 to 5 November 2025",
             start_date=D(2025, 11, 5), start_session="pm", length_sessions=2)
    # Starting the morning after is fine, and so is a permanent exclusion after it.
    record(start_date=D(2025, 11, 6), length_sessions=2)
    record(kind="permanent", start_date=D(2025, 11, 10), length_sessions=None)
    # Nothing more while the permanent exclusion stands.
    _refused(record, "start_date", "overlaps the pupil's permanent exclusion", start_date=D(2025, 12, 1))


def test_a_fourth_reason_code_and_bad_codes(record):
    _refused(record, "reasons", "Choose up to 3 reasons", reasons=["PA", "VA", "DB", "DM"])
    _refused(record, "reasons", "at least one reason", reasons=[])
    _refused(record, "reasons", "ZZ is not a DfE exclusion reason code", reasons=["ZZ"])
    _refused(record, "reasons", "legacy code", reasons=["OT"])
    _refused(record, "reasons", "each reason once", reasons=["PA", "PA"])
    assert record(reasons=["OT"], imported=True).reasons == ["OT"]


def test_suspension_that_would_pass_45_days_is_refused(record, calendar):
    # 44 days this year: 15 + 15 in the autumn, 14 in the spring.
    record(start_date=D(2025, 9, 8), length_sessions=30)
    record(start_date=D(2025, 11, 3), length_sessions=30)
    record(start_date=D(2026, 1, 5), length_sessions=28)
    message = _refused(record, "length_sessions", "the limit is 45 school days in a school year",
                       start_date=D(2026, 3, 2), length_sessions=4)
    assert "46 school days" in message and "1 days (2 sessions) remain" in message
    assert record(start_date=D(2026, 3, 2), length_sessions=2).days == 1  # exactly 45 is allowed
    # Lunchtimes count half a day each.
    _refused(record, "length_sessions", "45.5 school days", kind="lunchtime", start_date=D(2026, 3, 4),
             length_sessions=1)
    # A new school year starts again at nought.
    assert record(start_date=D(2026, 9, 7), length_sessions=10).days == 5


def test_the_cap_counts_suspensions_at_every_school(record, calendar):
    pupil = PupilFactory(legal_first_name="Cat", legal_last_name="Crossing")
    EnrolmentFactory(pupil=pupil, school=calendar.school_b, start_date=D(2024, 9, 2), nc_year=8)
    Enrolment.objects.filter(pupil=pupil).update(end_date=D(2025, 12, 19))
    EnrolmentFactory(pupil=pupil, school=calendar.school_a, start_date=D(2026, 1, 5), nc_year=8)
    officer = calendar.users["la_officer"]
    services.exclusion_record(user=officer, pupil=pupil, school=calendar.school_b, kind="suspension",
                              start_date=D(2025, 9, 8), length_sessions=40, reasons=["PA"])
    services.exclusion_record(user=officer, pupil=pupil, school=calendar.school_b, kind="suspension",
                              start_date=D(2025, 11, 3), length_sessions=40, reasons=["PA"])
    _refused(record, "length_sessions", "Cat Crossing's suspensions in 2025/26 to 46 school days (counting every "
             "school)", pupil=pupil, start_date=D(2026, 1, 6), length_sessions=12)
    # Alpha's lead is not shown the other school's suspensions, only the total.
    assert services.suspension_days_in_year(pupil.pk, D(2026, 1, 6))[0] == 40


def test_school_users_record_only_for_their_own_school(record, calendar):
    _refused(record, "school", "only record this for your own school, not Beta Academy",
             pupil=calendar.pupil_b, school=calendar.school_b)
    with pytest.raises(PermissionDenied):
        record(user=calendar.users["legal_officer"])


def test_review_steps_must_follow_each_other(record, calendar):
    user = calendar.users["school_a"]
    suspension = record()
    with pytest.raises(ValidationError) as error:
        services.exclusion_review_record(user=user, exclusion=suspension, board_met_on=D(2025, 11, 10),
                                         board_decision="upheld", irp_applied_on=D(2025, 11, 20))
    assert "permanent exclusions only" in error.value.message_dict["irp_applied_on"][0]
    permanent = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    with pytest.raises(ValidationError) as error:
        services.exclusion_review_record(user=user, exclusion=permanent, irp_applied_on=D(2026, 1, 20))
    assert "once the board declines to reinstate" in error.value.message_dict["irp_applied_on"][0]
    with pytest.raises(ValidationError) as error:
        services.exclusion_review_record(user=user, exclusion=permanent, board_decision="upheld")
    assert "date the board met" in error.value.message_dict["board_met_on"][0]
    permanent.refresh_from_db()
    assert permanent.board_decision == ""


def test_cancel_needs_a_reason_and_comes_before_the_board(record, calendar):
    user = calendar.users["school_a"]
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    with pytest.raises(ValidationError) as error:
        services.exclusion_cancel(user=user, exclusion=e, cancelled_on=D(2025, 12, 12), reason=" ")
    assert "reason" in error.value.message_dict
    services.exclusion_review_record(user=user, exclusion=e, board_met_on=D(2026, 1, 14), board_decision="upheld")
    with pytest.raises(ValidationError) as error:
        services.exclusion_cancel(user=user, exclusion=e, cancelled_on=D(2026, 1, 15), reason="Changed mind")
    assert "before the governing board meets" in error.value.message_dict["cancelled_on"][0]


def test_day6_provision_is_recorded_as_a_placement(record, calendar):
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    officer = calendar.users["la_officer"]
    placement = services.placement_record(user=officer, pupil=e.pupil, exclusion=e, arranged_by="la",
                                          provider_kind="other", provider_name="Hospital and home tuition",
                                          hours_per_week=Decimal(25), start_date=D(2025, 12, 18))
    e.refresh_from_db()
    assert e.provision_from == D(2025, 12, 18)
    assert not Exclusion.objects.missing_day6_provision().exists()
    assert placement.commissioning_school is None
    # A school records only provision it arranges.
    with pytest.raises(ValidationError) as error:
        services.placement_record(user=calendar.users["school_a"], pupil=e.pupil, exclusion=e, arranged_by="la",
                                  provider_kind="other", provider_name="X", hours_per_week=Decimal(5),
                                  start_date=D(2025, 12, 18))
    assert "arranged_by" in error.value.message_dict
    assert Placement.objects.count() == 1


def test_part_time_timetable_rules(calendar):
    user, pupil, school = calendar.users["school_a"], calendar.pupil_a, calendar.school_a
    base = {"user": user, "pupil": pupil, "school": school, "start_date": D(2025, 11, 3),
            "planned_end_date": D(2025, 12, 12), "hours_per_week": Decimal(15), "reason": "mental_health",
            "parent_agreed_on": D(2025, 10, 30)}
    for overrides, field, words in [
        ({"hours_per_week": Decimal(25)}, "hours_per_week", "full time"),
        ({"parent_agreed_on": D(2025, 11, 4)}, "parent_agreed_on", "must agree before"),
        ({"planned_end_date": D(2025, 11, 3)}, "planned_end_date", "after the start"),
        ({"pupil": calendar.pupil_b}, "start_date", "not on Alpha Primary's roll"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.part_time_record(**{**base, **overrides})
        assert words in " ".join(error.value.message_dict[field])
    assert not PartTimeTimetable.objects.exists()
    timetable = services.part_time_record(**base)
    # First review six school weeks on: 4 Nov + 30 school days, skipping both INSET days.
    assert timetable.next_review_date == D(2025, 12, 17)
    with pytest.raises(ValidationError):
        services.part_time_record(**{**base, "start_date": D(2025, 12, 1)})
    services.part_time_review_record(user=user, timetable=timetable, reviewed_on=D(2025, 12, 10), outcome="extend",
                                     next_review_date=D(2026, 1, 20), new_planned_end_date=D(2026, 2, 13))
    timetable.refresh_from_db()
    assert (timetable.planned_end_date, timetable.next_review_date) == (D(2026, 2, 13), D(2026, 1, 20))
    services.part_time_review_record(user=user, timetable=timetable, reviewed_on=D(2026, 1, 20), outcome="end")
    timetable.refresh_from_db()
    assert timetable.ended_on == D(2026, 1, 20)


def test_fair_access_days_without_a_placement(calendar):
    officer = calendar.users["la_officer"]
    referral = services.fair_access_refer(user=officer, pupil=calendar.pupil_b, category="no_place",
                                          referred_on=D(2025, 11, 3), out_of_school_since=D(2025, 10, 20))
    # 20 school days from 3 Nov on the LA calendar (LA INSET 14 Nov): 4-13 (8), 17-28 (18), 1-2 Dec (20).
    assert referral.allocation_due == D(2025, 12, 2)
    referral = services.fair_access_allocate(user=officer, referral=referral, allocated_school=calendar.school_a,
                                             allocated_on=D(2025, 11, 24), placed_on=D(2025, 12, 1))
    # Out 20 Oct to 28 Nov: 20-24 Oct (5), 3-13 Nov (14), 17-28 Nov (24).
    assert referral.days_without_placement == 24


def test_cme_needs_the_child_named_and_enquiries_before_closing_as_not_found(calendar):
    officer = calendar.users["la_officer"]
    with pytest.raises(ValidationError):
        services.cme_record(user=officer, reason="arrived", referred_on=D(2025, 11, 3))
    record = services.cme_record(user=officer, reason="arrived", referred_on=D(2025, 11, 3), child_name="Kim Nobody")
    with pytest.raises(ValidationError) as error:
        services.cme_close(user=officer, record=record, outcome="not_found", outcome_on=D(2025, 12, 1))
    assert "enquiries" in error.value.message_dict["outcome"][0]
    services.cme_enquiry_add(user=officer, record=record, made_on=D(2025, 11, 4), method="home_visit",
                             result="No answer; neighbours say the family moved.")
    services.cme_close(user=officer, record=record, outcome="not_found", outcome_on=D(2025, 12, 1))
    assert CMERecord.objects.get().outcome == "not_found"


def test_cnis_register_is_off_until_commenced(calendar, settings):
    officer = calendar.users["la_officer"]
    kwargs = {"user": officer, "category": "not_registered", "parent_names": "A Parent",
              "registered_on": D(2026, 9, 1), "child_name": "Home Ed"}
    with pytest.raises(services.RegisterNotInForce):
        services.cnis_register(**kwargs)
    settings.CNIS_REGISTER_ENABLED = True
    assert services.cnis_register(**kwargs).display_name == "Home Ed"


def test_reminders_are_written_once_and_resolved(record, calendar):
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    # On Tuesday 16 Dec: day 6 (18 Dec) is within two school days and has no provision.
    first = services.exclusion_reminders_refresh(today=D(2025, 12, 16))
    again = services.exclusion_reminders_refresh(today=D(2025, 12, 16))
    reminders = list(ExclusionReminder.objects.all())
    assert [(r.kind, r.due) for r in reminders] == [("day6", D(2025, 12, 18))]
    assert first["open"] == again["open"] == 1
    assert "Amy Able (Alpha Primary): no provision recorded from the 6th school day; is due 18 December" in \
        reminders[0].message
    # The board's deadline (15 Jan) comes into the window on 13 Jan.
    services.exclusion_reminders_refresh(today=D(2026, 1, 13))
    assert set(ExclusionReminder.objects.values_list("kind", flat=True)) == {"day6", "board"}
    services.placement_record(user=calendar.users["la_officer"], pupil=e.pupil, exclusion=e, arranged_by="la",
                              provider_kind="other", provider_name="Tuition", hours_per_week=Decimal(25),
                              start_date=D(2026, 1, 14))
    result = services.exclusion_reminders_refresh(today=D(2026, 1, 14))
    # Provision started after day 6: the day-6 reminder stays; it was missed.
    assert result["open"] == 2
    services.exclusion_review_record(user=calendar.users["school_a"], exclusion=Exclusion.objects.get(pk=e.pk),
                                     board_met_on=D(2026, 1, 14), board_decision="upheld")
    services.exclusion_reminders_refresh(today=D(2026, 1, 15))
    assert list(ExclusionReminder.objects.filter(resolved_on__isnull=True).values_list("kind", flat=True)) == ["day6"]


def test_the_daily_task_runs_twice_safely(record, calendar, monkeypatch):
    from django.utils import timezone

    from schools.tasks import send_exclusion_reminders

    record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    monkeypatch.setattr(timezone, "localdate", lambda: D(2025, 12, 16))
    send_exclusion_reminders.delay()
    send_exclusion_reminders.delay()
    assert ExclusionReminder.objects.count() == 1


def test_reintegration_opens_a_case_through_the_hook(record, calendar, monkeypatch):
    e = record(kind="suspension", start_date=D(2025, 11, 3), length_sessions=12)
    calls = []

    class FakeCase:
        pk = 4242

    def opener(*, user, exclusion, plan):
        calls.append((user.username, exclusion.pk, plan))
        return FakeCase()

    monkeypatch.setitem(providers._SLOTS, "exclusions.reintegration_case", opener)
    e = services.exclusion_reintegration_start(user=calendar.users["school_a"], exclusion=e,
                                               plan="Phased return with a mentor", meeting_on=D(2025, 11, 11))
    assert calls == [("school_a", e.pk, "Phased return with a mentor")]
    assert Exclusion.objects.get(pk=e.pk).reintegration_case_id == 4242


def test_reintegration_plan_is_kept_without_the_cases_app(record, calendar, monkeypatch):
    monkeypatch.delitem(providers._SLOTS, "exclusions.reintegration_case", raising=False)
    e = services.exclusion_reintegration_start(user=calendar.users["school_a"], exclusion=record(),
                                               plan="Restorative meeting on return")
    assert (e.reintegration_plan, e.reintegration_case_id) == ("Restorative meeting on return", None)
