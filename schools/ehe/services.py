"""Every write to the elective home education register (issue 21).

As elsewhere: keyword-only arguments, one transaction, validation before anything is saved (ValidationErrors keyed by
field, worded as what to do), and an audit row with before/after values for every write. Rules and their sources live
in schools.ehe.rules. The s437(1) notice is served from legal (legal.ehe), which may import this module; nothing here
imports legal.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from schools.audit import record_change, snapshot
from schools.ehe import rules
from schools.exclusions.services import cnis_register
from schools.models import (
    AuditEvent,
    ChildNotInSchool,
    Enrolment,
    HomeEducationContact,
    HomeEducationRecord,
    Pupil,
    School,
)
from schools.roles import Capability, require

Record = HomeEducationRecord


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(field: str, day: datetime.date | None, what: str) -> None:
    if day is None:
        raise ValidationError({field: f"Enter {what}."})
    if day > _today():
        raise ValidationError({field: f"{what[0].upper()}{what[1:]} cannot be in the future."})


def _require_open(record: Record) -> None:
    if not record.is_open:
        raise ValidationError(f"This record is closed ({record.get_status_display().lower()}): reopen it by "
                              "registering the child again.")


def _save(user, record: Record, before: dict | None) -> Record:
    record.full_clean()
    record.save()
    record_change(user=user, action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
                  instance=record, before=before)
    return record


def last_school(pupil: Pupil, on: datetime.date) -> School | None:
    """The school whose roll the child was last on (on or before ``on``)."""
    enrolment = (Enrolment.objects.filter(pupil=pupil, start_date__lte=on).select_related("school")
                 .order_by("-start_date", "-pk").first())
    return enrolment.school if enrolment else None


def _clean_reasons(reasons) -> list[str]:
    codes = [str(code).strip().upper() for code in reasons or () if str(code).strip()]
    unknown = [code for code in codes if code not in rules.REASONS]
    if unknown:
        raise ValidationError({"reasons": f"Choose reasons from the list: {', '.join(unknown)} is not one of them."})
    return list(dict.fromkeys(codes))


@transaction.atomic
def register_home_education(*, user, pupil: Pupil, notified_on: datetime.date, source: str,
                            school: School | None = None, reasons=(), notes: str = "", notification=None,
                            reasons_detail: str = "", officer=None) -> Record:
    """Put a child on the EHE register. ``notification`` is the school's deletion notice
    (schools.RollNotification) when the record comes from the roll-notification triage.

    When ``school`` is not given, the school whose roll the child was last on is used. The LA's consent is marked as
    needed for an EHCP pupil at a special school (reg 9, SI 2024/208); the officer then records the decision."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="keep the elective home education register")
    _not_future("notified_on", notified_on, "the date the LA was notified")
    if source not in Record.Source.values:
        raise ValidationError({"source": "Choose who told the LA: the parent, a school deletion notice or other."})
    if notification is not None and source != Record.Source.SCHOOL_DELETION:
        source = Record.Source.SCHOOL_DELETION
    codes = _clean_reasons(reasons)
    if Record.objects.filter(pupil=pupil, status=Record.Status.OPEN).exists():
        raise ValidationError({"pupil": f"{pupil.display_name} is already on the home education register: add to "
                                        "the open record instead."})
    if school is None:
        school = last_school(pupil, notified_on)
    needs_consent = rules.consent_required(sen_status=pupil.sen_status, school_phase=getattr(school, "phase", None),
                                           school_type=getattr(school, "school_type", None))
    record = Record(pupil=pupil, school=school, notified_on=notified_on, source=source, reasons=codes,
                    reasons_detail=reasons_detail.strip(), notes=(notes or "").strip(),
                    sen_status=pupil.sen_status, consent_required=needs_consent,
                    consent_decision=Record.Consent.PENDING if needs_consent else Record.Consent.NOT_NEEDED,
                    officer=officer, created_by=user)
    if notification is not None:
        record.source_notification = notification
    return _save(user, record, None)


EDITABLE = frozenset({"reasons", "reasons_detail", "notes", "officer", "source", "school", "notified_on"})


