"""Every upload refuses an over-size file and a file that is not what it claims, at the field, with nothing saved.

Uploads: the register import (page and API), case referral evidence, chronology attachments and penalty-notice
request evidence. Each test first shows a good file going through the same route, so a refusal is about the file.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from cases.models import Attachment, ChronologyEntry, Referral
from cases.uploads import MAX_ATTACHMENT_BYTES
from legal.models import PenaltyNoticeRequest, RequestEvidence
from schools.models import AttendanceImport, Job
from tests.attendance.conftest import terms  # noqa: F401  (fixture)
from tests.cases.fixtures import cases_world, pdf_upload  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
PDF_TOO_BIG = b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES
ATTACHMENT_CASES = [
    pytest.param("huge.pdf", PDF_TOO_BIG, "10.0\xa0MB or smaller", id="over-size"),
    pytest.param("letter.pdf", EXE, "does not contain what its name says (.pdf)", id="exe-renamed-pdf"),
    pytest.param("photo.png", b"<html><script>alert(1)</script></html>", "does not contain what its name says",
                 id="html-renamed-png"),
    pytest.param("run.exe", EXE, "is not an allowed type", id="exe"),
]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def _field_error(page: str, field: str, message: str) -> bool:
    """The message is shown in the field's own error message (``id="id_<field>_1_error"``), not only in the summary."""
    found = re.search(rf'id="id_{field}(?:_[0-9]+)?_error" class="govuk-error-message">\s*'
                      rf'<span class="govuk-visually-hidden">Error:</span>(.*?)</span>', page, re.DOTALL)
    return found is not None and message in html.unescape(found.group(1))


# --- Register import -------------------------------------------------------------------------------------------------

def _register_csv(world) -> bytes:
    return f"upn,school,date,session,code\n{world.pupil_a.upn},{world.school_a.urn},2026-11-16,AM,/\n".encode()


REGISTER_CASES = [
    pytest.param("marks.csv", EXE, "is a Windows program", id="exe-renamed-csv"),
    pytest.param("marks.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "Excel workbook (.xlsx)",
                 id="xlsx-renamed-csv"),
    pytest.param("ctf.xml", b"%PDF-1.7\n...", "is a PDF", id="pdf-renamed-xml"),
    pytest.param("marks.csv", b"upn,school\x00\x00,date", "contains NUL bytes", id="binary-text"),
    pytest.param("marks.exe", b"upn,school,date,session,code\n", "must be a .csv", id="wrong-extension"),
]


def _import_page_post(client, upload, kind="csv"):
    return client.post(reverse("attendance_import_list"), {"file": upload, "kind": kind, "bad_rows": "keep_good"})


def test_register_import_page_takes_a_good_file(world, client, media, django_capture_on_commit_callbacks):
    client.force_login(world.users["school_a"])
    with django_capture_on_commit_callbacks(execute=False):
        response = _import_page_post(client, SimpleUploadedFile("marks.csv", _register_csv(world)))
    assert response.status_code == 302
    assert AttendanceImport.objects.count() == 1


@pytest.mark.parametrize("name, body, message", REGISTER_CASES)
def test_register_import_page_refuses_a_file_that_is_not_a_register(name, body, message, world, client, media):
    client.force_login(world.users["school_a"])
    response = _import_page_post(client, SimpleUploadedFile(name, body), kind="ctf" if name.endswith("xml") else "csv")
    assert response.status_code == 200
    assert _field_error(response.content.decode(), "file", message)
    assert not AttendanceImport.objects.exists() and not Job.objects.exists() and not _stored_files(media)


def test_register_import_page_refuses_an_over_size_file(world, client, media, settings):
    settings.ATTENDANCE_UPLOAD_MAX_MB = 1
    client.force_login(world.users["school_a"])
    body = _register_csv(world) + b"\n" * (1024 * 1024)
    response = _import_page_post(client, SimpleUploadedFile("marks.csv", body))
    assert _field_error(response.content.decode(), "file", "the limit is 1 MB")
    assert not AttendanceImport.objects.exists() and not Job.objects.exists() and not _stored_files(media)


