"""Every write to referrals, cases, chronology, reviews, tasks and TSMs. Views, the API, the demo loader and tasks call
these.

Each service checks the user may act, validates everything before writing (so nothing is half-saved), runs in one
transaction and audits the write with before/after values. Edits that could collide with someone else's carry the
version the user's form was drawn from; a stale version raises StaleEdit and nothing is written.
"""

from __future__ import annotations

import datetime
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import (
    Allocation,
    Attachment,
    Case,
    CaseClosure,
    CaseReminder,
    CaseworkPolicy,
    ChronologyEntry,
    ChronologyRevision,
    Referral,
    Review,
    StageChange,
    TargetingSupportMeeting,
    Task,
    TsmPupil,
)
from cases.permissions import CASE_SUPERVISORS, can_edit_entry, can_work_case
from cases.selectors import review_attendance
from cases.uploads import clean_uploads
from schools.attendance import threshold
from schools.audit import record_change, snapshot
from schools.models import AuditEvent, Enrolment, PnThresholdEntry, Pupil, School
from schools.roles import Capability, Role, require
from schools.stages import STAGES, Stage

# Chronology entries that are a contact with the family or school: recording one takes a pupil's row on the
# penalty-notice threshold worklist out of "no action yet" (schools.attendance.threshold).
CONTACT_ENTRY_TYPES = (ChronologyEntry.EntryType.CALL, ChronologyEntry.EntryType.HOME_VISIT,
                       ChronologyEntry.EntryType.SCHOOL_VISIT, ChronologyEntry.EntryType.MEETING,
                       ChronologyEntry.EntryType.LETTER)

STALE_MESSAGE = ("Someone else saved changes to this {what} while you were editing it, so your changes were not saved. "
                 "The page now shows the latest version: check it and make your changes again.")


class StaleEdit(ValidationError):
    """The form was drawn from an older version of the record than the one now stored."""

    def __init__(self, what: str = "record"):
        super().__init__(STALE_MESSAGE.format(what=what), code="stale")



def require_case_work(user, case: Case) -> None:
    if not can_work_case(user, case):
        raise PermissionDenied(f"{user.username} may not change {case.reference}.")


def claim_version(instance, expected_version, *, what: str) -> None:
    """Compare-and-swap on the version column: only one of two concurrent saves from the same version succeeds."""
    if expected_version is None:
        raise TypeError("expected_version is required")
    model = type(instance)
    claimed = model.objects.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(what)
    instance.version = int(expected_version) + 1


def _today() -> datetime.date:
    return timezone.localdate()


def record_event(*, user, case: Case, summary: str, details: str = "",
                 on: datetime.date | None = None) -> ChronologyEntry:
    """A service-written timeline entry, so the chronology is the whole story (stage, allocation, reviews...)."""
    entry = ChronologyEntry.objects.create(
        case=case, entry_type=ChronologyEntry.EntryType.EVENT, occurred_on=on or _today(), summary=summary[:200],
        details=details, created_by=user)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=entry, pupil_id=case.pupil_id)
    return entry


def current_enrolment(pupil: Pupil, school: School | None = None, on: datetime.date | None = None):
    on = on or _today()
    enrolments = Enrolment.objects.filter(pupil=pupil, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on))
    if school is not None:
        enrolments = enrolments.filter(school=school)
    return enrolments.select_related("school").order_by("-start_date").first()


def _save_attachments(*, user, files, pupil: Pupil, referral=None, entry=None) -> list[Attachment]:
    """Keep checked files (cases.uploads.clean_uploads: (file, content type) pairs)."""
    saved = []
    for upload, content_type in files:
        attachment = Attachment(pupil=pupil, referral=referral, entry=entry, uploaded_by=user,
                                original_name=os.path.basename(upload.name)[:200], content_type=content_type,
                                size=upload.size)
        attachment.file.save(os.path.basename(upload.name), upload, save=False)
        attachment.save()
        record_change(user=user, action=AuditEvent.Action.CREATE, instance=attachment)
        saved.append(attachment)
    return saved


# --- Referrals ----------------------------------------------------------------------------------------------------

REFERRAL_TRIED_FIELDS = ("tried_class_teacher", "tried_head_of_year", "tried_parent_contact", "tried_early_help")


