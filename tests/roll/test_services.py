"""Sending, matching and triaging notices: dates worked out by hand on the test calendar (autumn 2026: term from
2 September, half term 26-30 October; today Monday 23 November 2026)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from schools.exclusions import services as exclusion_services
from schools.models import AuditEvent, Closure, CMERecord, HomeEducationRecord, Pupil, RollNotification
from schools.roll import services
from schools.roll.rules import Step
from tests.factories import PupilFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("admitted", "due", "late"), [
    (D(2026, 11, 9), D(2026, 11, 16), True),  # Tue-Fri, then Monday: 5 school days; received the 23rd
    (D(2026, 11, 16), D(2026, 11, 23), False),  # due today, received today: on time
    (D(2026, 10, 22), D(2026, 11, 5), True),  # Fri 23 Oct, half term skipped, then 2-5 November
])
def test_admission_notice_is_due_5_school_days_after_the_admission(send, new_upn, admitted, due, late):
    notice = send("admission", upn=new_upn(), event_date=admitted, sex="F")
    assert (notice.due_on, notice.late) == (due, late)
    assert notice.received_on == D(2026, 11, 23)


def test_the_schools_own_closure_day_moves_its_deadline(send, calendar, new_upn):
    Closure.objects.create(date=D(2026, 11, 12), school=calendar.school_a, kind="inset", reason="INSET")
    at_a = send("admission", user=calendar.users["school_a"], school=calendar.school_a, upn=new_upn(),
                event_date=D(2026, 11, 9))
    at_b = send("admission", upn=new_upn(), event_date=D(2026, 11, 9))
    assert at_a.due_on == D(2026, 11, 17) and at_b.due_on == D(2026, 11, 16)


def test_deletion_notice_is_late_when_it_comes_after_the_deletion(send, calendar):
    assert send(event_date=D(2026, 11, 20)).late  # deleted Friday, notice Monday
    assert not send(event_date=D(2026, 11, 30), ground="g").late  # about to be deleted
    keyed = send(user=calendar.users["la_officer"], event_date=D(2026, 11, 19), ground="k",
                 received_on=D(2026, 11, 18))  # an email the LA got the day before
    assert keyed.received_on == D(2026, 11, 18) and not keyed.late


def test_a_school_user_cannot_backdate_receipt(send, calendar):
    notice = send(event_date=D(2026, 11, 20), received_on=D(2026, 11, 1))
    assert notice.received_on == D(2026, 11, 23) and notice.late


def test_a_school_sends_only_for_its_own_school(send, calendar):
    with pytest.raises(ValidationError) as error:
        send(user=calendar.users["school_a"], school=calendar.school_b)
    assert "your own school" in error.value.message_dict["school"][0]


def test_legal_officers_do_not_send_notices(send, calendar):
    with pytest.raises(PermissionDenied):
        send(user=calendar.users["legal_officer"])


def test_bad_notices_say_what_to_fix(send, calendar):
    with pytest.raises(ValidationError) as error:
        send(upn="A123", first_name="", ground="", event_date=None)
    messages = error.value.message_dict
    assert messages["first_name"] == ["Enter the pupil's first name."]
    assert messages["event_date"] == ["Enter the date the pupil's name is (or is to be) deleted."]
    assert "13 characters" in messages["upn"][0]
    assert messages["ground"] == ["Choose the ground for deleting the pupil from the admission register."]
    with pytest.raises(ValidationError) as error:
        send(ground="a")
    assert error.value.message_dict["new_school"] == ["Choose the new school (or, outside the LA, enter its name)."]
    with pytest.raises(ValidationError) as error:
        send(ground="a", new_school=calendar.school_b)
    assert error.value.message_dict["new_school"] == ["The new school must be a different school."]
    assert not RollNotification.objects.exists()


def test_the_same_notice_twice_is_refused(send):
    send()
    with pytest.raises(ValidationError) as error:
        send()
    assert "already sent this notice" in str(error.value)
    assert RollNotification.objects.count() == 1


def test_notices_match_by_upn_or_former_upn_and_admissions_need_no_triage(send, calendar, new_upn):
    deletion = send()
    assert deletion.pupil == calendar.pupil_b and deletion.status == "to_triage"
    admission = send("admission", upn=calendar.pupil_b.upn, event_date=D(2026, 11, 16))
    assert admission.pupil == calendar.pupil_b and admission.status == "done"
    former = PupilFactory(former_upn=new_upn())
    assert send("admission", upn=former.former_upn, event_date=D(2026, 11, 17)).pupil == former
    stranger = send("admission", upn=new_upn(), event_date=D(2026, 11, 18))
    assert stranger.pupil is None and stranger.status == "to_triage"
    assert AuditEvent.objects.filter(object_type="schools.RollNotification", action="create").count() == 4


def test_the_la_matches_or_creates_the_pupil(send, calendar, new_upn):
    officer = calendar.users["la_officer"]
    upn = new_upn()
    admission = send("admission", upn=upn, first_name="Nia", last_name="New", sex="F", nc_year=9,
                     event_date=D(2026, 11, 18))
    with pytest.raises(PermissionDenied):
        services.notification_match(user=calendar.users["school_b"], notification=admission,
                                    pupil=calendar.pupil_b)
    services.notification_create_pupil(user=officer, notification=admission)
    pupil = Pupil.objects.get(upn=upn)
    assert admission.pupil == pupil and admission.status == "done"
    assert pupil.enrolments.get().school == calendar.school_b and pupil.enrolments.get().nc_year == 9
    deletion = send(upn=new_upn(), first_name="Ola")
    services.notification_match(user=officer, notification=deletion, pupil=calendar.moved)
    assert deletion.pupil == calendar.moved and deletion.status == "to_triage"


def test_ground_i_opens_a_cme_record_in_one_step(send, calendar):
    notice = send(ground="i", new_address="")
    done = services.notification_triage(user=calendar.users["la_officer"], notification=notice, step=Step.CME)
    record = done.cme_record
    assert (done.status, done.step) == ("done", "cme")
    assert (record.pupil, record.reason, record.referring_school) == (calendar.pupil_b, "deletion_20",
                                                                      calendar.school_b)
    assert record.referred_on == D(2026, 11, 23) and record.last_attended_on == D(2026, 11, 20)


def test_an_unmatched_child_still_gets_a_cme_record_and_an_open_one_is_reused(send, calendar, new_upn):
    officer = calendar.users["la_officer"]
    notice = send(ground="h", upn=new_upn(), first_name="Zed", last_name="Gone", date_of_birth=D(2014, 2, 2))
    record = services.notification_triage(user=officer, notification=notice, step=Step.CME).cme_record
    assert record.pupil is None and record.child_name == "Zed Gone" and record.date_of_birth == D(2014, 2, 2)
    open_record = exclusion_services.cme_record(user=officer, pupil=calendar.pupil_b, reason="absent_10",
                                                referred_on=D(2026, 11, 2))
    again = services.notification_triage(user=officer, notification=send(ground="i"), step=Step.CME)
    assert again.cme_record == open_record and CMERecord.objects.count() == 2


def test_home_education_goes_on_the_ehe_register(send, calendar):
    notice = send(ground="f", notes="Parent's letter of 18 November")
    done = services.notification_triage(user=calendar.users["la_officer"], notification=notice, step=Step.EHE)
    record = HomeEducationRecord.objects.get(pk=done.ehe_record_pk)
    assert (record.pupil, record.school, record.source, record.notified_on) == (
        calendar.pupil_b, calendar.school_b, "school_deletion", D(2026, 11, 23))


def test_permanent_exclusion_links_the_exclusion_record(send, calendar):
    officer = calendar.users["la_officer"]
    notice = send(ground="o")
    with pytest.raises(ValidationError) as error:
        services.notification_triage(user=officer, notification=notice, step=Step.EXCLUSION)
    assert "No permanent exclusion" in error.value.message_dict["step"][0]
    exclusion = exclusion_services.exclusion_record(
        user=calendar.users["school_b"], pupil=calendar.pupil_b, school=calendar.school_b, kind="permanent",
        start_date=D(2026, 11, 16), reasons=["PA"])
    done = services.notification_triage(user=officer, notification=notice, step=Step.EXCLUSION)
    assert done.exclusion == exclusion and done.status == "done"


def test_a_move_is_confirmed_by_the_new_schools_admission_notice(send, calendar):
    officer = calendar.users["la_officer"]
    notice = send(ground="a", new_school=calendar.school_a, event_date=D(2026, 11, 20))
    with pytest.raises(ValidationError) as error:
        services.notification_triage(user=officer, notification=notice, step=Step.MOVE)
    assert "Alpha Primary has sent no admission notice" in error.value.message_dict["step"][0]
    send("admission", user=calendar.users["school_a"], school=calendar.school_a, event_date=D(2026, 11, 23))
    done = services.notification_triage(user=officer, notification=notice, step=Step.MOVE)
    assert (done.status, done.step) == ("done", "move")


def test_only_the_offered_steps_and_only_once(send, calendar):
    officer = calendar.users["la_officer"]
    notice = send(ground="k")
    with pytest.raises(ValidationError):
        services.notification_triage(user=officer, notification=notice, step=Step.EHE)
    with pytest.raises(PermissionDenied):
        services.notification_triage(user=calendar.users["legal_officer"], notification=notice, step=Step.RECORD)
    services.notification_triage(user=officer, notification=notice, step=Step.RECORD, note="Sadly died")
    with pytest.raises(ValidationError) as error:
        services.notification_triage(user=officer, notification=notice, step=Step.RECORD)
    assert "already been dealt with" in str(error.value)
    assert AuditEvent.objects.filter(object_type="schools.RollNotification", action="update").count() == 1
