"""Exclusions and provision in the admin site, for LA admins.

Pupil records (exclusions, placements, part-time timetables, managed moves, Fair Access, CME, CNIS) are read-only
here: their writes go through schools.exclusions.services, which validates them, works out the deadlines in school days
and audits them. Alternative provision providers are the LA's reference data (names and places commissioned), so
admins edit them here, audited like any other write. Imported from schools.admin so the admin site finds it.
"""

from __future__ import annotations

from django.contrib import admin

from schools.common.admin import AuditedAdmin, ReadOnlyAdmin
from schools.models import (
    APProvider,
    ChildNotInSchool,
    CMEEnquiry,
    CMERecord,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    PartTimeReview,
    PartTimeTimetable,
    Placement,
)


@admin.register(Exclusion)
class ExclusionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "pupil", "school", "kind", "start_date", "days", "day6_duty", "day6_date", "board_due",
                    "cancelled_on"]
    list_filter = ["kind", "day6_duty", "school__phase"]
    list_select_related = ["pupil", "school"]
    raw_id_fields = ["pupil"]
    date_hierarchy = "start_date"
    search_fields = ["pupil__upn", "pupil__legal_last_name", "school__name"]
    show_full_result_count = False


@admin.register(ExclusionReminder)
class ExclusionReminderAdmin(ReadOnlyAdmin):
    list_display = ["due", "kind", "exclusion", "message", "resolved_on"]
    list_filter = ["kind"]
    list_select_related = ["exclusion"]
    show_full_result_count = False


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "provider_display", "arranged_by", "hours_per_week", "start_date", "end_date"]
    list_filter = ["arranged_by", "provider_kind"]
    list_select_related = ["pupil", "ap_provider", "host_school"]
    raw_id_fields = ["pupil"]
    show_full_result_count = False


@admin.register(APProvider)
class APProviderAdmin(AuditedAdmin):
    list_display = ["name", "urn", "registered", "places_commissioned", "is_active"]
    list_filter = ["registered", "is_active"]
    search_fields = ["name", "urn"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: placements keep pointing at the provider.
        return False


class PartTimeReviewInline(admin.TabularInline):
    model = PartTimeReview
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartTimeTimetable)
class PartTimeTimetableAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "school", "start_date", "planned_end_date", "hours_per_week", "reason",
                    "next_review_date", "ended_on"]
    list_filter = ["reason"]
    list_select_related = ["pupil", "school"]
    raw_id_fields = ["pupil"]
    inlines = [PartTimeReviewInline]


@admin.register(ManagedMove)
class ManagedMoveAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "from_school", "to_school", "start_date", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["pupil", "from_school", "to_school"]
    raw_id_fields = ["pupil"]


@admin.register(FairAccessReferral)
class FairAccessReferralAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "category", "referred_on", "allocation_due", "allocated_school", "placed_on",
                    "days_without_placement"]
    list_filter = ["category"]
    list_select_related = ["pupil", "allocated_school"]
    raw_id_fields = ["pupil"]


class CMEEnquiryInline(admin.TabularInline):
    model = CMEEnquiry
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CMERecord)
class CMERecordAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "reason", "referred_on", "outcome", "officer"]
    list_filter = ["reason", "outcome"]
    list_select_related = ["pupil", "officer"]
    raw_id_fields = ["pupil"]
    inlines = [CMEEnquiryInline]


@admin.register(ChildNotInSchool)
class ChildNotInSchoolAdmin(ReadOnlyAdmin):
    list_display = ["display_name", "category", "registered_on", "removed_on"]
    list_filter = ["category"]
    list_select_related = ["pupil"]
    raw_id_fields = ["pupil"]
