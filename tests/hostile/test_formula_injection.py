"""Spreadsheet-formula injection: every CSV and XLSX download neutralises text a spreadsheet would run.

Pupils, carers and schools in the permission matrix's fixture (every area's records) are renamed to text starting
with ``=`` ``+`` ``-`` ``@``, a tab and a carriage return. Then every URL name in the matrix is fetched as a role that
may open it, plain and with each export switch (``?format=csv|xlsx``, ``?export=csv|xlsx``); every answer that is a
spreadsheet is read cell by cell. No text cell may start with a formula character, and no XLSX cell may be a formula.

Discovery keeps the list honest: a download this sweep finds that is not in ``EXPORTS`` fails (so a new export is
looked at), an entry in ``EXPORTS`` that no longer answers with a spreadsheet fails, and so does any module that
writes CSV or XLSX without being listed in ``WRITER_MODULES`` (each must go through schools.exports.safe_cell).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.files.base import ContentFile
from rest_framework.authtoken.models import Token

from schools.attendance.imports.errors import neutralise_cell
from schools.attendance.services import run_import
from schools.exports import FORMULA_PREFIXES, safe_cell, xlsx_cell
from schools.models import AttendanceImport, Carer, Job, Pupil, School
from tests.attendance.fixtures import attendance_targets  # noqa: F401  (fixtures used by `targets`)
from tests.cases.fixtures import case_targets, cases_world  # noqa: F401
from tests.data_protection.matrix import data_protection_targets  # noqa: F401
from tests.duplicates.matrix import duplicates_targets  # noqa: F401
from tests.ehe.matrix import ehe_targets  # noqa: F401
from tests.exclusions.fixtures import exclusion_targets  # noqa: F401
from tests.legal.matrix import legal_targets  # noqa: F401
from tests.matrix_support import ROLES
from tests.reporting.matrix import reporting_targets  # noqa: F401
from tests.roll.matrix import roll_targets  # noqa: F401
from tests.test_permission_matrix import MATRIX, _url, targets  # noqa: F401
from tests.traded.matrix import traded_targets  # noqa: F401

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_LAST = "=HYPERLINK(\"http://evil.example\",\"Click\")"
HOSTILE = {"first": "+SUM(1,1)", "last": HOSTILE_LAST, "preferred": "@cmd", "school": "-2+3 Alpha\x01Primary",
           "carer": "\tTab Parent"}

# What the hostile names look like once neutralised (XLSX also drops the control character).
NEUTRALISED = ["'" + HOSTILE_LAST, "'" + HOSTILE["first"], "'" + HOSTILE["preferred"], "'-2+3 Alpha",
               "'" + HOSTILE["carer"]]
# URL name -> (formats it downloads, does the fixture put a hostile name in it?). Downloads without a hostile name
# still get every cell checked; they hold figures, services, rates or a file's own values (tested on their own below).
EXPORTS = {
    "api-attendance-import-problems": ({"csv"}, False),
    "attendance_import_issues": ({"csv"}, False),
    "attendance_import_list": ({"csv", "xlsx"}, False),
    "attendance_overview": ({"csv", "xlsx"}, True),
    "attendance_pupil_list": ({"csv", "xlsx"}, True),
    "pn_threshold_list": ({"csv", "xlsx"}, True),
    "school_attendance": ({"csv", "xlsx"}, True),
    "cases:export": ({"csv", "xlsx"}, True),
    "cases:alerts": ({"csv", "xlsx"}, True),
    "exclusion_list": ({"csv", "xlsx"}, True),
    "exclusion_reminders": ({"csv", "xlsx"}, False),
    "placement_list": ({"csv", "xlsx"}, True),
    "part_time_list": ({"csv", "xlsx"}, True),
    "managed_move_list": ({"csv", "xlsx"}, True),
    "ap_provider_list": ({"csv", "xlsx"}, False),
    "fair_access_list": ({"csv", "xlsx"}, True),
    "cme_list": ({"csv", "xlsx"}, True),
    "job_download": ({"csv"}, False),
    "legal:notice_export": ({"csv", "xlsx"}, True),
    "legal:figures_export": ({"csv", "xlsx"}, False),
    "legal:message_failures": ({"csv", "xlsx"}, False),  # the failures worklist (legal.messaging; none in the fixture)
    "traded:booking_export": ({"csv", "xlsx"}, True),
    "traded:catalogue_export": ({"csv", "xlsx"}, False),
    "traded:invoice_export": ({"csv", "xlsx"}, True),
    "reporting:drill_absence": ({"csv", "xlsx"}, True),
    "reporting:drill_exclusions": ({"csv", "xlsx"}, True),
    "reporting:table_export": ({"csv", "xlsx"}, False),
    "data_protection:access_report": ({"csv"}, False),
    # Issue 21's lists: every cell is checked; whether the fixture's rows name a hostile pupil depends on its targets.
    "roll:list": ({"csv", "xlsx"}, False),
    "roll:missing": ({"csv", "xlsx"}, False),
    "roll:upload_template": ({"csv"}, False),
    "ehe_list": ({"csv", "xlsx"}, False),
    "duplicates:list": ({"csv"}, False),
    "legal:payment_queue": ({"csv", "xlsx"}, False),
    "legal:return_export": ({"csv"}, False),
    "legal:return_rows": ({"csv", "xlsx"}, False),
}
# Modules that write CSV or XLSX. Each routes text through schools.exports.safe_cell (or xlsx_cell).
WRITER_MODULES = {
    "cases/exports.py", "interventions/traded/exports.py", "legal/exports.py", "schools/attendance/exports.py",
    "schools/data_protection/subject_access.py", "schools/data_protection/views.py", "schools/exclusions/tables.py",
    "schools/exports.py", "schools/attendance/imports/errors.py", "schools/tasks.py",
    "legal/returns/views.py", "schools/duplicates/views.py",
}
SWITCHES = ("", "?format=csv", "?format=xlsx", "?export=csv", "?export=xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def hostile(world, targets):  # noqa: F811
    Pupil.objects.update(legal_first_name=HOSTILE["first"], legal_last_name=HOSTILE["last"],
                         preferred_first_name=HOSTILE["preferred"])
    School.objects.filter(pk=world.school_b.pk).update(name=HOSTILE["school"])
    Carer.objects.update(full_name=HOSTILE["carer"])
    return targets


def _role_for(name: str) -> str | None:
    expected = MATRIX[name][1]
    return next((role for role in ROLES[:-1] if expected.get(role) == 200), None)


def _spreadsheet(response) -> tuple[str, list[str]] | None:
    """(format, every text cell) of a spreadsheet answer, None if it is not one. XLSX formulas read back as text."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("text/csv"):
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
        return "csv", [cell for row in rows for cell in row]
    if content_type.startswith(XLSX_TYPE):
        book = openpyxl.load_workbook(io.BytesIO(body))
        return "xlsx", [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
                        if isinstance(cell.value, str)]
    return None


