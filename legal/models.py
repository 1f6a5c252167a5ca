"""Legal interventions: pathways gated on evidenced support, notices to improve, penalty notices and payments, school
requests, contracts, parenting orders, education supervision orders, school attendance orders, prosecutions with
hearings, letters and alerts.

Scope: legal records are the LA's (visible to LA roles only, whatever the pupil); a school sees the penalty-notice
requests it made and their outcome (the notices they led to), never the LA's working notes. Rules (amounts, limits,
periods) live in legal.rules; business rules in legal.services, never in save().
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from legal.rules import LetterKind, NoticeType, Offence, ServiceMethod, money
from schools.scoping import ScopedQuerySet, is_la_user, pupil_scope_q, user_school_ids


class LaOnlyQuerySet(ScopedQuerySet):
    """The LA's legal records: every LA role sees them; schools never do (their requests are separate)."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()


# --- Settings and the support checklist ---------------------------------------------------------------------------

class LegalPolicy(models.Model):
    """The LA's local choices, edited by LA admins in the admin site (one row; defaults until saved). Statutory
    amounts and limits are not here: they live in legal.rules with their sources."""

    nti_improvement_school_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Improvement period of a notice to improve, in school weeks (set locally: Stockton and "
                  "Buckinghamshire use 6 weeks; Cheshire West 20 school days).")
    request_decision_working_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Working days the LA gives itself to decide a school's penalty-notice request.")
    contract_review_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Weeks between attendance or parenting contract reviews (Norfolk: 4-6 weeks).")
    deadline_warning_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Warn this many days before the six-month limit for laying an information.")

    class Meta:
        verbose_name = verbose_name_plural = "legal policy"

    def __str__(self) -> str:
        return "Legal policy"

    @classmethod
    def current(cls) -> LegalPolicy:
        return cls.objects.order_by("pk").first() or cls()


