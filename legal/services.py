"""Every write to legal records. Views, the API, the demo loader and tasks call these.

Each service checks the user may act, validates everything before writing (a refusal raises ValidationError keyed by
field, with a message saying what and what to do, and nothing is saved), runs in one transaction, audits the write
with before/after values and, where the record belongs to a case, adds an event to the case's chronology.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from cases.services import claim_version, current_enrolment, record_event
from cases.uploads import clean_uploads
from legal import rules
from legal.messaging import services as messaging
from legal.models import (
    Contract,
    ContractReview,
    EducationSupervisionOrder,
    EsoConsideration,
    EsoExtension,
    Hearing,
    LegalAlert,
    LegalPathway,
    LegalPolicy,
    Letter,
    LetterBatch,
    LetterTemplate,
    NoticeToImprove,
    ParentingOrder,
    Payment,
    PenaltyNotice,
    PenaltyNoticeRequest,
    Prosecution,
    RequestEvidence,
    SchoolAttendanceOrder,
)
from legal.rules import NoticeType, RuleError, money
from schools.attendance import threshold
from schools.audit import record_change, snapshot
from schools.models import AuditEvent, Carer, Job, PnThresholdEntry, Pupil, School
from schools.roles import Capability, require
from schools.school_age import outside_school_age
from schools.school_days import CalendarMissing, add_school_days

JOB_KIND_LETTERS = Job.Kind.LEGAL_LETTERS  # letter batches (shown by legal's own batch page)


def _today() -> datetime.date:
    return timezone.localdate()



def _audit_create(user, instance, pupil_id=None):
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=instance, pupil_id=pupil_id)


def _audit_update(user, instance, before, pupil_id=None):
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=instance, before=before, pupil_id=pupil_id)


def _event(user, case, summary: str, details: str = "", on: datetime.date | None = None) -> None:
    if case is not None:
        record_event(user=user, case=case, summary=summary, details=details, on=min(on or _today(), _today()))


def _not_future(field: str, day: datetime.date | None, what: str) -> None:
    if day is not None and day > _today():
        raise ValidationError({field: f"{what} cannot be in the future."})


def _check_carer(pupil: Pupil, carer: Carer, field: str = "carer") -> None:
    if carer is None:
        raise ValidationError({field: "Choose the parent or carer."})
    if not pupil.family_id or carer.family_id != pupil.family_id:
        raise ValidationError({field: f"That parent or carer is not in {pupil.display_name}'s family: legal action "
                                      "is taken against a parent of the child."})


def _check_school_age(pupil: Pupil, first: datetime.date | None, last: datetime.date | None = None, *,
                      field: str) -> None:
    """s444 steps, and the orders (s437, s36), are for a child of compulsory school age on the dates concerned."""
    if first is None:
        return
    reason = outside_school_age(pupil.date_of_birth, first, last)
    if reason:
        raise ValidationError({field: f"{pupil.display_name}: {reason}"})


def _open_pathway(pathway: LegalPathway | None, field: str = "pathway") -> LegalPathway:
    if pathway is None or not pathway.is_open:
        raise ValidationError({field: "This needs an open legal pathway on the pupil's case."})
    return pathway


def _to_money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"“{value}” is not an amount of money: write it like 80.00."}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: "The amount must be zero or more."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: "The amount must be in pounds and pence, like 80.00."})
    return amount.quantize(Decimal("0.01"))


# --- Pathways -----------------------------------------------------------------------------------------------------

@transaction.atomic
def pathway_open(*, user, case, reasons: dict | None = None, override_reason: str = "",
                 opened_on: datetime.date | None = None) -> LegalPathway:
    """Open legal work on a case. Every required item of the support checklist must be evidenced from the case (or,
    where the item allows, a reason recorded why not); otherwise only a manager may open it, with a reason."""
    from legal.selectors import support_gate

    require(user, Capability.WORK_LEGAL)
    if case.is_closed:
        raise ValidationError("This case is closed: legal work is opened on an open case.")
    if LegalPathway.objects.filter(case=case, status=LegalPathway.Status.OPEN).exists():
        raise ValidationError("This case already has an open legal pathway.")
    opened_on = opened_on or _today()
    _not_future("opened_on", opened_on, "The date")
    gate = support_gate(case=case, reasons=reasons)
    missing = [g.item.label for g in gate if g.blocking]
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        raise ValidationError({"override_reason": (
            "The evidenced support is not complete (missing: " + "; ".join(missing) + "). Record the support on the "
            "case first, or a manager may override with a reason.")})
    if missing and not user.can(Capability.OVERRIDE_SUPPORT_GATE):
        raise ValidationError({"override_reason": "Only a manager can open a legal pathway without the evidenced "
                                                  "support (missing: " + "; ".join(missing) + ")."})
    pathway = LegalPathway(
        case=case, pupil_id=case.pupil_id, opened_on=opened_on, opened_by=user, gate_passed=not missing,
        evidence=[g.as_record() for g in gate], override_reason=override_reason if missing else "",
        overridden_by=user if missing else None)
    pathway.full_clean()
    pathway.save()
    _audit_create(user, pathway, case.pupil_id)
    if missing:
        _event(user, case, "Legal pathway opened by manager override", f"Override: {override_reason}\nMissing: "
               + "; ".join(missing), on=opened_on)
    else:
        _event(user, case, "Legal pathway opened: evidenced support checked",
               "\n".join(f"{g.item.label}: {'; '.join(g.evidence) or g.reason}" for g in gate), on=opened_on)
    return pathway


@transaction.atomic
def pathway_close(*, user, pathway: LegalPathway, expected_version, reason: str) -> LegalPathway:
    require(user, Capability.WORK_LEGAL)
    if not pathway.is_open:
        raise ValidationError("This pathway is already closed.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why legal work is ending."})
    live = Prosecution.objects.filter(pathway=pathway, status__in=[Prosecution.Status.PREPARING,
                                                                   Prosecution.Status.LAID]).first()
    if live:
        raise ValidationError(f"{live.reference} is still {live.get_status_display().lower()}: record its outcome "
                              "or withdraw it first.")
    before = snapshot(pathway)
    claim_version(pathway, expected_version, what="legal pathway")
    pathway.status, pathway.closed_on, pathway.closed_reason = LegalPathway.Status.CLOSED, _today(), reason.strip()
    pathway.save()
    _audit_update(user, pathway, before, pathway.pupil_id)
    _event(user, pathway.case, "Legal pathway closed", reason.strip())
    return pathway


# --- Notices to improve -----------------------------------------------------------------------------------------

def improvement_end(issued_on: datetime.date, weeks: int, school) -> datetime.date:
    """The end of an improvement period of ``weeks`` school weeks on the school's calendar (calendar weeks where no
    term dates are entered)."""
    try:
        return add_school_days(issued_on, weeks * 5, school)
    except CalendarMissing:
        return issued_on + datetime.timedelta(weeks=weeks)


@transaction.atomic
def nti_issue(*, user, pathway: LegalPathway, carer: Carer, issued_on: datetime.date, expectations: str,
              school_weeks: int | None = None) -> NoticeToImprove:
    require(user, Capability.WORK_LEGAL)
    _open_pathway(pathway)
    pupil = pathway.pupil
    _check_carer(pupil, carer)
    _not_future("issued_on", issued_on, "The date")
    _check_school_age(pupil, issued_on, field="issued_on")
    if not (expectations or "").strip():
        raise ValidationError({"expectations": "Say what must change during the improvement period."})
    if NoticeToImprove.objects.filter(pathway=pathway, carer=carer, outcome=NoticeToImprove.Outcome.PENDING).exists():
        raise ValidationError({"carer": f"{carer.full_name} already has a notice to improve running."})
    weeks = school_weeks or LegalPolicy.current().nti_improvement_school_weeks
    school = pathway.case.school
    nti = NoticeToImprove(pathway=pathway, pupil=pupil, carer=carer, issued_on=issued_on, expectations=expectations
                          .strip(), improvement_school_weeks=weeks, created_by=user,
                          improvement_ends_on=improvement_end(issued_on, weeks, school))
    nti.full_clean()
    nti.save()
    _audit_create(user, nti, pupil.pk)
    _event(user, pathway.case, f"Notice to improve issued to {carer.full_name}",
           f"Improvement period of {weeks} school weeks, to {nti.improvement_ends_on:%-d %B %Y}.", on=issued_on)
    return nti


@transaction.atomic
def nti_outcome(*, user, nti: NoticeToImprove, outcome: str, outcome_on: datetime.date,
                notes: str = "") -> NoticeToImprove:
    require(user, Capability.WORK_LEGAL)
    if nti.outcome != NoticeToImprove.Outcome.PENDING:
        raise ValidationError("This notice to improve already has an outcome.")
    if outcome not in NoticeToImprove.Outcome.values or outcome == NoticeToImprove.Outcome.PENDING:
        raise ValidationError({"outcome": "Choose the outcome."})
    _not_future("outcome_on", outcome_on, "The date")
    if outcome_on < nti.issued_on:
        raise ValidationError({"outcome_on": "The outcome cannot come before the notice was issued."})
    before = snapshot(nti)
    nti.outcome, nti.outcome_on, nti.outcome_notes = outcome, outcome_on, (notes or "").strip()
    nti.full_clean()
    nti.save()
    _audit_update(user, nti, before, nti.pupil_id)
    _event(user, nti.pathway.case, f"Notice to improve: {nti.get_outcome_display().lower()}", nti.outcome_notes,
           on=outcome_on)
    return nti


# --- Penalty notices --------------------------------------------------------------------------------------------

def _check_limit(*, pupil: Pupil, carer: Carer, notice_type: str, issued_on: datetime.date):
    prior = [rules.PriorNotice(n.issued_on, n.notice_type, n.status == PenaltyNotice.Status.WITHDRAWN)
             for n in PenaltyNotice.objects.filter(pupil=pupil, carer=carer).only("issued_on", "notice_type",
                                                                                  "status")]
    try:
        return rules.check_limit(notice_type, issued_on, prior, parent=carer.full_name, child=pupil.display_name)
    except RuleError as error:
        raise ValidationError({"carer": str(error)}) from None


def _set_service(notice: PenaltyNotice, served_on: datetime.date, method: str) -> None:
    if served_on < notice.issued_on:
        raise ValidationError({"served_on": "A notice cannot be served before it was issued."})
    _not_future("served_on", served_on, "The service date")
    if method not in rules.ServiceMethod.values:
        raise ValidationError({"service_method": "Choose how the notice was served."})
    notice.served_on, notice.service_method = served_on, method
    notice.received_on, notice.reduced_due_on, notice.full_due_on = rules.service_dates(
        notice_type=notice.notice_type, issued_on=notice.issued_on, is_repeat=notice.reduced_amount is None,
        served_on=served_on, method=method)


@transaction.atomic
def notice_issue(*, user, pupil: Pupil, carer: Carer, notice_type: str, period_start: datetime.date,
                 period_end: datetime.date, issued_on: datetime.date | None = None, served_on=None,
                 service_method: str = "", pathway: LegalPathway | None = None,
                 request: PenaltyNoticeRequest | None = None, notice_to_improve: NoticeToImprove | None = None,
                 notes: str = "", imported: bool = False) -> PenaltyNotice:
    """Issue a penalty notice to one parent for one child, with the amounts of the regime in force on the issue date
    and the national limit applied (rules.check_limit). Non-attendance notices need an open legal pathway (the
    evidenced-support gate); term-time leave and excluded-pupil notices do not."""
    require(user, Capability.WORK_LEGAL)
    if not Pupil.objects.visible_to(user).filter(pk=pupil.pk).exists():
        raise PermissionDenied("pupil out of scope")
    if notice_type not in NoticeType.values:
        raise ValidationError({"notice_type": "Choose the kind of notice."})
    _check_carer(pupil, carer)
    issued_on = issued_on or _today()
    _not_future("issued_on", issued_on, "The issue date")
    if period_start is None or period_end is None or period_end < period_start:
        raise ValidationError({"period_end": "The absence must end on or after it starts."})
    if period_end > issued_on:
        raise ValidationError({"period_end": "The notice can only cover absence before the day it is issued."})
    if not imported:
        _check_school_age(pupil, period_start, period_end, field="period_start")
    if not imported and issued_on < rules.NATIONAL_FRAMEWORK_START:
        raise ValidationError({"issued_on": "Notices dated before 19 August 2024 belong to earlier regimes: record "
                                            "them as imported history."})
    try:
        rules.regime_for(notice_type, issued_on)
    except RuleError as error:
        raise ValidationError({"issued_on": str(error)}) from None
    if pathway is not None and pathway.pupil_id != pupil.pk:
        raise ValidationError({"pathway": "That legal pathway is for another pupil."})
    if notice_type in rules.GATED_TYPES and not imported:
        _open_pathway(pathway)
    if notice_type == NoticeType.EXCLUDED_PUBLIC_PLACE and not imported:
        _check_exclusion(pupil, period_start, period_end)
    clash = (PenaltyNotice.objects.filter(pupil=pupil, carer=carer, notice_type=notice_type,
                                          period_start__lte=period_end, period_end__gte=period_start)
             .exclude(status=PenaltyNotice.Status.WITHDRAWN).first())
    if clash:
        raise ValidationError({"period_start": f"{clash.reference} already covers this absence for "
                                               f"{carer.full_name}: one notice per period of absence."})
    prosecuted = Prosecution.objects.filter(pupil=pupil, carer=carer, period_start__lte=period_end,
                                            period_end__gte=period_start).exclude(
        status__in=[Prosecution.Status.WITHDRAWN, Prosecution.Status.HALTED]).first()
    if prosecuted:
        raise ValidationError({"period_start": f"{prosecuted.reference} already prosecutes {carer.full_name} for "
                                               "this absence: a notice is not issued where a prosecution has begun."})
    limit = _check_limit(pupil=pupil, carer=carer, notice_type=notice_type, issued_on=issued_on)
    amounts = rules.amounts_for(notice_type, issued_on, is_repeat=bool(limit and limit.is_repeat))
    enrolment = current_enrolment(pupil, on=issued_on)
    notice = PenaltyNotice(
        pupil=pupil, carer=carer, school=enrolment.school if enrolment else None,
        case=pathway.case if pathway else None, pathway=pathway, request=request,
        notice_to_improve=notice_to_improve, notice_type=notice_type, regime=amounts.regime.key,
        number_in_window=limit.number_in_window if limit else None, period_start=period_start,
        period_end=period_end, issued_on=issued_on, issued_by=user, reduced_amount=amounts.reduced_amount,
        full_amount=amounts.full_amount, notes=(notes or "").strip(), imported=imported)
    if served_on is not None:
        _set_service(notice, served_on, service_method)
    notice.full_clean()
    notice.save()
    _audit_create(user, notice, pupil.pk)
    _event(user, notice.case, f"Penalty notice {notice.reference} issued to {carer.full_name}",
           f"{notice.get_notice_type_display()}, absence {period_start:%-d %b %Y} to {period_end:%-d %b %Y}: "
           f"{notice.amounts_label}.", on=issued_on)
    threshold.note_action(pupil_id=pupil.pk, action=PnThresholdEntry.Action.NOTICE, on=issued_on)
    return notice


def _check_exclusion(pupil: Pupil, period_start: datetime.date, period_end: datetime.date) -> None:
    """s103 EIA2006: the duty (and so the notice) covers the first five school days of an exclusion."""
    from schools.models import Exclusion
    from schools.school_days import nth_school_day_of

    for exclusion in Exclusion.objects.filter(pupil=pupil, start_date__lte=period_start,
                                              cancelled_on__isnull=True).select_related("school"):
        try:
            fifth = nth_school_day_of(exclusion.start_date, 5, exclusion.school)
        except CalendarMissing:
            fifth = exclusion.start_date + datetime.timedelta(days=6)
        if period_end <= fifth:
            return
    raise ValidationError({"period_start": "An excluded-pupil notice covers a day in the first five school days of "
                                           "a recorded exclusion: no exclusion of this pupil covers these dates."})


@transaction.atomic
def notice_serve(*, user, notice: PenaltyNotice, served_on: datetime.date, service_method: str,
                 expected_version) -> PenaltyNotice:
    require(user, Capability.WORK_LEGAL)
    if notice.status != PenaltyNotice.Status.ISSUED or notice.payments.exists():
        raise ValidationError("Service can only be recorded while the notice is awaiting payment.")
    before = snapshot(notice)
    claim_version(notice, expected_version, what="penalty notice")
    _set_service(notice, served_on, service_method)
    notice.full_clean()
    notice.save()
    _audit_update(user, notice, before, notice.pupil_id)
    _event(user, notice.case, f"Penalty notice {notice.reference} served ({notice.get_service_method_display()})",
           f"Pay by {notice.full_due_on:%-d %B %Y}.", on=served_on)
    return notice


def amount_due(notice: PenaltyNotice, paid_on: datetime.date) -> Decimal | None:
    """What discharges the notice when paid on ``paid_on`` (the amounts fixed at issue); None after the period.

    The periods run from the deemed date of receipt, but a payment that arrives before it (post can arrive early: a
    notice posted on a Friday is deemed received on the Tuesday, and the parent pays on the Monday) is within them,
    at the reduced rate (Education (Penalty Notices) (England) Regulations 2007 as amended 2024, reg 5: the reduced
    amount if paid within 21 days of receipt)."""
    if notice.received_on is None:
        return None
    if notice.reduced_due_on is not None and paid_on <= notice.reduced_due_on:
        return notice.reduced_amount
    if notice.full_due_on is not None and paid_on <= notice.full_due_on:
        return notice.full_amount
    return None


def find_notice(reference: str) -> PenaltyNotice | None:
    text = (reference or "").strip().upper().replace(" ", "")
    if text.startswith("PN-"):
        text = text[3:]
    if not (text.isascii() and text.isdecimal() and len(text) <= 12):
        return None
    return PenaltyNotice.objects.select_related("pupil", "carer", "case").filter(pk=int(text)).first()


@transaction.atomic
def payment_record(*, user, reference: str, amount, paid_on: datetime.date, method: str,
                   transaction_reference: str = "") -> Payment:
    """Reconcile a payment to its notice: the reference must name a notice, and the amount must be exactly what was
    due on the day it was paid (rules: reduced rate to day 21, full rate to day 28 after receipt). Anything else is
    refused with the reason and nothing is recorded. A payment for a notice already referred for prosecution halts
    the prosecution and alerts the officers (LGO 24 020 946)."""
    require(user, Capability.RECORD_PAYMENTS)
    notice = find_notice(reference)
    if notice is None:
        raise ValidationError({"reference": f"No penalty notice has the reference “{reference}”. Check the payer's "
                                            "reference against the notice (PN- and six digits): nothing was "
                                            "recorded."})
    amount = _to_money(amount, "amount")
    if paid_on is None:
        raise ValidationError({"paid_on": "Enter the date the parent paid."})
    _not_future("paid_on", paid_on, "The payment date")
    if method not in Payment.Method.values:
        raise ValidationError({"method": "Choose how the parent paid."})
    if notice.status == PenaltyNotice.Status.WITHDRAWN:
        raise ValidationError({"reference": f"{notice.reference} was withdrawn on {notice.withdrawn_on:%-d %B %Y}: "
                                            "it cannot be paid. Refund the payment."})
    if notice.is_paid or notice.payments.exists():
        raise ValidationError({"reference": f"{notice.reference} was already paid on {notice.paid_on:%-d %B %Y}: "
                                            "this looks like a second payment. Refund it."})
    if notice.received_on is None:
        raise ValidationError({"reference": f"{notice.reference} has no service recorded, so its payment period has "
                                            "not started: record how and when it was served first."})
    if paid_on < notice.issued_on:
        raise ValidationError({"paid_on": f"The payment date is before {notice.reference} was issued "
                                          f"({notice.issued_on:%-d %B %Y})."})
    due = amount_due(notice, paid_on)
    day = (paid_on - notice.received_on).days
    if due is None:
        raise ValidationError({"paid_on": (
            f"The payment period for {notice.reference} ended on {notice.full_due_on:%-d %B %Y} (day "
            f"{notice.full_days} after receipt on {notice.received_on:%-d %B %Y}); a payment on {paid_on:%-d %B %Y} "
            "(day {day}) cannot discharge it. Refund it; the LA prosecutes or withdraws the notice.").replace(
            "{day}", str(day))})
    if amount != due:
        rate = ("the reduced rate" if due == notice.reduced_amount and notice.reduced_amount is not None
                else "the full rate")
        window = (f"; the reduced amount applies up to day {notice.reduced_days}, "
                  f"{notice.reduced_due_on:%-d %B %Y}" if notice.reduced_due_on else "")
        comparison = "less" if amount < due else "more"
        when = (f"day {day} after receipt" if day >= 0
                else f"before its deemed receipt on {notice.received_on:%-d %B %Y}")
        raise ValidationError({"amount": (
            f"{money(amount)} is {comparison} than the {money(due)} due for {notice.reference} when paid on "
            f"{paid_on:%-d %B %Y}, {when} ({rate}{window}). Part payments and overpayments are "
            "not accepted: nothing was recorded.")})
    before = snapshot(notice)
    was_referred = notice.status == PenaltyNotice.Status.REFERRED
    payment = Payment(notice=notice, amount=amount, paid_on=paid_on, method=method, recorded_by=user,
                      transaction_reference=(transaction_reference or "").strip()[:60])
    payment.full_clean()
    payment.save()
    _audit_create(user, payment, notice.pupil_id)
    reduced = notice.reduced_amount is not None and due == notice.reduced_amount and notice.reduced_due_on \
        and paid_on <= notice.reduced_due_on
    notice.status = PenaltyNotice.Status.PAID_REDUCED if reduced else PenaltyNotice.Status.PAID_FULL
    notice.paid_on, notice.paid_amount = paid_on, amount
    notice.version += 1
    notice.full_clean()
    notice.save()
    _audit_update(user, notice, before, notice.pupil_id)
    _event(user, notice.case, f"Penalty notice {notice.reference} paid ({money(amount)})",
           f"Paid on {paid_on:%-d %B %Y}, {payment.get_method_display().lower()}.", on=paid_on)
    _halt_prosecutions(user=user, notice=notice, was_referred=was_referred)
    return payment


def _halt_prosecutions(*, user, notice: PenaltyNotice, was_referred: bool) -> None:
    """A paid notice can never be prosecuted: stop any prosecution for it and tell the people working it."""
    live = list(Prosecution.objects.filter(penalty_notice=notice).exclude(
        status__in=[Prosecution.Status.HALTED, Prosecution.Status.WITHDRAWN, Prosecution.Status.CONCLUDED])
        .select_related("pathway__case__officer"))
    if not live and not was_referred:
        return
    message = (f"{notice.reference} was paid on {notice.paid_on:%-d %B %Y} after it was referred for prosecution. "
               "A paid notice cannot be prosecuted")
    recipients = {notice.issued_by_id}
    for prosecution in live:
        before = snapshot(prosecution)
        prosecution.status = Prosecution.Status.HALTED
        prosecution.halted_reason = f"Penalty notice {notice.reference} paid on {notice.paid_on:%-d %B %Y}."
        prosecution.version += 1
        prosecution.save()
        _audit_update(user, prosecution, before, prosecution.pupil_id)
        recipients.add(prosecution.officer_id)
        if prosecution.pathway.case.officer_id:
            recipients.add(prosecution.pathway.case.officer_id)
        text = (f"{message}: {prosecution.reference} has been halted. Tell the court if the information was laid "
                "(withdraw the summons).")
        for recipient in recipients:
            LegalAlert.objects.create(user_id=recipient, pupil_id=notice.pupil_id, penalty_notice=notice,
                                      prosecution=prosecution, message=text[:300])
        _event(user, prosecution.pathway.case, f"Prosecution {prosecution.reference} halted: notice paid", text)
    if not live:
        if notice.case and notice.case.officer_id:
            recipients.add(notice.case.officer_id)
        for recipient in recipients:
            LegalAlert.objects.create(user_id=recipient, pupil_id=notice.pupil_id, penalty_notice=notice,
                                      message=f"{message}: do not start one."[:300])
        _event(user, notice.case, f"Referral of {notice.reference} stopped: notice paid", message + ".")


@transaction.atomic
def notice_withdraw(*, user, notice: PenaltyNotice, ground: str, notes: str = "",
                    withdrawn_on: datetime.date | None = None, expected_version=None) -> PenaltyNotice:
    require(user, Capability.RECORD_PAYMENTS)
    if notice.status == PenaltyNotice.Status.WITHDRAWN:
        raise ValidationError("This notice was already withdrawn.")
    if notice.is_paid:
        raise ValidationError("A paid notice cannot be withdrawn: the payment discharged the parent's liability.")
    if ground not in PenaltyNotice.WithdrawalGround.values:
        raise ValidationError({"ground": "Choose the grounds for withdrawing the notice."})
    withdrawn_on = withdrawn_on or _today()
    _not_future("withdrawn_on", withdrawn_on, "The date")
    if withdrawn_on < notice.issued_on:
        raise ValidationError({"withdrawn_on": "A notice cannot be withdrawn before it was issued."})
    live = Prosecution.objects.filter(penalty_notice=notice, status__in=[Prosecution.Status.PREPARING,
                                                                         Prosecution.Status.LAID]).first()
    if live:
        raise ValidationError(f"{live.reference} is under way for this notice: withdraw the prosecution first.")
    before = snapshot(notice)
    if expected_version is not None:
        claim_version(notice, expected_version, what="penalty notice")
    notice.status, notice.withdrawn_on = PenaltyNotice.Status.WITHDRAWN, withdrawn_on
    notice.withdrawal_ground, notice.withdrawal_notes = ground, (notes or "").strip()
    notice.full_clean()
    notice.save()
    _audit_update(user, notice, before, notice.pupil_id)
    _event(user, notice.case, f"Penalty notice {notice.reference} withdrawn",
           f"{notice.get_withdrawal_ground_display()}. {notice.withdrawal_notes}".strip(), on=withdrawn_on)
    return notice


@transaction.atomic
def notice_refer(*, user, notice: PenaltyNotice, expected_version) -> PenaltyNotice:
    """Refer an unpaid notice for prosecution: only once its payment period is over."""
    require(user, Capability.PROSECUTE)
    if notice.is_paid:
        raise ValidationError(f"{notice.reference} was paid on {notice.paid_on:%-d %B %Y}: a paid notice can never "
                              "be prosecuted.")
    if notice.status not in (PenaltyNotice.Status.ISSUED, PenaltyNotice.Status.UNPAID):
        raise ValidationError(f"{notice.reference} is {notice.get_status_display().lower()}: it cannot be referred.")
    if notice.full_due_on is None or notice.full_due_on >= _today():
        due = f" (to {notice.full_due_on:%-d %B %Y})" if notice.full_due_on else ""
        raise ValidationError(f"The payment period of {notice.reference} is still running{due}: no prosecution may "
                              "begin until it is over.")
    before = snapshot(notice)
    claim_version(notice, expected_version, what="penalty notice")
    notice.status = PenaltyNotice.Status.REFERRED
    notice.save()
    _audit_update(user, notice, before, notice.pupil_id)
    _event(user, notice.case, f"Penalty notice {notice.reference} unpaid: referred for prosecution")
    return notice


def notices_mark_unpaid(*, today: datetime.date | None = None) -> int:
    """Nightly: notices whose payment period is over become "unpaid", in one UPDATE; idempotent."""
    today = today or _today()
    return PenaltyNotice.objects.filter(status=PenaltyNotice.Status.ISSUED, full_due_on__lt=today).update(
        status=PenaltyNotice.Status.UNPAID)


# --- School requests --------------------------------------------------------------------------------------------

@transaction.atomic
def request_submit(*, user, school: School, pupil: Pupil, carers, notice_type: str, absence_from: datetime.date,
                   absence_to: datetime.date, sessions_missed: int, details: str, support_offered: str = "",
                   letters_sent: str = "", leave_refused_on: datetime.date | None = None,
                   files=()) -> PenaltyNoticeRequest:
    """A school asks for a notice for a pupil on its roll, with its evidence. The LA's decision is due within the
    policy's working days."""
    require(user, Capability.REQUEST_PENALTY_NOTICE)
    if not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": "You can request notices only for your own school's pupils."})
    if current_enrolment(pupil, school) is None:
        raise ValidationError({"pupil": f"{pupil.display_name} is not on {school.name}'s roll today."})
    carers = list(carers or [])
    if not carers:
        raise ValidationError({"carers": "Choose the parent or parents to receive a notice (one notice each)."})
    for carer in carers:
        _check_carer(pupil, carer, "carers")
    if notice_type not in rules.S444A_TYPES:
        raise ValidationError({"notice_type": "Schools request non-attendance or term-time leave notices."})
    if absence_from is None or absence_to is None or absence_to < absence_from:
        raise ValidationError({"absence_to": "The absence must end on or after it starts."})
    _check_school_age(pupil, absence_from, absence_to, field="absence_from")
    _not_future("absence_to", absence_to, "The end of the absence")
    if not sessions_missed or sessions_missed < 1:
        raise ValidationError({"sessions_missed": "Enter how many sessions were missed."})
    if not (details or "").strip():
        raise ValidationError({"details": "Say what happened and why a notice is appropriate."})
    if notice_type == NoticeType.NON_ATTENDANCE and not (support_offered or "").strip():
        raise ValidationError({"support_offered": "Say what support the school offered and how the family "
                                                  "responded: a non-attendance notice follows support that has "
                                                  "not worked."})
    if PenaltyNoticeRequest.objects.filter(pupil=pupil, notice_type=notice_type,
                                           status=PenaltyNoticeRequest.Status.SUBMITTED).exists():
        raise ValidationError({"notice_type": f"{pupil.display_name} already has a request of this kind awaiting "
                                              "the LA's decision."})
    kept = clean_uploads(files, field="files")  # the form field's name, so the error shows there
    submitted_on = _today()
    request = PenaltyNoticeRequest(
        school=school, pupil=pupil, notice_type=notice_type, absence_from=absence_from, absence_to=absence_to,
        sessions_missed=sessions_missed, leave_refused_on=leave_refused_on, details=details.strip(),
        support_offered=(support_offered or "").strip(), letters_sent=(letters_sent or "").strip(),
        submitted_on=submitted_on, requested_by=user,
        decision_due=rules.add_working_days(submitted_on, LegalPolicy.current().request_decision_working_days))
    request.full_clean()
    request.save()
    request.carers.set(carers)
    _audit_create(user, request, pupil.pk)
    for upload, content_type in kept:
        evidence = RequestEvidence(request=request, original_name=upload.name.rsplit("/", 1)[-1][:200],
                                   content_type=content_type, size=upload.size, uploaded_by=user)
        evidence.file.save(evidence.original_name, upload, save=False)
        evidence.save()
        _audit_create(user, evidence, pupil.pk)
    threshold.note_action(pupil_id=pupil.pk, action=PnThresholdEntry.Action.REQUEST, on=request.submitted_on)
    return request


