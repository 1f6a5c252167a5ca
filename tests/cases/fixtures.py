"""Case fixtures on top of the shared ``world`` (tests/conftest.py), built through the services so the audit trail,
stage history and events exist as they would in use.

- ``case_b``: an open attendance case for pupil_b (school B), allocated to la_officer, with a plan, a review, a task,
  an ordinary call with an attachment and a restricted safeguarding note with its own attachment.
- ``case_a``: an open case for pupil_a (school A), allocated to la_officer.
- ``referral_b``: a referral from school B for pupil_b awaiting triage (behaviour).
- ``tsm_b``: school B's autumn TSM with pupil_b discussed and an action.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Attachment, Case, ChronologyEntry, Referral, TargetingSupportMeeting, Task
from interventions import services as plan_services
from interventions.models import Intervention, InterventionPlan
from tests.factories import AcademicYearFactory

SAFEGUARDING_TEXT = "Disclosure made to the DSL about home"
OPEN_DATE = datetime.date(2026, 9, 14)


def pdf_upload(name="letter.pdf", body=None):
    from tests.pdf_support import minimal_pdf

    return SimpleUploadedFile(name, body if body is not None else minimal_pdf(), content_type="application/pdf")


@dataclass
class CaseWorld:
    case_a: Case
    case_b: Case
    entry_b: ChronologyEntry
    restricted_b: ChronologyEntry
    attachment_b: Attachment
    restricted_attachment_b: Attachment
    plan_b: InterventionPlan
    task_b: Task
    referral_b: Referral
    tsm_b: TargetingSupportMeeting


@pytest.fixture
def cases_world(world) -> CaseWorld:
    users = world.users
    manager, officer = users["la_manager"], users["la_officer"]
    case_b = services.case_open(user=manager, pupil=world.pupil_b, case_type="attendance", officer=officer,
                                summary="Attendance below 85% since September.", opened_on=OPEN_DATE)
    case_a = services.case_open(user=manager, pupil=world.pupil_a, case_type="attendance", officer=officer,
                                summary="Frequent lateness.", opened_on=OPEN_DATE)
    entry_b = services.entry_add(user=officer, case=case_b, entry_type="call", occurred_on=datetime.date(2026, 9, 20),
                                 summary="Called mother about mornings", files=[pdf_upload()])
    restricted_b = services.entry_add(user=officer, case=case_b, entry_type="note", restriction="safeguarding",
                                      occurred_on=datetime.date(2026, 9, 21), summary=SAFEGUARDING_TEXT,
                                      details="Referred to children's social care.",
                                      files=[pdf_upload("dsl-note.pdf")])
    intervention = Intervention.objects.get(name="Attendance intervention")
    plan_b = plan_services.plan_add(user=officer, case=case_b, intervention=intervention,
                                    start_date=datetime.date(2026, 9, 28), owner=officer, target_attendance=90)
    services.review_add(user=officer, case=case_b, plan=plan_b, held_on=datetime.date(2026, 11, 2),
                        progress="Mornings improving.", decision="continue", attendance_percent=84)
    task_b = services.task_add(user=officer, case=case_b, title="Visit home", assigned_to=officer,
                               due_date=datetime.date(2026, 11, 30))
    referral_b = services.referral_create(
        user=users["school_b"], pupil=world.pupil_b, school=world.school_b, case_type="behaviour",
        concerns="Disruption in lessons.", tried_class_teacher="Seating plan and report card.")
    year = AcademicYearFactory()
    tsm_b = services.tsm_create(user=officer, school=world.school_b, academic_year=year, term="autumn",
                                held_on=datetime.date(2026, 11, 10), officer=officer, attendees="Head of year; LAAO")
    services.tsm_pupil_add(user=officer, tsm=tsm_b, pupil=world.pupil_b, notes="Discussed mornings.")
    services.task_add(user=officer, tsm=tsm_b, title="Send attendance letters", assigned_to=officer,
                      due_date=datetime.date(2026, 12, 1))
    return CaseWorld(
        case_a=case_a, case_b=case_b, entry_b=entry_b, restricted_b=restricted_b,
        attachment_b=entry_b.attachments.get(), restricted_attachment_b=restricted_b.attachments.get(),
        plan_b=plan_b, task_b=task_b, referral_b=referral_b, tsm_b=tsm_b)


@pytest.fixture
def case_targets(cases_world) -> dict:
    """Objects for the permission matrix (tests/test_permission_matrix.py), all on school B's side."""
    from cases.models import Alert, AlertRule

    cw = cases_world
    alert = Alert.objects.create(  # an early-warning alert about pupil_b at school B (issue 15)
        rule=AlertRule.objects.get(key="unexplained-in-a-row"), pupil=cw.case_b.pupil, school=cw.case_b.school,
        opened_on=datetime.date(2026, 11, 23), assigned_to=cw.case_b.officer,
        evidence={"key": "run-2026-11-16:9", "sessions": 3, "codes": {"N": 3},
                  "from": {"date": "2026-11-20", "session": "PM"}, "to": {"date": "2026-11-23", "session": "PM"}})
    return {"case": cw.case_b.pk, "entry": cw.entry_b.pk, "attachment": cw.attachment_b.pk,
            "referral": cw.referral_b.pk, "tsm": cw.tsm_b.pk, "plan": cw.plan_b.pk, "task": cw.task_b.pk,
            "intervention": cw.plan_b.intervention_id, "early_warning_alert": alert.pk}
