"""API tokens end: after API_TOKEN_IDLE_HOURS without use, API_TOKEN_MAX_DAYS after issue, with a password change or
a two-factor reset, or when their owner or an LA admin revokes them; Your account lists them with their last use."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from schools.accounts import tokens, two_factor
from schools.models import AuditEvent
from tests.accounts.helpers import device_for
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    response = APIClient().post(reverse("api_token"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/schools/").status_code


def test_a_token_ends_after_eight_hours_without_use_and_thirty_days_after_issue(world):
    user = world.users["school_a"]
    key = _token(user)
    assert _status(key) == 200
    now = timezone.now()
    with time_machine.travel(now + datetime.timedelta(hours=7, minutes=59)):
        assert _status(key) == 200  # used again: the eight hours start again
    with time_machine.travel(now + datetime.timedelta(hours=15, minutes=58)):
        assert _status(key) == 200
    with time_machine.travel(now + datetime.timedelta(hours=24)):
        assert _status(key) == 401 and not Token.objects.filter(key=key).exists()
    key = _token(user)
    start = timezone.now()
    for hours in range(7, 30 * 24, 7):
        with time_machine.travel(start + datetime.timedelta(hours=hours)):
            assert _status(key) == 200, hours  # used every seven hours: never idle for eight... until day 30
    with time_machine.travel(start + datetime.timedelta(days=30, minutes=1)):
        assert _status(key) == 401


def test_a_password_change_ends_the_token(world, client):
    user = world.users["la_officer"]
    key = _token(user)
    client.force_login(user)
    response = client.post(reverse("password_change"), {"old_password": TEST_PASSWORD,
                                                        "new_password1": "A much longer passphrase 2026",
                                                        "new_password2": "A much longer passphrase 2026"})
    assert response.status_code == 302
    assert _status(key) == 401
    # A password set any other way (the admin site, a shell) ends it at its next use.
    user.refresh_from_db()
    other = world.users["school_b"]
    other_key = _token(other)
    other.set_password("Changed elsewhere 2026!")
    other.save()
    assert _status(other_key) == 401


def test_a_two_factor_reset_ends_the_token(world):
    user = world.users["la_officer"]
    device_for(user)
    from tests.accounts.helpers import code_now

    client = APIClient()
    response = client.post(reverse("api_token"), {"username": user.username, "password": TEST_PASSWORD,
                                                  "otp": code_now(user.totpdevice_set.get())})
    key = response.json()["token"]
    assert _status(key) == 200
    two_factor.remove_devices(user=user, actor=world.users["la_admin"], path="admin reset")
    assert _status(key) == 401


def test_your_account_lists_the_token_and_revokes_it(world, client):
    user = world.users["school_a"]
    key = _token(user)
    _status(key)
    client.force_login(user)
    page = client.get(reverse("account")).content.decode()
    assert 'data-testid="api-token"' in page and "last used" in page and "Revoke" in page
    response = client.post(reverse("api_token_revoke"))
    assert response.status_code == 302 and _status(key) == 401
    assert "None. Programs get one" in client.get(reverse("account")).content.decode()
    events = AuditEvent.objects.filter(object_type="schools.ApiTokenUse").values_list("action", "username")
    assert set(events) == {("create", user.username), ("delete", user.username)}
    assert not AuditEvent.objects.filter(object_id=key).exists()  # the key itself is never written down


def test_an_admin_revokes_a_token(world, client):
    user = world.users["school_b"]
    key = _token(user)
    assert tokens.revoke(user=user, actor=world.users["la_admin"]) is True
    assert _status(key) == 401


def test_an_admin_revokes_tokens_from_the_users_list_and_it_is_audited(world, client):
    user = world.users["la_officer"]
    tokens.issue(user=user)
    admin = world.users["la_admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    answer = client.post("/admin/schools/user/", {"action": "revoke_api_tokens", "_selected_action": [user.pk]})
    assert answer.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(username="la_admin", action=AuditEvent.Action.DELETE).exists()
