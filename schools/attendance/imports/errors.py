"""Problems found while reading an uploaded file, written so a school attendance lead can act on them.

Parsers never raise on bad input: they return what they could read plus a list of ``ImportIssue``. Each issue names
the file, the line (1-based, as a spreadsheet or text editor shows it), the column or element, the offending value
(cut to 100 characters) and a plain-English reason such as "Session must be AM or PM."

``write_issues_csv`` turns a list of issues into a CSV report. Uploaded files are untrusted, so every cell that a
spreadsheet would treat as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with ``'`` (OWASP "CSV injection" guidance).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from schools.exports import safe_cell

VALUE_MAX_CHARS = 100
CSV_COLUMNS = ("file", "line", "field", "value", "reason")


@dataclass(frozen=True)
class ImportIssue:
    """One problem in an uploaded file. ``line`` is None for whole-file problems that have no line (e.g. encoding)."""

    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str

    def __post_init__(self) -> None:
        value = self.value
        if value is not None:
            value = str(value)
            if len(value) > VALUE_MAX_CHARS:
                value = value[: VALUE_MAX_CHARS - 1] + "…"
            object.__setattr__(self, "value", value)

    def as_row(self) -> tuple[str, str, str, str, str]:
        return (self.file, "" if self.line is None else str(self.line), self.field or "", self.value or "",
                self.reason)


def neutralise_cell(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would otherwise run as a formula (the exports' one rule)."""
    return safe_cell(text)


def write_issues_csv(issues: Iterable[ImportIssue], out: TextIO) -> None:
    """Write ``file,line,field,value,reason`` rows to a text stream (open it with ``newline=""``)."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for issue in issues:
        writer.writerow([neutralise_cell(cell) for cell in issue.as_row()])


def issues_to_csv(issues: Iterable[ImportIssue]) -> str:
    """The CSV report as a string, for a download response."""
    buffer = io.StringIO(newline="")
    write_issues_csv(issues, buffer)
    return buffer.getvalue()


class IssueCollector:
    """Collects issues up to a limit so a broken 2 GB upload cannot fill memory with millions of issues.

    Past the limit, issues are counted rather than kept, and ``finish`` adds one closing issue saying how many more
    there were. The parser carries on reading, so rows are still checked; only the listing stops.
    """

    def __init__(self, file: str, limit: int | None = 1000):
        self.file = file
        self.limit = limit
        self.issues: list[ImportIssue] = []
        self.suppressed = 0

    def add(self, line: int | None, field: str | None, value: str | None, reason: str) -> None:
        if self.limit is not None and len(self.issues) >= self.limit:
            self.suppressed += 1
            return
        self.issues.append(ImportIssue(self.file, line, field, value, reason))

    def __bool__(self) -> bool:
        return bool(self.issues) or self.suppressed > 0

    def finish(self) -> list[ImportIssue]:
        issues = list(self.issues)
        if self.suppressed:
            issues.append(ImportIssue(self.file, None, None, None,
                                      f"There are {self.suppressed:,} more problems in this file that are not listed "
                                      f"here. Fix the ones above and upload the file again to see the rest."))
        return issues
