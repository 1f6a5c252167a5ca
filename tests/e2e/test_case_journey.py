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
    mpage.get_by_role("group", name="Starting stage").get_by_label("Stage 2: Early intervention").check()
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


def test_team_cover_reminders_and_reopening_for_each_role(new_visit, e2e_world):
    """An officer sees this morning's reminders; a colleague in the same team covers the case; an officer of another
    team, the legal officer and the school read it without changing it; another school gets 404; the manager reopens
    a closed case with a reason."""
    import datetime

    from cases import services
    from cases.models import Team, TeamMember
    from tests.factories import UserFactory

    world = e2e_world
    manager, officer = world.users["la_manager"], world.users["la_officer"]
    colleague = UserFactory(username="colleague", role="la_officer", first_name="Cole", last_name="League")
    outsider = UserFactory(username="outsider", role="la_officer", first_name="Otto", last_name="Side")
    north = Team.objects.create(name="North", manager=manager)
    TeamMember.objects.create(team=north, officer=officer)
    TeamMember.objects.create(team=north, officer=colleague)
    TeamMember.objects.create(team=Team.objects.create(name="South", manager=manager), officer=outsider)
    case = services.case_open(user=manager, pupil=world.pupil_b, case_type="attendance", officer=officer,
                              summary="Mondays missed since September.", opened_on=datetime.date(2026, 9, 14))
    services.entry_add(user=officer, case=case, entry_type="note", restriction="safeguarding",
                       occurred_on=datetime.date(2026, 9, 21), summary="Safeguarding: strategy discussion held")
    closed = services.case_open(user=manager, pupil=world.pupil_a, case_type="behaviour", officer=officer,
                                summary="Disruption in class.", opened_on=datetime.date(2026, 9, 7))
    closed = services.case_close(user=officer, case=closed, outcome="improved", expected_version=closed.version,
                                 closed_on=datetime.date(2026, 11, 6), outcome_notes="Settled after the move of set.")
    services.casework_reminders_refresh()

    # 1. The officer's My work: the overdue review reminder (due 26 October) and the team's caseloads.
    visit = new_visit("la_officer")
    page = visit.page
    visit.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="My work"))
    reminders = page.get_by_test_id("reminders")
    expect(reminders).to_contain_text(f"Review of {case.reference} (Ben Able) due 26 October 2026")
    expect(reminders).to_contain_text("Overdue")
    expect(page.get_by_test_id("team-caseloads")).to_contain_text("Cole League")
    visit.follow(reminders.get_by_role("link", name=re.compile(f"Review of {case.reference}")))
    expect(page.get_by_test_id("case-status")).to_contain_text("Review overdue")

    # 2. A colleague in the same team covers: from My work to the team's cases, then adds to the chronology.
    cover = new_visit("colleague")
    cpage = cover.page
    cover.follow(cpage.get_by_role("navigation", name="Menu").get_by_role("link", name="My work"))
    cover.follow(cpage.get_by_role("link", name="All open cases in North"))
    cover.follow(cpage.get_by_role("link", name=case.reference))
    cover.follow(cpage.get_by_role("link", name="Add to chronology"))
    cpage.get_by_role("group", name="What kind of entry is this?").get_by_label("Phone call").check()
    cpage.get_by_label("Summary").fill("Called mother while Priya is on leave")
    cover.follow(cpage.get_by_role("button", name="Add to chronology"))
    expect(cpage.get_by_test_id("timeline")).to_contain_text("Called mother while Priya is on leave")

    # 3. Another team's officer and the legal officer read the case but cannot change it.
    for username in ("outsider", "legal_officer"):
        reader = new_visit(username)
        reader.goto(f"/cases/{case.pk}/")
        expect(reader.page.get_by_test_id("case-actions")).to_have_count(0)
        expect(reader.page.get_by_test_id("timeline")).to_contain_text("Called mother while Priya is on leave")
    reader.goto(f"/cases/{case.pk}/chronology/new/", status=403)

    # 4. The school sees its pupil's case without the restricted entry; another school gets 404.
    school = new_visit("school_b")
    school.goto(f"/cases/{case.pk}/")
    expect(school.page.get_by_test_id("timeline")).not_to_contain_text("Safeguarding")
    expect(school.page.get_by_test_id("case-actions")).to_have_count(0)
    new_visit("school_a").goto(f"/cases/{case.pk}/", status=404)

    # 5. The manager reopens the closed case: a reason is required, and the closure is kept.
    boss = new_visit("la_manager")
    bpage = boss.page
    boss.goto(f"/cases/{closed.pk}/")
    boss.follow(bpage.get_by_role("link", name="Reopen case"))
    bpage.get_by_label("Why is the case being reopened?").fill("   ")  # spaces pass the browser, not the form
    boss.follow(bpage.get_by_role("button", name="Reopen case"))
    expect(bpage.locator(".govuk-error-summary")).to_contain_text("Enter why the case is being reopened")
    bpage.get_by_label("Why is the case being reopened?").fill("Behaviour slipping again since half term.")
    boss.follow(bpage.get_by_role("button", name="Reopen case"))
    expect(bpage.locator(".govuk-notification-banner--success")).to_contain_text("is back with la_officer")
    expect(bpage.get_by_test_id("case-status")).to_contain_text("Open")
    expect(bpage.get_by_test_id("closure-history")).to_contain_text("Behaviour slipping again since half term.")
    expect(bpage.get_by_test_id("timeline")).to_contain_text("Case reopened")
