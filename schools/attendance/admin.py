"""Admin site entries for attendance (registered from schools.admin): the stage threshold policy, edited by LA admins
through its service so every change is validated and audited, and the CTF review queue, read-only (items are resolved
on the service's own pages, which import the held marks).

The policy's list shows the thresholds in force above the saved rows (templates/admin/schools/stagepolicy/
change_list.html): until an LA saves its own, the seed 001 defaults apply and nothing is saved, so the list alone was
empty and the figures in force were to be seen only by pressing "Add"."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.urls import reverse

from schools.attendance.stage_policy import stage_policy_save
from schools.audit import snapshot
from schools.common.admin import ReadOnlyAdmin
from schools.models import CtfReviewItem, StagePolicy


def _percent(value) -> str:
    return f"{Decimal(value).normalize():f}%"


@admin.register(StagePolicy)
class StagePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stage_1", "stage_2", "stage_3", "source", "in_force_since", "updated_by"]
    fields = ["prevention_from", "early_intervention_from", "source"]

    def has_add_permission(self, request):
        return not StagePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        before = snapshot(StagePolicy.objects.get(pk=obj.pk)) if change and obj.pk else None
        stage_policy_save(user=request.user, policy=obj, before=before)

    @admin.display(description="Stage 1: Prevention")
    def stage_1(self, obj):
        return obj.bands()[0]["range"]

    @admin.display(description="Stage 2: Early intervention")
    def stage_2(self, obj):
        return obj.bands()[1]["range"]

    @admin.display(description="Stage 3: Targeted support")
    def stage_3(self, obj):
        return obj.bands()[2]["range"]

    @admin.display(description="In force since", ordering="updated_at")
    def in_force_since(self, obj):
        return obj.updated_at

    def changelist_view(self, request, extra_context=None):
        """The thresholds in force, saved or the defaults, with what each figure means, their source and since when,
        above the list; a link to change them (the saved policy, or a new one replacing the defaults)."""
        policy = StagePolicy.current()
        field = StagePolicy._meta.get_field
        prevention, early, targeted = policy.bands()
        thresholds = [
            {**prevention, "figure": _percent(policy.prevention_from), "meaning": field("prevention_from").help_text},
            {**early, "figure": _percent(policy.early_intervention_from),
             "meaning": field("early_intervention_from").help_text},
            {**targeted, "figure": None, "meaning": "Attendance below the Stage 2 threshold suggests Stage 3: Targeted "
                                                    "support (it has no threshold of its own: it starts at 0%)."},
        ]
        if policy.pk is not None:
            change_url = (reverse("admin:schools_stagepolicy_change", args=[policy.pk])
                          if self.has_change_permission(request, policy) else None)
        else:
            change_url = reverse("admin:schools_stagepolicy_add") if self.has_add_permission(request) else None
        context = {"title": "Stage thresholds", "policy_in_force": policy, "thresholds_in_force": thresholds,
                   "change_thresholds_url": change_url, **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)


@admin.register(CtfReviewItem)
class CtfReviewItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reason", "status", "school", "mark_count", "created_at"]
    list_filter = ["status", "reason"]
    search_fields = ["upn", "surname"]
    raw_id_fields = ["candidate", "pupil"]
    list_select_related = ["school"]
