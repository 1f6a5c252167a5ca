"""CTF attendance becomes importer rows; nothing is dropped without a reported reason."""

from __future__ import annotations

import io

from schools.attendance.imports.ctf_rows import ctf_rows
from tests.attendance.test_import_parsers import CTF_XML, UPN1


def test_year_data_with_a_school_becomes_rows_and_without_one_is_reported():
    rows, rows_read, issues = ctf_rows(io.BytesIO(CTF_XML.encode()), filename="pupils.xml")
    assert rows and {row.upn for row in rows} == {UPN1}
    assert {row.school_ref for row in rows} == {"8454012"}
    assert rows_read == len(rows)
    unplaced = [issue for issue in issues if issue.field == "LA/Estab"]
    assert len(unplaced) == 1 and "were not imported" in unplaced[0].reason
