"""The form that marks an alert dealt with (drawn by templates/cases/alert_detail.html and the list's rows, with
``novalidate`` and the GOV.UK error summary)."""

from __future__ import annotations

from django import forms

NOTE_MAX = 2000


class DoneForm(forms.Form):
    note = forms.CharField(
        label="What was done?", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example who you spoke to, what they said and what happens next. Kept with the alert.",
        error_messages={"required": "Say what was done about the alert, for example \"Called mother: ill, school "
                                    "updated the register to I\".",
                        "max_length": f"Keep the note to {NOTE_MAX:,} characters or fewer."})
