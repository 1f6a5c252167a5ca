"""Applying parsed register rows: resolve them to enrolments and weeks, apply the uploader's choice for bad rows, and
write everything in one transaction with its audit row. The one writer behind every import (CSV, CTF, and the held
marks the CTF review queue releases), so the review queue and the import service both call it without importing
each other."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction

from schools.attendance import writer
from schools.attendance.imports.errors import ImportIssue, IssueCollector
from schools.audit import record_change
from schools.models import AttendanceImport, AuditEvent

logger = logging.getLogger(__name__)

# Problems listed in an import's error report; the rest are counted in its last line.
MAX_LISTED_ISSUES = 10_000


@dataclass
class ImportOutcome:
    """What an import did: rows read, marks written, changed and unchanged, rows rejected with their problems, and
    whether anything was saved (False when the uploader chose to import nothing if any row is bad)."""

    rows_read: int
    written: int
    changed: int
    unchanged: int
    rejected: int
    issues: list[ImportIssue]
    applied: bool
    school_ids: tuple[int, ...] = ()  # the schools whose registers it wrote (what is worked out again after it)


def _listed(issues: list[ImportIssue], suppressed: int, name: str) -> list[ImportIssue]:
    collector = IssueCollector(name, MAX_LISTED_ISSUES)
    for issue in sorted(issues, key=lambda issue: issue.line or 0):
        collector.add(issue.line, issue.field, issue.value, issue.reason)
    collector.suppressed += suppressed
    return collector.finish()


def write_resolved(attendance_import: AttendanceImport, resolved: writer.Resolved, *, rows_read: int,
           parse_issues: list[ImportIssue], parse_rejected: int, parse_suppressed: int = 0) -> ImportOutcome:
    """Apply the uploader's choice for bad rows, then write everything in one transaction with its audit row."""
    issues = _listed(parse_issues + resolved.issues, parse_suppressed + resolved.suppressed,
                     attendance_import.original_name)
    rejected = parse_rejected + len(resolved.rejected_lines)
    if issues and attendance_import.bad_rows == AttendanceImport.BadRows.REJECT_FILE:
        return ImportOutcome(rows_read, 0, 0, 0, rejected, issues, applied=False)
    with transaction.atomic():
        outcome = writer.write(resolved, source_id=attendance_import.pk)
        record_change(user=attendance_import.uploaded_by, action=AuditEvent.Action.CREATE, instance=attendance_import,
                      path=f"{outcome.written} marks written, {outcome.changed} changed")
    writer.refresh_statistics(outcome)
    if resolved.school_days is not None:
        school_ids = tuple(sorted(resolved.school_days))
    else:
        school_ids = _schools_of(resolved.weeks["enrolment_id"].unique().to_list())
    if resolved.weeks_count:
        _after_write(school_ids, resolved.first_week, resolved.school_days)
    return ImportOutcome(rows_read, outcome.written, outcome.changed, outcome.unchanged, rejected, issues,
                         applied=True, school_ids=school_ids)


def _after_write(school_ids, first_week, school_days=None) -> None:
    """What new marks change beyond their summaries: each school's last register day (schools.attendance.freshness,
    at once: a small upsert) and, queued once the marks are committed, the penalty-notice threshold worklist of its
    pupils (schools.attendance.tasks: a scan of the schools' registers from the first week written, which the person
    importing need not wait for). A failure is logged, never the import's: the marks are saved, and the nightly run
    puts the worklist right."""
    from schools.attendance import freshness
    from schools.attendance.tasks import refresh_threshold_worklist

    try:
        if school_days is not None:
            freshness.record_days(school_days)
        else:
            freshness.record_received(school_ids, since=first_week)
    except Exception:  # the import itself succeeded; see the docstring
        logger.exception("Data freshness not brought up to date for schools %s", school_ids)

    def queue_refresh():
        try:
            refresh_threshold_worklist.delay(list(school_ids), first_week.isoformat() if first_week else None)
        except Exception:  # kombu raises OperationalError (or OSError) when the broker is unreachable
            logger.exception("Threshold worklist refresh for schools %s not run or queued; the nightly run will "
                             "catch up", school_ids)

    transaction.on_commit(queue_refresh)


def _schools_of(enrolment_ids: list[int]) -> tuple[int, ...]:
    """The schools of the enrolments a file wrote (in batches: an LA-wide file names every enrolment)."""
    from schools.models import Enrolment

    schools: set[int] = set()
    for first in range(0, len(enrolment_ids), 10_000):
        schools.update(Enrolment.objects.filter(pk__in=enrolment_ids[first:first + 10_000]).order_by()
                       .values_list("school_id", flat=True).distinct())
    return tuple(sorted(schools))


def apply_marks(*, attendance_import: AttendanceImport, rows, rows_read: int, parse_issues: list[ImportIssue],
                progress=None) -> ImportOutcome:
    """Resolve parsed MarkRows (a CTF's, a held CTF pupil's, or a file the line reader read) and write them."""
    frame = writer.rows_frame(rows)
    resolver = writer.Resolver(attendance_import.uploaded_by, attendance_import.original_name,
                               max_issues=MAX_LISTED_ISSUES)
    resolver.add(frame)
    resolved = resolver.finish(lambda: [frame])
    if progress:
        progress(rows_read)
    return write_resolved(attendance_import, resolved, rows_read=rows_read, parse_issues=parse_issues,
                  parse_rejected=len({issue.line for issue in parse_issues if issue.line is not None}))
