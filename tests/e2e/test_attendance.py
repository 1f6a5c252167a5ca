"""Attendance in the browser: import a register file, then read the figures it produced, with axe on every page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from schools.models import AcademicYear, Term

pytestmark = pytest.mark.e2e
D = datetime.date


def _register_csv(world) -> bytes:
    """Four weeks from 8 Sep 2025: pupil_a absent (N) every afternoon, present mornings; one bad row at the end."""
    lines = ["upn,school,date,session,code"]
    day, days = D(2025, 9, 8), 0
    while days < 20:
        if day.weekday() < 5:
            lines.append(f"{world.pupil_a.upn},{world.school_a.urn},{day.isoformat()},AM,/")
            lines.append(f"{world.pupil_a.upn},{world.school_a.urn},{day.isoformat()},PM,N")
            days += 1
        day += datetime.timedelta(days=1)
    lines.append(f"{world.pupil_a.upn},{world.school_a.urn},2025-09-09,AM,QQ")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def autumn(e2e_world):
    year = AcademicYear.objects.create(name="2025/26", start_date=D(2025, 9, 1), end_date=D(2026, 8, 31))
    return Term.objects.create(academic_year=year, name="autumn", start_date=D(2025, 9, 3), end_date=D(2025, 12, 19))


def test_school_user_imports_a_register_and_reads_the_figures(new_visit, e2e_world, autumn):
    world = e2e_world
    visit = new_visit("school_a")
    visit.follow(visit.page.get_by_role("link", name="Attendance", exact=True))
    visit.follow(visit.main().get_by_role("link", name="Import registers"))
    visit.page.get_by_label("Register file").set_input_files(
        files=[{"name": "autumn.csv", "mimeType": "text/csv", "buffer": _register_csv(world)}])
    visit.page.get_by_label("Import the good rows and report the bad ones").check()
    visit.follow(visit.page.get_by_role("button", name="Upload and import"))
    expect(visit.page.get_by_test_id("job-status")).to_have_text("Finished")
    expect(visit.page.get_by_test_id("job-message")).to_contain_text("40 marks written")
    expect(visit.page.get_by_test_id("job-message")).to_contain_text("1 rows rejected")
    with visit.page.expect_download() as download:
        visit.page.get_by_role("link", name="Download the error report (CSV)").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert "autumn.csv,42,code,QQ," in report

    period = "?start=2025-09-01&end=2025-12-19"
    visit.goto(f"/pupils/{world.pupil_a.pk}/attendance/{period}")
    expect(visit.page.get_by_test_id("attendance-rate")).to_have_text("50.0%")
    expect(visit.page.get_by_test_id("period-label")).to_contain_text("01 September 2025 to 19 December 2025")
    expect(visit.page.get_by_test_id("register")).to_contain_text("N")

    visit.goto(f"/schools/{world.school_a.urn}/attendance/{period}&show=sa")
    expect(visit.page.get_by_test_id("overall-absence")).to_have_text("50.0%")
    visit.follow(visit.main().get_by_role("link", name="Able, Amy"))

    visit.goto(f"/attendance/penalty-notice-threshold/{period}")
    expect(visit.page.get_by_test_id("result-count")).to_have_text("1 pupil met the threshold")
    visit.follow(visit.main().get_by_role("link", name="Sessions for Amy Able"))
    expect(visit.page.get_by_role("heading", name="Sessions that met the threshold: Amy Able")).to_be_visible()

    # The other school's user sees none of it.
    other = new_visit("school_b")
    other.goto(f"/pupils/{world.pupil_a.pk}/attendance/", status=404)
    other.goto(f"/attendance/penalty-notice-threshold/{period}")
    expect(other.page.get_by_test_id("result-count")).to_have_text("0 pupils met the threshold")


def test_manager_reads_the_la_overview_by_phase(new_visit, e2e_world, autumn):
    visit = new_visit("la_manager")
    for group in ("school", "phase", "partnership"):
        visit.goto(f"/attendance/?group={group}")
        expect(visit.page.get_by_test_id("overview-table")).to_be_visible()
