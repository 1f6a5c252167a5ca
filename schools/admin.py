"""Admin site for LA admins: users, schools, partnerships and calendars.

Pupils, enrolments, families and the audit are read-only here: their writes go through the services so that every
change is validated and audited.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from schools.accounts.admin import reset_two_factor, revoke_api_tokens

# The topic packages' admin modules register their models when this module (the one Django looks for) is loaded.
from schools.attendance import admin as attendance_admin  # noqa: F401  (stage policy, CTF review queue)
from schools.common.admin import LabelledControlsMixin, ReadOnlyAdmin
from schools.exclusions import admin as exclusions_admin  # noqa: F401  (exclusions and provision)
from schools.models import (
    AcademicYear,
    AuditEvent,
    Closure,
    Enrolment,
    Family,
    LocalAuthority,
    Partnership,
    Pupil,
    School,
    Term,
    User,
)


@admin.register(User)
class UserAdmin(LabelledControlsMixin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active"]
    filter_horizontal = ["schools", "groups", "user_permissions"]
    fieldsets = (*DjangoUserAdmin.fieldsets,
                 ("Role and schools", {"fields": ("role", "job_title", "phone", "schools")}),
                 ("Council sign-in", {"fields": ("oidc_subject",)}))
    readonly_fields = ["oidc_subject"]
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Role and schools", {"fields": ("role", "schools")}))
    actions = [reset_two_factor, revoke_api_tokens]


admin.site.register(LocalAuthority)


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "laestab", "phase", "partnership", "is_open"]
    list_filter = ["phase", "partnership", "is_open"]
    search_fields = ["name", "urn", "laestab"]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date"]
    inlines = [TermInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "school", "reason"]
    list_filter = ["kind"]


@admin.register(Pupil)
class PupilAdmin(ReadOnlyAdmin):
    list_display = ["upn", "legal_last_name", "legal_first_name", "date_of_birth"]
    search_fields = ["upn", "legal_last_name"]
    show_full_result_count = False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "school", "start_date", "end_date", "nc_year"]
    list_select_related = ["pupil", "school"]
    raw_id_fields = ["pupil"]


@admin.register(Family)
class FamilyAdmin(ReadOnlyAdmin):
    list_display = ["name", "town", "postcode"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "username", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]

