"""Admin for LA admins: the national comparator figures (each with its source and year) and schools' link officers
are edited here, audited like any other write. Termly reports are read-only: they are made through
reporting.services, never edited."""

from django.contrib import admin
from django.db import models

from reporting.models import NationalFigure, ReportRun, SchoolLinkOfficer
from schools.common.admin import AuditedAdmin, ReadOnlyAdmin
from schools.models import User
from schools.roles import Role


@admin.register(NationalFigure)
class NationalFigureAdmin(AuditedAdmin):
    list_display = ["measure", "phase", "academic_year", "term", "value", "source"]
    list_filter = ["measure", "phase", "academic_year", "term"]
    search_fields = ["source", "notes"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SchoolLinkOfficer)
class SchoolLinkOfficerAdmin(AuditedAdmin):
    list_display = ["school", "officer"]
    list_select_related = ["school", "officer"]
    search_fields = ["school__name", "school__urn", "officer__username", "officer__last_name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "officer":
            kwargs["queryset"] = User.objects.filter(role=Role.LA_OFFICER, is_active=True).order_by(
                "first_name", "last_name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "trigger", "figures_to", "created_at"]
    list_filter = ["trigger"]
    list_select_related = ["term__academic_year", "school", "partnership"]
