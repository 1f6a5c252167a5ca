"""Importing payment files and deciding the payments held in the queue. Every write is here.

A file is one transaction: refused whole (nothing saved, every problem listed with its line and column) or saved
whole as a PaymentFile and one PaymentLine per line. A line is paid to its notice only through
legal.services.payment_record, the one place payment periods, amounts and the notice's status are decided (and a
payment halts a prosecution); a line it would refuse is held in the queue with the reason and suggested notices,
never refused at the door. The same file twice is refused (SHA-256); a line an earlier file already had (same date,
amount and reference) is kept as a duplicate and never paid again.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases.services import claim_version
from legal import services as legal_services
from legal.models import Payment, PenaltyNotice
from legal.payments import rules
from legal.payments.models import PaymentFile, PaymentLine
from legal.payments.parse import Line, read_payment_file
from legal.payments.rules import Problem
from legal.rules import money
from schools.attendance.imports.errors import ImportIssue
from schools.audit import record_change, snapshot
from schools.models import AuditEvent
from schools.roles import Capability, require

#: Notices a payment can still be matched to: not paid, not withdrawn.
OUTSTANDING = (PenaltyNotice.Status.ISSUED, PenaltyNotice.Status.UNPAID, PenaltyNotice.Status.REFERRED)


class PaymentFileRefused(Exception):
    """The file was refused whole; ``issues`` say where and why. Nothing was saved."""

    def __init__(self, issues: list[ImportIssue]):
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


def _today() -> datetime.date:
    return timezone.localdate()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def payment_file_import(*, user, name: str, data: bytes, method: str) -> PaymentFile:
    require(user, Capability.RECORD_PAYMENTS, doing="import payment files")
    if method not in Payment.Method.values:
        raise ValidationError({"method": "Choose how the payments in the file were made."})
    name = (name or "payments.csv")[:200]
    digest = file_digest(data)
    earlier = PaymentFile.objects.filter(sha256=digest).select_related("uploaded_by").first()
    if earlier is not None:
        raise PaymentFileRefused([_already_imported(name, earlier)])
    lines, issues = read_payment_file(name, data, today=_today())
    if issues:
        raise PaymentFileRefused(issues)
    try:
        with transaction.atomic():
            batch = PaymentFile.objects.create(original_name=name, sha256=digest, uploaded_by=user,
                                               default_method=method)
    except IntegrityError:  # the same file, imported by someone else a moment ago
        raise PaymentFileRefused([_already_imported(name, PaymentFile.objects.get(sha256=digest))]) from None
    seen = _seen_before([line for line in lines])
    counts = {PaymentLine.Status.MATCHED: 0, PaymentLine.Status.QUEUED: 0, PaymentLine.Status.DUPLICATE: 0}
    for line in lines:
        staged = PaymentLine(file=batch, line_number=line.line, paid_on=line.paid_on, amount=line.amount,
                             reference=line.reference, reference_key=rules.reference_key(line.reference),
                             payer=line.payer, method=method)
        original = seen.get((line.paid_on, line.amount, staged.reference_key))
        if original is not None:
            staged.status, staged.duplicate_of = PaymentLine.Status.DUPLICATE, original
            staged.problem_detail = (f"The same date, amount and reference were imported before "
                                     f"({original.reference_label}); this line was not paid again.")
        else:
            _match_or_queue(user=user, staged=staged, line=line)
        staged.save()
        counts[staged.status] += 1
    batch.line_count = len(lines)
    batch.matched_count = counts[PaymentLine.Status.MATCHED]
    batch.queued_count = counts[PaymentLine.Status.QUEUED]
    batch.duplicate_count = counts[PaymentLine.Status.DUPLICATE]
    batch.total_amount = sum((line.amount for line in lines), Decimal("0.00"))
    batch.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=batch)
    return batch


def _already_imported(name: str, earlier: PaymentFile) -> ImportIssue:
    when = timezone.localtime(earlier.uploaded_at)
    return ImportIssue(name, None, None, None,
                       f"This file was already imported as {earlier.reference} ({earlier.original_name}) on "
                       f"{when:%-d %B %Y at %H:%M} by {earlier.uploaded_by.username}. Nothing was imported again, so "
                       "nothing is paid twice.")


def _seen_before(lines: list[Line]) -> dict[tuple, PaymentLine]:
    """Lines of earlier files with the same (date, amount, reference), in one query."""
    if not lines:
        return {}
    keys = {(line.paid_on, line.amount, rules.reference_key(line.reference)) for line in lines}
    earlier = (PaymentLine.objects.filter(paid_on__in={k[0] for k in keys}, reference_key__in={k[2] for k in keys})
               .exclude(status=PaymentLine.Status.DUPLICATE).order_by("pk"))
    found: dict[tuple, PaymentLine] = {}
    for row in earlier:
        key = (row.paid_on, row.amount, row.reference_key)
        if key in keys:
            found.setdefault(key, row)
    return found


def classify(notice: PenaltyNotice | None, amount: Decimal, paid_on: datetime.date,
             reference: str = "") -> tuple[str, str]:
    """("", "") when payment_record would take the payment as it is; else (problem, what is wrong in words)."""
    if notice is None:
        shown = f"“{reference}”" if reference else "no reference"
        return Problem.UNMATCHED, f"No penalty notice has {shown}."
    if notice.status == PenaltyNotice.Status.WITHDRAWN:
        return Problem.WITHDRAWN, f"{notice.reference} was withdrawn on {notice.withdrawn_on:%-d %B %Y}."
    if notice.is_paid or notice.payments.exists():
        paid = f" on {notice.paid_on:%-d %B %Y}" if notice.paid_on else ""
        return Problem.ALREADY_PAID, f"{notice.reference} was already paid{paid}."
    if notice.received_on is None:
        return Problem.NOT_SERVED, f"{notice.reference} has no service recorded, so its payment period has not begun."
    due = legal_services.amount_due(notice, paid_on)
    if paid_on < notice.issued_on:
        return Problem.REFUSED, f"Paid before {notice.reference} was issued ({notice.issued_on:%-d %B %Y})."
    if due is None:
        return Problem.LATE, (f"The payment period of {notice.reference} ended on {notice.full_due_on:%-d %B %Y}; "
                              f"this was paid on {paid_on:%-d %B %Y}.")
    if amount < due:
        return Problem.UNDERPAID, f"{money(amount)} is {money(due - amount)} less than the {money(due)} due that day."
    if amount > due:
        return Problem.OVERPAID, f"{money(amount)} is {money(amount - due)} more than the {money(due)} due that day."
    return "", ""


def _match_or_queue(*, user, staged: PaymentLine, line: Line) -> None:
    notice = legal_services.find_notice(line.reference)
    staged.notice = notice
    problem, detail = classify(notice, line.amount, line.paid_on, line.reference)
    if not problem:
        try:
            payment = legal_services.payment_record(
                user=user, reference=notice.reference, amount=line.amount, paid_on=line.paid_on,
                method=staged.method, transaction_reference=staged.reference_label)
        except ValidationError as error:
            problem, detail = Problem.REFUSED, " ".join(error.messages)
        except IntegrityError:  # paid by someone else between the check and the insert (one payment per notice)
            problem, detail = Problem.ALREADY_PAID, f"{notice.reference} was paid a moment ago by someone else."
        else:
            staged.status, staged.payment = PaymentLine.Status.MATCHED, payment
            return
    staged.status, staged.problem, staged.problem_detail = PaymentLine.Status.QUEUED, problem, detail
    staged.suggestions = suggest(reference=line.reference, payer=line.payer, named=notice, problem=problem)


# --- Suggested matches ----------------------------------------------------------------------------------------------

def _digit_variants(digits: str) -> set[int]:
    """Numbers one keystroke away from ``digits``: a digit dropped, added, changed, or two neighbours swapped."""
    variants = {digits}
    alphabet = "0123456789"
    for i in range(len(digits) + 1):
        for ch in alphabet:
            variants.add(digits[:i] + ch + digits[i:])
    for i in range(len(digits)):
        variants.add(digits[:i] + digits[i + 1:])
        for ch in alphabet:
            variants.add(digits[:i] + ch + digits[i + 1:])
        if i + 1 < len(digits):
            variants.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:])
    return {int(v) for v in variants if v and len(v) <= 12}


def suggest(*, reference: str, payer: str, named: PenaltyNotice | None = None, problem: str = "") -> list[dict]:
    """Notices this payment may be for, best first (at most rules.MAX_SUGGESTIONS): the notice its reference names
    (when it is the amount or date that is wrong), outstanding notices whose reference is within
    rules.MAX_REFERENCE_DISTANCE edits of it, and outstanding notices to a parent of the payer's name."""
    found: dict[int, dict] = {}
    if named is not None and problem not in (Problem.ALREADY_PAID, Problem.WITHDRAWN):
        found[named.pk] = {"notice": named.pk, "reference": named.reference, "why": "Its reference names this notice",
                           "distance": 0, "rank": 0}
    key = rules.reference_key(reference)
    digits = re.sub(r"\D", "", reference or "")
    if digits and len(digits) <= 12:
        candidates = _digit_variants(digits) | _digit_variants(str(int(digits)))
        for notice in (PenaltyNotice.objects.filter(pk__in=candidates, status__in=OUTSTANDING)
                       .exclude(pk__in=list(found)).order_by("pk")[:50]):
            distance = rules.levenshtein(key, rules.reference_key(notice.reference))
            if distance <= rules.MAX_REFERENCE_DISTANCE:
                found[notice.pk] = {"notice": notice.pk, "reference": notice.reference, "distance": distance,
                                    "why": f"Similar reference ({distance} character{'s' if distance != 1 else ''} "
                                           "different)", "rank": 2 + distance}
    initial, surname = rules.name_parts(payer)
    if surname:
        same_name = Q(carer__full_name__iexact=surname) | Q(carer__full_name__iendswith=f" {surname}")
        if initial:
            same_name &= Q(carer__full_name__istartswith=initial)
        for notice in (PenaltyNotice.objects.filter(same_name, status__in=OUTSTANDING)
                       .select_related("carer").order_by("-issued_on", "-pk")[:20]):
            if notice.pk in found:
                found[notice.pk]["why"] += f"; same parent name ({notice.carer.full_name})"
                found[notice.pk]["rank"] -= 1
                continue
            found[notice.pk] = {"notice": notice.pk, "reference": notice.reference, "rank": 5,
                                "why": f"Same parent name ({notice.carer.full_name})",
                                "distance": rules.levenshtein(key, rules.reference_key(notice.reference))}
    ranked = sorted(found.values(), key=lambda s: (s["rank"], s["distance"], s["notice"]))
    return [{k: v for k, v in s.items() if k != "rank"} for s in ranked[:rules.MAX_SUGGESTIONS]]


