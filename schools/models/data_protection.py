"""What the retention job has done: one row per run (its policy and summary) and one per anonymised pupil."""

from django.conf import settings
from django.db import models


class RetentionRun(models.Model):
    """One run of the retention job (scheduled or from the command line), with the policy it applied.

    The summary holds counts only (pupils anonymised, rows cleared per model, pupils held back per reason), never
    the personal data that was removed."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", help_text="Empty for the scheduled run.")
    years_after_leaving = models.PositiveSmallIntegerField()
    min_age = models.PositiveSmallIntegerField()
    left_before = models.DateField(help_text="Pupils whose last enrolment ended on or before this day were due.")
    born_before = models.DateField(help_text="... and born on or before this day.")
    anonymised = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run {self.pk} on {self.started_at:%Y-%m-%d}: {self.anonymised} anonymised"


class AnonymisedPupil(models.Model):
    """A pupil record the retention job anonymised; a pupil is anonymised once, so a rerun never repeats it."""

    pupil = models.OneToOneField("schools.Pupil", on_delete=models.CASCADE, related_name="anonymisation")
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="pupils")
    left_on = models.DateField(help_text="When the pupil's last enrolment in the authority ended.")
    anonymised_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Pupil {self.pupil_id} anonymised by run {self.run_id}"