@transaction.atomic
def request_decide(*, user, request: PenaltyNoticeRequest, approve: bool, reason: str, expected_version,
                   la_notes: str = "", served_on: datetime.date | None = None,
                   service_method: str = "") -> PenaltyNoticeRequest:
    """The LA's decision. Approving issues one notice to each parent named (all or none: a refused notice, e.g. a
    third within three years, refuses the whole decision with its reason). The school reads the decision and
    ``reason``; ``la_notes`` stay with the LA."""
    require(user, Capability.DECIDE_PN_REQUESTS)
    if request.status != PenaltyNoticeRequest.Status.SUBMITTED:
        raise ValidationError(f"This request was already decided ({request.get_status_display().lower()}).")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": "Say why the request is declined: the school will read this."})
    before = snapshot(request)
    claim_version(request, expected_version, what="request")
    if approve:
        pathway = (LegalPathway.objects.filter(pupil_id=request.pupil_id, status=LegalPathway.Status.OPEN)
                   .select_related("case").first())
        if request.notice_type in rules.GATED_TYPES and pathway is None:
            raise ValidationError({"reason": (
                "A non-attendance notice needs an open legal pathway with evidenced support on the pupil's case: "
                "open one from the case first, or decline the request saying what support is expected.")})
        for carer in request.carers.all():
            notice_issue(user=user, pupil=request.pupil, carer=carer, notice_type=request.notice_type,
                         period_start=request.absence_from, period_end=request.absence_to, pathway=pathway,
                         request=request, served_on=served_on, service_method=service_method)
    request.status = PenaltyNoticeRequest.Status.APPROVED if approve else PenaltyNoticeRequest.Status.DECLINED
    request.decision_reason, request.la_notes = reason, (la_notes or "").strip()
    request.decided_at, request.decided_by = timezone.now(), user
    request.full_clean()
    request.save()
    _audit_update(user, request, before, request.pupil_id)
    return request


