"""The case list and case page show the pupil's attendance with its period and the stage it suggests against the
case's stage; the case list filters on the comparison (page, export and API alike); the stage guide shows the LA's
thresholds."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import AttendanceSummary, Enrolment, StagePolicy
from tests.factories import AcademicYearFactory, CaseFactory, EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases_by_name(world):
    """Open attendance cases at school B, each pupil with year-to-date attendance (2026/27)."""
    year = AcademicYearFactory()
    made = {}
    for name, attended, stage in [("Matching", 95, "1_prevention"), ("Differing", 70, "2_early_intervention"),
                                  ("Legal", 60, "4_legal")]:
        pupil = PupilFactory(legal_last_name=name)
        enrolment = EnrolmentFactory(pupil=pupil, school=world.school_b)
        AttendanceSummary.objects.create(enrolment=enrolment, academic_year=year, term=None, possible=200,
                                         present=attended * 2, unauthorised=200 - attended * 2)
        made[name] = CaseFactory(pupil=pupil, stage=stage, school=world.school_b)
    return made


def test_case_list_shows_attendance_with_its_period_and_filters_stage_disagrees(world, cases_by_name, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-testid="attendance-header">Attendance <span class="govuk-body-s">(2026/27 year to date)' in page
    assert "70.0%" in page and "Suggests Stage 3: Targeted support" in page and "Differs" in page
    filtered = client.get(reverse("cases:list"), {"stage_check": "disagrees"}).content.decode()
    assert "Differing, " in filtered and "Matching, " not in filtered and "Legal, " not in filtered
    assert 'data-testid="result-count">1 case' in filtered


def test_case_export_and_api_carry_the_attendance_and_the_filter(world, cases_by_name, client):
    client.force_login(world.users["la_manager"])
    xlsx = client.get(reverse("cases:export"), {"format": "xlsx", "stage_check": "disagrees"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and record["Attendance (year to date)"] == "70.0%"
    assert record["Stage against attendance"] == "Suggested stage differs from the case's stage"
    api = client.get("/api/cases/", {"stage_check": "agrees"}).json()
    by_pupil = {row["pupil_name"].split()[-1]: row for row in api["results"]}
    assert set(by_pupil) == {"Matching", "Legal"}
    assert (by_pupil["Legal"]["suggested_stage"], by_pupil["Legal"]["stage_check"]) == (3, "agrees")
    assert by_pupil["Matching"]["attendance_attended"] == 190


def test_a_school_user_sees_attendance_from_their_own_registers_only(world, cases_by_name, client):
    # Differing moves to school A: school B keeps the case view but not the new school's registers.
    pupil = cases_by_name["Differing"].pupil
    Enrolment.objects.filter(pupil=pupil).update(end_date="2026-10-01")
    client.force_login(world.users["school_b"])
    page = client.get(reverse("cases:list"), {"stage_check": "disagrees"}).content.decode()
    assert 'data-testid="result-count">0 cases' in page


def test_the_case_page_compares_with_the_las_own_thresholds(world, cases_by_name, client):
    client.force_login(world.users["la_officer"])
    legal = client.get(reverse("cases:detail", args=[cases_by_name["Legal"].pk])).content.decode()
    assert "suggests stage 3: targeted support" in legal and "Matches" in legal
    StagePolicy.objects.create(prevention_from=Decimal("96"), early_intervention_from=Decimal("90"),
                               source="Our strategy")
    matching = client.get(reverse("cases:detail", args=[cases_by_name["Matching"].pk])).content.decode()
    assert "suggests stage 2: early intervention" in matching and "Differs" in matching


def test_the_stage_guide_shows_the_thresholds_and_their_source(world, client):
    StagePolicy.objects.create(prevention_from=Decimal("92.5"), early_intervention_from=Decimal("85"),
                               source="Cabinet, 2 September 2026")
    client.force_login(world.users["school_a"])
    page = client.get(reverse("cases:stage_guide")).content.decode()
    assert "92.5% and above" in page and "85% up to (not including) 92.5%" in page and "below 85%" in page
    assert "Cabinet, 2 September 2026" in page and "Never suggested from attendance" in page


@pytest.mark.parametrize("role", ["la_officer", "school_b"])
def test_the_case_lists_page_figures_are_those_of_the_sql_annotations(world, cases_by_name, role):
    """The case list sets the figures on its page in Python (attach_attendance); the filter, export and API annotate
    them in SQL (case_list_with_attendance). Both must give every case the same figures."""
    from cases import selectors

    year = AttendanceSummary.objects.first().academic_year
    dual = cases_by_name["Matching"].pupil  # dual registered: the enrolment with more sessions counts
    second = EnrolmentFactory(pupil=dual, school=world.school_a)
    AttendanceSummary.objects.create(enrolment=second, academic_year=year, term=None, possible=300, present=150,
                                     unauthorised=150)
    closed = CaseFactory(pupil=cases_by_name["Differing"].pupil, stage="3_targeted_support", school=world.school_b,
                         status="closed", closed_on="2026-11-01", outcome="improved")
    behaviour = CaseFactory(pupil=cases_by_name["Legal"].pupil, stage="1_prevention", school=world.school_b,
                            case_type="behaviour")
    no_sessions = CaseFactory(pupil=EnrolmentFactory(school=world.school_b).pupil, school=world.school_b)
    user = world.users[role]
    fields = ("att_possible", "att_attended", "suggested_stage", "stage_check")
    expected = {case.pk: tuple(getattr(case, name) for name in fields)
                for case in selectors.case_list_with_attendance(user=user)}
    cases = list(selectors.case_list(user=user))
    selectors.attach_attendance(user=user, cases=cases)
    assert {case.pk: tuple(getattr(case, name) for name in fields) for case in cases} == expected
    assert {closed.pk, behaviour.pk, no_sessions.pk} <= set(expected)
    assert len(set(expected.values())) >= 4  # the cases differ, so the comparison means something
