"""Case list exports (CSV and XLSX) and the small XLSX writer they use.

The rows are exactly the filtered, scoped list the user is looking at; the "last action" column comes from the same
annotation as the page, so restricted entries never reach a school user's export.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.sax.saxutils import escape

from schools.exports import safe_cell

CASE_EXPORT_COLUMNS = [
    ("Case", lambda c: c.reference),
    ("UPN", lambda c: c.pupil.upn),
    ("Pupil", lambda c: c.pupil.legal_name),
    ("Date of birth", lambda c: c.pupil.date_of_birth.isoformat()),
    ("School", lambda c: c.school.name if c.school else ""),
    ("Partnership", lambda c: c.school.partnership.name if c.school and c.school.partnership else ""),
    ("Type", lambda c: c.get_case_type_display()),
    ("Status", lambda c: c.get_status_display()),
    ("Stage", lambda c: c.get_stage_display()),
    ("Officer", lambda c: c.officer.display_name if c.officer else "Unallocated"),
    ("Lead practitioner", lambda c: c.get_lead_practitioner_display()),
    ("Opened", lambda c: c.opened_on.isoformat()),
    ("Next review", lambda c: c.next_review_due.isoformat() if c.next_review_due else ""),
    ("Closed", lambda c: c.closed_on.isoformat() if c.closed_on else ""),
    ("Outcome", lambda c: c.get_outcome_display()),
    ("Last action date", lambda c: c.last_action_on.isoformat() if c.last_action_on else ""),
    ("Last action", lambda c: c.last_action_summary or ""),
]


def case_rows(cases):
    for case in cases.iterator(chunk_size=2000):
        yield [getter(case) for _, getter in CASE_EXPORT_COLUMNS]


def cases_csv(cases) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in CASE_EXPORT_COLUMNS])
    for row in case_rows(cases):
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# --- A minimal XLSX (Office Open XML spreadsheet) writer: one sheet of inline strings ---------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(ref: str, value, bold: bool = False) -> str:
    text = escape(_INVALID_XML.sub("", "" if value is None else str(value)))
    style = ' s="1"' if bold else ""
    return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_bytes(header: list[str], rows, *, sheet_name: str = "Cases") -> bytes:
    """A workbook with one sheet; every cell is text (no formulas can be smuggled in)."""
    lines = []
    for r, row in enumerate([header, *rows], start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", value, bold=r == 1) for c, value in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<sheetData>{"".join(lines)}</sheetData></worksheet>')
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<fonts count="2"><font><sz val="11"/><name val="Arial"/></font>'
            '<font><b/><sz val="11"/><name val="Arial"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
            '</styleSheet>'),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def cases_xlsx(cases) -> bytes:
    return xlsx_bytes([title for title, _ in CASE_EXPORT_COLUMNS], case_rows(cases))


def read_xlsx_rows(data: bytes) -> list[list[str]]:
    """Read back a workbook written by :func:`xlsx_bytes` (tests and round trips)."""
    from xml.etree import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    return [["".join(t.text or "" for t in cell.iterfind(".//m:t", ns)) for cell in row.iterfind("m:c", ns)]
            for row in root.iterfind(".//m:row", ns)]
