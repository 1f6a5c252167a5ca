"""Reporting records (issue 8): termly reports made (each a PDF kept through Django's storage, made by a background
Job with a progress bar), the national comparator figures the headline cards set the LA against (edited by LA admins
in the admin site, each with its source and year). Schools' link officers (whose schools an LA officer's dashboard
adds up) moved down to cases.models.SchoolLinkOfficer, which casework and the attendance pages use too; the name is
kept here for the reporting code that reads it.

The figures are computed in SQL from the records each area keeps (reporting.selectors). A large LA's LA-wide dashboards
keep their last figures for LA staff as a FigureSnapshot, shown "as at" its time and refreshed each night and
after register imports (reporting.snapshots).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cases.models import SchoolLinkOfficer  # noqa: F401  (moved to cases; read by reporting.selectors, demo)
from schools.scoping import ScopedQuerySet, is_la_user, user_school_ids

ACADEMIC_YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def validate_academic_year(value: str) -> None:
    match = ACADEMIC_YEAR_PATTERN.match(value or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValidationError(f"Write the academic year as 2023/24 (got {value!r}).")


class NationalFigure(models.Model):
    """A published national (England) figure to compare the LA with: one measure, phase and year (or term).

    Rates are percentages (7.1 for 7.1%). The defaults come from statutory-rules.md §8 (DfE statistics); an LA
    admin adds each new year's figures when the DfE publishes them."""

    class Measure(models.TextChoices):
        OVERALL_ABSENCE = "overall_absence", "Overall absence rate"
        AUTHORISED_ABSENCE = "authorised_absence", "Authorised absence rate"
        UNAUTHORISED_ABSENCE = "unauthorised_absence", "Unauthorised absence rate"
        PERSISTENT_ABSENCE = "persistent_absence", "Persistent absence (pupils missing 10% or more)"
        SEVERE_ABSENCE = "severe_absence", "Severe absence (pupils missing 50% or more)"
        SUSPENSION_RATE = "suspension_rate", "Suspensions as a percentage of pupils"
        PUPILS_SUSPENDED_RATE = "pupils_suspended_rate", "Pupils with one or more suspensions, percentage of pupils"
        PERMANENT_EXCLUSION_RATE = "permanent_exclusion_rate", "Permanent exclusions as a percentage of pupils"
        SUSPENSION_AVERAGE_DAYS = "suspension_average_days", "Average length of a suspension (days)"

    class Phase(models.TextChoices):
        ALL = "all", "All state-funded schools"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        SPECIAL = "special", "Special"

    class Term(models.TextChoices):
        YEAR = "", "Whole academic year"
        AUTUMN = "autumn", "Autumn term"
        SPRING = "spring", "Spring term"
        SUMMER = "summer", "Summer term"

    measure = models.CharField(max_length=30, choices=Measure.choices)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.ALL)
    academic_year = models.CharField(max_length=7, validators=[validate_academic_year],
                                     help_text="The year the figure is for, e.g. 2023/24.")
    term = models.CharField(max_length=6, choices=Term.choices, blank=True,
                            help_text="Empty for a whole-year figure.")
    value = models.DecimalField(max_digits=7, decimal_places=2,
                                help_text="A percentage (7.1 for 7.1%), or days for the average length.")
    source = models.CharField(max_length=300, help_text="Publication the figure comes from.")
    source_url = models.URLField("Source address", max_length=400, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["measure", "phase", "-academic_year", "term"]
        verbose_name = "national comparator figure"
        constraints = [
            models.UniqueConstraint(fields=["measure", "phase", "academic_year", "term"],
                                    name="national_figure_one_per_measure_period",
                                    violation_error_message="There is already a figure for this measure, phase and "
                                                            "period."),
            models.CheckConstraint(condition=Q(value__gte=0), name="national_figure_not_negative",
                                   violation_error_message="A figure cannot be negative."),
        ]

    def __str__(self) -> str:
        term = f" {self.get_term_display().lower()}" if self.term else ""
        return f"{self.get_measure_display()}, {self.get_phase_display()}, {self.academic_year}{term}: {self.value}"

    @property
    def period_label(self) -> str:
        return f"{self.get_term_display().split()[0].lower()} term {self.academic_year}" if self.term \
            else self.academic_year


class ReportRunQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """LA roles read every report; a school user the reports made for their own school(s) only (LA-wide and
        partnership reports set one school beside others, so they stay with the LA)."""
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(school__in=user_school_ids(user))


def report_path(instance, filename: str) -> str:
    return f"reports/{instance.term.academic_year.name.replace('/', '-')}/{filename}"


class ReportRun(models.Model):
    """One termly report: the term it covers, for whom (the LA, a partnership or a school), how it was asked for, the
    background Job that made it (status, progress) and, once made, the PDF. Reports are kept: a term's report is
    never overwritten, a new one is a new row."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "At the end of term"
        ON_DEMAND = "on_demand", "On request"

    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+",
                             help_text="An LA term (school empty).")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="One school's report; empty for the LA or a partnership.")
    partnership = models.ForeignKey("schools.Partnership", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    suppress_small_numbers = models.BooleanField(
        default=False, help_text="Show counts from 1 to 4, and rates based on them, as x (seed 000's convention).")
    internal = models.BooleanField(
        default=False, help_text="An internal version names the officers (caseloads) and the person who asked for it, "
                                 "and says \"Not for publication\" on every page. Otherwise no member of staff is "
                                 "named.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.ON_DEMAND)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="Empty for a report made at the end of term.")
    # PROTECT: a Job goes with its owner's account, and a report must outlive it (accounts are made inactive).
    job = models.OneToOneField("schools.Job", on_delete=models.PROTECT, related_name="report_run")
    figures_to = models.DateField(help_text="The last day the figures cover: the term's end, or the day the report "
                                            "was made while the term was still running.")
    file = models.FileField(upload_to=report_path, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(school__isnull=True) | Q(partnership__isnull=True),
                                   name="report_one_scope",
                                   violation_error_message="A report is for the LA, one partnership or one school."),
            # The end-of-term task makes one LA-wide report per term however often it runs.
            models.UniqueConstraint(fields=["term"], condition=Q(trigger="scheduled", school__isnull=True,
                                                                 partnership__isnull=True),
                                    name="report_one_scheduled_per_term"),
        ]
        indexes = [
            # The list of past reports, newest first, and a school's own.
            models.Index(fields=["school", "-created_at"], name="report_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.pk})"

    @property
    def scope_label(self) -> str:
        if self.school_id:
            return self.school.name
        if self.partnership_id:
            return f"{self.partnership.name} partnership"
        return "The whole authority"

    @property
    def term_label(self) -> str:
        return f"{self.term.get_name_display()} term {self.term.academic_year.name}"

    @property
    def title(self) -> str:
        return f"Termly report, {self.term_label}: {self.scope_label}"

    @property
    def is_la_audience(self) -> bool:
        """LA-wide and partnership reports are read by LA staff only, so they carry LA-only sections."""
        return self.school_id is None

    @property
    def filename(self) -> str:
        scope = f"school-{self.school.urn}" if self.school_id else (
            f"partnership-{self.partnership_id}" if self.partnership_id else "la")
        return f"termly-report-{self.term.academic_year.name.replace('/', '-')}-{self.term.name}-{scope}-{self.pk}.pdf"


class FigureSnapshot(models.Model):
    """One LA-wide dashboard's figures (a pickled reporting.selectors.Report) as last added up for LA staff, at an LA
    of at least REPORT_SNAPSHOT_FROM_PUPILS pupils (reporting.snapshots)."""

    key = models.CharField(max_length=200, unique=True)
    # Whose scope the figures are for, and how to ask for it again: the refresh adds them up again as this user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope_query = models.JSONField(default=dict)
    period_key = models.CharField(max_length=40)
    sections = models.CharField(max_length=200)
    summary = models.BooleanField(default=False)
    figures = models.BinaryField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long adding the figures up took.")
    # Set when registers were imported after computed_at; cleared by the refresh.
    stale_since = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField()

    class Meta:
        verbose_name = "dashboard figures snapshot"

    def __str__(self) -> str:
        return f"{self.key} as at {self.computed_at:%Y-%m-%d %H:%M}"
