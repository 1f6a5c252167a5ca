"""The kinds of early-warning rule: what each looks for. Its own module, below cases.models (AlertRule.Kind) and
cases.alerts.evidence (which words each kind's evidence), so neither has to import the other."""

from __future__ import annotations

from django.db import models


class AlertKind(models.TextChoices):
    CONSECUTIVE_UNEXPLAINED = "consecutive_unexplained", "Unexplained absences in a row (N or O)"
    VULNERABLE_UNAUTHORISED = "vulnerable_unauthorised", ("Unauthorised absence of a looked-after child, a child "
                                                          "in need or on a protection plan, or with an EHC plan")
    SUSPENSION_SOCIAL_WORKER = "suspension_social_worker", "Suspension or exclusion of a child with a social worker"
    PERSISTENT_ABSENCE = "persistent_absence", "Persistent absence (10% or more) this term"
    SEVERE_ABSENCE = "severe_absence", "Severe absence (50% or more) this term"
    ATTENDANCE_FALL = "attendance_fall", "Fall in attendance over recent school weeks against the term before"
