"""The exclusions journey in a real browser: a school lead records a suspension (after the form refuses a fourth
reason), an LA officer sees its deadlines and the day-6 dashboard and records the provision; the dashboard and the
registers follow. Every page load goes through tests.e2e.support.Visit's axe-core, console and asset checks."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from schools.models import Exclusion, Placement
from tests.exclusions.fixtures import build_calendar

pytestmark = pytest.mark.e2e
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def frozen_today(monkeypatch):
    """"Today" for the service (the live server runs in this process, so it sees the same date)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def fill_date(page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_school_records_a_suspension_and_the_la_arranges_day6_provision(new_visit, e2e_world, frozen_today):
    world = e2e_world
    build_calendar(world)
    pupil = world.pupil_a

    # 1. The school lead records a six-day suspension from the pupil's Exclusions tab.
    school = new_visit("school_a")
    page = school.page
    school.goto(f"/pupils/{pupil.pk}/")
    school.follow(page.get_by_role("navigation", name="Pupil record").get_by_role("link", name="Exclusions"))
    expect(school.main().get_by_role("heading", level=1)).to_have_text("Exclusions and provision")
    expect(page.get_by_test_id("cap-summary")).to_contain_text("Suspended for 0 of 45 school days in 2026/27")
    school.follow(page.get_by_role("link", name="Record an exclusion"))
    page.get_by_role("group", name="Kind").get_by_label("Suspension", exact=True).check()
    fill_date(page, "First day of the exclusion", 9, 11, 2026)
    page.get_by_role("group", name="First session excluded").get_by_label("Morning").check()
    page.get_by_label("Length in sessions").fill("12")
    reasons = page.get_by_role("group", name="Reasons")
    for code in ("PA –", "VA –", "DB –", "DM –"):
        reasons.get_by_label(code).check()
    page.get_by_label("Description").fill("Pushed a teacher during a corridor incident.")
    fill_date(page, "Date the LA was notified", 9, 11, 2026)
    # Four reasons: refused at the field, nothing saved.
    school.follow(page.get_by_role("button", name="Record the exclusion"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose up to 3 reasons")
    assert not Exclusion.objects.exists()
    page.get_by_role("group", name="Reasons").get_by_label("DM –").uncheck()
    school.follow(page.get_by_role("button", name="Record the exclusion"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The exclusion was recorded.")
    exclusion = Exclusion.objects.get()
    day6 = page.get_by_test_id("deadlines").locator("[data-deadline=day6]")
    expect(day6).to_contain_text("Monday 16 November 2026")
    expect(day6).to_contain_text("Missed")  # "today" is 23 November and no provision is recorded
    school.sign_out()

    # 2. The LA officer finds it on the day-6 dashboard and records the school's provision for it.
    officer = new_visit("la_officer")
    opage = officer.page
    officer.follow(opage.get_by_role("navigation", name="Menu").get_by_role("link", name="Exclusions"))
    expect(officer.main().get_by_role("heading", level=1)).to_have_text("Exclusions")
    expect(opage.get_by_test_id("register")).to_contain_text("Able, Amy")
    officer.follow(opage.get_by_role("navigation", name="Exclusions and provision").get_by_role(
        "link", name="Day 6"))
    missed = opage.get_by_test_id("day6-missed")
    expect(missed).to_contain_text("Able, Amy")
    expect(missed).to_contain_text("School")
    officer.follow(missed.get_by_role("link", name="Suspension from 9 Nov 2026"))
    expect(opage.get_by_test_id("deadlines").locator("[data-deadline=day6]")).to_contain_text("Missed")
    officer.follow(opage.get_by_role("link", name="Record provision"))
    opage.get_by_role("group", name="Arranged by").get_by_label("School").check()
    opage.get_by_label("School that arranged it (if a school did)").select_option(label="Alpha Primary")
    opage.get_by_role("group", name="Provider kind").get_by_label("Another school").check()
    opage.get_by_label("School providing the education (if another school)").select_option(label="Beta Academy")
    opage.get_by_label("Hours a week").fill("25")
    fill_date(opage, "Start date", 16, 11, 2026)
    officer.follow(opage.get_by_role("button", name="Record the provision"))
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text("The provision was recorded.")
    expect(opage.get_by_test_id("deadlines").locator("[data-deadline=day6]")).to_contain_text("Done")
    assert Placement.objects.get().commissioning_school == world.school_a

    # 3. The dashboard moves it to "in place"; the registers and exports are a click away.
    officer.goto("/provision/day-6/")
    expect(opage.get_by_test_id("day6-missed")).not_to_contain_text("Able, Amy")
    expect(opage.get_by_test_id("day6-in-place")).to_contain_text("Able, Amy")
    for name in ("Reminders", "Placements", "Part-time timetables", "Managed moves", "Alternative provision",
                 "Fair Access", "Children missing education"):
        officer.follow(opage.get_by_role("navigation", name="Exclusions and provision").get_by_role(
            "link", name=name))
        expect(officer.main().get_by_role("heading", level=1)).to_have_text(name)
    officer.goto(f"/exclusions/{exclusion.pk}/review/")
    officer.goto(f"/exclusions/{exclusion.pk}/reintegration/")
    officer.goto(f"/exclusions/{exclusion.pk}/edit/")
    officer.goto(f"/provision/part-time-timetables/pupil/{pupil.pk}/new/")
    officer.goto(f"/provision/managed-moves/pupil/{pupil.pk}/new/")
    officer.goto(f"/provision/fair-access/pupil/{pupil.pk}/new/")
    officer.goto("/provision/children-missing-education/new/")
    officer.goto("/provision/alternative-provision/new/")
    officer.goto(f"/exclusions/{exclusion.pk}/cancel/")


def test_back_to_back_suspensions_set_a_day6_duty_and_each_role_sees_its_share(new_visit, e2e_world, frozen_today):
    """The school records two three-day suspensions back to back: together they pass five school days, so the
    second carries the school's day-6 duty; the legal officer reads it on the dashboard without record buttons;
    another school cannot reach it; the LA's reminders list it; cancelling the first takes the duty away."""
    from schools.exclusions import services

    world = e2e_world
    build_calendar(world)
    pupil = world.pupil_a

    school = new_visit("school_a")
    page = school.page
    for day, reason in ((2, "DB –"), (5, "VA –")):
        school.goto(f"/exclusions/pupil/{pupil.pk}/new/")
        page.get_by_role("group", name="Kind").get_by_label("Suspension", exact=True).check()
        fill_date(page, "First day of the exclusion", day, 11, 2026)
        page.get_by_role("group", name="First session excluded").get_by_label("Morning").check()
        page.get_by_label("Length in sessions").fill("6")
        page.get_by_role("group", name="Reasons").get_by_label(reason).check()
        school.follow(page.get_by_role("button", name="Record the exclusion"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The exclusion was recorded.")
    first, second = Exclusion.objects.order_by("start_date")
    # Monday 2 to Wednesday 4 November, then Thursday 5 to Monday 9: the 6th school day of the run is Monday 9th.
    day6 = page.get_by_test_id("deadlines").locator("[data-deadline=day6]")
    expect(day6).to_contain_text("6th school day of the back-to-back suspensions from 2 November 2026")
    expect(day6).to_contain_text("Monday 9 November 2026")
    expect(page.get_by_test_id("consecutive-run")).to_contain_text("6 school days in all")
    school.goto(f"/exclusions/{first.pk}/")
    expect(page.get_by_test_id("consecutive-run")).to_contain_text("record the provision there")

    legal = new_visit("legal_officer")
    legal.goto("/provision/day-6/")
    expect(legal.page.get_by_test_id("day6-missed")).to_contain_text("Able, Amy")
    legal.follow(legal.page.get_by_test_id("day6-missed").get_by_role("link", name="Suspension from 5 Nov 2026"))
    expect(legal.main()).not_to_contain_text("Change details")

    other_school = new_visit("school_b")
    other_school.goto("/exclusions/")
    expect(other_school.main()).not_to_contain_text("Able, Amy")
    other_school.goto(f"/exclusions/{second.pk}/", status=404)

    services.exclusion_reminders_refresh()
    manager = new_visit("la_manager")
    manager.goto("/exclusions/reminders/")
    expect(manager.page.get_by_test_id("register")).to_contain_text("no provision recorded from the 6th school day")

    school.goto(f"/exclusions/{first.pk}/cancel/")
    fill_date(page, "Date the exclusion was cancelled", 3, 11, 2026)
    page.get_by_label("Why it was cancelled").fill("Issued in error: the CCTV showed another pupil.")
    school.follow(page.get_by_role("button", name="Cancel the exclusion"))
    school.goto(f"/exclusions/{second.pk}/")
    expect(page.get_by_test_id("deadlines")).to_have_count(0)
    expect(page.get_by_test_id("consecutive-run")).to_have_count(0)
