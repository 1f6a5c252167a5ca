"""Serve the s437(1) notice from an elective home education record.

EA1996 s437(1): if it appears to the LA that a child of compulsory school age in its area is not receiving suitable
education, the LA serves a notice requiring the parent to satisfy it, within the period the notice gives (not less
than 15 days: legal.rules.SAO_NOTICE_MIN_DAYS), that the child is receiving suitable education. The notice is the
NOTICE stage of legal.SchoolAttendanceOrder (legal.services.sao_notice, which checks the period, the parent and the
child's age); this module finds or opens the legal pathway it hangs on and links the order to the EHE record.

Before the notice: the education must have been assessed as appearing not suitable, and the informal enquiry (DfE
EHE guidance 2019 §6.13) sent, with its reply received or its reply date passed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case
from cases.services import case_open, record_event
from legal import services as legal_services
from legal.models import LegalPathway, SchoolAttendanceOrder
from schools.audit import record_change, snapshot
from schools.models import AuditEvent, Carer, HomeEducationRecord
from schools.roles import Capability, Role, require

Record = HomeEducationRecord


def preconditions(record: Record, served_on: datetime.date) -> dict[str, str]:
    """What stops the notice being served on ``served_on`` (field -> what to do); empty when it may be served."""
    if not record.is_open:
        return {"__all__": "This home education record is closed."}
    if record.suitability != Record.Suitability.NOT_SUITABLE:
        return {"__all__": "Record on the home education record that the education appears not to be suitable "
                           "before serving the s437(1) notice."}
    if record.enquiry_sent_on is None:
        return {"__all__": "Send the parent an informal enquiry first (DfE elective home education guidance, "
                           "§6.13), and record it on the home education record."}
    if record.enquiry_response_on is None and served_on <= record.enquiry_response_due:
        return {"notice_served_on": f"The parent has until {record.enquiry_response_due:%-d %B %Y} to reply to the "
                                    "informal enquiry: serve the notice after that, or record their reply."}
    if served_on < record.enquiry_sent_on:
        return {"notice_served_on": "The notice follows the informal enquiry."}
    if record.school_attendance_orders.filter(stage=SchoolAttendanceOrder.Stage.NOTICE).exists():
        return {"__all__": "A s437(1) notice is already waiting for the parent: record its outcome first."}
    return {}


def _case_for(*, user, record: Record) -> Case:
    """The pupil's open case (a child not receiving suitable education is a child missing education, s436A), or a
    new CME case opened for the notice."""
    case = (Case.objects.open().filter(pupil=record.pupil).order_by(
        "-opened_on", "-pk").first())
    if case is not None:
        return case
    officer = user if user.role == Role.LA_OFFICER else (
        record.officer if record.officer and record.officer.role == Role.LA_OFFICER else None)
    try:
        return case_open(user=user, pupil=record.pupil, case_type=Case.CaseType.CME, officer=officer,
                         lead_practitioner=Case.Lead.LA, school=record.school,
                         summary=f"Elective home education ({record.reference}): the education appears not to be "
                                 "suitable; s437 Education Act 1996.")
    except PermissionDenied as error:
        raise ValidationError(f"{record.pupil.display_name} has no open case for the notice, and you cannot open "
                              "one: ask an LA officer or manager to open a case first.") from error


def _pathway_for(*, user, record: Record, on: datetime.date) -> LegalPathway:
    """The pupil's open legal pathway, or one opened on its case. The support checklist (legal.selectors
    .support_gate) is about attendance at school; for s437 the gate is the EHE steps, kept as the evidence."""
    pathway = LegalPathway.objects.filter(pupil=record.pupil, status=LegalPathway.Status.OPEN).order_by(
        "-opened_on", "-pk").first()
    if pathway is not None:
        return pathway
    case = _case_for(user=user, record=record)
    pathway = LegalPathway.objects.filter(case=case, status=LegalPathway.Status.OPEN).first()
    if pathway is not None:
        return pathway
    evidence = [{"item": "Elective home education: education appears not suitable", "satisfied": True,
                 "evidence": [f"{record.reference}: assessed {record.suitability_assessed_on:%-d %B %Y}"
                              if record.suitability_assessed_on else record.reference], "reason": ""},
                {"item": "Informal enquiry (EHE guidance 2019 §6.13)", "satisfied": True,
                 "evidence": [f"Sent {record.enquiry_sent_on:%-d %B %Y}; "
                              + (f"reply {record.enquiry_response_on:%-d %B %Y}" if record.enquiry_response_on
                                 else f"no reply by {record.enquiry_response_due:%-d %B %Y}")], "reason": ""}]
    pathway = LegalPathway(case=case, pupil_id=record.pupil_id, opened_on=min(on, timezone.localdate()),
                           opened_by=user, gate_passed=True, evidence=evidence)
    pathway.full_clean()
    pathway.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=pathway, pupil_id=record.pupil_id)
    record_event(user=user, case=case, on=pathway.opened_on,
                 summary=f"Legal pathway opened for a s437(1) notice ({record.reference})",
                 details="\n".join(f"{e['item']}: {'; '.join(e['evidence'])}" for e in evidence))
    return pathway


@transaction.atomic
def ehe_serve_notice(*, user, record: Record, carer: Carer, notice_served_on: datetime.date,
                     notice_period_days: int) -> SchoolAttendanceOrder:
    require(user, Capability.WORK_LEGAL, doing="serve a s437(1) notice")
    record = Record.objects.select_for_update().get(pk=record.pk)
    if notice_served_on is None:
        raise ValidationError({"notice_served_on": "Enter the date the notice was served."})
    problems = preconditions(record, notice_served_on)
    if problems:
        raise ValidationError(problems)
    pathway = _pathway_for(user=user, record=record, on=notice_served_on)
    sao = legal_services.sao_notice(user=user, pathway=pathway, carer=carer, notice_served_on=notice_served_on,
                                    notice_period_days=notice_period_days)
    before = snapshot(sao)
    sao.home_education_record = record
    sao.save(update_fields=["home_education_record"])
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=sao, before=before, pupil_id=record.pupil_id)
    return sao