@transaction.atomic
def referral_create(*, user, pupil: Pupil, school: School, case_type: str, concerns: str, reasons=(),
                    tried_class_teacher: str = "", tried_head_of_year: str = "", tried_parent_contact: str = "",
                    tried_early_help: str = "", files=()) -> Referral:
    """A school refers a pupil on its roll. Before accepting, the LA expects the school to have tried something
    (seed 003), except for a child missing education, who cannot wait."""
    require(user, Capability.REFER_PUPILS)
    if not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": "You can refer pupils only from your own school."})
    if current_enrolment(pupil, school) is None:
        raise ValidationError({"pupil": f"{pupil.display_name} is not on {school.name}'s roll today, so "
                                        f"{school.name} cannot refer them."})
    referral = Referral(
        pupil=pupil, school=school, case_type=case_type, concerns=(concerns or "").strip(),
        reasons=sorted(set(reasons)), tried_class_teacher=tried_class_teacher.strip(),
        tried_head_of_year=tried_head_of_year.strip(), tried_parent_contact=tried_parent_contact.strip(),
        tried_early_help=tried_early_help.strip(), referred_by=user)
    unknown = set(referral.reasons) - set(Referral.Reason.values)
    if unknown:
        raise ValidationError({"reasons": f"Unknown reason: {', '.join(sorted(unknown))}."})
    if case_type != Case.CaseType.CME and not any(getattr(referral, f) for f in REFERRAL_TRIED_FIELDS):
        raise ValidationError({"tried_class_teacher": (
            "Tell us what the school has already tried (class teacher or form tutor, head of year or head, contact "
            "with parents, early help): the LA takes a referral once the school's own steps have been tried.")})
    if Referral.objects.filter(pupil=pupil, case_type=case_type, status=Referral.Status.SUBMITTED).exists():
        raise ValidationError({"case_type": f"{pupil.display_name} already has a {referral.get_case_type_display()} "
                                            "referral awaiting triage."})
    open_case = Case.objects.open().filter(pupil=pupil, case_type=case_type).first()
    if open_case:
        raise ValidationError({"case_type": f"{pupil.display_name} already has an open "
                                            f"{open_case.get_case_type_display()} case ({open_case.reference}): "
                                            "contact the allocated officer instead."})
    kept = clean_uploads(files)
    referral.full_clean()
    referral.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=referral)
    _save_attachments(user=user, files=kept, pupil=pupil, referral=referral)
    return referral


@transaction.atomic
def referral_accept(*, user, referral: Referral, expected_version, stage: str = Stage.EARLY_INTERVENTION,
                    officer=None, note: str = "") -> Case:
    """Accept a referral: the case opens (awaiting allocation, or allocated at once when an officer is chosen)."""
    require(user, Capability.TRIAGE_REFERRALS)
    if referral.status != Referral.Status.SUBMITTED:
        raise ValidationError(f"This referral was already {referral.get_status_display().lower()}.")
    before = snapshot(referral)
    claim_version(referral, expected_version, what="referral")
    summary = referral.concerns
    if note:
        summary = f"{summary}\n\nTriage note: {note}"
    case = case_open(user=user, pupil=referral.pupil, case_type=referral.case_type, summary=summary, stage=stage,
                     officer=officer, school=referral.school, referral=referral)
    referral.status = Referral.Status.ACCEPTED
    referral.triaged_by = user
    referral.triaged_at = timezone.now()
    referral.case = case
    referral.full_clean()
    referral.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=referral, before=before)
    return case


@transaction.atomic
def referral_decline(*, user, referral: Referral, expected_version, reason: str) -> Referral:
    require(user, Capability.TRIAGE_REFERRALS)
    if referral.status != Referral.Status.SUBMITTED:
        raise ValidationError(f"This referral was already {referral.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError({"decline_reason": "Say why the referral is declined: the school will read this."})
    before = snapshot(referral)
    claim_version(referral, expected_version, what="referral")
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason.strip()
    referral.triaged_by = user
    referral.triaged_at = timezone.now()
    referral.full_clean()
    referral.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=referral, before=before)
    return referral


# --- Cases ----------------------------------------------------------------------------------------------------------

def _check_officer(officer, *, field: str = "officer") -> None:
    if officer is None:
        return
    if not officer.is_active or officer.role != Role.LA_OFFICER:
        raise ValidationError({field: f"{officer.display_name} is not an LA officer, so cannot hold cases. Choose "
                                      "an LA officer."})


def _check_one_open(pupil: Pupil, case_type: str, *, exclude_pk=None) -> None:
    clash = Case.objects.open().filter(pupil=pupil, case_type=case_type)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    clash = clash.first()
    if clash:
        raise ValidationError({"case_type": f"{pupil.display_name} already has an open "
                                            f"{clash.get_case_type_display()} case ({clash.reference}). A pupil has "
                                            "one open case of each type."})