@transaction.atomic
def ehe_update(*, user, record: Record, **fields) -> Record:
    """Correct the details taken at notification (reasons, officer, notes, school, date, source)."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="keep the elective home education register")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    before = snapshot(record)
    if "reasons" in fields:
        fields["reasons"] = _clean_reasons(fields["reasons"])
    if "notified_on" in fields:
        _not_future("notified_on", fields["notified_on"], "the date the LA was notified")
    for name, value in fields.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    return _save(user, record, before)


@transaction.atomic
def ehe_record_consent(*, user, record: Record, decision: str, decided_on: datetime.date, notes: str = "") -> Record:
    """The LA's decision on deregistering an EHCP pupil from a special school (reg 9, SI 2024/208)."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="record the LA's consent decision")
    _require_open(record)
    if not record.consent_required:
        raise ValidationError({"decision": "This child does not need the LA's consent to be home educated."})
    if decision not in {Record.Consent.GIVEN, Record.Consent.REFUSED}:
        raise ValidationError({"decision": "Choose whether the LA consents or refuses."})
    _not_future("decided_on", decided_on, "the date of the decision")
    if decided_on < record.notified_on:
        raise ValidationError({"decided_on": f"The decision comes after the LA was notified on "
                                             f"{record.notified_on:%-d %B %Y}."})
    if decision == Record.Consent.REFUSED and not notes.strip():
        raise ValidationError({"notes": "Give the reasons for refusing consent: they go to the parent."})
    before = snapshot(record)
    record.consent_decision, record.consent_decided_on = decision, decided_on
    record.consent_decided_by, record.consent_notes = user, notes.strip()
    return _save(user, record, before)


@transaction.atomic
def ehe_add_contact(*, user, record: Record, contact_on: datetime.date, kind: str, outcome: str,
                    notes: str = "") -> HomeEducationContact:
    require(user, Capability.MANAGE_LA_REGISTERS, doing="record contact with a home-educating family")
    _not_future("contact_on", contact_on, "the date of the contact")
    if contact_on < record.notified_on:
        raise ValidationError({"contact_on": f"Contacts follow the notification on {record.notified_on:%-d %B %Y}."})
    contact = HomeEducationContact(record=record, contact_on=contact_on, kind=kind, outcome=outcome,
                                   notes=notes.strip(), created_by=user)
    contact.full_clean()
    contact.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=contact, pupil_id=record.pupil_id)
    return contact


@transaction.atomic
def ehe_assess_suitability(*, user, record: Record, suitability: str, assessed_on: datetime.date,
                           notes: str = "") -> Record:
    """The LA's view of the education (EA1996 s7: efficient, full-time, suitable to age, ability, aptitude, SEN)."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="assess home education")
    _require_open(record)
    if suitability not in Record.Suitability.values:
        raise ValidationError({"suitability": "Choose suitable, appears not suitable or not yet known."})
    _not_future("assessed_on", assessed_on, "the date of the assessment")
    if assessed_on < record.notified_on:
        raise ValidationError({"assessed_on": f"The assessment follows the notification on "
                                              f"{record.notified_on:%-d %B %Y}."})
    if suitability == Record.Suitability.NOT_SUITABLE and not notes.strip():
        raise ValidationError({"notes": "Say why the education appears not to be suitable."})
    before = snapshot(record)
    record.suitability, record.suitability_assessed_on = suitability, assessed_on
    record.suitability_assessed_by, record.suitability_notes = user, notes.strip()
    return _save(user, record, before)


@transaction.atomic
def ehe_send_enquiry(*, user, record: Record, sent_on: datetime.date) -> Record:
    """The informal enquiry (EHE guidance 2019 §6.13) before any s437(1) notice; the reply is due 15 days later."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="send an informal enquiry")
    _require_open(record)
    _not_future("sent_on", sent_on, "the date the enquiry was sent")
    if sent_on < record.notified_on:
        raise ValidationError({"sent_on": f"The enquiry follows the notification on {record.notified_on:%-d %B %Y}."})
    if record.enquiry_sent_on and not record.enquiry_response_on:
        raise ValidationError({"sent_on": "An enquiry is already waiting for a reply: record the reply first."})
    before = snapshot(record)
    record.enquiry_sent_on, record.enquiry_response_due = sent_on, rules.enquiry_response_due(sent_on)
    record.enquiry_response_on, record.enquiry_response = None, ""
    return _save(user, record, before)


