"""Forms for intervention plans (crispy-forms-gds)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from cases import selectors
from interventions.models import Intervention, InterventionPlan
from interventions.selectors import intervention_groups
from schools.common.forms import DateField, GdsFormMixin, VersionedForm
from schools.models import User


def _owner_label(user) -> str:
    return f"{user.display_name} ({user.get_role_display()})"


class PlanForm(GdsFormMixin, forms.Form):
    submit_label = "Start plan"
    intervention = forms.ModelChoiceField(queryset=Intervention.objects.none(), label="Intervention",
                                          empty_label="Choose an intervention")
    start_date = DateField(label="Start date")
    planned_end_date = DateField(label="Planned end (optional)", required=False,
                                      help_text="Leave empty for 10 school weeks after the start.")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Owner", empty_label="Choose a person")
    target_attendance = forms.DecimalField(label="Target attendance (%, optional)", required=False, min_value=0,
                                           max_value=100, decimal_places=1,
                                           widget=forms.NumberInput(attrs={"class": "govuk-input--width-4",
                                                                           "step": "0.1"}))
    goals = forms.CharField(label="Goals (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, school_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["intervention"]
        field.queryset = Intervention.objects.active().order_by("stage", "sort_order", "name")
        # One <optgroup> per funding and stage, from the catalogue's own fields ("Early intervention — statutory").
        field.choices = [("", field.empty_label), *(
            (label, [(item.pk, item.name) for item in items])
            for label, items in intervention_groups(field.queryset))]
        self.fields["owner"].queryset = selectors.assignable_users(school_id)
        self.fields["owner"].label_from_instance = _owner_label
        self.fields["start_date"].initial = timezone.localdate()


class PlanEditForm(GdsFormMixin, VersionedForm):
    planned_end_date = DateField(label="Planned end")
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label="Owner")
    target_attendance = PlanForm.base_fields["target_attendance"]
    goals = forms.CharField(label="Goals (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, school_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.assignable_users(school_id)
        self.fields["owner"].label_from_instance = _owner_label


class PlanEndForm(GdsFormMixin, VersionedForm):
    submit_label = "End plan"
    status = forms.ChoiceField(label="How did the plan end?", widget=forms.RadioSelect, choices=[
        c for c in InterventionPlan.Status.choices if c[0] != InterventionPlan.Status.ACTIVE],
        error_messages={"required": "Choose how the plan ended"})
    outcome = forms.ChoiceField(label="Outcome", choices=InterventionPlan.Outcome.choices, widget=forms.RadioSelect)
    outcome_notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    ended_on = DateField(label="End date")
