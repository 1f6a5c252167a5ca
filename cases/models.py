"""Cases and everything on them: referrals, allocation, stage history, chronology (with restricted entries and edit
history), attachments, reviews, tasks, termly targeting support meetings (TSMs), schools' link officers and
early-warning alerts (rules as data, alerts as episodes; evaluated by cases.alerts).

Row scope comes from schools.scoping like every pupil-linked model; restricted chronology entries are filtered on top
of it for roles without Capability.READ_RESTRICTED. Business rules live in cases.services, never in save().
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cases.alerts.kinds import AlertKind
from schools.models.exclusions import SchoolOwnedQuerySet
from schools.roles import Capability, Role
from schools.scoping import PupilLinkedQuerySet, ScopedQuerySet, is_la_user, school_scope_q, user_school_ids
from schools.stages import STAGES, Stage


def _can_read_restricted(user) -> bool:
    return bool(user and user.is_authenticated and user.can(Capability.READ_RESTRICTED))


class CaseworkPolicy(models.Model):
    """The service's casework settings, edited by LA admins in the admin site (one row; defaults until saved)."""

    caseload_limit = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Open cases an officer should hold at most; the caseload view warns above it (seed 000: 15-20).")
    review_interval_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Default weeks between case reviews (seed 003: at least six-weekly).")
    plan_length_school_weeks = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Default length of an intervention plan in school weeks (seed 000: 10 weeks).")
    entry_edit_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(0), MaxValueValidator(90)],
        help_text="Days after it was written that a chronology entry can still be corrected; it is locked after.")
    reminder_days = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(0), MaxValueValidator(30)],
        help_text="Each morning, reviews and tasks due within this many days (or overdue) are reminded to the "
                  "officer or the person the task is for, on their My work page.")

    class Meta:
        verbose_name = verbose_name_plural = "casework policy"

    def __str__(self) -> str:
        return "Casework policy"

    @classmethod
    def current(cls) -> CaseworkPolicy:
        return cls.objects.order_by("pk").first() or cls()


#: Roles that may manage a team (LA managers; an LA admin may stand in).
TEAM_MANAGER_ROLES = (Role.LA_MANAGER, Role.LA_ADMIN)


