"""CSV and XLSX downloads of the attendance lists: exactly the filtered, scoped rows the page shows, headed by the
period the figures cover. Cells a spreadsheet would run as formulas are neutralised (schools.exports.safe_cell), in
the XLSX as in the CSV; the XLSX is written with openpyxl as cases.exports does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpResponse

from schools.attendance.codes import Stage, absence_rate, attendance_rate, rate_as_percent
from schools.attendance.stages import STAGE_CHECK_LABELS
from schools.exports import safe_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _percent(rate) -> str:
    return "" if rate is None else f"{rate_as_percent(rate)}%"


@dataclass(frozen=True)
class Table:
    title: str  # sheet name and the first line's subject
    period_label: str | None
    columns: list[tuple[str, Callable]]
    rows: Iterable

    def header_lines(self) -> list[list[str]]:
        lines = [[self.title]]
        if self.period_label:
            lines.append([f"Period: {self.period_label}"])
        return lines

    def values(self):
        for row in self.rows:
            yield [getter(row) for _, getter in self.columns]


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in table.header_lines():
        writer.writerow([safe_cell(cell) for cell in line])
    writer.writerow([title for title, _ in table.columns])
    for values in table.values():
        writer.writerow([safe_cell(value) for value in values])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    for line in table.header_lines():
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", safe_cell(cell)) for cell in line])
    sheet.append([title for title, _ in table.columns])
    for values in table.values():
        # Numbers stay numbers so the sheet can add them up; text is neutralised as in the CSV.
        sheet.append([value if isinstance(value, int) and not isinstance(value, bool)
                      else ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(table: Table, fmt: str, filename: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(table), content_type=XLSX_TYPE)
    else:
        fmt = "csv"
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- Columns per list -------------------------------------------------------------------------------------------------


def session_label(mark) -> str:
    """AM or PM for a mark read back from the register (session 0 or 1)."""
    return "PM" if int(mark.session) else "AM"


def _stage_label(number) -> str:
    return Stage(number).label if number else ""


def _case_stage_label(value) -> str:
    from schools.stages import Stage as CaseStage

    return CaseStage(value).label if value else ""


PUPIL_COLUMNS = [
    ("UPN", lambda r: r.pupil.upn),
    ("Surname", lambda r: r.pupil.legal_last_name),
    ("Forename", lambda r: r.pupil.legal_first_name),
    ("School", lambda r: r.school.name),
    ("URN", lambda r: r.school.urn),
    ("Phase", lambda r: r.school.get_phase_display()),
    ("Partnership", lambda r: r.school.partnership.name if r.school.partnership else ""),
    ("Possible sessions", lambda r: r.possible),
    ("Attended", lambda r: r.present + r.aea),
    ("Authorised absence", lambda r: r.authorised),
    ("Unauthorised absence", lambda r: r.unauthorised),
    ("Attendance rate", lambda r: _percent(attendance_rate(r.possible, r.present + r.aea))),
    ("Absence rate", lambda r: _percent(absence_rate(r.possible, r.authorised + r.unauthorised))),
    ("Suggested stage", lambda r: _stage_label(r.suggested_stage)),
    ("Open attendance case stage", lambda r: _case_stage_label(r.case_stage)),
    ("Stage check", lambda r: STAGE_CHECK_LABELS.get(r.stage_check, "")),
]

OVERVIEW_COLUMNS = [
    ("Group", lambda r: r["label"]),
    ("URN", lambda r: r["urn"] or ""),
    ("Possible sessions", lambda r: r["total"].possible),
    ("Overall absence", lambda r: _percent(r["total"].absence_rate)),
    ("Authorised absence", lambda r: _percent(r["total"].authorised_rate)),
    ("Unauthorised absence", lambda r: _percent(r["total"].unauthorised_rate)),
    ("Persistently absent pupils", lambda r: r["pa"]),
    ("Severely absent pupils", lambda r: r["sa"]),
]

def _stage_name(stage) -> str:
    from schools.stages import STAGES

    return STAGES[stage].short_label if stage in STAGES else ""


# The threshold worklist: rows are {"entry": PnThresholdEntry (with the worklist's annotations), "sessions": marks,
# "officer": name}.
PN_COLUMNS = [
    ("UPN", lambda r: r["entry"].pupil.upn),
    ("Surname", lambda r: r["entry"].pupil.legal_last_name),
    ("Forename", lambda r: r["entry"].pupil.legal_first_name),
    ("School", lambda r: r["entry"].school.name),
    ("Year group", lambda r: r["entry"].enrolment.get_nc_year_display()),
    ("Window from (week beginning)", lambda r: r["entry"].window_start.isoformat()),
    ("Window to (week beginning)", lambda r: r["entry"].window_end.isoformat()),
    ("Unauthorised sessions in the window", lambda r: r["entry"].sessions),
    ("Open case stage", lambda r: _stage_name(getattr(r["entry"], "case_stage", None))),
    ("Case officer", lambda r: r["officer"]),
    ("Notices in the last 3 years", lambda r: "" if getattr(r["entry"], "notices_3y", None) is None
     else r["entry"].notices_3y),
    ("Last action", lambda r: (f"{r['entry'].get_last_action_display()} {r['entry'].last_action_on.isoformat()}"
                               if r["entry"].last_action_on else "")),
    ("Sessions that met the threshold", lambda r: "; ".join(
        f"{m.date.isoformat()} {session_label(m)} {m.code}" for m in r["sessions"])),
]

IMPORT_COLUMNS = [
    ("Import", lambda i: i.pk),
    ("File", lambda i: i.original_name),
    ("Kind", lambda i: i.get_kind_display()),
    ("Uploaded by", lambda i: i.uploaded_by.display_name),
    ("Uploaded at", lambda i: i.job.created_at.isoformat(timespec="minutes")),
    ("Status", lambda i: i.job.get_status_display()),
    ("Bad rows", lambda i: i.get_bad_rows_display()),
    ("Rows read", lambda i: i.rows_read),
    ("Marks written", lambda i: i.marks_written),
    ("Marks changed", lambda i: i.marks_changed),
    ("Unchanged", lambda i: i.marks_unchanged),
    ("Rows rejected", lambda i: i.rows_rejected),
    ("Pupils waiting for review", lambda i: i.held_pending),
]
