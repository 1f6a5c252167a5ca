"""Duplicate pupils (issue 21): pairs an officer has said are not the same child, and merges (with what each moved,
so it can be undone). Candidate pairs are not stored: schools.duplicates.selectors finds them from the pupils'
phonetic keys each time, so they are never stale."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from schools.scoping import ScopedQuerySet, is_la_user


class LaOnlyQuerySet(ScopedQuerySet):
    """Duplicate review is the LA's work: school users see none of it."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()


class DuplicateDismissal(models.Model):
    """"Not the same child": the pair is not offered again. Stored lower record number first.

    The pupil links carry no database constraint (like the audit trail's): a dismissal outlives a merge of either
    record and applies again if the merge is undone."""

    pupil_low = models.ForeignKey("schools.Pupil", on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    pupil_high = models.ForeignKey("schools.Pupil", on_delete=models.DO_NOTHING, db_constraint=False,
                                   related_name="+")
    note = models.CharField(max_length=500, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-dismissed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["pupil_low", "pupil_high"], name="duplicate_dismissal_once"),
            models.CheckConstraint(condition=Q(pupil_low__lt=F("pupil_high")), name="duplicate_dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"Not the same child: {self.pupil_low_id} and {self.pupil_high_id}"


class PupilMerge(models.Model):
    """One record merged into another: every row that moved (by model, field and primary key), the merged-away
    record as it was, and what the merge changed on the kept record, so "Undo merge" can put each back."""

    kept = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="merges_kept")
    merged_pupil_id = models.BigIntegerField(help_text="The merged-away record's number (restored with it).")
    merged_upn = models.CharField("Merged-away UPN", max_length=13)
    merged_name = models.CharField(max_length=200)
    merged_record = models.JSONField(help_text="The merged-away pupil's fields as they were.")
    kept_changes = models.JSONField(default=dict, blank=True,
                                    help_text="{field: [before, after]} on the kept record.")
    moved = models.JSONField(default=list, help_text='[{"model": label, "field": name, "pks": [...]}]')
    reason = models.TextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_note = models.TextField(blank=True, help_text="Rows that had changed since the merge and stayed put.")

    objects = LaOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(undone_at__isnull=True) | Q(undone_by__isnull=False),
                                   name="pupil_merge_undone_has_who"),
        ]
        indexes = [
            # The merges list, newest first.
            models.Index(fields=["-merged_at"], name="pupil_merge_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.merged_name} ({self.merged_upn}) merged into {self.kept_id}"

    @property
    def moved_count(self) -> int:
        return sum(len(entry["pks"]) for entry in self.moved)
