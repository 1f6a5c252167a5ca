"""The legal journeys in a real browser, with the axe-core, console and asset checks on every page load:
a school requests a notice, the LA decides, the notice is issued and paid; and a prosecution from a legal pathway
to its hearing and outcome."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from legal import services
from legal.models import PenaltyNotice, Prosecution
from tests.factories import CarerFactory

pytestmark = pytest.mark.e2e
D = datetime.date


@pytest.fixture(autouse=True)
def seeded(e2e_world):
    """e2e_world first (it puts back the data migrations' rows an earlier test's flush removed), before the fixtures
    that build on them."""


def fill_date(page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_school_request_to_payment(new_visit, e2e_world):
    world = e2e_world
    pupil = world.pupil_a
    second = CarerFactory(family=pupil.family, full_name="Sam Parent", relationship="father")

    school = new_visit("school_a")
    page = school.page
    school.goto(f"/pupils/{pupil.pk}/")
    school.follow(page.get_by_role("navigation", name="Pupil record").get_by_role("link", name="Legal"))
    school.follow(page.get_by_role("link", name="Request a penalty notice"))
    page.get_by_label("Sam Parent (father)").check()
    page.get_by_role("group", name="Kind of notice").get_by_label("Unauthorised leave in term time").check()
    fill_date(page, "Absence from", D(2026, 11, 9))
    fill_date(page, "Absence to", D(2026, 11, 13))
    page.get_by_label("Sessions missed").fill("10")
    page.get_by_label("What happened").fill("A week's holiday after the head refused the request.")
    school.follow(page.get_by_role("button", name="Send request"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The LA will decide by")
    expect(page.get_by_test_id("request-status")).to_have_text("Awaiting LA decision")

    legal = new_visit("legal_officer")
    lpage = legal.page
    legal.follow(lpage.get_by_role("navigation", name="Menu").get_by_role("link", name="Legal"))
    queue = lpage.get_by_test_id("request-queue")
    expect(queue).to_contain_text("Amy Able")
    legal.follow(queue.get_by_role("link").first)
    legal.follow(lpage.get_by_role("link", name="Decide this request"))
    lpage.get_by_role("group", name="Decision").get_by_label("Approve: issue a notice to each parent named").check()
    lpage.get_by_label("Reason for the school").fill("Leave was refused in writing before the holiday.")
    lpage.get_by_label("LA legal working notes (optional)").fill("Father works away: serve by hand.")
    fill_date(lpage, "Date served (optional)", D(2026, 11, 23))
    lpage.get_by_label("How served (optional)").select_option(label="By hand to the parent")
    legal.follow(lpage.get_by_role("button", name="Save decision"))
    notice = PenaltyNotice.objects.get(carer=second)
    expect(lpage.get_by_test_id("request-notices")).to_contain_text(notice.reference)

    legal.follow(lpage.get_by_test_id("request-notices").get_by_role("link", name=notice.reference))
    expect(lpage.get_by_test_id("notice-amount")).to_contain_text("£80.00 within 21 days, £160.00 within 28 days")
    legal.follow(lpage.get_by_role("link", name="Record a payment"))
    lpage.get_by_label("Amount paid (£)").fill("60.00")
    lpage.get_by_role("group", name="How they paid").get_by_label("Card (online or phone)").check()
    legal.follow(lpage.get_by_role("button", name="Record payment"))
    expect(lpage.locator(".govuk-error-summary")).to_contain_text("£60.00 is less than the £80.00 due")
    lpage.get_by_label("Amount paid (£)").fill("80.00")
    legal.follow(lpage.get_by_role("button", name="Record payment"))
    expect(lpage.get_by_test_id("notice-status")).to_contain_text("Paid at the reduced rate")

    school.goto(f"/legal/pupils/{pupil.pk}/")
    table = page.get_by_test_id("pupil-requests")
    expect(table).to_contain_text("Approved: notice issued")
    expect(table).to_contain_text("paid at the reduced rate")
    expect(school.main()).not_to_contain_text("serve by hand")


def test_prosecution_path(new_visit, e2e_world):
    from tests.legal.fixtures import evidence_support

    world = e2e_world
    from cases import services as case_services

    case = case_services.case_open(user=world.users["la_manager"], pupil=world.pupil_a, case_type="attendance",
                                   officer=world.users["la_officer"], summary="Absent most days.",
                                   opened_on=D(2026, 9, 14))
    evidence_support(world, case)
    parent = world.pupil_a.family.carers.get(full_name="Pat Parent")

    officer = new_visit("la_officer")
    page = officer.page
    officer.goto(f"/cases/{case.pk}/")
    officer.follow(page.get_by_test_id("legal-block").get_by_role("link", name="Check the evidenced support"))
    expect(page.get_by_test_id("support-checklist")).not_to_contain_text("Not evidenced")
    officer.follow(page.get_by_role("button", name="Open legal pathway"))
    expect(page.get_by_test_id("pathway-status")).to_contain_text("Open")
    pathway_url = page.url

    legal = new_visit("legal_officer")
    lpage = legal.page
    legal.page.goto(pathway_url)
    legal.check()
    legal.follow(lpage.get_by_role("link", name="Start a prosecution"))
    lpage.get_by_label("Parent to prosecute").select_option(label="Pat Parent (mother)")
    lpage.get_by_role("group", name="Offence").get_by_label("s444(1): failure to secure regular attendance").check()
    fill_date(lpage, "Absence from", D(2026, 9, 7))
    fill_date(lpage, "Absence to", D(2026, 11, 6))
    legal.follow(lpage.get_by_role("button", name="Start prosecution"))
    expect(lpage.locator(".govuk-error-summary")).to_contain_text("education supervision order")
    assert not Prosecution.objects.exists()
    services.eso_consider(user=world.users["legal_officer"], pathway=case.legal_pathways.get(),
                          considered_on=D(2026, 11, 16), decision="not_apply", reasons="Support refused.")
    legal.follow(lpage.get_by_role("button", name="Start prosecution"))
    expect(lpage.get_by_test_id("information-deadline")).to_contain_text("6 May 2027")
    legal.follow(lpage.get_by_role("link", name="Interview and witness statement"))
    fill_date(lpage, "Interview under caution (date, optional)", D(2026, 11, 18))
    legal.follow(lpage.get_by_role("button", name="Save"))
    legal.follow(lpage.get_by_role("link", name="Lay the information"))
    lpage.get_by_label("Magistrates' court").fill("Brighton Magistrates' Court")
    legal.follow(lpage.get_by_role("button", name="Record information laid"))
    legal.follow(lpage.get_by_role("link", name="Record a hearing"))
    fill_date(lpage, "Date of the hearing", D(2026, 11, 20))
    lpage.get_by_role("group", name="Kind").get_by_label("First hearing").check()
    legal.follow(lpage.get_by_role("button", name="Record hearing"))
    expect(lpage.locator(".govuk-error-summary")).to_contain_text("cannot be before the information was laid")
    fill_date(lpage, "Date of the hearing", D.today())
    legal.follow(lpage.get_by_role("button", name="Record hearing"))
    expect(lpage.get_by_test_id("hearings")).to_contain_text("First hearing")
    legal.follow(lpage.get_by_role("link", name="Record the outcome"))
    lpage.get_by_role("group", name="Outcome").get_by_label("Convicted: fine").check()
    lpage.get_by_label("Fine (£, optional)").fill("200.00")
    legal.follow(lpage.get_by_role("button", name="Record outcome"))
    expect(lpage.get_by_test_id("outcome")).to_contain_text("fine £200.00")
    response = lpage.request.get(legal.url(f"/legal/prosecutions/{Prosecution.objects.get().pk}/pack.pdf"))
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
    assert parent.prosecutions.count() == 1
