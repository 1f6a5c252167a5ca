"""Roll notifications (issue 21): schools' new pupil returns and deletion returns to the LA (Pupil Registration
Regulations 2024 reg 13), and the LA's triage of each deletion notice. Rules and sources: schools/roll/rules.py.

A notice keeps what the school sent (UPN, name, dates, new address and school) as sent; ``pupil`` is the LA's match.
``due_on`` and ``late`` are worked out when the notice arrives (schools.roll.services, on the school's calendar), so the
lists and the per-school overdue flags filter on plain columns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.roll import rules
from schools.scoping import ScopedQuerySet, is_la_user, user_school_ids


class RollNotificationQuerySet(ScopedQuerySet):
    """The notifying school's own notices (a school sees what it sent, whoever the pupil is); LA roles see all."""

    def visible_to(self, user):
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(school__in=user_school_ids(user))

    def to_triage(self):
        return self.filter(status=RollNotification.Status.TO_TRIAGE)


class RollNotification(models.Model):
    class Kind(models.TextChoices):
        ADMISSION = "admission", "Admission (new pupil return)"
        DELETION = "deletion", "Deletion (deletion return)"

    class Status(models.TextChoices):
        TO_TRIAGE = "to_triage", "To triage"
        DONE = "done", "Done"

    class Source(models.TextChoices):
        PAGE = "page", "Web page"
        API = "api", "API"
        CSV = "csv", "CSV upload"

    class Sex(models.TextChoices):
        NONE = "", "Not given"
        FEMALE = "F", "Female"
        MALE = "M", "Male"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="roll_notifications",
                               help_text="The school making the return.")
    # The pupil as the school described them.
    upn = models.CharField("UPN", max_length=13)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    nc_year = models.SmallIntegerField("NC year", null=True, blank=True)
    event_date = models.DateField(help_text="Admission: the date the pupil was added to the admission register. "
                                            "Deletion: the date the name is (or is to be) deleted.")
    # Admission (reg 13(1): everything in the admission register).
    address = models.CharField("Pupil's address", max_length=250, blank=True)
    previous_school_name = models.CharField(max_length=150, blank=True)
    # Deletion (reg 13(4), reg 8(3)).
    ground = models.CharField(max_length=1, choices=rules.GROUND_CHOICES, blank=True)
    new_address = models.CharField(max_length=250, blank=True, help_text="Where the pupil will live, if known.")
    new_address_from = models.DateField(null=True, blank=True)
    new_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="The new school, when it is one of the LA's.")
    new_school_name = models.CharField(max_length=150, blank=True, help_text="The new school when outside the LA.")
    new_school_start = models.DateField(null=True, blank=True)
    parent_name = models.CharField("Parent the pupil lives with", max_length=160, blank=True)
    parent_phone = models.CharField(max_length=30, blank=True)
    notes = models.TextField(blank=True)
    # Receipt and timeliness.
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.PAGE)
    received_on = models.DateField("Date the LA received it")
    due_on = models.DateField(null=True, blank=True, help_text="When the return was due (None: no term dates).")
    late = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The LA's match and triage.
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="roll_notifications")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_TRIAGE)
    step = models.CharField("Step taken", max_length=10, choices=rules.Step.CHOICES, blank=True)
    cme_record = models.ForeignKey("schools.CMERecord", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="roll_notifications")
    exclusion = models.ForeignKey("schools.Exclusion", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="roll_notifications")
    # The elective home education record made from the notice. An id, not a foreign key: that model's migration comes
    # after this one, and it links back to the notice itself (HomeEducationRecord.source_notification).
    ehe_record_pk = models.PositiveBigIntegerField(null=True, blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    triage_note = models.TextField(blank=True)

    objects = RollNotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "upn", "event_date"], name="roll_notification_once",
                                    violation_error_message="This school has already sent this notice."),
            models.CheckConstraint(condition=Q(kind="admission") | ~Q(ground=""), name="roll_deletion_has_ground",
                                   violation_error_message="Choose the ground for the deletion."),
            models.CheckConstraint(condition=~Q(new_school=models.F("school")), name="roll_new_school_differs",
                                   violation_error_message="The new school must be a different school."),
        ]
        indexes = [
            # The triage queue: what is still to triage, oldest first; and each list's newest-first order.
            models.Index(fields=["status", "received_on"], name="roll_status_received_idx"),
            # Per-school flags and "has this school sent a notice for this pupil" (deletion without notice).
            models.Index(fields=["school", "kind", "pupil"], name="roll_school_kind_pupil_idx"),
            # Matching a move to the new school's admission notice, by UPN.
            models.Index(fields=["upn", "kind"], name="roll_upn_kind_idx"),
        ]

    def __str__(self) -> str:
        kind = "Admission" if self.kind == self.Kind.ADMISSION else "Deletion"
        return f"{kind} notice {self.event_date:%d %b %Y}"

    @property
    def child_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_deletion(self) -> bool:
        return self.kind == self.Kind.DELETION

    @property
    def ground_rule(self) -> rules.Ground | None:
        return rules.GROUNDS.get(self.ground)

    @property
    def destination_known(self) -> bool:
        return bool(self.new_school_id or self.new_school_name)

    @property
    def new_school_display(self) -> str:
        return str(self.new_school) if self.new_school_id else self.new_school_name

    @property
    def planned_step(self) -> str:
        """The step the ground leads to (rules.next_step); "" for an admission."""
        if not self.is_deletion or not self.ground:
            return ""
        return rules.next_step(self.ground, destination_known=self.destination_known)
