"""Imports from the API (upload, poll, counts, error report) and the import pages saying plainly what the uploader's
bad-rows choice did."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from schools.models import AttendanceImport
from tests.attendance.ctf_support import import_csv, week_lines

pytestmark = pytest.mark.django_db


def _csv(world, bad=True) -> bytes:
    lines = ["upn,school,date,session,code", *week_lines(world.pupil_a, world.school_a, "/\\NN")]
    if bad:
        lines.append(f"{world.pupil_a.upn},{world.school_a.urn},2025-09-10,AM,QQ")
    return ("\n".join(lines) + "\n").encode()


def _post(client, world, *, bad_rows="keep_good", content=None, token=None, capture):
    upload = SimpleUploadedFile("api.csv", content if content is not None else _csv(world), content_type="text/csv")
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"} if token else {}
    with capture(execute=True):
        return client.post("/api/attendance/imports/", {"file": upload, "kind": "csv", "bad_rows": bad_rows},
                           **headers)


def test_upload_poll_counts_and_error_report_through_the_api(world, terms, client,
                                                              django_capture_on_commit_callbacks):
    token = Token.objects.create(user=world.users["school_a"])
    response = _post(client, world, token=token, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["job"] and response["Location"].endswith(f"/api/attendance/imports/{started['id']}/")
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    polled = client.get(f"/api/attendance/imports/{started['id']}/", **auth).json()
    assert (polled["status"], polled["progress_percent"]) == ("succeeded", 100)
    assert (polled["rows_read"], polled["marks_written"], polled["rows_rejected"]) == (5, 4, 1)
    assert polled["has_error_report"] and "1 bad row were left out" in polled["outcome"]
    report = client.get(f"/api/attendance/imports/{started['id']}/problems/", **auth)
    assert report["Content-Type"].startswith("text/csv") and b"api.csv,6,code,QQ" in report.content
    listed = client.get("/api/attendance/imports/", {"status": "succeeded"}, **auth).json()
    assert [row["id"] for row in listed["results"]] == [started["id"]]


def test_reject_file_choice_through_the_api(world, terms, client, django_capture_on_commit_callbacks):
    client.force_login(world.users["la_officer"])
    response = _post(client, world, bad_rows="reject_file", capture=django_capture_on_commit_callbacks)
    body = client.get(f"/api/attendance/imports/{response.json()['id']}/").json()
    assert (body["status"], body["marks_written"]) == ("failed", 0)
    assert "so nothing from this file was imported" in body["outcome"]


def test_a_bad_upload_is_refused_at_the_field(world, terms, client, django_capture_on_commit_callbacks):
    client.force_login(world.users["la_officer"])
    upload = SimpleUploadedFile("marks.pdf", b"%PDF", content_type="application/pdf")
    response = client.post("/api/attendance/imports/", {"file": upload, "kind": "csv"})
    assert response.status_code == 400 and "file" in response.json()
    assert client.post("/api/attendance/imports/", {"kind": "csv"}).status_code == 400
    assert not AttendanceImport.objects.exists()


def test_who_may_import_and_see_imports(world, terms, client, django_capture_on_commit_callbacks):
    client.force_login(world.users["legal_officer"])
    assert _post(client, world, capture=django_capture_on_commit_callbacks).status_code == 403
    assert client.get("/api/attendance/imports/").status_code == 403
    client.force_login(world.users["school_a"])
    mine = _post(client, world, capture=django_capture_on_commit_callbacks).json()["id"]
    client.force_login(world.users["school_b"])
    assert client.get(f"/api/attendance/imports/{mine}/").status_code == 404
    assert client.get(f"/api/attendance/imports/{mine}/problems/").status_code == 404
    assert client.get("/api/attendance/imports/").json()["results"] == []
    client.force_login(world.users["la_manager"])
    assert client.get(f"/api/attendance/imports/{mine}/").status_code == 200


@pytest.mark.parametrize("bad_rows, expected", [
    ("keep_good", "You chose to import the good rows and report the bad ones: 1 bad row were left out"),
    ("reject_file", "You chose to import nothing if any row is bad: 1 row had problems, so nothing from this file "
                    "was imported"),
])
def test_the_result_page_says_what_the_choice_did(world, terms, client, bad_rows, expected,
                                                  django_capture_on_commit_callbacks):
    lines = [*week_lines(world.pupil_a, world.school_a, "/\\"), f"{world.pupil_a.upn},{world.school_a.urn},"
             f"2025-09-10,AM,QQ"]
    result = import_csv(world.users["la_officer"], lines, bad_rows=bad_rows,
                        capture=django_capture_on_commit_callbacks)
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("attendance_import_detail", args=[result.pk])).content.decode()
    assert expected in page
    listed = client.get(reverse("attendance_import_list")).content.decode()
    assert ("Good rows kept" if bad_rows == "keep_good" else "Whole file rejected if any row is bad") in listed


def test_the_form_explains_both_choices(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("attendance_import_list")).content.decode()
    assert "the whole file is rejected and nothing is saved" in page
    assert "each bad row is left out and listed in the error report" in page  # the choice's own hint
    assert "held for the LA to review" in page