@transaction.atomic
def case_open(*, user, pupil: Pupil, case_type: str, summary: str, stage: str = Stage.EARLY_INTERVENTION,
              lead_practitioner: str = Case.Lead.SCHOOL, lead_practitioner_name: str = "", officer=None,
              opened_on: datetime.date | None = None, review_interval_weeks: int | None = None,
              school: School | None = None, referral: Referral | None = None, linked_case: Case | None = None) -> Case:
    """Open a case (from an accepted referral, a TSM, a sibling's case or an officer's own concern)."""
    require(user, Capability.WORK_CASES)
    return _open_case(user=user, pupil=pupil, case_type=case_type, summary=summary, stage=stage,
                      lead_practitioner=lead_practitioner, lead_practitioner_name=lead_practitioner_name,
                      officer=officer, opened_on=opened_on, review_interval_weeks=review_interval_weeks, school=school,
                      referral=referral, linked_case=linked_case)


def _open_case(*, user, pupil: Pupil, case_type: str, summary: str, stage: str, lead_practitioner: str,
               lead_practitioner_name: str, officer, opened_on, review_interval_weeks, school, referral,
               linked_case, origin: str = "") -> Case:
    if not Pupil.objects.visible_to(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied("pupil out of scope")
    _check_officer(officer)
    _check_one_open(pupil, case_type)
    policy = CaseworkPolicy.current()
    opened_on = opened_on or _today()
    if opened_on > _today():
        raise ValidationError({"opened_on": "A case cannot open in the future."})
    if school is None:
        enrolment = current_enrolment(pupil, on=opened_on)
        school = enrolment.school if enrolment else None
    interval = review_interval_weeks or policy.review_interval_weeks
    case = Case(
        pupil=pupil, school=school, case_type=case_type, summary=(summary or "").strip(), stage=stage,
        lead_practitioner=lead_practitioner, lead_practitioner_name=lead_practitioner_name, officer=officer,
        status=Case.Status.OPEN if officer else Case.Status.REFERRED, opened_on=opened_on,
        review_interval_weeks=interval, next_review_due=opened_on + datetime.timedelta(weeks=interval),
        created_by=user)
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=case)
    change = StageChange.objects.create(case=case, to_stage=stage, reason="Stage when the case opened.",
                                        changed_by=user, changed_on=opened_on)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=change, pupil_id=pupil.pk)
    origin = origin or (f"from referral {referral.reference}" if referral else "by the LA")
    record_event(user=user, case=case, on=opened_on,
           summary=f"Case opened {origin}: {case.get_case_type_display()}, {STAGES[stage].short_label.lower()}")
    if officer is not None:
        _allocation_record(user=user, case=case, officer=officer, reason="Allocated when the case opened.",
                           on=opened_on)
    if linked_case is not None:
        case_link(user=user, case=case, other=linked_case)
    threshold.note_action(pupil_id=pupil.pk, action=PnThresholdEntry.Action.CASE, on=opened_on)
    return case


def _allocation_record(*, user, case: Case, officer, reason: str, previous=None, on=None) -> Allocation:
    allocation = Allocation.objects.create(case=case, officer=officer, allocated_by=user, reason=reason)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=allocation, pupil_id=case.pupil_id)
    if previous is None:
        text = f"Allocated to {officer.display_name}"
    else:
        text = f"Reallocated from {previous.display_name} to {officer.display_name}"
    record_event(user=user, case=case, summary=text, details=reason, on=on)
    return allocation


@transaction.atomic
def case_allocate(*, user, case: Case, officer, expected_version, reason: str = "") -> Case:
    """Allocate or reallocate a case to an LA officer. Going over the caseload limit is allowed (the manager decides)
    but the caseload view and the response say so."""
    require(user, Capability.TRIAGE_REFERRALS)
    if case.is_closed:
        raise ValidationError("This case is closed; it cannot be allocated.")
    if officer is None:
        raise ValidationError({"officer": "Choose the officer to allocate the case to."})
    _check_officer(officer)
    if case.officer_id == officer.pk:
        raise ValidationError({"officer": f"The case is already allocated to {officer.display_name}."})
    before = snapshot(case)
    claim_version(case, expected_version, what="case")
    previous = case.officer
    case.officer = officer
    if case.status == Case.Status.REFERRED:
        case.status = Case.Status.OPEN
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before=before)
    _allocation_record(user=user, case=case, officer=officer, reason=(reason or "").strip(), previous=previous)
    return case


