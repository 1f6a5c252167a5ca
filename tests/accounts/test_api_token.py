"""The API token endpoint: lock-out (axes), the per-address throttle, and two-factor users' otp field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.accounts.helpers import code_now, device_for, wrong_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/auth/token/"


def _post(client, username, password=TEST_PASSWORD, **extra):
    return client.post(URL, {"username": username, "password": password, **extra})


def test_the_url_is_the_named_token_endpoint():
    assert reverse("api_token") == URL


def test_a_user_without_two_factor_gets_a_token_that_works(world, client):
    response = _post(client, "school_a")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=world.users["school_a"]).key
    api = client.get(reverse("api-pupil-list"), HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 200


def test_wrong_passwords_lock_the_token_endpoint_out(world, client):
    statuses = [_post(client, "la_officer", "wrong-password").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = _post(client, "la_officer")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]
    assert not Token.objects.filter(user=world.users["la_officer"]).exists()


def test_token_failures_and_page_failures_share_one_count(world, client):
    for _ in range(3):
        _post(client, "la_officer", "wrong-password")
    for _ in range(2):
        client.post(reverse("login"), {"username": "la_officer", "password": "wrong-password"})
    assert client.post(reverse("login"), {"username": "la_officer", "password": TEST_PASSWORD}).status_code == 429
    assert _post(client, "la_officer").status_code == 429


def test_a_two_factor_user_must_send_the_code(world, client, time_machine):
    officer = world.users["la_officer"]
    device = device_for(officer)
    missing = _post(client, "la_officer")
    assert missing.status_code == 400 and "otp" in missing.json()
    assert _post(client, "la_officer", otp=wrong_code(device)).status_code == 400
    assert not Token.objects.filter(user=officer).exists()
    # django-otp holds a device for a second after a wrong code (doubling with each), on top of axes' count.
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=3), tick=True)
    ok = _post(client, "la_officer", otp=code_now(device))
    assert ok.status_code == 200 and ok.json()["token"] == Token.objects.get(user=officer).key


def test_wrong_codes_at_the_token_endpoint_lock_it_out(world, client):
    device = device_for(world.users["la_officer"])
    statuses = [_post(client, "la_officer", otp=wrong_code(device)).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    assert _post(client, "la_officer", otp=code_now(device)).status_code == 429


def test_when_required_la_roles_without_a_device_get_no_token(world, client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES = True
    refused = _post(client, "la_officer")
    assert refused.status_code == 403 and "Set up two-factor sign-in" in refused.json()["detail"]
    assert _post(client, "school_a").status_code == 200


def test_the_token_endpoint_is_rate_limited_per_address(world, client, settings):
    """20 a minute from one address (REST_FRAMEWORK api_token rate), whatever the usernames tried."""
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"] == "20/min"
    statuses = [_post(client, f"nobody{i}", "wrong-password").status_code for i in range(21)]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    assert _post(client, "school_a").status_code == 429  # even the right password waits


def test_when_required_old_tokens_of_la_roles_without_a_device_stop_working(world, client, settings):
    officer_token = Token.objects.create(user=world.users["la_officer"])
    school_token = Token.objects.create(user=world.users["school_a"])
    url = reverse("api-pupil-list")
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {officer_token.key}").status_code == 200
    settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES = True
    refused = client.get(url, HTTP_AUTHORIZATION=f"Token {officer_token.key}")
    assert refused.status_code == 401 and "Set up two-factor sign-in" in refused.json()["detail"]
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {school_token.key}").status_code == 200
    # Setting up the second factor ends the token got with the password alone (schools.accounts.tokens); a new one,
    # got with the code, works.
    device = device_for(world.users["la_officer"])
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {officer_token.key}").status_code == 401
    fresh = client.post(reverse("api_token"), {"username": "la_officer", "password": TEST_PASSWORD,
                                               "otp": code_now(device)}).json()["token"]
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200
