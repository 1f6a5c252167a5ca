"""Retention: who is due, what anonymising changes and keeps, legal holds, reruns, the dry run page and the beat."""

from __future__ import annotations

import datetime
import io
import json
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Attachment, Case, ChronologyEntry
from schools.audit import record_change, snapshot
from schools.data_protection.retention import anonymise, dry_run
from schools.data_protection.tasks import apply_retention
from schools.models import (
    AcademicYear,
    AnonymisedPupil,
    AttendanceSummary,
    AttendanceWeek,
    AuditEvent,
    Carer,
    Family,
    Pupil,
    RetentionRun,
    Term,
)
from tests.factories import (
    CarerFactory,
    CaseFactory,
    ChronologyEntryFactory,
    EnrolmentFactory,
    FamilyFactory,
    PupilFactory,
)

pytestmark = pytest.mark.django_db

OLD_DOB = datetime.date(1995, 6, 15)  # 31 on the test clock (2026-11-23)
LEFT_LONG_AGO = datetime.date(2012, 7, 20)  # more than six years ago


def _old_year():
    year, _ = AcademicYear.objects.get_or_create(name="2011/12", defaults={
        "start_date": datetime.date(2011, 9, 1), "end_date": datetime.date(2012, 8, 31)})
    term, _ = Term.objects.get_or_create(academic_year=year, name="autumn", school=None, defaults={
        "start_date": datetime.date(2011, 9, 5), "end_date": datetime.date(2011, 12, 16)})
    return year, term


