"""Forms for duplicate pupils: the review list's filters, the merge confirmation and the "other record" look-up."""

from __future__ import annotations

from django import forms

from schools.common.forms import GdsFormMixin
from schools.duplicates import rules

SORTS = (("score", "Score"), ("dob", "Date of birth"), ("name", "Name"))


class DuplicateFilterForm(forms.Form):
    """Filters of the review list (a plain form: the candidates are computed, not a queryset)."""

    use_required_attribute = False
    rule = forms.ChoiceField(label="Why they match", required=False,
                             choices=[("", "Any reason"), *[(r.code, r.label) for r in rules.RULES.values()]],
                             widget=forms.Select(attrs={"class": "govuk-select"}))
    dismissed = forms.ChoiceField(label="Pairs marked not the same child", required=False,
                                  choices=[("", "Hide"), ("show", "Show")],
                                  widget=forms.Select(attrs={"class": "govuk-select"}))
    sort = forms.ChoiceField(required=False, choices=[*SORTS, *[(f"-{k}", v) for k, v in SORTS]])

    def cleaned(self) -> dict:
        """The filters chosen; anything unrecognised in the query string counts as not chosen."""
        if not self.is_valid():
            return {"rule": "", "dismissed": "", "sort": ""}
        return self.cleaned_data


class MergeForm(GdsFormMixin, forms.Form):
    submit_label = "Merge these records"
    reason = forms.CharField(label="How do you know these are the same child?",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter how you know these records are the same child"},
                             help_text="For example: the school confirmed the new UPN, or the parent confirmed the "
                                       "date of birth. This is kept with the merge.")
    confirm = forms.BooleanField(label="I have checked these two records are the same child",
                                 error_messages={"required": "Confirm you have checked these are the same child"})


class OtherRecordForm(GdsFormMixin, forms.Form):
    submit_label = "Preview the merge"
    other = forms.CharField(label="UPN of the record to merge into this one", max_length=13,
                            error_messages={"required": "Enter the UPN of the record to merge into this one",
                                            "max_length": "Enter a UPN of 13 characters, for example A123456789012"},
                            help_text="The other record's UPN, for example A123456789012. That record's cases, "
                                      "enrolments and everything else move to this record.")
