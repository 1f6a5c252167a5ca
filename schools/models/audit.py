from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what to which record, and when; every write with before/after values and every profile view.

    Rows are append-only. The pupil link is kept without a database constraint so the trail survives
    the pupil record's anonymisation or deletion.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    occurred_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept as written, should the user later be removed.")
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200)
    pupil = models.ForeignKey("schools.Pupil", null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # Audit list filtered by pupil ("who viewed this record") and by user, newest first.
            models.Index(fields=["pupil", "-occurred_at"], name="audit_pupil_time_idx"),
            models.Index(fields=["user", "-occurred_at"], name="audit_user_time_idx"),
            models.Index(fields=["-occurred_at"], name="audit_time_idx"),
            # One record's events (by type and id): the retention job clears them for an anonymised pupil's records.
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_type} {self.object_id}"


class ExportedPupil(models.Model):
    """A pupil named in a list download: one row per pupil per export (the export's AuditEvent), written set-wise
    with it (schools.audit.record_export), so a pupil's Record access tab and subject access export show every
    download that named them, not only the pages of their own record.

    Compact because one export can name a whole authority: the two ids are the key (pupil first, the Record access
    lookup) and nothing else is indexed or checked per row. Neither id is a database constraint: audit events are
    never deleted, and a pupil is anonymised, never removed, so the ids stay good; a checked foreign key would cost
    a trigger per row (0.7 s of a 250,000-pupil export's 1 s, measured in tests/perf/audit.py)."""

    pk = models.CompositePrimaryKey("pupil", "event")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="+")
    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                              related_name="exported_pupils")

    def __str__(self) -> str:
        return f"pupil {self.pupil_id} in export {self.event_id}"
