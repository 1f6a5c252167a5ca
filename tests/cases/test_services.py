"""Case services: the rules, the bad input the issue names (clear message, nothing half-saved), optimistic locking
and the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import (
    Allocation,
    Attachment,
    Case,
    ChronologyEntry,
    ChronologyRevision,
    Referral,
    Review,
    StageChange,
    Task,
    TsmPupil,
)
from interventions import services as plan_services
from interventions.models import Intervention, InterventionPlan
from schools.models import AuditEvent
from schools.stages import Stage
from tests.cases.fixtures import OPEN_DATE, pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _referral(world, **overrides):
    fields = {"user": world.users["school_a"], "pupil": world.pupil_a, "school": world.school_a,
              "case_type": "attendance", "concerns": "Absent most Mondays.",
              "tried_parent_contact": "Two letters home."}
    fields.update(overrides)
    return services.referral_create(**fields)


# --- Referrals -------------------------------------------------------------------------------------------------------

def test_school_refers_a_pupil_on_its_roll(world):
    referral = _referral(world, reasons=["irregular", "lateness"], files=[pdf_upload()])
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.reasons == ["irregular", "lateness"]
    attachment = referral.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.pupil == world.pupil_a
    assert AuditEvent.objects.filter(object_type="cases.Referral", object_id=str(referral.pk),
                                     action="create").exists()


def test_referral_for_a_pupil_not_on_the_schools_roll_is_refused(world):
    # "moved" was on school A's roll and left for school B: A still sees them, but cannot refer them now.
    with pytest.raises(ValidationError) as error:
        _referral(world, pupil=world.moved)
    assert "is not on Alpha Primary's roll today" in error.value.message_dict["pupil"][0]
    with pytest.raises(ValidationError) as error:
        _referral(world, school=world.school_b, pupil=world.pupil_b)
    assert error.value.message_dict["school"] == ["You can refer pupils only from your own school."]
    assert not Referral.objects.exists()


def test_referral_must_say_what_the_school_tried_except_for_missing_children(world):
    with pytest.raises(ValidationError) as error:
        _referral(world, tried_parent_contact="")
    assert "already tried" in error.value.message_dict["tried_class_teacher"][0]
    assert _referral(world, tried_parent_contact="", case_type="cme").case_type == "cme"


def test_referral_with_a_bad_attachment_saves_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    good = pdf_upload()
    disguised = pdf_upload("report.pdf", body=b"MZ\x90\x00 not really a pdf")
    with pytest.raises(ValidationError) as error:
        _referral(world, files=[good, disguised])
    assert "report.pdf does not contain what its name says" in error.value.message_dict["attachments"][0]
    assert not Referral.objects.exists() and not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.pdf")), "no file may be left in storage"


def test_second_referral_while_one_awaits_triage_is_refused(world):
    _referral(world)
    with pytest.raises(ValidationError, match="awaiting triage"):
        _referral(world)


def test_triage_accept_opens_a_case_and_decline_needs_a_reason(world):
    manager = world.users["la_manager"]
    referral = _referral(world)
    with pytest.raises(ValidationError) as error:
        services.referral_decline(user=manager, referral=referral, expected_version=referral.version, reason=" ")
    assert "Say why" in error.value.message_dict["decline_reason"][0]
    case = services.referral_accept(user=manager, referral=referral, expected_version=referral.version,
                                    officer=world.users["la_officer"])
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.case == case
    assert case.status == Case.Status.OPEN and case.officer == world.users["la_officer"]
    assert case.school == world.school_a
    with pytest.raises(ValidationError, match="already accepted"):
        services.referral_decline(user=manager, referral=referral, expected_version=referral.version, reason="x")


def test_triage_is_for_managers(world):
    referral = _referral(world)
    with pytest.raises(PermissionDenied):
        services.referral_accept(user=world.users["la_officer"], referral=referral, expected_version=1)


# --- Cases: opening, allocation, stage, closure ----------------------------------------------------------------------

def test_one_open_case_per_pupil_per_type(cases_world, world):
    manager = world.users["la_manager"]
    with pytest.raises(ValidationError) as error:
        services.case_open(user=manager, pupil=world.pupil_b, case_type="attendance", summary="Again")
    assert cases_world.case_b.reference in error.value.message_dict["case_type"][0]
    other = services.case_open(user=manager, pupil=world.pupil_b, case_type="behaviour", summary="Different type")
    assert other.status == Case.Status.REFERRED  # no officer yet: awaiting allocation


@pytest.mark.parametrize("role", ["la_manager", "legal_officer", "school_b", "la_admin"])
def test_allocation_to_someone_who_is_not_an_officer_is_refused(role, cases_world, world):
    case = cases_world.case_b
    before = (case.officer_id, case.version, Allocation.objects.count())
    with pytest.raises(ValidationError) as error:
        services.case_allocate(user=world.users["la_manager"], case=case, officer=world.users[role],
                               expected_version=case.version)
    assert "is not an LA officer" in error.value.message_dict["officer"][0]
    case.refresh_from_db()
    assert (case.officer_id, case.version, Allocation.objects.count()) == before


def test_reallocation_keeps_history_and_moves_the_case(cases_world, world):
    case = cases_world.case_b
    other = UserFactory(role="la_officer", first_name="Olu", last_name="Other")
    services.case_allocate(user=world.users["la_manager"], case=case, officer=other, reason="Caseload balance",
                           expected_version=case.version)
    case.refresh_from_db()
    assert case.officer == other
    assert list(case.allocations.values_list("officer__first_name", flat=True))[0] == "Olu"
    assert ChronologyEntry.objects.filter(case=case, summary__startswith="Reallocated from").exists()


def test_stale_stage_change_saves_nothing(cases_world, world):
    officer = world.users["la_officer"]
    case = cases_world.case_b
    seen_version = case.version
    services.case_change_stage(user=officer, case=Case.objects.get(pk=case.pk), stage=Stage.TARGETED_SUPPORT,
                               reason="First officer", expected_version=seen_version)
    counts = (StageChange.objects.count(), AuditEvent.objects.count(), ChronologyEntry.objects.count())
    with pytest.raises(services.StaleEdit) as error:
        services.case_change_stage(user=officer, case=Case.objects.get(pk=case.pk), stage=Stage.PREVENTION,
                                   reason="Second officer, stale form", expected_version=seen_version)
    assert "Someone else saved changes to this case" in error.value.messages[0]
    case.refresh_from_db()
    assert case.stage == Stage.TARGETED_SUPPORT
    assert (StageChange.objects.count(), AuditEvent.objects.count(), ChronologyEntry.objects.count()) == counts


def test_stage_change_is_audited_with_before_and_after(cases_world, world):
    case = cases_world.case_b
    services.case_change_stage(user=world.users["la_officer"], case=case, stage=Stage.TARGETED_SUPPORT,
                               reason="Below 80%", expected_version=case.version)
    event = AuditEvent.objects.filter(object_type="cases.Case", object_id=str(case.pk), action="update").first()
    assert event.changes["stage"] == [Stage.EARLY_INTERVENTION, Stage.TARGETED_SUPPORT]
    assert event.pupil_id == case.pupil_id and event.username == "la_officer"
    history = list(case.stage_changes.values_list("from_stage", "to_stage", "reason"))
    assert history[0] == (Stage.EARLY_INTERVENTION, Stage.TARGETED_SUPPORT, "Below 80%")


def test_legal_stage_only_after_support_has_been_tried(cases_world, world):
    case = cases_world.case_a  # no plan
    with pytest.raises(ValidationError) as error:
        services.case_change_stage(user=world.users["la_officer"], case=case, stage=Stage.LEGAL, reason="Now",
                                   expected_version=case.version)
    assert "only after support has been tried" in error.value.message_dict["stage"][0]
    case_b = cases_world.case_b  # has a plan
    services.case_change_stage(user=world.users["la_officer"], case=case_b, stage=Stage.LEGAL, reason="Failed",
                               expected_version=case_b.version)


def test_officer_cannot_change_a_case_allocated_to_someone_else(cases_world, world):
    other = UserFactory(role="la_officer")
    case = cases_world.case_b
    with pytest.raises(PermissionDenied):
        services.case_change_stage(user=other, case=case, stage=Stage.PREVENTION, reason="x",
                                   expected_version=case.version)
    with pytest.raises(PermissionDenied):
        services.entry_add(user=other, case=case, entry_type="note", occurred_on=timezone.localdate(), summary="x")


def test_closing_needs_the_plans_ended_and_then_locks_the_case(cases_world, world):
    officer = world.users["la_officer"]
    case = cases_world.case_b
    with pytest.raises(ValidationError, match="End the active intervention plans first"):
        services.case_close(user=officer, case=case, outcome="improved", expected_version=case.version)
    plan = cases_world.plan_b
    plan_services.plan_end(user=officer, plan=plan, expected_version=plan.version, status="completed",
                           outcome="achieved", ended_on=datetime.date(2026, 11, 20))
    with pytest.raises(ValidationError) as error:
        services.case_close(user=officer, case=case, outcome="improved", expected_version=case.version,
                            closed_on=OPEN_DATE - datetime.timedelta(days=1))
    assert "before the case opened" in error.value.message_dict["closed_on"][0]
    services.case_close(user=officer, case=case, outcome="improved", expected_version=case.version,
                        outcome_notes="Above 95% for six weeks.")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.next_review_due) == (Case.Status.CLOSED, "improved", None)
    with pytest.raises(PermissionDenied):
        services.entry_add(user=officer, case=case, entry_type="note", occurred_on=timezone.localdate(), summary="x")
    # Closed, a new case of the same type may open.
    services.case_open(user=world.users["la_manager"], pupil=world.pupil_b, case_type="attendance", summary="Again")


# --- Reviews, chronology, tasks ------------------------------------------------------------------------------------

def test_review_before_the_case_opened_is_refused_and_nothing_saved(cases_world, world):
    case = cases_world.case_a
    due = case.next_review_due
    with pytest.raises(ValidationError) as error:
        services.review_add(user=world.users["la_officer"], case=case, held_on=OPEN_DATE - datetime.timedelta(days=3),
                            progress="x", decision="continue")
    assert error.value.message_dict["held_on"] == ["The review date cannot be before the case opened on 14 September "
                                                   "2026."]
    case.refresh_from_db()
    assert case.next_review_due == due and not Review.objects.filter(case=case).exists()


def test_review_sets_the_next_review_date(cases_world, world):
    case = cases_world.case_a
    services.review_add(user=world.users["la_officer"], case=case, held_on=datetime.date(2026, 10, 20),
                        progress="Better", decision="continue")
    case.refresh_from_db()
    assert case.next_review_due == datetime.date(2026, 12, 1)  # six weeks on


def test_entry_correction_keeps_the_earlier_wording_and_locks_after_the_window(cases_world, world):
    officer = world.users["la_officer"]
    entry = cases_world.entry_b
    services.entry_update(user=officer, entry=entry, expected_version=entry.version, reason="Wrong parent named",
                          summary="Called father about mornings")
    revision = ChronologyRevision.objects.get(entry=entry)
    assert revision.previous == {"summary": "Called mother about mornings"}
    with pytest.raises(services.StaleEdit):
        services.entry_update(user=officer, entry=ChronologyEntry.objects.get(pk=entry.pk), expected_version=1,
                              reason="Stale", summary="Something else")
    ChronologyEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    entry.refresh_from_db()
    with pytest.raises(ValidationError, match="This entry is locked"):
        services.entry_update(user=officer, entry=entry, expected_version=entry.version, reason="Late",
                              summary="Too late")


def test_only_the_author_or_a_manager_corrects_an_entry(cases_world, world):
    entry = cases_world.entry_b
    case = entry.case
    other = UserFactory(role="la_officer")
    services.case_allocate(user=world.users["la_manager"], case=case, officer=other, expected_version=case.version)
    entry.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.entry_update(user=other, entry=entry, expected_version=entry.version, reason="x", summary="y")
    services.entry_update(user=world.users["la_manager"], entry=entry, expected_version=entry.version,
                          reason="Typo", summary="Called mother about the mornings")


def test_service_events_cannot_be_added_or_edited(cases_world, world):
    with pytest.raises(ValidationError):
        services.entry_add(user=world.users["la_officer"], case=cases_world.case_b, entry_type="event",
                           occurred_on=timezone.localdate(), summary="Forged event")
    event = ChronologyEntry.objects.filter(case=cases_world.case_b, entry_type="event").first()
    with pytest.raises(PermissionDenied):
        services.entry_update(user=world.users["la_manager"], entry=event, expected_version=event.version,
                              reason="x", summary="Rewritten history")


def test_meeting_entries_need_a_meeting_type(cases_world, world):
    with pytest.raises(ValidationError) as error:
        services.entry_add(user=world.users["la_officer"], case=cases_world.case_b, entry_type="meeting",
                           occurred_on=timezone.localdate(), summary="Met")
    assert error.value.message_dict["meeting_type"] == ["Choose the kind of meeting."]


def test_task_for_a_school_user_of_another_school_is_refused(cases_world, world):
    with pytest.raises(ValidationError) as error:
        services.task_add(user=world.users["la_officer"], case=cases_world.case_b, title="Send register",
                          due_date=timezone.localdate(), assigned_to=world.users["school_a"])
    assert "cannot be given this task" in error.value.message_dict["assigned_to"][0]
    task = services.task_add(user=world.users["la_officer"], case=cases_world.case_b, title="Send register",
                             due_date=timezone.localdate(), assigned_to=world.users["school_b"])
    services.task_complete(user=world.users["school_b"], task=task)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_by == world.users["school_b"]


# --- TSMs and plans ----------------------------------------------------------------------------------------------

def test_tsm_actions_become_tasks_or_cases(cases_world, world):
    officer = world.users["la_officer"]
    tsm = cases_world.tsm_b
    from tests.factories import EnrolmentFactory, PupilFactory

    newcomer = PupilFactory(legal_first_name="Nell")
    EnrolmentFactory(pupil=newcomer, school=world.school_b, start_date=datetime.date(2026, 9, 1))
    item = services.tsm_pupil_add(user=officer, tsm=tsm, pupil=newcomer, action=TsmPupil.Action.CASE,
                                  case_type="attendance", officer=officer, notes="Agreed LA support")
    assert item.case.pupil == newcomer and item.case.status == Case.Status.OPEN
    with pytest.raises(ValidationError, match="already listed"):
        services.tsm_pupil_add(user=officer, tsm=tsm, pupil=newcomer)
    with pytest.raises(ValidationError, match="was not on Beta Academy's roll"):
        services.tsm_pupil_add(user=officer, tsm=tsm, pupil=world.pupil_a)


def test_tsm_date_must_fall_in_its_academic_year(cases_world, world):
    tsm = cases_world.tsm_b
    with pytest.raises(ValidationError) as error:
        services.tsm_update(user=world.users["la_officer"], tsm=tsm, expected_version=tsm.version,
                            held_on=datetime.date(2025, 11, 1))
    assert "2026/27" in error.value.message_dict["held_on"][0]


def test_plan_defaults_to_ten_school_weeks_and_refuses_a_start_before_the_case(cases_world, world):
    officer = world.users["la_officer"]
    intervention = Intervention.objects.get(name="Home visit")
    with pytest.raises(ValidationError) as error:
        plan_services.plan_add(user=officer, case=cases_world.case_a, intervention=intervention, owner=officer,
                               start_date=OPEN_DATE - datetime.timedelta(days=1))
    assert "before the case opened" in error.value.message_dict["start_date"][0]
    plan = plan_services.plan_add(user=officer, case=cases_world.case_a, intervention=intervention, owner=officer,
                                  start_date=datetime.date(2026, 10, 5))
    # No term dates in the test database: ten calendar weeks.
    assert plan.planned_end_date == datetime.date(2026, 12, 14)
    with pytest.raises(services.StaleEdit):
        plan_services.plan_update(user=officer, plan=InterventionPlan.objects.get(pk=plan.pk), expected_version=7,
                                  goals="Stale")


def test_exclusion_hook_joins_an_open_behaviour_case_or_opens_a_reintegration_case(cases_world, world):
    """schools.exclusions.services calls cases.services.case_open_or_join_for_exclusion(user, exclusion, plan)."""
    from types import SimpleNamespace

    def exclusion(pupil, school):
        return SimpleNamespace(pupil=pupil, school=school, start_date=datetime.date(2026, 11, 2),
                               get_kind_display=lambda: "Suspension")

    school_b = world.users["school_b"]
    opened = services.case_open_or_join_for_exclusion(user=school_b, exclusion=exclusion(world.pupil_b,
                                                                                        world.school_b),
                                                      plan="Phased return with a mentor")
    assert (opened.case_type, opened.status, opened.officer, opened.school) == (
        "reintegration", Case.Status.REFERRED, None, world.school_b)
    assert "Phased return with a mentor" in opened.summary
    behaviour = services.case_open(user=world.users["la_manager"], pupil=world.pupil_a, case_type="behaviour",
                                   summary="Disruption", officer=world.users["la_officer"])
    joined = services.case_open_or_join_for_exclusion(user=world.users["school_a"],
                                                      exclusion=exclusion(world.pupil_a, world.school_a),
                                                      plan="Restorative meeting on return")
    assert joined == behaviour
    assert ChronologyEntry.objects.filter(case=behaviour, details="Restorative meeting on return").exists()
