"""The upload page does not ask what kind of file it is: a CTF is XML, anything else is read as CSV."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.attendance.forms import file_kind
from schools.models import AttendanceImport
from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml, week_lines

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, head, kind", [
    ("marks.csv", b"upn,school,date,session,code\n", "csv"),
    ("marks.txt", b"\xef\xbb\xbfupn,school,date,session,code\n", "csv"),
    ("transfer.xml", b"<?xml version='1.0'?><CTfile>", "ctf"),
    ("export.csv", b"\xef\xbb\xbf  \n<?xml version='1.0'?><CTfile>", "ctf"),  # an XML file misnamed .csv
    ("transfer.xml", b"", "ctf"),
])
def test_the_kind_is_worked_out_from_the_file(name, head, kind):
    assert file_kind(name, head) == kind


def test_the_page_asks_no_kind_and_imports_each_as_what_it_is(world, terms, client, django_capture_on_commit_callbacks):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("attendance_import_list")).content.decode()
    assert "What kind of file is it?" not in page
    csv = ("upn,school,date,session,code\n" + "\n".join(week_lines(world.pupil_a, world.school_a, "/\\")) + "\n")
    ctf = ctf_xml([CtfPupilSpec(upn=world.pupil_b.upn, surname=world.pupil_b.legal_last_name,
                                forename=world.pupil_b.legal_first_name,
                                dob=world.pupil_b.date_of_birth.isoformat(), school=world.school_b)])
    for name, content, kind in (("marks.csv", csv.encode(), "csv"), ("transfer.xml", ctf, "ctf")):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("attendance_import_list"), {
                "file": SimpleUploadedFile(name, content), "bad_rows": "keep_good"})
        assert response.status_code == 302, response.content.decode()[:2000]
        made = AttendanceImport.objects.select_related("job").latest("pk")
        assert made.kind == kind and made.job.status == "succeeded", made.job.message
        assert made.marks_written > 0
