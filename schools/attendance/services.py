"""Writing register marks: starting an import, running it, and recomputing summaries.

An import is all-or-nothing at the database level: marks, change records and summaries are written in one
transaction, so a worker killed mid-way leaves nothing half-written and the job can be retried. Whether a file with
bad rows keeps its good rows is the uploader's choice (AttendanceImport.bad_rows), shown on the upload form.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from schools.attendance import writer
from schools.attendance.apply import MAX_LISTED_ISSUES, ImportOutcome, apply_marks, write_resolved
from schools.attendance.imports import marks_fast
from schools.attendance.imports.errors import issues_to_csv
from schools.attendance.imports.marks import parse_marks_csv
from schools.common import jobs
from schools.models import AttendanceImport, Job
from schools.roles import Capability, require

logger = logging.getLogger(__name__)


@transaction.atomic
def attendance_import_start(*, user, uploaded_file, kind: str, bad_rows: str) -> AttendanceImport:
    """Keep the uploaded file and queue the import; the page then follows its job."""
    require(user, Capability.IMPORT_ATTENDANCE, doing="import attendance")
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user,
                             params={"file": uploaded_file.name, "kind": kind, "bad_rows": bad_rows})
    attendance_import = AttendanceImport(kind=kind, original_name=uploaded_file.name[:255], bad_rows=bad_rows,
                                         uploaded_by=user, job=job)
    attendance_import.file.save(uploaded_file.name, uploaded_file, save=False)
    attendance_import.full_clean()
    attendance_import.save()
    jobs.job_enqueue(job, "schools.tasks.run_attendance_import", attendance_import.pk)
    return attendance_import


@contextmanager
def _local_path(field_file):
    """The stored upload as a local file (the storage's own path when it has one, so nothing is copied)."""
    try:
        yield Path(field_file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=Path(field_file.name).suffix) as copy, field_file.open("rb") as stream:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def _import_csv(attendance_import: AttendanceImport, job) -> ImportOutcome:
    """A register CSV, read in chunks (schools.attendance.imports.marks_fast) and folded into week rows as it is read,
    so memory stays flat however large the file; files only the line reader can read exactly go through it instead."""
    name = attendance_import.original_name
    with _local_path(attendance_import.file) as path:
        opened = marks_fast.open_fast(path, name=name)
        if opened is not None:
            try:
                return _import_csv_in_chunks(attendance_import, job, path, *opened)
            except marks_fast.Unreadable:
                logger.info("Attendance import %s: read line by line", attendance_import.pk)
        with path.open("rb") as stream:
            parsed = parse_marks_csv(stream, filename=name)
        jobs.job_mark_running(job, total=max(parsed.rows_read, 1))
        return apply_marks(attendance_import=attendance_import, rows=parsed.rows, rows_read=parsed.rows_read,
                           parse_issues=parsed.issues, progress=lambda done: jobs.job_progress(job, done=done))


def _import_csv_in_chunks(attendance_import: AttendanceImport, job, path: Path, shape, report) -> ImportOutcome:
    """The fast path: chunks read and checked by polars and folded into week rows as they come."""
    name = attendance_import.original_name
    if shape is None:
        return ImportOutcome(0, 0, 0, 0, 0, report.issues, applied=False)
    size = max(path.stat().st_size, 1)
    jobs.job_mark_running(job, total=size)
    resolver = writer.Resolver(attendance_import.uploaded_by, name, max_issues=MAX_LISTED_ISSUES)
    started = time.perf_counter()
    chunks = marks_fast.read_chunks(path, shape, report, max_rows=None, max_issues=MAX_LISTED_ISSUES)
    for chunk in marks_fast.read_ahead(chunks):
        resolver.add(chunk)
        # Reading and checking happen outside the write transaction, so the progress bar moves as they do.
        jobs.job_progress(job, done=min(report.bytes_read, size - 1))
    if report.stopped:
        return ImportOutcome(report.rows_read, 0, 0, 0, report.rows_read, report.issues, applied=False)

    def chunks_again():
        return marks_fast.read_chunks(path, shape, marks_fast.FastReport(name=name), max_rows=None, max_issues=0)

    resolved = resolver.finish(chunks_again)
    read = time.perf_counter()
    outcome = write_resolved(attendance_import, resolved, rows_read=report.rows_read, parse_issues=report.issues,
                     parse_rejected=report.rejected_lines, parse_suppressed=report.suppressed)
    logger.info("Attendance import %s: %s rows read and checked in %.1f s, %s weeks written in %.1f s",
                attendance_import.pk, report.rows_read, read - started, resolved.weeks_count,
                time.perf_counter() - read)
    jobs.job_progress(job, done=size)
    return outcome


def run_import(attendance_import: AttendanceImport) -> ImportOutcome:
    """Parse, apply and record the outcome (called by the Celery task)."""
    job = attendance_import.job
    if attendance_import.kind == AttendanceImport.Kind.CSV:
        outcome = _import_csv(attendance_import, job)
    else:
        from schools.attendance.imports.ctf_rows import ctf_rows
        from schools.attendance.review.services import hold_unmatched

        with attendance_import.file.open("rb") as stream:
            rows, rows_read, parse_issues = ctf_rows(stream, filename=attendance_import.original_name)
        if not rows_read and parse_issues:
            # Not a CTF that could be read (not XML, a DOCTYPE refused, no readable pupil): the job fails saying
            # why, instead of succeeding with "0 marks written".
            outcome = ImportOutcome(0, 0, 0, 0, 0, parse_issues, applied=False)
        else:
            # Pupils the authority cannot match with certainty wait in the CTF review queue with their marks.
            rows, parse_issues = hold_unmatched(attendance_import=attendance_import, rows=rows, issues=parse_issues)
            jobs.job_mark_running(job, total=max(rows_read, 1))
            outcome = apply_marks(attendance_import=attendance_import, rows=rows, rows_read=rows_read,
                                  parse_issues=parse_issues,
                                  progress=lambda done: jobs.job_progress(job, done=done))
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
        jobs.job_finish(job, status=Job.Status.SUCCEEDED, message=message)
    elif outcome.rejected and attendance_import.bad_rows == AttendanceImport.BadRows.REJECT_FILE:
        jobs.job_finish(job, status=Job.Status.FAILED, message=(
            f"Nothing was imported: {outcome.rejected:,} of {outcome.rows_read:,} rows have problems and you chose "
            f"to import nothing if any row is bad. Download the error report, fix the file and upload it again."))
    else:
        first = outcome.issues[0].reason if outcome.issues else "the file could not be read"
        jobs.job_finish(job, status=Job.Status.FAILED, message=(
            f"Nothing was imported: {first} Download the error report for the details."))
    return outcome