# --- Contracts ------------------------------------------------------------------------------------------------------

@transaction.atomic
def contract_create(*, user, kind: str, pupil: Pupil, carer: Carer, agreed_on: datetime.date,
                    parent_requirements: str, support_offered: str, case=None,
                    review_weeks: int | None = None) -> Contract:
    require(user, Capability.WORK_LEGAL)
    if kind not in Contract.Kind.values:
        raise ValidationError({"kind": "Choose the kind of contract."})
    _check_carer(pupil, carer)
    _not_future("agreed_on", agreed_on, "The date agreed")
    if not (parent_requirements or "").strip():
        raise ValidationError({"parent_requirements": "Write down what the parent agrees to do."})
    if not (support_offered or "").strip():
        raise ValidationError({"support_offered": "Write down the support the LA or school will give: a contract "
                                                  "is an agreement on both sides."})
    if case is not None and case.pupil_id != pupil.pk:
        raise ValidationError({"case": "That case is for another pupil."})
    weeks = review_weeks or LegalPolicy.current().contract_review_weeks
    contract = Contract(kind=kind, pupil=pupil, carer=carer, case=case, agreed_on=agreed_on,
                        parent_requirements=parent_requirements.strip(), support_offered=support_offered.strip(),
                        review_weeks=weeks, next_review_on=agreed_on + datetime.timedelta(weeks=weeks),
                        created_by=user)
    contract.full_clean()
    contract.save()
    _audit_create(user, contract, pupil.pk)
    _event(user, case, f"{contract.get_kind_display()} agreed with {carer.full_name}",
           f"Parent: {contract.parent_requirements}\nSupport: {contract.support_offered}", on=agreed_on)
    return contract


