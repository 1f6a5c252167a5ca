"""Forms for the elective home education register (GOV.UK pattern through schools.common.forms). They check the
shape of the input; schools.ehe.services checks the rules and writes."""

from __future__ import annotations

from django import forms

from schools.common.forms import DateField, GdsFormMixin
from schools.ehe import rules
from schools.models import HomeEducationContact, HomeEducationRecord, Pupil, School, User
from schools.roles import Role

Record = HomeEducationRecord
_TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


def _officers():
    return User.objects.filter(role__in=[Role.LA_OFFICER, Role.LA_MANAGER], is_active=True).order_by(
        "last_name", "username")


class HomeEducationForm(GdsFormMixin, forms.Form):
    submit_label = "Add to the register"
    upn = forms.CharField(label="UPN of the child's pupil record",
                          help_text="Children without a pupil record are added to the pupil list first.")
    notified_on = DateField(label="Date the LA was notified", error_name="The date the LA was notified")
    source = forms.ChoiceField(label="Who told the LA", choices=Record.Source.choices, widget=forms.RadioSelect)
    school = forms.ModelChoiceField(
        label="Last school (optional)", queryset=School.objects.all(), required=False, empty_label="Work it out",
        help_text="Left empty, the school whose roll the child was last on.")
    reasons = forms.MultipleChoiceField(label="Reasons the parent gave (optional)", choices=rules.REASON_CHOICES,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    reasons_detail = forms.CharField(label="Reasons in the parent's words (optional)", required=False, **_TEXT)
    officer = forms.ModelChoiceField(label="Officer (optional)", queryset=User.objects.none(), required=False,
                                     empty_label="Not allocated")
    notes = forms.CharField(label="Notes (optional)", required=False, **_TEXT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["officer"].queryset = _officers()

    def clean_upn(self):
        upn = self.cleaned_data["upn"].strip().upper()
        pupil = Pupil.objects.visible_to(self.user).filter(upn=upn).first()
        if pupil is None:
            raise forms.ValidationError("No pupil you can see has this UPN: check it, or add the child to the "
                                        "pupil list first.")
        return pupil


class ConsentForm(GdsFormMixin, forms.Form):
    submit_label = "Record the decision"
    decision = forms.ChoiceField(label="The LA's decision", widget=forms.RadioSelect,
                                 choices=[(Record.Consent.GIVEN, "The LA consents to the child's deregistration"),
                                          (Record.Consent.REFUSED, "The LA refuses consent")])
    decided_on = DateField(label="Date of the decision")
    notes = forms.CharField(label="Reasons (required when refusing)", required=False, **_TEXT)


class ContactForm(GdsFormMixin, forms.Form):
    submit_label = "Add the contact"
    contact_on = DateField(label="Date of the contact")
    kind = forms.ChoiceField(label="Kind of contact", choices=HomeEducationContact.Kind.choices,
                             widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label="Outcome", choices=HomeEducationContact.Outcome.choices,
                                widget=forms.RadioSelect)
    notes = forms.CharField(label="What happened (optional)", required=False, **_TEXT)


class SuitabilityForm(GdsFormMixin, forms.Form):
    submit_label = "Record the assessment"
    suitability = forms.ChoiceField(label="Is the education suitable?", choices=Record.Suitability.choices,
                                    widget=forms.RadioSelect)
    assessed_on = DateField(label="Date of the assessment")
    notes = forms.CharField(label="Evidence and reasons (required if it appears not suitable)", required=False,
                            **_TEXT)


class EnquiryForm(GdsFormMixin, forms.Form):
    submit_label = "Record the enquiry"
    sent_on = DateField(label="Date the enquiry was sent",
                        help_text=f"The reply is due {rules.INFORMAL_ENQUIRY_RESPONSE_DAYS} days later.")


class EnquiryReplyForm(GdsFormMixin, forms.Form):
    submit_label = "Record the reply"
    response_on = DateField(label="Date of the reply")
    response = forms.CharField(label="The parent's reply", **_TEXT)


class ReturnForm(GdsFormMixin, forms.Form):
    submit_label = "Record the return and close"
    returned_on = DateField(label="Date the child returned to school")
    return_school = forms.ModelChoiceField(label="School", queryset=School.objects.filter(is_open=True),
                                           empty_label="Choose a school")


class CloseForm(GdsFormMixin, forms.Form):
    submit_label = "Close the record"
    closed_on = DateField(label="Date the record closes")
    reason = forms.CharField(label="Why the record is closing", max_length=200,
                             help_text="For example: moved to another LA; reached the end of compulsory school age.")