@transaction.atomic
def ehe_record_enquiry_response(*, user, record: Record, response_on: datetime.date, response: str) -> Record:
    require(user, Capability.MANAGE_LA_REGISTERS, doing="record the reply to an enquiry")
    _require_open(record)
    if not record.enquiry_sent_on:
        raise ValidationError({"response_on": "Record the enquiry before its reply."})
    _not_future("response_on", response_on, "the date of the reply")
    if response_on < record.enquiry_sent_on:
        raise ValidationError({"response_on": f"The reply comes after the enquiry sent on "
                                              f"{record.enquiry_sent_on:%-d %B %Y}."})
    if not response.strip():
        raise ValidationError({"response": "Summarise the parent's reply (or write 'no reply')."})
    before = snapshot(record)
    record.enquiry_response_on, record.enquiry_response = response_on, response.strip()
    return _save(user, record, before)


@transaction.atomic
def ehe_return_to_school(*, user, record: Record, returned_on: datetime.date, school: School) -> Record:
    """The child is back on a school roll: the record closes."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="record a return to school")
    _require_open(record)
    if school is None:
        raise ValidationError({"return_school": "Choose the school the child has returned to."})
    if returned_on is None:
        raise ValidationError({"returned_on": "Enter the date the child returned to school."})
    if returned_on < record.notified_on:
        raise ValidationError({"returned_on": f"The return follows the notification on "
                                              f"{record.notified_on:%-d %B %Y}."})
    before = snapshot(record)
    record.status, record.returned_on, record.return_school = Record.Status.RETURNED, returned_on, school
    record.closed_on = returned_on
    return _save(user, record, before)


@transaction.atomic
def ehe_close(*, user, record: Record, closed_on: datetime.date, reason: str) -> Record:
    """Close without a return to school: moved out of the area, past compulsory school age, and so on."""
    require(user, Capability.MANAGE_LA_REGISTERS, doing="close a home education record")
    _require_open(record)
    _not_future("closed_on", closed_on, "the date the record closes")
    if closed_on < record.notified_on:
        raise ValidationError({"closed_on": f"The record closes after the notification on "
                                            f"{record.notified_on:%-d %B %Y}."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record is closing, for example 'moved to another LA'."})
    before = snapshot(record)
    record.status, record.closed_on, record.closed_reason = Record.Status.CLOSED, closed_on, reason.strip()[:200]
    return _save(user, record, before)


# --- Children Not in School (CWSA 2026 s38; behind CNIS_REGISTER_ENABLED) ---------------------------------------

def cnis_defaults(record: Record) -> dict:
    """What the CNIS entry takes from the EHE record, so nothing is keyed twice."""
    pupil = record.pupil
    family = pupil.family
    carers = list(family.carers.all()) if family else []
    names = ", ".join(c.full_name for c in carers)
    contact = "; ".join(filter(None, (getattr(c, "phone", "") or getattr(c, "email", "") for c in carers)))
    return {
        "pupil": pupil, "category": ChildNotInSchool.Category.NOT_REGISTERED,
        "parent_names": names or "Not recorded", "parent_contact": contact[:250],
        "address": (family.address if family else "")[:250],
        "education_providers": "Parent (elective home education)",
    }


@transaction.atomic
def ehe_make_cnis_entry(*, user, record: Record, registered_on: datetime.date | None = None) -> ChildNotInSchool:
    """Make the CNIS entry from the EHE record (both linked). Refused while the register is not in force."""
    _require_open(record)
    if record.cnis_entry_id:
        raise ValidationError("This child is already on the Children Not in School register.")
    entry = cnis_register(user=user, registered_on=registered_on or _today(), **cnis_defaults(record))
    before = snapshot(record)
    record.cnis_entry = entry
    _save(user, record, before)
    return entry
