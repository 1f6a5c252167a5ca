"""Council sign-in in a real browser against the test OpenID Connect provider (tests/oidc_provider, a second
process): an officer signs in with the council account, lands on their home page with the role of their group, signs
out (which ends the provider's session too), and a colleague in no mapped group is told why they cannot come in.
The service's pages are checked (axe-core, no CSP violations); the provider's own page is not ours to check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from schools.models import SignInGroup, User
from schools.roles import Role
from tests.oidc_provider.fixtures import PASSWORD, oidc_provider  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e
BUTTON = "Sign in with Testshire Council account"


@pytest.fixture
def council(oidc_provider, settings, live_server, e2e_world):  # noqa: F811
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
        **directives, "form-action": [*directives["form-action"], oidc_provider.url]}}
    oidc_provider.allow(live_server.url)
    SignInGroup.objects.create(group="Attendance team", name="Attendance officers", role=Role.LA_OFFICER)
    return oidc_provider


def _through_the_provider(visit, username: str) -> None:
    page = visit.page
    with page.expect_navigation():
        page.get_by_role("button", name=BUTTON).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Council sign-in")
    page.get_by_label("Council username").fill(username)
    page.get_by_label("Council password").fill(PASSWORD)
    with page.expect_navigation(url=re.compile(re.escape(visit.base_url) + ".*")):
        page.get_by_role("button", name="Continue").click()


def test_an_officer_signs_in_and_out_with_the_council_account(new_visit, council):
    council.person("asha", groups=["Attendance team"], first_name="Asha", last_name="Khan")
    visit = new_visit()
    visit.goto("/sign-in/")
    _through_the_provider(visit, "asha")
    visit.check()
    assert re.fullmatch(re.escape(visit.base_url) + "/?", visit.page.url), visit.page.url
    expect(visit.page.get_by_test_id("header-user")).to_have_text("Asha Khan (LA officer)")
    assert User.objects.get(username="asha").role == Role.LA_OFFICER

    visit.goto("/account/")
    expect(visit.page.get_by_test_id("sign-in-method")).to_contain_text("You signed in with Testshire Council account")
    visit.sign_out()  # through the provider's end-session endpoint and back to our sign-in page

    # The provider's session ended with ours: the council password is asked for again.
    _through_the_provider(visit, "asha")
    visit.check()
    expect(visit.page.get_by_test_id("header-user")).to_have_text("Asha Khan (LA officer)")


def test_someone_in_no_mapped_group_is_told_why(new_visit, council):
    council.person("finance.clerk", groups=["Finance"])
    visit = new_visit()
    visit.goto("/sign-in/")
    visit.expect_error_page("/sign-in/refused/")
    _through_the_provider(visit, "finance.clerk")
    visit.check()
    expect(visit.page.get_by_role("heading", level=1)).to_have_text(
        "Your council account does not give you access to this service")
    expect(visit.page.get_by_test_id("refused-groups")).to_contain_text("Finance")
    assert not User.objects.filter(username="finance.clerk").exists()
