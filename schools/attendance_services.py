"""Writing register marks: starting an import, running it, and recomputing summaries.

An import is all-or-nothing at the database level: marks, change records and summaries are written in one
transaction, so a worker killed mid-way leaves nothing half-written and the job can be retried. Whether a file with
bad rows keeps its good rows is the uploader's choice (AttendanceImport.bad_rows), shown on the upload form.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from schools import attendance_engine, services
from schools.attendance_codes import lookup
from schools.audit import record_change
from schools.imports.errors import ImportIssue, issues_to_csv
from schools.imports.marks_csv import parse_marks_csv
from schools.models import (
    AttendanceImport,
    AttendanceMark,
    AttendanceMarkChange,
    AuditEvent,
    Enrolment,
    Job,
    Pupil,
    School,
    Session,
)
from schools.roles import Capability
from schools.school_days import terms_for

BULK = 5000


@dataclass(frozen=True)
class IncomingMark:
    """A row resolved to the enrolment, term and meaning it will be stored with."""

    line: int
    enrolment_id: int
    date: datetime.date
    session: int
    code: str
    minutes_late: int | None


@transaction.atomic
def attendance_import_start(*, user, uploaded_file, kind: str, bad_rows: str) -> AttendanceImport:
    """Keep the uploaded file and queue the import; the page then follows its job."""
    if not user.can(Capability.IMPORT_ATTENDANCE):
        raise PermissionError(f"{user.username} may not import attendance.")
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user,
                             params={"file": uploaded_file.name, "kind": kind, "bad_rows": bad_rows})
    attendance_import = AttendanceImport(kind=kind, original_name=uploaded_file.name[:255], bad_rows=bad_rows,
                                         uploaded_by=user, job=job)
    attendance_import.file.save(uploaded_file.name, uploaded_file, save=False)
    attendance_import.full_clean()
    attendance_import.save()
    from schools.tasks import run_attendance_import

    transaction.on_commit(lambda: run_attendance_import.delay(attendance_import.pk))
    return attendance_import


class _Resolver:
    """Turns parsed rows into marks for enrolments the uploader may write to, reporting what cannot be placed."""

    def __init__(self, user, file_name: str, rows):
        self.user = user
        self.file_name = file_name
        self.issues: list[ImportIssue] = []
        refs = {row.school_ref for row in rows}
        schools = School.objects.filter(Q(urn__in=refs) | Q(laestab__in=refs))
        self.school_by_ref = {s.urn: s for s in schools} | {s.laestab: s for s in schools}
        self.writable_school_ids = set(School.objects.visible_to(user).values_list("pk", flat=True))
        upns = {row.upn for row in rows}
        pupils = Pupil.objects.filter(Q(upn__in=upns) | Q(former_upn__in=upns)).values_list("pk", "upn", "former_upn")
        self.pupil_by_upn = {upn: pk for pk, upn, _ in pupils} | {former: pk for pk, _, former in pupils if former}
        self.enrolments = defaultdict(list)
        for enrolment in Enrolment.objects.filter(pupil_id__in=set(self.pupil_by_upn.values())):
            self.enrolments[(enrolment.pupil_id, enrolment.school_id)].append(enrolment)
        dates = [row.date for row in rows] or [datetime.date.today()]
        self.first, self.last = min(dates), max(dates)
        self.terms: dict[int, list] = {}

    def _problem(self, row, field: str, value, reason: str) -> None:
        self.issues.append(ImportIssue(self.file_name, row.line, field, str(value), reason))

    def _term(self, school: School, day: datetime.date):
        if school.pk not in self.terms:
            self.terms[school.pk] = terms_for(school, self.first, self.last)[0]
        return next((t for t in self.terms[school.pk] if t.start_date <= day <= t.end_date), None)

    def resolve(self, row) -> tuple[IncomingMark, object] | None:
        school = self.school_by_ref.get(row.school_ref)
        if school is None:
            return self._problem(row, "school", row.school_ref, "No school in this authority has this URN or LAESTAB.")
        if school.pk not in self.writable_school_ids:
            return self._problem(row, "school", row.school_ref,
                                 "You can only import registers for your own school.")
        pupil_id = self.pupil_by_upn.get(row.upn)
        if pupil_id is None:
            return self._problem(row, "upn", row.upn, "No pupil with this UPN is known to the authority.")
        enrolment = next((e for e in self.enrolments[(pupil_id, school.pk)]
                          if e.start_date <= row.date and (e.end_date is None or row.date <= e.end_date)), None)
        if enrolment is None:
            return self._problem(row, "date", row.date.isoformat(),
                                 f"The pupil was not on {school.name}'s roll on this date.")
        term = self._term(school, row.date)
        if term is None or row.date.weekday() >= 5:
            return self._problem(row, "date", row.date.isoformat(),
                                 f"This date is not in one of {school.name}'s terms (or is a weekend).")
        session = Session.AM if row.session == "AM" else Session.PM
        return IncomingMark(row.line, enrolment.pk, row.date, session, row.code, row.minutes_late), term


def _mark_from(incoming: IncomingMark, term, source_id: int) -> AttendanceMark:
    meaning = lookup(incoming.code, incoming.date)
    return AttendanceMark(
        enrolment_id=incoming.enrolment_id, date=incoming.date, session=incoming.session, code=meaning.code,
        category=meaning.category, counts_pn=meaning.pn_threshold, is_late=meaning.is_late,
        minutes_late=incoming.minutes_late, week_start=incoming.date - datetime.timedelta(days=incoming.date.weekday()),
        academic_year_id=term.academic_year_id, term_id=term.pk, source_id=source_id,
    )


def _existing_marks(enrolment_ids: set[int], first: datetime.date, last: datetime.date) -> dict:
    existing = {}
    ids = sorted(enrolment_ids)
    for start in range(0, len(ids), 500):
        rows = AttendanceMark.objects.filter(enrolment_id__in=ids[start:start + 500], date__range=(first, last))
        for mark in rows.only("pk", "enrolment_id", "date", "session", "code", "minutes_late"):
            existing[(mark.enrolment_id, mark.date, mark.session)] = mark
    return existing


@dataclass
class ImportOutcome:
    rows_read: int
    written: int
    changed: int
    unchanged: int
    rejected: int
    issues: list[ImportIssue]
    applied: bool


def apply_marks(*, attendance_import: AttendanceImport, rows, rows_read: int, parse_issues: list[ImportIssue],
                progress=None) -> ImportOutcome:
    """Resolve parsed rows and write them in one transaction, unless the policy says a bad file is refused whole."""
    user = attendance_import.uploaded_by
    resolver = _Resolver(user, attendance_import.original_name, rows)
    resolved = [r for r in (resolver.resolve(row) for row in rows) if r is not None]
    issues = parse_issues + resolver.issues
    rejected = len({issue.line for issue in issues if issue.line is not None})
    if issues and attendance_import.bad_rows == AttendanceImport.BadRows.REJECT_FILE:
        return ImportOutcome(rows_read, 0, 0, 0, rejected, issues, applied=False)

    with transaction.atomic():
        existing = _existing_marks({m.enrolment_id for m, _ in resolved}, resolver.first, resolver.last)
        new, changed, changes = [], [], []
        unchanged = 0
        for incoming, term in resolved:
            key = (incoming.enrolment_id, incoming.date, incoming.session)
            mark = _mark_from(incoming, term, attendance_import.pk)
            current = existing.get(key)
            if current is None:
                new.append(mark)
            elif current.code == mark.code and current.minutes_late == mark.minutes_late:
                unchanged += 1
            else:
                changes.append(AttendanceMarkChange(enrolment_id=incoming.enrolment_id, date=incoming.date,
                                                    session=incoming.session, old_code=current.code,
                                                    new_code=mark.code, source=attendance_import))
                mark.pk = current.pk
                changed.append(mark)
        AttendanceMark.objects.bulk_create(new, batch_size=BULK)
        AttendanceMark.objects.bulk_update(changed, ["code", "category", "counts_pn", "is_late", "minutes_late",
                                                     "source"], batch_size=BULK)
        AttendanceMarkChange.objects.bulk_create(changes, batch_size=BULK)
        if progress:
            progress(len(rows))
        attendance_engine.recompute_enrolments({m.enrolment_id for m, _ in resolved})
        record_change(user=user, action=AuditEvent.Action.CREATE, instance=attendance_import,
                      path=f"{len(new)} marks written, {len(changed)} changed")
    return ImportOutcome(rows_read, len(new), len(changed), unchanged, rejected, issues, applied=True)


def run_import(attendance_import: AttendanceImport) -> ImportOutcome:
    """Parse, apply and record the outcome (called by the Celery task)."""
    job = attendance_import.job
    with attendance_import.file.open("rb") as stream:
        if attendance_import.kind == AttendanceImport.Kind.CSV:
            parsed = parse_marks_csv(stream, filename=attendance_import.original_name)
            rows, rows_read, parse_issues = parsed.rows, parsed.rows_read, parsed.issues
        else:
            from schools.ctf_import import ctf_rows

            rows, rows_read, parse_issues = ctf_rows(stream, filename=attendance_import.original_name)
    services.job_mark_running(job, total=max(rows_read, 1))
    outcome = apply_marks(attendance_import=attendance_import, rows=rows, rows_read=rows_read,
                          parse_issues=parse_issues, progress=lambda done: services.job_progress(job, done=done))
    AttendanceImport.objects.filter(pk=attendance_import.pk).update(
        rows_read=outcome.rows_read, marks_written=outcome.written, marks_changed=outcome.changed,
        marks_unchanged=outcome.unchanged, rows_rejected=outcome.rejected)
    if outcome.issues:
        attendance_import.issues_file.save(f"issues-{attendance_import.pk}.csv",
                                           ContentFile(issues_to_csv(outcome.issues).encode("utf-8-sig")), save=False)
        AttendanceImport.objects.filter(pk=attendance_import.pk).update(issues_file=attendance_import.issues_file.name)
    if outcome.applied:
        message = (f"{outcome.rows_read:,} rows read: {outcome.written:,} marks written, {outcome.changed:,} changed, "
                   f"{outcome.unchanged:,} unchanged, {outcome.rejected:,} rows rejected.")
        services.job_finish(job, status=Job.Status.SUCCEEDED, message=message)
    else:
        services.job_finish(job, status=Job.Status.FAILED, message=(
            f"Nothing was imported: {outcome.rejected:,} of {outcome.rows_read:,} rows have problems and you chose "
            f"to import nothing if any row is bad. Download the error report, fix the file and upload it again."))
    return outcome