CASE_EDIT_FIELDS = frozenset({"summary", "lead_practitioner", "lead_practitioner_name", "review_interval_weeks"})


@transaction.atomic
def case_update(*, user, case: Case, expected_version, **fields) -> Case:
    require_case_work(user, case)
    unknown = set(fields) - CASE_EDIT_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    before = snapshot(case)
    claim_version(case, expected_version, what="case")
    interval_before = case.review_interval_weeks
    for name, value in fields.items():
        setattr(case, name, value)
    if case.review_interval_weeks != interval_before and case.status == Case.Status.OPEN:
        last = case.reviews.order_by("-held_on").values_list("held_on", flat=True).first() or case.opened_on
        case.next_review_due = last + datetime.timedelta(weeks=case.review_interval_weeks)
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before=before)
    return case


@transaction.atomic
def case_change_stage(*, user, case: Case, stage: str, reason: str, expected_version,
                      changed_on: datetime.date | None = None) -> Case:
    """Move a case between stages, with the reason kept in its history. Legal intervention comes only after support
    has been tried (seed 001, 3.3): the case must have had an intervention plan."""
    require_case_work(user, case)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage."})
    if stage == case.stage:
        raise ValidationError({"stage": f"The case is already at {case.get_stage_display().lower()}."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the stage is changing."})
    changed_on = changed_on or _today()
    if changed_on > _today() or changed_on < case.opened_on:
        raise ValidationError({"changed_on": "The date must be between the case opening and today."})
    if stage == Stage.LEGAL and not case.plans.exists():
        raise ValidationError({"stage": "Legal intervention comes only after support has been tried: record the "
                                        "support given (an intervention plan) before escalating."})
    before = snapshot(case)
    claim_version(case, expected_version, what="case")
    previous = case.stage
    case.stage = stage
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before=before)
    change = StageChange.objects.create(case=case, from_stage=previous, to_stage=stage, reason=reason.strip(),
                                        changed_by=user, changed_on=changed_on)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=change, pupil_id=case.pupil_id)
    record_event(user=user, case=case, on=changed_on, details=reason.strip(),
           summary=f"Stage changed from {STAGES[previous].short_label.lower()} to {STAGES[stage].short_label.lower()}")
    return case


@transaction.atomic
def case_close(*, user, case: Case, outcome: str, expected_version, outcome_notes: str = "",
               closed_on: datetime.date | None = None) -> Case:
    require_case_work(user, case)
    closed_on = closed_on or _today()
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    if closed_on > _today():
        raise ValidationError({"closed_on": "The closing date cannot be in the future."})
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": f"The closing date cannot be before the case opened on "
                                            f"{case.opened_on:%-d %B %Y}."})
    active = list(case.plans.filter(status="active").select_related("intervention"))
    if active:
        names = ", ".join(plan.intervention.name for plan in active)
        raise ValidationError(f"End the active intervention plans first, recording their outcome: {names}.")
    before = snapshot(case)
    claim_version(case, expected_version, what="case")
    case.status = Case.Status.CLOSED
    case.outcome = outcome
    case.outcome_notes = (outcome_notes or "").strip()
    case.closed_on = closed_on
    case.next_review_due = None
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before=before)
    closure = CaseClosure.objects.create(case=case, closed_on=closed_on, outcome=outcome,
                                         outcome_notes=case.outcome_notes, closed_by=user)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=closure, pupil_id=case.pupil_id)
    record_event(user=user, case=case, on=closed_on, summary=f"Case closed: {case.get_outcome_display().lower()}",
           details=case.outcome_notes)
    return case