class SupportChecklistItem(models.Model):
    """One item of evidenced support the LA expects before legal action (seed 001 §3.3; Milton Keynes: a home visit,
    early help and a warning letter before formal action). Edited by LA admins.

    What counts as evidence is explicit: a chronology entry of ``entry_type`` (and ``meeting_type``, and words in the
    summary), an intervention plan for one of ``interventions``, an attendance or parenting contract, or a legal
    letter of ``letter_kind`` sent on the case. Any one of them satisfies the item. Where ``allows_reason`` is set,
    the officer may instead record why it was not done (e.g. why no attendance contract was offered)."""

    label = models.CharField(max_length=120, unique=True)
    guidance = models.CharField(max_length=300, blank=True, help_text="What the officer should be able to show.")
    required = models.BooleanField(default=True)
    allows_reason = models.BooleanField("Or a reason why not", default=False)
    entry_type = models.CharField(max_length=15, blank=True, help_text="A chronology entry of this type counts.")
    meeting_type = models.CharField(max_length=20, blank=True, help_text="With entry type 'meeting': this kind.")
    summary_contains = models.CharField(max_length=60, blank=True,
                                        help_text="Only entries whose summary contains these words (any case).")
    interventions = models.ManyToManyField("interventions.Intervention", blank=True, related_name="+",
                                           help_text="A plan for any of these interventions counts.")
    contract_counts = models.BooleanField(default=False, help_text="An attendance or parenting contract counts.")
    letter_kind = models.CharField(max_length=25, blank=True, help_text="A legal letter of this kind counts.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label


# --- Pathways --------------------------------------------------------------------------------------------------

class LegalPathway(models.Model):
    """Legal work on one case, opened once the checklist of evidenced support is met or a manager overrides it.
    ``evidence`` keeps what each item was evidenced by at the moment it opened, so the record stays as decided."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_pathways")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    gate_passed = models.BooleanField(help_text="Every required item was evidenced when the pathway opened.")
    evidence = models.JSONField(default=list, help_text="[{item, satisfied, evidence: [...], reason}] at opening")
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="pathway_one_open_per_case",
                                    violation_error_message="This case already has an open legal pathway."),
            models.CheckConstraint(condition=Q(gate_passed=True) | (~Q(override_reason="")
                                                                    & Q(overridden_by__isnull=False)),
                                   name="pathway_gate_or_override",
                                   violation_error_message="Without the evidenced support a manager must override "
                                                           "with a reason."),
            models.CheckConstraint(condition=Q(status="open") | Q(closed_on__isnull=False),
                                   name="pathway_closed_has_date"),
        ]
        indexes = [
            # The pupil's Legal tab and the case page's legal block.
            models.Index(fields=["pupil", "status"], name="pathway_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"LP-{self.pk:06d}" if self.pk else "New pathway"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class NoticeToImprove(models.Model):
    """A final chance to engage with support before a penalty notice (WT2024): a letter and an improvement period."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Improvement period running"
        IMPROVED = "improved", "Attendance improved"
        NOT_IMPROVED = "not_improved", "Not improved: penalty notice considered"
        WITHDRAWN = "withdrawn", "Withdrawn"

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="notices_to_improve")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    improvement_school_weeks = models.PositiveSmallIntegerField()
    improvement_ends_on = models.DateField()
    expectations = models.TextField(help_text="What must change in the improvement period.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "notice to improve"
        constraints = [
            models.CheckConstraint(condition=Q(improvement_ends_on__gt=models.F("issued_on")),
                                   name="nti_period_after_issue"),
            models.CheckConstraint(condition=Q(outcome="pending") | Q(outcome_on__isnull=False),
                                   name="nti_outcome_has_date"),
        ]
        indexes = [
            # Dashboard: improvement periods ending.
            models.Index(fields=["outcome", "improvement_ends_on"], name="nti_outcome_end_idx"),
        ]

    def __str__(self) -> str:
        return f"Notice to improve {self.pk} ({self.get_outcome_display()})"

    @property
    def reference(self) -> str:
        return f"NTI-{self.pk:06d}"


# --- School requests ---------------------------------------------------------------------------------------------

class RequestQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # The requesting school's document (like a referral): another school the pupil later joins does not read it.
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(pupil_scope_q(user, "pupil"), school__in=user_school_ids(user))


class PenaltyNoticeRequest(models.Model):
    """A school asks the LA to issue a penalty notice, with its evidence; the LA decides within
    LegalPolicy.request_decision_working_days. The school reads the decision and its reason; ``la_notes`` are the
    LA's legal working notes and never leave the LA."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting LA decision"
        APPROVED = "approved", "Approved: notice issued"
        DECLINED = "declined", "Declined"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carers = models.ManyToManyField("schools.Carer", related_name="+",
                                    help_text="The parents to receive a notice: one notice each.")
    notice_type = models.CharField(max_length=25, choices=NoticeType.choices)
    absence_from = models.DateField()
    absence_to = models.DateField()
    sessions_missed = models.PositiveSmallIntegerField(validators=[MaxValueValidator(500)])
    leave_refused_on = models.DateField(null=True, blank=True,
                                        help_text="Term-time leave: when the head refused the leave request.")
    details = models.TextField(help_text="What happened, and why a notice is appropriate.")
    support_offered = models.TextField(blank=True, help_text="Support the school offered and the response.")
    letters_sent = models.TextField(blank=True, help_text="Letters sent to the parents, with dates.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField()
    decision_due = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField(blank=True, help_text="The school reads this.")
    la_notes = models.TextField("LA legal working notes", blank=True, help_text="Never shown to the school.")
    version = models.PositiveIntegerField(default=1)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(absence_to__gte=models.F("absence_from")),
                                   name="pnrequest_period_order",
                                   violation_error_message="The absence must end on or after it starts."),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decision_reason=""),
                                   name="pnrequest_declined_has_reason",
                                   violation_error_message="Say why the request is declined."),
        ]
        indexes = [
            # The decision queue (awaiting, by due date) and a school's own requests.
            models.Index(fields=["status", "decision_due"], name="pnrequest_queue_idx"),
            models.Index(fields=["school", "-submitted_on"], name="pnrequest_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"PNR-{self.pk:06d}" if self.pk else "New request"

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.status == self.Status.SUBMITTED and self.decision_due < today


def evidence_path(instance, filename: str) -> str:
    today = datetime.date.today()
    return f"legal/evidence/{today:%Y/%m}/{filename}"


class RequestEvidence(models.Model):
    """A file a school sent with its request (register printout, letters, head's certificate). Served only by the
    scoped download view."""

    request = models.ForeignKey(PenaltyNoticeRequest, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


# --- Penalty notices and payments ---------------------------------------------------------------------------------

class NoticeQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # LA roles: every notice. A school: only notices its own requests led to (the outcome it is told).
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(request__school__in=user_school_ids(user))

    def counted_for_limit(self):
        """Notices that count toward the three-year limit: every one that was not withdrawn (rules.check_limit)."""
        return self.exclude(status=PenaltyNotice.Status.WITHDRAWN)


class PenaltyNotice(models.Model):
    """One notice to one parent for one child (s444A EA1996 or s105 EIA2006), with its regime's amounts and due dates
    fixed at issue, its service, payment and outcome: the LA's record under PN2007 reg 20."""

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued: payment period running"
        PAID_REDUCED = "paid_reduced", "Paid at the reduced rate"
        PAID_FULL = "paid_full", "Paid in full"
        UNPAID = "unpaid", "Unpaid: payment period over"
        REFERRED = "referred", "Unpaid: referred for prosecution"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class WithdrawalGround(models.TextChoices):
        # Stockton penalty notice withdrawal page; PN2007 reg 20(c).
        NO_OFFENCE = "no_offence", "No offence was committed"
        OUTSIDE_CODE = "outside_code", "Issued outside the local code of conduct"
        WRONG_RECIPIENT = "wrong_recipient", "Wrong recipient or address"
        MATERIAL_ERROR = "material_error", "A material error in the notice"
        NOT_PROSECUTING = "not_prosecuting", "Unpaid and the LA decided not to prosecute"

    PAID = frozenset({Status.PAID_REDUCED, Status.PAID_FULL})

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="penalty_notices")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The pupil's school when the notice was issued.")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pathway = models.ForeignKey(LegalPathway, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="penalty_notices")
    request = models.ForeignKey(PenaltyNoticeRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notices")
    notice_to_improve = models.ForeignKey(NoticeToImprove, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    notice_type = models.CharField(max_length=25, choices=NoticeType.choices)
    regime = models.CharField(max_length=10, help_text="legal.rules regime key fixed at issue")
    number_in_window = models.PositiveSmallIntegerField(null=True, blank=True,
                                                        help_text="1st or 2nd in the three-year limit (from 2024)")
    period_start = models.DateField(help_text="First day of the absence the notice covers.")
    period_end = models.DateField()
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField(null=True, blank=True)
    service_method = models.CharField(max_length=5, choices=ServiceMethod.choices, blank=True)
    received_on = models.DateField(null=True, blank=True, help_text="Deemed receipt: payment periods run from here.")
    reduced_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    full_amount = models.DecimalField(max_digits=7, decimal_places=2)
    reduced_due_on = models.DateField(null=True, blank=True)
    full_due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ISSUED)
    paid_on = models.DateField(null=True, blank=True)
    paid_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_ground = models.CharField(max_length=20, choices=WithdrawalGround.choices, blank=True)
    withdrawal_notes = models.TextField(blank=True)
    imported = models.BooleanField(default=False, help_text="History from an earlier system.")
    notes = models.TextField("LA working notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="notice_period_order",
                                   violation_error_message="The absence must end on or after it starts."),
            models.CheckConstraint(condition=~Q(status="withdrawn") | (Q(withdrawn_on__isnull=False)
                                                                       & ~Q(withdrawal_ground="")),
                                   name="notice_withdrawn_has_ground",
                                   violation_error_message="A withdrawal needs its date and grounds."),
            models.CheckConstraint(condition=~Q(status__in=["paid_reduced", "paid_full"])
                                   | (Q(paid_on__isnull=False) & Q(paid_amount__isnull=False)),
                                   name="notice_paid_has_payment"),
            models.CheckConstraint(condition=Q(full_amount__gt=0), name="notice_amount_positive"),
        ]
        indexes = [
            # The three-year limit: this parent's notices for this child, by date.
            models.Index(fields=["carer", "pupil", "issued_on"], name="notice_limit_idx"),
            # The nightly sweep of payment periods that have ended, and the dashboard's "to refer" list.
            models.Index(fields=["status", "full_due_on"], name="notice_status_due_idx"),
            # Statutory figures by school and period.
            models.Index(fields=["issued_on", "school"], name="notice_issued_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"PN-{self.pk:06d}" if self.pk else "New notice"

    @property
    def is_paid(self) -> bool:
        return self.status in self.PAID

    @property
    def amounts_label(self) -> str:
        if self.reduced_amount is not None:
            return f"{money(self.reduced_amount)} within {self.reduced_days} days, {money(self.full_amount)} within " \
                   f"{self.full_days} days"
        return f"{money(self.full_amount)} within {self.full_days} days (no reduction)"

    @property
    def reduced_days(self) -> int | None:
        if self.received_on and self.reduced_due_on:
            return (self.reduced_due_on - self.received_on).days
        from legal.rules import amounts_for

        return amounts_for(self.notice_type, self.issued_on, is_repeat=self.reduced_amount is None).reduced_days

    @property
    def full_days(self) -> int:
        if self.received_on and self.full_due_on:
            return (self.full_due_on - self.received_on).days
        from legal.rules import amounts_for

        return amounts_for(self.notice_type, self.issued_on, is_repeat=self.reduced_amount is None).full_days


class Payment(models.Model):
    """A payment reconciled to a notice: its reference, amount and date matched the notice exactly. Payments that
    match no notice, or the wrong amount, are refused before anything is saved (legal.services.payment_record)."""

    class Method(models.TextChoices):
        CARD = "card", "Card (online or phone)"
        BANK = "bank", "Bank transfer"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash at a council office"

    notice = models.ForeignKey(PenaltyNotice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    paid_on = models.DateField(help_text="The day the parent paid (not the day it was keyed in).")
    method = models.CharField(max_length=6, choices=Method.choices)
    transaction_reference = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice"], name="payment_one_per_notice",
                                    violation_error_message="This notice has already been paid."),
        ]

    def __str__(self) -> str:
        return f"{money(self.amount)} for notice {self.notice_id} on {self.paid_on}"


# --- Contracts and orders --------------------------------------------------------------------------------------

class Contract(models.Model):
    """An attendance contract (WT2024) or parenting contract (ASBA2003 s19): voluntary, agreed with the parent, with
    the parent's requirements, the support offered, reviews and an outcome."""

    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", "Attendance contract"
        PARENTING = "parenting", "Parenting contract (ASBA 2003 s19)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class Outcome(models.TextChoices):
        KEPT = "kept", "Kept: attendance improved"
        BROKEN = "broken", "Not kept by the parent"
        ENDED_EARLY = "ended_early", "Ended early"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+",
                              help_text="A contract cannot be agreed in the parent's absence.")
    agreed_on = models.DateField()
    parent_requirements = models.TextField()
    support_offered = models.TextField()
    review_weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    next_review_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="active", outcome="", ended_on__isnull=True)
                                   | (Q(status="ended") & ~Q(outcome="") & Q(ended_on__isnull=False)),
                                   name="contract_ended_has_outcome"),
        ]
        indexes = [
            # Dashboard: contract reviews due.
            models.Index(fields=["status", "next_review_on"], name="contract_review_idx"),
            models.Index(fields=["pupil", "status"], name="contract_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def reference(self) -> str:
        return f"AC-{self.pk:06d}"


class ContractReview(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of contract {self.contract_id} on {self.held_on}"


class EsoConsideration(models.Model):
    """The record that an education supervision order was considered (EA1996 s447(1)): required before any
    prosecution. Where the court directed the LA to consider one and it decides not to apply, it must say why within
    8 weeks (s447(4))."""

    class Decision(models.TextChoices):
        APPLY = "apply", "Apply for an ESO"
        NOT_APPLY = "not_apply", "Not apply"

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="eso_considerations")
    considered_on = models.DateField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.TextField()
    court_directed_on = models.DateField(null=True, blank=True)
    considered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-considered_on", "-pk"]
        verbose_name = "ESO consideration"

    def __str__(self) -> str:
        return f"ESO considered on {self.considered_on}: {self.get_decision_display()}"


class EducationSupervisionOrder(models.Model):
    """An ESO (CA1989 s36): one year, extendable (applied for in its last three months) by up to three years."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied for"
        IN_FORCE = "in_force", "In force"
        REFUSED = "refused", "Refused by the court"
        DISCHARGED = "discharged", "Discharged"
        EXPIRED = "expired", "Expired"

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="esos")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField()
    court = models.CharField(max_length=120)
    made_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    directions = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = "education supervision order"
        constraints = [
            models.CheckConstraint(condition=~Q(status="in_force") | (Q(made_on__isnull=False)
                                                                      & Q(expires_on__isnull=False)),
                                   name="eso_in_force_has_dates"),
        ]
        indexes = [
            # Dashboard: orders nearing expiry (extension window).
            models.Index(fields=["status", "expires_on"], name="eso_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"ESO {self.pk} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"ESO-{self.pk:06d}"


class EsoExtension(models.Model):
    eso = models.ForeignKey(EducationSupervisionOrder, on_delete=models.CASCADE, related_name="extensions")
    applied_on = models.DateField()
    granted_on = models.DateField()
    previous_expiry = models.DateField()
    new_expiry = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["granted_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(new_expiry__gt=models.F("previous_expiry")),
                                   name="eso_extension_extends"),
        ]

    def __str__(self) -> str:
        return f"ESO {self.eso_id} extended to {self.new_expiry}"


class SchoolAttendanceOrder(models.Model):
    """EA1996 s437: a notice giving the parent at least 15 days to satisfy the LA, then (if not satisfied) an order
    naming a school, then compliance (non-compliance is a s443 offence)."""

    class Stage(models.TextChoices):
        NOTICE = "notice", "Notice served: waiting for the parent"
        SATISFIED = "satisfied", "Parent satisfied the LA: no order"
        ORDER = "order", "Order served"
        COMPLIED = "complied", "Complied: attending the named school"
        NOT_COMPLIED = "not_complied", "Not complied with (s443)"
        REVOKED = "revoked", "Revoked"

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="school_attendance_orders")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+")
    notice_served_on = models.DateField()
    notice_period_days = models.PositiveSmallIntegerField()
    response_due_on = models.DateField()
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NOTICE)
    parent_response = models.TextField(blank=True)
    order_served_on = models.DateField(null=True, blank=True)
    named_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    compliance_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The elective home education record whose unsuitable education led to the s437(1) notice (legal.ehe), if any.
    home_education_record = models.ForeignKey("schools.HomeEducationRecord", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="school_attendance_orders")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-notice_served_on", "-pk"]
        verbose_name = "school attendance order"
        constraints = [
            models.CheckConstraint(condition=Q(notice_period_days__gte=15), name="sao_notice_at_least_15_days",
                                   violation_error_message="The notice must give the parent at least 15 days."),
            models.CheckConstraint(condition=~Q(stage__in=["order", "complied", "not_complied"])
                                   | (Q(order_served_on__isnull=False) & Q(named_school__isnull=False)),
                                   name="sao_order_names_school"),
        ]

    def __str__(self) -> str:
        return f"SAO {self.pk} ({self.get_stage_display()})"

    @property
    def reference(self) -> str:
        return f"SAO-{self.pk:06d}"


class Prosecution(models.Model):
    """A prosecution under s444(1) or s444(1A) EA1996 of one parent: the interview under caution (PACE Codes C and
    E), the witness statement, the six-month limit for laying the information, hearings and the outcome."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing the case"
        LAID = "laid", "Information laid"
        CONCLUDED = "concluded", "Concluded"
        HALTED = "halted", "Halted: the penalty notice was paid"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Outcome(models.TextChoices):
        FINE = "fine", "Convicted: fine"
        CONDITIONAL_DISCHARGE = "conditional_discharge", "Convicted: conditional discharge"
        ABSOLUTE_DISCHARGE = "absolute_discharge", "Convicted: absolute discharge"
        PARENTING_ORDER = "parenting_order", "Convicted: parenting order"
        COMMUNITY_ORDER = "community_order", "Convicted: community order"
        NOT_GUILTY = "not_guilty", "Not guilty"
        DISMISSED = "dismissed", "Dismissed or withdrawn at court"

    CONVICTIONS = frozenset({Outcome.FINE, Outcome.CONDITIONAL_DISCHARGE, Outcome.ABSOLUTE_DISCHARGE,
                             Outcome.PARENTING_ORDER, Outcome.COMMUNITY_ORDER})

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="prosecutions")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="prosecutions")
    offence = models.CharField(max_length=8, choices=Offence.choices)
    penalty_notice = models.ForeignKey(PenaltyNotice, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="prosecutions",
                                       help_text="The unpaid notice this prosecution follows, if any.")
    period_start = models.DateField(help_text="First day of the irregular attendance charged.")
    period_end = models.DateField(help_text="Last day of it: the six months run from here.")
    information_deadline = models.DateField()
    interview_on = models.DateField("Interview under caution", null=True, blank=True)
    interview_declined = models.BooleanField(default=False, help_text="Invited to interview and declined.")
    interview_notes = models.TextField(blank=True)
    witness_statement = models.TextField(blank=True)
    information_laid_on = models.DateField(null=True, blank=True)
    court = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    halted_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=25, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    fine_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    costs_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    discharge_months = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(36)])
    outcome_notes = models.TextField(blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                help_text="The legal officer responsible (alerted about late payments).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="prosecution_period_order"),
            models.CheckConstraint(condition=~Q(status__in=["laid", "concluded"])
                                   | Q(information_laid_on__isnull=False), name="prosecution_laid_has_date"),
            models.CheckConstraint(condition=~Q(status="concluded") | (~Q(outcome="") & Q(outcome_on__isnull=False)),
                                   name="prosecution_concluded_has_outcome"),
        ]
        indexes = [
            # Dashboard: cases still being prepared, by how close the six-month limit is.
            models.Index(fields=["status", "information_deadline"], name="prosecution_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"PROS-{self.pk:06d}" if self.pk else "New prosecution"


class Hearing(models.Model):
    class Kind(models.TextChoices):
        FIRST = "first", "First hearing"
        CASE_MANAGEMENT = "case_management", "Case management"
        TRIAL = "trial", "Trial"
        SENTENCE = "sentence", "Sentencing"

    prosecution = models.ForeignKey(Prosecution, on_delete=models.CASCADE, related_name="hearings")
    hearing_on = models.DateField()
    court = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    plea = models.CharField(max_length=20, blank=True, choices=[("guilty", "Guilty"), ("not_guilty", "Not guilty")])
    result = models.TextField(blank=True, help_text="What happened: adjourned to, plea entered, outcome.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["hearing_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.hearing_on}"


class ParentingOrder(models.Model):
    """A parenting order: on the LA's application (ASBA2003 s20) or on conviction (CDA1998 s8): requirements for up to
    12 months, a programme of up to 3 months."""

    class Basis(models.TextChoices):
        APPLICATION = "application", "On application (ASBA 2003 s20)"
        CONVICTION = "conviction", "On conviction (CDA 1998 s8)"

    pathway = models.ForeignKey(LegalPathway, on_delete=models.PROTECT, related_name="parenting_orders")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+")
    prosecution = models.ForeignKey(Prosecution, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=12, choices=Basis.choices)
    made_on = models.DateField()
    court = models.CharField(max_length=120)
    requirements = models.TextField()
    requirement_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    programme_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(3)])
    ends_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-pk"]

    def __str__(self) -> str:
        return f"Parenting order {self.pk}"

    @property
    def reference(self) -> str:
        return f"PO-{self.pk:06d}"


