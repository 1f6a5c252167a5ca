"""Forms for the print queue and the failures worklist (GOV.UK error summary through GdsFormMixin)."""

from __future__ import annotations

from django import forms

from schools.common.forms import DateField, GdsFormMixin


class _NoBrowserValidation(GdsFormMixin, forms.Form):
    """``novalidate`` and no ``required`` attributes: the server's messages (in the GOV.UK error summary) are the ones
    people see, not the browser's."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.attrs = {"novalidate": ""}


class PostedForm(_NoBrowserValidation):
    submit_label = "Record the posting"

    posted_on = DateField(label="Posted on", help_text="The day the letters went in the post, for example 23 11 2026.",
                          error_messages={"required": "Enter the date the letters were posted"},
                          error_name="The date the letters were posted")


class ResolveForm(_NoBrowserValidation):
    submit_label = "Record what was done"

    resolution = forms.CharField(label="What was done?", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="For example: address checked with the school and corrected, letter sent "
                                           "again; or delivered by hand on 25 November.",
                                 error_messages={"required": "Say what was done about this message."})
