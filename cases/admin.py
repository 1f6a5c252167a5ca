"""Admin for LA admins: the casework policy (caseload limit, review interval, plan length, edit window) is edited
here. Case data is read-only in the admin: its writes go through cases.services so they are validated and audited."""

from django.contrib import admin

from cases.models import Case, CaseworkPolicy, ChronologyEntry, Referral, TargetingSupportMeeting
from schools.admin import ReadOnlyAdmin


@admin.register(CaseworkPolicy)
class CaseworkPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "caseload_limit", "review_interval_weeks", "plan_length_school_weeks",
                    "entry_edit_days"]

    def has_add_permission(self, request):
        return not CaseworkPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["reference", "pupil", "case_type", "status", "stage", "officer", "opened_on"]
    list_filter = ["status", "stage", "case_type"]
    list_select_related = ["pupil", "officer"]
    raw_id_fields = ["pupil"]
    show_full_result_count = False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["reference", "pupil", "school", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["pupil", "school"]


@admin.register(ChronologyEntry)
class ChronologyEntryAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "case", "entry_type", "restriction", "summary"]
    list_filter = ["entry_type", "restriction"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(TargetingSupportMeeting)
class TsmAdmin(ReadOnlyAdmin):
    list_display = ["school", "academic_year", "term", "held_on", "officer"]
    list_filter = ["term", "academic_year"]