def _cells(response) -> list[str] | None:
    sheet = _spreadsheet(response)
    return None if sheet is None else sheet[1]


def _unsafe(cells: list[str]) -> list[str]:
    return [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]


def test_every_spreadsheet_download_neutralises_formula_text(world, hostile, client):
    formats, text, problems = {}, {}, []
    for name in sorted(MATRIX):
        role = _role_for(name)
        if role is None or name == "logout":
            continue
        client.force_login(world.users[role])
        url = _url(name, MATRIX[name][0], hostile)
        for switch in SWITCHES:
            response = client.get(url + switch)
            sheet = _spreadsheet(response) if response.status_code == 200 else None
            if sheet is None:
                continue
            fmt, cells = sheet
            formats.setdefault(name, set()).add(fmt)
            text.setdefault(name, []).extend(cells)
            if unsafe := _unsafe(cells):
                problems.append(f"{name}{switch} as {role}: {unsafe[:3]}")
    assert not problems, "cells a spreadsheet would run as formulas:\n" + "\n".join(problems)
    expected = {name: fmts for name, (fmts, _) in EXPORTS.items()}
    assert formats == expected, (f"new or changed downloads (check they neutralise, then list them in EXPORTS): "
                                 f"{ {n: f for n, f in formats.items() if expected.get(n) != f} }; "
                                 f"listed but not found: {sorted(set(expected) - set(formats))}")
    for name, (_, shows_hostile) in EXPORTS.items():
        if shows_hostile:
            joined = "\n".join(text[name])
            assert any(marker in joined for marker in NEUTRALISED), f"{name}: no hostile name seen in {joined[:300]!r}"


def test_import_problem_reports_neutralise_values_from_the_file(world, client):
    """The error report repeats values from the uploaded file, the most direct route for a formula."""
    user = world.users["la_officer"]
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user)
    attendance_import = AttendanceImport(kind="csv", original_name="=evil.csv", uploaded_by=user, job=job)
    content = "upn,school,date,session,code\n=1+1,@SUM(A1),-3,+AM,=X\n\tx,\ry,2025-09-08,AM,/\n"
    attendance_import.file.save("marks.csv", ContentFile(content.encode()), save=False)
    attendance_import.save()
    run_import(attendance_import)
    client.force_login(user)
    page = _cells(client.get(_url("attendance_import_issues", "import", {"import": attendance_import.pk})))
    token = Token.objects.create(user=user)
    api = client.get(f"/api/attendance/imports/{attendance_import.pk}/problems/",
                     HTTP_AUTHORIZATION=f"Token {token.key}")
    for cells in (page, _cells(api)):
        assert cells and not _unsafe(cells)
        assert "'=1+1" in cells and "'=evil.csv" in cells


def test_every_module_that_writes_spreadsheets_is_listed():
    writes = re.compile(r"csv\.writer\(|csv\.DictWriter\(|openpyxl|xlsxwriter")
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "node_modules/")) or "/migrations/" in relative:
            continue
        if writes.search(path.read_text(encoding="utf-8")):
            found.add(relative)
    assert found == WRITER_MODULES, (f"new: {sorted(found - WRITER_MODULES)}; gone: {sorted(WRITER_MODULES - found)}"
                                     " — every writer must neutralise text through schools.exports.safe_cell")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"])
def test_one_neutraliser_for_every_writer(text):
    assert safe_cell(text) == "'" + text
    assert neutralise_cell(text) == "'" + text
    assert xlsx_cell(text + "\x01\x1f") == "'" + text
    assert safe_cell("Amy") == "Amy" and safe_cell(None) == "" and safe_cell(12) == "12"
