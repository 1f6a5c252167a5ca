"""The CTF review queue: pupils from a Common Transfer File the authority could not match with certainty, held with
their marks until an LA user decides who they are (schools.attendance.review.services says which pupils are held and
why).

A held item keeps everything the file said about the pupil and every mark it carried for a school in the authority,
so nothing is lost: matching it to a pupil, or creating one, imports those marks through the same writer as any
upload; rejecting it keeps them here, unimported, with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.scoping import ScopedQuerySet, is_la_user


class CtfReviewItemQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """LA roles see the whole queue; a school user sees the items held from files they uploaded themselves (the
        file's own contents), never other uploads'."""
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(attendance_import__uploaded_by=user)

    def pending(self):
        return self.filter(status=CtfReviewItem.Status.PENDING)


class CtfReviewItem(models.Model):
    class Reason(models.TextChoices):
        UNKNOWN_UPN = "unknown_upn", "UPN not known"
        DETAILS_DIFFER = "details_differ", "Name or date of birth differs"
        FORMER_UPN = "former_upn", "Matches through a former UPN"
        CONFLICTING_UPNS = "conflicting_upns", "UPN and former UPN point at different pupils"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        MATCHED = "matched", "Matched to a pupil"
        CREATED = "created", "New pupil created"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Replaced by a later file"

    RESOLVED = (Status.MATCHED, Status.CREATED, Status.REJECTED)

    attendance_import = models.ForeignKey("schools.AttendanceImport", on_delete=models.CASCADE,
                                          related_name="review_items")
    position = models.PositiveIntegerField(help_text="Order of the <Pupil> in the file (1 = first).")
    line = models.PositiveIntegerField(help_text="Line of the <Pupil> start tag in the file.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # What differed, as [{"field", "in_file", "on_record"}]; shown only to users who may see the candidate pupil.
    differences = models.JSONField(default=list, blank=True)
    candidate = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  help_text="The pupil the rules point at, if any; a suggestion, never applied.")

    # The pupil as the file describes them.
    upn = models.CharField("UPN", max_length=13)
    former_upn = models.CharField("Former UPN", max_length=13, blank=True)
    surname = models.CharField(max_length=80, blank=True)
    forename = models.CharField(max_length=80, blank=True)
    preferred_surname = models.CharField(max_length=80, blank=True)
    preferred_forename = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    nc_year = models.CharField("NC year (as in the file)", max_length=4, blank=True)
    ethnicity = models.CharField(max_length=4, blank=True)
    sen_provision = models.CharField(max_length=1, blank=True)

    # The marks held: [[school URN or LAESTAB, "YYYY-MM-DD", "AM"|"PM", code], ...], for schools in the authority.
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+",
                               help_text="The school most of the held marks are for (the CTF's YearData school).")
    marks = models.JSONField(default=list)
    mark_count = models.PositiveIntegerField(default=0)
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              help_text="The pupil the item was matched to or created as.")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="Why it was resolved this way (required to reject).")
    # What importing the held marks did once the item was resolved.
    marks_written = models.PositiveIntegerField(default=0)
    marks_changed = models.PositiveIntegerField(default=0)
    marks_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    issues = models.JSONField(default=list, blank=True, help_text="[{line, field, value, reason}] from the import.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic locking: the decision forms carry the version they were drawn from; a stale one is refused.
    version = models.PositiveIntegerField(default=1)

    objects = CtfReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="pending", resolved_at__isnull=True) | Q(status="superseded")
                           | Q(status__in=["matched", "created", "rejected"], resolved_at__isnull=False)),
                name="ctf_review_resolved_has_time"),
            models.CheckConstraint(
                condition=~Q(status__in=["matched", "created"]) | Q(pupil__isnull=False),
                name="ctf_review_match_has_pupil"),
        ]
        indexes = [
            # The queue: items waiting for a decision, oldest first, and each status's list.
            models.Index(fields=["status", "created_at"], name="ctf_review_status_idx"),
            # A later file holding the same UPN supersedes the earlier pending item.
            models.Index(fields=["upn", "status"], name="ctf_review_upn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.surname or '?'}, {self.forename or '?'} ({self.upn}) from {self.attendance_import_id}"

    @property
    def reference(self) -> str:
        return f"CTF-{self.pk:06d}" if self.pk else "New item"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def name_in_file(self) -> str:
        return ", ".join(part for part in (self.surname, self.forename) if part) or "No name in the file"
