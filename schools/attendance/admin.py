"""Admin site entries for attendance (registered from schools.admin): the stage threshold policy, edited by LA admins
through its service so every change is validated and audited, and the CTF review queue, read-only (items are resolved
on the service's own pages, which import the held marks)."""

from __future__ import annotations

from django.contrib import admin

from schools.attendance.stage_policy import stage_policy_save
from schools.audit import snapshot
from schools.common.admin import ReadOnlyAdmin
from schools.models import CtfReviewItem, StagePolicy


@admin.register(StagePolicy)
class StagePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "prevention_from", "early_intervention_from", "updated_at", "updated_by"]
    fields = ["prevention_from", "early_intervention_from", "source"]

    def has_add_permission(self, request):
        return not StagePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = snapshot(StagePolicy.objects.get(pk=obj.pk)) if change and obj.pk else None
        stage_policy_save(user=request.user, policy=obj, before=before)


@admin.register(CtfReviewItem)
class CtfReviewItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reason", "status", "school", "mark_count", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["upn", "surname"]
    raw_id_fields = ["candidate", "pupil"]
    list_select_related = ["school"]
