"""Reading a register-marks CSV into MarkRows, for small files and tests (the import itself folds marks_fast's chunks
into week rows without building rows): the vectorised reader (marks_fast) when it can read the file, the line reader
(marks_csv) otherwise, so both share one set of rules and messages."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from schools.attendance.imports import marks_fast
from schools.attendance.imports.errors import IssueCollector
from schools.attendance.imports.marks_csv import (
    DEFAULT_MAX_ISSUES,
    DEFAULT_MAX_ROWS,
    SESSIONS,
    MarkRow,
    ParsedMarks,
    file_name_of,
    parse_lines_of,
    stream_position,
)


def parse_marks_csv(stream: IO[bytes], *, filename: str | None = None, max_rows: int | None = DEFAULT_MAX_ROWS,
                    max_issues: int | None = DEFAULT_MAX_ISSUES, check_codes: bool = True) -> ParsedMarks:
    """Read a register-marks CSV from a binary file-like object (e.g. a Django ``UploadedFile``) into MarkRows. Never
    raises on bad content; the stream is left open. The vectorised reader reads it when it can (a seekable stream it
    may copy), the line reader otherwise."""
    name = file_name_of(stream, filename)
    start = stream_position(stream)
    if start is not None:
        with _local_copy(stream, start) as path:
            opened = marks_fast.open_fast(path, name=name)
            if opened is not None:
                shape, report = opened
                try:
                    chunks = [] if shape is None else list(marks_fast.read_chunks(
                        path, shape, report, max_rows=max_rows, max_issues=max_issues, check_codes=check_codes))
                except marks_fast.Unreadable:
                    opened = None
        stream.seek(start)
        if opened is not None:
            return _rows_from_chunks(chunks, report, name, max_issues)
    return parse_lines_of(stream, name, max_rows, max_issues, check_codes)


def _rows_from_chunks(chunks, report, name: str, max_issues: int | None) -> ParsedMarks:
    import polars as pl


    if report.stopped:
        return ParsedMarks(rows=[], issues=report.issues, rows_read=report.rows_read,
                           encoding="utf-8" if report.columns else None)
    frame = pl.concat(chunks) if chunks else pl.DataFrame(schema=marks_fast.ROW_SCHEMA)
    drop, _rejected, duplicate_issues = marks_fast.duplicate_marks(frame, ["upn", "school_ref", "date", "session"],
                                                                    name=name)
    rows = [MarkRow(line, upn, school_ref, day, SESSIONS[session], code, minutes, comment or "")
            for line, upn, school_ref, day, session, code, minutes, comment in frame.iter_rows() if line not in drop]
    collector = IssueCollector(name, max_issues)
    for issue in sorted(report.issues + duplicate_issues, key=lambda issue: issue.line or 0):
        collector.add(issue.line, issue.field, issue.value, issue.reason)
    collector.suppressed += report.suppressed
    return ParsedMarks(rows=rows, issues=collector.finish(), rows_read=report.rows_read, encoding="utf-8")


@contextmanager
def _local_copy(stream: IO[bytes], start: int):
    """The stream as a local file polars can scan: its own path when it has one, else a temporary copy."""
    path = getattr(stream, "name", None)
    if isinstance(path, str) and os.path.isfile(path) and start == 0:
        yield Path(path)
        return
    with tempfile.NamedTemporaryFile(suffix=".csv") as copy:
        stream.seek(start)
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)
