"""Register marks and their summaries (DESIGN.md, Attendance engine).

Marks belong to an enrolment, as the DfE counts attendance per enrolment (a pupil who moves school mid-year has two),
and are stored a week to a row with the week's counts beside them (schools.attendance.weeks says why and how). What a
code means is resolved from schools.attendance.codes when a week is written, so every aggregate is a plain SUM with no
per-row rule lookups; if the code tables change, `recompute_attendance --reclassify` rewrites the counts.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.scoping import ScopedQuerySet, is_la_user, user_school_ids


class EnrolmentLinkedQuerySet(ScopedQuerySet):
    """Rows tied to an enrolment: a school sees those of its own enrolments only (its own registers)."""

    enrolment_path = "enrolment"

    def visible_to(self, user):
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(**{f"{self.enrolment_path}__school__in": user_school_ids(user)})


class Session(models.IntegerChoices):
    AM = 0, "AM"
    PM = 1, "PM"


class AttendanceWeek(models.Model):
    """One enrolment's register for one week: ten session slots and their counts (schools.attendance.weeks).

    A week belongs to one term of the enrolment's school (terms start and end with holidays around them)."""

    pk = models.CompositePrimaryKey("enrolment", "week_start")
    # No index of its own (the primary key starts with the enrolment) and no database constraint: the writer only
    # writes enrolments it has just looked up, and the ORM still deletes an enrolment's weeks with it (CASCADE).
    # A deferred foreign-key check per week row costs an import more than writing the rows does.
    enrolment = models.ForeignKey("schools.Enrolment", on_delete=models.CASCADE, related_name="register_weeks",
                                  db_index=False, db_constraint=False)
    week_start = models.DateField(help_text="The Monday of the week.")
    marks = models.CharField(max_length=20, help_text="Monday AM to Friday PM, two characters a session; -- no mark.")
    # Nor for these: the writer looks the term up before it writes; deleting a term or an import with weeks is still
    # refused by the ORM (PROTECT) or clears the link (SET_NULL).
    academic_year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+",
                                      db_index=False, db_constraint=False)
    term = models.ForeignKey("schools.Term", on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False)
    # Counts of at most ten sessions: small integers, without a CHECK per column (the writer computes them).
    possible = models.SmallIntegerField(default=0)
    present = models.SmallIntegerField(default=0)
    aea = models.SmallIntegerField("Approved educational activity", default=0)
    authorised = models.SmallIntegerField(default=0)
    unauthorised = models.SmallIntegerField(default=0)
    not_counted = models.SmallIntegerField(default=0)
    late = models.SmallIntegerField(default=0)
    pn_sessions = models.SmallIntegerField(default=0, help_text="G, N, O and U sessions (from 2024).")
    sessions = models.SmallIntegerField(default=0, help_text="Marks other than # (planned closure).")
    source = models.ForeignKey("schools.AttendanceImport", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False, db_constraint=False)

    objects = EnrolmentLinkedQuerySet.as_manager()

    class Meta:
        indexes = [
            # Rolling and custom periods across the LA: the weeks a date range touches. The primary key (enrolment,
            # week) serves one pupil's register, a touched term's recompute and the penalty-notice windows; every
            # further index would be paid for on each row an import writes.
            models.Index(fields=["week_start"], name="week_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} w/c {self.week_start}: {self.marks}"


class AttendanceMarkDetail(models.Model):
    """Minutes late and the school's comment for a session, when the file gave them (most marks have neither)."""

    enrolment = models.ForeignKey("schools.Enrolment", on_delete=models.CASCADE, related_name="+", db_index=False)
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    minutes_late = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    source = models.ForeignKey("schools.AttendanceImport", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False)

    objects = EnrolmentLinkedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "date", "session"], name="mark_detail_one_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.date} {self.get_session_display()}"


class AttendanceSummary(models.Model):
    """Counts per enrolment per term, and per academic year (term empty), written set-wise by recompute."""

    # Summaries are derived data, rebuilt from the week rows by SQL (attendance_engine), so their keys need neither an
    # index of their own (the constraints and summary_period_pa_idx below serve every query) nor a deferred
    # foreign-key check per row; the ORM still deletes an enrolment's summaries with it.
    enrolment = models.ForeignKey("schools.Enrolment", on_delete=models.CASCADE, related_name="attendance_summaries",
                                  db_index=False, db_constraint=False)
    academic_year = models.ForeignKey("schools.AcademicYear", on_delete=models.CASCADE, related_name="+",
                                      db_index=False, db_constraint=False)
    term = models.ForeignKey("schools.Term", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             db_index=False, db_constraint=False)
    possible = models.IntegerField(default=0)
    present = models.IntegerField(default=0)
    aea = models.IntegerField("Approved educational activity", default=0)
    authorised = models.IntegerField(default=0)
    unauthorised = models.IntegerField(default=0)
    not_counted = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    pn_sessions = models.IntegerField(default=0)
    # Derived in the same SQL statement as the counts, so lists can filter on them with an index.
    is_persistent = models.BooleanField(default=False)
    is_severe = models.BooleanField(default=False)

    objects = EnrolmentLinkedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "academic_year"], condition=Q(term__isnull=True),
                                    name="summary_one_per_year"),
            models.UniqueConstraint(fields=["enrolment", "term"], condition=Q(term__isnull=False),
                                    name="summary_one_per_term"),
        ]
        # One further index, small: the persistently absent pupils of a period (a seventh of the rows), which the
        # pupils-behind-a-figure list and its count read LA-wide without adding up every summary. Lists otherwise
        # read a pupil's summary through the two constraints' indexes, and LA-wide figures read every summary of a
        # period anyway; each index is paid for on every recompute and import.
        indexes = [models.Index(fields=["academic_year", "term", "enrolment"], condition=Q(is_persistent=True),
                                name="summary_period_pa_idx")]

    def __str__(self) -> str:
        period = self.term_id and f"term {self.term_id}" or f"year {self.academic_year_id}"
        return f"Enrolment {self.enrolment_id}, {period}: {self.possible} possible"

    @property
    def attended(self) -> int:
        return self.present + self.aea

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised


