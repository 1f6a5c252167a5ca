"""The daily loop in the browser: a school imports a register file with a bad row → the pupil is on the penalty-notice
threshold worklist with no action yet → the officer sends the warning letter from the row → back on the worklist the
row shows the letter and leaves "No action yet". The school user sees their pupil with the action a school takes
(ask the LA for a notice). axe and the console checks run on every page of the service."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_attendance import _register_csv, autumn  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e
PERIOD = "?start=2025-09-01&end=2025-12-19"


def test_register_in_threshold_crossed_letter_sent_row_actioned(new_visit, e2e_world, autumn):  # noqa: F811
    world = e2e_world
    officer = world.users["la_officer"]
    officer.job_title, officer.phone = "Attendance officer", "01273 000000"  # letters are signed with them
    officer.save()

    school = new_visit("school_a")
    school.follow(school.page.get_by_role("link", name="Attendance", exact=True))
    school.follow(school.main().get_by_role("link", name="Import registers"))
    school.page.get_by_label("Register file").set_input_files(
        files=[{"name": "autumn.csv", "mimeType": "text/csv", "buffer": _register_csv(world)}])
    school.page.get_by_label("Import the good rows and report the bad ones").check()
    school.follow(school.page.get_by_role("button", name="Upload and import"))
    expect(school.page.get_by_test_id("job-message")).to_contain_text("1 rows rejected")

    visit = new_visit("la_officer")
    visit.goto(f"/attendance/penalty-notice-threshold/{PERIOD}")
    row = visit.page.get_by_test_id("threshold-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("last-action")).to_have_text("No action yet")
    visit.follow(row.get_by_role("link", name="Warning letter to the parents of Amy Able"))
    visit.page.get_by_label("Letter").select_option(label="Warning letter")
    visit.page.get_by_label("To").select_option(index=1)
    visit.follow(visit.page.get_by_role("button", name="Make the letter"))
    # Back on the worklist, as it was filtered, with the letter recorded on the row.
    assert "/attendance/penalty-notice-threshold/" in visit.page.url
    expect(visit.page.locator(".govuk-notification-banner")).to_contain_text("The letter was made and recorded")
    expect(visit.page.get_by_test_id("threshold-row").get_by_test_id("last-action")).to_contain_text("Letter sent")
    visit.goto(f"/attendance/penalty-notice-threshold/{PERIOD}&action=none")
    expect(visit.page.get_by_test_id("threshold-row")).to_have_count(0)

    school.goto(f"/attendance/penalty-notice-threshold/{PERIOD}")
    expect(school.page.get_by_test_id("threshold-row")).to_have_count(1)
    expect(school.page.get_by_role("link", name="Request a notice for Amy Able")).to_be_visible()
