"""CSV export columns and rows. Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

PUPIL_EXPORT_COLUMNS = [
    ("UPN", "upn"),
    ("Legal first name", "legal_first_name"),
    ("Legal last name", "legal_last_name"),
    ("Preferred name", "preferred_first_name"),
    ("Date of birth", "date_of_birth"),
    ("Sex", "sex"),
    ("Current school", "current_school_name"),
    ("NC year", "current_nc_year"),
    ("SEN", "sen_status"),
    ("FSM", "fsm_eligible"),
    ("Looked after", "looked_after"),
    ("CIN/CP", "cin_cp"),
]


def safe_cell(value) -> str:
    """Prefix text that would start a formula so Excel shows it as text (OWASP CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def xlsx_cell(value) -> str:
    """``safe_cell`` for a workbook: also drops the control characters XLSX cannot hold (openpyxl refuses them, so
    one stray character in a pupil's name would otherwise make the whole download fail)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def pupil_export_rows(pupils):
    fields = [field for _, field in PUPIL_EXPORT_COLUMNS]
    for values in pupils.values_list(*fields).iterator(chunk_size=2000):
        yield [safe_cell(v) for v in values]