@transaction.atomic
def case_reopen(*, user, case: Case, reason: str, expected_version) -> Case:
    """A manager reopens a closed case, saying why. The closure stays in the case's closure history, the stage and
    its history are kept, and the one-open-case-per-pupil-per-type rule still holds. The case goes back to its
    officer if they still hold cases, else it waits for allocation."""
    require(user, Capability.TRIAGE_REFERRALS)
    if not case.is_closed:
        raise ValidationError("This case is open: only a closed case can be reopened.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the case is being reopened: the reason is kept with the case."})
    clash = Case.objects.open().filter(pupil_id=case.pupil_id, case_type=case.case_type).exclude(pk=case.pk).first()
    if clash:
        raise ValidationError({"reason": (
            f"{case.pupil.display_name} already has an open {clash.get_case_type_display()} case "
            f"({clash.reference}), and a pupil has one open case of each type: work on that case instead, or "
            "close it first.")})
    before = snapshot(case)
    claim_version(case, expected_version, what="case")
    closure = (CaseClosure.objects.filter(case=case, reopened_at__isnull=True).order_by("-closed_on", "-pk").first()
               or CaseClosure.objects.create(case=case, closed_on=case.closed_on, outcome=case.outcome,
                                             outcome_notes=case.outcome_notes))
    closure_before = snapshot(closure)
    closed_text = f"Closed on {case.closed_on:%-d %B %Y}: {case.get_outcome_display().lower()}."
    officer = case.officer
    keeps_officer = officer is not None and officer.is_active and officer.role == Role.LA_OFFICER
    case.officer = officer if keeps_officer else None
    case.status = Case.Status.OPEN if keeps_officer else Case.Status.REFERRED
    case.closed_on, case.outcome, case.outcome_notes = None, "", ""
    today = _today()
    case.next_review_due = today + datetime.timedelta(weeks=case.review_interval_weeks)
    case.full_clean()
    case.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before=before)
    closure.reopened_at, closure.reopened_by, closure.reopen_reason = timezone.now(), user, reason
    closure.full_clean()
    closure.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=closure, before=closure_before,
                  pupil_id=case.pupil_id)
    waiting = "" if keeps_officer else " It is awaiting allocation."
    record_event(user=user, case=case, on=today, summary="Case reopened",
                 details=f"{reason}\n\n{closed_text}{waiting}")
    return case


REINTEGRATION_CASE_TYPES = (Case.CaseType.REINTEGRATION, Case.CaseType.BEHAVIOUR, Case.CaseType.BOTH)


@transaction.atomic
def case_open_or_join_for_exclusion(*, user, exclusion, plan: str) -> Case:
    """The hook schools.exclusions.services calls when a reintegration plan is recorded after a suspension or
    exclusion: the plan joins the pupil's open reintegration or behaviour case, or opens a reintegration case awaiting
    allocation (the school or LA user recording the exclusion need not be a caseworker; a manager allocates it)."""
    pupil = exclusion.pupil
    summary = f"Reintegration plan after {exclusion.get_kind_display().lower()} from {exclusion.school.name} " \
              f"starting {exclusion.start_date:%-d %B %Y}"
    case = (Case.objects.open().filter(pupil=pupil, case_type__in=REINTEGRATION_CASE_TYPES)
            .order_by("case_type", "-opened_on").first())
    if case is None:
        case = _open_case(user=user, pupil=pupil, case_type=Case.CaseType.REINTEGRATION, stage=Stage.EARLY_INTERVENTION,
                          summary=f"{summary}.\n\n{plan}", lead_practitioner=Case.Lead.SCHOOL,
                          lead_practitioner_name="", officer=None, opened_on=None, review_interval_weeks=None,
                          school=exclusion.school, referral=None, linked_case=None, origin="from an exclusion record")
    record_event(user=user, case=case, summary=summary, details=plan)
    return case


@transaction.atomic
def case_link(*, user, case: Case, other: Case) -> None:
    """Link two cases (siblings: whole-family working)."""
    if other.pk == case.pk:
        raise ValidationError("A case cannot be linked to itself.")
    case.linked_cases.add(other)
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case,
                  before={"linked_case": None}, path=f"linked to {other.reference}")


# --- Chronology ---------------------------------------------------------------------------------------------------

ENTRY_FIELDS = frozenset({"entry_type", "meeting_type", "occurred_on", "summary", "details", "participants",
                          "outcome", "restriction"})


def _check_entry(entry: ChronologyEntry) -> None:
    if entry.entry_type == ChronologyEntry.EntryType.EVENT:
        raise ValidationError({"entry_type": "Choose what kind of entry this is."})
    if entry.entry_type != ChronologyEntry.EntryType.MEETING:
        entry.meeting_type = ""
    elif not entry.meeting_type:
        raise ValidationError({"meeting_type": "Choose the kind of meeting."})
    if entry.occurred_on and entry.occurred_on > _today():
        raise ValidationError({"occurred_on": "The date cannot be in the future."})


