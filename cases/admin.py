"""Admin for LA admins: the casework policy (caseload limit, review interval, plan length, edit window, reminder
window), teams of officers, officers' own caseload limits, schools' link officers and the early-warning rules are
edited here, and those edits are audited like any other write. Case data and alerts are read-only in the admin: their
writes go through cases.services and cases.alerts.services so they are validated and audited."""

from django.contrib import admin

from cases.models import (
    TEAM_MANAGER_ROLES,
    Alert,
    AlertRule,
    Case,
    CaseReminder,
    CaseworkPolicy,
    ChronologyEntry,
    OfficerCaseloadLimit,
    Referral,
    SchoolLinkOfficer,
    TargetingSupportMeeting,
    Team,
    TeamMember,
)
from schools.common.admin import AuditedAdmin, ReadOnlyAdmin
from schools.models import User
from schools.roles import Role


@admin.register(CaseworkPolicy)
class CaseworkPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "caseload_limit", "review_interval_weeks", "plan_length_school_weeks",
                    "entry_edit_days", "reminder_days"]

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


class OfficerChoicesMixin:
    """Offer only the users who fit: LA officers for members and limits, LA managers (or admins) for a team's
    manager. The models' clean() says so in words for anything that arrives another way."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("officer",):
            kwargs["queryset"] = User.objects.filter(role=Role.LA_OFFICER, is_active=True)
        elif db_field.name == "manager":
            kwargs["queryset"] = User.objects.filter(role__in=TEAM_MANAGER_ROLES, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TeamMemberInline(OfficerChoicesMixin, admin.TabularInline):
    model = TeamMember
    extra = 1
    verbose_name_plural = "Officers in the team"


@admin.register(Team)
class TeamAdmin(OfficerChoicesMixin, AuditedAdmin):
    list_display = ["name", "manager", "area"]
    list_select_related = ["manager"]
    inlines = [TeamMemberInline]


@admin.register(OfficerCaseloadLimit)
class OfficerCaseloadLimitAdmin(OfficerChoicesMixin, AuditedAdmin):
    list_display = ["officer", "caseload_limit", "reason"]
    list_select_related = ["officer"]


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdmin):
    list_display = ["due", "kind", "user", "message", "resolved_on"]
    list_filter = ["kind", "resolved_on"]
    list_select_related = ["user"]
    show_full_result_count = False


@admin.register(SchoolLinkOfficer)
class SchoolLinkOfficerAdmin(OfficerChoicesMixin, AuditedAdmin):
    list_display = ["school", "officer"]
    list_select_related = ["school", "officer"]
    search_fields = ["school__name", "school__urn", "officer__username", "officer__last_name"]


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedAdmin):
    """Early-warning rules: each kind uses some of the figures (AlertRule.PARAMETERS; the form says which when one is
    missing or not used)."""

    list_display = ["name", "kind", "sessions", "points", "weeks", "active", "updated_at"]
    list_filter = ["active", "kind"]
    search_fields = ["name", "key", "condition", "source"]
    prepopulated_fields = {"key": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "key", "kind", "active"]}),
        ("What it looks for", {"fields": ["condition", "sessions", "points", "weeks"],
                               "description": "Sessions: consecutive unexplained absences (how many in a row), "
                                              "unauthorised absence of a vulnerable child (at least how many), "
                                              "persistent and severe absence (possible sessions this term before "
                                              "the rule applies). Weeks: school weeks looked back over, weeks since "
                                              "a suspension started, or the recent school weeks of a fall in "
                                              "attendance. Percentage points: the fall in attendance."}),
        ("Who and why", {"fields": ["goes_to", "source"]}),
    ]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["opened_on", "rule", "pupil", "school", "assigned_to", "team", "status", "cleared_on"]
    list_filter = ["status", "rule"]
    list_select_related = ["rule", "pupil", "school", "assigned_to", "team"]
    show_full_result_count = False
