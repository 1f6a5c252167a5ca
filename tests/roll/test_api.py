"""The API: schools send notices and read their own; the LA reads all (with the same filters) and triages."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from schools.models import RollNotification

D = datetime.date
pytestmark = pytest.mark.django_db
URL = "/api/roll-notifications/"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_school_sends_a_notice_and_reads_only_its_own(calendar, send, new_upn):
    api = _api(calendar.users["school_b"])
    response = api.post(URL, {"kind": "admission", "school": calendar.school_b.urn, "upn": new_upn(),
                              "first_name": "Ann", "last_name": "Ames", "date_of_birth": "2013-04-04",
                              "event_date": "2026-11-09", "sex": "F"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["due_on"], body["late"]) == ("api", "2026-11-16", True)
    assert "pupil" not in body  # the LA's match is the LA's
    other = send(user=calendar.users["school_a"], school=calendar.school_a, pupil=calendar.pupil_a)
    assert [row["id"] for row in api.get(URL).json()["results"]] == [body["id"]]
    assert api.get(f"{URL}{other.pk}/").status_code == 404


def test_bad_input_is_a_400_by_field_and_another_schools_urn_does_not_exist(calendar, new_upn):
    api = _api(calendar.users["school_b"])
    response = api.post(URL, {"kind": "deletion", "school": calendar.school_b.urn, "upn": new_upn(),
                              "first_name": "Ann", "last_name": "Ames", "date_of_birth": "2013-04-04",
                              "event_date": "2026-11-30"}, format="json")
    assert response.status_code == 400
    assert response.json()["ground"] == ["Choose the ground for deleting the pupil from the admission register."]
    response = api.post(URL, {"kind": "deletion", "school": calendar.school_a.urn, "upn": new_upn(),
                              "first_name": "Ann", "last_name": "Ames", "date_of_birth": "2013-04-04",
                              "event_date": "2026-11-30", "ground": "f"}, format="json")
    assert response.status_code == 400 and "school" in response.json()
    assert not RollNotification.objects.exists()
    assert _api(calendar.users["legal_officer"]).post(URL, {}, format="json").status_code == 403


def test_the_la_filters_and_triages(calendar, send):
    deletion = send(ground="i")
    send(user=calendar.users["school_a"], school=calendar.school_a, pupil=calendar.pupil_a, ground="k")
    api = _api(calendar.users["la_officer"])
    rows = api.get(URL, {"school": calendar.school_b.pk, "ground": "i"}).json()["results"]
    assert [row["id"] for row in rows] == [deletion.pk] and rows[0]["pupil"] == calendar.pupil_b.pk
    assert _api(calendar.users["school_b"]).post(f"{URL}{deletion.pk}/triage/", {"step": "cme"},
                                                 format="json").status_code == 403
    response = api.post(f"{URL}{deletion.pk}/triage/", {"step": "ehe"}, format="json")
    assert response.status_code == 400 and "next steps offered" in response.json()["step"][0]
    response = api.post(f"{URL}{deletion.pk}/triage/", {"step": "cme"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done" and response.json()["cme_record"]
