"""User journeys in a real browser (Debian's chromium through Playwright) against the live server.

Every page load in these tests is checked by tests.e2e.support.Visit: axe-core (WCAG 2.0/2.1/2.2 A and AA), no console
errors or CSP violations, no failed asset loads, and GOV.UK Frontend's JavaScript initialised.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from schools.models import AuditEvent, Pupil
from schools.navigation import pupil_tabs
from schools.validators import CHECK_LETTERS, upn_check_letter
from tests.e2e.support import assert_accessible

pytestmark = pytest.mark.e2e

SERVICE_NAME = "Attendance and inclusion casework"
LA_NAME = "Test County Council"
LA_ROLES = ["la_admin", "la_manager", "la_officer", "legal_officer"]
ROLE_LABELS = {
    "la_admin": "LA admin",
    "la_manager": "LA manager",
    "la_officer": "LA officer",
    "legal_officer": "Legal officer",
    "school_a": "School user",
}
AUDIT_READERS = {"la_admin", "la_manager"}


def pupil_href(pupil) -> str:
    return f"/pupils/{pupil.pk}/"


def result_links(visit):
    """Links to pupil profiles in the results table."""
    return visit.main().get_by_role("table").get_by_role("link")


def search_pupils(visit, *, text: str = "", upn: str = ""):
    visit.page.get_by_label("Name or UPN").fill(text)
    visit.page.get_by_label("UPN", exact=True).fill(upn)
    visit.follow(visit.page.get_by_role("button", name="Apply filters"))


def test_sign_in_problems_are_summarised_and_linked_to_the_fields(new_visit, e2e_world):
    visit = new_visit()
    page = visit.page
    visit.goto("/sign-in/")
    expect(page.get_by_role("banner").get_by_role("link", name=SERVICE_NAME)).to_be_visible()
    expect(page.get_by_test_id("header-user")).to_have_count(0)

    visit.follow(page.get_by_role("button", name="Sign in"))
    expect(page).to_have_title(f"Error: Sign in – {SERVICE_NAME}")
    summary_links = page.locator(".govuk-error-summary").get_by_role("link")
    expect(summary_links).to_have_count(2)
    expect(summary_links.nth(0)).to_have_attribute("href", "#id_username")
    expect(summary_links.nth(1)).to_have_attribute("href", "#id_password")
    summary_links.nth(1).click()
    expect(page.get_by_label("Password")).to_be_focused()

    page.get_by_label("Username").fill("la_officer")
    page.get_by_label("Password").fill("not-the-password")
    visit.follow(page.get_by_role("button", name="Sign in"))
    expect(summary_links).to_have_text([re.compile("Please enter a correct username and password")])
    expect(page.get_by_test_id("header-user")).to_have_count(0)


@pytest.mark.parametrize("username", [*LA_ROLES, "school_a"])
def test_each_role_signs_in_finds_a_pupil_and_opens_the_profile(username, new_visit, e2e_world):
    world = e2e_world
    visit = new_visit(username)
    page = visit.page

    # Header: organisation, service, who is signed in and as what.
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name=LA_NAME)).to_be_visible()
    expect(header.get_by_role("link", name=SERVICE_NAME)).to_be_visible()
    expect(page.get_by_test_id("header-user")).to_have_text(f"{username} ({ROLE_LABELS[username]})")
    expect(page).to_have_title(f"Home – {SERVICE_NAME}")

    # Pupils, from the service navigation.
    visit.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Pupils"))
    expect(visit.main().get_by_role("heading", level=1)).to_have_text("Pupils")
    sees_both = username in LA_ROLES

    search_pupils(visit, text="Able")
    expected_names = ["Able, Amy", "Able, Ben"] if sees_both else ["Able, Amy"]
    expect(result_links(visit)).to_have_text(expected_names)
    expect(page.get_by_test_id("result-count")).to_have_text("2 pupils" if sees_both else "1 pupil")

    search_pupils(visit, upn=world.pupil_a.upn)
    expect(result_links(visit)).to_have_text(["Able, Amy"])
    expect(visit.main().get_by_role("table")).to_contain_text(world.pupil_a.upn)

    # The profile: identity bar (name, UPN, flags) and sub-navigation.
    visit.follow(result_links(visit).get_by_text("Able, Amy"))
    assert page.url == visit.url(pupil_href(world.pupil_a))
    identity = page.get_by_test_id("identity-bar")
    expect(identity).to_contain_text("Amy Able")
    expect(identity.get_by_test_id("upn")).to_have_text(world.pupil_a.upn)
    expect(identity.locator(".govuk-tag")).to_have_text(["EHCP", "FSM"])
    expect(identity).to_contain_text("Alpha Primary")
    tabs = page.get_by_role("navigation", name="Pupil record").get_by_role("link")
    # Every tab the navigation defines for this user is drawn, in order; Record access only for audit readers.
    expected_tabs = [tab.label for tab in pupil_tabs(world.users[username], world.pupil_a, active="overview")]
    assert ("Record access" in expected_tabs) == (username in AUDIT_READERS)
    assert expected_tabs[:2] == ["Overview", "Attendance"] and "Family" in expected_tabs
    expect(tabs).to_have_text(expected_tabs)
    expect(tabs.get_by_text("Overview")).to_have_attribute("aria-current", "page")
    expect(visit.main().get_by_role("heading", level=1)).to_have_text("Amy Able")

    visit.sign_out()


def test_school_user_cannot_reach_another_schools_pupil(new_visit, e2e_world):
    world = e2e_world
    visit = new_visit("school_a")
    page = visit.page

    # Directly by URL: the service's styled 404 page, not Django's plain one.
    visit.goto(pupil_href(world.pupil_b), status=404)
    expect(page).to_have_title(f"Page not found – {SERVICE_NAME}")
    heading = visit.main().get_by_role("heading", level=1)
    expect(heading).to_have_text("Page not found")
    expect(heading).to_have_css("font-family", re.compile("GDS Transport"))
    expect(page.get_by_test_id("header-user")).to_have_text("school_a (School user)")
    expect(page.get_by_test_id("identity-bar")).to_have_count(0)
    expect(page.get_by_text("Ben")).to_have_count(0)

    # Not in search results, by name or by UPN.
    visit.goto("/pupils/?q=Able")
    expect(result_links(visit)).to_have_text(["Able, Amy"])
    for query in (f"upn={world.pupil_b.upn}", f"q={world.pupil_b.upn}"):
        visit.goto(f"/pupils/?{query}")
        expect(page.get_by_test_id("result-count")).to_have_text("0 pupils")
        expect(visit.main()).not_to_contain_text(world.pupil_b.legal_first_name)

    # The API, with the browser's session: 404 for pupil_b, while pupil_a (the control) answers.
    api_b = page.request.get(f"/api/pupils/{world.pupil_b.pk}/")
    assert api_b.status == 404, api_b.text()
    api_a = page.request.get(f"/api/pupils/{world.pupil_a.pk}/")
    assert api_a.status == 200, api_a.text()
    assert api_a.json()["upn"] == world.pupil_a.upn

    assert not AuditEvent.objects.filter(pupil_id=world.pupil_b.pk, username="school_a").exists()


@pytest.mark.parametrize(("username", "expected"), [
    ("la_officer", [("Ben Able", "Beta Academy"), ("Amy Able", "Alpha Primary")]),
    ("school_a", [("Amy Able", "Alpha Primary")]),
])
def test_family_view_lists_the_siblings_the_user_may_see(username, expected, new_visit, e2e_world):
    visit = new_visit(username)
    family_pk = e2e_world.pupil_a.family_id
    visit.goto(f"/families/{family_pk}/")
    expect(visit.main().get_by_role("heading", level=1)).to_have_text("Sibling family")
    rows = visit.page.get_by_test_id("siblings").locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    for row, (name, school) in zip(rows.all(), expected, strict=True):
        expect(row.get_by_role("cell").nth(0)).to_have_text(name)
        expect(row.get_by_role("cell").nth(2)).to_have_text(school)
    expect(visit.main()).to_contain_text("Pat Parent")
    limited_note = visit.main().get_by_text("Only children who are or were on your school's roll are shown.")
    expect(limited_note).to_have_count(0 if username == "la_officer" else 1)


def _fill_new_pupil(page, *, upn: str) -> None:
    page.get_by_label("UPN", exact=True).fill(upn)
    page.get_by_label("Legal first name").fill("Nia")
    page.get_by_label("Legal last name").fill("Newcomer")
    birth = page.get_by_role("group", name="Date of birth")
    birth.get_by_label("Day").fill("14")
    birth.get_by_label("Month").fill("2")
    birth.get_by_label("Year").fill("2016")
    page.get_by_role("group", name="Sex").get_by_label("Female").check()
    page.get_by_label("School", exact=True).select_option(label="Alpha Primary")
    joined = page.get_by_role("group", name="Date joined the school's roll")
    joined.get_by_label("Day").fill("1")
    joined.get_by_label("Month").fill("9")
    joined.get_by_label("Year").fill("2024")
    page.get_by_label("NC year").select_option(label="Year 4")


def test_officer_adds_a_pupil_after_correcting_the_upn(new_visit, e2e_world):
    body = "845201025999"
    valid_upn = upn_check_letter(body) + body
    wrong_letter = next(letter for letter in CHECK_LETTERS if letter != valid_upn[0])
    invalid_upn = wrong_letter + body
    pupils_before = Pupil.objects.count()

    visit = new_visit("la_officer")
    page = visit.page
    visit.goto("/pupils/")
    visit.follow(page.get_by_role("link", name="Add a pupil"))
    expect(visit.main().get_by_role("heading", level=1)).to_have_text("Add a pupil")

    _fill_new_pupil(page, upn=invalid_upn)
    visit.follow(page.get_by_role("button", name="Add pupil"))
    expect(page).to_have_title(re.compile(r"^Error: Add a pupil"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expected_message = f"The UPN check letter is wrong: for these digits it should be {valid_upn[0]}."
    summary_link = summary.get_by_role("link", name=expected_message)
    expect(summary_link).to_be_visible()
    upn_input = page.get_by_label("UPN", exact=True)
    upn_group = page.locator(".govuk-form-group--error").filter(has=upn_input)
    expect(upn_group.locator(".govuk-error-message")).to_contain_text(expected_message)
    expect(upn_input).to_have_class(re.compile(r"\bgovuk-input--error\b"))
    expect(upn_input).to_have_value(invalid_upn)
    # GOV.UK Frontend's error summary moves focus to the field when its link is followed.
    summary_link.click()
    expect(upn_input).to_be_focused()
    assert Pupil.objects.count() == pupils_before
    assert not Pupil.objects.filter(legal_last_name="Newcomer").exists()

    upn_input.fill(valid_upn)
    visit.follow(page.get_by_role("button", name="Add pupil"))
    pupil = Pupil.objects.get(upn=valid_upn)
    assert page.url == visit.url(pupil_href(pupil))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Nia Newcomer was added.")
    identity = page.get_by_test_id("identity-bar")
    expect(identity.get_by_test_id("upn")).to_have_text(valid_upn)
    expect(identity).to_contain_text("Alpha Primary")
    assert Pupil.objects.count() == pupils_before + 1


def test_manager_sees_record_views_in_the_audit_log(new_visit, e2e_world):
    world = e2e_world
    for username in ("school_a", "la_officer"):
        viewer = new_visit(username)
        viewer.goto(pupil_href(world.pupil_a))
        expect(viewer.page.get_by_test_id("identity-bar")).to_contain_text(world.pupil_a.upn)
    viewer.goto(pupil_href(world.pupil_b))  # the officer views another pupil: the pupil filter must leave it out

    visit = new_visit("la_manager")
    page = visit.page
    visit.goto(pupil_href(world.pupil_a))
    # The profile's "Record access" tab is the pupil's access report (schools.data_protection.views): the views by
    # school_a and the officer, and the manager's own two (the profile, then this report).
    visit.follow(page.get_by_role("navigation", name="Pupil record").get_by_role("link", name="Record access"))
    assert page.url == visit.url(f"/data-protection/pupils/{world.pupil_a.pk}/access/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_test_id("result-count")).to_contain_text("4 views or downloads by 3 users")
    assert {row.get_by_role("cell").nth(1).inner_text() for row in rows.all()} == {"la_officer", "school_a",
                                                                                   "la_manager"}

    # The same through the Audit page's filter form.
    visit.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit"))
    expect(page.locator("tbody")).to_contain_text(world.pupil_b.upn)  # unfiltered: pupil_b's view is listed too
    page.get_by_label("Pupil record number").fill(str(world.pupil_a.pk))
    visit.follow(page.get_by_role("button", name="Apply filters"))
    _expect_views_of_pupil_a(visit, world)


def _expect_views_of_pupil_a(visit, world):
    rows = visit.page.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(visit.page.get_by_test_id("result-count")).to_have_text("4 events")
    who = {row.get_by_role("cell").nth(1).inner_text() for row in rows.all()}
    assert who == {"la_officer", "school_a", "la_manager"}
    for row in rows.all():
        expect(row.get_by_role("cell").nth(2)).to_have_text("Viewed")
        expect(row.get_by_role("cell").nth(3)).to_contain_text(world.pupil_a.upn)


def test_the_checks_catch_what_they_are_meant_to(new_visit, e2e_world):
    """Guards the guards: a CSP violation reaches the console check, and axe-core reports an unlabelled field."""
    visit = new_visit()
    visit.goto("/sign-in/")
    with pytest.raises(Exception, match="Content Security Policy"):
        visit.page.add_script_tag(content="document.title = 'inline ran'")
    with pytest.raises(AssertionError, match="Content Security Policy"):
        visit.assert_no_problems()
    expect(visit.page).not_to_have_title("inline ran")

    visit.page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"bad\">')")
    with pytest.raises(AssertionError, match=r"(?s)label \(critical\).*#bad"):
        assert_accessible(visit.page)


def test_admin_tour_of_every_page_is_accessible(new_visit, e2e_world):
    """Pages the journeys above do not reach, each through the same checks."""
    world = e2e_world
    visit = new_visit("la_admin")
    page = visit.page
    enrolment = world.pupil_a.enrolments.get()
    for path in [
        f"/pupils/{world.pupil_a.pk}/edit/",
        f"/pupils/{world.pupil_a.pk}/enrolments/new/",
        f"/enrolments/{enrolment.pk}/end/",
        "/schools/",
        f"/schools/{world.school_a.urn}/",
        "/families/",
        "/families/new/",
        f"/families/{world.pupil_a.family_id}/edit/",
        f"/families/{world.pupil_a.family_id}/carers/new/",
        "/audit/",
    ]:
        visit.goto(path)
    visit.goto("/no-such-page/", status=404)

    # An export runs as a job (in-process without a broker) and lands on the job page.
    visit.goto("/pupils/?q=Able")
    visit.follow(page.get_by_role("button", name="Export these pupils (CSV)"))
    expect(page.get_by_test_id("job-status")).to_be_visible()

    # A role without the capability gets the styled 403 page.
    officer = new_visit("legal_officer")
    officer.goto("/pupils/new/", status=403)
    expect(officer.main().get_by_role("heading", level=1)).to_have_text("You cannot do this")