class Team(models.Model):
    """An LA team of officers with a manager, edited by LA admins in the admin site. An officer works the cases
    allocated to them or to a colleague in their team (cases.permissions), so cover for leave needs no
    reallocation."""

    name = models.CharField(max_length=120, unique=True)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_teams",
                                help_text="The LA manager responsible for the team's caseloads.")
    area = models.CharField(max_length=200, blank=True,
                            help_text="What the team covers, for example the partnerships or the kind of work.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.manager_id and self.manager.role not in TEAM_MANAGER_ROLES:
            raise ValidationError({"manager": f"{self.manager.display_name} is not an LA manager: a team's manager "
                                              "must be an LA manager or admin."})


class TeamMember(models.Model):
    """An officer's place in a team: one team per officer, so "their team" is never ambiguous."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    officer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="team_membership",
                                   help_text="An officer belongs to one team.")

    class Meta:
        ordering = ["team", "officer__first_name", "officer__last_name"]
        verbose_name = "team member"

    def __str__(self) -> str:
        return f"{self.officer} in {self.team}"

    def clean(self):
        if self.officer_id and self.officer.role != Role.LA_OFFICER:
            raise ValidationError({"officer": f"{self.officer.display_name} is not an LA officer: teams are of LA "
                                              "officers (their manager is set on the team)."})


class OfficerCaseloadLimit(models.Model):
    """An officer's own caseload limit instead of the LA default (CaseworkPolicy.caseload_limit), e.g. for a
    part-time officer. Edited by LA admins in the admin site."""

    officer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="caseload_limit_override")
    caseload_limit = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Open cases this officer should hold at most.")
    reason = models.CharField(max_length=200, help_text="Why this officer's limit differs, e.g. 0.6 FTE.")

    class Meta:
        ordering = ["officer__first_name", "officer__last_name"]
        verbose_name = "officer caseload limit"

    def __str__(self) -> str:
        return f"{self.officer}: {self.caseload_limit} cases"

    def clean(self):
        if self.officer_id and self.officer.role != Role.LA_OFFICER:
            raise ValidationError({"officer": f"{self.officer.display_name} is not an LA officer, so holds no "
                                              "caseload."})


class CaseQuerySet(PupilLinkedQuerySet):
    pupil_path = "pupil"

    def open(self):
        return self.exclude(status=Case.Status.CLOSED)

    def review_overdue(self, today: datetime.date):
        return self.filter(status=Case.Status.OPEN, next_review_due__lt=today)

    def counts_by_stage(self) -> dict[str, int]:
        """"Open cases by stage", the one meaning every page and paper uses (reporting.definitions, cases_by_stage):
        cases allocated and being worked, by stage. Referrals awaiting allocation are counted apart; closed cases
        are not counted. One GROUP BY."""
        return dict(self.filter(status=Case.Status.OPEN).values_list("stage").annotate(n=models.Count("pk"))
                    .order_by())


class Case(models.Model):
    """Work with one pupil about one kind of concern, from referral (or LA opening) to closure."""

    class CaseType(models.TextChoices):
        ATTENDANCE = "attendance", "Attendance"
        BEHAVIOUR = "behaviour", "Behaviour"
        BOTH = "attendance_behaviour", "Attendance and behaviour"
        CME = "cme", "Child missing education"
        REINTEGRATION = "reintegration", "Reintegration"

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        IMPROVED = "improved", "Improved"
        MOVED_SCHOOL = "moved_school", "Moved school"
        ESCALATED_LEGAL = "escalated_legal", "Escalated to legal"
        MISSING_EDUCATION = "missing_education", "Missing education"
        OTHER = "other", "Other"

    class Lead(models.TextChoices):
        SCHOOL = "school", "School"
        LA = "la", "LA attendance officer"
        EARLY_HELP = "early_help", "Early Help coordinator"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="cases")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="cases", help_text="The pupil's school when the case was opened.")
    case_type = models.CharField(max_length=25, choices=CaseType.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    stage = models.CharField(max_length=25, choices=Stage.choices, default=Stage.EARLY_INTERVENTION)
    lead_practitioner = models.CharField(max_length=12, choices=Lead.choices, default=Lead.SCHOOL)
    lead_practitioner_name = models.CharField(max_length=120, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="allocated_cases")
    summary = models.TextField(help_text="Why the LA is involved and what the case is trying to change.")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    review_interval_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(26)])
    next_review_due = models.DateField(null=True, blank=True)
    linked_cases = models.ManyToManyField("self", blank=True, help_text="Siblings' cases (whole-family working).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every edit form carries the version it was drawn from; services refuse a stale one.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "case_type"], condition=~Q(status="closed"), name="case_one_open_per_pupil_type",
                violation_error_message="This pupil already has an open case of this type."),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_on__isnull=False) & ~Q(outcome="")),
                name="case_closed_has_date_and_outcome",
                violation_error_message="A closed case needs a closing date and an outcome."),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_opening",
                violation_error_message="A case cannot close before it opened."),
        ]
        indexes = [
            # My work and caseload counts: an officer's open cases.
            models.Index(fields=["officer", "status"], name="case_officer_status_idx"),
            # The case list's order (Meta.ordering): the first page is read from this index instead of sorting every
            # case joined to its pupil (32 ms to 9 ms at 50,000 pupils; found by tests/perf/load.py).
            models.Index(fields=["-opened_on", "-id"], name="case_opened_idx"),
            # Case list filtered by status and stage; "cases by stage" on the manager view.
            models.Index(fields=["status", "stage"], name="case_status_stage_idx"),
            # Overdue reviews (open cases whose next review date has passed).
            models.Index(fields=["next_review_due"], name="case_review_due_idx", condition=Q(status="open")),
            # A school's cases (TSM pack, school filter).
            models.Index(fields=["school", "status"], name="case_school_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_case_type_display()})"

    @property
    def reference(self) -> str:
        return f"CASE-{self.pk:06d}" if self.pk else "New case"

    @property
    def stage_info(self):
        return STAGES.get(self.stage)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def review_overdue_on(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.next_review_due is not None and self.next_review_due < today


class ReferralQuerySet(PupilLinkedQuerySet):
    pupil_path = "pupil"

    def visible_to(self, user):
        # A referral is the referring school's document: another school the pupil later joins does not read it.
        scoped = super().visible_to(user)
        if is_la_user(user):
            return scoped
        return scoped.filter(school__in=user_school_ids(user)) if user and user.is_authenticated else scoped.none()


class Referral(models.Model):
    """A school asks the LA for help with a pupil on its roll (seed 003, "Referrals to ... Service")."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting triage"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    class Reason(models.TextChoices):
        # Seed 003: "Referrals may be made when ..."
        IRREGULAR = "irregular", "A pattern of irregular attendance, or a decline from normally good attendance"
        ENTRENCHED = "entrenched", "A period of entrenched non-attendance has begun"
        NO_RESPONSE = "no_response", "Communication with the parents has met little or no response"
        NO_COOPERATION = "no_cooperation", "Evidence of a lack of parental co-operation"
        WITHDRAWN = "withdrawn", "Withdrawn by parents moving away with no confirmed destination"
        LATENESS = "lateness", "A pattern of persistent lateness"
        BEHAVIOUR = "behaviour", "Behaviour putting the placement at risk"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="referrals")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="referrals",
                               help_text="The referring school; the pupil must be on its roll.")
    case_type = models.CharField(max_length=25, choices=Case.CaseType.choices)
    reasons = models.JSONField(default=list, blank=True)
    concerns = models.TextField()
    tried_class_teacher = models.TextField("Action by the class teacher or form tutor", blank=True)
    tried_head_of_year = models.TextField("Action by the head of year or headteacher", blank=True)
    tried_parent_contact = models.TextField("Contact with parents or carers", blank=True)
    tried_early_help = models.TextField("Early help", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    decline_reason = models.TextField(blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    triaged_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="referral")
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="referral_declined_has_reason",
                                   violation_error_message="Say why the referral is declined."),
        ]
        indexes = [
            # The triage queue (awaiting triage, oldest first) and a school's own referrals.
            models.Index(fields=["status", "created_at"], name="referral_status_idx"),
            models.Index(fields=["school", "-created_at"], name="referral_school_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"REF-{self.pk:06d}"

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(self.Reason.choices)
        return [labels.get(r, r) for r in self.reasons]

    @property
    def tried(self) -> list[tuple[str, str]]:
        fields = ["tried_class_teacher", "tried_head_of_year", "tried_parent_contact", "tried_early_help"]
        return [(self._meta.get_field(f).verbose_name, getattr(self, f)) for f in fields]


class CaseLinkedQuerySet(PupilLinkedQuerySet):
    pupil_path = "case__pupil"


class Allocation(models.Model):
    """Who held the case and when: every allocation and reallocation, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)

    objects = CaseLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-allocated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} to {self.officer_id}"


class StageChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=25, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=25, choices=Stage.choices)
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CaseLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_on", "-pk"]
        indexes = [
            # Stage history on the case page, newest first.
            models.Index(fields=["case", "-changed_on"], name="stagechange_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage or '-'} -> {self.to_stage}"


class CaseClosure(models.Model):
    """Each time a case closed: the outcome, and if a manager reopened it, when, by whom and why. Reopening clears the
    outcome on the case itself; the earlier closure stays here (and in the audit and the timeline)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures")
    closed_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Case.Outcome.choices)
    outcome_notes = models.TextField(blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reopen_reason = models.TextField(blank=True)

    objects = CaseLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-closed_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                                   name="case_reopen_has_reason",
                                   violation_error_message="Say why the case is reopened."),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} closed {self.closed_on}"


