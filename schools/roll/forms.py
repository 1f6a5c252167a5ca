"""Forms for roll notifications (crispy-forms-gds). They check input; schools.roll.services validates the rules.
Every required field says what to enter when it is missing."""

from __future__ import annotations

from django import forms

from schools.common.forms import DateField, GdsFormMixin
from schools.models import Enrolment, RollNotification, School
from schools.roll import rules

NC_YEARS = [("", "Not given"), *Enrolment.NcYear.choices]


def _date(label: str, missing: str = "", *, help_text: str = "") -> DateField:
    return DateField(label=label, required=bool(missing), help_text=help_text,
                     error_messages={"required": missing} if missing else None)


def _text(label: str, missing: str = "", *, max_length: int = 160, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=bool(missing), max_length=max_length, help_text=help_text,
                           error_messages={"required": missing} if missing else None)


class _NoticeForm(GdsFormMixin, forms.Form):
    school = forms.ModelChoiceField(label="School sending the notice", queryset=School.objects.none(),
                                    empty_label=None,
                                    error_messages={"required": "Choose the school sending the notice."})
    upn = _text("UPN", "Enter the pupil's UPN.", max_length=13,
                help_text="13 characters: a check letter then 12 digits.")
    first_name = _text("First name", "Enter the pupil's first name.", max_length=80)
    last_name = _text("Last name", "Enter the pupil's last name.", max_length=80)
    date_of_birth = _date("Date of birth", "Enter the pupil's date of birth.")
    nc_year = forms.TypedChoiceField(label="NC year", choices=NC_YEARS, coerce=int, empty_value=None,
                                     required=False)
    parent_name = _text("Parent the pupil lives with", help_text="Full name.")
    parent_phone = _text("Parent's phone number", max_length=30, help_text="A number for emergencies.")
    notes = forms.CharField(label="Anything else the LA should know", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    received_on = _date("Date the LA received the notice",
                        help_text="If you are keying in a notice that arrived by email or post. Leave empty for today.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        schools = School.objects.visible_to(user).filter(is_open=True)
        self.fields["school"].queryset = schools
        if user.is_la_staff:
            self.fields["school"].empty_label = "Choose the school"
        else:
            self.fields.pop("received_on")
            if schools.count() == 1:
                self.fields["school"].initial = schools.first()

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {"school": data.pop("school"), "received_on": data.pop("received_on", None), "fields": data}


class AdmissionForm(_NoticeForm):
    submit_label = "Send the admission notice"
    sex = forms.ChoiceField(label="Sex", choices=RollNotification.Sex.choices[1:], widget=forms.RadioSelect,
                            error_messages={"required": "Choose the pupil's sex."})
    event_date = _date("Date added to the admission register",
                       "Enter the date the pupil was added to the admission register.",
                       help_text=rules.ADMISSION_NOTICE_SOURCE + ".")
    address = _text("Pupil's address", "Enter the pupil's address.", max_length=250)
    previous_school_name = _text("Previous school", max_length=150, help_text="If known.")

    field_order = ["school", "upn", "first_name", "last_name", "date_of_birth", "sex", "nc_year", "event_date",
                   "address", "previous_school_name", "parent_name", "parent_phone", "notes", "received_on"]


class DeletionForm(_NoticeForm):
    submit_label = "Send the deletion notice"
    event_date = _date("Date of deletion", "Enter the date the pupil's name is (or is to be) deleted.",
                       help_text=rules.DELETION_NOTICE_SOURCE + ".")
    ground = forms.ChoiceField(label="Ground for deletion", choices=rules.GROUND_CHOICES, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the ground for deleting the pupil."},
                               help_text=rules.REGULATIONS + ", regulation 9(1).")
    new_address = _text("New address", max_length=250, help_text="Where the pupil will live, if known.")
    new_address_from = _date("Living there from")
    new_school = forms.ModelChoiceField(label="New school (in this LA)", queryset=School.objects.none(),
                                        required=False, empty_label="Not known, or outside the LA")
    new_school_name = _text("New school outside the LA", max_length=150, help_text="Its name and town.")
    new_school_start = _date("Starting at the new school on")

    field_order = ["school", "upn", "first_name", "last_name", "date_of_birth", "nc_year", "event_date", "ground",
                   "new_address", "new_address_from", "new_school", "new_school_name", "new_school_start",
                   "parent_name", "parent_phone", "notes", "received_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_school"].queryset = School.objects.filter(is_open=True).order_by("name")


class UploadForm(GdsFormMixin, forms.Form):
    submit_label = "Upload and check"
    file = forms.FileField(label="CSV file", error_messages={"required": "Choose the CSV file to upload.",
                                                             "empty": "The file is empty: choose another."})


class CreatePupilForm(GdsFormMixin, forms.Form):
    submit_label = "Create the pupil and match the notice"
    action = forms.CharField(widget=forms.HiddenInput, initial="create")
    sex = forms.ChoiceField(label="Sex", choices=RollNotification.Sex.choices[1:], widget=forms.RadioSelect,
                            error_messages={"required": "Choose the pupil's sex."})


class MatchSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or UPN", required=False, max_length=100)


class TriageForm(forms.Form):
    step = forms.ChoiceField(choices=rules.Step.CHOICES, error_messages={"required": "Choose the next step."})
    note = forms.CharField(required=False, max_length=2000)
