"""GOV.UK forms for legal work (crispy-forms-gds). Forms check input; legal.services does the writing and rules.
Edit forms carry the record's version (optimistic locking)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from cases.forms import ATTACHMENT_HELP, MultipleFileField
from legal.letters import PLACEHOLDERS
from legal.models import (
    Contract,
    EsoConsideration,
    Hearing,
    LetterKind,
    LetterTemplate,
    NoticeToImprove,
    ParentingOrder,
    Payment,
    PenaltyNotice,
    Prosecution,
    SchoolAttendanceOrder,
)
from legal.rules import NoticeType, Offence, ServiceMethod
from schools.common.forms import DateField, GdsFormMixin, VersionedForm
from schools.models import Carer, School


def _today_initial(form, *names):
    for name in names:
        form.fields[name].initial = timezone.localdate()


class CarerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, carer):
        flag = "" if carer.parental_responsibility else ", no parental responsibility recorded"
        return f"{carer.full_name} ({carer.relationship}{flag})"


def _absence_from(**kwargs):
    return DateField(label="Absence from", error_name="The first day of the absence",
                     error_messages={"required": "Enter the first day of the absence"}, **kwargs)


def _absence_to(**kwargs):
    return DateField(label="Absence to", error_name="The last day of the absence",
                     error_messages={"required": "Enter the last day of the absence"}, **kwargs)


def _carer_field(label="Parent or carer", **kwargs):
    return CarerChoiceField(queryset=Carer.objects.none(), label=label, empty_label="Choose a parent or carer",
                            **kwargs)


class PathwayOpenForm(GdsFormMixin, forms.Form):
    """One optional "why not" reason per checklist item that allows it, and the manager's override reason."""

    submit_label = "Open legal pathway"
    override_reason = forms.CharField(label="Manager's override: why legal action is right without this support",
                                      required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, gate, can_override, **kwargs):
        super().__init__(*args, **kwargs)
        names = []
        for item in gate:
            if item.item.allows_reason and not item.evidence:
                name = f"reason_{item.item.pk}"
                self.fields[name] = forms.CharField(label=f"{item.item.label}: why not", required=False,
                                                    widget=forms.Textarea(attrs={"rows": 2}),
                                                    help_text=item.item.guidance)
                names.append(Field.textarea(name))
        if not can_override:
            del self.fields["override_reason"]
        else:
            names.append(Field.textarea("override_reason"))
        self.helper.layout = Layout(*names)

    def reasons(self) -> dict:
        return {name.removeprefix("reason_"): value for name, value in self.cleaned_data.items()
                if name.startswith("reason_") and value}


class ReasonForm(GdsFormMixin, VersionedForm):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


class NtiForm(GdsFormMixin, forms.Form):
    submit_label = "Issue notice to improve"
    carer = _carer_field()
    issued_on = DateField(label="Date issued")
    school_weeks = forms.IntegerField(label="Improvement period (school weeks)", min_value=1, max_value=20,
                                      widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    expectations = forms.CharField(label="What must change", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, carers, weeks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["school_weeks"].initial = weeks
        _today_initial(self, "issued_on")


class NtiOutcomeForm(GdsFormMixin, forms.Form):
    submit_label = "Record outcome"
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect, choices=[
        c for c in NoticeToImprove.Outcome.choices if c[0] != NoticeToImprove.Outcome.PENDING])
    outcome_on = DateField(label="Date")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "outcome_on")


class NoticeForm(GdsFormMixin, forms.Form):
    submit_label = "Issue penalty notice"
    carer = _carer_field(help_text="One notice per parent per child.")
    notice_type = forms.ChoiceField(label="Kind of notice", choices=NoticeType.choices, widget=forms.RadioSelect)
    period_start = _absence_from()
    period_end = _absence_to()
    issued_on = DateField(label="Date issued")
    served_on = DateField(label="Date served (optional)", required=False,
                               help_text="Leave empty if it has not been served yet.")
    service_method = forms.ChoiceField(label="How it was served", required=False,
                                       choices=[("", "Not served yet"), *ServiceMethod.choices])
    notes = forms.CharField(label="LA working notes (optional)", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}), help_text="Never shown to schools.")

    def __init__(self, *args, carers, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        if types is not None:
            self.fields["notice_type"].choices = [c for c in NoticeType.choices if c[0] in types]
        _today_initial(self, "issued_on")


class ServeForm(GdsFormMixin, VersionedForm):
    submit_label = "Record service"
    served_on = DateField(label="Date served")
    service_method = forms.ChoiceField(label="How it was served", choices=ServiceMethod.choices,
                                       widget=forms.RadioSelect)


class WithdrawForm(GdsFormMixin, VersionedForm):
    submit_label = "Withdraw notice"
    ground = forms.ChoiceField(label="Grounds", choices=PenaltyNotice.WithdrawalGround.choices,
                               widget=forms.RadioSelect)
    withdrawn_on = DateField(label="Date withdrawn")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "withdrawn_on")


