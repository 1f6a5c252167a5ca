"""The casework journey in a real browser: a school refers, a manager triages and allocates, the officer starts a
plan, reviews it and closes the case; the school follows the referral's status. Every page load goes through the
axe-core, console and asset checks of tests.e2e.support.Visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, Referral
from interventions.models import Intervention

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def catalogue(e2e_world):
    """The intervention catalogue comes from a data migration; an earlier transactional test's flush empties it."""
    import importlib

    from django.apps import apps

    if not Intervention.objects.exists():
        importlib.import_module("interventions.migrations.0002_seed_catalogue").seed(apps, None)


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_referral_to_closure(new_visit, e2e_world):
    world = e2e_world
    pupil = world.pupil_a

    # 1. The school lead refers a pupil on the roll, from the pupil's Cases tab.
    school = new_visit("school_a")
    page = school.page
    school.goto(f"/pupils/{pupil.pk}/")
    school.follow(page.get_by_role("navigation", name="Pupil record").get_by_role("link", name="Cases"))
    expect(school.main().get_by_role("heading", level=1)).to_have_text("Cases")
    school.follow(page.get_by_role("link", name="Refer this pupil to the LA"))
    expect(page.get_by_label("Pupil's UPN")).to_have_value(pupil.upn)
    page.get_by_role("group", name="What is the referral about?").get_by_label("Attendance", exact=True).check()
    page.get_by_label("A pattern of persistent lateness").check()
    page.get_by_label("Your concerns").fill("Late most days and absent on Mondays since October.")
    # First without saying what the school tried: refused, with the reason at the field.
    school.follow(page.get_by_role("button", name="Send referral"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us what the school has already tried")
    assert not Referral.objects.exists()
    page.get_by_label("Contact with parents or carers (calls, letters, meetings)").fill(
        "Two letters; meeting with mother on 3 November.")
    school.follow(page.get_by_role("button", name="Send referral"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("was sent")
    expect(page.get_by_test_id("referral-status")).to_have_text("Awaiting triage")
    referral = Referral.objects.get()

    # 2. The manager triages from the team view: accept and allocate to the officer.
    manager = new_visit("la_manager")
    mpage = manager.page
    manager.follow(mpage.get_by_role("navigation", name="Menu").get_by_role("link", name="My work"))
    manager.follow(mpage.get_by_role("link", name="Team caseloads and referrals"))
    queue = mpage.get_by_test_id("triage-queue")
    expect(queue).to_contain_text("Amy Able")
    manager.follow(queue.get_by_role("link", name=referral.reference))
    manager.follow(mpage.get_by_role("link", name="Triage this referral"))
    mpage.get_by_role("group", name="Decision").get_by_label("Accept: open a case").check()
    mpage.get_by_label("Starting stage").select_option(label="Stage 2: Early intervention")
    mpage.get_by_label("Allocate to").select_option(value=str(world.users["la_officer"].pk))
    manager.follow(mpage.get_by_role("button", name="Save decision"))
    case = Case.objects.get()
    assert mpage.url == manager.url(f"/cases/{case.pk}/")
    expect(mpage.get_by_test_id("case-status")).to_contain_text("Early intervention")
    expect(mpage.get_by_test_id("case-summary")).to_contain_text("la_officer")

    # 3. The officer finds the case in My work, starts a plan, reviews it and closes the case.
    officer = new_visit("la_officer")
    opage = officer.page
    officer.follow(opage.get_by_role("navigation", name="Menu").get_by_role("link", name="My work"))
    officer.follow(opage.get_by_test_id("my-cases").get_by_role("link", name=case.reference))
    officer.follow(opage.get_by_role("link", name="Start a plan"))
    intervention = Intervention.objects.get(name="Attendance intervention")
    opage.get_by_label("Intervention", exact=True).select_option(value=str(intervention.pk))
    opage.get_by_label("Target attendance (%, optional)").fill("92")
    officer.follow(opage.get_by_role("button", name="Start plan"))
    expect(opage.get_by_test_id("plans")).to_contain_text("Attendance intervention")
    expect(opage.get_by_test_id("timeline")).to_contain_text("Intervention plan started: Attendance intervention")

    officer.follow(opage.get_by_role("link", name="Record a review"))
    opage.get_by_label("Progress").fill("Arriving on time most days; Mondays still missed.")
    opage.get_by_role("group", name="Decision").get_by_label("Continue the current plan").check()
    officer.follow(opage.get_by_role("button", name="Record review"))
    expect(opage.get_by_test_id("reviews")).to_contain_text("Arriving on time most days")

    # Closing with the plan still active is refused with the reason.
    officer.follow(opage.get_by_role("link", name="Close case"))
    opage.get_by_role("group", name="Outcome").get_by_label("Improved").check()
    opage.get_by_label("Closing summary").fill("Attendance above 95% for six weeks.")
    officer.follow(opage.get_by_role("button", name="Close case"))
    expect(opage.locator(".govuk-error-summary")).to_contain_text("End the active intervention plans first")
    officer.goto(f"/cases/{case.pk}/")
    officer.follow(opage.get_by_test_id("plans").get_by_role("link", name=re.compile("^End")))
    opage.get_by_role("group", name="How did the plan end?").get_by_label("Completed").check()
    opage.get_by_role("group", name="Outcome").get_by_label("Target achieved").check()
    officer.follow(opage.get_by_role("button", name="End plan"))
    officer.follow(opage.get_by_role("link", name="Close case"))
    opage.get_by_role("group", name="Outcome").get_by_label("Improved").check()
    opage.get_by_label("Closing summary").fill("Attendance above 95% for six weeks.")
    officer.follow(opage.get_by_role("button", name="Close case"))
    expect(opage.get_by_test_id("case-status")).to_contain_text("Closed")
    expect(opage.get_by_test_id("timeline")).to_contain_text("Case closed: improved")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "improved")

    # 4. The school sees the referral accepted and the case closed, and no LA-only actions.
    school.goto(f"/cases/referrals/{referral.pk}/")
    expect(page.get_by_test_id("referral-status")).to_have_text("Accepted")
    school.follow(page.get_by_role("link", name=case.reference))
    expect(page.get_by_test_id("case-status")).to_contain_text("Closed")
    expect(page.get_by_test_id("case-actions")).to_have_count(0)


def test_case_pages_tour_is_accessible(new_visit, e2e_world):
    """Case pages the journey does not reach, through the same checks (as a manager, who sees them all)."""
    world = e2e_world
    from cases import services

    manager_user, officer_user = world.users["la_manager"], world.users["la_officer"]
    case = services.case_open(user=manager_user, pupil=world.pupil_b, case_type="attendance", officer=officer_user,
                              summary="Below 85%.")
    services.entry_add(user=officer_user, case=case, entry_type="note", restriction="safeguarding",
                       occurred_on=case.opened_on, summary="Safeguarding note")
    visit = new_visit("la_manager")
    for path in ["/cases/", "/cases/?sort=-review&status=open", "/cases/team/", "/cases/stages/", "/cases/referrals/",
                 "/cases/tsms/", "/cases/tsms/new/", "/interventions/", f"/cases/{case.pk}/",
                 f"/cases/{case.pk}/edit/", f"/cases/{case.pk}/stage/", f"/cases/{case.pk}/allocate/",
                 f"/cases/{case.pk}/chronology/new/", f"/cases/{case.pk}/tasks/new/",
                 f"/interventions/cases/{case.pk}/plans/new/", f"/cases/new/?pupil={world.pupil_a.pk}"]:
        visit.goto(path)
    expect(visit.main()).to_contain_text("Stage 2: Early intervention")
    school = new_visit("school_b")
    school.goto(f"/cases/{case.pk}/")
    expect(school.page.get_by_test_id("timeline")).not_to_contain_text("Safeguarding note")
    school.goto("/cases/my-work/")
    school.goto("/cases/referrals/new/")
