"""Fixtures for the council sign-in tests: the provider process (session-wide), the service configured to use it,
and the provider side of a sign-in driven over HTTP (``ProviderBrowser``) for tests that use Django's client."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "casework-tests"
CLIENT_SECRET = "casework-tests-secret-0123456789"
PASSWORD = "council-password-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def settings(self) -> dict:
        """The service's settings for this provider (what a council sets from its app registration)."""
        return {
            "OIDC_ENABLED": True, "OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize/",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token/", "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo/",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/.well-known/jwks.json",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/logout/", "OIDC_PROVIDER_NAME": "Testshire Council account",
        }

    def person(self, username: str, *, groups: list[str], email: str = "", active: bool = True,
               first_name: str = "", last_name: str = "") -> str:
        """Add or change someone at the provider; their subject id."""
        answer = requests.post(f"{self.url}/control/user/", json={
            "username": username, "password": PASSWORD, "email": email or f"{username}@testshire.gov.uk",
            "groups": groups, "active": active, "first_name": first_name, "last_name": last_name}, timeout=10)
        answer.raise_for_status()
        return answer.json()["sub"]

    def allow(self, service_url: str) -> None:
        """Register the service's callback and post-sign-out addresses (the test client's and the live server's)."""
        roots = sorted({"http://testserver", service_url.rstrip("/")})
        answer = requests.post(f"{self.url}/control/application/", json={
            "redirect_uris": [f"{root}/sign-in/council/callback/" for root in roots],
            "post_logout_redirect_uris": [f"{root}/sign-in/" for root in roots]}, timeout=10)
        answer.raise_for_status()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    port = _free_port()
    database = tmp_path_factory.mktemp("oidc-provider") / "provider.sqlite3"
    process = subprocess.Popen([sys.executable, "-m", "tests.oidc_provider.serve", str(port), str(database),
                                CLIENT_ID, CLIENT_SECRET, str(time.time())], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"the test OIDC provider did not start (said {line!r}, exit {process.poll()})")
        yield Provider(url=f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def council_sign_in(oidc_provider, settings):
    """The service set up for council sign-in through the test provider."""
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives,
                                                       "form-action": [*directives["form-action"],
                                                                       oidc_provider.url]}}
    oidc_provider.allow("http://testserver")
    return oidc_provider


@dataclass
class ProviderBrowser:
    """The provider's side of a browser: its own cookies (its session), signing in there when asked."""

    provider: Provider
    session: requests.Session = field(default_factory=requests.Session)
    signed_in_at_provider: bool = False

    def authorize(self, authorize_url: str, username: str, *, service_root: str = "http://testserver") -> str:
        """Follow the provider from the authorization request to the redirect back to the service; that address
        (with code and state). Signs in at the provider if it asks."""
        self.signed_in_at_provider = False
        url = authorize_url
        for _ in range(10):
            if url.startswith(service_root):
                return url
            answer = self.session.get(url, allow_redirects=False, timeout=10)
            if answer.status_code in (301, 302, 303):
                url = requests.compat.urljoin(url, answer.headers["Location"])
                continue
            assert answer.status_code == 200 and 'name="password"' in answer.text, (answer.status_code, answer.text)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text).group(1)
            next_url = re.search(r'name="next" value="([^"]*)"', answer.text).group(1).replace("&amp;", "&")
            posted = self.session.post(answer.url, data={"csrfmiddlewaretoken": token, "username": username,
                                                         "password": PASSWORD, "next": next_url},
                                       allow_redirects=False, timeout=10)
            assert posted.status_code == 302, f"the provider refused the sign-in: {posted.status_code}"
            self.signed_in_at_provider = True
            url = requests.compat.urljoin(answer.url, posted.headers["Location"])
        raise AssertionError("the provider never sent the browser back")

    def visit(self, url: str) -> requests.Response:
        """Open a provider address (such as its end-session endpoint) without following a redirect off it."""
        return self.session.get(url, allow_redirects=False, timeout=10)


def sign_in_through_provider(client, browser: ProviderBrowser, username: str, **start_query):
    """The whole journey with Django's test client: the service's start, the provider, the callback. The callback's
    answer."""
    from django.urls import reverse

    start = client.get(reverse("oidc_sign_in"), start_query)
    assert start.status_code == 302, start.status_code
    back = urlsplit(browser.authorize(start["Location"], username))
    return client.get(back.path, dict(parse_qsl(back.query)))
