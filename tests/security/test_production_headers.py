"""Secure headers as production sends them: the settings are read from config/settings.py in a subprocess with
DJANGO_DEBUG=false (exactly what a deployment gets), then applied to this process's client over HTTPS."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.test_deployment import PRODUCTION_SECRET_KEY, ROOT, _settings_env_names

pytestmark = pytest.mark.django_db

HEADER_SETTINGS = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY", "SESSION_COOKIE_AGE",
]


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k not in _settings_env_names() and k != "DJANGO_TESTING"}
    env.update(DJANGO_DEBUG="false", SECRET_KEY=PRODUCTION_SECRET_KEY, ALLOWED_HOSTS="casework.example.gov.uk",
               VAR_DIR=str(tmp_path_factory.mktemp("var")), DJANGO_SETTINGS_MODULE="config.settings")
    script = ("import json, django; django.setup(); from django.conf import settings; "
              f"print(json.dumps({{n: getattr(settings, n) for n in {HEADER_SETTINGS!r}}}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_turns_every_protection_on(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000 and production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


def _client(production) -> Client:
    # The middleware reads these settings when it is built, so the client is made inside the override.
    return Client(HTTP_HOST="casework.example.gov.uk")


def _with_production(production):
    return override_settings(**{k: v for k, v in production.items() if k != "DEBUG"},
                             ALLOWED_HOSTS=["casework.example.gov.uk"])


def test_plain_http_is_sent_to_https(production, db):
    with _with_production(production):
        response = _client(production).get(reverse("login"))
    assert response.status_code == 301 and response["Location"] == "https://casework.example.gov.uk/sign-in/"


def test_pages_send_the_secure_headers_over_https(production, world):
    with _with_production(production):
        client = _client(production)
        sign_in = client.get(reverse("login"), secure=True)
        signed_in = client.post(reverse("login"), {"username": "la_officer", "password": TEST_PASSWORD},
                                secure=True)
        page = client.get(reverse("pupil_list"), secure=True)
    assert sign_in.status_code == 200 and signed_in.status_code == 302 and page.status_code == 200
    for response in (sign_in, page):
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no other origin
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'self'"
        assert "unsafe" not in directives["style-src"]
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    session_cookie = signed_in.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"] and session_cookie["samesite"] == "Lax"
    assert int(session_cookie["max-age"]) == production["SESSION_COOKIE_AGE"]
    assert sign_in.cookies["csrftoken"]["secure"]


def test_pages_carry_no_inline_script(world, client):
    """script-src 'self' would block an inline script: there must be none to block (the QR code is SVG, not JS)."""
    client.force_login(world.users["la_officer"])
    for name in ("home", "account", "two_factor_setup", "password_change", "pupil_list"):
        html = client.get(reverse(name)).content.decode()
        for tag in html.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], f"{name}: inline script"
        assert " onclick=" not in html and " onload=" not in html, name
