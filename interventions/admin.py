"""The intervention catalogue is edited here by LA admins (seeded from seeds 000, 001 and 003). Plans are read-only:
they are written through interventions.services. Traded services: the policy (VAT, notice rule, payment terms) and
who delivers are edited here; bookings and invoices are read-only (written through interventions.traded.services)."""

from django import forms
from django.contrib import admin

from interventions.models import Booking, Intervention, InterventionPlan, Invoice, TradedOfficer, TradedPolicy
from interventions.models.traded import TradedRole
from schools.common.admin import LabelledControlsMixin, ReadOnlyAdmin


@admin.register(Intervention)
class InterventionAdmin(LabelledControlsMixin, admin.ModelAdmin):
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


# --- Traded services ------------------------------------------------------------------------------------------------
# Settings and who delivers are edited here; the catalogue, rate card, tiers, bookings and invoices have their own
# pages (traded services), which go through interventions.traded.services so every change is validated and audited.


@admin.register(TradedPolicy)
class TradedPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "vat_standard_rate", "cancellation_notice_school_days", "late_cancellation_percent",
                    "payment_terms_days", "tsm_officer_days"]

    def has_add_permission(self, request):
        return not TradedPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class TradedOfficerForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=TradedRole.choices, widget=forms.CheckboxSelectMultiple,
                                      help_text="Rate-card roles this person delivers.")

    class Meta:
        model = TradedOfficer
        fields = ["user", "roles", "fte", "is_active"]


@admin.register(TradedOfficer)
class TradedOfficerAdmin(admin.ModelAdmin):
    form = TradedOfficerForm
    list_display = ["user", "role_labels", "fte", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "funding", "units", "requested_at"]
    list_filter = ["status", "funding"]
    list_select_related = ["service__intervention", "school"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "school", "period_label", "issued_on", "status", "net", "vat"]
    list_filter = ["kind", "status", "period_kind"]
    list_select_related = ["school"]
