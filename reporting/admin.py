"""Admin for LA admins: the national comparator figures (each with its source and year) are edited here, audited like
any other write (schools' link officers are edited with the casework settings, cases.admin). Termly reports are
read-only: they are made through reporting.services, never edited."""

from django.contrib import admin
from django.db import models

from reporting.models import NationalFigure, ReportRun
from schools.common.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(NationalFigure)
class NationalFigureAdmin(AuditedAdmin):
    list_display = ["measure", "phase", "academic_year", "term", "value", "source"]
    list_filter = ["measure", "phase", "academic_year", "term"]
    search_fields = ["source", "notes"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "trigger", "figures_to", "created_at"]
    list_filter = ["trigger"]
    list_select_related = ["term__academic_year", "school", "partnership"]
