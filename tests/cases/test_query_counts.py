"""The case list, the case page and My work issue a fixed number of queries however many rows they show."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from interventions import services as plan_services
from interventions.models import Intervention
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(world, cases_world, n: int) -> None:
    """More cases at school B for la_officer (with entries, plans, reviews, tasks), more on case_b, more siblings."""
    officer, manager = world.users["la_officer"], world.users["la_manager"]
    intervention = Intervention.objects.get(name="Attendance intervention")
    case = cases_world.case_b
    start = case.tasks.count()
    for i in range(start, start + n):
        pupil = PupilFactory(family=world.pupil_b.family)
        EnrolmentFactory(pupil=pupil, school=world.school_b)
        other = services.case_open(user=manager, pupil=pupil, case_type="attendance", officer=officer,
                                   summary="More", opened_on=datetime.date(2026, 9, 1), linked_case=case)
        services.entry_add(user=officer, case=other, entry_type="call", occurred_on=datetime.date(2026, 10, 2),
                           summary=f"Call {i}")
        services.task_add(user=officer, case=other, title=f"Overdue {i}", assigned_to=officer,
                          due_date=datetime.date(2026, 11, 1))
        services.entry_add(user=officer, case=case, entry_type="note", occurred_on=datetime.date(2026, 10, 3),
                           summary=f"Note {i}", restriction="safeguarding" if i % 2 else "")
        plan = plan_services.plan_add(user=officer, case=case, intervention=intervention, owner=officer,
                                      start_date=datetime.date(2026, 10, 5))
        services.review_add(user=officer, case=case, plan=plan, held_on=datetime.date(2026, 11, 3 + i % 10),
                            progress="ok", decision="continue")
        services.task_add(user=officer, case=case, title=f"Task {i}", assigned_to=officer,
                          due_date=datetime.date(2026, 12, 1))
        task = services.task_add(user=officer, case=case, title=f"Done {i}", assigned_to=officer,
                                 due_date=datetime.date(2026, 12, 1))
        services.task_complete(user=officer, task=task)


@pytest.mark.parametrize("role", ["la_officer", "school_b"])
@pytest.mark.parametrize("page", ["list", "detail", "my_work", "pupil_cases", "tsm_detail"])
def test_query_count_does_not_grow_with_rows(page, role, cases_world, world, client):
    client.force_login(world.users[role])
    url = {
        "list": reverse("cases:list"),
        "detail": reverse("cases:detail", args=[cases_world.case_b.pk]),
        "my_work": reverse("cases:my_work"),
        "pupil_cases": reverse("cases:pupil_cases", args=[world.pupil_b.pk]),
        "tsm_detail": reverse("cases:tsm_detail", args=[cases_world.tsm_b.pk]),
    }[page]
    _grow(world, cases_world, 1)  # one of every kind of row first (a visible sibling, a linked case...)
    before = _queries(client, url)
    _grow(world, cases_world, 6)
    after = _queries(client, url)
    assert after == before, f"{page}: {before} queries with few rows, {after} with more"
    # The case page is the largest: the case, its timeline, plans, reviews, tasks, closures, stage history,
    # allocations, siblings with their attendance and cases, the team check, the legal block and the audit row.
    assert after <= 30, f"{page} runs {after} queries"
