"""The carer contact form: address, phone, email, how they prefer to hear from us, and "do not contact" with its
reason. GOV.UK error summary; ``novalidate`` so the server's messages are the ones people see."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from schools.carers import validators
from schools.common.forms import GdsFormMixin
from schools.models import Carer

CONTACT_FIELDS = ["address", "phone", "email", "preferred_channel", "do_not_contact", "contact_restriction"]


class CarerContactForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Save contact details"
    use_required_attribute = False

    class Meta:
        model = Carer
        fields = CONTACT_FIELDS
        labels = {
            "address": "Postal address",
            "phone": "Phone number",
            "email": "Email address",
            "preferred_channel": "How do they prefer to hear from us?",
            "do_not_contact": "Do not contact this person",
            "contact_restriction": "Why they must not be contacted",
        }
        help_texts = {
            "phone": f"With the area code, {validators.PHONE_EXAMPLE}. Text messages need a UK mobile number.",
            "email": "Like name@example.com.",
            "preferred_channel": "Formal letters always go by post; an email or text message can go with them.",
            "do_not_contact": "Nothing about the child is sent to them: no letters, emails or texts (for example a "
                              "parent with a non-molestation order against them, who must not learn the other "
                              "parent's address).",
            "contact_restriction": "The order or reason and its date, e.g. “Non-molestation order, 3 March 2026”.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "email": forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "preferred_channel": forms.RadioSelect,
        }
        error_messages = {
            "email": {"invalid": "Enter an email address in the correct format, like name@example.com."},
        }

    def __init__(self, *args, family_address: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.attrs = {"novalidate": ""}
        self.fields["address"].help_text = (
            "One line each (or separated by commas), ending with the postcode, like 1 Station Road, Lewes, BN7 2AA. "
            + (f"Leave it empty to use the family address: {family_address}." if family_address
               else "The family has no address recorded: letters cannot be posted without one."))
        self.fields["preferred_channel"].error_messages["required"] = "Choose how they prefer to hear from us."
        self.helper.layout = Layout(
            Fieldset(Field.textarea("address", rows=4), Field.text("phone"), Field.text("email"),
                     legend="Contact details", legend_size=Size.MEDIUM),
            Field.radios("preferred_channel", legend_size=Size.SMALL),
            Fieldset(Field.checkbox("do_not_contact"), Field.text("contact_restriction"),
                     legend="Restrictions", legend_size=Size.MEDIUM),
        )

    def clean_address(self):
        return validators.normalise_address(self.cleaned_data.get("address", ""))

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        return validators.normalise_phone(phone) if phone else ""

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip()
        return validators.validate_email_address(email) if email else ""

    def clean_contact_restriction(self):
        return (self.cleaned_data.get("contact_restriction") or "").strip()

    def clean(self):
        data = super().clean()
        if data.get("do_not_contact") and not data.get("contact_restriction") \
                and "contact_restriction" not in self.errors:
            self.add_error("contact_restriction", "Say why this person must not be contacted, e.g. the order and "
                                                  "its date.")
        channel = data.get("preferred_channel")
        if channel == Carer.PreferredChannel.EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter an email address, or choose post only.")
        if channel == Carer.PreferredChannel.SMS and "phone" not in self.errors:
            phone = data.get("phone")
            if not phone:
                self.add_error("phone", f"Enter a UK mobile number for text messages, {validators.MOBILE_EXAMPLE}, "
                                        "or choose post only.")
            elif not validators.is_uk_mobile(phone):
                self.add_error("phone", ValidationError(
                    f"Text messages go only to UK mobile numbers, {validators.MOBILE_EXAMPLE}: enter one, or "
                    "choose post only.", code="mobile"))
        return data