def leaver(world, *, first="Olivia", last="Oldham", dob=OLD_DOB, left=LEFT_LONG_AGO, family=None, secret="",
           with_register=True):
    """A pupil who was at school A and left, with a case, a chronology entry, an attachment and a register."""
    family = family or FamilyFactory(name=f"{last} household", address_line_1="1 Old Road", postcode="BN1 1AA",
                                     notes=f"Notes about the {last}s")
    if not family.carers.exists():
        CarerFactory(family=family, full_name=f"Parent {last}", phone="01234 567890", email="parent@example.com")
    pupil = PupilFactory(legal_first_name=first, legal_last_name=last, date_of_birth=dob, family=family,
                         social_worker_name="Sam Social", preferred_first_name="Liv")
    enrolment = EnrolmentFactory(pupil=pupil, school=world.school_a, start_date=datetime.date(2006, 9, 1),
                                 end_date=left, nc_year=11)
    officer = world.users["la_officer"]
    case = CaseFactory(pupil=pupil, status="closed", closed_on=datetime.date(2012, 7, 1), outcome="improved",
                       opened_on=datetime.date(2011, 9, 14), created_by=officer, summary=f"{secret} case summary")
    entry = ChronologyEntryFactory(case=case, created_by=officer, summary=f"{secret} visit",
                                   details=f"{secret} details of the home", restriction="safeguarding")
    attachment = Attachment(pupil=pupil, entry=entry, original_name=f"{secret}.pdf", content_type="application/pdf",
                            size=8, uploaded_by=officer)
    attachment.file.save(f"{secret or 'file'}.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    if with_register:
        year, term = _old_year()
        AttendanceWeek.objects.create(enrolment=enrolment, week_start=datetime.date(2011, 9, 5),
                                      marks="/\\/\\/\\/\\NNNN/\\/\\", academic_year=year, term=term, possible=10,
                                      present=8, unauthorised=2, pn_sessions=2, sessions=10)
        AttendanceSummary.objects.create(enrolment=enrolment, academic_year=year, term=None, possible=10,
                                         present=8, unauthorised=2, pn_sessions=2)
    # An earlier edit, audited with the values (the retention job must not leave them in the trail).
    before = snapshot(pupil)
    pupil.social_worker_contact = f"{secret} 07700 900000"
    pupil.save()
    record_change(user=officer, action=AuditEvent.Action.UPDATE, instance=pupil, before=before)
    return pupil


def _attendance_totals():
    return (AttendanceWeek.objects.aggregate(Sum("possible"), Sum("present"), Sum("unauthorised")),
            AttendanceSummary.objects.aggregate(Sum("possible"), Sum("unauthorised")))


def test_a_pupil_past_retention_is_anonymised_and_the_figures_stay(world):
    pupil = leaver(world, secret="Zebracorn")
    upn = pupil.upn
    attachment = Attachment.objects.get(pupil=pupil)
    path = attachment.file.path
    totals = _attendance_totals()

    run = anonymise()

    assert run.anonymised == 1 and run.held == 0
    pupil.refresh_from_db()
    assert (pupil.legal_first_name, pupil.legal_last_name) == ("Anonymised", f"Pupil {pupil.pk}")
    assert pupil.preferred_first_name == "" and pupil.social_worker_name == "" and pupil.social_worker_contact == ""
    assert pupil.upn == f"ZZ{pupil.pk:011d}" and pupil.upn != upn
    assert pupil.date_of_birth == datetime.date(1995, 6, 1)  # year and month kept for statistics
    assert pupil.sex == Pupil.Sex.FEMALE  # coded characteristics stay

    entry = ChronologyEntry.objects.get(case__pupil=pupil)
    assert entry.summary == "[removed]" and entry.details == "" and entry.restriction == "safeguarding"
    assert Case.objects.get(pupil=pupil).summary == "[removed]"
    attachment.refresh_from_db()
    assert attachment.file.name == "" and attachment.original_name == "[removed]"
    assert not os.path.exists(path)

    family = Family.objects.get(pk=pupil.family_id)
    assert family.name.startswith("Anonymised household") and family.address_line_1 == "" and family.notes == ""
    assert list(Carer.objects.filter(family=family).values_list("full_name", "phone", "email")) == [
        ("Anonymised carer", "", "")]

    # Attendance figures do not change: the marks and counts are kept.
    assert _attendance_totals() == totals
    assert AttendanceWeek.objects.get(enrolment__pupil=pupil).marks == "/\\/\\/\\/\\NNNN/\\/\\"

    # Nothing that identified the pupil is left anywhere in the audit trail, which still says who did what.
    trail = json.dumps(list(AuditEvent.objects.values("object_repr", "changes", "path")), default=str)
    for word in ("Zebracorn", "Olivia", "Oldham", upn, "Sam Social"):
        assert word not in trail, word
    marker = AuditEvent.objects.get(pupil_id=pupil.pk, object_repr=f"Anonymised pupil {pupil.pk}")
    assert marker.changes == {"anonymised": [None, f"retention run {run.pk}"]}
    assert AuditEvent.objects.filter(object_type="schools.RetentionRun", object_id=str(run.pk)).exists()
    assert run.summary["rows_cleared"]["cases.ChronologyEntry"] == 1
    assert run.summary["rows_cleared"]["files_deleted"] == 1


def test_who_is_due(world, settings):
    due = leaver(world, first="Due")
    recent = leaver(world, first="Recent", left=datetime.date(2022, 7, 20))  # 4 years ago
    young = leaver(world, first="Young", dob=datetime.date(2003, 1, 1), left=datetime.date(2019, 7, 20))  # 23
    held = leaver(world, first="Held")
    CaseFactory(pupil=held, status="open", created_by=world.users["la_officer"])

    result = dry_run()
    assert [p.pk for p in result["to_anonymise"]] == [due.pk]
    assert [p.pk for p in result["held"]] == [held.pk]
    assert result["held_reasons"] == {"Case still open": 1}
    # world's pupils are on roll (or moved, still on roll): never due
    assert not {world.pupil_a.pk, world.pupil_b.pk, world.moved.pk} & {p.pk for p in result["to_anonymise"]}

    # The figures are the LA's: a shorter period after leaving and a lower age bring more in.
    settings.DATA_RETENTION_YEARS_AFTER_LEAVING = 3
    settings.DATA_RETENTION_MIN_AGE = 18
    assert {p.pk for p in dry_run()["to_anonymise"]} == {due.pk, recent.pk, young.pk}

    settings.DATA_RETENTION_YEARS_AFTER_LEAVING = 6
    settings.DATA_RETENTION_MIN_AGE = 25
    run = anonymise()
    assert run.anonymised == 1 and run.held == 1 and run.summary["held_back"] == {"Case still open": 1}
    held.refresh_from_db()
    assert held.legal_first_name == "Held" and ChronologyEntry.objects.get(case__pupil=held).details != ""


def test_running_again_changes_nothing(world):
    pupil = leaver(world)
    anonymise()
    pupil.refresh_from_db()
    state = (pupil.legal_last_name, pupil.upn, pupil.date_of_birth)
    events = AuditEvent.objects.filter(pupil_id=pupil.pk).count()
    second = anonymise()
    assert second.anonymised == 0
    assert AnonymisedPupil.objects.filter(pupil=pupil).count() == 1
    assert AuditEvent.objects.filter(pupil_id=pupil.pk).count() == events
    pupil.refresh_from_db()
    assert (pupil.legal_last_name, pupil.upn, pupil.date_of_birth) == state


def test_a_household_with_a_child_still_in_school_keeps_its_details(world):
    family = world.pupil_a.family
    pupil = leaver(world, family=family)
    anonymise()
    family.refresh_from_db()
    assert family.name == "Sibling family"
    assert Carer.objects.filter(family=family, full_name="Pat Parent").exists()
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Anonymised"


def test_anonymising_is_set_wise(world):
    """The number of queries does not grow with the number of pupils anonymised."""
    def queries_for(count: int) -> int:
        for i in range(count):
            leaver(world, first=f"P{count}x{i}", with_register=False)
        with CaptureQueriesContext(connection) as captured:
            run = anonymise()
        assert run.anonymised == count
        return len(captured)

    assert queries_for(2) == queries_for(6)


def test_the_beat_runs_the_retention_task(world):
    assert settings.CELERY_BEAT_SCHEDULE["data-protection-retention"]["task"] == \
        "schools.data_protection_tasks.apply_retention"
    leaver(world)
    result = apply_retention.delay().get()
    assert result["anonymised"] == 1
    assert RetentionRun.objects.get(pk=result["run"]).run_by is None


def test_the_dry_run_page(world, client):
    due = leaver(world, first="Duepupil")
    held = leaver(world, first="Heldpupil")
    CaseFactory(pupil=held, status="open", created_by=world.users["la_officer"])
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("data_protection:retention")).content.decode()
    assert "Duepupil" in page and "Heldpupil" in page and "Case still open" in page
    assert "IRMS" in page  # the source of the default is named
    due.refresh_from_db()
    assert due.legal_first_name == "Duepupil"  # a dry run changes nothing
    for role in ["la_officer", "legal_officer", "school_a"]:
        client.force_login(world.users[role])
        assert client.get(reverse("data_protection:retention")).status_code == 403


