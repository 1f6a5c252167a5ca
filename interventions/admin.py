"""The intervention catalogue is edited here by LA admins (seeded from seeds 000, 001 and 003). Plans are read-only:
they are written through interventions.services."""

from django.contrib import admin

from interventions.models import Intervention, InterventionPlan
from schools.admin import ReadOnlyAdmin


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "strand", "stage", "staff_role", "likely_duration", "funding", "is_active"]
    list_filter = ["strand", "section", "stage", "funding", "is_active"]
    search_fields = ["name", "details", "staff_role"]
    list_editable = ["is_active"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: old plans keep pointing at the entry.
        return False


@admin.register(InterventionPlan)
class InterventionPlanAdmin(ReadOnlyAdmin):
    list_display = ["case", "intervention", "start_date", "planned_end_date", "status", "outcome"]
    list_filter = ["status", "outcome"]
    list_select_related = ["case", "intervention"]