# --- Decisions on queued lines ------------------------------------------------------------------------------------

def _open_line(line: PaymentLine) -> None:
    if line.status != PaymentLine.Status.QUEUED:
        raise ValidationError(f"Payment line {line.reference_label} has already been dealt with "
                              f"({line.get_status_display().lower()}): nothing was changed.")


@transaction.atomic
def line_match(*, user, line: PaymentLine, notice: PenaltyNotice | None, expected_version,
               refund_excess: bool = False, note: str = "") -> PaymentLine:
    """Pay a queued line to ``notice`` (a suggestion accepted, or a notice the officer found): through
    payment_record, so the amount must be what was due that day. An overpayment within the period may be recorded at
    the amount due with the excess marked for refund. Refused (nothing saved) as payment_record refuses."""
    require(user, Capability.RECORD_PAYMENTS, doing="match payments")
    _open_line(line)
    if notice is None:
        raise ValidationError({"notice": "Enter the reference of the notice this payment is for, like PN-000123."})
    before = snapshot(line)
    claim_version(line, expected_version, what="payment line")
    amount, refund = line.amount, None
    if refund_excess:
        due = legal_services.amount_due(notice, line.paid_on)
        if due is None or line.amount <= due:
            line.version = before["version"]
            raise ValidationError({"refund_excess": (
                f"Only an overpayment made within the payment period can be recorded at the amount due: "
                f"{money(line.amount)} is not more than what was due to {notice.reference} on "
                f"{line.paid_on:%-d %B %Y}. Untick the box, or reject the payment.")})
        amount, refund = due, line.amount - due
    try:
        payment = legal_services.payment_record(user=user, reference=notice.reference, amount=amount,
                                                paid_on=line.paid_on, method=line.method,
                                                transaction_reference=line.reference_label)
    except ValidationError as error:
        line.version = before["version"]  # the claim is rolled back with everything else
        raise ValidationError({"notice": [f"{notice.reference}: {m}" for m in error.messages]}) from None
    suggested = {s.get("notice") for s in line.suggestions}
    line.status = (PaymentLine.Status.ACCEPTED if notice.pk in suggested else PaymentLine.Status.MATCHED_BY_HAND)
    line.payment, line.notice, line.refund_amount = payment, notice, refund
    line.decided_by, line.decided_at, line.decision_note = user, timezone.now(), (note or "").strip()
    line.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=line, before=before,
                  pupil_id=notice.pupil_id)
    return line


@transaction.atomic
def line_reject(*, user, line: PaymentLine, reason: str, expected_version) -> PaymentLine:
    """Take a queued line out of the queue without paying it to a notice (to be refunded): a reason is required."""
    require(user, Capability.RECORD_PAYMENTS, doing="reject payments")
    _open_line(line)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the payment is rejected, for example “Part payment: refund "
                                         "£40.00 to the payer”."})
    before = snapshot(line)
    claim_version(line, expected_version, what="payment line")
    line.status, line.decision_note = PaymentLine.Status.REJECTED, reason
    line.decided_by, line.decided_at = user, timezone.now()
    line.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=line, before=before,
                  pupil_id=line.notice.pupil_id if line.notice_id else None)
    return line
