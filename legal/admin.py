"""Admin site: the LA's legal policy, the support checklist and the letter templates are edited here by LA admins.
Legal records themselves are read here, written only through the pages (services audit every write)."""

from django.contrib import admin

from legal.letters import PLACEHOLDERS
from legal.models import (
    Contract,
    LegalPathway,
    LegalPolicy,
    LetterTemplate,
    PenaltyNotice,
    PenaltyNoticeRequest,
    Prosecution,
    SupportChecklistItem,
)
from schools.common.admin import LabelledControlsMixin


@admin.register(LegalPolicy)
class LegalPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "nti_improvement_school_weeks", "request_decision_working_days",
                    "contract_review_weeks", "deadline_warning_days"]


@admin.register(SupportChecklistItem)
class SupportChecklistItemAdmin(LabelledControlsMixin, admin.ModelAdmin):
    list_display = ["label", "required", "allows_reason", "entry_type", "meeting_type", "contract_counts",
                    "letter_kind", "is_active", "sort_order"]
    list_editable = ["sort_order", "is_active"]
    filter_horizontal = ["interventions"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Saving runs LetterTemplate.clean(): a template naming an unknown placeholder is refused, naming it."""

    list_display = ["name", "kind", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    exclude = ["version"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["help_texts"] = {"body": "Placeholders: " + ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)}
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PenaltyNotice)
class PenaltyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "notice_type", "issued_on", "status", "full_amount", "paid_amount"]
    list_filter = ["status", "notice_type", "regime"]
    list_select_related = True


@admin.register(PenaltyNoticeRequest)
class PenaltyNoticeRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "school", "notice_type", "submitted_on", "decision_due", "status"]
    list_filter = ["status"]


@admin.register(LegalPathway)
class LegalPathwayAdmin(ReadOnlyAdmin):
    list_display = ["reference", "case", "opened_on", "gate_passed", "status"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "agreed_on", "status", "outcome"]


@admin.register(Prosecution)
class ProsecutionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "offence", "information_deadline", "information_laid_on", "status", "outcome"]
    list_filter = ["status", "offence"]


# GOV.UK Notify templates and messages (registered by their own module).
from legal.messaging import admin as messaging_admin  # noqa: E402, F401
