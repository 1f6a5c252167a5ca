"""One number, one meaning: "open cases by stage" is counted the same way on the Team page, on the reports and in
the termly paper, and the Team page's links open lists of exactly those cases (reporting.definitions,
cases_by_stage)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Case
from reporting import presentation
from reporting import selectors as s
from schools.models import AcademicYear, Term
from tests.factories import CaseFactory, EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


def test_open_cases_by_stage_agree_on_the_team_page_reports_and_case_list(world, client):
    Case.objects.all().delete()
    year = AcademicYear.objects.create(name="2026/27", start_date=datetime.date(2026, 9, 1),
                                       end_date=datetime.date(2027, 8, 31))
    Term.objects.create(academic_year=year, name="autumn", start_date=datetime.date(2026, 9, 3),
                        end_date=datetime.date(2026, 12, 18))
    officer = world.users["la_officer"]

    def case(stage, status, officer=officer):
        pupil = PupilFactory()
        EnrolmentFactory(pupil=pupil, school=world.school_a)
        closed = {"closed_on": datetime.date(2026, 11, 2), "outcome": "improved"} if status == "closed" else {}
        return CaseFactory(pupil=pupil, stage=stage, status=status, officer=officer if status != "referred" else None,
                           created_by=officer, **closed)

    case("1_prevention", "open")
    case("1_prevention", "open")
    case("1_prevention", "referred")  # awaiting allocation: counted apart
    case("3_targeted_support", "open")
    case("3_targeted_support", "closed")
    manager = world.users["la_manager"]
    client.force_login(manager)
    team = client.get(reverse("cases:team")).context
    on_team = {info.stage: count for info, count in team["by_stage"]}
    assert on_team == {"1_prevention": 2, "2_early_intervention": 0, "3_targeted_support": 1, "4_legal": 0}
    assert len(team["awaiting_allocation"]) == 1
    report = s.report_figures(s.scope_for(manager), s.report_period_for(None), sections=["casework"])
    assert dict(report.casework.by_stage) == {
        "Stage 1: Prevention": 2, "Stage 2: Early intervention": 0, "Stage 3: Targeted support": 1,
        "Stage 4: Legal intervention": 0}
    assert report.casework.awaiting_allocation == 1
    card = next(c for c in presentation.headline_cards(report, None) if c.key == "open_cases")
    assert card.value == sum(on_team.values()) == 3
    listed = client.get(reverse("cases:list"), {"stage": "1_prevention", "status": "open"}).context["page"]
    assert listed.paginator.count == on_team["1_prevention"]