@transaction.atomic
def contract_review(*, user, contract: Contract, held_on: datetime.date, progress: str,
                    next_review_on: datetime.date | None = None) -> ContractReview:
    require(user, Capability.WORK_LEGAL)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError("This contract has ended.")
    _not_future("held_on", held_on, "The review date")
    if held_on < contract.agreed_on:
        raise ValidationError({"held_on": "A review cannot come before the contract was agreed."})
    if not (progress or "").strip():
        raise ValidationError({"progress": "Say how the contract is going."})
    next_review_on = next_review_on or held_on + datetime.timedelta(weeks=contract.review_weeks)
    if next_review_on <= held_on:
        raise ValidationError({"next_review_on": "The next review must be after this one."})
    review = ContractReview(contract=contract, held_on=held_on, progress=progress.strip(),
                            next_review_on=next_review_on, reviewed_by=user)
    review.save()
    _audit_create(user, review, contract.pupil_id)
    before = snapshot(contract)
    contract.next_review_on = next_review_on
    contract.save(update_fields=["next_review_on"])
    _audit_update(user, contract, before, contract.pupil_id)
    _event(user, contract.case, f"{contract.get_kind_display()} reviewed", review.progress, on=held_on)
    return review


@transaction.atomic
def contract_end(*, user, contract: Contract, outcome: str, ended_on: datetime.date, notes: str = "",
                 expected_version) -> Contract:
    require(user, Capability.WORK_LEGAL)
    if contract.status != Contract.Status.ACTIVE:
        raise ValidationError("This contract has already ended.")
    if outcome not in Contract.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    _not_future("ended_on", ended_on, "The date")
    if ended_on < contract.agreed_on:
        raise ValidationError({"ended_on": "A contract cannot end before it was agreed."})
    before = snapshot(contract)
    claim_version(contract, expected_version, what="contract")
    contract.status, contract.outcome, contract.ended_on = Contract.Status.ENDED, outcome, ended_on
    contract.outcome_notes, contract.next_review_on = (notes or "").strip(), None
    contract.full_clean()
    contract.save()
    _audit_update(user, contract, before, contract.pupil_id)
    _event(user, contract.case, f"{contract.get_kind_display()} ended: {contract.get_outcome_display().lower()}",
           contract.outcome_notes, on=ended_on)
    return contract