@transaction.atomic
def entry_add(*, user, case: Case, files=(), **fields) -> ChronologyEntry:
    require_case_work(user, case)
    unknown = set(fields) - ENTRY_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    entry = ChronologyEntry(case=case, created_by=user, **fields)
    entry.meeting_type = entry.meeting_type or ""
    entry.restriction = entry.restriction or ""
    _check_entry(entry)
    kept = clean_uploads(files)
    entry.full_clean()
    entry.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=entry, pupil_id=case.pupil_id)
    _save_attachments(user=user, files=kept, pupil=case.pupil, entry=entry)
    if entry.entry_type in CONTACT_ENTRY_TYPES:
        threshold.note_action(pupil_id=case.pupil_id, action=PnThresholdEntry.Action.CONTACT, on=entry.occurred_on)
    return entry


def entry_locked(entry: ChronologyEntry, *, policy: CaseworkPolicy | None = None) -> bool:
    policy = policy or CaseworkPolicy.current()
    return timezone.now() - entry.created_at > datetime.timedelta(days=policy.entry_edit_days)


@transaction.atomic
def entry_update(*, user, entry: ChronologyEntry, expected_version, reason: str, **fields) -> ChronologyEntry:
    """Correct an entry. The earlier wording is kept as a revision shown under the entry; after the edit window the
    entry is locked and a new entry must say what was wrong."""
    case = entry.case
    if not can_edit_entry(user, entry, case):
        raise PermissionDenied(f"{user.username} may not change this entry.")
    unknown = set(fields) - (ENTRY_FIELDS - {"entry_type"})
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if entry_locked(entry):
        raise ValidationError("This entry is locked: entries can be corrected only for "
                              f"{CaseworkPolicy.current().entry_edit_days} days. Add a new entry saying what was "
                              "wrong instead.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the entry is being corrected."})
    before = snapshot(entry)
    claim_version(entry, expected_version, what="entry")
    previous = {name: before.get(name) for name in fields if str(before.get(name)) != str(fields[name])}
    for name, value in fields.items():
        setattr(entry, name, value if value is not None else "")
    _check_entry(entry)
    entry.full_clean()
    if not previous:
        raise ValidationError("Nothing was changed.")
    entry.save()
    revision = ChronologyRevision.objects.create(entry=entry, edited_by=user, previous=previous,
                                                 reason=reason.strip())
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=entry, before=before, pupil_id=case.pupil_id)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=revision, pupil_id=case.pupil_id)
    return entry


# --- Reviews and tasks ----------------------------------------------------------------------------------------------

@transaction.atomic
def review_add(*, user, case: Case, held_on: datetime.date, progress: str, decision: str, plan=None,
               attendance_percent=None, next_review_due: datetime.date | None = None) -> Review:
    """Record a review. ``attendance_percent`` is worked out from the registers for the period since the last review
    (cases.selectors.review_attendance); the value given is used only when the registers hold no sessions for it."""
    require_case_work(user, case)
    if case.status != Case.Status.OPEN:
        raise ValidationError("Reviews are recorded on open, allocated cases.")
    if held_on < case.opened_on:
        raise ValidationError({"held_on": f"The review date cannot be before the case opened on "
                                          f"{case.opened_on:%-d %B %Y}."})
    if held_on > _today():
        raise ValidationError({"held_on": "The review date cannot be in the future: record a review once held."})
    if plan is not None and plan.case_id != case.pk:
        raise ValidationError({"plan": "Choose one of this case's plans."})
    next_review_due = next_review_due or held_on + datetime.timedelta(weeks=case.review_interval_weeks)
    if next_review_due <= held_on:
        raise ValidationError({"next_review_due": "The next review must be after this one."})
    # Attendance over the period reviewed comes from the registers when they hold any sessions for it; a figure
    # typed in (or sent by a caller) is kept only when they hold none.
    computed = review_attendance(user=user, case=case, held_on=held_on).percent
    if computed is not None:
        attendance_percent = computed
    review = Review(case=case, plan=plan, held_on=held_on, progress=(progress or "").strip(), decision=decision,
                    attendance_percent=attendance_percent, next_review_due=next_review_due, reviewed_by=user)
    review.full_clean()
    review.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=review, pupil_id=case.pupil_id)
    # The review date is not a field users edit on the case form, so this does not move the case's version: an
    # officer's open stage form stays valid while a colleague records a review.
    before = {"next_review_due": case.next_review_due.isoformat() if case.next_review_due else None}
    Case.objects.filter(pk=case.pk).update(next_review_due=next_review_due)
    case.next_review_due = next_review_due
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=case, before={**snapshot(case), **before})
    about = f" of {plan.intervention.name}" if plan is not None else ""
    record_event(user=user, case=case, on=held_on, summary=f"Review{about}: {review.get_decision_display().lower()}",
           details=review.progress)
    return review


