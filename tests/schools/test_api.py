"""API: token and session auth, deny by default, same filters, bad input answered at the field."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from schools.models import AuditEvent, Pupil
from schools.validators import upn_check_letter
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

BODY = "845400125777"
VALID_UPN = upn_check_letter(BODY) + BODY


def _payload(world, **overrides):
    data = {"upn": VALID_UPN, "legal_first_name": "Dee", "legal_last_name": "Data", "date_of_birth": "2013-02-02",
            "sex": "M", "school": world.school_a.pk, "start_date": "2025-09-03", "nc_year": 7}
    data.update(overrides)
    return data


def test_token_is_issued_for_username_and_password_and_works(world, client):
    response = client.post("/api/auth/token/", {"username": "school_a", "password": TEST_PASSWORD})
    token = response.json()["token"]
    listed = client.get("/api/pupils/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
    assert {row["upn"] for row in listed.json()["results"]} == {world.pupil_a.upn, world.moved.upn}


def test_unauthenticated_calls_are_refused(world, client):
    response = client.get("/api/pupils/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_create_pupil_through_the_api(world, client):
    client.force_login(world.users["la_officer"])
    response = client.post("/api/pupils/", _payload(world), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["current_school_name"] == world.school_a.name
    assert AuditEvent.objects.filter(action="create").count() == 2


@pytest.mark.parametrize("overrides, field", [
    ({"upn": "A" + BODY if VALID_UPN[0] != "A" else "B" + BODY}, "upn"),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
    ({"start_date": None}, "start_date"),
    ({"nc_year": 42}, "nc_year"),
])
def test_bad_api_input_names_the_field_and_saves_nothing(world, client, overrides, field):
    client.force_login(world.users["la_officer"])
    before = Pupil.objects.count()
    response = client.post("/api/pupils/", _payload(world, **overrides), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert Pupil.objects.count() == before


def test_duplicate_upn_through_the_api(world, client):
    client.force_login(world.users["la_officer"])
    response = client.post("/api/pupils/", _payload(world, upn=world.pupil_a.upn), content_type="application/json")
    assert response.status_code == 400 and "upn" in response.json()


def test_overlapping_enrolment_through_the_api(world, client):
    client.force_login(world.users["la_officer"])
    response = client.post("/api/enrolments/", {"pupil": world.pupil_a.pk, "school": world.school_a.pk,
                                                "start_date": "2025-01-06", "nc_year": 6},
                           content_type="application/json")
    assert response.status_code == 400 and "start_date" in response.json()


def test_read_only_roles_cannot_write(world, client):
    for role in ("legal_officer", "school_a"):
        client.force_login(world.users[role])
        response = client.post("/api/pupils/", _payload(world), content_type="application/json")
        assert response.status_code == 403, role
        response = client.patch(f"/api/pupils/{world.pupil_a.pk}/", {"fsm_eligible": True},
                                content_type="application/json")
        assert response.status_code == 403, role


def test_update_out_of_scope_pupil_is_404(world, client):
    token = Token.objects.create(user=world.users["school_a"])
    response = client.patch(f"/api/pupils/{world.pupil_b.pk}/", {"fsm_eligible": True},
                            content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code in (403, 404)


def test_schema_describes_the_endpoints(world, client):
    client.force_login(world.users["la_officer"])
    response = client.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert {"/api/pupils/", "/api/pupils/{id}/", "/api/schools/", "/api/enrolments/"} <= set(paths)


def test_api_retrieve_is_audited(world, client):
    client.force_login(world.users["legal_officer"])
    client.get(f"/api/pupils/{world.pupil_a.pk}/")
    assert AuditEvent.objects.filter(action="view", pupil_id=world.pupil_a.pk, username="legal_officer").exists()


def test_out_of_scope_ids_answer_like_ids_that_do_not_exist(world, client):
    """A school user cannot tell another school's pupil or family from an unused id."""
    client.force_login(world.users["school_a"])
    enrol = {"school": world.school_a.pk, "start_date": "2025-09-03", "nc_year": 7}
    hidden = client.post("/api/enrolments/", {**enrol, "pupil": world.pupil_b.pk}, content_type="application/json")
    unused = client.post("/api/enrolments/", {**enrol, "pupil": 999999}, content_type="application/json")
    assert hidden.status_code == unused.status_code
    assert client.get("/api/enrolments/", {"pupil": world.pupil_b.pk}).json()["results"] == []
    assert client.get("/api/enrolments/", {"pupil": 999999}).json()["results"] == []


def test_family_outside_scope_cannot_be_linked(world, client):
    client.force_login(world.users["la_officer"])
    from tests.factories import FamilyFactory

    other = FamilyFactory()
    response = client.patch(f"/api/pupils/{world.pupil_a.pk}/", {"family": other.pk}, content_type="application/json")
    assert response.status_code == 200  # LA roles may link any family
    response = client.patch(f"/api/pupils/{world.pupil_a.pk}/", {"family": 999999}, content_type="application/json")
    assert response.status_code == 400 and "family" in response.json()
