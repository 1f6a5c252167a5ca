"""Targets for the permission matrix's attendance rows (tests/test_permission_matrix.py), all on school B's side so
school A must get 404: an item held from a CTF school B uploaded, and school B's enrolment past the penalty-notice
threshold in the year to date (2026/27, the default period on the fixed test clock)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile

from schools.attendance.services import run_import
from schools.models import AttendanceImport, CtfReviewItem, Enrolment, Job, Term
from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml
from tests.factories import AcademicYearFactory, PupilFactory

NOVEMBER = datetime.date(2026, 11, 2)


def _run(user, name: str, kind: str, content: bytes) -> AttendanceImport:
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user)
    attendance_import = AttendanceImport(kind=kind, original_name=name, uploaded_by=user, job=job)
    attendance_import.file.save(name, ContentFile(content), save=False)
    attendance_import.save()
    run_import(attendance_import)
    return attendance_import


@pytest.fixture
def attendance_targets(world):
    year = AcademicYearFactory()
    Term.objects.get_or_create(academic_year=year, name="autumn", school=None,
                               defaults={"start_date": datetime.date(2026, 9, 3),
                                         "end_date": datetime.date(2026, 12, 18)})
    school_b = world.school_b
    lines = ["upn,school,date,session,code"]
    for offset in range(5):
        day = NOVEMBER + datetime.timedelta(days=offset)
        lines += [f"{world.pupil_b.upn},{school_b.urn},{day.isoformat()},{session},N" for session in ("AM", "PM")]
    _run(world.users["school_b"], "november.csv", "csv", ("\n".join(lines) + "\n").encode())
    stranger = PupilFactory.build()
    _run(world.users["school_b"], "transfer.xml", "ctf", ctf_xml(
        [CtfPupilSpec(upn=stranger.upn, surname="Stranger", forename="Sam", dob="2013-03-03", school=school_b)],
        start=NOVEMBER))
    return {"review_item": CtfReviewItem.objects.get(upn=stranger.upn).pk,
            "pn_enrolment": Enrolment.objects.get(pupil=world.pupil_b).pk}
