"""GOV.UK forms for payment files and the payment queue. Forms check shape; legal.payments.services decides."""

from __future__ import annotations

from django import forms

from legal.models import Payment
from legal.payments import rules
from schools.common.forms import GdsFormMixin, VersionedForm


class UploadForm(GdsFormMixin, forms.Form):
    submit_label = "Upload and import"
    file = forms.FileField(
        label="Payments file", error_messages={"required": "Choose the payments file to upload."},
        help_text=f"A CSV from the income system with the columns {', '.join(rules.REQUIRED_COLUMNS)}, up to "
                  f"{rules.MAX_FILE_BYTES // (1024 * 1024)} MB. Dates like 2026-10-22 or 22/10/2026; amounts like "
                  "80.00.")
    method = forms.ChoiceField(label="How were these payments made?", choices=Payment.Method.choices,
                               widget=forms.RadioSelect, initial=Payment.Method.CARD,
                               error_messages={"required": "Choose how the payments in the file were made."})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > rules.MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1024 / 1024:,.1f} MB; the limit is "
                                        f"{rules.MAX_FILE_BYTES // (1024 * 1024)} MB. Split it by date.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("The file must be a CSV (.csv) file: save it from the income system as CSV.")
        return upload


class MatchForm(GdsFormMixin, VersionedForm):
    submit_label = "Pay it to this notice"
    notice = forms.CharField(label="Notice reference", max_length=30,
                             error_messages={"required": "Enter the reference of the notice this payment is for, "
                                                         "like PN-000123."},
                             help_text="For example PN-000123.",
                             widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    refund_excess = forms.BooleanField(
        label="Record the amount due and refund the excess", required=False,
        help_text="Only for an overpayment within the payment period: the notice is paid at the amount due that day "
                  "and the difference is marked for refund.")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Why this is the right notice, for example “Payer quoted the letter reference”.")


class RejectForm(GdsFormMixin, VersionedForm):
    submit_label = "Reject the payment"
    reason = forms.CharField(label="Why is it rejected?", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Say why the payment is rejected, for example “Part "
                                                         "payment: refund £40.00 to the payer”."},
                             help_text="Say what happens to the money, for example that it is refunded to the payer.")
