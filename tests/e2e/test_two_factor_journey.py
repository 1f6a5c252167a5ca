"""Two-factor sign-in in a real browser: an LA officer sets up an authenticator from their account page, signs out,
and signs in again with the password and then the code. Every page is checked (axe-core, no CSP violations)."""

from __future__ import annotations

import base64
import datetime
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def _code(secret_shown: str) -> str:
    """What an authenticator app given the shown key would display now."""
    key = base64.b32decode(secret_shown.replace(" ", "") + "=" * (-len(secret_shown.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_an_officer_sets_up_two_factor_and_signs_in_with_a_code(new_visit, e2e_world, time_machine):
    visit = new_visit("la_officer")
    page = visit.page
    visit.follow(page.get_by_role("link", name="Your account"))
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("Off")
    visit.follow(page.get_by_role("link", name="Set up two-factor sign-in"))
    expect(page.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("two-factor-secret").inner_text()

    right = _code(secret)
    page.get_by_label("Code from your authenticator app").fill(f"{(int(right) + 500_000) % 1_000_000:06d}")
    visit.follow(page.get_by_role("button", name="Confirm and turn on"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is wrong or has expired")
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    visit.follow(page.get_by_role("button", name="Confirm and turn on"))
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("On")

    visit.sign_out()
    # A code is good once: the next sign-in uses the app's next code.
    time_machine.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=31), tick=True)
    page.get_by_label("Username").fill("la_officer")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    visit.follow(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    page.get_by_label("Code from your authenticator app").fill(_code(secret))
    visit.follow(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_test_id("header-user")).to_have_text("la_officer (LA officer)")