class ChronologyQuerySet(PupilLinkedQuerySet):
    pupil_path = "case__pupil"

    def visible_to(self, user):
        scoped = super().visible_to(user)
        return scoped if _can_read_restricted(user) else scoped.filter(restriction="")


class ChronologyEntry(models.Model):
    """One thing that happened on a case (MOJ timeline). Corrections keep the earlier wording (revisions) and
    entries lock after CaseworkPolicy.entry_edit_days."""

    class EntryType(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Phone call"
        LETTER = "letter", "Letter"
        HOME_VISIT = "home_visit", "Home visit"
        SCHOOL_VISIT = "school_visit", "School visit"
        MEETING = "meeting", "Meeting"
        EVENT = "event", "Case event"  # written by the services: stage changes, allocation, reviews, closure

    class MeetingType(models.TextChoices):
        TSM = "tsm", "Targeting support meeting (TSM)"
        TAF = "taf", "Team around the family (TAF)"
        PANEL = "attendance_panel", "Attendance panel"
        LEGAL_PLANNING = "legal_planning", "Legal planning meeting"
        OTHER = "other", "Other meeting"

    class Restriction(models.TextChoices):
        NONE = "", "Not restricted"
        SAFEGUARDING = "safeguarding", "Safeguarding"
        MEDICAL = "medical", "Medical"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    entry_type = models.CharField(max_length=15, choices=EntryType.choices)
    meeting_type = models.CharField(max_length=20, choices=MeetingType.choices, blank=True)
    occurred_on = models.DateField()
    summary = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    participants = models.CharField(max_length=300, blank=True)
    outcome = models.TextField(blank=True)
    restriction = models.CharField(max_length=15, choices=Restriction.choices, blank=True,
                                   help_text="Restricted entries are seen by LA staff only, never by schools.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = ChronologyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "chronology entries"
        constraints = [
            models.CheckConstraint(
                condition=(Q(entry_type="meeting") & ~Q(meeting_type="")) | (~Q(entry_type="meeting")
                                                                             & Q(meeting_type="")),
                name="entry_meeting_type_with_meetings_only",
                violation_error_message="Choose the kind of meeting (only for meetings)."),
        ]
        indexes = [
            # The case timeline, newest first; "last action" per case for lists and the TSM pack.
            models.Index(fields=["case", "-occurred_on", "-id"], name="entry_case_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()} on {self.occurred_on}: {self.summary}"

    @property
    def is_restricted(self) -> bool:
        return bool(self.restriction)

    @property
    def type_label(self) -> str:
        if self.entry_type == self.EntryType.MEETING and self.meeting_type:
            return self.get_meeting_type_display()
        return self.get_entry_type_display()


class ChronologyRevision(models.Model):
    """The wording of an entry before a correction: shown under the entry, never deleted."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.CASCADE, related_name="revisions")
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)
    previous = models.JSONField(help_text="{field: value before the edit}")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-edited_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision of entry {self.entry_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class AttachmentQuerySet(PupilLinkedQuerySet):
    pupil_path = "pupil"

    def visible_to(self, user):
        scoped = super().visible_to(user)
        if _can_read_restricted(user):
            return scoped
        # Referral attachments follow the referral's scope (the referring school only); entry attachments follow
        # their entry, so a restricted entry's files are as hidden as the entry.
        if not (user and user.is_authenticated):
            return scoped.none()
        return scoped.filter(
            Q(referral__isnull=False, referral__school__in=user_school_ids(user))
            | Q(entry__isnull=False, entry__restriction=""))


def attachment_path(instance, filename: str) -> str:
    today = datetime.date.today()
    return f"cases/attachments/{today:%Y/%m}/{filename}"


class Attachment(models.Model):
    """A file on a referral or a chronology entry. Stored through Django's storage API and served only by the
    scoped download view; never linked from MEDIA_URL."""

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    entry = models.ForeignKey(ChronologyEntry, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(referral__isnull=False) & Q(entry__isnull=True))
                | (Q(referral__isnull=True) & Q(entry__isnull=False)),
                name="attachment_on_one_parent"),
        ]

    def __str__(self) -> str:
        return self.original_name


class Review(models.Model):
    """A case review (seed 003: at least six-weekly), optionally of one intervention plan."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue the current plan"
        CHANGE_PLAN = "change_plan", "Change the plan"
        STEP_UP = "step_up", "Move up a stage"
        STEP_DOWN = "step_down", "Move down a stage"
        CLOSE = "close", "Recommend closing the case"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    plan = models.ForeignKey("interventions.InterventionPlan", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="reviews")
    held_on = models.DateField()
    attendance_percent = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Attendance over the period reviewed, as a percentage.")
    progress = models.TextField()
    decision = models.CharField(max_length=15, choices=Decision.choices)
    next_review_due = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            # Reviews on the case page, newest first.
            models.Index(fields=["case", "-held_on"], name="review_case_idx"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.case_id} on {self.held_on}"


class TaskQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        from schools.scoping import pupil_scope_q

        return self.filter(
            (Q(case__isnull=False) & pupil_scope_q(user, "case__pupil"))
            | Q(case__isnull=True, tsm__school__in=user_school_ids(user)))

    def open(self):
        return self.filter(status=Task.Status.OPEN)


class Task(models.Model):
    """Something someone must do by a date: on a case, or an action agreed at a TSM."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    tsm = models.ForeignKey("TargetingSupportMeeting", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="tasks")
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_date = models.DateField()
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(case__isnull=False) | Q(tsm__isnull=False),
                                   name="task_on_case_or_tsm"),
        ]
        indexes = [
            # My work: a person's open tasks by due date (overdue first).
            models.Index(fields=["assigned_to", "status", "due_date"], name="task_assignee_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue_on(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today


class CaseReminderQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """A reminder is its recipient's, and only while they may still see the pupil it is about."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        from schools.scoping import pupil_scope_q

        mine = self.filter(user=user)
        if is_la_user(user):
            return mine
        return mine.filter((Q(case__isnull=False) & pupil_scope_q(user, "case__pupil"))
                           | Q(case__isnull=True, task__tsm__school__in=user_school_ids(user)))

    def still_due(self):
        """Reminders whose review or task is still outstanding on the date reminded: a review recorded, a task done,
        a date moved, a case closed or given to someone else ends the reminder at once (before the morning run)."""
        from django.db.models import Exists, OuterRef

        review = Case.objects.filter(pk=OuterRef("case_id"), status=Case.Status.OPEN, officer_id=OuterRef("user_id"),
                                     next_review_due=OuterRef("due"))
        task = Task.objects.filter(pk=OuterRef("task_id"), status=Task.Status.OPEN,
                                   assigned_to_id=OuterRef("user_id"), due_date=OuterRef("due")).exclude(
            case__status=Case.Status.CLOSED)
        return self.filter(resolved_on__isnull=True).filter(
            (Q(kind=CaseReminder.Kind.REVIEW) & Q(Exists(review))) | (Q(kind=CaseReminder.Kind.TASK) & Q(Exists(task))))


class CaseReminder(models.Model):
    """A morning reminder (cases.tasks.send_casework_reminders): a case review or a task due within
    CaseworkPolicy.reminder_days, or overdue. One row per person, review or task, and due date, so the task can run
    any number of times a day; it resolves once the review is recorded, the task is done or the date moves."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Case review"
        TASK = "task", "Task"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_reminders")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    due = models.DateField()
    message = models.CharField(max_length=300)
    created_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)

    objects = CaseReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "case", "due"], condition=Q(kind="review"),
                                    name="case_reminder_review_once"),
            models.UniqueConstraint(fields=["user", "task", "due"], condition=Q(kind="task"),
                                    name="case_reminder_task_once"),
            models.CheckConstraint(condition=(Q(kind="review") & Q(case__isnull=False) & Q(task__isnull=True))
                                   | (Q(kind="task") & Q(task__isnull=False)),
                                   name="case_reminder_kind_matches_target"),
        ]
        indexes = [
            # My work: a person's open reminders by due date.
            models.Index(fields=["user", "resolved_on", "due"], name="case_reminder_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due} for {self.user_id}"


class TsmQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # A school sees the meetings held with it; the LA sees all.
        return self.filter(**{"school__in": _visible_school_ids(user)}) if not is_la_user(user) else self


def _visible_school_ids(user):
    from schools.models import School

    return School.objects.filter(school_scope_q(user)).values("pk")


class TargetingSupportMeeting(models.Model):
    """The termly meeting between a school and its LA attendance officer ("Working together to improve school
    attendance"; seed 001 Appendix 1)."""

    class TermName(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="tsms")
    academic_year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    term = models.CharField(max_length=6, choices=TermName.choices)
    held_on = models.DateField()
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attendees = models.TextField(help_text="Who attended, one per line or separated by commas.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = TsmQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = "targeting support meeting"
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "term"], name="tsm_one_per_school_term",
                                    violation_error_message="This school already has a TSM recorded for that "
                                                            "term."),
        ]

    def __str__(self) -> str:
        return f"TSM {self.school} {self.get_term_display()} {self.academic_year}"


class TsmPupilQuerySet(PupilLinkedQuerySet):
    pupil_path = "pupil"


class TsmPupil(models.Model):
    """A pupil discussed at a TSM and what was agreed: nothing further, a task, or a case."""

    class Action(models.TextChoices):
        NONE = "none", "No further action"
        TASK = "task", "A task"
        CASE = "case", "Open a case"

    tsm = models.ForeignKey(TargetingSupportMeeting, on_delete=models.CASCADE, related_name="pupils_discussed")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    action = models.CharField(max_length=5, choices=Action.choices, default=Action.NONE)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = TsmPupilQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["tsm", "pupil"], name="tsm_pupil_once",
                                    violation_error_message="This pupil is already listed for this meeting."),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} at TSM {self.tsm_id}"


# --- Early-warning alerts (issue 15) ---------------------------------------------------------------------------------


class SchoolLinkOfficer(models.Model):
    """The LA attendance officer linked to a school (who holds its termly TSMs and is its first contact), edited by LA
    admins in the admin site. Early-warning alerts about the school's pupils go to them when the pupil has no case
    officer (cases.alerts.services); an officer's dashboard adds up their linked schools (reporting.selectors
    .officer_school_ids) and the penalty-notice worklist starts on them (``attendance.link_school_ids``).

    Moved down from the reporting app so casework and the attendance pages can use it without importing reporting;
    the table keeps its name (cases 0005, reporting 0004: the move is in the migration state only)."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="link_officer")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="linked_schools")

    class Meta:
        db_table = "reporting_schoollinkofficer"
        ordering = ["school__name"]
        verbose_name = "school link officer"

    def __str__(self) -> str:
        return f"{self.officer} for {self.school}"

    def clean(self):
        if self.officer_id and self.officer.role != Role.LA_OFFICER:
            raise ValidationError({"officer": f"{self.officer.display_name} is not an LA officer: a school's link "
                                              "officer must be one."})


class AlertRule(models.Model):
    """An early-warning rule, as data: what it looks for in plain English, its figures, who it goes to and the guidance
    it follows. LA admins edit, add and switch rules off in the admin site (audited); the evaluation of each kind is
    one set-wise query in cases.alerts.rules. The defaults are seeded by migration cases 0006."""

    Kind = AlertKind

    #: The figures each kind uses (the others stay empty), with what each means for it.
    PARAMETERS: dict[str, dict[str, str]] = {
        Kind.CONSECUTIVE_UNEXPLAINED: {"sessions": "sessions in a row", "weeks": "school weeks looked back over"},
        Kind.VULNERABLE_UNAUTHORISED: {"sessions": "sessions at least", "weeks": "school weeks looked back over"},
        Kind.SUSPENSION_SOCIAL_WORKER: {"weeks": "weeks since the suspension started"},
        Kind.PERSISTENT_ABSENCE: {"sessions": "possible sessions this term before the rule applies"},
        Kind.SEVERE_ABSENCE: {"sessions": "possible sessions this term before the rule applies"},
        Kind.ATTENDANCE_FALL: {"points": "percentage points fallen at least", "weeks": "recent school weeks"},
    }

    key = models.SlugField(max_length=60, unique=True, help_text="A short fixed name for the rule, e.g. "
                                                                 "'three-unexplained'. Not shown to users.")
    name = models.CharField(max_length=120, help_text="What the alert list calls the rule.")
    kind = models.CharField(max_length=30, choices=Kind.choices,
                            help_text="What the rule looks for; its figures are set below.")
    condition = models.TextField("When it fires, in plain English",
                                 help_text="Shown on every alert from this rule; keep it in step with the figures.")
    sessions = models.PositiveSmallIntegerField(null=True, blank=True,
                                                validators=[MinValueValidator(1), MaxValueValidator(380)])
    points = models.PositiveSmallIntegerField("Percentage points", null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(100)])
    weeks = models.PositiveSmallIntegerField(null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(52)])
    goes_to = models.TextField("Who it goes to", help_text="Who acts on the alert and what they do.")
    source = models.TextField("Why: the guidance it follows",
                              help_text="The guidance (or the LA's own decision) the rule comes from.")
    active = models.BooleanField(default=True, help_text="Switched-off rules open no alerts; their open alerts stay "
                                                         "until someone deals with them.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "early-warning rule"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        wanted = self.PARAMETERS.get(self.kind, {})
        errors = {}
        for name in ("sessions", "points", "weeks"):
            value = getattr(self, name)
            if name in wanted and value is None:
                errors[name] = f"Enter the {wanted[name]}: this kind of rule needs it."
            elif name not in wanted and value is not None:
                errors[name] = "Leave this empty: this kind of rule does not use it."
        if errors:
            raise ValidationError(errors)

    @property
    def figures(self) -> list[tuple[str, int]]:
        """(what it means, value) for each figure the rule's kind uses, for the alert page."""
        return [(label, getattr(self, name)) for name, label in self.PARAMETERS.get(self.kind, {}).items()]


class AlertQuerySet(SchoolOwnedQuerySet):
    """A school user sees the alerts about its own pupils raised at its own school (an alert at another school the
    pupil moved to stays with that school); LA roles see every alert (schools.scoping)."""

    def current(self):
        """Episodes whose condition still held at the last evaluation."""
        return self.filter(cleared_on__isnull=True)

    def to_do(self):
        return self.filter(status=Alert.Status.OPEN)


class Alert(models.Model):
    """One episode of a rule holding for a pupil: opened when the rule first fired, cleared when it stopped holding,
    and dealt with (done) by someone, with a note. One current (uncleared) episode per rule and pupil at a time; once
    it has cleared, or been dealt with and the rule fires on something new, the next firing opens a new episode
    (cases.alerts.services.evaluate_alerts)."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Dealt with"

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts",
                             help_text="Switch a rule off rather than delete it: its alerts keep it.")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.CASCADE, related_name="alerts")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="alerts",
                               help_text="The school whose register or record fired the rule.")
    opened_on = models.DateField()
    evidence = models.JSONField(default=dict, blank=True,
                                help_text="The marks, dates or figures that fired the rule (cases.alerts.evidence).")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="assigned_alerts")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts",
                             help_text="The team whose inbox holds the alert (the assignee's team, if any).")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.TextField(blank=True)
    cleared_on = models.DateField(null=True, blank=True, help_text="The first evaluation at which the rule no longer "
                                                                   "held (or fired on something new after this "
                                                                   "episode was dealt with).")

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "pupil"], condition=Q(cleared_on__isnull=True),
                                    name="alert_one_open_episode",
                                    violation_error_message="This pupil already has an open alert from this rule."),
            models.CheckConstraint(condition=Q(status="open") | (Q(done_by__isnull=False) & Q(done_at__isnull=False)),
                                   name="alert_done_has_who_and_when"),
            models.CheckConstraint(condition=Q(cleared_on__isnull=True) | Q(cleared_on__gte=models.F("opened_on")),
                                   name="alert_clears_after_opening"),
        ]
        indexes = [
            # The alert list's order (Meta.ordering): its first page read from this index.
            models.Index(fields=["-opened_on", "-id"], name="alert_opened_idx"),
            # "Assigned to me" and My work's count of a person's alerts to do.
            models.Index(fields=["assigned_to", "status"], name="alert_assignee_idx"),
            # "My team": a team's inbox.
            models.Index(fields=["team", "status"], name="alert_team_idx"),
            # A school user's alerts (scope) and the school filter.
            models.Index(fields=["school", "status"], name="alert_school_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for pupil {self.pupil_id} from {self.opened_on}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def evidence_summary(self) -> str:
        from cases.alerts.evidence import summary

        return summary(self.rule.kind, self.evidence)
