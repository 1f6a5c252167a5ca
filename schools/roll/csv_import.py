"""Many roll notifications at once from a CSV file: every row is checked first, and the notices are saved only if
every row is right (one transaction); otherwise nothing is saved and each problem names the file, the row (as a
spreadsheet numbers it: the header is row 1), the column and what to do.

Columns (header names, any order; ``kind``, ``upn``, names, ``date_of_birth`` and ``date`` always needed):
``kind`` (admission or deletion), ``school_urn`` (may be left out by a user of one school), ``upn``, ``first_name``,
``last_name``, ``date_of_birth``, ``sex`` (F or M), ``nc_year`` (R, N1, N2 or 1-14), ``date`` (admitted or deleted on),
``address``, ``previous_school``, ``ground`` (the reg 9(1) letter, a-o, or "9(1)(f)"), ``new_address``,
``new_address_from``, ``new_school_urn``, ``new_school_name``, ``new_school_start``, ``parent_name``,
``parent_phone``, ``notes``. Dates as 2026-11-23 or 23/11/2026.
"""

from __future__ import annotations

import csv
import datetime
import io
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from schools.attendance.imports.errors import ImportIssue
from schools.models import RollNotification, School
from schools.roll import services
from schools.scoping import is_la_user

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ["kind", "school_urn", "upn", "first_name", "last_name", "date_of_birth", "sex", "nc_year", "date",
           "address", "previous_school", "ground", "new_address", "new_address_from", "new_school_urn",
           "new_school_name", "new_school_start", "parent_name", "parent_phone", "notes"]
REQUIRED_COLUMNS = ("kind", "upn", "first_name", "last_name", "date_of_birth", "date")
#: The service's field names as the file's column names, so a problem names the column to fix.
COLUMN_OF = {"event_date": "date", "previous_school_name": "previous_school", "new_school": "new_school_urn",
             "school": "school_urn", NON_FIELD_ERRORS: None}
TEXT = {"upn": "upn", "first_name": "first_name", "last_name": "last_name", "address": "address",
        "previous_school": "previous_school_name", "new_address": "new_address", "new_school_name": "new_school_name",
        "parent_name": "parent_name", "parent_phone": "parent_phone", "notes": "notes"}
DATES = {"date_of_birth": "date_of_birth", "date": "event_date", "new_address_from": "new_address_from",
         "new_school_start": "new_school_start"}
NC_WORDS = {"N1": -2, "N2": -1, "R": 0}
TEMPLATE = ",".join(COLUMNS) + "\n"


class RowError(Exception):
    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


def _date(column: str, text: str) -> datetime.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(column, text, "Enter a real date as 2026-11-23 or 23/11/2026.")


def _nc_year(text: str) -> int | None:
    if not text:
        return None
    word = text.upper().replace("YEAR", "").replace("Y", "").strip()
    if word in NC_WORDS:
        return NC_WORDS[word]
    if word.isdigit() and 1 <= int(word) <= 14:
        return int(word)
    raise RowError("nc_year", text, "Enter the NC year as R, N1, N2 or a number from 1 to 14.")


def _ground(text: str) -> str:
    if not text:
        return ""
    found = re.fullmatch(r"(?:reg(?:ulation)?\s*)?(?:9\s*\(1\)\s*)?\(?([a-o])\)?", text.strip().lower())
    if not found:
        raise RowError("ground", text, "Enter the ground as its letter in regulation 9(1), a to o (e.g. f).")
    return found.group(1)


def _school(column: str, urn: str, schools: dict[str, School]) -> School | None:
    if not urn:
        return None
    school = schools.get(urn)
    if school is None:
        raise RowError(column, urn, "No school with this URN is in the LA." if column == "new_school_urn"
                       else "This is not one of your schools' URNs.")
    return school


def _row_to_call(row: dict, *, own_schools: dict[str, School], all_schools: dict[str, School],
                 default_school: School | None) -> dict:
    kind = row.get("kind", "").lower()
    if kind not in RollNotification.Kind.values:
        raise RowError("kind", row.get("kind", ""), "Enter admission or deletion.")
    school = _school("school_urn", row.get("school_urn", ""), own_schools) or default_school
    if school is None:
        raise RowError("school_urn", "", "Enter the URN of the school sending the notice.")
    sex = row.get("sex", "").upper()
    if sex not in ("", "F", "M"):
        raise RowError("sex", row["sex"], "Enter F or M (or leave it empty).")
    fields = {name: row.get(column, "") for column, name in TEXT.items()}
    fields.update({name: _date(column, row.get(column, "")) for column, name in DATES.items()})
    fields.update(sex=sex, nc_year=_nc_year(row.get("nc_year", "")), ground=_ground(row.get("ground", "")),
                  new_school=_school("new_school_urn", row.get("new_school_urn", ""), all_schools))
    return {"school": school, "kind": kind, "fields": fields}


def _decode(content: bytes, name: str) -> tuple[list[dict] | None, list[ImportIssue]]:
    if len(content) > MAX_BYTES:
        return None, [ImportIssue(name, None, None, None, "The file is over 2 MB: split it into smaller files.")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [ImportIssue(name, None, None, None, "The file is not UTF-8 text: save it from your "
                                                          "spreadsheet as \"CSV UTF-8\".")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return None, [ImportIssue(name, 1, ", ".join(missing), None,
                                  "The header row lacks these columns; download the template for the names.")]
    reader.fieldnames = headers
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            return None, [ImportIssue(name, None, None, None, f"The file has more than {MAX_ROWS:,} rows: split it.")]
        rows.append({(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()})
    if not rows:
        return None, [ImportIssue(name, None, None, None, "The file has a header row but no notices.")]
    return rows, []


def import_csv(*, user, name: str, content: bytes) -> tuple[list[RollNotification], list[ImportIssue]]:
    """(the notices saved, the problems): with any problem, nothing is saved."""
    rows, issues = _decode(content, name)
    if rows is None:
        return [], issues
    own = {s.urn: s for s in School.objects.visible_to(user)}
    every = {s.urn: s for s in School.objects.all()}
    default = next(iter(own.values())) if len(own) == 1 and not is_la_user(user) else None
    prepared, seen = [], {}
    for number, row in enumerate(rows, start=2):
        try:
            call = _row_to_call(row, own_schools=own, all_schools=every, default_school=default)
            notice = services.prepare(user=user, source=RollNotification.Source.CSV, school=call["school"],
                                      kind=call["kind"], **call["fields"])
        except RowError as error:
            issues.append(ImportIssue(name, number, error.column, error.value, error.reason))
            continue
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = COLUMN_OF.get(field, field)
                issues.append(ImportIssue(name, number, column, row.get(column or "", None), messages[0]))
            continue
        key = (notice.school_id, notice.kind, notice.upn, notice.event_date)
        if key in seen:
            issues.append(ImportIssue(name, number, "upn", notice.upn, f"Row {seen[key]} has the same notice."))
            continue
        seen[key] = number
        prepared.append(notice)
    if issues:
        return [], issues
    return services.notifications_submit_many(user=user, notices=prepared), []
