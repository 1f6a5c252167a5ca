"""The intervention catalogue (seed 000's menu and the stage lists of seeds 001 and 003) and intervention plans on a
case. The catalogue is general on purpose: a traded service (interventions.models.traded.TradedService) is the
selling side of one catalogue entry, not a copy of it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from schools.scoping import PupilLinkedQuerySet
from schools.stages import STAGES, Stage


class InterventionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Intervention(models.Model):
    """One kind of support the service or a school can offer. Not pupil data: every signed-in user may read it;
    LA admins edit it in the admin site."""

    class Strand(models.TextChoices):
        ATTENDANCE = "attendance", "Attendance support"
        BEHAVIOUR = "behaviour", "Behaviour support"
        LEGAL = "legal", "Parental responsibility and legal intervention"
        FAMILY = "family", "Family and multi-agency support"

    class Section(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        CAPACITY_BUILDING = "capacity_building", "Capacity building"
        CHILDREN_AND_PARENTS = "children_and_parents", "Working with children and parents"
        EXCLUSION = "exclusion", "Exclusion from school"
        LEGAL = "legal", "Legal intervention"
        SCHOOL_ACTION = "school_action", "Action by the school"
        MULTI_AGENCY = "multi_agency", "Multi-agency and family support"

    class Funding(models.TextChoices):
        STATUTORY = "statutory", "Statutory: no cost to schools"
        PAYU = "payu", "Pay as you use"

    name = models.CharField(max_length=160, unique=True)
    strand = models.CharField(max_length=12, choices=Strand.choices)
    section = models.CharField(max_length=25, choices=Section.choices)
    details = models.TextField(help_text="What the support involves.")
    intended_outcomes = models.TextField(blank=True)
    staff_role = models.CharField(max_length=160, help_text="Who delivers it, e.g. Behaviour and Attendance Officer.")
    likely_duration = models.CharField(max_length=60, blank=True, help_text="For example 'Half day' or '2 days'.")
    funding = models.CharField(max_length=10, choices=Funding.choices, default=Funding.STATUTORY)
    stage = models.CharField(max_length=25, choices=Stage.choices, blank=True,
                             help_text="The stage at which it is usually offered; empty for any stage.")
    source = models.CharField(max_length=160, blank=True, help_text="Where the entry comes from.")
    is_active = models.BooleanField(default=True, help_text="Inactive entries stay on old plans but cannot be "
                                                            "chosen for new ones.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = InterventionQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        indexes = [
            # Catalogue filtered by stage and strand.
            models.Index(fields=["stage", "strand"], name="intervention_stage_strand_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_info(self):
        return STAGES.get(self.stage)

    @property
    def is_payu(self) -> bool:
        return self.funding == self.Funding.PAYU


class InterventionPlanQuerySet(PupilLinkedQuerySet):
    pupil_path = "case__pupil"

    def active(self):
        return self.filter(status=InterventionPlan.Status.ACTIVE)


class InterventionPlan(models.Model):
    """An intervention put in place on a case: start, planned end (default 10 school weeks), owner, target, reviews
    (cases.Review.plan) and outcome."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Target achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="plans")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="plans")
    start_date = models.DateField()
    planned_end_date = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_plans")
    target_attendance = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="Target attendance, as a percentage.")
    goals = models.TextField(blank=True, help_text="What should change, in the family's words where possible.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = InterventionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_end_date__gte=models.F("start_date")),
                                   name="plan_ends_after_start",
                                   violation_error_message="The planned end must be on or after the start date."),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True, outcome="")
                | (~Q(status="active") & Q(ended_on__isnull=False) & ~Q(outcome="")),
                name="plan_ended_has_date_and_outcome",
                violation_error_message="An ended plan needs an end date and an outcome; an active one neither."),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
                                   name="plan_ended_after_start",
                                   violation_error_message="A plan cannot end before it started."),
        ]
        indexes = [
            # Plans on the case page, active first.
            models.Index(fields=["case", "status"], name="plan_case_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} from {self.start_date}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE
