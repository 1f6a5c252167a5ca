"""Forms for resolving a held CTF pupil (GOV.UK markup via crispy-forms-gds). Services do the writing."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from schools.common.forms import DateField, GdsFormMixin
from schools.models import Enrolment, Pupil

NC_YEAR_CHOICES = [("", "Choose a year"), *Enrolment.NcYear.choices]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=dict.fromkeys(
        ("required", "invalid"), "This page was missing the record's version: go back, reload the page and try again"))


class CandidateSearchForm(forms.Form):
    """GET form: find the pupil a held item might be."""

    q = forms.CharField(label="Name, UPN or former UPN", required=False)
    date_of_birth = DateField(label="Date of birth", required=False,
                              help_text="For example, 27 3 2015. Leave empty to search on the name or UPN alone.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("search", "Search", css_class="govuk-button--secondary"))
        self.fields["q"].widget.attrs["class"] = "govuk-input"


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, pupil: Pupil) -> str:
        school = getattr(pupil, "current_school_name", None) or "no current school you can see"
        former = f", former UPN {pupil.former_upn}" if pupil.former_upn else ""
        return (f"{pupil.legal_last_name}, {pupil.legal_first_name}: born {pupil.date_of_birth:%d %B %Y}, "
                f"UPN {pupil.upn}{former}, {school}")


class ReviewMatchForm(GdsFormMixin, _Versioned):
    submit_label = "Match and import the marks"
    pupil = PupilChoiceField(queryset=Pupil.objects.none(), widget=forms.RadioSelect, empty_label=None,
                             label="Which pupil is this?",
                             error_messages={"required": "Choose the pupil this is, or search again."})
    take_file_upn = forms.BooleanField(required=False, label="Give the pupil the file's UPN",
                                       help_text="Their current UPN becomes their former UPN. Use this when the "
                                                 "school has issued the child a new UPN.")
    add_enrolment = forms.BooleanField(required=False, label="Add an enrolment at the file's school",
                                       help_text="Only if the pupil is not already on that school's roll for the "
                                                 "dates of the marks.")
    start_date = DateField(label="Date they joined the school's roll", required=False)
    nc_year = forms.TypedChoiceField(label="NC year", choices=NC_YEAR_CHOICES, coerce=int, empty_value=None,
                                     required=False)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scope=None, pupils=(), school=None, file_upn="", **kwargs):
        super().__init__(*args, **kwargs)
        # Any pupil in the user's scope is a valid answer (the choice may come from an earlier search); the radios
        # offer this search's results, labelled with their annotations (current school) in the search's order.
        field = self.fields["pupil"]
        field.queryset = scope if scope is not None else Pupil.objects.none()
        field.widget.choices = [(p.pk, field.label_from_instance(p)) for p in pupils]
        if school is not None:
            self.fields["add_enrolment"].label = f"Add an enrolment at {school.name}"
        self.fields["take_file_upn"].label = f"Give the pupil the file's UPN ({file_upn})"
        self.helper.layout = Layout(
            Field.radios("pupil"), Field("version"),
            Fieldset(Field.checkbox("take_file_upn"), Field.checkbox("add_enrolment"), Field("start_date"),
                     Field.select("nc_year"), legend="The pupil's record", legend_size=Size.MEDIUM),
            Field.textarea("note"),
        )


class ReviewCreateForm(GdsFormMixin, _Versioned):
    submit_label = "Create the pupil and import the marks"
    legal_first_name = forms.CharField(label="Legal first name", max_length=80)
    legal_last_name = forms.CharField(label="Legal last name", max_length=80)
    preferred_first_name = forms.CharField(label="Preferred first name", max_length=80, required=False)
    preferred_last_name = forms.CharField(label="Preferred last name", max_length=80, required=False)
    date_of_birth = DateField(label="Date of birth", help_text="For example, 27 3 2015")
    sex = forms.ChoiceField(label="Sex", choices=Pupil.Sex.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Pupil.Ethnicity.choices)
    sen_status = forms.ChoiceField(label="SEN status", choices=Pupil.SenStatus.choices, widget=forms.RadioSelect)
    start_date = DateField(label="Date they joined the school's roll",
                                help_text="The first held mark's date unless you know better.")
    nc_year = forms.TypedChoiceField(label="NC year", choices=NC_YEAR_CHOICES, coerce=int, empty_value=None)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field("version"),
            Fieldset(Field.text("legal_first_name"), Field.text("legal_last_name"), Field.text("preferred_first_name"),
                     Field.text("preferred_last_name"), Field("date_of_birth"), Field.radios("sex", inline=True),
                     Field.select("ethnicity"), Field.radios("sen_status"),
                     legend="The pupil, as the file describes them", legend_size=Size.MEDIUM),
            Fieldset(Field("start_date"), Field.select("nc_year"), legend="Enrolment", legend_size=Size.MEDIUM),
            Field.textarea("note"),
        )


class ReviewRejectForm(GdsFormMixin, _Versioned):
    submit_label = "Reject"
    note = forms.CharField(label="Why is this pupil rejected?", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="For example: not a pupil of this authority, or the file was sent in error. "
                                     "The held marks are kept with the item but never imported.",
                           error_messages={"required": "Say why this pupil is rejected."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("version"), Field.textarea("note"))
