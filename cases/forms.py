"""GOV.UK forms for referrals, cases, chronology, reviews, tasks and TSMs (crispy-forms-gds). Forms check input;
services do the writing and the business rules. Edit forms carry the record's version (optimistic locking)."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from cases import selectors
from cases.models import Case, ChronologyEntry, Referral, Review, TargetingSupportMeeting, TsmPupil
from cases.selectors import caseworkers, officers
from cases.uploads import ALLOWED_LABEL, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from schools.common.forms import DateField, GdsFormMixin, RevealRadios, VersionedForm
from schools.models import AcademicYear, Pupil, School, User
from schools.roles import Role
from schools.stages import Stage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "govuk-file-upload"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


ATTACHMENT_HELP = (f"Up to {MAX_ATTACHMENTS} files, each {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB or smaller: "
                   f"{ALLOWED_LABEL}.")


class PupilByUpnField(forms.CharField):
    """A pupil picked by UPN among those the user may see (an unknown or out-of-scope UPN reads the same)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Pupil's UPN")
        kwargs.setdefault("help_text", "The 13-character unique pupil number, for example A845201025001.")
        kwargs.setdefault("error_messages", {"required": "Enter the pupil's UPN"})
        super().__init__(*args, **kwargs)
        self.user = None

    def clean(self, value):
        value = (super().clean(value) or "").strip().upper()
        pupil = Pupil.objects.visible_to(self.user).filter(upn=value).first()
        if pupil is None:
            raise forms.ValidationError("No pupil you can see has this UPN. Check it against the school's records.")
        return pupil


class ReferralForm(GdsFormMixin, forms.Form):
    submit_label = "Send referral"
    pupil = PupilByUpnField()
    school = forms.ModelChoiceField(queryset=School.objects.none(), label="Referring school", empty_label=None)
    case_type = forms.ChoiceField(label="What is the referral about?", choices=Case.CaseType.choices,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "Choose what the referral is about"})
    reasons = forms.MultipleChoiceField(label="Why are you referring now?", choices=Referral.Reason.choices,
                                        widget=forms.CheckboxSelectMultiple, required=False,
                                        help_text="Select all that apply.")
    concerns = forms.CharField(label="Your concerns", widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="What is happening, since when, and what you know about the reasons.",
                               error_messages={"required": "Enter your concerns about the pupil"})
    tried_class_teacher = forms.CharField(label="Action by the class teacher or form tutor", required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    tried_head_of_year = forms.CharField(label="Action by the head of year, headteacher or deputy", required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}))
    tried_parent_contact = forms.CharField(label="Contact with parents or carers (calls, letters, meetings)",
                                           required=False, widget=forms.Textarea(attrs={"rows": 3}))
    tried_early_help = forms.CharField(label="Early help (assessment, plan, other services)", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label="Evidence (optional)", help_text=ATTACHMENT_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].user = user
        self.fields["school"].queryset = user.schools.order_by("name")
        self.helper.layout = Layout(
            Fieldset(Field.text("pupil"), Field.select("school"), legend="Pupil", legend_size=Size.MEDIUM),
            Fieldset(Field.radios("case_type"), Field.checkboxes("reasons"), Field.textarea("concerns"),
                     legend="The concern", legend_size=Size.MEDIUM),
            Fieldset(Field.textarea("tried_class_teacher"), Field.textarea("tried_head_of_year"),
                     Field.textarea("tried_parent_contact"), Field.textarea("tried_early_help"),
                     legend="What the school has already tried", legend_size=Size.MEDIUM),
            Field("attachments"),
        )


