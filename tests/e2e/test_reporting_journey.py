"""Reporting in a real browser, with the axe-core, console and asset checks on every page load: a manager opens the
dashboard, drills down from a headline to the pupils behind it and from a group to its exclusions, makes the termly
report and downloads the PDF; a school user reads their own school's dashboard only."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cases.fixtures import cases_world  # noqa: F401  (report_world builds on it)
from tests.reporting.conftest import report_world  # noqa: F401  (the fixture LA)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def seeded(e2e_world):
    """e2e_world first (it puts back the data migrations' rows an earlier test's flush removed), before the fixtures
    that build on them."""


def test_manager_drills_down_then_makes_and_downloads_the_termly_report(new_visit, report_world):  # noqa: F811
    visit = new_visit("la_manager")
    page = visit.page
    visit.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports"))
    expect(page.get_by_test_id("period-label")).to_contain_text("Autumn term 2026/27 to 23 November 2026")
    expect(page.get_by_test_id("card-overall_absence")).to_contain_text("24.0%")
    expect(page.get_by_test_id("card-overall_absence")).to_contain_text("England, autumn term 2023/24: 6.7%")
    # A headline to the pupils behind it: the attendance list, filtered to persistent absence in this term.
    visit.follow(page.get_by_test_id("card-persistent_absence").get_by_role("link"))
    expect(page.get_by_test_id("result-count")).to_contain_text("3 pupils")
    visit.goto("/reports/attendance/")
    sen = page.get_by_test_id("attendance_sen")
    expect(sen).to_contain_text("EHC plan")
    # A pupil group the attendance list cannot filter on: the reporting drill-down list.
    visit.follow(sen.get_by_role("link", name="1 severely absent, EHC plan"))
    expect(page.get_by_role("heading", name="Pupils behind the figure")).to_be_visible()
    expect(page.get_by_test_id("pupil-table")).to_contain_text("Able, Ben")
    visit.goto("/reports/suspensions-and-exclusions/")
    phase = page.get_by_test_id("exclusions_phase")
    visit.follow(phase.get_by_role("link", name="2 suspensions, Secondary"))
    expect(page.get_by_test_id("result-count")).to_contain_text("2 exclusions")
    # The termly report, made on request (the task runs in-process here), then downloaded.
    visit.goto("/reports/")
    visit.follow(visit.main().get_by_role("navigation", name="Reports").get_by_role("link", name="Termly reports"))
    page.get_by_label("Term").select_option(label="Autumn term 2026/27 (to date)")
    page.get_by_label("Report for", exact=True).select_option(label="The whole authority")
    visit.follow(page.get_by_role("button", name="Make the report"))
    expect(page.get_by_test_id("job-status")).to_have_text("Finished")
    expect(page.get_by_test_id("job-message")).to_contain_text("pages, figures to 23 November 2026")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert download.value.suggested_filename.startswith("termly-report-2026-27-autumn-la-")
    visit.goto("/reports/termly/")
    expect(page.get_by_test_id("report-runs")).to_contain_text("The whole authority")
    visit.goto("/reports/glossary/")
    expect(page.get_by_test_id("national-figures")).to_contain_text("11.31%")


def test_a_school_user_reads_their_own_school_only(new_visit, report_world):  # noqa: F811
    visit = new_visit("school_a")
    page = visit.page
    visit.follow(page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports"))
    expect(page.get_by_test_id("period-label")).to_contain_text("Schools counted: Alpha Primary")
    visit.goto("/reports/attendance/")
    expect(page.get_by_test_id("attendance_headline")).to_contain_text("Enrolments with sessions")
    visit.goto(f"/reports/?school={report_world.world.school_b.urn}", status=404)
