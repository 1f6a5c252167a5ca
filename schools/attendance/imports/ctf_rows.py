"""CTF attendance into the same rows the CSV importer produces, so both routes share one resolver and writer.

Each row also carries the pupil as the file describes them (``CtfMarkRow.pupil``), so the CTF review queue
(schools.attendance.review.services) can hold pupils the authority cannot match with certainty before any mark is
written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from schools.attendance.imports.ctf import CtfPupil, parse_ctf
from schools.attendance.imports.errors import ImportIssue
from schools.attendance.imports.marks_csv import MarkRow


@dataclass(frozen=True)
class CtfMarkRow(MarkRow):
    """A mark row from a CTF, with the file's description of its pupil (name, date of birth, former UPN)."""

    pupil: CtfPupil | None = field(default=None, compare=False, repr=False)


def ctf_rows(stream: IO[bytes], *, filename: str) -> tuple[list[CtfMarkRow], int, list[ImportIssue]]:
    """(mark rows, rows read, issues). Each YearData's marks belong to the school named in it (LA + estab)."""
    parsed = parse_ctf(stream, filename=filename)
    rows: list[CtfMarkRow] = []
    issues = list(parsed.issues)
    for pupil in parsed.pupils:
        for year in pupil.attendance:
            if not (year.la and year.estab):
                if year.marks:
                    issues.append(ImportIssue(filename, pupil.line, "LA/Estab", None, (
                        f"Attendance for {year.year or 'a year'} has no LA and Estab, so it cannot be placed at a "
                        f"school; its {len(year.marks)} marks were not imported.")))
                continue
            school_ref = f"{year.la}{year.estab}"
            rows.extend(CtfMarkRow(line=pupil.line, upn=pupil.upn, school_ref=school_ref, date=mark.date,
                                   session=mark.session, code=mark.code, minutes_late=None, comment="", pupil=pupil)
                        for mark in year.marks)
    return rows, len(rows), issues