class TriageForm(GdsFormMixin, VersionedForm):
    submit_label = "Save decision"
    ACCEPT, DECLINE = "accept", "decline"
    decision = forms.ChoiceField(choices=[(ACCEPT, "Accept: open a case"), (DECLINE, "Decline")],
                                 widget=forms.RadioSelect, label="Decision",
                                 error_messages={"required": "Choose whether to accept or decline the referral"})
    stage = forms.ChoiceField(choices=Stage.choices, label="Starting stage", required=False,
                              widget=forms.RadioSelect)
    officer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Allocate to",
                                     empty_label="Leave unallocated for now")
    note = forms.CharField(label="Triage note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decline_reason = forms.CharField(label="Reason for declining", required=False,
                                     widget=forms.Textarea(attrs={"rows": 4}), help_text="The school sees this.")

    def __init__(self, *args, officer_choices=None, suggestion: selectors.StageSuggestion | None = None,
                 no_suggestion: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()
        if officer_choices:
            self.fields["officer"].label_from_instance = officer_choices
        self._suggest_stage(suggestion, no_suggestion)
        # Accepting asks for the stage, officer and note; declining for the reason (GOV.UK conditional reveal).
        self.helper.layout = Layout(
            RevealRadios("decision", {self.ACCEPT: [Field.radios("stage"), Field.select("officer"),
                                                    Field.textarea("note")],
                                      self.DECLINE: [Field.textarea("decline_reason")]}),
            Field("version"))

    def _suggest_stage(self, suggestion, no_suggestion: str) -> None:
        """The stage the pupil's attendance suggests is chosen to start with, its reason under it (the officer may
        choose another); with nothing to suggest, no stage is chosen and the hint says why."""
        field = self.fields["stage"]
        if suggestion is None:
            field.initial = None
            field.help_text = no_suggestion or ("No stage is suggested: the service has no attendance for this pupil "
                                                "this year. Choose the stage from what the referral tells you.")
            return
        field.initial = suggestion.stage
        field.choices = [Choice(value, label, hint=suggestion.reason) if value == suggestion.stage else (value, label)
                         for value, label in Stage.choices]
        field.help_text = ("The suggested stage comes from the pupil's attendance and the LA's stage thresholds. "
                           "You can choose another.")

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.DECLINE and not (data.get("decline_reason") or "").strip():
            self.add_error("decline_reason", "Enter why the referral is declined: the school will read this")
        if data.get("decision") == self.ACCEPT and not data.get("stage"):
            self.add_error("stage", "Choose the starting stage")
        return data


class CaseOpenForm(GdsFormMixin, forms.Form):
    submit_label = "Open case"
    case_type = forms.ChoiceField(label="Type of case", choices=Case.CaseType.choices, widget=forms.RadioSelect,
                                  error_messages={"required": "Choose what kind of case this is"})
    stage = forms.ChoiceField(label="Stage", choices=Stage.choices, initial=Stage.EARLY_INTERVENTION,
                              widget=forms.RadioSelect)
    summary = forms.CharField(label="Why is the LA involved?", widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Enter why the LA is involved"})
    lead_practitioner = forms.ChoiceField(label="Lead practitioner", choices=Case.Lead.choices,
                                          initial=Case.Lead.SCHOOL, widget=forms.RadioSelect)
    lead_practitioner_name = forms.CharField(label="Lead practitioner's name (optional)", required=False)
    officer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Allocated officer",
                                     empty_label="Unallocated")
    opened_on = DateField(label="Date opened", help_text="For example, 27 3 2026",
                          error_messages={"required": "Enter the date the case opened"},
                          error_name="The date the case opened")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()
        if user.role == Role.LA_OFFICER:
            # An officer opening a case holds it; managers choose.
            del self.fields["officer"]
        self.fields["opened_on"].initial = timezone.localdate()


class CaseEditForm(GdsFormMixin, VersionedForm):
    summary = CaseOpenForm.base_fields["summary"]
    lead_practitioner = forms.ChoiceField(label="Lead practitioner", choices=Case.Lead.choices,
                                          widget=forms.RadioSelect)
    lead_practitioner_name = forms.CharField(label="Lead practitioner's name (optional)", required=False)
    review_interval_weeks = forms.IntegerField(label="Weeks between reviews", min_value=1, max_value=26,
                                               widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}))


