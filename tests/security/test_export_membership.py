"""Every download naming a pupil is on that pupil's Record access tab and in their subject access export.

A list download (pupil CSV, cases, exclusions and the provision registers, attendance and threshold lists, penalty
notices, the report drill-downs, the TSM pack) is one audit event for the whole list; the pupils it named are kept
with it, one row each (schools.models.ExportedPupil). The sweep fetches every page in the permission matrix, with
every export switch, as a role that may open it; whenever the answer is a spreadsheet or a PDF, every pupil whose
UPN or name is in it must be recorded against the event(s) the request wrote. So a new download that names pupils
without recording them fails here.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.errors import PyPdfError as PdfError

from schools.audit import record_export
from schools.data_protection.subject_access import access_log
from schools.models import AuditEvent, ExportedPupil, Pupil
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

SWITCHES = ("", "?format=csv", "?format=xlsx", "?export=csv", "?export=xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Downloads the sweep must find naming at least one pupil: if one stops naming pupils (or stops being found), the
# sweep no longer proves anything about it.
NAMING_DOWNLOADS = {
    "attendance_pupil_list", "school_attendance", "pn_threshold_list", "cases:export", "cases:tsm_pack",
    "exclusion_list", "legal:notice_export", "reporting:drill_absence", "reporting:drill_exclusions",
}


def _download_text(response) -> str | None:
    """The text of a spreadsheet or PDF answer, None for anything else (a page, JSON, a redirect)."""
    if response.status_code != 200:
        return None
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("text/csv"):
        return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    if content_type.startswith(XLSX_TYPE):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join("\t".join(str(cell) for cell in row if cell is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    if content_type.startswith("application/pdf"):
        try:
            return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        except PdfError:  # an uploaded attachment served back as it came, not a document we made
            return body.decode("latin-1")
    if content_type.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return None


def _named(text: str, pupils: list[Pupil]) -> set[int]:
    flat = " ".join(text.split())
    return {p.pk for p in pupils
            if p.upn in flat or f"{p.legal_first_name} {p.legal_last_name}" in flat
            or f"{p.legal_last_name}, {p.legal_first_name}" in flat}


def _recorded(after_pk: int) -> set[int]:
    events = AuditEvent.objects.filter(pk__gt=after_pk, action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT])
    direct = set(events.exclude(pupil_id=None).values_list("pupil_id", flat=True))
    return direct | set(ExportedPupil.objects.filter(event__in=events).values_list("pupil_id", flat=True))


def _role_for(name: str) -> str | None:
    expected = MATRIX[name][1]
    return next((role for role in ROLES[:-1] if expected.get(role) == 200), None)


def test_every_download_records_every_pupil_it_names(world, targets, client):  # noqa: F811
    pupils = list(Pupil.objects.all())
    problems, naming = [], set()
    for name in sorted(MATRIX):
        role = _role_for(name)
        if role is None or name == "logout":
            continue
        client.force_login(world.users[role])
        url = _url(name, MATRIX[name][0], targets)
        for switch in SWITCHES:
            before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            text = _download_text(client.get(url + switch))
            if text is None:
                continue
            named = _named(text, pupils)
            if named:
                naming.add(name)
            if missing := named - _recorded(before):
                problems.append(f"{name}{switch} as {role}: named pupils {sorted(missing)} without recording them")
    assert not problems, "\n".join(problems)
    assert NAMING_DOWNLOADS <= naming, f"no pupil found in {sorted(NAMING_DOWNLOADS - naming)}"


def test_a_list_export_is_on_the_record_access_tab_and_in_the_subject_access_log(world, targets, client):  # noqa: F811
    officer, manager = world.users["la_officer"], world.users["la_manager"]
    client.force_login(officer)
    response = client.get(reverse("attendance_pupil_list"), {"show": "all", "format": "csv"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="schools.Enrolment")
    named = set(event.exported_pupils.values_list("pupil_id", flat=True))
    assert world.pupil_b.pk in named
    assert event.object_repr == f"{len(named)} rows exported (csv)"

    client.force_login(manager)
    tab = client.get(reverse("data_protection:access_report", args=[world.pupil_b.pk]))
    listed = list(tab.context["page"].object_list)
    assert event in listed
    assert "rows exported (csv)" in tab.content.decode()
    assert event in list(access_log(world.pupil_b.pk))


def test_a_pupil_left_out_of_an_export_is_not_told_it_named_them(world, targets, client):  # noqa: F811
    """The school B user's export names school B's pupils only: pupil A (school A) never sees it on their tab."""
    client.force_login(world.users["school_b"])
    assert client.get(reverse("attendance_pupil_list"), {"show": "all", "format": "csv"}).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, username="school_b")
    assert event not in list(access_log(world.pupil_a.pk))
    assert event in list(access_log(world.pupil_b.pk))


def test_membership_is_written_once_per_pupil_from_a_queryset_or_ids(world):
    user = world.users["la_officer"]
    rows = world.pupil_b.enrolments.all() | world.pupil_a.enrolments.all()
    from_query = record_export(user=user, object_type="schools.Enrolment", rows=rows.count(), fmt="csv",
                               path="/x", pupils=rows)
    from_ids = record_export(user=user, object_type="legal.PenaltyNotice", rows=3, fmt="csv", path="/y",
                             pupils=[world.pupil_b.pk, world.pupil_b.pk, None, world.moved.pk])
    assert sorted(from_query.exported_pupils.values_list("pupil_id", flat=True)) == sorted(
        {world.pupil_a.pk, world.pupil_b.pk})
    assert sorted(from_ids.exported_pupils.values_list("pupil_id", flat=True)) == sorted(
        [world.pupil_b.pk, world.moved.pk])
    nothing = record_export(user=user, object_type="attendance.overview", rows=4, fmt="csv", path="/z")
    assert not nothing.exported_pupils.exists()


def test_the_pupil_export_job_records_every_pupil_in_its_file(world, django_capture_on_commit_callbacks):
    from schools import services
    from schools.selectors import pupil_list

    school_user = world.users["school_a"]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.pupil_export_start(user=school_user, query={})
    job.refresh_from_db()
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_id=str(job.pk))
    exported = set(event.exported_pupils.values_list("pupil_id", flat=True))
    assert exported == set(pupil_list(user=school_user).values_list("pk", flat=True))
    assert world.pupil_a.pk in exported and world.pupil_b.pk not in exported


def test_the_subject_access_export_lists_the_downloads_that_named_the_pupil(world, targets, client):  # noqa: F811
    from schools.data_protection.subject_access import build_export

    client.force_login(world.users["la_officer"])
    client.get(reverse("attendance_pupil_list"), {"show": "all", "format": "xlsx"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="schools.Enrolment")
    access = build_export(world.pupil_b.pk, requested_by=world.users["la_manager"])["access_log"]
    assert any(row["user"] == "la_officer" and row["path"] == event.path for row in access), access
