"""The subject access export: everything held on one pupil, in a ZIP with a PDF, JSON, CSVs and the attachments;
for LA managers and admins only; starting and downloading it are audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from cases.models import Attachment, Case, ChronologyEntry
from legal.models import PenaltyNotice
from schools.models import AttendanceWeek, AuditEvent, Carer, Job, Pupil
from tests.cases.fixtures import SAFEGUARDING_TEXT
from tests.pdf_support import assert_tagged_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(client, django_capture_on_commit_callbacks):
    """Start an export as ``user`` (the task runs in-process once the request commits) and download it."""

    def run(user, pupil):
        return _export(client, user, pupil, django_capture_on_commit_callbacks)

    return run


def _export(client, user, pupil, on_commit) -> tuple[Job, zipfile.ZipFile]:
    client.force_login(user)
    with on_commit(execute=True):
        response = client.post(reverse("data_protection:subject_access", args=[pupil.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.SUBJECT_ACCESS, created_by=user)
    assert response["Location"] == reverse("data_protection:sar_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    download = client.get(reverse("data_protection:sar_download", args=[job.pk]))
    assert download.status_code == 200
    return job, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


def _direct_pupil_models():
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if f.many_to_one and not f.auto_created and f.related_model is Pupil and f.name == "pupil":
                yield model


def test_export_holds_every_record_of_the_pupil_and_no_one_elses(world, full_record, client, export):
    pupil = world.pupil_b
    job, archive = export(world.users["la_manager"], pupil)
    names = set(archive.namelist())
    assert {"subject-access.pdf", "subject-access.json", "tables/cases-case.csv", "tables/register.csv"} <= names
    data = json.loads(archive.read("subject-access.json"))
    assert data["pupil_id"] == pupil.pk

    # Every model with a pupil key: the export holds exactly the rows a plain query finds (views and exports of the
    # record go on being added while the export runs, so the audit trail is checked separately below).
    checked = 0
    for model in _direct_pupil_models():
        label = model._meta.label
        if label == "schools.AuditEvent":
            continue
        expected = model._default_manager.filter(pupil=pupil).count()
        got = data["records"].get(label, {}).get("count", 0)
        assert got == expected, label
        checked += bool(expected)
    assert checked >= 10  # the fixture really spans the areas

    # Cases with the full chronology, restricted entries included; the sibling's case is not there.
    assert data["records"]["cases.Case"]["count"] == Case.objects.filter(pupil=pupil).count()
    entries = data["records"]["cases.ChronologyEntry"]["rows"]
    assert len(entries) == ChronologyEntry.objects.filter(case__pupil=pupil).count()
    assert any(e["summary"] == SAFEGUARDING_TEXT and e["restriction"] == "safeguarding" for e in entries)
    body = archive.read("subject-access.json").decode()
    assert "Frequent lateness." not in body  # pupil_a's case summary
    assert world.pupil_a.upn not in body

    # The register: every week row, every mark; the yearly summary adds up to it.
    weeks = AttendanceWeek.objects.filter(enrolment__pupil=pupil)
    assert len(data["register"]) == weeks.count() > 0
    assert sum(len([s for s in w["sessions"] if s]) for w in data["register"]) == 10
    assert sum(y["unauthorised"] for y in data["attendance_by_year"]) == 10

    # Legal records and the traded booking naming the pupil.
    assert data["records"]["legal.PenaltyNotice"]["count"] == PenaltyNotice.objects.filter(pupil=pupil).count() > 0
    assert data["records"]["interventions.BookingPupil"]["count"] == 1
    assert data["records"]["interventions.Booking"]["rows"][0]["id"] == full_record["booking"].pk

    # Family and carers.
    assert data["family"]["name"] == "Sibling family"
    assert sorted(c["full_name"] for c in data["carers"]) == sorted(
        Carer.objects.filter(family=pupil.family).values_list("full_name", flat=True))
    assert "Pat Parent" in {c["full_name"] for c in data["carers"]}

    # Attachments: listed and their bytes in the zip.
    for attachment in Attachment.objects.filter(pupil=pupil):
        entry = next(n for n in names if n.startswith(f"attachments/cases-attachment-{attachment.pk}-"))
        with attachment.file.open("rb") as handle:
            assert archive.read(entry) == handle.read()


def test_pdf_is_readable_and_has_the_sections(world, full_record, client, export):
    _job, archive = export(world.users["la_admin"], world.pupil_b)
    reader = PdfReader(io.BytesIO(archive.read("subject-access.pdf")))
    assert_tagged_pdf(archive.read("subject-access.pdf"), title="Subject access export", roles={"H1", "Table", "TH"})
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    for heading in ["Subject access export", "Identity", "Family and carers", "Attendance by year",
                    "Attendance register", "Who has viewed the record", "Cases",
                    "Case chronology (including restricted entries)", "Penalty notices", "Exclusions and suspensions",
                    "Traded service bookings naming the pupil"]:
        assert heading in text, heading
    assert world.pupil_b.legal_name in text
    assert SAFEGUARDING_TEXT in text
    assert "Frequent lateness." not in text


def test_access_log_in_the_export_names_who_viewed(world, client, export):
    client.force_login(world.users["la_officer"])
    client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
    _job, archive = export(world.users["la_manager"], world.pupil_b)
    data = json.loads(archive.read("subject-access.json"))
    assert any(e["user"] == "la_officer" and e["path"] == reverse("pupil_detail", args=[world.pupil_b.pk])
               for e in data["access_log"])
    with archive.open("tables/access-log.csv") as handle:
        assert b"la_officer" in handle.read()


def test_starting_and_downloading_are_audited(world, client, export):
    job, _archive = export(world.users["la_manager"], world.pupil_b)
    events = AuditEvent.objects.filter(pupil_id=world.pupil_b.pk, action=AuditEvent.Action.EXPORT,
                                       object_type="schools.Job", object_id=str(job.pk))
    assert sorted(events.values_list("path", flat=True)) == [
        f"subject access export downloaded (job {job.pk})", f"subject access export started (job {job.pk})"]
    assert set(events.values_list("username", flat=True)) == {"la_manager"}


@pytest.mark.parametrize("role", ["la_officer", "legal_officer", "school_b"])
def test_only_managers_and_admins_may_export(world, client, role):
    client.force_login(world.users[role])
    assert client.post(reverse("data_protection:subject_access", args=[world.pupil_b.pk])).status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.SUBJECT_ACCESS).exists()


def test_the_generic_job_download_does_not_bypass_the_audit(world, client, export):
    job, _archive = export(world.users["la_manager"], world.pupil_b)
    before = AuditEvent.objects.count()
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert AuditEvent.objects.count() == before


def test_another_managers_export_is_not_found(world, client, export):
    job, _archive = export(world.users["la_manager"], world.pupil_b)
    client.force_login(world.users["la_admin"])
    assert client.get(reverse("data_protection:sar_download", args=[job.pk])).status_code == 404