def check_assignee(assignee, *, school_ids: set[int]) -> None:
    if assignee is None:
        raise ValidationError({"assigned_to": "Choose who will do this."})
    if not assignee.is_active:
        raise ValidationError({"assigned_to": f"{assignee.display_name} no longer has an account."})
    if assignee.can(Capability.WORK_CASES):
        return
    if assignee.role == Role.SCHOOL_USER and school_ids & set(assignee.schools.values_list("pk", flat=True)):
        return
    raise ValidationError({"assigned_to": f"{assignee.display_name} cannot be given this task: choose an LA "
                                          "caseworker or a user at the pupil's school."})


@transaction.atomic
def task_add(*, user, title: str, due_date: datetime.date, assigned_to, case: Case | None = None,
             tsm: TargetingSupportMeeting | None = None, details: str = "") -> Task:
    if case is not None:
        require_case_work(user, case)
    elif tsm is not None:
        require(user, Capability.MANAGE_TSMS)
    else:
        raise TypeError("A task belongs to a case or a TSM.")
    school_ids = {s for s in [case.school_id if case else None, tsm.school_id if tsm else None] if s}
    check_assignee(assigned_to, school_ids=school_ids)
    task = Task(case=case, tsm=tsm, title=(title or "").strip(), details=(details or "").strip(), due_date=due_date,
                assigned_to=assigned_to, created_by=user)
    task.full_clean()
    task.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=task,
                  pupil_id=case.pupil_id if case else None)
    return task


def can_complete_task(user, task: Task) -> bool:
    if task.status != Task.Status.OPEN:
        return False
    if task.assigned_to_id == user.pk:
        return True
    if task.case_id:
        return can_work_case(user, task.case)
    return user.role in CASE_SUPERVISORS


@transaction.atomic
def task_complete(*, user, task: Task) -> Task:
    if not can_complete_task(user, task):
        raise PermissionDenied(f"{user.username} may not complete this task.")
    before = snapshot(task)
    updated = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=Task.Status.DONE, completed_at=timezone.now(), completed_by=user)
    if not updated:
        raise ValidationError("This task was already marked done.")
    task.refresh_from_db()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=task, before=before,
                  pupil_id=task.case.pupil_id if task.case_id else None)
    if task.case_id:
        record_event(user=user, case=task.case, summary=f"Task done: {task.title}")
    return task


# --- Targeting support meetings -------------------------------------------------------------------------------------

TSM_FIELDS = frozenset({"held_on", "officer", "attendees", "notes"})


def _check_tsm(tsm: TargetingSupportMeeting) -> None:
    year = tsm.academic_year
    if tsm.held_on and year and not (year.start_date <= tsm.held_on <= year.end_date):
        raise ValidationError({"held_on": f"The meeting date must fall in the {year.name} academic year."})
    if tsm.held_on and tsm.held_on > _today() + datetime.timedelta(days=366):
        raise ValidationError({"held_on": "The meeting date is too far ahead."})
    if tsm.officer_id and not tsm.officer.can(Capability.WORK_CASES):
        raise ValidationError({"officer": f"{tsm.officer.display_name} is not an LA caseworker."})


@transaction.atomic
def tsm_create(*, user, school: School, academic_year, term: str, held_on, officer, attendees: str,
               notes: str = "") -> TargetingSupportMeeting:
    require(user, Capability.MANAGE_TSMS)
    tsm = TargetingSupportMeeting(school=school, academic_year=academic_year, term=term, held_on=held_on,
                                  officer=officer, attendees=(attendees or "").strip(), notes=(notes or "").strip(),
                                  created_by=user)
    _check_tsm(tsm)
    tsm.full_clean()
    tsm.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=tsm)
    return tsm


@transaction.atomic
def tsm_update(*, user, tsm: TargetingSupportMeeting, expected_version, **fields) -> TargetingSupportMeeting:
    require(user, Capability.MANAGE_TSMS)
    unknown = set(fields) - TSM_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    before = snapshot(tsm)
    claim_version(tsm, expected_version, what="meeting record")
    for name, value in fields.items():
        setattr(tsm, name, value)
    _check_tsm(tsm)
    tsm.full_clean()
    tsm.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=tsm, before=before)
    return tsm


