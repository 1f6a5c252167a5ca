"""Password policy on the password-change page, sign-out elsewhere on a change, and the idle session timeout."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_password_validators_are_the_policy():
    names = {v["NAME"].rsplit(".", 1)[1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {"UserAttributeSimilarityValidator": {}, "MinimumLengthValidator": {"min_length": 12},
                     "CommonPasswordValidator": {}, "NumericPasswordValidator": {}}


@pytest.mark.parametrize("new_password, message", [
    ("Sh0rt!pass", "This password is too short. It must contain at least 12 characters."),
    ("password1234", "This password is too common."),
    ("804512937165", "This password is entirely numeric."),
    ("la_officer_1", "The password is too similar to the username."),
])
def test_a_weak_password_is_refused_at_the_field(world, client, new_password, message):
    officer = world.users["la_officer"]
    client.force_login(officer)
    response = client.post(reverse("password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 200
    assert message in response.context["form"].errors["new_password2"]
    html = response.content.decode()
    assert "There is a problem" in html  # the GOV.UK error summary
    field_error = html.split('id="id_new_password2-error"')[1].split("</p>")[0] if 'id="id_new_password2-error"' \
        in html else html.split("govuk-error-message")[-1]
    assert message.replace("'", "&#x27;") in field_error
    officer.refresh_from_db()
    assert officer.check_password(TEST_PASSWORD)


def test_the_password_change_page_is_govuk_styled(world, client):
    client.force_login(world.users["school_a"])
    html = client.get(reverse("password_change")).content.decode()
    assert "Change your password" in html and "govuk-input" in html and "govuk-button" in html


def test_changing_the_password_signs_out_every_other_session(world, client):
    officer = world.users["la_officer"]
    other = Client()
    other.force_login(officer)
    assert other.get(reverse("pupil_list")).status_code == 200
    client.force_login(officer)
    new = "a much longer passphrase 2026"
    response = client.post(reverse("password_change"), {
        "old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert client.get(reverse("pupil_list")).status_code == 200  # this session carries on
    signed_out = other.get(reverse("pupil_list"))
    assert signed_out.status_code == 302 and signed_out["Location"].startswith(reverse("login"))
    officer.refresh_from_db()
    assert officer.check_password(new)


def _later(time_machine, **delta):
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(**delta), tick=True)


def test_a_session_idle_beyond_the_cookie_age_is_signed_out(world, client, time_machine):
    assert settings.SESSION_COOKIE_AGE == 4 * 60 * 60
    client.post(reverse("login"), {"username": "school_a", "password": TEST_PASSWORD})
    assert client.get(reverse("pupil_list")).status_code == 200
    _later(time_machine, seconds=settings.SESSION_COOKIE_AGE + 60)
    response = client.get(reverse("pupil_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_keeps_a_session_alive(world, client, time_machine):
    client.post(reverse("login"), {"username": "school_a", "password": TEST_PASSWORD})
    for _ in range(3):  # 3 x 3 hours: longer than the cookie age, but never that long idle
        _later(time_machine, hours=3)
        assert client.get(reverse("pupil_list")).status_code == 200


def test_an_unchanged_session_is_written_at_most_once_a_minute(world, client, time_machine):
    from django.contrib.sessions.models import Session

    client.post(reverse("login"), {"username": "school_a", "password": TEST_PASSWORD})
    client.get(reverse("pupil_list"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    _later(time_machine, seconds=20)
    assert client.get(reverse("pupil_list")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == first  # no write for a page 20 s later
    _later(time_machine, seconds=settings.SESSION_REFRESH_SECONDS)
    response = client.get(reverse("pupil_list"))
    assert Session.objects.get(session_key=key).expire_date > first  # the idle timeout slides with activity
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == settings.SESSION_COOKIE_AGE
