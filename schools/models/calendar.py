from django.db import models
from django.db.models import Q


class AcademicYear(models.Model):
    name = models.CharField(max_length=7, unique=True, help_text="For example 2025/26.")
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")),
                                   name="academic_year_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """LA term dates, or a school's own dates when ``school`` is set (academies set their own)."""

    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=10, choices=Name.choices)
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="term_overrides")
    start_date = models.DateField()
    end_date = models.DateField()
    half_term_start = models.DateField(null=True, blank=True)
    half_term_end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], condition=Q(school__isnull=True),
                                    name="term_unique_la_dates"),
            models.UniqueConstraint(fields=["academic_year", "name", "school"], condition=Q(school__isnull=False),
                                    name="term_unique_school_dates"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="term_ends_after_start"),
        ]

    def __str__(self) -> str:
        where = f" ({self.school})" if self.school_id else ""
        return f"{self.get_name_display()} {self.academic_year}{where}"


class Closure(models.Model):
    """A day with no sessions: INSET, bank holiday or unplanned closure; LA-wide when ``school`` is empty."""

    class Kind(models.TextChoices):
        INSET = "inset", "INSET / training day"
        BANK_HOLIDAY = "bank_holiday", "Bank holiday"
        CLOSURE = "closure", "Closure"

    date = models.DateField()
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="closures")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(school__isnull=True), name="closure_unique_la_day"),
            models.UniqueConstraint(fields=["date", "school"], condition=Q(school__isnull=False),
                                    name="closure_unique_school_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