class StageForm(GdsFormMixin, VersionedForm):
    submit_label = "Change stage"
    stage = forms.ChoiceField(label="New stage", choices=Stage.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="Why is the stage changing?", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Enter why the stage is changing"})
    changed_on = DateField(label="Date of the change")


class AllocateForm(GdsFormMixin, VersionedForm):
    submit_label = "Allocate"
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label="Officer", empty_label="Choose an officer",
                                     error_messages={"required": "Choose the officer to allocate the case to"})
    reason = forms.CharField(label="Reason (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, officer_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Every active user is a valid *choice* here so that a non-officer is refused by the service with a clear
        # reason (the API sends ids directly); the list offers officers first.
        self.fields["officer"].queryset = User.objects.filter(is_active=True, role__in=Role.values)
        self.fields["officer"].widget.choices = [("", "Choose an officer")] + [
            (o.pk, officer_label(o) if officer_label else o.display_name) for o in officers()]


class CloseForm(GdsFormMixin, VersionedForm):
    submit_label = "Close case"
    outcome = forms.ChoiceField(label="Outcome", choices=Case.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome of the case"})
    outcome_notes = forms.CharField(label="Closing summary", widget=forms.Textarea(attrs={"rows": 4}),
                                    error_messages={"required": "Enter a closing summary"})
    closed_on = DateField(label="Date closed", error_messages={"required": "Enter the date the case closed"},
                          error_name="The date the case closed")


class ReopenForm(GdsFormMixin, VersionedForm):
    submit_label = "Reopen case"
    reason = forms.CharField(label="Why is the case being reopened?", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Kept with the case's closure history and shown on its timeline.",
                             error_messages={"required": "Enter why the case is being reopened"})


class EntryForm(GdsFormMixin, forms.Form):
    submit_label = "Add to chronology"
    entry_type = forms.ChoiceField(label="What kind of entry is this?", widget=forms.RadioSelect, choices=[
        c for c in ChronologyEntry.EntryType.choices if c[0] != ChronologyEntry.EntryType.EVENT],
        error_messages={"required": "Choose what kind of entry this is"})
    meeting_type = forms.ChoiceField(label="Kind of meeting", required=False, widget=forms.RadioSelect,
                                     choices=ChronologyEntry.MeetingType.choices)
    occurred_on = DateField(label="Date", help_text="The day of the call, visit, letter or meeting. For example, "
                                                    "27 3 2026.",
                            error_messages={"required": "Enter the date it happened"},
                            error_name="The date it happened")
    summary = forms.CharField(label="Summary", max_length=200, help_text="One line: what happened.",
                              error_messages={"required": "Enter a one-line summary of what happened"})
    participants = forms.CharField(label="Participants (optional)", required=False, max_length=300)
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.CharField(label="Outcome or next steps (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    restriction = forms.ChoiceField(
        label="Who may read this?", widget=forms.RadioSelect, initial="", required=False,
        choices=[("", "Everyone who can see the case, including the school"),
                 ("safeguarding", "LA staff only: safeguarding"), ("medical", "LA staff only: medical")])
    attachments = MultipleFileField(label="Attachments (optional)", help_text=ATTACHMENT_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        # A meeting asks which kind (GOV.UK conditional reveal); other entries never see the question.
        self.helper.layout = Layout(
            RevealRadios("entry_type", {ChronologyEntry.EntryType.MEETING: [Field.radios("meeting_type")]}),
            Field("occurred_on"), Field.text("summary"), Field.text("participants"), Field.textarea("details"),
            Field.textarea("outcome"), Field.radios("restriction"), Field("attachments"))

    def clean(self):
        data = super().clean()
        if data.get("entry_type") == ChronologyEntry.EntryType.MEETING and not data.get("meeting_type"):
            self.add_error("meeting_type", "Choose the kind of meeting")
        return data


class EntryEditForm(GdsFormMixin, VersionedForm):
    submit_label = "Save correction"
    meeting_type = forms.ChoiceField(label="Kind of meeting", widget=forms.RadioSelect,
                                     choices=ChronologyEntry.MeetingType.choices,
                                     error_messages={"required": "Choose the kind of meeting"})
    occurred_on = EntryForm.base_fields["occurred_on"]
    summary = forms.CharField(label="Summary", max_length=200,
                              error_messages={"required": "Enter a one-line summary of what happened"})
    participants = forms.CharField(label="Participants (optional)", required=False, max_length=300)
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.CharField(label="Outcome or next steps (optional)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    restriction = EntryForm.base_fields["restriction"]
    reason = forms.CharField(label="Why are you correcting this entry?", max_length=300,
                             help_text="The earlier wording stays visible under the entry.",
                             error_messages={"required": "Enter why you are correcting this entry"})

    def __init__(self, *args, is_meeting: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_meeting:
            del self.fields["meeting_type"]


class ReviewForm(GdsFormMixin, forms.Form):
    submit_label = "Record review"
    held_on = DateField(label="Date of the review")
    plan = forms.ModelChoiceField(queryset=None, required=False, label="Plan reviewed (optional)",
                                  empty_label="The case as a whole")
    attendance_percent = forms.DecimalField(label="Attendance over the period (%, optional)", required=False,
                                            min_value=0, max_value=100, decimal_places=1,
                                            widget=forms.NumberInput(attrs={"class": "govuk-input--width-4",
                                                                            "step": "0.1"}))
    progress = forms.CharField(label="Progress", widget=forms.Textarea(attrs={"rows": 5}),
                               error_messages={"required": "Enter the progress made since the last review"})
    decision = forms.ChoiceField(label="Decision", choices=Review.Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose what the review decided"})
    next_review_due = DateField(label="Next review (optional)", required=False,
                                     help_text="Leave empty for the case's usual interval.")

    def __init__(self, *args, plans, attendance: selectors.ReviewAttendance | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["held_on"].initial = timezone.localdate()
        if attendance is None:
            return
        if attendance.percent is not None:
            # The service works the figure out from the registers when the review is saved (cases.services).
            del self.fields["attendance_percent"]
        else:
            self.fields["attendance_percent"].help_text = (
                f"The registers hold no sessions for this pupil from {attendance.dates}, so the service cannot work "
                "out their attendance. Enter it from the school's own records if you have it.")


class TaskForm(GdsFormMixin, forms.Form):
    submit_label = "Add task"
    title = forms.CharField(label="Task", max_length=200, error_messages={"required": "Enter what needs doing"})
    details = forms.CharField(label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = DateField(label="Due date")
    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), label="Who will do it?",
                                         empty_label="Choose a person",
                                         error_messages={"required": "Choose who will do the task"})

    def __init__(self, *args, school_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = selectors.assignable_users(school_id)
        self.fields["assigned_to"].label_from_instance = lambda u: f"{u.display_name} ({u.get_role_display()})"


class TsmForm(GdsFormMixin, forms.Form):
    submit_label = "Save meeting"
    school = forms.ModelChoiceField(queryset=School.objects.none(), label="School", empty_label="Choose a school")
    academic_year = forms.ModelChoiceField(queryset=AcademicYear.objects.order_by("-start_date"),
                                           label="Academic year", empty_label=None)
    term = forms.ChoiceField(label="Term", choices=TargetingSupportMeeting.TermName.choices, widget=forms.RadioSelect)
    held_on = DateField(label="Date of the meeting")
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label="LA officer", empty_label="Choose an officer")
    attendees = forms.CharField(label="Who attended?", widget=forms.Textarea(attrs={"rows": 3}),
                                error_messages={"required": "Enter who attended the meeting"})
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user).filter(is_open=True)
        self.fields["officer"].queryset = caseworkers()


class TsmEditForm(GdsFormMixin, VersionedForm):
    held_on = DateField(label="Date of the meeting")
    officer = forms.ModelChoiceField(queryset=User.objects.none(), label="LA officer")
    attendees = forms.CharField(label="Who attended?", widget=forms.Textarea(attrs={"rows": 3}),
                                error_messages={"required": "Enter who attended the meeting"})
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = caseworkers()


class TsmPupilForm(GdsFormMixin, forms.Form):
    submit_label = "Add pupil"
    TASK_MESSAGES = {"task_title": "Enter the task that was agreed", "task_due_date": "Enter the task's due date",
                     "assigned_to": "Choose who the task is for"}
    pupil = PupilByUpnField()
    notes = forms.CharField(label="Discussion", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    action = forms.ChoiceField(label="What was agreed?", choices=TsmPupil.Action.choices, widget=forms.RadioSelect,
                               initial=TsmPupil.Action.NONE,
                               error_messages={"required": "Choose what was agreed for the pupil"})
    task_title = forms.CharField(label="Task", required=False, max_length=200)
    task_due_date = DateField(label="Due date", required=False, error_name="The task's due date")
    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                         label="Who will do it?", empty_label="Choose a person")
    case_type = forms.ChoiceField(label="Type of case", required=False, widget=forms.RadioSelect,
                                  choices=Case.CaseType.choices)
    officer = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                     label="Allocate the new case to (optional)", empty_label="Leave unallocated")

    def __init__(self, *args, user, school_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].user = user
        self.fields["assigned_to"].queryset = selectors.assignable_users(school_id)
        self.fields["officer"].queryset = officers()
        # A task asks what, when and who; a case asks its type and officer (GOV.UK conditional reveal).
        self.helper.layout = Layout(
            Field.text("pupil"), Field.textarea("notes"),
            RevealRadios("action", {
                TsmPupil.Action.TASK: [Field.text("task_title"), Field("task_due_date"), Field.select("assigned_to")],
                TsmPupil.Action.CASE: [Field.radios("case_type"), Field.select("officer")]}))

    def clean(self):
        data = super().clean()
        if data.get("action") == TsmPupil.Action.TASK:
            for name in ("task_title", "task_due_date", "assigned_to"):
                if not data.get(name):
                    self.add_error(name, self.TASK_MESSAGES[name])
        if data.get("action") == TsmPupil.Action.CASE and not data.get("case_type"):
            self.add_error("case_type", "Choose the type of case to open")
        return data
