"""Every list shows all its columns at 1280 px and reflows at 320 CSS px (WCAG 2.2 1.4.10), for every role that can
reach it (issue 17, "Lists").

The data is the demo authority at a small size (every list has rows in every state, with the demo's real names,
schools and summaries, so each column has content of realistic width). For each role, one browser context visits each
list at 1280 px (the page loads through Visit.goto, so axe and the console checks run), then the same page is narrowed
to 320 px. At both widths: the page does not scroll sideways (``scrollWidth <= innerWidth``) and no table is wider than
its container. At 1280 px no table may be stacked (every column shows as a column); at 320 px a list's filter is
behind "Show filter" and wide tables are stacked, each value with its column's name.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from schools.demo import load_demo
from schools.models import User
from tests.e2e.support import Visit, assert_accessible, reseed
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

PUPILS = "/pupils/"
SCHOOLS = "/schools/"
CASES = "/cases/"
REFERRALS = "/cases/referrals/"
TSMS = "/cases/tsms/"
ALERTS = "/cases/alerts/"
EXCLUSIONS = "/exclusions/"
REMINDERS = "/exclusions/reminders/"
PART_TIME = "/provision/part-time-timetables/"
PLACEMENTS = "/provision/placements/"
MANAGED_MOVES = "/provision/managed-moves/"
FAIR_ACCESS = "/provision/fair-access/"
CME = "/provision/children-missing-education/"
CNIS = "/provision/children-not-in-school/"
ATTENDANCE_PUPILS = "/attendance/pupils/"
THRESHOLD = "/attendance/penalty-notice-threshold/"
IMPORTS = "/attendance/imports/"
OVERVIEW = "/attendance/"
NOTICES = "/legal/notices/"
REQUESTS = "/legal/requests/"
BOOKINGS = "/traded/bookings/"
INVOICES = "/traded/invoices/"
AUDIT = "/audit/"

EVERYONE = [PUPILS, SCHOOLS, CASES, REFERRALS, TSMS, ALERTS, EXCLUSIONS, REMINDERS, PART_TIME, PLACEMENTS,
            MANAGED_MOVES, ATTENDANCE_PUPILS, THRESHOLD, OVERVIEW]
LA_REGISTERS = [FAIR_ACCESS, CME, CNIS]
# The lists each demo login can reach (the others answer 403 to that role).
PAGES_BY_LOGIN = {
    "officer": EVERYONE + LA_REGISTERS + [IMPORTS, NOTICES, REQUESTS, BOOKINGS, INVOICES],
    "manager": EVERYONE + LA_REGISTERS + [IMPORTS, NOTICES, REQUESTS, BOOKINGS, INVOICES, AUDIT],
    "school": EVERYONE + [IMPORTS, BOOKINGS, INVOICES],
    "legal": EVERYONE + LA_REGISTERS + [NOTICES, REQUESTS],
}

WIDE, NARROW = 1280, 320
HEIGHT = 900

_MEASURE = """() => {
  const tables = [...document.querySelectorAll('main table')].map((table) => ({
    name: table.dataset.testid || table.caption?.textContent.trim() || 'table',
    width: table.getBoundingClientRect().width,
    container: table.parentElement.clientWidth,
    stacked: table.classList.contains('app-table--stacked'),
  }));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    tooWide: tables.filter((t) => t.width > t.container + 1),
    stacked: tables.filter((t) => t.stacked).map((t) => t.name),
    tables: tables.length,
  };
}"""
# Two animation frames: media queries, the MOJ filter toggle and the table fitting (a ResizeObserver) have all run.
_SETTLE = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture
def e2e_world(transactional_db, settings):
    """The demo authority, small, instead of the shared world; its logins take the tests' password. The data
    migrations' rows the demo builds on (the intervention catalogue, letters, rules) first: an earlier transactional
    test's flush removes them."""
    settings.CNIS_REGISTER_ENABLED = True
    reseed()
    load_demo(pupils=600)
    for user in User.objects.filter(username__in=PAGES_BY_LOGIN):
        user.set_password(TEST_PASSWORD)
        user.save(update_fields=["password"])


def _measure(visit: Visit, width: int) -> dict:
    visit.page.set_viewport_size({"width": width, "height": HEIGHT})
    visit.page.evaluate(_SETTLE)
    return visit.page.evaluate(_MEASURE)


def _fits(found: dict, path: str, width: int) -> list[str]:
    problems = []
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"{path} at {width} px: the page is {found['scrollWidth']} px wide (scrolls sideways)")
    for table in found["tooWide"]:
        problems.append(f"{path} at {width} px: table {table['name']!r} is {table['width']:.0f} px wide in a "
                        f"{table['container']} px container")
    return problems


def _check_lists(visit: Visit, login: str) -> list[str]:
    page = visit.page
    problems = []
    for path in PAGES_BY_LOGIN[login]:
        page.set_viewport_size({"width": WIDE, "height": HEIGHT})
        visit.goto(path)
        wide = _measure(visit, WIDE)
        assert wide["tables"], f"{path} shows no table for {login}: the demo should give every list rows"
        problems += _fits(wide, path, WIDE)
        if wide["stacked"]:
            problems.append(f"{path} at {WIDE} px: {wide['stacked']} do not fit as columns (stacked)")

        narrow = _measure(visit, NARROW)
        problems += _fits(narrow, path, NARROW)
        filters = page.locator('[data-module="moj-filter"]')
        if filters.count():
            # The MOJ filter toggle: the filter is behind "Show filter", which opens it in place.
            expect(filters).to_be_hidden()
            show = page.get_by_role("button", name="Show filter")
            expect(show).to_be_visible()
            show.click()
            expect(filters).to_be_visible()
            problems += _fits(page.evaluate(_MEASURE), f"{path} (filter shown)", NARROW)
    return [f"{login}: {problem}" for problem in problems]


def _check_stacked_case_row(visit: Visit) -> None:
    """At 320 px the case list's rows are stacked, each value after its column's name, and axe still passes; widened
    again, every column is back as a column."""
    page = visit.page
    page.set_viewport_size({"width": NARROW, "height": HEIGHT})
    visit.goto(CASES)
    table = page.get_by_test_id("case-table")
    expect(table).to_have_class("govuk-table app-table--stacked")
    officer_cell = table.locator("tbody tr").first.locator("td").nth(5)
    assert officer_cell.get_attribute("data-label") == "Officer"
    assert officer_cell.evaluate("(cell) => getComputedStyle(cell, '::before').content") == '"Officer"'
    assert_accessible(page)
    _measure(visit, WIDE)
    expect(table).to_have_class("govuk-table")


def test_every_list_fits_at_1280_and_reflows_at_320_for_each_role(new_visit):
    """One demo load for all the roles, each in its own browser context (loading the demo a second time in a session
    fails once the transactional database has flushed the rows the data migrations gave)."""
    problems = []
    for login in PAGES_BY_LOGIN:
        visit = new_visit(login)
        problems += _check_lists(visit, login)
        if login == "officer":
            _check_stacked_case_row(visit)
    assert not problems, "\n".join(problems)
