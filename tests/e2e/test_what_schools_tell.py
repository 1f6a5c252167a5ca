"""What schools must tell the LA (issue 21), in a real browser: a school lead sends a deletion notice (the empty form
answers with the GOV.UK error summary first), an LA officer triages it from the queue into a CME record in one click;
then an LA manager opens every page the issue added (home education, duplicates and merges, the DfE return, payment
files and their queue, roll notices' flags, a carer's contact details). Every page load goes through
tests.e2e.support.Visit's axe-core, console and asset checks."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from schools.models import Carer, RollNotification
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


def test_a_school_sends_a_deletion_notice_and_the_la_opens_a_cme_record_from_it(new_visit, e2e_world,
                                                                                  frozen_today):
    world = e2e_world
    build_calendar(world)
    pupil = world.pupil_a

    school = new_visit("school_a")
    page = school.page
    school.goto("/roll-notifications/deletion/new/")
    school.follow(page.get_by_role("button", name="Send the deletion notice"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the pupil's UPN.")
    expect(summary).to_contain_text("Choose the ground for deleting the pupil.")
    page.get_by_label("UPN").fill(pupil.upn)
    page.get_by_label("First name").fill(pupil.legal_first_name)
    page.get_by_label("Last name").fill(pupil.legal_last_name)
    born = pupil.date_of_birth
    fill_date(page, "Date of birth", born.day, born.month, born.year)
    fill_date(page, "Date of deletion", 20, 11, 2026)
    page.get_by_label("Not returned within 10 school days", exact=False).check()
    school.follow(page.get_by_role("button", name="Send the deletion notice"))
    notice = RollNotification.objects.get(upn=pupil.upn)
    assert notice.kind == RollNotification.Kind.DELETION and notice.ground == "h"

    officer = new_visit("la_officer")
    opage = officer.page
    officer.goto("/roll-notifications/")
    expect(officer.main()).to_contain_text(pupil.legal_last_name)
    officer.goto(f"/roll-notifications/{notice.pk}/")
    officer.follow(opage.get_by_role("button", name="Start a CME enquiry"))
    notice.refresh_from_db()
    assert notice.status == RollNotification.Status.DONE and notice.cme_record_id
    officer.goto(f"/roll-notifications/{notice.pk}/")
    expect(officer.main().get_by_role("link", name="the CME record")).to_be_visible()


def test_every_page_the_issue_added_passes_the_checks(new_visit, e2e_world, frozen_today):
    world = e2e_world
    build_calendar(world)
    manager = new_visit("la_manager")
    for path in ["/roll-notifications/", "/roll-notifications/overdue/", "/roll-notifications/no-notice/",
                 "/roll-notifications/upload/", "/roll-notifications/admission/new/",
                 f"/roll-notifications/pupil/{world.pupil_a.pk}/",
                 "/provision/home-education/", "/provision/home-education/new/",
                 "/duplicates/", "/duplicates/merges/", f"/duplicates/pupil/{world.pupil_a.pk}/",
                 "/legal/returns/", "/legal/payments/files/", "/legal/payments/files/new/",
                 "/legal/payments/queue/"]:
        manager.goto(path)
    carer = Carer.objects.filter(family_id=world.pupil_a.family_id).first()
    if carer is not None:
        manager.goto(f"/carers/{carer.pk}/contact/")
    # A school lead's own pages: their notices and the form, never the LA's registers.
    school = new_visit("school_a")
    school.goto("/roll-notifications/")
    school.goto("/roll-notifications/admission/new/")
    school.goto("/provision/home-education/", status=403)
    school.goto("/duplicates/", status=403)
