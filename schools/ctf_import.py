"""CTF attendance into the same rows the CSV importer produces, so both routes share one resolver and writer."""

from __future__ import annotations

from typing import IO

from schools.imports.ctf import parse_ctf
from schools.imports.errors import ImportIssue
from schools.imports.marks_csv import MarkRow


def ctf_rows(stream: IO[bytes], *, filename: str) -> tuple[list[MarkRow], int, list[ImportIssue]]:
    """(mark rows, rows read, issues). Each YearData's marks belong to the school named in it (LA + estab)."""
    parsed = parse_ctf(stream, filename=filename)
    rows: list[MarkRow] = []
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
            rows.extend(MarkRow(line=pupil.line, upn=pupil.upn, school_ref=school_ref, date=mark.date,
                                session=mark.session, code=mark.code, minutes_late=None, comment="")
                        for mark in year.marks)
    return rows, len(rows), issues