# --- Education supervision orders and the s447 record -----------------------------------------------------------

@transaction.atomic
def eso_consider(*, user, pathway: LegalPathway, considered_on: datetime.date, decision: str, reasons: str,
                 court_directed_on: datetime.date | None = None) -> EsoConsideration:
    """Record that an ESO was considered (EA1996 s447): required before any prosecution."""
    require(user, Capability.WORK_LEGAL)
    _open_pathway(pathway)
    _not_future("considered_on", considered_on, "The date")
    if decision not in EsoConsideration.Decision.values:
        raise ValidationError({"decision": "Choose the decision."})
    if not (reasons or "").strip():
        raise ValidationError({"reasons": "Record the reasons: the court may ask for them (s447)."})
    if decision == EsoConsideration.Decision.APPLY and pathway.pupil.looked_after:
        raise ValidationError({"decision": "An ESO cannot be made for a child in the care of a local authority."})
    record = EsoConsideration(pathway=pathway, considered_on=considered_on, decision=decision,
                              reasons=reasons.strip(), court_directed_on=court_directed_on, considered_by=user)
    record.full_clean()
    record.save()
    _audit_create(user, record, pathway.pupil_id)
    _event(user, pathway.case, f"Education supervision order considered: {record.get_decision_display().lower()}",
           record.reasons, on=considered_on)
    return record


@transaction.atomic
def eso_apply(*, user, pathway: LegalPathway, applied_on: datetime.date, court: str) -> EducationSupervisionOrder:
    require(user, Capability.WORK_LEGAL)
    _open_pathway(pathway)
    _not_future("applied_on", applied_on, "The date")
    if pathway.pupil.looked_after:
        raise ValidationError({"applied_on": "An ESO cannot be made for a child in the care of a local authority."})
    _check_school_age(pathway.pupil, applied_on, field="applied_on")
    if not (court or "").strip():
        raise ValidationError({"court": "Name the family court."})
    if EducationSupervisionOrder.objects.filter(pupil_id=pathway.pupil_id, status__in=[
            EducationSupervisionOrder.Status.APPLIED, EducationSupervisionOrder.Status.IN_FORCE]).exists():
        raise ValidationError({"applied_on": "This pupil already has an ESO applied for or in force."})
    eso = EducationSupervisionOrder(pathway=pathway, pupil_id=pathway.pupil_id, applied_on=applied_on,
                                    court=court.strip(), created_by=user)
    eso.full_clean()
    eso.save()
    _audit_create(user, eso, pathway.pupil_id)
    _event(user, pathway.case, "Education supervision order applied for", f"At {eso.court}.", on=applied_on)
    return eso


@transaction.atomic
def eso_decision(*, user, eso: EducationSupervisionOrder, made: bool, decided_on: datetime.date, expected_version,
                 supervisor=None, directions: str = "") -> EducationSupervisionOrder:
    require(user, Capability.WORK_LEGAL)
    if eso.status != EducationSupervisionOrder.Status.APPLIED:
        raise ValidationError("The court's decision on this application is already recorded.")
    _not_future("decided_on", decided_on, "The date")
    if decided_on < eso.applied_on:
        raise ValidationError({"decided_on": "The order cannot be made before it was applied for."})
    before = snapshot(eso)
    claim_version(eso, expected_version, what="order")
    if made:
        eso.status, eso.made_on, eso.expires_on = (EducationSupervisionOrder.Status.IN_FORCE, decided_on,
                                                   rules.eso_expiry(decided_on))
        eso.supervisor, eso.directions = supervisor or user, (directions or "").strip()
    else:
        eso.status = EducationSupervisionOrder.Status.REFUSED
    eso.full_clean()
    eso.save()
    _audit_update(user, eso, before, eso.pupil_id)
    _event(user, eso.pathway.case, f"Education supervision order {'made' if made else 'refused'}",
           f"In force to {eso.expires_on:%-d %B %Y}." if made else "", on=decided_on)
    return eso


@transaction.atomic
def eso_extend(*, user, eso: EducationSupervisionOrder, applied_on: datetime.date, granted_on: datetime.date,
               new_expiry: datetime.date) -> EsoExtension:
    """An extension applied for in the order's last three months, of up to three years at a time (CA1989 Sch 3)."""
    require(user, Capability.WORK_LEGAL)
    if eso.status != EducationSupervisionOrder.Status.IN_FORCE:
        raise ValidationError("Only an order in force can be extended.")
    window_opens = rules.add_months(eso.expires_on, -rules.ESO_EXTENSION_WINDOW_MONTHS)
    if not (window_opens <= applied_on <= eso.expires_on):
        raise ValidationError({"applied_on": f"An extension is applied for in the last "
                                             f"{rules.ESO_EXTENSION_WINDOW_MONTHS} months of the order: between "
                                             f"{window_opens:%-d %B %Y} and {eso.expires_on:%-d %B %Y}."})
    _not_future("granted_on", granted_on, "The date")
    if granted_on < applied_on:
        raise ValidationError({"granted_on": "The extension cannot be granted before it was applied for."})
    longest = rules.add_years(eso.expires_on, rules.ESO_EXTENSION_MAX_YEARS)
    if new_expiry <= eso.expires_on or new_expiry > longest:
        raise ValidationError({"new_expiry": f"An extension is of up to {rules.ESO_EXTENSION_MAX_YEARS} years: the "
                                             f"new end must be after {eso.expires_on:%-d %B %Y} and no later than "
                                             f"{longest:%-d %B %Y}."})
    extension = EsoExtension(eso=eso, applied_on=applied_on, granted_on=granted_on, previous_expiry=eso.expires_on,
                             new_expiry=new_expiry, recorded_by=user)
    extension.full_clean()
    extension.save()
    _audit_create(user, extension, eso.pupil_id)
    before = snapshot(eso)
    eso.expires_on = new_expiry
    eso.version += 1
    eso.save()
    _audit_update(user, eso, before, eso.pupil_id)
    _event(user, eso.pathway.case, f"Education supervision order extended to {new_expiry:%-d %B %Y}", on=granted_on)
    return extension


# --- School attendance orders -----------------------------------------------------------------------------------