# --- Letters and alerts -----------------------------------------------------------------------------------------

class LetterTemplate(models.Model):
    """A letter's wording, edited by LA admins and legal officers. Only the placeholders in
    legal.letters.PLACEHOLDERS may appear; a template naming any other is refused at save."""

    kind = models.CharField(max_length=25, choices=LetterKind.choices)
    name = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text; blank lines separate paragraphs; placeholders like "
                                      "{{ parent_name }}.")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from legal.letters import check_template

        check_template(subject=self.subject, body=self.body)


class LetterBatch(models.Model):
    """Letters made together in the background (a Job with a progress bar), e.g. warning letters to the parents of
    every pupil on the penalty-notice threshold list."""

    job = models.OneToOneField("schools.Job", on_delete=models.CASCADE, related_name="legal_letter_batch")
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "letter batches"

    def __str__(self) -> str:
        return self.description


def letter_path(instance, filename: str) -> str:
    today = datetime.date.today()
    return f"legal/letters/{today:%Y/%m}/{filename}"


class Letter(models.Model):
    """A letter sent: the wording as sent (kept even if the template changes later) and its PDF."""

    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=25, choices=LetterKind.choices)
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    penalty_notice = models.ForeignKey(PenaltyNotice, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="letters")
    notice_to_improve = models.ForeignKey(NoticeToImprove, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="letters")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    prosecution = models.ForeignKey(Prosecution, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="letters")
    batch = models.ForeignKey(LetterBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    file = models.FileField(upload_to=letter_path)
    sent_on = models.DateField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        indexes = [
            # Letters sent about a pupil (pack, Legal tab) and on a case (support checklist).
            models.Index(fields=["pupil", "-sent_on"], name="letter_pupil_idx"),
            models.Index(fields=["case", "kind"], name="letter_case_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.carer_id} on {self.sent_on}"

    @property
    def reference(self) -> str:
        """Printed as "Our reference" on the letter, so a parent's reply or call finds it."""
        return f"LT-{self.pk:06d}" if self.pk else ""


class LegalAlertQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(user=user) if is_la_user(user) else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class LegalAlert(models.Model):
    """Something an officer must act on now, shown on the legal dashboard until they mark it read: e.g. a payment
    that arrived after the notice was referred for prosecution (LGO 24 020 946: never prosecute a paid notice)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legal_alerts")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    penalty_notice = models.ForeignKey(PenaltyNotice, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="+")
    prosecution = models.ForeignKey(Prosecution, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = LegalAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The dashboard's unread alerts for the signed-in officer.
            models.Index(fields=["user", "read_at"], name="legal_alert_user_idx"),
        ]

    def __str__(self) -> str:
        return self.message


# Messages to families (GOV.UK Notify and the print queue) live in their own package; imported here so Django
# registers them with the legal app (that module imports nothing from this one: it names models by label).
from legal.messaging.models import NotifyMessage, NotifyTemplate  # noqa: E402, F401

# Payment files from the council's income system and their queue (legal.payments): registered the same way.
from legal.payments.models import PaymentFile, PaymentLine  # noqa: E402, F401