def test_the_command_dry_run_and_run(world):
    pupil = leaver(world, first="Cmdpupil")
    out = io.StringIO()
    call_command("anonymise_due_pupils", "--dry-run", stdout=out)
    assert f"would anonymise\t{pupil.pk}\t{pupil.upn}" in out.getvalue() and "1 due, 0 held back." in out.getvalue()
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Cmdpupil"
    out = io.StringIO()
    call_command("anonymise_due_pupils", stdout=out)
    assert "1 anonymised, 0 held back." in out.getvalue()
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Anonymised"


def test_audit_of_a_record_that_did_not_name_the_pupil_is_cleared_too(world):
    pupil = leaver(world)
    entry = ChronologyEntry.objects.get(case__pupil=pupil)
    before = snapshot(entry)
    entry.details = "Quokka private detail"
    entry.save()
    # Written without pupil_id, as some services do for child records.
    record_change(user=world.users["la_officer"], action=AuditEvent.Action.UPDATE, instance=entry, before=before)
    assert "Quokka" in json.dumps(list(AuditEvent.objects.values("changes")))
    anonymise()
    assert "Quokka" not in json.dumps(list(AuditEvent.objects.values("object_repr", "changes")))


def test_subject_access_exports_are_deleted_on_anonymisation_and_after_the_keep_period(world):
    from django.utils import timezone

    from schools.data_protection.retention import expire_sar_exports
    from schools.data_protection.rules import SUBJECT_ACCESS_EXPORT_KEEP_DAYS
    from schools.models import Job

    def sar(pupil, days_ago):
        job = Job.objects.create(kind=Job.Kind.SUBJECT_ACCESS, created_by=world.users["la_manager"],
                                 status=Job.Status.SUCCEEDED, params={"pupil_id": pupil.pk},
                                 finished_at=timezone.now() - datetime.timedelta(days=days_ago))
        job.result_file.save(f"sar-{pupil.pk}-{days_ago}.zip", ContentFile(b"PK"), save=True)
        return job

    pupil = leaver(world)
    of_leaver = sar(pupil, 1)
    old, recent = sar(world.pupil_b, SUBJECT_ACCESS_EXPORT_KEEP_DAYS + 1), sar(world.pupil_b, 2)
    paths = {job.pk: job.result_file.path for job in (of_leaver, old, recent)}
    anonymise()
    of_leaver.refresh_from_db()
    assert of_leaver.result_file.name == "" and not os.path.exists(paths[of_leaver.pk])
    assert expire_sar_exports() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.result_file.name == "" and not os.path.exists(paths[old.pk])
    assert recent.result_file.name and os.path.exists(paths[recent.pk])


def test_live_legal_records_hold_a_leaver_back(world, full_record):
    """pupil_b's legal world (tests/legal: a prosecution in preparation, notices, an open case) with the pupil made
    a long-gone leaver: held back, naming the legal reasons, and left as it is."""
    from legal.models import Prosecution

    pupil = world.pupil_b
    Pupil.objects.filter(pk=pupil.pk).update(date_of_birth=OLD_DOB)
    pupil.enrolments.update(start_date=datetime.date(2006, 9, 1), end_date=LEFT_LONG_AGO)
    assert Prosecution.objects.filter(pupil=pupil, status__in=["preparing", "laid"]).exists()

    result = dry_run()
    held = {p.pk: p for p in result["held"]}
    assert pupil.pk in held and pupil.pk not in {p.pk for p in result["to_anonymise"]}
    from schools.data_protection.retention import hold_reasons
    assert {"Prosecution not concluded", "Case still open"} <= set(hold_reasons(held[pupil.pk]))

    run = anonymise()
    assert run.anonymised == 0 and run.summary["held_back"]["Prosecution not concluded"] == 1
    pupil.refresh_from_db()
    assert pupil.legal_first_name == "Ben"
