"""The form that asks for a termly report (crispy-forms-gds). The form checks input; reporting.services decides who
may make which report and writes it."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone

from schools import school_days
from schools.common.forms import GdsFormMixin
from schools.models import Partnership, School, Term
from schools.roles import Capability

LA_WIDE = "la"


class ReportRequestForm(GdsFormMixin, forms.Form):
    submit_label = "Make the report"
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label="Term", empty_label=None,
                                  help_text="A term still running is reported up to today.")
    scope = forms.ChoiceField(label="Report for", choices=())
    suppress_small_numbers = forms.BooleanField(
        label="Show numbers from 1 to 4 as x (for a paper that will be published)", required=False, initial=True)
    internal = forms.BooleanField(
        label="Internal version: name the officers in the caseload figures", required=False, initial=False,
        help_text="Every page then says \"Not for publication\". Without it no member of staff is named (officers "
                  "are Officer A, Officer B...).")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_action = reverse("reporting:report_create")
        today = timezone.localdate()
        self.fields["term"].queryset = (school_days.la_terms().filter(start_date__lte=today)
                                        .order_by("-start_date"))
        self.fields["term"].label_from_instance = lambda t: f"{t.get_name_display()} term {t.academic_year.name}" + (
            " (to date)" if t.end_date > today else "")
        choices = []
        if user.can(Capability.GENERATE_LA_REPORTS):
            choices.append((LA_WIDE, "The whole authority"))
            choices += [(f"partnership-{p.pk}", f"{p.name} partnership") for p in Partnership.objects.order_by("name")]
        if user.can(Capability.GENERATE_SCHOOL_REPORTS):
            choices += [(f"school-{s.pk}", s.name) for s in School.objects.visible_to(user).order_by("name")]
        self.fields["scope"].choices = choices
        if choices:
            self.fields["scope"].initial = choices[0][0]

    def scope_objects(self) -> dict:
        """{"school": School | None, "partnership": Partnership | None} for the chosen scope."""
        value = self.cleaned_data["scope"]
        kind, _, pk = value.partition("-")
        if kind == "school":
            return {"school": School.objects.get(pk=int(pk)), "partnership": None}
        if kind == "partnership":
            return {"school": None, "partnership": Partnership.objects.get(pk=int(pk))}
        return {"school": None, "partnership": None}
