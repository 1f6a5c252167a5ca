"""Council sign-in over OpenID Connect, against a real provider in a second process (tests/oidc_provider: django-oauth-
toolkit), with the service's own client library (mozilla-django-oidc) over HTTP: the authorization code flow with PKCE,
RS256 ID tokens checked against the provider's JWKS, userinfo, and RP-initiated logout.

Covered: sign-in and the group-to-role table; matching by email then by the stable subject; school users' schools; a
person in no mapped group; a group removed at the provider; a role changed there; a disabled account; a tampered
token; a callback replayed; sign-out ending the provider's session; passwords switched off for LA staff; and the
provider's two-factor trusted or not.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.urls import reverse
from rest_framework.test import APIClient

from schools.models import AuditEvent, SignInGroup, User
from schools.roles import Role
from tests.accounts.helpers import code_now, device_for
from tests.factories import TEST_PASSWORD
from tests.oidc_provider.fixtures import ProviderBrowser, sign_in_through_provider

pytestmark = pytest.mark.django_db

OFFICERS, MANAGERS, BETA_STAFF = "Attendance team", "Attendance managers", "Beta Academy attendance"


@pytest.fixture
def groups(world):
    SignInGroup.objects.create(group=OFFICERS, name="Attendance officers", role=Role.LA_OFFICER)
    SignInGroup.objects.create(group=MANAGERS, name="Attendance managers", role=Role.LA_MANAGER)
    beta = SignInGroup.objects.create(group=BETA_STAFF, name="Beta Academy", role=Role.SCHOOL_USER)
    beta.schools.set([world.school_b])


def _signed_in_user(client):
    home = client.get(reverse("account"))
    return home.wsgi_request.user if home.status_code == 200 else None


def _refused(response) -> str:
    assert response.status_code == 302 and response["Location"] == reverse("sign_in_refused"), response
    return response.client.get(response["Location"])


def test_an_officer_signs_in_with_the_council_account_and_gets_the_role_of_their_group(council_sign_in, groups,
                                                                                     client):
    council_sign_in.person("aofficer", groups=[OFFICERS, "All staff"], first_name="Asha", last_name="Officer")
    callback = sign_in_through_provider(client, ProviderBrowser(council_sign_in), "aofficer")
    assert callback.status_code == 302 and callback["Location"] == reverse("home")
    user = User.objects.get(email="aofficer@testshire.gov.uk")
    assert (user.role, user.first_name, user.last_name, user.has_usable_password()) == (
        Role.LA_OFFICER, "Asha", "Officer", False)
    assert _signed_in_user(client) == user
    account = client.get(reverse("account")).content.decode()
    assert "You signed in with Testshire Council account" in account
    created = AuditEvent.objects.get(object_type="schools.User", object_id=str(user.pk), action="create")
    assert created.changes["role"] == [Role.SCHOOL_USER, Role.LA_OFFICER]


def test_the_sign_in_page_leads_with_the_council_button(council_sign_in, client):
    page = client.get(reverse("login")).content.decode()
    assert 'data-testid="council-sign-in"' in page and "Sign in with Testshire Council account" in page


def test_council_sign_in_is_not_offered_or_reachable_when_not_configured(client):
    assert 'data-testid="council-sign-in"' not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_sign_in")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_an_existing_user_is_matched_by_email_then_by_subject(council_sign_in, groups, world, client):
    officer = world.users["la_officer"]
    officer.email = "Officer.One@Testshire.gov.uk"
    officer.save()
    subject = council_sign_in.person("officer1", groups=[OFFICERS], email="officer.one@testshire.gov.uk")
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "officer1")
    officer.refresh_from_db()
    assert officer.oidc_subject == subject and _signed_in_user(client) == officer
    # A new email address at the provider: still the same person, by subject.
    client.logout()
    council_sign_in.person("officer1", groups=[OFFICERS], email="o.one@testshire.gov.uk")
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "officer1")
    assert _signed_in_user(client) == officer
    assert User.objects.filter(oidc_subject=subject).count() == 1


def test_a_school_users_group_gives_their_school_only(council_sign_in, groups, world, client):
    council_sign_in.person("beta.lead", groups=[BETA_STAFF])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "beta.lead")
    user = User.objects.get(username="beta.lead")
    assert user.role == Role.SCHOOL_USER and list(user.schools.all()) == [world.school_b]
    assert client.get(reverse("pupil_detail", args=[world.pupil_b.pk])).status_code == 200
    assert client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).status_code == 404


def test_the_highest_role_of_several_groups_wins(council_sign_in, groups, client):
    council_sign_in.person("both", groups=[OFFICERS, MANAGERS, BETA_STAFF])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "both")
    user = User.objects.get(username="both")
    assert user.role == Role.LA_MANAGER and not user.schools.exists()


def test_someone_in_no_mapped_group_gets_no_access_and_a_page_saying_why(council_sign_in, groups, client):
    council_sign_in.person("finance", groups=["Finance", "All staff"])
    page = _refused(sign_in_through_provider(client, ProviderBrowser(council_sign_in), "finance"))
    assert page.status_code == 403
    body = page.content.decode()
    assert "Your council account does not give you access to this service" in body
    assert "<code>All staff</code>" in body and "<code>Finance</code>" in body
    assert not User.objects.filter(username="finance").exists()
    assert _signed_in_user(client) is None


def test_a_group_removed_at_the_provider_loses_access_at_the_next_sign_in(council_sign_in, groups, client):
    council_sign_in.person("leaver", groups=[OFFICERS])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "leaver")
    assert _signed_in_user(client).role == Role.LA_OFFICER
    client.logout()
    council_sign_in.person("leaver", groups=["All staff"])
    page = _refused(sign_in_through_provider(client, ProviderBrowser(council_sign_in), "leaver"))
    assert "does not give you access" in page.content.decode()
    assert _signed_in_user(client) is None


def test_a_role_changed_at_the_provider_changes_here_at_the_next_sign_in_and_is_audited(council_sign_in, groups,
                                                                                      client):
    council_sign_in.person("promoted", groups=[OFFICERS])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "promoted")
    client.logout()
    council_sign_in.person("promoted", groups=[MANAGERS])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "promoted")
    user = User.objects.get(username="promoted")
    assert user.role == Role.LA_MANAGER
    change = AuditEvent.objects.filter(object_type="schools.User", object_id=str(user.pk), action="update").get()
    assert change.changes == {"role": [Role.LA_OFFICER, Role.LA_MANAGER]}


def test_an_account_switched_off_here_stays_out(council_sign_in, groups, world, client):
    officer = world.users["la_officer"]
    officer.email, officer.is_active = "off@testshire.gov.uk", False
    officer.save()
    council_sign_in.person("off", groups=[OFFICERS], email="off@testshire.gov.uk")
    page = _refused(sign_in_through_provider(client, ProviderBrowser(council_sign_in), "off"))
    assert "Your account on this service is switched off" in page.content.decode()
    assert _signed_in_user(client) is None


class _TamperingProxy(BaseHTTPRequestHandler):
    """Stands between the service and the provider's token endpoint and changes the ID token's payload (the email)
    without re-signing it, as an attacker on the path would."""

    token_endpoint = ""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = requests.post(self.token_endpoint, data=body, timeout=10,
                               headers={"Content-Type": self.headers["Content-Type"]})
        tokens = answer.json()
        header, payload, signature = tokens["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["email"] = "someone.else@testshire.gov.uk"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        tokens["id_token"] = f"{header}.{forged}.{signature}"
        data = json.dumps(tokens).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def test_a_tampered_id_token_signs_nobody_in(council_sign_in, groups, world, settings, client):
    world.users["la_manager"].email = "someone.else@testshire.gov.uk"
    world.users["la_manager"].save()
    _TamperingProxy.token_endpoint = settings.OIDC_OP_TOKEN_ENDPOINT
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _TamperingProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{proxy.server_address[1]}/token/"
        council_sign_in.person("mallory", groups=[OFFICERS])
        page = _refused(sign_in_through_provider(client, ProviderBrowser(council_sign_in), "mallory"))
    finally:
        proxy.shutdown()
    assert "Your sign-in could not be checked" in page.content.decode()
    assert _signed_in_user(client) is None
    assert not User.objects.filter(username="mallory").exists()


def test_a_callback_not_started_in_this_browser_is_refused_not_an_error(council_sign_in, client):
    answer = client.get(reverse("oidc_callback"), {"code": "stolen", "state": "not-ours"})
    assert "Your sign-in took too long or was already used" in _refused(answer).content.decode()


def test_a_provider_that_does_not_answer_is_said_plainly(council_sign_in, groups, settings, client):
    council_sign_in.person("patient", groups=[OFFICERS])
    browser = ProviderBrowser(council_sign_in)
    start = client.get(reverse("oidc_sign_in"))
    back = browser.authorize(start["Location"], "patient")
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token/"  # nothing listens on the discard port
    from urllib.parse import parse_qsl, urlsplit

    answer = client.get(urlsplit(back).path, dict(parse_qsl(urlsplit(back).query)))
    assert "did not answer" in _refused(answer).content.decode()


def test_sign_out_ends_the_providers_session_too(council_sign_in, groups, client):
    council_sign_in.person("leaving", groups=[OFFICERS])
    browser = ProviderBrowser(council_sign_in)
    sign_in_through_provider(client, browser, "leaving")
    assert browser.signed_in_at_provider
    out = client.post(reverse("logout"))
    assert out.status_code == 302 and out["Location"].startswith(council_sign_in.settings()["OIDC_OP_LOGOUT_ENDPOINT"])
    assert "id_token_hint=" in out["Location"]
    assert _signed_in_user(client) is None
    ended = browser.visit(out["Location"])
    assert ended.status_code == 302 and ended.headers["Location"] == "http://testserver/sign-in/"
    # Signing in again asks for the council password again: the provider's session ended.
    sign_in_through_provider(client, browser, "leaving")
    assert browser.signed_in_at_provider


def test_a_provider_session_still_open_signs_in_without_the_password_again(council_sign_in, groups, client):
    """The control for the test above: without sign-out the provider remembers the person."""
    council_sign_in.person("staying", groups=[OFFICERS])
    browser = ProviderBrowser(council_sign_in)
    sign_in_through_provider(client, browser, "staying")
    client.logout()  # our session only
    sign_in_through_provider(client, browser, "staying")
    assert not browser.signed_in_at_provider and _signed_in_user(client) is not None


def test_passwords_switched_off_for_la_staff_leave_school_users_theirs(council_sign_in, world, settings, client):
    settings.LOCAL_PASSWORDS_FOR_LA_STAFF = False
    refused = client.post(reverse("login"), {"username": "la_officer", "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert "Local authority staff sign in with Testshire Council account" in refused.content.decode()
    assert _signed_in_user(client) is None
    api = APIClient().post("/api/auth/token/", {"username": "la_officer", "password": TEST_PASSWORD}, format="json")
    assert api.status_code == 403 and "council account" in api.json()["detail"]
    school = client.post(reverse("login"), {"username": "school_b", "password": TEST_PASSWORD})
    assert school.status_code == 302 and _signed_in_user(client) == world.users["school_b"]


def test_a_council_signed_in_user_gets_an_api_token_from_their_account_page(council_sign_in, groups, client):
    council_sign_in.person("programmer", groups=[OFFICERS])
    sign_in_through_provider(client, ProviderBrowser(council_sign_in), "programmer")
    page = client.post(reverse("api_token_issue"))
    key = page.context["new_token"]
    assert key and key in page.content.decode()
    assert APIClient().get("/api/pupils/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_the_providers_two_factor_stands_for_ours_by_default(council_sign_in, groups, world, client, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_LA_ROLES = True
    officer = world.users["la_officer"]
    officer.email = "twofa@testshire.gov.uk"
    officer.save()
    device_for(officer)
    council_sign_in.person("twofa", groups=[OFFICERS], email="twofa@testshire.gov.uk")
    callback = sign_in_through_provider(client, ProviderBrowser(council_sign_in), "twofa")
    assert callback["Location"] == reverse("home")
    assert client.get(reverse("pupil_list")).status_code == 200  # not signed out for want of our code
    assert "Done by Testshire Council account" in client.get(reverse("account")).content.decode()


def test_with_the_providers_two_factor_not_trusted_our_code_is_asked_for(council_sign_in, groups, world, client,
                                                                        settings):
    settings.OIDC_TRUST_PROVIDER_TWO_FACTOR = False
    officer = world.users["la_officer"]
    officer.email = "strict@testshire.gov.uk"
    officer.save()
    device = device_for(officer)
    council_sign_in.person("strict", groups=[OFFICERS], email="strict@testshire.gov.uk")
    callback = sign_in_through_provider(client, ProviderBrowser(council_sign_in), "strict")
    assert callback["Location"] == reverse("login_code")
    assert _signed_in_user(client) is None
    done = client.post(reverse("login_code"), {"code": code_now(device)})
    assert done.status_code == 302 and _signed_in_user(client) == officer
    # Still a council session: signing out goes to the provider too.
    assert client.post(reverse("logout"))["Location"].startswith(council_sign_in.url)