class PaymentForm(GdsFormMixin, forms.Form):
    submit_label = "Record payment"
    reference = forms.CharField(label="Notice reference", max_length=30,
                                help_text="As the payer gave it, for example PN-000123.")
    amount = forms.CharField(label="Amount paid (£)", max_length=12,
                             widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}))
    paid_on = DateField(label="Date paid", help_text="The day the parent paid, not the day it is keyed in.")
    method = forms.ChoiceField(label="How they paid", choices=Payment.Method.choices, widget=forms.RadioSelect)
    transaction_reference = forms.CharField(label="Transaction reference (optional)", required=False, max_length=60)


class RequestForm(GdsFormMixin, forms.Form):
    submit_label = "Send request"
    carers = forms.ModelMultipleChoiceField(queryset=Carer.objects.none(), widget=forms.CheckboxSelectMultiple,
                                            label="Parents to receive a notice",
                                            help_text="One notice for each parent chosen.")
    notice_type = forms.ChoiceField(label="Kind of notice", widget=forms.RadioSelect, choices=[
        c for c in NoticeType.choices if c[0] != NoticeType.EXCLUDED_PUBLIC_PLACE])
    absence_from = _absence_from()
    absence_to = _absence_to()
    sessions_missed = forms.IntegerField(label="Sessions missed", min_value=1, max_value=500,
                                         widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    leave_refused_on = DateField(label="Leave request refused on (term-time leave, optional)", required=False)
    details = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}))
    support_offered = forms.CharField(label="Support offered and the family's response", required=False,
                                      widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text="Needed for a non-attendance notice.")
    letters_sent = forms.CharField(label="Letters sent to the parents, with dates", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label="Evidence (registers for this and last year, letters, head's certificate)",
                              help_text=ATTACHMENT_HELP)

    def __init__(self, *args, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carers"].queryset = carers
        self.fields["carers"].label_from_instance = lambda c: f"{c.full_name} ({c.relationship})"
        self.helper.layout = Layout(
            Fieldset(Field.checkboxes("carers"), Field.radios("notice_type"), legend="The notice",
                     legend_size=Size.MEDIUM),
            Fieldset(Field("absence_from"), Field("absence_to"), Field.text("sessions_missed"),
                     Field("leave_refused_on"), legend="The absence", legend_size=Size.MEDIUM),
            Fieldset(Field.textarea("details"), Field.textarea("support_offered"), Field.textarea("letters_sent"),
                     Field("files"), legend="Evidence", legend_size=Size.MEDIUM))


class DecideForm(GdsFormMixin, VersionedForm):
    submit_label = "Save decision"
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect, choices=[
        ("approve", "Approve: issue a notice to each parent named"), ("decline", "Decline")])
    reason = forms.CharField(label="Reason for the school", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The school reads this. Needed when declining.")
    la_notes = forms.CharField(label="LA legal working notes (optional)", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}), help_text="Never shown to the school.")
    served_on = DateField(label="Date served (optional)", required=False)
    service_method = forms.ChoiceField(label="How served (optional)", required=False,
                                       choices=[("", "Not served yet"), *ServiceMethod.choices])


