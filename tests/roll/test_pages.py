"""The pages as a school and the LA use them: sending, the scoped list, one-click triage from the row, upload errors,
the per-school overdue flags and the list of roll changes with no notice."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import AuditEvent, ExportedPupil, RollNotification
from tests.factories import EnrolmentFactory, PupilFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def _date(prefix: str, day: D) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_a_school_sends_a_deletion_notice_from_the_page(client_for, calendar):
    client = client_for(calendar.users["school_b"])
    pupil = calendar.pupil_b
    url = reverse("roll:deletion_new")
    assert client.get(url).status_code == 200
    data = {"school": calendar.school_b.pk, "upn": pupil.upn, "first_name": "Ben", "last_name": "Able",
            **_date("date_of_birth", pupil.date_of_birth), **_date("event_date", D(2026, 11, 27)), "ground": "f",
            "new_address": "4 Mill Lane"}
    response = client.post(url, data)
    notice = RollNotification.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roll:detail", args=[notice.pk])
    assert (notice.ground, notice.late, notice.source, notice.new_address) == ("f", False, "page", "4 Mill Lane")
    page = client.get(response["Location"]).content.decode()
    assert "reg 9(1)(f)" in page and "Not matched" not in page  # the LA's match is not shown to schools


def test_missing_answers_say_what_to_enter(client_for, calendar):
    response = client_for(calendar.users["school_b"]).post(reverse("roll:admission_new"), {"school": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    for message in ["Enter the pupil&#x27;s UPN.", "Enter the pupil&#x27;s first name.",
                    "Enter the date the pupil was added to the admission register.", "Choose the pupil&#x27;s sex."]:
        assert message in page
    assert "This field is required" not in page
    assert not RollNotification.objects.exists()


def test_each_school_sees_only_its_own_notices_and_the_la_sees_all(client_for, calendar, send):
    mine = send()
    theirs = send(user=calendar.users["school_a"], school=calendar.school_a, pupil=calendar.pupil_a)
    page = client_for(calendar.users["school_b"]).get(reverse("roll:list")).content.decode()
    assert "Able, Ben" in page and "Able, Amy" not in page
    assert client_for(calendar.users["school_b"]).get(reverse("roll:detail", args=[theirs.pk])).status_code == 404
    la_page = client_for(calendar.users["legal_officer"]).get(reverse("roll:list")).content.decode()
    assert "Able, Ben" in la_page and "Able, Amy" in la_page
    assert "step-ehe" not in la_page  # legal officers read, they do not triage
    filtered = client_for(calendar.users["la_officer"]).get(
        reverse("roll:list") + f"?school={calendar.school_a.pk}").content.decode()
    assert "Able, Amy" in filtered and "Able, Ben" not in filtered
    assert mine.pk != theirs.pk


def test_the_la_triages_from_the_row_in_one_click(client_for, calendar, send):
    notice = send(ground="i")
    client = client_for(calendar.users["la_officer"])
    list_url = reverse("roll:list")
    page = client.get(list_url).content.decode()
    assert 'data-testid="step-cme"' in page
    response = client.post(reverse("roll:triage", args=[notice.pk]), {"step": "cme", "next": list_url})
    assert response.status_code == 302 and response["Location"] == list_url
    notice.refresh_from_db()
    assert notice.status == "done" and notice.cme_record.reason == "deletion_20"
    assert "Able, Ben" not in client.get(list_url).content.decode()  # left the queue
    assert "Able, Ben" in client.get(list_url + "?status=done").content.decode()


def test_a_move_shows_whether_the_new_school_confirmed_the_admission(client_for, calendar, send):
    send(ground="a", new_school=calendar.school_a)
    client = client_for(calendar.users["la_officer"])
    page = client.get(reverse("roll:list")).content.decode()
    assert "No admission notice yet" in page and 'data-testid="step-move"' not in page
    send("admission", user=calendar.users["school_a"], school=calendar.school_a, event_date=D(2026, 11, 23))
    page = client.get(reverse("roll:list")).content.decode()
    assert "Admission confirmed by Alpha Primary on 23 Nov 2026" in page and 'data-testid="step-move"' in page


def test_a_failed_step_says_why_on_the_next_page(client_for, calendar, send):
    notice = send(ground="o")
    client = client_for(calendar.users["la_officer"])
    response = client.post(reverse("roll:triage", args=[notice.pk]), {"step": "exclusion"}, follow=True)
    assert "No permanent exclusion of Ben Able" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == "to_triage"
    assert client_for(calendar.users["school_b"]).post(reverse("roll:triage", args=[notice.pk]),
                                                       {"step": "cme"}).status_code == 403


def test_the_la_matches_an_unknown_upn_to_a_pupil(client_for, calendar, send, new_upn):
    notice = send("admission", upn=new_upn(), first_name="Ben", last_name="Able",
                  date_of_birth=calendar.pupil_b.date_of_birth, event_date=D(2026, 11, 18))
    client = client_for(calendar.users["la_officer"])
    page = client.get(reverse("roll:match", args=[notice.pk])).content.decode()
    assert calendar.pupil_b.upn in page  # same surname and date of birth
    response = client.post(reverse("roll:match", args=[notice.pk]), {"pupil": calendar.pupil_b.pk})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.pupil == calendar.pupil_b and notice.status == "done"


def test_an_upload_with_a_bad_row_lists_it_and_saves_nothing(client_for, calendar, new_upn):
    client = client_for(calendar.users["school_b"])
    text = ("kind,upn,first_name,last_name,date_of_birth,date,ground\n"
            f"deletion,{new_upn()},Ann,Ames,2014-01-01,2026-11-30,f\n"
            f"deletion,{new_upn()},Bob,Bell,2014-01-01,2026-11-30,q\n")
    response = client.post(reverse("roll:upload"), {"file": SimpleUploadedFile("year9.csv", text.encode())})
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in page and "year9.csv" in page
    assert "Enter the ground as its letter in regulation 9(1)" in page
    assert not RollNotification.objects.exists()
    good = text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n"
    response = client.post(reverse("roll:upload"), {"file": SimpleUploadedFile("ok.csv", good.encode())})
    assert response.status_code == 302 and RollNotification.objects.count() == 1


def test_the_export_is_scoped_and_audited(client_for, calendar, send):
    send()
    send(user=calendar.users["school_a"], school=calendar.school_a, pupil=calendar.pupil_a)
    response = client_for(calendar.users["school_a"]).get(reverse("roll:list") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[3] for r in rows if len(r) > 3 and r[0] == "Deletion (deletion return)"] == [calendar.pupil_a.upn]
    event = AuditEvent.objects.get(action="export", object_type="schools.RollNotification")
    assert list(ExportedPupil.objects.filter(event=event).values_list("pupil_id", flat=True)) == [
        calendar.pupil_a.pk]


def test_overdue_flags_per_school(client_for, calendar, send, new_upn):
    # School B: a pupil left on 13 November with no notice; a late deletion notice; a Year 8 who joined on
    # 2 November with no admission notice (more than 5 school days ago).
    left = PupilFactory()
    EnrolmentFactory(pupil=left, school=calendar.school_b, start_date=D(2025, 9, 3), end_date=D(2026, 11, 13),
                     nc_year=8)
    joined = PupilFactory()
    EnrolmentFactory(pupil=joined, school=calendar.school_b, start_date=D(2026, 11, 2), nc_year=8)
    send(event_date=D(2026, 11, 20))  # late: after the deletion
    client = client_for(calendar.users["la_manager"])
    page = client.get(reverse("roll:overdue")).content.decode()
    assert "Beta Academy" in page
    from schools.roll import selectors

    row = next(r for r in selectors.school_flags(user=calendar.users["la_manager"]) if r.school == calendar.school_b)
    assert (row.deletions_without_notice, row.late_deletion_notices, row.late_admission_notices,
            row.admissions_without_notice) == (1, 1, 0, 1)
    missing = client.get(reverse("roll:missing") + f"?kind=deletion&school={calendar.school_b.urn}").content.decode()
    assert left.upn in missing and "Send the deletion notice" in missing
    # School A sees none of school B's.
    assert client_for(calendar.users["school_a"]).get(reverse("roll:missing")).content.decode().count(left.upn) == 0
    # Sending the notice clears the flag.
    send(pupil=left, event_date=D(2026, 11, 13), ground="a", new_school=calendar.school_a)
    row = next(r for r in selectors.school_flags(user=calendar.users["la_manager"]) if r.school == calendar.school_b)
    assert row.deletions_without_notice == 0 and row.late_deletion_notices == 2


def test_the_notice_form_can_start_from_a_roll_change_with_no_notice(client_for, calendar):
    left = PupilFactory(legal_first_name="Lee")
    enrolment = EnrolmentFactory(pupil=left, school=calendar.school_b, start_date=D(2025, 9, 3),
                                 end_date=D(2026, 11, 13), nc_year=8)
    page = client_for(calendar.users["school_b"]).get(
        reverse("roll:deletion_new") + f"?enrolment={enrolment.pk}").content.decode()
    assert left.upn in page and 'value="Lee"' in page
    assert client_for(calendar.users["school_a"]).get(
        reverse("roll:deletion_new") + f"?enrolment={enrolment.pk}").status_code == 404


def test_the_pupil_tab_lists_the_notices(client_for, calendar, send):
    send()
    page = client_for(calendar.users["la_officer"]).get(reverse("roll:pupil", args=[calendar.pupil_b.pk]))
    assert "Roll notices" in page.content.decode() and "Deletion (deletion return)" in page.content.decode()


def test_the_home_page_leads_to_the_queue_and_to_a_schools_missing_notices(client_for, calendar, send):
    send()
    left = PupilFactory()
    EnrolmentFactory(pupil=left, school=calendar.school_b, start_date=D(2025, 9, 3), end_date=D(2026, 11, 13),
                     nc_year=8)
    la_home = client_for(calendar.users["la_officer"]).get(reverse("home")).content.decode()
    assert "Roll notifications to triage" in la_home
    school_home = client_for(calendar.users["school_b"]).get(reverse("home")).content.decode()
    assert "Pupils who left with no deletion notice to the LA" in school_home


def test_a_triaged_notice_shows_its_step_and_record(client_for, calendar, send):
    from schools.roll import services

    notice = send(ground="f")
    services.notification_triage(user=calendar.users["la_officer"], notification=notice, step="ehe",
                                 note="Letter from the parent on file")
    page = client_for(calendar.users["la_manager"]).get(reverse("roll:detail", args=[notice.pk])).content.decode()
    assert "Elective home education register" in page and "Letter from the parent on file" in page
    assert AuditEvent.objects.filter(action="view", object_type="schools.RollNotification").exists()
    for name in ("roll:upload", "roll:admission_new", "roll:overdue", "roll:missing"):
        assert client_for(calendar.users["school_b"]).get(reverse(name)).status_code == 200
