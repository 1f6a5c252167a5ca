"""Browser journeys for the CTF review queue, the drill-down behind the LA's figures and the stage check on the case
list, with the axe check on every page (tests/e2e/support.py's Visit)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from schools.models import AcademicYear, AttendanceSummary, Enrolment, Term
from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml
from tests.factories import AcademicYearFactory, CaseFactory, spare_upn

pytestmark = pytest.mark.e2e
D = datetime.date
PERIOD = "?start=2025-09-01&end=2025-12-19"
NEW_UPN = spare_upn(5432)


@pytest.fixture
def autumn(e2e_world):
    year = AcademicYear.objects.create(name="2025/26", start_date=D(2025, 9, 1), end_date=D(2026, 8, 31))
    return Term.objects.create(academic_year=year, name="autumn", start_date=D(2025, 9, 3), end_date=D(2025, 12, 19))


def _upload(visit, content: bytes, name: str) -> None:
    visit.goto("/attendance/imports/")
    visit.page.get_by_label("Register file").set_input_files(
        files=[{"name": name, "mimeType": "text/xml", "buffer": content}])
    visit.page.get_by_label("Import the good rows and report the bad ones").check()
    visit.follow(visit.page.get_by_role("button", name="Upload and import"))
    expect(visit.page.get_by_test_id("job-status")).to_have_text("Finished")


def test_officer_creates_a_held_pupil_and_the_marks_arrive(new_visit, e2e_world, autumn):
    world = e2e_world
    known = CtfPupilSpec(upn=world.pupil_a.upn, surname="Able", forename="Amy", dob="2015-03-27",
                         school=world.school_a)
    stranger = CtfPupilSpec(upn=NEW_UPN, surname="Newcomer", forename="Nia", dob="2015-01-02",
                            school=world.school_a)
    visit = new_visit("la_officer")
    _upload(visit, ctf_xml([known, stranger]), "transfer.xml")
    expect(visit.page.get_by_test_id("job-message")).to_contain_text("10 marks written")
    expect(visit.page.get_by_test_id("held-count")).to_have_text("1 pupil")
    expect(visit.page.get_by_test_id("import-outcome")).to_contain_text("You chose to import the good rows")

    visit.follow(visit.main().get_by_role("link", name="Newcomer, Nia"))
    expect(visit.page.get_by_test_id("review-status")).to_have_text("Waiting for a decision")
    expect(visit.page.get_by_test_id("held-marks")).to_contain_text("10 sessions at Alpha Primary")
    visit.follow(visit.main().get_by_role("link", name="Create a new pupil"))
    expect(visit.page.get_by_label("Legal last name")).to_have_value("Newcomer")
    visit.follow(visit.page.get_by_role("button", name="Create the pupil and import the marks"))
    expect(visit.page.get_by_test_id("review-status")).to_have_text("New pupil created")
    expect(visit.page.get_by_test_id("imported")).to_contain_text("10 written")

    visit.follow(visit.page.get_by_test_id("decision").get_by_role("link", name="Nia Newcomer"))
    visit.goto(visit.page.url.split("?")[0].replace(visit.base_url, "") + PERIOD)
    expect(visit.page.get_by_test_id("attendance-rate")).to_have_text("80.0%")
    expect(visit.page.get_by_test_id("suggested-stage")).to_have_text("Stage 3: Targeted support")
    visit.page.get_by_text("How the stage is suggested").click()
    expect(visit.page.get_by_test_id("stage-thresholds")).to_contain_text("91% and above")

    # The queue is empty again; the resolved item is in its history.
    visit.goto("/attendance/ctf-review/")
    expect(visit.page.get_by_test_id("result-count")).to_have_text("0 pupils")
    visit.page.get_by_label("Status").select_option("all")
    visit.follow(visit.page.get_by_role("button", name="Apply filters"))
    expect(visit.page.get_by_test_id("review-table")).to_contain_text("New pupil created")


def test_school_user_follows_their_held_pupil_but_does_not_resolve_it(new_visit, e2e_world, autumn):
    world = e2e_world
    stranger = CtfPupilSpec(upn=NEW_UPN, surname="Visitor", forename="Vic", dob="2015-06-06", school=world.school_a)
    visit = new_visit("school_a")
    _upload(visit, ctf_xml([stranger]), "from-school.xml")
    visit.follow(visit.main().get_by_role("link", name="Visitor, Vic"))
    expect(visit.main()).to_contain_text("Waiting for an LA officer")
    expect(visit.main().get_by_role("link", name="Match to a pupil")).to_have_count(0)
    other = new_visit("school_b")
    other.goto("/attendance/ctf-review/")
    expect(other.page.get_by_test_id("result-count")).to_have_text("0 pupils")


def test_manager_drills_down_and_filters_cases_by_stage(new_visit, e2e_world, autumn):
    world = e2e_world
    year = AcademicYearFactory()
    enrolment = Enrolment.objects.get(pupil=world.pupil_b)
    # 30% absent: persistently absent, with the flag the attendance engine stores beside the counts.
    AttendanceSummary.objects.create(enrolment=enrolment, academic_year=year, term=None, possible=100, present=70,
                                     unauthorised=30, is_persistent=True)
    CaseFactory(pupil=world.pupil_b, school=world.school_b, stage="1_prevention")
    visit = new_visit("la_manager")
    visit.goto("/attendance/")
    visit.follow(visit.main().get_by_role("link", name="1 persistently absent pupils, Beta Academy"))
    expect(visit.page.get_by_test_id("pupil-table")).to_contain_text("Able, Ben")
    expect(visit.page.get_by_test_id("stage-check")).to_have_text("Differs")
    visit.page.get_by_label("Stage check").select_option("agrees")
    visit.follow(visit.page.get_by_role("button", name="Apply filters"))
    expect(visit.page.get_by_test_id("result-count")).to_contain_text("0 pupils")

    visit.goto("/cases/")
    expect(visit.page.get_by_test_id("attendance-header")).to_contain_text("2026/27 year to date")
    visit.page.get_by_label("Stage against attendance").select_option("disagrees")
    visit.follow(visit.page.get_by_role("button", name="Apply filters"))
    expect(visit.page.get_by_test_id("result-count")).to_have_text("1 case")
    expect(visit.page.get_by_test_id("case-attendance")).to_contain_text("70.0%")