@transaction.atomic
def sao_notice(*, user, pathway: LegalPathway, carer: Carer, notice_served_on: datetime.date,
               notice_period_days: int) -> SchoolAttendanceOrder:
    """s437(1): a notice giving the parent at least 15 days to satisfy the LA that the child is being educated."""
    require(user, Capability.WORK_LEGAL)
    _open_pathway(pathway)
    _check_carer(pathway.pupil, carer)
    _not_future("notice_served_on", notice_served_on, "The date")
    _check_school_age(pathway.pupil, notice_served_on, field="notice_served_on")
    if not notice_period_days or notice_period_days < rules.SAO_NOTICE_MIN_DAYS:
        raise ValidationError({"notice_period_days": f"The notice must give the parent at least "
                                                     f"{rules.SAO_NOTICE_MIN_DAYS} days (Education Act 1996 "
                                                     "s437(1))."})
    sao = SchoolAttendanceOrder(
        pathway=pathway, pupil_id=pathway.pupil_id, carer=carer, notice_served_on=notice_served_on,
        notice_period_days=notice_period_days, created_by=user,
        response_due_on=notice_served_on + datetime.timedelta(days=notice_period_days))
    sao.full_clean()
    sao.save()
    _audit_create(user, sao, pathway.pupil_id)
    _event(user, pathway.case, f"School attendance order: notice served on {carer.full_name}",
           f"The parent has until {sao.response_due_on:%-d %B %Y} to satisfy the LA.", on=notice_served_on)
    return sao


@transaction.atomic
def sao_update(*, user, sao: SchoolAttendanceOrder, step: str, on: datetime.date, expected_version,
               named_school: School | None = None, notes: str = "") -> SchoolAttendanceOrder:
    """Move an SAO on: ``satisfied`` (no order), ``order`` (naming a school, once the notice period is over),
    ``complied``, ``not_complied`` or ``revoked``."""
    require(user, Capability.WORK_LEGAL)
    stages = SchoolAttendanceOrder.Stage
    allowed = {stages.NOTICE: {stages.SATISFIED, stages.ORDER}, stages.ORDER: {stages.COMPLIED, stages.NOT_COMPLIED,
                                                                               stages.REVOKED},
               stages.NOT_COMPLIED: {stages.COMPLIED, stages.REVOKED}, stages.COMPLIED: {stages.REVOKED}}
    if step not in allowed.get(sao.stage, set()):
        raise ValidationError({"step": f"From “{sao.get_stage_display()}” this step is not possible."})
    _not_future("on", on, "The date")
    before = snapshot(sao)
    if step == stages.ORDER:
        if on <= sao.response_due_on:
            raise ValidationError({"on": f"The order can be served only after the notice period ends on "
                                         f"{sao.response_due_on:%-d %B %Y}."})
        if named_school is None:
            raise ValidationError({"named_school": "The order names the school the child must attend."})
        sao.order_served_on, sao.named_school = on, named_school
    elif step in {stages.COMPLIED, stages.NOT_COMPLIED, stages.REVOKED}:
        sao.compliance_on = on
    claim_version(sao, expected_version, what="school attendance order")
    sao.stage = step
    if notes:
        sao.notes = "\n".join(filter(None, [sao.notes, f"{on:%-d %b %Y}: {notes.strip()}"]))
    if step == stages.SATISFIED:
        sao.parent_response = (notes or "").strip()
    sao.full_clean()
    sao.save()
    _audit_update(user, sao, before, sao.pupil_id)
    school = f" naming {named_school.name}" if step == stages.ORDER else ""
    _event(user, sao.pathway.case, f"School attendance order: {sao.get_stage_display().lower()}{school}", notes,
           on=on)
    return sao


# --- Prosecutions -----------------------------------------------------------------------------------------------

def _check_not_paid(*, pupil_id, carer_id, period_start, period_end, notice: PenaltyNotice | None) -> None:
    if notice is not None:
        notice.refresh_from_db()  # a payment may have been recorded since the caller read it
    if notice is not None and notice.is_paid:
        raise ValidationError({"penalty_notice": f"{notice.reference} was paid on {notice.paid_on:%-d %B %Y}: a paid "
                                                 "notice can never be prosecuted (payment discharges the parent's "
                                                 "liability for that absence)."})
    paid = PenaltyNotice.objects.filter(pupil_id=pupil_id, carer_id=carer_id, status__in=list(PenaltyNotice.PAID),
                                        period_start__lte=period_end, period_end__gte=period_start).first()
    if paid:
        raise ValidationError({"period_start": f"{paid.reference} for this absence was paid on "
                                               f"{paid.paid_on:%-d %B %Y}: the parent cannot be prosecuted for the "
                                               "period it covers."})


@transaction.atomic
def prosecution_create(*, user, pathway: LegalPathway, carer: Carer, offence: str, period_start: datetime.date,
                       period_end: datetime.date, penalty_notice: PenaltyNotice | None = None,
                       officer=None) -> Prosecution:
    """Start preparing a prosecution of one parent. Refused unless an ESO was considered (s447), for a paid notice or
    a period a paid notice covers, before an unpaid notice's payment period is over, or once the six-month limit for
    laying the information has passed."""
    require(user, Capability.PROSECUTE)
    _open_pathway(pathway)
    pupil = pathway.pupil
    _check_carer(pupil, carer)
    if offence not in rules.Offence.values:
        raise ValidationError({"offence": "Choose the offence."})
    if period_start is None or period_end is None or period_end < period_start:
        raise ValidationError({"period_end": "The period of absence must end on or after it starts."})
    _not_future("period_end", period_end, "The end of the period")
    _check_school_age(pupil, period_start, period_end, field="period_start")
    if not EsoConsideration.objects.filter(pathway=pathway, considered_on__lte=_today()).exists():
        raise ValidationError({"offence": "Before prosecuting, the LA must consider an education supervision order "
                                          "(Education Act 1996 s447): record that consideration on the pathway "
                                          "first."})
    if penalty_notice is not None:
        if penalty_notice.pupil_id != pupil.pk or penalty_notice.carer_id != carer.pk:
            raise ValidationError({"penalty_notice": "That notice is for another parent or child."})
        if penalty_notice.status == PenaltyNotice.Status.WITHDRAWN:
            raise ValidationError({"penalty_notice": f"{penalty_notice.reference} was withdrawn."})
    _check_not_paid(pupil_id=pupil.pk, carer_id=carer.pk, period_start=period_start, period_end=period_end,
                    notice=penalty_notice)
    if penalty_notice is not None and penalty_notice.status not in (PenaltyNotice.Status.REFERRED,
                                                                    PenaltyNotice.Status.UNPAID):
        if penalty_notice.full_due_on is None or penalty_notice.full_due_on >= _today():
            raise ValidationError({"penalty_notice": f"The payment period of {penalty_notice.reference} is still "
                                                     "running: no prosecution may begin until it is over."})
    deadline = rules.information_deadline(period_end)
    if deadline < _today():
        raise ValidationError({"period_end": f"The six-month limit for laying an information for absence ending "
                                             f"{period_end:%-d %B %Y} passed on {deadline:%-d %B %Y} (Magistrates' "
                                             "Courts Act 1980 s127): charge a later period."})
    prosecution = Prosecution(pathway=pathway, pupil=pupil, carer=carer, offence=offence,
                              penalty_notice=penalty_notice, period_start=period_start, period_end=period_end,
                              information_deadline=deadline, officer=officer or user, created_by=user)
    prosecution.full_clean()
    prosecution.save()
    _audit_create(user, prosecution, pupil.pk)
    if penalty_notice is not None and penalty_notice.status != PenaltyNotice.Status.REFERRED:
        before = snapshot(penalty_notice)
        penalty_notice.status = PenaltyNotice.Status.REFERRED
        penalty_notice.version += 1
        penalty_notice.save()
        _audit_update(user, penalty_notice, before, pupil.pk)
    _event(user, pathway.case, f"Prosecution {prosecution.reference} begun against {carer.full_name}",
           f"{prosecution.get_offence_display()}; absence {period_start:%-d %b %Y} to {period_end:%-d %b %Y}. "
           f"Information to be laid by {deadline:%-d %B %Y}.")
    return prosecution


PREPARATION_FIELDS = frozenset({"interview_on", "interview_declined", "interview_notes", "witness_statement",
                                "court"})


@transaction.atomic
def prosecution_prepare(*, user, prosecution: Prosecution, expected_version, **fields) -> Prosecution:
    require(user, Capability.PROSECUTE)
    unknown = set(fields) - PREPARATION_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if prosecution.status not in (Prosecution.Status.PREPARING, Prosecution.Status.LAID):
        raise ValidationError(f"{prosecution.reference} is {prosecution.get_status_display().lower()}.")
    _not_future("interview_on", fields.get("interview_on"), "The interview date")
    before = snapshot(prosecution)
    claim_version(prosecution, expected_version, what="prosecution")
    for name, value in fields.items():
        setattr(prosecution, name, value.strip() if isinstance(value, str) else value)
    prosecution.full_clean()
    prosecution.save()
    _audit_update(user, prosecution, before, prosecution.pupil_id)
    if fields.get("interview_on") and before.get("interview_on") != fields["interview_on"].isoformat():
        _event(user, prosecution.pathway.case, f"Interview under caution with {prosecution.carer.full_name}",
               prosecution.interview_notes, on=fields["interview_on"])
    return prosecution