@pytest.mark.parametrize("name, body, message", [*REGISTER_CASES, pytest.param(
    "marks.csv", None, "the limit is 1 MB", id="over-size")])
def test_register_import_api_refuses_bad_files_at_the_field(name, body, message, world, client, media, settings,
                                                             django_capture_on_commit_callbacks):
    settings.ATTENDANCE_UPLOAD_MAX_MB = 1
    token = Token.objects.create(user=world.users["school_a"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    good = client.post("/api/attendance/imports/", {"file": SimpleUploadedFile("ok.csv", _register_csv(world)),
                                                    "kind": "csv"}, **auth)
    assert good.status_code == 202, good.content
    AttendanceImport.objects.all().delete()
    Job.objects.all().delete()
    for path in _stored_files(media):
        path.unlink()
    body = body if body is not None else _register_csv(world) + b"\n" * (1024 * 1024)
    response = client.post("/api/attendance/imports/", {"file": SimpleUploadedFile(name, body),
                                                        "kind": "ctf" if name.endswith("xml") else "csv"}, **auth)
    assert response.status_code == 400
    errors = response.json()
    assert any(message in text for text in errors["file"]), errors
    assert not AttendanceImport.objects.exists() and not Job.objects.exists() and not _stored_files(media)


# --- Case referrals and chronology attachments ----------------------------------------------------------------------

def _referral_post(world, files) -> dict:
    return {"pupil": world.pupil_a.upn, "school": world.school_a.pk, "case_type": "attendance",
            "reasons": ["irregular"], "concerns": "Absent most Mondays since October.",
            "tried_parent_contact": "Letters and a meeting.", "attachments": files}


def test_referral_evidence_takes_a_good_file(world, client, media):
    client.force_login(world.users["school_a"])
    response = client.post(reverse("cases:referral_create"), _referral_post(world, [pdf_upload()]))
    assert response.status_code == 302 and Attachment.objects.count() == 1


@pytest.mark.parametrize("name, body, message", ATTACHMENT_CASES)
def test_referral_evidence_refuses_bad_files_at_the_field(name, body, message, world, client, media):
    client.force_login(world.users["school_a"])
    response = client.post(reverse("cases:referral_create"),
                           _referral_post(world, [SimpleUploadedFile(name, body)]))
    assert response.status_code == 200
    assert _field_error(response.content.decode(), "attachments", message)
    assert not Referral.objects.exists() and not Attachment.objects.exists() and not _stored_files(media)


def _entry_post(files) -> dict:
    day = datetime.date(2026, 11, 18)
    return {"entry_type": "home_visit", "meeting_type": "", "occurred_on_0": day.day, "occurred_on_1": day.month,
            "occurred_on_2": day.year, "summary": "Home visit: no answer", "restriction": "", "attachments": files}


def test_chronology_attachment_takes_a_good_file(cases_world, world, client, media):  # noqa: F811
    client.force_login(world.users["la_officer"])
    before = Attachment.objects.count()
    response = client.post(reverse("cases:entry_add", args=[cases_world.case_a.pk]), _entry_post([pdf_upload()]))
    assert response.status_code == 302 and Attachment.objects.count() == before + 1


@pytest.mark.parametrize("name, body, message", ATTACHMENT_CASES)
def test_chronology_attachment_refuses_bad_files_at_the_field(name, body, message, cases_world,  # noqa: F811
                                                              world, client, media):
    client.force_login(world.users["la_officer"])
    before = ChronologyEntry.objects.count(), Attachment.objects.count()
    response = client.post(reverse("cases:entry_add", args=[cases_world.case_a.pk]),
                           _entry_post([SimpleUploadedFile(name, body)]))
    assert response.status_code == 200
    assert _field_error(response.content.decode(), "attachments", message)
    assert (ChronologyEntry.objects.count(), Attachment.objects.count()) == before and not _stored_files(media)


def test_too_many_attachments_are_refused(world, client, media):
    client.force_login(world.users["school_a"])
    response = client.post(reverse("cases:referral_create"),
                           _referral_post(world, [pdf_upload(f"letter{n}.pdf") for n in range(6)]))
    assert _field_error(response.content.decode(), "attachments", "Attach at most 5 files")
    assert not Referral.objects.exists() and not _stored_files(media)


# --- Penalty-notice request evidence ---------------------------------------------------------------------------------

def _request_post(world, files) -> dict:
    from schools.models import Carer

    carer = Carer.objects.get(full_name="Pat Parent")
    fields = {"carers": [carer.pk], "notice_type": "term_time_leave", "sessions_missed": 10,
              "details": "Family holiday after the leave request was refused.", "files": files}
    for name, day in (("absence_from", datetime.date(2026, 11, 2)), ("absence_to", datetime.date(2026, 11, 6)),
                      ("leave_refused_on", datetime.date(2026, 10, 12))):
        fields.update({f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year})
    return fields


def test_penalty_notice_request_evidence_takes_a_good_file(world, client, media):
    client.force_login(world.users["school_b"])
    response = client.post(reverse("legal:request_create", args=[world.pupil_b.pk]),
                           _request_post(world, [pdf_upload()]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RequestEvidence.objects.count() == 1


@pytest.mark.parametrize("name, body, message", ATTACHMENT_CASES)
def test_penalty_notice_request_evidence_refuses_bad_files_at_the_field(name, body, message, world, client, media):
    client.force_login(world.users["school_b"])
    response = client.post(reverse("legal:request_create", args=[world.pupil_b.pk]),
                           _request_post(world, [SimpleUploadedFile(name, body)]))
    assert response.status_code == 200
    assert _field_error(response.content.decode(), "files", message)
    assert not PenaltyNoticeRequest.objects.exists() and not RequestEvidence.objects.exists()
    assert not _stored_files(media)


@pytest.mark.django_db
def test_a_huge_text_node_in_a_ctf_is_refused_and_stored_nowhere(world, terms,  # noqa: F811
                                                                 django_capture_on_commit_callbacks):
    """A 5 MB surname (a stand-in for the 60 MB one that bloated the database) is refused with a clear message: the
    file is not read, nothing is held for review, and no stored value (review item, audit event) holds it."""
    from schools.models import AuditEvent, CtfReviewItem
    from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml, import_ctf
    from tests.attendance.test_import_fuzz import _upn

    spec = CtfPupilSpec(upn=_upn("845200100017"), surname="X" * 5_000_000, forename="Amy", dob="2015-03-27",
                        school=world.school_a)
    result = import_ctf(world.users["la_officer"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    assert result.marks_written == 0
    report = result.issues_file.read().decode("utf-8-sig")
    assert "The <Surname> element holds more than 20,000 characters" in report and "XXXXXXXXXX" not in report
    assert not CtfReviewItem.objects.exists()
    longest = max((len(str(e.changes)) for e in AuditEvent.objects.all()), default=0)
    assert longest < 50_000


@pytest.mark.django_db
def test_a_long_name_from_a_ctf_is_cut_to_the_field_everywhere_it_is_kept(world, terms,  # noqa: F811
                                                                           django_capture_on_commit_callbacks):
    """A name of 10,000 characters (under the text limit) for a pupil the authority does not have: the item held for
    review keeps the name as the pupil field would (80 characters), and its differences and audit entries too."""
    from schools.models import AuditEvent, CtfReviewItem
    from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml, import_ctf
    from tests.attendance.test_import_fuzz import _upn

    spec = CtfPupilSpec(upn=world.pupil_a.upn, surname="Y" * 10_000, forename="Amy",
                        dob=world.pupil_a.date_of_birth.isoformat(), school=world.school_a)
    import_ctf(world.users["la_officer"], ctf_xml([spec, CtfPupilSpec(
        upn=_upn("845200100017"), surname="Z" * 10_000, forename="Bo", dob="2015-03-27", school=world.school_a)]),
        capture=django_capture_on_commit_callbacks)
    items = list(CtfReviewItem.objects.all())
    assert items and all(len(item.surname) <= 80 and len(str(item.differences)) < 2_000 for item in items)
    assert max(len(str(e.changes)) for e in AuditEvent.objects.all()) < 10_000
