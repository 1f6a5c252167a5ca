"""Case list exports (CSV and XLSX, the latter written with openpyxl).

The rows are exactly the filtered, scoped list the user is looking at; the "last action" column comes from the same
annotation as the page, so restricted entries never reach a school user's export.
"""

from __future__ import annotations

import csv
import io

from schools.attendance.codes import Stage as EngineStage
from schools.attendance.codes import as_percent
from schools.attendance.stages import STAGE_CHECK_LABELS
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
    # From cases.selectors.case_list_with_attendance: the year to date, as on the case list.
    ("Attendance (year to date)", lambda c: _attendance(c)),
    ("Suggested stage", lambda c: _suggested(c)),
    ("Stage against attendance", lambda c: STAGE_CHECK_LABELS.get(getattr(c, "stage_check", ""), "")),
]


def _attendance(case) -> str:
    possible, attended = getattr(case, "att_possible", None), getattr(case, "att_attended", None)
    return f"{as_percent(attended, possible)}%" if possible else ""


def _suggested(case) -> str:
    number = getattr(case, "suggested_stage", None)
    return EngineStage(number).label if number else ""


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


def cases_xlsx(cases) -> bytes:
    """One sheet of text cells, formula-looking text neutralised as in the CSV."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Cases")
    sheet.append([title for title, _ in CASE_EXPORT_COLUMNS])
    for row in case_rows(cases):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