class AttendanceImport(models.Model):
    """One uploaded register file (CSV of session marks or a CTF), its outcome and its error report."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV of session marks"
        CTF = "ctf", "Common Transfer File (CTF XML)"

    class BadRows(models.TextChoices):
        KEEP_GOOD = "keep_good", "Import the good rows and report the bad ones"
        REJECT_FILE = "reject_file", "Import nothing if any row is bad"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    bad_rows = models.CharField(max_length=12, choices=BadRows.choices, default=BadRows.KEEP_GOOD)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    job = models.OneToOneField("schools.Job", on_delete=models.CASCADE, related_name="attendance_import")
    rows_read = models.PositiveIntegerField(default=0)
    marks_written = models.PositiveIntegerField(default=0)
    marks_changed = models.PositiveIntegerField(default=0)
    marks_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    issues_file = models.FileField(upload_to="imports/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_kind_display()})"


class AttendanceMarkChange(models.Model):
    """A mark a later file corrected: what it was, what it became, and which file changed it."""

    enrolment = models.ForeignKey("schools.Enrolment", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    session = models.PositiveSmallIntegerField(choices=Session.choices)
    old_code = models.CharField(max_length=2)
    new_code = models.CharField(max_length=2)
    source = models.ForeignKey(AttendanceImport, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_session_display()}: {self.old_code} → {self.new_code}"


class PnThresholdRun(models.Model):
    """The penalty-notice threshold worked out for one period, LA-wide (schools.attendance.threshold): the worklist
    reads its entries instead of scanning every register week on each page. Made by the nightly job for the periods
    the picker offers, on first request for any other, and brought up to date for a school's pupils after each of
    its imports."""

    period_key = models.CharField(max_length=40)
    start = models.DateField()
    end = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period_key", "start", "end"], name="pn_run_once")]

    def __str__(self) -> str:
        return f"threshold {self.period_key} {self.start}–{self.end}"


class PnThresholdEntry(models.Model):
    """A pupil who met the threshold in a run's period: their first window, and the last action taken on it (kept
    up to date by the services that record actions: schools.attendance.threshold.note_action)."""

    class Action(models.TextChoices):
        CASE = "case", "Case opened"
        CONTACT = "contact", "Contact recorded"
        LETTER = "letter", "Letter sent"
        REQUEST = "request", "Notice requested"
        NOTICE = "notice", "Notice issued"

    run = models.ForeignKey(PnThresholdRun, on_delete=models.CASCADE, related_name="entries")
    enrolment = models.ForeignKey("schools.Enrolment", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    sessions = models.PositiveSmallIntegerField()
    window_start = models.DateField()
    window_end = models.DateField(help_text="The Monday of the school week the threshold was met in.")
    # The pupil's surname and first name, lower case, as written with the entry: the worklist's order (newest week,
    # then by name) read from one index instead of joining and sorting every pupil of a 30,000-row run. Display uses
    # the pupil's own names; a name changed since is put right at the next computation.
    sort_name = models.CharField(max_length=255, blank=True, default="")
    last_action_on = models.DateField(null=True, blank=True)
    last_action = models.CharField(max_length=10, choices=Action.choices, blank=True)

    objects = EnrolmentLinkedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "enrolment"], name="pn_entry_once")]
        indexes = [
            # The worklist: a run's entries by school (a school user, the school filter), newest first.
            models.Index(fields=["run", "school", "window_end"], name="pn_entry_school_idx"),
            # The worklist's default order, and its sort by name.
            models.Index(fields=["run", "-window_end", "sort_name", "id"], name="pn_entry_order_idx"),
            models.Index(fields=["run", "sort_name", "id"], name="pn_entry_name_idx"),
            # Recording an action finds the pupil's entries.
            models.Index(fields=["pupil", "window_start"], name="pn_entry_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} met the threshold by {self.window_end}"


class SchoolRegisterStatus(models.Model):
    """The last day a school's registers have reached the service (any mark of any pupil), kept by the register
    writer after every import (schools.attendance.freshness): which schools have stopped sending data is then one small
    table, not a scan of every register week."""

    school = models.OneToOneField("schools.School", primary_key=True, on_delete=models.CASCADE,
                                  related_name="register_status")
    last_register_date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "school register statuses"

    def __str__(self) -> str:
        return f"{self.school_id}: registers to {self.last_register_date}"
