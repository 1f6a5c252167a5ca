"""Secure headers, login throttling, and admin input checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schools.models import School
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_pages_send_csp_and_secure_headers(world, client):
    client.force_login(world.users["la_officer"])
    response = client.get(reverse("pupil_list"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("style-src")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_repeated_failed_sign_ins_lock_the_account_out(world, client):
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "la_officer", "password": "wrong-password"})
    response = client.post(url, {"username": "la_officer", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_works(world, client):
    response = client.post(reverse("login"), {"username": "school_a", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["school_a"].pk)


@pytest.mark.parametrize("field, value, message", [
    ("urn", "12345", "A URN is 6 digits"),
    ("laestab", "845-401", "A LAESTAB is 7 digits"),
])
def test_admin_refuses_malformed_school_identifiers_at_the_field(world, client, field, value, message):
    client.force_login(world.users["la_admin"])
    data = {"urn": "123456", "laestab": "8454999", "name": "New School", "phase": "primary",
            "school_type": "community", "is_open": "on", field: value}
    response = client.post(reverse("admin:schools_school_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not School.objects.filter(name="New School").exists()
