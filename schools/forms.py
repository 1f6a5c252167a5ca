"""GOV.UK-styled forms (crispy-forms-gds). Forms validate input; services do the writing."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms

from schools.common.forms import DateField, GdsFormMixin
from schools.models import Carer, Enrolment, Family, Pupil, School

PUPIL_FORM_FIELDS = [
    "upn", "former_upn", "legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name",
    "date_of_birth", "sex", "ethnicity", "sen_status", "fsm_eligible", "disadvantaged", "eal", "looked_after",
    "cin_cp", "social_worker_name", "social_worker_contact",
]


class PupilForm(GdsFormMixin, forms.ModelForm):
    date_of_birth = DateField(label="Date of birth", help_text="For example, 27 3 2015")

    class Meta:
        model = Pupil
        fields = PUPIL_FORM_FIELDS
        # crispy-forms-gds draws GOV.UK radios only for RadioSelect widgets.
        widgets = {"sex": forms.RadioSelect, "sen_status": forms.RadioSelect, "cin_cp": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Fieldset(Field.text("upn", field_width=Fluid.TWO_THIRDS), Field.text("former_upn"),
                     legend="Identifiers", legend_size=Size.MEDIUM),
            Fieldset(Field.text("legal_first_name"), Field.text("legal_last_name"),
                     Field.text("preferred_first_name"), Field.text("preferred_last_name"),
                     Field("date_of_birth"), Field.radios("sex", inline=True),
                     legend="Name and birth", legend_size=Size.MEDIUM),
            Fieldset(Field.select("ethnicity"), Field.radios("sen_status"), Field.checkbox("fsm_eligible"),
                     Field.checkbox("disadvantaged"), Field.checkbox("eal"), Field.checkbox("looked_after"),
                     Field.radios("cin_cp"), Field.text("social_worker_name"), Field.text("social_worker_contact"),
                     legend="Characteristics and needs", legend_size=Size.MEDIUM),
        )

    def clean_upn(self):
        return self.cleaned_data["upn"].strip().upper()

    def clean_former_upn(self):
        return self.cleaned_data["former_upn"].strip().upper()


class PupilCreateForm(PupilForm):
    """A new pupil starts on a school's roll."""

    submit_label = "Add pupil"
    school = forms.ModelChoiceField(queryset=School.objects.filter(is_open=True), label="School")
    start_date = DateField(label="Date joined the school's roll")
    nc_year = forms.TypedChoiceField(label="NC year", choices=Enrolment.NcYear.choices, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append(
            Fieldset(Field.select("school"), Field("start_date"), Field.select("nc_year"),
                     legend="School", legend_size=Size.MEDIUM))


class EnrolmentForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Add enrolment"
    start_date = DateField(label="Start date")
    end_date = DateField(label="End date", required=False, help_text="Leave empty if still on roll.")

    class Meta:
        model = Enrolment
        fields = ["school", "start_date", "end_date", "nc_year"]


class EnrolmentEndForm(GdsFormMixin, forms.Form):
    submit_label = "End enrolment"
    end_date = DateField(label="Date the pupil left the roll")


class FamilyForm(GdsFormMixin, forms.ModelForm):
    class Meta:
        model = Family
        fields = ["name", "address_line_1", "address_line_2", "town", "postcode", "notes"]


class CarerForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Add carer"

    class Meta:
        model = Carer
        fields = ["full_name", "relationship", "parental_responsibility", "is_main_contact", "phone", "email",
                  "address", "preferred_channel", "do_not_contact", "contact_restriction"]

    def clean(self):
        data = super().clean()
        if data.get("do_not_contact") and not (data.get("contact_restriction") or "").strip():
            self.add_error("contact_restriction", "Say why this person may not be contacted, e.g. the order and its "
                                                  "date.")
        channel = data.get("preferred_channel")
        if channel == Carer.PreferredChannel.EMAIL and not data.get("email"):
            self.add_error("email", "Enter an email address, or choose post only.")
        if channel == Carer.PreferredChannel.SMS and not (data.get("phone") or "").strip():
            self.add_error("phone", "Enter a mobile number for text messages, or choose post only.")
        return data


