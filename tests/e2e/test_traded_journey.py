"""The traded-services journey in a real browser: a school books from the catalogue (a bad input first), the LA
confirms it with an officer and a date after seeing capacity, the officer records delivery, a manager invoices the
month, and the school finds its invoice. Every page load goes through the axe-core, console and asset checks of
tests.e2e.support.Visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from interventions.models import Booking, Invoice
from tests.traded.fixtures import make_traded

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def traded(e2e_world):
    """Terms, delivering officers and the seeded catalogue and rate card (a transactional flush empties them)."""
    return make_traded(e2e_world)


def fill_date(scope, legend: str, day: int, month: int, year: int) -> None:
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day))
    group.get_by_label("Month", exact=True).fill(str(month))
    group.get_by_label("Year", exact=True).fill(str(year))


def test_school_books_la_confirms_officer_delivers_manager_invoices(new_visit, e2e_world, traded):
    world = e2e_world

    # 1. The school lead browses the catalogue and books a register audit.
    school = new_visit("school_b")
    page = school.page
    school.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Traded services"))
    school.follow(page.get_by_role("navigation", name="Traded services").get_by_role("link", name="Catalogue"))
    catalogue = page.get_by_test_id("catalogue")
    expect(catalogue.get_by_role("row", name=re.compile("Targeting support meeting"))).to_contain_text("Free")
    expect(catalogue.get_by_role("row", name=re.compile("Register audit"))).to_contain_text("£125.00")
    school.follow(catalogue.get_by_role("link", name="Register audit"))
    expect(page.get_by_test_id("service-price")).to_contain_text("£125.00 per half day")
    school.follow(page.get_by_role("link", name="Book this service"))
    page.get_by_label("How many units?").fill("0")
    fill_date(page, "Preferred date", 24, 11, 2026)
    school.follow(page.get_by_role("button", name="Send booking request"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("more than 0")
    assert not Booking.objects.exists()
    page.get_by_label("How many units?").fill("2")
    page.get_by_label("What do you need? (optional)").fill("Audit before the Ofsted visit")
    school.follow(page.get_by_role("button", name="Send booking request"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("was sent")
    expect(page.get_by_test_id("booking-status")).to_have_text("Requested")
    expect(page.get_by_test_id("booking-price")).to_contain_text("£250.00 + VAT £50.00 = £300.00")
    booking = Booking.objects.get()

    # 2. A manager confirms it with an officer and today's date, seeing each officer's free days first.
    manager = new_visit("la_manager")
    mpage = manager.page
    manager.follow(mpage.get_by_role("navigation", name="Menu").get_by_role("link", name="Traded services"))
    manager.follow(mpage.get_by_test_id("requests").get_by_role("link", name=booking.reference))
    manager.follow(mpage.get_by_role("link", name="Confirm with an officer"))
    expect(mpage.get_by_test_id("capacity")).to_contain_text(traded.officer.display_name)
    mpage.get_by_label("Officer").select_option(label=traded.officer.display_name)
    visit = mpage.get_by_role("group", name="Visit 1", exact=True)
    fill_date(visit, "Date", 23, 11, 2026)
    visit.get_by_role("group", name="Time").get_by_label("Full day").check()
    manager.follow(mpage.get_by_role("button", name="Confirm booking"))
    expect(mpage.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(mpage.get_by_test_id("booking-officer")).to_contain_text(traded.officer.display_name)

    # 3. The officer records delivery from the overview.
    officer = new_visit("la_officer")
    opage = officer.page
    officer.goto("/traded/")
    officer.follow(opage.get_by_test_id("to-deliver").get_by_role("link", name=booking.reference))
    officer.follow(opage.get_by_role("link", name="Record delivery"))
    opage.get_by_label("Units delivered").fill("2")
    officer.follow(opage.get_by_role("button", name="Record delivery"))
    expect(opage.get_by_test_id("booking-status")).to_have_text("Delivered")
    expect(opage.get_by_test_id("booking-charge")).to_contain_text("£300.00")

    # 4. The manager invoices November, then tries again and is told it was done.
    manager.goto("/traded/invoices/")
    manager.follow(mpage.get_by_role("link", name="Raise invoices"))
    mpage.get_by_role("radio", name=re.compile("^A month")).check()
    mpage.get_by_label("Month (for a month)").select_option(label="November 2026")
    manager.follow(mpage.get_by_role("button", name="Raise invoices"))
    expect(mpage.locator(".govuk-notification-banner--success")).to_contain_text("1 invoice raised for November")
    invoice = Invoice.objects.get()
    manager.follow(mpage.get_by_test_id("invoice-table").get_by_role("link", name=invoice.number))
    expect(mpage.get_by_test_id("invoice-total")).to_have_text("£300.00")
    manager.goto("/traded/invoices/run/")
    mpage.get_by_role("radio", name=re.compile("^A month")).check()
    mpage.get_by_label("Month (for a month)").select_option(label="November 2026")
    manager.follow(mpage.get_by_role("button", name="Raise invoices"))
    expect(mpage.locator(".govuk-error-summary")).to_contain_text("November 2026 was already invoiced")
    assert Invoice.objects.count() == 1

    # 5. The school finds its invoice; another school does not.
    school.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Traded services"))
    school.follow(page.get_by_role("navigation", name="Traded services").get_by_role("link", name="Invoices"))
    school.follow(page.get_by_test_id("invoice-table").get_by_role("link", name=invoice.number))
    expect(page.get_by_test_id("invoice-total")).to_have_text("£300.00")
    expect(page.get_by_role("link", name="Record payment")).to_have_count(0)
    other = new_visit("school_a")
    other.goto(f"/traded/invoices/{invoice.pk}/", status=404)
    other.goto("/traded/bookings/")
    expect(other.page.get_by_test_id("result-count")).to_have_text("0 bookings")
    assert world.school_b.name in invoice.school.name
