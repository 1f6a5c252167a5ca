"""Fixtures for the browser tests: one Debian chromium for the e2e package, a fresh context per signed-in user, a live
server over a transactional database (so the server thread sees the test's data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from schools.models import Pupil
from tests.e2e.support import AXE_PATH, Visit, reseed
from tests.factories import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package")
def browser():
    """One chromium for the whole e2e package.

    Package rather than session scope: while Playwright's sync API is alive it keeps an asyncio event loop running on
    the main thread, so Django's async-safety check refuses ORM calls made by fixtures and tests unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set (nothing here runs the ORM inside a coroutine). Keeping both to the e2e tests
    stops the variable leaking into the rest of the session, where tests/test_deployment.py's `manage.py check
    --deploy` subprocess would inherit it and fail with async.E001.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install -y chromium, or `make test-e2e` as root)"
        if os.environ.get("REQUIRE_BROWSER") == "true":
            pytest.fail(f"REQUIRE_BROWSER=true but {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}; set REQUIRE_BROWSER=true to fail instead")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def e2e_world(transactional_db, world):
    """The shared world, committed (transactional_db) so the live server's thread can read it, with the data
    migrations' rows (SEEDS). pupil_a gets flags so the identity bar has some to show."""
    reseed()
    Pupil.objects.filter(pk=world.pupil_a.pk).update(sen_status=Pupil.SenStatus.EHCP, fsm_eligible=True)
    world.pupil_a.refresh_from_db()
    return world


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest.fixture
def new_visit(request, browser, live_server, e2e_world):
    """Factory: a fresh browser context (its own cookies) and page. ``new_visit()`` or ``new_visit("la_officer")``
    (signs in through the real form). Every context is closed, and every page load must have been checked."""
    base_url = live_server.url
    contexts, visits = [], []

    def open_visit(username: str | None = None) -> Visit:
        context = browser.new_context(base_url=base_url, locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(TIMEOUT_MS)
        # axe-core goes into every document as an init script (the DevTools protocol's "evaluate on new document").
        # Unlike page.add_script_tag, whose inline <script> the CSP (script-src 'self') refuses, this needs neither
        # bypass_csp nor request routing (which would switch off the HTTP cache), so the CSP stays enforced and
        # any violation by the service's own pages still reaches the console check.
        context.add_init_script(path=AXE_PATH)
        contexts.append(context)
        visit = Visit(page=context.new_page(), base_url=base_url)
        visits.append(visit)
        if username:
            visit.sign_in(username, TEST_PASSWORD)
        return visit

    yield open_visit

    for context in contexts:
        context.close()
    if getattr(request.node, "e2e_call_failed", True):
        return  # the test's own failure says what went wrong
    unchecked = [url for visit in visits for url in visit.unchecked_loads]
    assert not unchecked, f"pages loaded without the accessibility/console checks: {unchecked}"