@transaction.atomic
def prosecution_lay(*, user, prosecution: Prosecution, laid_on: datetime.date, court: str,
                    expected_version) -> Prosecution:
    require(user, Capability.PROSECUTE)
    if prosecution.status != Prosecution.Status.PREPARING:
        raise ValidationError(f"{prosecution.reference} is {prosecution.get_status_display().lower()}.")
    _not_future("laid_on", laid_on, "The date")
    if laid_on < prosecution.period_end:
        raise ValidationError({"laid_on": "The information is laid after the absence it charges."})
    if laid_on > prosecution.information_deadline:
        raise ValidationError({"laid_on": f"Out of time: the information had to be laid by "
                                          f"{prosecution.information_deadline:%-d %B %Y} (six months, Magistrates' "
                                          "Courts Act 1980 s127)."})
    if not (court or "").strip():
        raise ValidationError({"court": "Name the magistrates' court."})
    if not (prosecution.witness_statement or "").strip():
        raise ValidationError({"laid_on": "Write the witness statement before laying the information."})
    _check_not_paid(pupil_id=prosecution.pupil_id, carer_id=prosecution.carer_id,
                    period_start=prosecution.period_start, period_end=prosecution.period_end,
                    notice=prosecution.penalty_notice)
    before = snapshot(prosecution)
    claim_version(prosecution, expected_version, what="prosecution")
    prosecution.status, prosecution.information_laid_on, prosecution.court = (Prosecution.Status.LAID, laid_on,
                                                                              court.strip())
    prosecution.full_clean()
    prosecution.save()
    _audit_update(user, prosecution, before, prosecution.pupil_id)
    _event(user, prosecution.pathway.case, f"Information laid at {prosecution.court} ({prosecution.reference})",
           on=laid_on)
    return prosecution


@transaction.atomic
def hearing_add(*, user, prosecution: Prosecution, hearing_on: datetime.date, court: str, kind: str,
                plea: str = "", result: str = "") -> Hearing:
    require(user, Capability.PROSECUTE)
    if prosecution.information_laid_on is None:
        raise ValidationError({"hearing_on": "Lay the information before recording hearings."})
    if hearing_on is None or hearing_on < prosecution.information_laid_on:
        raise ValidationError({"hearing_on": f"A hearing cannot be before the information was laid on "
                                             f"{prosecution.information_laid_on:%-d %B %Y}."})
    if kind not in Hearing.Kind.values:
        raise ValidationError({"kind": "Choose the kind of hearing."})
    if prosecution.status in (Prosecution.Status.HALTED, Prosecution.Status.WITHDRAWN):
        raise ValidationError(f"{prosecution.reference} is {prosecution.get_status_display().lower()}.")
    hearing = Hearing(prosecution=prosecution, hearing_on=hearing_on, court=(court or prosecution.court).strip(),
                      kind=kind, plea=plea or "", result=(result or "").strip(), recorded_by=user)
    hearing.full_clean()
    hearing.save()
    _audit_create(user, hearing, prosecution.pupil_id)
    _event(user, prosecution.pathway.case, f"{hearing.get_kind_display()} at {hearing.court} "
           f"({prosecution.reference})", hearing.result, on=hearing_on)
    return hearing


@transaction.atomic
def prosecution_outcome(*, user, prosecution: Prosecution, outcome: str, outcome_on: datetime.date, expected_version,
                        fine_amount=None, costs_amount=None, discharge_months=None, notes: str = "") -> Prosecution:
    require(user, Capability.PROSECUTE)
    if prosecution.status != Prosecution.Status.LAID:
        raise ValidationError("Record the outcome once the information is laid and the case heard.")
    if outcome not in Prosecution.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    _not_future("outcome_on", outcome_on, "The date")
    if outcome_on < prosecution.information_laid_on:
        raise ValidationError({"outcome_on": "The outcome cannot be before the information was laid."})
    fine = _to_money(fine_amount, "fine_amount") if fine_amount not in (None, "") else None
    costs = _to_money(costs_amount, "costs_amount") if costs_amount not in (None, "") else None
    if outcome == Prosecution.Outcome.FINE and not fine:
        raise ValidationError({"fine_amount": "Enter the fine."})
    cap = rules.MAX_FINE[prosecution.offence]
    if fine is not None and fine > cap:
        raise ValidationError({"fine_amount": f"The most a court can fine for this offence is {money(cap)}."})
    if outcome == Prosecution.Outcome.CONDITIONAL_DISCHARGE and not discharge_months:
        raise ValidationError({"discharge_months": "Enter the length of the conditional discharge in months."})
    before = snapshot(prosecution)
    claim_version(prosecution, expected_version, what="prosecution")
    prosecution.status, prosecution.outcome, prosecution.outcome_on = (Prosecution.Status.CONCLUDED, outcome,
                                                                       outcome_on)
    prosecution.fine_amount, prosecution.costs_amount = fine, costs
    prosecution.discharge_months, prosecution.outcome_notes = discharge_months or None, (notes or "").strip()
    prosecution.full_clean()
    prosecution.save()
    _audit_update(user, prosecution, before, prosecution.pupil_id)
    extras = ", ".join(filter(None, [f"fine {money(fine)}" if fine else "", f"costs {money(costs)}" if costs else ""]))
    _event(user, prosecution.pathway.case, f"Prosecution {prosecution.reference}: "
           f"{prosecution.get_outcome_display().lower()}", extras, on=outcome_on)
    return prosecution


@transaction.atomic
def prosecution_withdraw(*, user, prosecution: Prosecution, reason: str, expected_version) -> Prosecution:
    require(user, Capability.PROSECUTE)
    if prosecution.status not in (Prosecution.Status.PREPARING, Prosecution.Status.LAID):
        raise ValidationError(f"{prosecution.reference} is {prosecution.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the prosecution is withdrawn."})
    before = snapshot(prosecution)
    claim_version(prosecution, expected_version, what="prosecution")
    prosecution.status, prosecution.halted_reason = Prosecution.Status.WITHDRAWN, reason.strip()
    prosecution.save()
    _audit_update(user, prosecution, before, prosecution.pupil_id)
    _event(user, prosecution.pathway.case, f"Prosecution {prosecution.reference} withdrawn", reason.strip())
    return prosecution


@transaction.atomic
def parenting_order_record(*, user, pathway: LegalPathway, carer: Carer, basis: str, made_on: datetime.date,
                           court: str, requirements: str, requirement_months: int, programme_months: int,
                           prosecution: Prosecution | None = None) -> ParentingOrder:
    require(user, Capability.PROSECUTE)
    _check_carer(pathway.pupil, carer)
    if basis not in ParentingOrder.Basis.values:
        raise ValidationError({"basis": "Choose how the order was made."})
    _not_future("made_on", made_on, "The date")
    if not requirement_months or not 1 <= requirement_months <= rules.PARENTING_ORDER_MAX_MONTHS:
        raise ValidationError({"requirement_months": f"Requirements last from 1 to "
                                                     f"{rules.PARENTING_ORDER_MAX_MONTHS} months (ASBA 2003 s20)."})
    if programme_months is None or not 0 <= programme_months <= rules.PARENTING_PROGRAMME_MAX_MONTHS:
        raise ValidationError({"programme_months": f"The programme lasts up to "
                                                   f"{rules.PARENTING_PROGRAMME_MAX_MONTHS} months."})
    if basis == ParentingOrder.Basis.CONVICTION:
        if prosecution is None or prosecution.outcome not in Prosecution.CONVICTIONS:
            raise ValidationError({"basis": "An order on conviction follows a conviction recorded on a prosecution."})
    if not (requirements or "").strip():
        raise ValidationError({"requirements": "Write down the order's requirements."})
    order = ParentingOrder(pathway=pathway, pupil_id=pathway.pupil_id, carer=carer, prosecution=prosecution,
                           basis=basis, made_on=made_on, court=(court or "").strip(),
                           requirements=requirements.strip(), requirement_months=requirement_months,
                           programme_months=programme_months, created_by=user,
                           ends_on=rules.add_months(made_on, requirement_months))
    order.full_clean()
    order.save()
    _audit_create(user, order, pathway.pupil_id)
    _event(user, pathway.case, f"Parenting order made ({order.get_basis_display()})",
           f"Requirements for {requirement_months} months, to {order.ends_on:%-d %B %Y}.", on=made_on)
    return order


# --- Letters --------------------------------------------------------------------------------------------------------

TEMPLATE_FIELDS = frozenset({"kind", "name", "subject", "body", "is_active"})


@transaction.atomic
def template_save(*, user, template: LetterTemplate | None = None, expected_version=None,
                  **fields) -> LetterTemplate:
    """Create or change a letter template; one naming an unknown placeholder is refused, naming it."""
    require(user, Capability.MANAGE_LETTER_TEMPLATES)
    unknown = set(fields) - TEMPLATE_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    creating = template is None
    template = template or LetterTemplate()
    before = snapshot(template) if not creating else None
    if not creating:
        claim_version(template, expected_version, what="letter template")
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    if creating:
        _audit_create(user, template)
    else:
        _audit_update(user, template, before)
    return template