@transaction.atomic
def tsm_pupil_add(*, user, tsm: TargetingSupportMeeting, pupil: Pupil, notes: str = "",
                  action: str = TsmPupil.Action.NONE, task_title: str = "", task_due_date=None, assigned_to=None,
                  case_type: str = "", officer=None) -> TsmPupil:
    """Record a pupil discussed at the meeting and what was agreed: a task (on the pupil's open case if there is
    one) or a new case."""
    require(user, Capability.MANAGE_TSMS)
    was_on_roll = Enrolment.objects.filter(pupil=pupil, school_id=tsm.school_id, start_date__lte=tsm.held_on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=tsm.held_on)).exists()
    if not was_on_roll:
        raise ValidationError({"pupil": f"{pupil.display_name} was not on {tsm.school.name}'s roll on the day of "
                                        "the meeting."})
    if TsmPupil.objects.filter(tsm=tsm, pupil=pupil).exists():
        raise ValidationError({"pupil": f"{pupil.display_name} is already listed for this meeting."})
    item = TsmPupil(tsm=tsm, pupil=pupil, notes=(notes or "").strip(), action=action)
    open_cases = list(Case.objects.open().filter(pupil=pupil).order_by("-opened_on"))
    if action == TsmPupil.Action.TASK:
        if not task_title or not task_due_date:
            raise ValidationError({"task_title": "Give the task a title and a due date."})
        on_case = next((c for c in open_cases if can_work_case(user, c)), None)
        item.task = task_add(user=user, case=on_case, tsm=tsm, title=task_title, due_date=task_due_date,
                             assigned_to=assigned_to, details=f"Agreed at the {tsm}.")
    elif action == TsmPupil.Action.CASE:
        if not case_type:
            raise ValidationError({"case_type": "Choose the type of case to open."})
        item.case = case_open(user=user, pupil=pupil, case_type=case_type, officer=officer, school=tsm.school,
                              summary=notes or f"Agreed at the {tsm}.", opened_on=min(_today(), tsm.held_on))
    item.full_clean()
    item.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=item)
    for case in open_cases:
        record_event(user=user, case=case, on=min(_today(), tsm.held_on),
               summary=f"Discussed at the {tsm.get_term_display().lower()} targeting support meeting",
               details=item.notes)
    return item


# --- Reminders (the daily task) -------------------------------------------------------------------------------------

#: Reviews and tasks overdue for longer than this are on My work's lists, not reminded again each morning.
REMINDER_LOOKBACK = datetime.timedelta(days=60)


@transaction.atomic
def casework_reminders_refresh(*, today: datetime.date | None = None) -> dict:
    """Remind each officer of their case reviews, and each person of their tasks, due within
    CaseworkPolicy.reminder_days (or overdue); end reminders whose review was recorded, task done, date moved or case
    reallocated. One row per person, item and due date: safe to run any number of times a day."""
    today = today or _today()
    horizon = today + datetime.timedelta(days=CaseworkPolicy.current().reminder_days)
    window = (today - REMINDER_LOOKBACK, horizon)
    open_before = CaseReminder.objects.filter(resolved_on__isnull=True).count()
    new = []
    reviews = (Case.objects.filter(status=Case.Status.OPEN, officer__isnull=False, officer__is_active=True,
                                   next_review_due__range=window).select_related("pupil"))
    for case in reviews:
        new.append(CaseReminder(
            user_id=case.officer_id, kind=CaseReminder.Kind.REVIEW, case=case, due=case.next_review_due,
            created_on=today,
            message=f"Review of {case.reference} ({case.pupil.display_name}) due {case.next_review_due:%-d %B %Y}"))
    tasks = (Task.objects.filter(status=Task.Status.OPEN, assigned_to__is_active=True, due_date__range=window)
             .exclude(case__status=Case.Status.CLOSED)
             .select_related("case__pupil", "tsm__school"))
    for task in tasks:
        about = (f"{task.case.reference} ({task.case.pupil.display_name})" if task.case_id
                 else f"the {task.tsm.get_term_display().lower()} TSM with {task.tsm.school.name}")
        new.append(CaseReminder(
            user_id=task.assigned_to_id, kind=CaseReminder.Kind.TASK, case_id=task.case_id, task=task,
            due=task.due_date, created_on=today,
            message=f"Task “{task.title}” on {about} due {task.due_date:%-d %B %Y}"[:300]))
    CaseReminder.objects.bulk_create(new, ignore_conflicts=True)
    resolved = (CaseReminder.objects.filter(resolved_on__isnull=True)
                .exclude(pk__in=CaseReminder.objects.still_due().values("pk")).update(resolved_on=today))
    open_now = CaseReminder.objects.filter(resolved_on__isnull=True).count()
    return {"due": len(new), "created": open_now - open_before + resolved, "resolved": resolved, "open": open_now}

