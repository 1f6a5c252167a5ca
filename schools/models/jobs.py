from django.conf import settings
from django.db import models


class Job(models.Model):
    """A background job the user started and can follow: status, progress and, when done, a result file."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        PUPIL_EXPORT = "pupil_export", "Pupil list export"
        ATTENDANCE_IMPORT = "attendance_import", "Attendance import"
        ATTENDANCE_RECOMPUTE = "attendance_recompute", "Attendance recompute"
        # Kinds other apps start (their services name them: legal.services.JOB_KIND_LETTERS,
        # reporting.services.JOB_KIND_REPORT); listed here so a job page and the admin name them.
        LEGAL_LETTERS = "legal_letters", "Legal letter batch"
        TERMLY_REPORT = "termly_report", "Termly scrutiny report"
        # UK GDPR Art. 15: everything held on one pupil (schools.data_protection.subject_access).
        SUBJECT_ACCESS = "subject_access", "Subject access export"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # Big: an attendance import counts its progress in bytes read, and a whole LA's year of registers is over 2 GiB.
    total = models.PositiveBigIntegerField(default=0)
    done = models.PositiveBigIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    # Delivery bookkeeping (schools.services, "Jobs and faults"): when the task was last handed to the queue (empty
    # while the queue could not be reached), which worker connection claimed it, how many times it was claimed, and
    # whether a failure was an interruption or crash that is safe to run again (not a verdict on the file).
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retryable = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def waiting_for_queue(self) -> bool:
        """Pending because the queue could not be reached when it was started (the sweep sends it once it is back)."""
        return self.status == self.Status.PENDING and "task" in self.params and self.queued_at is None

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED and self.retryable and "task" in self.params

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}
