"""Forms for exclusions and provision (crispy-forms-gds). They check input; the services validate the rules and write.

Model date fields use GOV.UK date inputs (day, month, year); choices with a few options are radios, reason codes
checkboxes, as crispy-forms-gds draws them from the widget.
"""

from __future__ import annotations

from django import forms

from schools.common.forms import DateField, GdsFormMixin
from schools.exclusions import rules
from schools.models import (
    APProvider,
    ChildNotInSchool,
    CMEEnquiry,
    CMERecord,
    Exclusion,
    FairAccessReferral,
    ManagedMove,
    PartTimeReview,
    PartTimeTimetable,
    Placement,
    Pupil,
    School,
)


def _dates(*names: str) -> dict:
    return dict.fromkeys(names, DateField)


class ExclusionForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Record the exclusion"
    reasons = forms.MultipleChoiceField(
        label="Reasons", choices=rules.CURRENT_REASON_CHOICES, widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose up to {rules.MAX_REASONS}, the main reason first in the list's order.")
    length_sessions = forms.IntegerField(
        label="Length in sessions", required=False, min_value=1,
        help_text="Two sessions a day: 2 for one day, 11 for five and a half days. For a lunchtime exclusion, the "
                  "number of lunchtimes. Leave empty for a permanent exclusion.")

    class Meta:
        model = Exclusion
        fields = ["school", "kind", "start_date", "start_session", "length_sessions", "reasons", "description",
                  "notice_date", "la_notified_on", "missed_public_exam", "parental_representations"]
        field_classes = _dates("start_date", "notice_date", "la_notified_on")
        widgets = {"kind": forms.RadioSelect, "start_session": forms.RadioSelect}
        labels = {"start_session": "First session excluded", "start_date": "First day of the exclusion"}

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "school" in self.fields:
            self.fields["school"].queryset = schools if schools is not None else School.objects.none()
            self.fields["school"].empty_label = None
        self.fields["notice_date"].required = False
        self.fields["notice_date"].help_text = ("When the head told the parents and the governing board; review "
                                                "deadlines count from it. Leave empty if the same as the first day.")
        if self.instance.pk:
            self.initial.setdefault("reasons", self.instance.reasons)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != Exclusion.Kind.PERMANENT and not data.get("length_sessions"):
            self.add_error("length_sessions", "Enter the length in sessions (or lunchtimes).")
        return data

    def _post_clean(self):
        # The service validates the model (with the pupil, which the form does not carry).
        pass


class ExclusionEditForm(ExclusionForm):
    submit_label = "Save changes"

    class Meta(ExclusionForm.Meta):
        fields = [f for f in ExclusionForm.Meta.fields if f not in ("school", "kind")]

    def clean(self):
        data = forms.ModelForm.clean(self)
        if self.instance.kind != Exclusion.Kind.PERMANENT and not data.get("length_sessions"):
            self.add_error("length_sessions", "Enter the length in sessions (or lunchtimes).")
        return data


class ExclusionReviewForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Save the review"

    class Meta:
        model = Exclusion
        fields = ["board_met_on", "board_decision", "board_decision_notified_on", "irp_applied_on",
                  "irp_decided_on", "irp_decision", "reconsidered_on"]
        field_classes = _dates("board_met_on", "board_decision_notified_on", "irp_applied_on", "irp_decided_on",
                               "reconsidered_on")
        widgets = {"board_decision": forms.RadioSelect, "irp_decision": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        if self.instance.kind != Exclusion.Kind.PERMANENT:
            for name in ("irp_applied_on", "irp_decided_on", "irp_decision", "reconsidered_on"):
                del self.fields[name]

    def _post_clean(self):
        pass


class ExclusionCancelForm(GdsFormMixin, forms.Form):
    submit_label = "Cancel the exclusion"
    cancelled_on = DateField(label="Date the exclusion was cancelled")
    reason = forms.CharField(label="Why it was cancelled", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Parents, the governing board and the LA are told the reason.")


class ReintegrationForm(GdsFormMixin, forms.Form):
    submit_label = "Save the plan"
    plan = forms.CharField(label="Reintegration plan", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Support on return, who does what, and when it is reviewed.")
    meeting_on = DateField(label="Reintegration meeting date", required=False)


class PlacementForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Record the provision"

    class Meta:
        model = Placement
        fields = ["arranged_by", "commissioning_school", "provider_kind", "ap_provider", "host_school",
                  "provider_name", "hours_per_week", "start_date", "end_date", "notes"]
        field_classes = _dates("start_date", "end_date")
        error_messages = {"arranged_by": {"required": "Choose who arranged the placement"}}
        widgets = {"arranged_by": forms.RadioSelect, "provider_kind": forms.RadioSelect}
        labels = {"hours_per_week": "Hours a week", "provider_name": "Provider's name (if other)",
                  "ap_provider": "Alternative provision provider (if AP)",
                  "host_school": "School providing the education (if another school)",
                  "commissioning_school": "School that arranged it (if a school did)"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = School.objects.visible_to(user) if user is not None else School.objects.none()
        self.fields["commissioning_school"].queryset = visible
        self.fields["host_school"].queryset = School.objects.filter(is_open=True)
        self.fields["ap_provider"].queryset = APProvider.objects.filter(is_active=True)
        if user is not None and not user.is_la_staff:
            # A school records what it arranges, for its own school.
            del self.fields["arranged_by"]
            del self.fields["commissioning_school"]

    def _post_clean(self):
        pass


class PlacementEndForm(GdsFormMixin, forms.Form):
    submit_label = "End the placement"
    end_date = DateField(label="Last day of the placement")


class PartTimeTimetableForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Notify the part-time timetable"

    class Meta:
        model = PartTimeTimetable
        fields = ["school", "start_date", "planned_end_date", "hours_per_week", "reason", "reason_detail",
                  "parent_agreed_on", "la_notified_on", "next_review_date"]
        field_classes = _dates("start_date", "planned_end_date", "parent_agreed_on", "la_notified_on",
                               "next_review_date")
        widgets = {"reason": forms.RadioSelect}
        labels = {"hours_per_week": "Hours a week in school", "next_review_date": "First review"}

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()
        self.fields["school"].empty_label = None
        self.fields["next_review_date"].required = False
        self.fields["next_review_date"].help_text = "Leave empty for six school weeks after the start."

    def _post_clean(self):
        pass


class PartTimeReviewForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Record the review"
    next_review_date = DateField(label="Next review", required=False,
                                      help_text="Not needed when the timetable ends.")
    new_planned_end_date = DateField(label="New planned end", required=False,
                                          help_text="Only when extending.")

    class Meta:
        model = PartTimeReview
        fields = ["reviewed_on", "outcome", "notes"]
        field_classes = _dates("reviewed_on")
        error_messages = {"reviewed_on": {"required": "Enter the date of the review"}}
        widgets = {"outcome": forms.RadioSelect}

    def _post_clean(self):
        pass


class ManagedMoveForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Record the managed move"

    class Meta:
        model = ManagedMove
        fields = ["from_school", "to_school", "agreed_on", "start_date", "review_date", "notes"]
        field_classes = _dates("agreed_on", "start_date", "review_date")
        error_messages = {"from_school": {"required": "Choose the school the pupil is moving from"},
                          "to_school": {"required": "Choose the school the pupil is moving to"}}

    def __init__(self, *args, from_schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_school"].queryset = from_schools if from_schools is not None else School.objects.none()
        self.fields["from_school"].empty_label = None
        self.fields["to_school"].queryset = School.objects.filter(is_open=True)

    def _post_clean(self):
        pass


class ManagedMoveOutcomeForm(GdsFormMixin, forms.Form):
    submit_label = "Record the outcome"
    outcome = forms.ChoiceField(choices=ManagedMove.Outcome.choices[1:], widget=forms.RadioSelect)
    outcome_on = DateField(label="Date")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class APProviderForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Add the provider"

    class Meta:
        model = APProvider
        fields = ["name", "urn", "registered", "places_commissioned", "contact", "is_active"]


class FairAccessForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Refer to Fair Access"

    class Meta:
        model = FairAccessReferral
        fields = ["category", "referred_on", "out_of_school_since", "panel", "notes"]
        field_classes = _dates("referred_on", "out_of_school_since")
        error_messages = {"referred_on": {"required": "Enter the date of the referral"},
                          "out_of_school_since": {"required": "Enter the date the child has been out of school since"}}
        widgets = {"category": forms.RadioSelect}

    def _post_clean(self):
        pass


class FairAccessAllocateForm(GdsFormMixin, forms.Form):
    submit_label = "Save the allocation"
    allocated_school = forms.ModelChoiceField(queryset=School.objects.filter(is_open=True), label="School allocated")
    allocated_on = DateField(label="Date allocated")
    placed_on = DateField(label="Date the child started", required=False)


class ChildLookupMixin:
    """CME and CNIS records name a pupil by UPN when there is a record, or give the child's details."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["upn"] = forms.CharField(label="UPN (if the child has a pupil record)", required=False)
        self.order_fields(["upn"])

    def clean_upn(self):
        upn = self.cleaned_data["upn"].strip().upper()
        if not upn:
            return None
        pupil = Pupil.objects.visible_to(self.user).filter(upn=upn).first()
        if pupil is None:
            raise forms.ValidationError("No pupil you can see has this UPN.")
        return pupil

    def clean(self):
        data = super().clean()
        if not data.get("upn") and not data.get("child_name"):
            self.add_error("child_name", "Enter the UPN of the child's pupil record, or the child's name.")
        return data


class CMERecordForm(ChildLookupMixin, GdsFormMixin, forms.ModelForm):
    submit_label = "Add to the CME register"

    class Meta:
        model = CMERecord
        fields = ["child_name", "date_of_birth", "address", "referred_on", "referring_school", "referral_source",
                  "reason", "last_attended_on", "officer"]
        field_classes = _dates("date_of_birth", "referred_on", "last_attended_on")
        error_messages = {"referred_on": {"required": "Enter the date of the referral"}}
        widgets = {"reason": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from schools.models import User
        from schools.roles import Role

        self.fields["officer"].queryset = User.objects.filter(role=Role.LA_OFFICER, is_active=True).order_by(
            "last_name", "username")
        self.fields["referring_school"].queryset = School.objects.all()

    def _post_clean(self):
        pass


class CMEEnquiryForm(GdsFormMixin, forms.ModelForm):
    submit_label = "Add the enquiry"

    class Meta:
        model = CMEEnquiry
        fields = ["made_on", "method", "result"]
        field_classes = _dates("made_on")
        labels = {"made_on": "Date of the enquiry", "result": "What was found"}

    def _post_clean(self):
        pass


class CMECloseForm(GdsFormMixin, forms.Form):
    submit_label = "Close the record"
    outcome = forms.ChoiceField(choices=CMERecord.Outcome.choices[1:], widget=forms.RadioSelect)
    outcome_on = DateField(label="Date")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ChildNotInSchoolForm(ChildLookupMixin, GdsFormMixin, forms.ModelForm):
    submit_label = "Add to the register"

    class Meta:
        model = ChildNotInSchool
        fields = ["child_name", "date_of_birth", "address", "category", "parent_names", "parent_contact",
                  "education_providers", "registered_on", "home_visit_requested_on", "support_offered"]
        field_classes = _dates("date_of_birth", "registered_on", "home_visit_requested_on")
        error_messages = {"registered_on": {"required": "Enter the date the child was registered"}}
        widgets = {"category": forms.RadioSelect}

    def _post_clean(self):
        pass
