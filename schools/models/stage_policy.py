"""The LA's staged-intervention thresholds: which attendance suggests which stage (DESIGN.md, Admins: thresholds).

One row, edited by LA admins in the admin site; until it is saved the defaults from seed 001 apply (Coventry, "School
Attendance Matters", October 2023: Stage 1 Prevention 91-100%, Stage 2 Early intervention 81-90%, Stage 3 Targeted
support below that; see schools.attendance.codes.DEFAULT_STAGE_THRESHOLDS for how the seed's whole-percent bands are
read as continuous rates). Two lower bounds describe three bands that are complete by construction (Stage 3 starts
at 0%); validation keeps them ordered and inside 0-100%.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from schools.attendance.codes import DEFAULT_STAGE_THRESHOLDS, Stage, StageBand

_DEFAULTS = {band.stage: band.min_attendance_rate * 100 for band in DEFAULT_STAGE_THRESHOLDS}
DEFAULT_SOURCE = ("Coventry City Council, School Attendance Matters (October 2023), staged intervention model: Stage 1 "
                  "Prevention 91-100%, Stage 2 Early intervention 81-90%, Stage 3 Targeted support below 80% (seed "
                  "001). A rate in the gaps between the seed's whole-percent bands takes the stage with more support.")
_PERCENT = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class StagePolicy(models.Model):
    prevention_from = models.DecimalField(
        "Stage 1 (prevention) from", max_digits=5, decimal_places=2, default=_DEFAULTS[Stage.PREVENTION],
        validators=_PERCENT,
        help_text="Attendance (present and approved activity, % of possible sessions) at or above this suggests "
                  "Stage 1: Prevention.")
    early_intervention_from = models.DecimalField(
        "Stage 2 (early intervention) from", max_digits=5, decimal_places=2,
        default=_DEFAULTS[Stage.EARLY_INTERVENTION], validators=_PERCENT,
        help_text="Attendance at or above this, and below the Stage 1 threshold, suggests Stage 2: Early "
                  "intervention. Below it suggests Stage 3: Targeted support.")
    source = models.TextField(default=DEFAULT_SOURCE,
                              help_text="Where these thresholds come from (policy, committee paper, date). Shown "
                                        "beside every suggested stage.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "stage threshold policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(early_intervention_from__gt=0, prevention_from__lte=100,
                            prevention_from__gt=F("early_intervention_from")),
                name="stage_policy_bands_ordered",
                violation_error_message="The Stage 1 threshold must be above the Stage 2 threshold, both between "
                                        "0% and 100%."),
        ]

    def __str__(self) -> str:
        return "Stage threshold policy"

    def clean(self) -> None:
        prevention, early = self.prevention_from, self.early_intervention_from
        if prevention is not None and early is not None and prevention <= early:
            raise ValidationError({"prevention_from": (
                f"Stage 1 must start above Stage 2 ({early}%), or Stage 2 would have no attendance rates left.")})
        if not (self.source or "").strip():
            raise ValidationError({"source": "Say where these thresholds come from."})

    @classmethod
    def current(cls) -> StagePolicy:
        """The saved policy, or the seed 001 defaults (unsaved) when the LA has not set its own."""
        return cls.objects.order_by("pk").first() or cls()

    @property
    def is_default(self) -> bool:
        return (self.prevention_from == _DEFAULTS[Stage.PREVENTION]
                and self.early_intervention_from == _DEFAULTS[Stage.EARLY_INTERVENTION])

    def thresholds(self) -> tuple[StageBand, ...]:
        """The bands for schools.attendance.codes.suggested_stage, as fractions (91% → 0.91)."""
        return (
            StageBand(Stage.PREVENTION, Decimal(self.prevention_from) / 100),
            StageBand(Stage.EARLY_INTERVENTION, Decimal(self.early_intervention_from) / 100),
            StageBand(Stage.TARGETED_SUPPORT, Decimal(0)),
        )

    def bands(self) -> list[dict]:
        """The three bands in words, for pages: [{"stage", "label", "range"}] from Stage 1 down."""
        prevention, early = self.prevention_from.normalize(), self.early_intervention_from.normalize()
        return [
            {"stage": Stage.PREVENTION, "label": Stage.PREVENTION.label, "range": f"{prevention:f}% and above"},
            {"stage": Stage.EARLY_INTERVENTION, "label": Stage.EARLY_INTERVENTION.label,
             "range": f"{early:f}% up to (not including) {prevention:f}%"},
            {"stage": Stage.TARGETED_SUPPORT, "label": Stage.TARGETED_SUPPORT.label, "range": f"below {early:f}%"},
        ]
