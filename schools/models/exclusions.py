"""Suspensions, permanent exclusions and lunchtime exclusions, with the deadlines each sets (issue 5).

Rules and their sources live in schools.exclusions.rules; dates are worked out in school days by
schools.exclusions.services through schools.school_days and stored here, so lists, the day-6 dashboard and reminders
filter on plain columns instead of recounting calendars row by row. ``exclusion_recompute`` refreshes them (the daily
task runs it) should term dates change afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.exclusions import rules
from schools.scoping import PupilLinkedQuerySet, is_la_user, user_school_ids


class SchoolOwnedQuerySet(PupilLinkedQuerySet):
    """Pupil-linked rows that belong to a school: a school user sees its own school's rows of its own pupils only.

    The pupil test is the one scoping mechanism (schools.scoping); on top, a school does not see what another school
    recorded about the same pupil (as with enrolments). LA roles see everything.
    """

    school_paths: tuple[str, ...] = ("school",)

    def visible_to(self, user):
        scoped = super().visible_to(user)
        if is_la_user(user) or not (user and user.is_authenticated and user.is_active):
            return scoped
        own = Q()
        for path in self.school_paths:
            own |= Q(**{f"{path}__in": user_school_ids(user)})
        return scoped.filter(own)


class ExclusionQuerySet(SchoolOwnedQuerySet):
    def active(self):
        return self.filter(cancelled_on__isnull=True)

    def missing_day6_provision(self):
        """Exclusions with a day-6 duty and no provision starting by the 6th school day."""
        return self.active().exclude(day6_duty="").filter(
            Q(provision_from__isnull=True) | Q(provision_from__gt=models.F("day6_date")))


class Exclusion(models.Model):
    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Suspension"
        PERMANENT = "permanent", "Permanent exclusion"
        LUNCHTIME = "lunchtime", "Lunchtime exclusion"

    class StartSession(models.TextChoices):
        AM = "am", "Morning"
        PM = "pm", "Afternoon"

    class BoardDecision(models.TextChoices):
        NONE = "", "Not yet decided"
        REINSTATED = "reinstated", "Reinstate the pupil"
        UPHELD = "upheld", "Decline to reinstate (exclusion upheld)"

    class IrpDecision(models.TextChoices):
        NONE = "", "No decision yet"
        UPHELD = "upheld", "Uphold the board's decision"
        RECOMMEND = "recommend", "Recommend the board reconsiders"
        QUASH = "quash", "Quash the decision and direct the board to reconsider"

    class Day6Duty(models.TextChoices):
        NONE = "", "No day-6 duty"
        LA = "la", "Local authority"
        SCHOOL = "school", "School"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="exclusions")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="exclusions",
                               help_text="The excluding school.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    start_date = models.DateField()
    start_session = models.CharField(max_length=2, choices=StartSession.choices, default=StartSession.AM)
    length_sessions = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Registration sessions (two a day); for a lunchtime exclusion, the number of lunchtimes. "
                  "Empty for a permanent exclusion.")
    reason_1 = models.CharField(max_length=2, choices=rules.ALL_REASON_CHOICES)
    reason_2 = models.CharField(max_length=2, choices=rules.ALL_REASON_CHOICES, blank=True)
    reason_3 = models.CharField(max_length=2, choices=rules.ALL_REASON_CHOICES, blank=True)
    description = models.TextField(blank=True)
    notice_date = models.DateField(help_text="Date the head gave notice of the exclusion to the parents and the "
                                             "governing board; review deadlines count from it.")
    la_notified_on = models.DateField("Date the LA was notified", null=True, blank=True)
    missed_public_exam = models.BooleanField(
        "Pupil would miss a public examination or national curriculum test", default=False)
    parental_representations = models.BooleanField("Parents made representations to the governing board",
                                                   default=False)
    imported = models.BooleanField(default=False, help_text="Imported history: legacy reason codes allowed.")

    # Review progress (permanent exclusions, and suspensions the board must consider).
    board_met_on = models.DateField("Date the governing board considered reinstatement", null=True, blank=True)
    board_decision = models.CharField(max_length=12, choices=BoardDecision.choices, blank=True)
    board_decision_notified_on = models.DateField("Date parents were notified of the board's decision", null=True,
                                                  blank=True)
    irp_applied_on = models.DateField("Date parents applied for an independent review", null=True, blank=True)
    irp_decided_on = models.DateField("Date of the independent review panel's decision", null=True, blank=True)
    irp_decision = models.CharField(max_length=12, choices=IrpDecision.choices, blank=True)
    reconsidered_on = models.DateField("Date the board reconsidered", null=True, blank=True)

    cancelled_on = models.DateField(null=True, blank=True)
    cancellation_reason = models.TextField(blank=True)

    # Reintegration: the plan is kept here; a case in the cases app is opened or joined through a hook
    # (schools.exclusions.services.exclusion_reintegration_start) and referenced by id, without a database link.
    reintegration_plan = models.TextField(blank=True)
    reintegration_meeting_on = models.DateField(null=True, blank=True)
    reintegration_case_id = models.PositiveBigIntegerField(null=True, blank=True)

    # Worked out by the service from the school's calendar (see module docstring).
    end_date = models.DateField(null=True, blank=True, help_text="Last excluded day; empty for a permanent exclusion.")
    end_session = models.CharField(max_length=2, choices=StartSession.choices, blank=True)
    days = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal(0),
                               help_text="School days (a session is half a day, so is a lunchtime).")
    start_year_days = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal(0),
        help_text="Of those, the school days in the school year it starts in; the rest (a suspension over the summer) "
                  "count in the next year, for the 45-day cap.")
    term_days_total = models.DecimalField(max_digits=5, decimal_places=1, default=Decimal(0),
                                          help_text="Suspended days this term at this school, this one included.")
    board_rule = models.CharField(max_length=20, blank=True)
    board_due = models.DateField(null=True, blank=True)
    irp_application_due = models.DateField(null=True, blank=True)
    irp_meeting_due = models.DateField(null=True, blank=True)
    reconsideration_due = models.DateField(null=True, blank=True)
    day6_duty = models.CharField(max_length=6, choices=Day6Duty.choices, blank=True)
    day6_date = models.DateField(null=True, blank=True)
    run_start_date = models.DateField(
        null=True, blank=True,
        help_text="First day of the back-to-back suspensions this one is part of (empty when it stands alone): the "
                  "6th school day counts from it.")
    provision_from = models.DateField(null=True, blank=True,
                                      help_text="Start of the earliest provision recorded for this exclusion.")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExclusionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="permanent", length_sessions__isnull=True)
                | (~Q(kind="permanent") & Q(length_sessions__gte=1)),
                name="exclusion_length_matches_kind",
                violation_error_message="A suspension or lunchtime exclusion needs a length; a permanent exclusion "
                                        "has none."),
            models.CheckConstraint(condition=Q(cancelled_on__isnull=True) | ~Q(cancellation_reason=""),
                                   name="exclusion_cancellation_has_reason",
                                   violation_error_message="Say why the exclusion was cancelled."),
        ]
        indexes = [
            # The 45-day cap and overlap checks: one pupil's exclusions by date.
            models.Index(fields=["pupil", "start_date"], name="exclusion_pupil_start_idx"),
            # A school's exclusion list, newest first, and term totals at one school.
            models.Index(fields=["school", "-start_date"], name="exclusion_school_start_idx"),
            # The LA-wide exclusion list (Meta.ordering): its first page read from this index, not a sort of every
            # exclusion joined to its pupil (tests/perf/load.py).
            models.Index(fields=["-start_date", "-id"], name="exclusion_start_idx"),
            # Day-6 dashboard and reminders: exclusions with a duty, by day-6 date.
            models.Index(fields=["day6_duty", "day6_date"], name="exclusion_day6_idx"),
            # Reminders: review deadlines coming up.
            models.Index(fields=["board_due"], name="exclusion_board_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d %b %Y} ({self.pk})"

    @property
    def reasons(self) -> list[str]:
        return [code for code in (self.reason_1, self.reason_2, self.reason_3) if code]

    @property
    def reason_labels(self) -> list[str]:
        return [f"{code} – {rules.REASON_CODES[code].label}" for code in self.reasons if code in rules.REASON_CODES]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_on is not None

    @property
    def board_rule_label(self) -> str:
        rule = rules.BOARD_RULES.get(self.board_rule)
        return rule.label if rule else ""

    @property
    def length_display(self) -> str:
        if self.kind == self.Kind.PERMANENT:
            return "Permanent"
        if self.kind == self.Kind.LUNCHTIME:
            n = self.length_sessions or 0
            return f"{n} lunchtime{'s' if n != 1 else ''} ({self.days.normalize():f} days)"
        n = self.length_sessions or 0
        return f"{n} session{'s' if n != 1 else ''} ({self.days.normalize():f} days)"

    def deadlines(self) -> list[rules.Deadline]:
        """The dates this exclusion sets, from the stored schedule (no queries)."""
        if self.is_cancelled:
            return []
        result = []
        if self.day6_duty:
            who = self.get_day6_duty_display()
            if self.run_start_date:
                label = (f"Full-time education from the 6th school day of the back-to-back suspensions from "
                         f"{self.run_start_date:%-d %B %Y} ({who.lower()} arranges)")
                source = "s19(3A) EA1996; SI 2007/1870 regs 3-4; consecutive suspensions count together (2023 guidance)"
            else:
                label = f"Full-time education from the 6th school day ({who.lower()} arranges)"
                source = "s19(3A) EA1996; SI 2007/1870 regs 3-4"
            result.append(rules.Deadline("day6", label, self.day6_date, self.provision_from, source, who=who))
        if self.board_rule:
            rule = rules.BOARD_RULES[self.board_rule]
            result.append(rules.Deadline("board", f"Governing board considers reinstatement ({rule.label.lower()})",
                                         self.board_due, self.board_met_on, rule.source, who="Governing board"))
        if self.kind == self.Kind.PERMANENT:
            upheld = self.board_decision == self.BoardDecision.UPHELD
            if not self.board_decision == self.BoardDecision.REINSTATED:
                result.append(rules.Deadline(
                    "irp_application", "Parents may apply for an independent review", self.irp_application_due,
                    self.irp_applied_on, "Excl2012 reg 6(3)(b); 15 school days from notice of the board's decision",
                    who="Parents",
                    waiting_for="" if upheld and self.board_decision_notified_on else
                    "the board's decision not to reinstate, and the date parents were told"))
                result.append(rules.Deadline(
                    "irp_meeting", "Independent review panel meets", self.irp_meeting_due, self.irp_decided_on,
                    "Excl2012 Sch 1; within 15 school days of the application", who="Local authority / trust",
                    waiting_for="" if self.irp_applied_on else "an application for review"))
                if self.irp_decision in (self.IrpDecision.RECOMMEND, self.IrpDecision.QUASH) or \
                        self.reconsideration_due:
                    result.append(rules.Deadline(
                        "reconsideration", "Governing board reconsiders", self.reconsideration_due,
                        self.reconsidered_on, "Excl2012 reg 25(4); within 10 school days of the panel's decision",
                        who="Governing board"))
        return result


class ExclusionReminderQuerySet(SchoolOwnedQuerySet):
    pupil_path = "exclusion__pupil"
    school_paths = ("exclusion__school",)


class ExclusionReminder(models.Model):
    """An in-app reminder: a deadline due within two school days, or day-6 provision missing (daily task).

    One row per exclusion, deadline and due date, so the task can run any number of times a day.
    """

    class Kind(models.TextChoices):
        DAY6 = "day6", "Day-6 provision"
        BOARD = "board", "Governing board"
        IRP_APPLICATION = "irp_application", "Independent review application"
        IRP_MEETING = "irp_meeting", "Independent review panel"
        RECONSIDERATION = "reconsideration", "Reconsideration"

    exclusion = models.ForeignKey(Exclusion, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due = models.DateField()
    message = models.CharField(max_length=300)
    created_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)

    objects = ExclusionReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["exclusion", "kind", "due"], name="exclusion_reminder_once"),
        ]
        indexes = [
            # The reminders page: open reminders by due date.
            models.Index(fields=["resolved_on", "due"], name="exclusion_reminder_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due}"
