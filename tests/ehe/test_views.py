"""The register's pages: LA-only, list filters, sorting, CSV export with the next action, the create form's GOV.UK
errors, and each action on the record page."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from schools.ehe import services
from schools.models import AuditEvent, HomeEducationRecord, Pupil, School
from tests.ehe.fixtures import family_pupil, unsuitable_record
from tests.factories import EnrolmentFactory, PupilFactory, SchoolFactory

D = datetime.date
Record = HomeEducationRecord


@pytest.fixture
def officer(world):
    return world.users["la_officer"]


@pytest.fixture
def register(world, officer):
    """Three records: pupil_a (not known), an overdue enquiry, and an EHCP pupil waiting for consent."""
    plain = services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 2),
                                             source="parent", reasons=["PHIL"])
    pupil, _ = family_pupil(world.school_b, first="Olly", last="Zed")
    overdue = unsuitable_record(officer, pupil)
    special = SchoolFactory(name="Oak Special", phase=School.Phase.SPECIAL, school_type=School.SchoolType.SPECIAL)
    child = PupilFactory(legal_first_name="Cal", legal_last_name="Mid", sen_status=Pupil.SenStatus.EHCP)
    EnrolmentFactory(pupil=child, school=special)
    consent = services.register_home_education(user=officer, pupil=child, notified_on=D(2026, 11, 10),
                                               source="parent")
    return {"plain": plain, "overdue": overdue, "consent": consent}


def _names(response):
    return [row.split("</a>")[0].rsplit(">", 1)[-1] for row in response.content.decode().split(
        'data-testid="ehe-row"')[1:]]


def test_school_users_are_refused_everywhere(world, register, client):
    client.force_login(world.users["school_a"])
    assert client.get(reverse("ehe_list")).status_code == 403
    assert client.get(reverse("ehe_detail", args=[register["plain"].pk])).status_code == 403
    assert client.get("/api/home-education/").status_code == 403
    assert Record.objects.visible_to(world.users["school_a"]).count() == 0


def test_list_filters_sorts_and_shows_the_next_action(world, register, client):
    client.force_login(world.users["legal_officer"])
    page = client.get(reverse("ehe_list"))
    text = page.content.decode()
    assert page.status_code == 200 and "3 records" in text
    assert "Decide whether the LA consents to deregistration" in text
    assert "No reply to the informal enquiry: consider serving the s437(1) notice" in text
    assert "Contact the family" in text
    assert _names(client.get(reverse("ehe_list"), {"sort": "name"})) == ["Able, Amy", "Mid, Cal", "Zed, Olly"]
    assert _names(client.get(reverse("ehe_list"), {"sort": "-name"})) == ["Zed, Olly", "Mid, Cal", "Able, Amy"]
    assert _names(client.get(reverse("ehe_list"), {"consent": "needed"})) == ["Mid, Cal"]
    assert _names(client.get(reverse("ehe_list"), {"enquiry": "overdue"})) == ["Zed, Olly"]
    assert _names(client.get(reverse("ehe_list"), {"suitability": "not_known", "sort": "name"})) == [
        "Able, Amy", "Mid, Cal"]
    assert _names(client.get(reverse("ehe_list"), {"q": "Amy"})) == ["Able, Amy"]
    services.ehe_close(user=world.users["la_officer"], record=register["plain"], closed_on=D(2026, 11, 20),
                       reason="Moved away")
    assert _names(client.get(reverse("ehe_list"), {"status": "open", "sort": "name"})) == ["Mid, Cal", "Zed, Olly"]


def test_csv_export_is_audited(world, register, client):
    client.force_login(world.users["la_manager"])
    response = client.get(reverse("ehe_list"), {"enquiry": "overdue", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = next(r for r in rows if "UPN" in r)
    data = rows[rows.index(header) + 1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["Reply due"] == "2026-11-17" and row["Suitability"] == "Appears not suitable"
    assert row["Next action"].startswith("No reply to the informal enquiry")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="schools.HomeEducationRecord")
    assert event.object_repr.startswith("1 rows")


def test_create_form_errors_and_success(world, officer, client):
    client.force_login(officer)
    empty = client.post(reverse("ehe_create"), {})
    text = empty.content.decode()
    assert empty.status_code == 200 and "govuk-error-summary" in text
    assert "Enter the date the LA was notified" in text and "This field is required" not in text
    assert "Choose who told the LA" in text
    wrong = client.post(reverse("ehe_create"), {"upn": "Z999", "notified_on_0": "2", "notified_on_1": "11",
                                                "notified_on_2": "2026", "source": "parent"})
    assert "No pupil you can see has this UPN" in wrong.content.decode()
    future = client.post(reverse("ehe_create"), {"upn": world.pupil_a.upn, "notified_on_0": "2",
                                                 "notified_on_1": "11", "notified_on_2": "2027", "source": "parent"})
    assert "cannot be in the future" in future.content.decode()
    assert not Record.objects.exists()
    done = client.post(reverse("ehe_create"), {"upn": world.pupil_a.upn, "notified_on_0": "2", "notified_on_1": "11",
                                               "notified_on_2": "2026", "source": "parent",
                                               "reasons": ["BULLY", "HEALTH"], "reasons_detail": "Bullied in year 7"})
    record = Record.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("ehe_detail", args=[record.pk])
    assert record.reasons == ["BULLY", "HEALTH"] and record.school == world.school_a


def test_record_actions_from_the_pages(world, register, officer, client):
    client.force_login(officer)
    consent = register["consent"]
    detail = client.get(reverse("ehe_detail", args=[consent.pk])).content.decode()
    assert 'data-testid="consent-needed"' in detail and "SI 2024/208" in detail
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=str(consent.pk),
                                     object_type="schools.HomeEducationRecord").exists()
    refused = client.post(reverse("ehe_consent", args=[consent.pk]), {
        "decision": "refused", "decided_on_0": "12", "decided_on_1": "11", "decided_on_2": "2026"})
    assert "Give the reasons for refusing consent" in refused.content.decode()
    client.post(reverse("ehe_consent", args=[consent.pk]), {
        "decision": "given", "decided_on_0": "12", "decided_on_1": "11", "decided_on_2": "2026"})
    consent.refresh_from_db()
    assert consent.consent_decision == "given" and consent.consent_decided_on == D(2026, 11, 12)

    plain = register["plain"]
    client.post(reverse("ehe_contact", args=[plain.pk]), {
        "contact_on_0": "5", "contact_on_1": "11", "contact_on_2": "2026", "kind": "home_visit", "outcome": "seen",
        "notes": "Good routine."})
    client.post(reverse("ehe_suitability", args=[plain.pk]), {
        "suitability": "suitable", "assessed_on_0": "5", "assessed_on_1": "11", "assessed_on_2": "2026"})
    plain.refresh_from_db()
    assert plain.contacts.get().kind == "home_visit"
    assert plain.suitability == "suitable" and plain.suitability_assessed_by == officer

    overdue = register["overdue"]
    client.post(reverse("ehe_enquiry_reply", args=[overdue.pk]), {
        "response_on_0": "20", "response_on_1": "11", "response_on_2": "2026", "response": "Sent a timetable."})
    overdue.refresh_from_db()
    assert overdue.enquiry_response_on == D(2026, 11, 20)
    back = client.post(reverse("ehe_return", args=[overdue.pk]), {
        "returned_on_0": "21", "returned_on_1": "11", "returned_on_2": "2026", "return_school": world.school_b.pk})
    assert back.status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == "returned" and overdue.return_school == world.school_b
    # Closed: the actions send back to the record.
    again = client.get(reverse("ehe_contact", args=[overdue.pk]))
    assert again.status_code == 302


def test_legal_officer_reads_but_cannot_edit(world, register, client):
    client.force_login(world.users["legal_officer"])
    record = register["plain"]
    assert client.get(reverse("ehe_detail", args=[record.pk])).status_code == 200
    assert client.post(reverse("ehe_close", args=[record.pk]), {"reason": "x"}).status_code == 403


def test_list_queries_do_not_grow_with_rows(world, register, officer, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("ehe_list"))
    for n in range(6):
        pupil = PupilFactory(legal_first_name=f"Extra{n}")
        EnrolmentFactory(pupil=pupil, school=world.school_a)
        services.register_home_education(user=officer, pupil=pupil, notified_on=D(2026, 11, 3), source="parent")
    with django_assert_max_num_queries(len(three)):
        assert "9 records" in client.get(reverse("ehe_list")).content.decode()