class ContractForm(GdsFormMixin, forms.Form):
    submit_label = "Record contract"
    kind = forms.ChoiceField(label="Kind", choices=Contract.Kind.choices, widget=forms.RadioSelect)
    carer = _carer_field(help_text="A contract is agreed with the parent present.")
    agreed_on = DateField(label="Date agreed")
    parent_requirements = forms.CharField(label="What the parent agrees to do", widget=forms.Textarea(attrs={
        "rows": 4}))
    support_offered = forms.CharField(label="Support the LA and school will give", widget=forms.Textarea(attrs={
        "rows": 4}))
    review_weeks = forms.IntegerField(label="Weeks between reviews", min_value=1, max_value=12,
                                      widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))

    def __init__(self, *args, carers, weeks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["review_weeks"].initial = weeks
        _today_initial(self, "agreed_on")


class ContractReviewForm(GdsFormMixin, forms.Form):
    submit_label = "Record review"
    held_on = DateField(label="Date of the review")
    progress = forms.CharField(label="Progress", widget=forms.Textarea(attrs={"rows": 4}))
    next_review_on = DateField(label="Next review (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "held_on")


class ContractEndForm(GdsFormMixin, VersionedForm):
    submit_label = "End contract"
    outcome = forms.ChoiceField(label="Outcome", choices=Contract.Outcome.choices, widget=forms.RadioSelect)
    ended_on = DateField(label="Date ended")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "ended_on")


class EsoConsiderForm(GdsFormMixin, forms.Form):
    submit_label = "Record consideration"
    considered_on = DateField(label="Date considered")
    decision = forms.ChoiceField(label="Decision", choices=EsoConsideration.Decision.choices,
                                 widget=forms.RadioSelect)
    reasons = forms.CharField(label="Reasons", widget=forms.Textarea(attrs={"rows": 4}))
    court_directed_on = DateField(label="Court direction received on (optional)", required=False,
                                       help_text="If a court directed the LA to consider an ESO (s447(2)).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "considered_on")


class EsoApplyForm(GdsFormMixin, forms.Form):
    submit_label = "Record application"
    applied_on = DateField(label="Date applied")
    court = forms.CharField(label="Family court", max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "applied_on")


class EsoDecisionForm(GdsFormMixin, VersionedForm):
    submit_label = "Record the court's decision"
    made = forms.TypedChoiceField(label="Decision", coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                  choices=[("yes", "Order made"), ("no", "Refused")])
    decided_on = DateField(label="Date")
    directions = forms.CharField(label="Directions (optional)", required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class EsoExtendForm(GdsFormMixin, forms.Form):
    submit_label = "Record extension"
    applied_on = DateField(label="Date applied")
    granted_on = DateField(label="Date granted")
    new_expiry = DateField(label="New end date")


class SaoNoticeForm(GdsFormMixin, forms.Form):
    submit_label = "Record notice"
    carer = _carer_field()
    notice_served_on = DateField(label="Date served")
    notice_period_days = forms.IntegerField(label="Days given to the parent", min_value=1, max_value=90,
                                            initial=15, help_text="At least 15 days (s437(1)).",
                                            widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))

    def __init__(self, *args, carers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        _today_initial(self, "notice_served_on")


class SaoStepForm(GdsFormMixin, VersionedForm):
    submit_label = "Save"
    step = forms.ChoiceField(label="What happened", widget=forms.RadioSelect, choices=[
        c for c in SchoolAttendanceOrder.Stage.choices if c[0] != SchoolAttendanceOrder.Stage.NOTICE])
    on = DateField(label="Date")
    named_school = forms.ModelChoiceField(queryset=School.objects.filter(is_open=True), required=False,
                                          label="School named in the order", empty_label="Choose a school")
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProsecutionForm(GdsFormMixin, forms.Form):
    submit_label = "Start prosecution"
    carer = _carer_field(label="Parent to prosecute")
    offence = forms.ChoiceField(label="Offence", choices=Offence.choices, widget=forms.RadioSelect)
    period_start = _absence_from()
    period_end = _absence_to(help_text="The six months for laying the information run from this day.")
    penalty_notice = forms.ModelChoiceField(queryset=PenaltyNotice.objects.none(), required=False,
                                            label="Unpaid penalty notice it follows (optional)",
                                            empty_label="None")

    def __init__(self, *args, carers, notices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["penalty_notice"].queryset = notices
        self.fields["penalty_notice"].label_from_instance = (
            lambda n: f"{n.reference}: {n.carer.full_name}, {n.get_status_display().lower()}")


class PrepareForm(GdsFormMixin, VersionedForm):
    submit_label = "Save"
    interview_on = DateField(label="Interview under caution (date, optional)", required=False)
    interview_declined = forms.BooleanField(label="Invited to interview and declined", required=False)
    interview_notes = forms.CharField(label="Interview record (PACE Codes C and E)", required=False,
                                      widget=forms.Textarea(attrs={"rows": 5}))
    witness_statement = forms.CharField(label="Witness statement", required=False,
                                        widget=forms.Textarea(attrs={"rows": 12}))
    court = forms.CharField(label="Magistrates' court (optional)", required=False, max_length=120)


class LayForm(GdsFormMixin, VersionedForm):
    submit_label = "Record information laid"
    laid_on = DateField(label="Date laid")
    court = forms.CharField(label="Magistrates' court", max_length=120)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _today_initial(self, "laid_on")


class HearingForm(GdsFormMixin, forms.Form):
    submit_label = "Record hearing"
    hearing_on = DateField(label="Date of the hearing")
    court = forms.CharField(label="Court", max_length=120, required=False)
    kind = forms.ChoiceField(label="Kind", choices=Hearing.Kind.choices, widget=forms.RadioSelect)
    plea = forms.ChoiceField(label="Plea (optional)", required=False,
                             choices=[("", "No plea entered"), ("guilty", "Guilty"), ("not_guilty", "Not guilty")])
    result = forms.CharField(label="What happened (optional)", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(GdsFormMixin, VersionedForm):
    submit_label = "Record outcome"
    outcome = forms.ChoiceField(label="Outcome", choices=Prosecution.Outcome.choices, widget=forms.RadioSelect)
    outcome_on = DateField(label="Date")
    fine_amount = forms.CharField(label="Fine (£, optional)", required=False, max_length=12,
                                  widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))
    costs_amount = forms.CharField(label="Costs awarded (£, optional)", required=False, max_length=12,
                                   widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))
    discharge_months = forms.IntegerField(label="Conditional discharge (months, optional)", required=False,
                                          min_value=1, max_value=36,
                                          widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ParentingOrderForm(GdsFormMixin, forms.Form):
    submit_label = "Record order"
    carer = _carer_field()
    basis = forms.ChoiceField(label="Made", choices=ParentingOrder.Basis.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose how the order was made"})
    prosecution = forms.ModelChoiceField(queryset=Prosecution.objects.none(), required=False,
                                         label="Conviction it follows (on conviction only)", empty_label="None")
    made_on = DateField(label="Date made")
    court = forms.CharField(label="Court", max_length=120)
    requirements = forms.CharField(label="Requirements", widget=forms.Textarea(attrs={"rows": 4}))
    requirement_months = forms.IntegerField(label="Requirements last (months)", min_value=1, max_value=12,
                                            error_messages={"required": "Enter how many months the requirements last"},
                                            widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))
    programme_months = forms.IntegerField(label="Parenting programme (months)", min_value=0, max_value=3,
                                          widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))

    def __init__(self, *args, carers, prosecutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["prosecution"].queryset = prosecutions


class LetterForm(GdsFormMixin, forms.Form):
    submit_label = "Make the letter"
    template = forms.ModelChoiceField(queryset=LetterTemplate.objects.none(), label="Letter",
                                      empty_label="Choose a letter")
    carer = _carer_field(label="To")
    carer.error_messages = {**carer.error_messages, "required": "Choose who the letter is to"}

    def __init__(self, *args, carers, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carer"].queryset = carers
        self.fields["template"].queryset = LetterTemplate.objects.filter(is_active=True, kind__in=kinds)


class BatchForm(GdsFormMixin, forms.Form):
    submit_label = "Make the letters"
    template = forms.ModelChoiceField(queryset=LetterTemplate.objects.filter(is_active=True, kind=LetterKind.WARNING),
                                      label="Letter", empty_label="Choose a letter")
    school = forms.ModelChoiceField(queryset=School.objects.none(), required=False, label="School",
                                    empty_label="Every school")
    period = forms.ChoiceField(label="Period", required=False, choices=[])

    def __init__(self, *args, user, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user)
        self.fields["period"].choices = [(p.key, p.label) for p in periods]


class TemplateForm(GdsFormMixin, forms.Form):
    submit_label = "Save template"
    kind = forms.ChoiceField(label="Kind", choices=LetterKind.choices)
    name = forms.CharField(label="Name", max_length=120)
    subject = forms.CharField(label="Subject line", max_length=200)
    body = forms.CharField(label="Wording", widget=forms.Textarea(attrs={"rows": 16}),
                           help_text="Blank lines separate paragraphs. Placeholders: "
                                     + ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS) + ".")
    is_active = forms.BooleanField(label="In use", required=False, initial=True)


class TemplateEditForm(TemplateForm, VersionedForm):
    pass


class PackForm(forms.Form):
    include_restricted = forms.BooleanField(required=False)

