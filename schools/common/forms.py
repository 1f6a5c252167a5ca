"""Form helpers every app's forms share: GOV.UK layout through crispy-forms-gds, and the version field that stops
two people saving over each other's edits."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms


class GdsFormMixin:
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class VersionedForm(forms.Form):
    """Carries the record's version as it was when the form was opened; the service refuses a save if it has
    moved on (someone else saved first), and the page says so."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
