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
