"""Two-factor sign-in for LA roles: set-up, the code step, lock-out, the mandatory setting, removal, admin reset."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from schools.models import AuditEvent
from tests.accounts.helpers import code_now, device_for, wrong_code
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in_password(client, username, next_url=""):
    data = {"username": username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- set-up ---------------------------------------------------------------------------------------------------------


def test_an_la_officer_sets_up_an_authenticator_from_the_account_page(world, client):
    officer = world.users["la_officer"]
    client.force_login(officer)
    account = client.get(reverse("account")).content.decode()
    assert "Two-factor sign-in" in account and reverse("two_factor_setup") in account

    page = client.get(reverse("two_factor_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<img" not in html.split('data-testid="two-factor-qr"')[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    shown_secret = re.search(r'data-testid="two-factor-secret"><code>([A-Z2-7 ]+)</code>', html).group(1)
    import base64
    assert base64.b32decode(shown_secret.replace(" ", "") + "=" * (-len(shown_secret.replace(" ", "")) % 8)) == \
        device.bin_key
    # A reload shows the same secret (the person may already have scanned it).
    assert shown_secret in client.get(reverse("two_factor_setup")).content.decode()

    wrong = client.post(reverse("two_factor_setup"), {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert "The code is wrong or has expired" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(reverse("two_factor_setup"), {"code": code_now(device)})
    assert done.status_code == 302 and done["Location"] == reverse("account")
    device.refresh_from_db()
    assert device.confirmed
    # This session counts as verified: pages open without signing in again.
    assert client.get(reverse("pupil_list")).status_code == 200
    assert "On: your authenticator app" in client.get(reverse("account")).content.decode()

    event = AuditEvent.objects.get(object_type="otp_totp.TOTPDevice", action=AuditEvent.Action.CREATE)
    assert event.user == officer and event.object_id == str(device.pk)
    assert device.key not in str(event.changes) and shown_secret.replace(" ", "") not in str(event.changes)


def test_school_users_are_not_offered_two_factor_sign_in(world, client):
    client.force_login(world.users["school_a"])
    account = client.get(reverse("account"))
    assert account.status_code == 200
    assert "Two-factor sign-in" not in account.content.decode()
    assert client.get(reverse("two_factor_setup")).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_setting_up_deletes_api_tokens_got_with_the_password_alone(world, client):
    from rest_framework.authtoken.models import Token

    officer = world.users["la_officer"]
    Token.objects.create(user=officer)
    client.force_login(officer)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=officer)
    client.post(reverse("two_factor_setup"), {"code": code_now(device)})
    assert not Token.objects.filter(user=officer).exists()


# --- signing in -----------------------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(world, client):
    officer = world.users["la_officer"]
    device = device_for(officer)
    response = _sign_in_password(client, "la_officer", next_url=reverse("school_list"))
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert not _signed_in(client)
    assert client.get(reverse("pupil_list")).status_code == 302  # nothing is reachable on the password alone

    page = client.get(reverse("login_code"))
    assert page.status_code == 200 and "Enter your sign-in code" in page.content.decode()
    done = client.post(reverse("login_code"), {"code": code_now(device)})
    assert done.status_code == 302 and done["Location"] == reverse("school_list")
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get(reverse("pupil_list")).status_code == 200


def test_a_wrong_or_malformed_code_is_refused_at_the_field(world, client):
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    wrong = client.post(reverse("login_code"), {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert "The code is wrong or has expired" in wrong.content.decode()
    assert 'govuk-error-message' in wrong.content.decode()
    malformed = client.post(reverse("login_code"), {"code": "12ab"})
    assert "Enter the code as 6 digits" in malformed.content.decode()
    assert not _signed_in(client)


def test_a_code_is_accepted_with_spaces_as_the_app_shows_it(world, client):
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    code = code_now(device)
    assert client.post(reverse("login_code"), {"code": f"{code[:3]} {code[3:]}"}).status_code == 302
    assert _signed_in(client)


def test_school_users_sign_in_with_the_password_alone(world, client):
    response = _sign_in_password(client, "school_a")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert _signed_in(client)


def test_wrong_codes_count_toward_the_lock_out(world, client):
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    statuses = [client.post(reverse("login_code"), {"code": wrong_code(device)}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert not _signed_in(client)
    # Locked: the right password and then the right code no longer get in.
    assert _sign_in_password(client, "la_officer").status_code == 429
    assert not _signed_in(client)


def test_wrong_passwords_and_wrong_codes_add_up(world, client):
    device = device_for(world.users["la_officer"])
    for _ in range(3):
        client.post(reverse("login"), {"username": "la_officer", "password": "wrong-password"})
    _sign_in_password(client, "la_officer")
    assert client.post(reverse("login_code"), {"code": wrong_code(device)}).status_code == 200
    locked = client.post(reverse("login_code"), {"code": wrong_code(device)})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert client.post(reverse("login_code"), {"code": code_now(device)}).status_code == 302  # back to sign in
    assert not _signed_in(client)


def test_the_password_step_expires(world, client, time_machine):
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=6), tick=True)
    response = client.post(reverse("login_code"), {"code": code_now(device)})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not _signed_in(client)


def test_a_code_cannot_be_used_twice(world, client):
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    code = code_now(device)
    client.post(reverse("login_code"), {"code": code})
    client.logout()
    _sign_in_password(client, "la_officer")
    assert client.post(reverse("login_code"), {"code": code}).status_code == 200
    assert not _signed_in(client)


def test_a_session_signed_in_without_the_code_is_signed_out(world, client):
    """Any other way in (the admin site's form, a session from before set-up) lands back at sign-in."""
    officer = world.users["la_admin"]
    device_for(officer)
    client.force_login(officer)
    response = client.get(reverse("pupil_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _signed_in(client)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_sites_sign_in_is_the_services(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("login") + "?next=/admin/"


# --- mandatory for LA roles -----------------------------------------------------------------------------------------


def test_when_required_la_roles_without_a_device_set_it_up_first(world, client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES = True
    _sign_in_password(client, "la_manager")
    for url in (reverse("home"), reverse("pupil_list"), reverse("account"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("two_factor_setup"), url
    assert client.get(reverse("api-pupil-list")).status_code == 403
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 200 and "Your authority requires two-factor sign-in" in setup.content.decode()
    device = TOTPDevice.objects.get(user=world.users["la_manager"])
    client.post(reverse("two_factor_setup"), {"code": code_now(device)})
    assert client.get(reverse("pupil_list")).status_code == 200
    # Once required, it cannot be turned off by the user (an LA admin can reset it).
    assert client.get(reverse("two_factor_remove")).status_code == 403


def test_when_required_school_users_are_not_affected(world, client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES = True
    _sign_in_password(client, "school_a")
    assert client.get(reverse("pupil_list")).status_code == 200


# --- removal and reset ----------------------------------------------------------------------------------------------


def test_turning_it_off_needs_a_current_code_and_is_audited(world, client):
    officer = world.users["la_officer"]
    device = device_for(officer)
    _sign_in_password(client, "la_officer")
    client.post(reverse("login_code"), {"code": code_now(device)})
    assert client.post(reverse("two_factor_remove"), {"code": wrong_code(device)}).status_code == 200
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_turning_it_off_with_the_code(world, client, time_machine):
    officer = world.users["la_officer"]
    device = device_for(officer)
    _sign_in_password(client, "la_officer")
    client.post(reverse("login_code"), {"code": code_now(device)})
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=31), tick=True)
    response = client.post(reverse("two_factor_remove"), {"code": code_now(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(object_type="otp_totp.TOTPDevice", action=AuditEvent.Action.DELETE)
    assert event.user == officer and event.changes["user"] == ["la_officer", None]
    assert client.get(reverse("pupil_list")).status_code == 200  # still signed in; next sign-in is password only


def test_an_la_admin_resets_a_users_device_in_the_admin_site(world, client):
    officer, admin_user = world.users["la_officer"], world.users["la_admin"]
    device = device_for(officer)
    client.force_login(admin_user)
    response = client.post(reverse("admin:schools_user_changelist"),
                           {"action": "reset_two_factor", "_selected_action": [officer.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(object_type="otp_totp.TOTPDevice", action=AuditEvent.Action.DELETE)
    assert event.user == admin_user and event.object_id == str(device.pk)
    # django-otp's own device admin (which shows secrets) is not on the site.
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_full_sign_in_with_the_code_clears_earlier_failures(world, client):
    device = device_for(world.users["la_officer"])
    for _ in range(4):
        client.post(reverse("login"), {"username": "la_officer", "password": "wrong-password"})
    _sign_in_password(client, "la_officer")
    assert client.post(reverse("login_code"), {"code": code_now(device)}).status_code == 302
    client.logout()
    for _ in range(4):
        assert client.post(reverse("login"), {"username": "la_officer", "password": "wrong-password"}).status_code \
            == 200
    assert _sign_in_password(client, "la_officer").status_code == 302  # not locked: the count started again


def test_the_password_step_alone_does_not_clear_failures(world, client):
    """Otherwise someone with the password could try four codes, give the password again, and try four more."""
    device = device_for(world.users["la_officer"])
    _sign_in_password(client, "la_officer")
    for _ in range(3):
        client.post(reverse("login_code"), {"code": wrong_code(device)})
    _sign_in_password(client, "la_officer")
    assert client.post(reverse("login_code"), {"code": wrong_code(device)}).status_code == 200
    assert client.post(reverse("login_code"), {"code": wrong_code(device)}).status_code == 429
