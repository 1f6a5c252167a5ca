"""Payment files from the council's income system (app label ``legal``; imported by legal.models so Django finds
them; this module imports nothing from legal.models: it names models by label).

A PaymentFile is one upload: its name, its SHA-256 (the same file twice is refused, so nothing is paid twice) and its
counts. Each line of the file is a PaymentLine staged with what the file said (date, amount, reference, payer) and
what became of it: paid to its notice straight away (``matched``), held in the queue with the reason and suggested
notices (``queued``), ignored because an earlier file had the same line (``duplicate``), or decided by an officer
(``accepted`` / ``matched_by_hand`` / ``rejected``). Written only by legal.payments.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from legal.payments import rules
from schools.scoping import ScopedQuerySet, is_la_user


class LaOnly(ScopedQuerySet):
    """Payment files are the LA's: every LA role reads them; schools never do."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()


class PaymentFile(models.Model):
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True, error_messages={
        "unique": "This file has already been imported."})
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    default_method = models.CharField(max_length=6, help_text="How the payments in the file were made (legal.Payment"
                                                              ".Method), unless a line says otherwise.")
    line_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    queued_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    objects = LaOnly.as_manager()

    class Meta:
        app_label = "legal"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reference} {self.original_name}"

    @property
    def reference(self) -> str:
        return f"PF-{self.pk:05d}" if self.pk else "New payment file"


class PaymentLine(models.Model):
    class Status(models.TextChoices):
        MATCHED = "matched", "Paid to its notice"
        QUEUED = "queued", "In the queue: needs a decision"
        DUPLICATE = "duplicate", "Already imported: ignored"
        ACCEPTED = "accepted", "Suggestion accepted"
        MATCHED_BY_HAND = "matched_by_hand", "Matched by hand"
        REJECTED = "rejected", "Rejected"

    DECIDED = frozenset({Status.ACCEPTED, Status.MATCHED_BY_HAND, Status.REJECTED})

    file = models.ForeignKey(PaymentFile, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField(help_text="The line in the file, counting the header as line 1.")
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    reference = models.CharField(max_length=60, blank=True, help_text="As the file gave it.")
    reference_key = models.CharField(max_length=60, blank=True, help_text="The reference normalised for matching.")
    payer = models.CharField(max_length=120, blank=True)
    method = models.CharField(max_length=6)
    status = models.CharField(max_length=16, choices=Status.choices)
    problem = models.CharField(max_length=14, choices=rules.Problem.choices, blank=True)
    problem_detail = models.TextField(blank=True, help_text="Why it was not paid to a notice straight away.")
    suggestions = models.JSONField(default=list, blank=True,
                                   help_text="[{notice, why, distance}] suggested matches, best first.")
    notice = models.ForeignKey("legal.PenaltyNotice", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="The notice it was paid to, or the one its reference "
                                                           "named.")
    payment = models.OneToOneField("legal.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="file_line")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund_amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True,
                                        help_text="An overpayment's excess, to refund.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = LaOnly.as_manager()

    class Meta:
        app_label = "legal"
        ordering = ["file", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "line_number"], name="payment_line_unique_line"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(decision_note=""),
                                   name="payment_line_rejected_has_reason",
                                   violation_error_message="Say why the payment is rejected."),
            models.CheckConstraint(condition=~Q(status__in=["matched", "accepted", "matched_by_hand"])
                                   | Q(payment__isnull=False), name="payment_line_matched_has_payment"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_line_amount_positive"),
        ]
        indexes = [
            # Re-imports: has a line with this date, amount and reference been seen before?
            models.Index(fields=["paid_on", "amount", "reference_key"], name="payment_line_seen_idx"),
            # The queue: lines waiting for a decision, oldest first.
            models.Index(fields=["status", "paid_on"], name="payment_line_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"Payment line {self.reference_label}"

    @property
    def reference_label(self) -> str:
        return f"PF-{self.file_id:05d}/{self.line_number}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.QUEUED
