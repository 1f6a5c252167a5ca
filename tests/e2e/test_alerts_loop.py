"""The alert part of the daily loop in the browser: a school imports this week's registers with a bad row → the
import evaluates the early-warning rules for that school → the officer finds the alert on the alert list, with the
marks that fired it, and marks it dealt with from the row, saying what was done → it leaves the list of alerts to do.
The school sees the alert about its pupil; another school does not. axe and the console checks run on every page.

The registers are for the school days just before today (the rules look back from today), inside a term made around
today, so the test holds whatever day it runs on."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AlertRule
from schools.models import AcademicYear, Term

pytestmark = pytest.mark.e2e


def _last_school_days(today: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], today - datetime.timedelta(days=1)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= datetime.timedelta(days=1)
    return sorted(days)


def _register_csv(world, days: list[datetime.date]) -> bytes:
    """Present every session but the last three (the day before's afternoon, the last day's morning and afternoon:
    N, O, N), and one bad row (an unknown code) on a real school day."""
    lines = ["upn,school,date,session,code"]
    for day in days:
        for session in ("AM", "PM"):
            lines.append(f"{world.pupil_a.upn},{world.school_a.urn},{day.isoformat()},{session},/")
    lines[-3:] = [lines[-3].replace(",/", ",N"), lines[-2].replace(",/", ",O"), lines[-1].replace(",/", ",N")]
    lines.append(f"{world.pupil_a.upn},{world.school_a.urn},{days[0].isoformat()},AM,QQ")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def term_around_today(e2e_world):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=150)
    year = AcademicYear.objects.create(name=f"{start.year}/{(start.year + 1) % 100:02d}", start_date=start,
                                       end_date=today + datetime.timedelta(days=150))
    Term.objects.create(academic_year=year, name="autumn", start_date=today - datetime.timedelta(days=40),
                        end_date=today + datetime.timedelta(days=20))
    # The rule as migration cases 0006 seeds it (a browser test's database may have been emptied by the one before),
    # and only it: pupil_a's EHC plan and this term's absence would fire two more.
    AlertRule.objects.update_or_create(key="unexplained-in-a-row", defaults=dict(
        name="3 unexplained absences in a row", kind=AlertRule.Kind.CONSECUTIVE_UNEXPLAINED, sessions=3, weeks=2,
        points=None, active=True, condition="3 or more sessions in a row marked N or O in the last 2 school weeks.",
        goes_to="The pupil's case officer, else the school's link officer, else the team.",
        source="Working together to improve school attendance (2024): act on the first day."))
    AlertRule.objects.exclude(key="unexplained-in-a-row").update(active=False)
    return today


def test_import_alert_appears_officer_deals_with_it(new_visit, e2e_world, term_around_today):
    world = e2e_world
    days = _last_school_days(term_around_today, 5)

    school = new_visit("school_a")
    school.follow(school.page.get_by_role("link", name="Attendance", exact=True))
    school.follow(school.main().get_by_role("link", name="Import registers"))
    school.page.get_by_label("Register file").set_input_files(
        files=[{"name": "this-week.csv", "mimeType": "text/csv", "buffer": _register_csv(world, days)}])
    school.page.get_by_label("Import the good rows and report the bad ones").check()
    school.follow(school.page.get_by_role("button", name="Upload and import"))
    expect(school.page.get_by_test_id("job-message")).to_contain_text("1 rows rejected")

    officer = new_visit("la_officer")
    officer.goto("/cases/alerts/")
    row = officer.page.get_by_test_id("alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Able, Amy")
    expect(row).to_contain_text("3 unexplained absences in a row")
    expect(row.get_by_test_id("alert-evidence")).to_contain_text("3 sessions in a row marked N or O (2 N, 1 O)")
    row.get_by_text("Mark dealt with").first.click()
    row.get_by_label("What was done?").fill("Called mother: Amy was ill; school to correct the register.")
    officer.follow(row.get_by_role("button", name="Mark dealt with"))
    expect(officer.page.locator(".govuk-notification-banner")).to_contain_text("marked dealt with")
    expect(officer.page.get_by_test_id("alert-row")).to_have_count(0)  # the list of alerts to do
    officer.goto("/cases/alerts/?status=done")
    expect(officer.page.get_by_test_id("alert-row")).to_contain_text("Dealt with")

    school.goto("/cases/alerts/?status=any")
    expect(school.page.get_by_test_id("alert-row")).to_have_count(1)
    other = new_visit("school_b")
    other.goto("/cases/alerts/?status=any")
    expect(other.page.get_by_test_id("alert-row")).to_have_count(0)