def _letter_context(*, user, pupil, carer, case=None, notice=None, nti=None, contract=None, prosecution=None):
    from legal.letters import build_context
    from legal.selectors import pupil_attendance

    hearing = prosecution.hearings.filter(hearing_on__gte=_today()).order_by("hearing_on").first() \
        if prosecution is not None else None
    enrolment = current_enrolment(pupil)
    return build_context(user=user, pupil=pupil, carer=carer, school=enrolment.school if enrolment else None,
                         case=case, notice=notice, nti=nti, contract=contract, prosecution=prosecution,
                         hearing=hearing, attendance=pupil_attendance(user=user, pupil=pupil))


@transaction.atomic
def letter_send(*, user, template: LetterTemplate, pupil: Pupil, carer: Carer, case=None, notice=None, nti=None,
                contract=None, prosecution=None, batch: LetterBatch | None = None) -> Letter:
    """Fill a template for one parent, render its PDF and keep it as sent. Refused, naming them, if the template
    uses a placeholder this letter has no value for (e.g. a hearing date with no hearing listed)."""
    from legal.letters import render_letter_html
    from schools.common.pdf import html_to_pdf

    require(user, Capability.WORK_LEGAL)
    if not template.is_active:
        raise ValidationError({"template": f"“{template.name}” is no longer in use: choose another template."})
    _check_carer(pupil, carer)
    messaging.check_may_contact(carer)
    messaging.check_postal_address(carer)
    if template.kind in rules.SCHOOL_AGE_LETTER_KINDS:
        _check_school_age(pupil, _today(), field="template")
    context = _letter_context(user=user, pupil=pupil, carer=carer, case=case, notice=notice, nti=nti,
                              contract=contract, prosecution=prosecution)
    missing = context.missing_for(template.subject, template.body)
    if missing:
        names = ", ".join(f"{{{{ {name} }}}}" for name in missing)
        raise ValidationError({"template": f"“{template.name}” uses {names}, which this letter has nothing to fill "
                                           f"with for {carer.full_name}. Choose a letter about the right record, or "
                                           "change the template."})
    subject, body = context.fill(template.subject), context.fill(template.body)
    sent_on = _today()
    letter = Letter(template=template, kind=template.kind, pupil=pupil, carer=carer, case=case,
                    penalty_notice=notice, notice_to_improve=nti, contract=contract, prosecution=prosecution,
                    batch=batch, subject=subject[:300], body=body, sent_on=sent_on, sent_by=user)
    letter.save()  # first, so the PDF can print the letter's reference
    html = render_letter_html(letter, address=context.values.get("parent_address") or "")
    pdf = html_to_pdf(html)
    letter.file.save(f"{template.kind}-{pupil.upn}-{carer.pk}-{sent_on:%Y%m%d}.pdf", ContentFile(pdf), save=True)
    _audit_create(user, letter, pupil.pk)
    # Posted through GOV.UK Notify (with the email or text the carer prefers), or into the print queue.
    sent = messaging.letter_dispatch(user=user, letter=letter, pdf=pdf, values=context.values)
    also = "".join(f", with {m.get_channel_display().lower()} to {m.recipient}" for m in sent[1:])
    _event(user, case, f"{template.get_kind_display()} sent to {carer.full_name} ({letter.reference}): "
           f"{messaging.route_label()}{also}", subject)
    threshold.note_action(pupil_id=pupil.pk, action=PnThresholdEntry.Action.LETTER, on=sent_on)
    return letter


@transaction.atomic
def letter_batch_start(*, user, template: LetterTemplate, period_key: str = "", school: School | None = None,
                       pupil_ids=None) -> LetterBatch:
    """Queue letters from ``template`` to the parents (with parental responsibility) of every pupil on the
    penalty-notice threshold list for the period (and school), or of the pupils chosen on the threshold worklist
    (``pupil_ids``), made in the background with progress."""
    require(user, Capability.WORK_LEGAL)
    if not template.is_active:
        raise ValidationError({"template": f"“{template.name}” is no longer in use."})
    params = {"template": template.pk, "period": period_key, "school": school.pk if school else None}
    if pupil_ids is not None:
        chosen = sorted(set(Pupil.objects.visible_to(user).filter(pk__in=list(pupil_ids)).values_list("pk",
                                                                                                     flat=True)))
        if not chosen:
            raise ValidationError("Choose at least one pupil on the list.")
        params["pupils"] = chosen
        where = f"{len(chosen)} pupil{'s' if len(chosen) != 1 else ''} chosen on the worklist"
    else:
        where = school.name if school else "every school"
    job = Job.objects.create(kind=JOB_KIND_LETTERS, created_by=user, params=params)
    batch = LetterBatch.objects.create(job=job, template=template, created_by=user, params=job.params,
                                       description=f"{template.name}: parents of pupils at the penalty-notice "
                                                   f"threshold, {where}")
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=batch)
    from schools.common import jobs

    # Published after commit; with the queue down the job waits (the page says so) and the sweep sends it later.
    jobs.job_enqueue(job, "legal.tasks.run_letter_batch", batch.pk)
    return batch


def batch_recipients(*, user, params: dict) -> list[tuple[Pupil, Carer]]:
    """(pupil, parent) pairs for a batch: each parent with parental responsibility of each pupil on the threshold
    list the user may see."""
    from schools.attendance import selectors as engine
    from schools.models import Enrolment

    if "pupils" in params:  # chosen on the worklist
        pupil_ids = set(params["pupils"])
    else:
        period = engine.resolve_period(params.get("period") or None, _today())
        school = School.objects.visible_to(user).filter(pk=params.get("school")).first() if params.get("school") \
            else None
        windows = engine.pn_threshold_windows(user, period, school)
        pupil_ids = set(Enrolment.objects.filter(pk__in=[w.enrolment_id for w in windows]).values_list(
            "pupil_id", flat=True))
    pupils = list(Pupil.objects.visible_to(user).filter(pk__in=pupil_ids, family__isnull=False)
                  .order_by("legal_last_name", "legal_first_name", "pk"))
    # Each letter is refused for a pupil outside compulsory school age (letter_send), and the batch names them.
    carers: dict[int, list[Carer]] = {}
    for carer in Carer.objects.filter(family_id__in={p.family_id for p in pupils}, parental_responsibility=True):
        carers.setdefault(carer.family_id, []).append(carer)
    return [(pupil, carer) for pupil in pupils for carer in carers.get(pupil.family_id, [])]


def letter_batch_run(batch: LetterBatch) -> None:
    """Make every letter of a batch (each in its own transaction, so progress shows), then one combined PDF.

    A run again after an interruption (Retry, once the worker died) makes only the letters still missing: a parent
    who has this batch's letter keeps that one, and it goes into the combined PDF as it was sent."""
    from cases.models import Case
    from legal.letters import render_letter_html
    from schools.common import jobs

    user, job = batch.created_by, batch.job
    pairs = batch_recipients(user=user, params=batch.params)
    jobs.job_mark_running(job, total=len(pairs))
    htmls, made, skipped = [], 0, []
    open_cases = {c.pupil_id: c for c in Case.objects.open().filter(pupil_id__in={p.pk for p, _ in pairs})
                  .order_by("-opened_on")}
    already = {(letter.pupil_id, letter.carer_id): letter for letter in Letter.objects.filter(batch=batch)}
    for done, (pupil, carer) in enumerate(pairs, start=1):
        try:
            letter = already.get((pupil.pk, carer.pk)) or letter_send(
                user=user, template=batch.template, pupil=pupil, carer=carer, case=open_cases.get(pupil.pk),
                batch=batch)
        except ValidationError as error:
            skipped.append(f"{pupil.display_name} / {carer.full_name}: {error.messages[0]}")
        else:
            made += 1
            htmls.append(render_letter_html(letter, address=carer.address or (carer.family.address
                                                                               if carer.family_id else "")))
        jobs.job_progress(job, done=done)
    from schools.common.pdf import htmls_to_one_pdf

    if htmls:
        job.refresh_from_db()
        job.result_file.save(f"letters-{batch.pk}.pdf", ContentFile(htmls_to_one_pdf(htmls)), save=True)
    message = f"{made} letter{'s' if made != 1 else ''} made."
    if skipped:
        message += f" {len(skipped)} skipped: " + "; ".join(skipped[:3])
    jobs.job_finish(job, status=Job.Status.SUCCEEDED, message=message)


@transaction.atomic
def alert_read(*, user, alert: LegalAlert) -> LegalAlert:
    if alert.user_id != user.pk:
        raise PermissionDenied("not your alert")
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    return alert

