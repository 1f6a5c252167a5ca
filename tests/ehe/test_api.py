"""The register over the API: LA roles only, the page's filters, registering a child and the record's steps."""

from __future__ import annotations

import datetime

import pytest

from schools.ehe import services
from schools.models import HomeEducationRecord
from tests.ehe.fixtures import family_pupil, unsuitable_record

D = datetime.date


@pytest.fixture
def records(world):
    officer = world.users["la_officer"]
    plain = services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 2),
                                             source="parent")
    pupil, _ = family_pupil(world.school_b)
    return plain, unsuitable_record(officer, pupil)


def test_list_filter_and_detail(world, records, client):
    plain, overdue = records
    client.force_login(world.users["legal_officer"])
    body = client.get("/api/home-education/").json()
    assert body["count"] == 2
    body = client.get("/api/home-education/", {"enquiry": "overdue"}).json()
    assert [r["id"] for r in body["results"]] == [overdue.pk]
    assert body["results"][0]["next_action"].startswith("No reply to the informal enquiry")
    assert body["results"][0]["enquiry_response_due"] == "2026-11-17"
    detail = client.get(f"/api/home-education/{plain.pk}/")
    assert detail.status_code == 200 and detail.json()["reference"] == plain.reference
    client.force_login(world.users["school_a"])
    assert client.get(f"/api/home-education/{plain.pk}/").status_code == 403


def test_create_and_steps(world, client):
    client.force_login(world.users["la_manager"])
    created = client.post("/api/home-education/", {"pupil": world.pupil_b.pk, "notified_on": "2026-11-09",
                                                   "source": "parent", "reasons": ["HEALTH"]},
                          content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["school"] == world.school_b.pk
    again = client.post("/api/home-education/", {"pupil": world.pupil_b.pk, "notified_on": "2026-11-09",
                                                 "source": "parent"}, content_type="application/json")
    assert again.status_code == 400 and "already on the home education register" in again.json()["pupil"][0]
    step = client.post(f"/api/home-education/{pk}/suitability/", {"suitability": "not_suitable",
                                                                   "assessed_on": "2026-11-12"},
                       content_type="application/json")
    assert step.status_code == 400 and "notes" in step.json()
    step = client.post(f"/api/home-education/{pk}/enquiry/", {"sent_on": "2026-11-12"},
                       content_type="application/json")
    assert step.status_code == 200 and step.json()["enquiry_response_due"] == "2026-11-27"
    closed = client.post(f"/api/home-education/{pk}/return/", {"returned_on": "2026-11-20",
                                                                "school": world.school_a.pk},
                         content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "returned"
    client.force_login(world.users["legal_officer"])
    assert client.post(f"/api/home-education/{pk}/close/", {"closed_on": "2026-11-20", "reason": "x"},
                       content_type="application/json").status_code == 403
    assert HomeEducationRecord.objects.get(pk=pk).status == "returned"
