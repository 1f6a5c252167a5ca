"""Reopening a closed case: a manager, with a reason, audited, the closure and the stage history kept, and never a
second open case of the same type for the pupil."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import services
from cases.models import Case, CaseClosure, ChronologyEntry, StageChange
from interventions import services as plan_services
from schools.models import AuditEvent
from schools.stages import Stage

pytestmark = pytest.mark.django_db
CLOSED_ON = datetime.date(2026, 11, 20)


@pytest.fixture
def closed_b(cases_world, world):
    """case_b moved to targeted support, its plan ended, then closed as improved."""
    officer = world.users["la_officer"]
    case = cases_world.case_b
    case = services.case_change_stage(user=officer, case=case, stage=Stage.TARGETED_SUPPORT, reason="Below 80%",
                                      expected_version=case.version, changed_on=datetime.date(2026, 10, 5))
    plan = cases_world.plan_b
    plan_services.plan_end(user=officer, plan=plan, expected_version=plan.version, status="completed",
                           outcome="achieved", ended_on=CLOSED_ON)
    return services.case_close(user=officer, case=case, outcome="improved", expected_version=case.version,
                               closed_on=CLOSED_ON, outcome_notes="Above 95% for six weeks.")


def _counts():
    return (Case.objects.exclude(status="closed").count(),
            CaseClosure.objects.filter(reopened_at__isnull=False).count(), AuditEvent.objects.count(),
            ChronologyEntry.objects.count())


def test_a_manager_reopens_with_a_reason_and_the_history_stays(closed_b, world):
    manager = world.users["la_manager"]
    stages_before = list(StageChange.objects.filter(case=closed_b).values_list("from_stage", "to_stage", "reason"))
    case = services.case_reopen(user=manager, case=closed_b, expected_version=closed_b.version,
                                reason="Attendance fell again after half term; school asked for the LA back.")
    case.refresh_from_db()
    assert (case.status, case.officer, case.stage) == (Case.Status.OPEN, world.users["la_officer"],
                                                       Stage.TARGETED_SUPPORT)
    assert (case.closed_on, case.outcome, case.outcome_notes) == (None, "", "")
    assert case.next_review_due == datetime.date(2026, 11, 23) + datetime.timedelta(weeks=6)
    assert list(StageChange.objects.filter(case=case).values_list("from_stage", "to_stage", "reason")) == stages_before
    closure = CaseClosure.objects.get(case=case)
    assert (closure.closed_on, closure.outcome, closure.outcome_notes) == (CLOSED_ON, "improved",
                                                                           "Above 95% for six weeks.")
    assert closure.reopened_by == manager and "fell again after half term" in closure.reopen_reason
    event = AuditEvent.objects.filter(object_type="cases.Case", object_id=str(case.pk), action="update",
                                      username="la_manager").latest("pk")
    assert event.changes["status"] == ["closed", "open"] and event.changes["outcome"] == ["improved", ""]
    assert AuditEvent.objects.filter(object_type="cases.CaseClosure", action="update", username="la_manager").exists()
    timeline = ChronologyEntry.objects.filter(case=case, summary="Case reopened").get()
    assert "Closed on 20 November 2026: improved." in timeline.details
    # Open again, the officer works it and it can close again, leaving two closures.
    officer = world.users["la_officer"]
    services.entry_add(user=officer, case=case, entry_type="call", occurred_on=datetime.date(2026, 11, 23),
                       summary="Called home after reopening")
    services.case_close(user=officer, case=Case.objects.get(pk=case.pk), outcome="escalated_legal",
                        expected_version=case.version, closed_on=datetime.date(2026, 11, 23))
    assert CaseClosure.objects.filter(case=case).count() == 2


def test_reopening_needs_a_reason_and_saves_nothing_without_one(closed_b, world):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.case_reopen(user=world.users["la_manager"], case=closed_b, expected_version=closed_b.version,
                             reason="  ")
    assert "Say why the case is being reopened" in error.value.message_dict["reason"][0]
    assert _counts() == before


def test_one_open_case_per_pupil_per_type_still_holds(closed_b, world):
    manager = world.users["la_manager"]
    newer = services.case_open(user=manager, pupil=world.pupil_b, case_type="attendance", summary="New concern")
    before = _counts()
    with pytest.raises(ValidationError) as error:
        services.case_reopen(user=manager, case=closed_b, expected_version=closed_b.version, reason="Back again")
    assert (f"Ben Able already has an open Attendance case ({newer.reference}), and a pupil has one open case of "
            "each type") in error.value.message_dict["reason"][0]
    assert _counts() == before
    closed_b.refresh_from_db()
    assert closed_b.status == Case.Status.CLOSED


def test_only_managers_reopen_and_only_closed_cases(closed_b, cases_world, world):
    with pytest.raises(PermissionDenied):
        services.case_reopen(user=world.users["la_officer"], case=closed_b, expected_version=closed_b.version,
                             reason="I would like it back")
    with pytest.raises(ValidationError, match="only a closed case can be reopened"):
        services.case_reopen(user=world.users["la_manager"], case=cases_world.case_a,
                             expected_version=cases_world.case_a.version, reason="x")


def test_a_stale_reopen_saves_nothing(closed_b, world):
    before = _counts()
    with pytest.raises(services.StaleEdit):
        services.case_reopen(user=world.users["la_manager"], case=closed_b, expected_version=closed_b.version - 1,
                             reason="From an old page")
    assert _counts() == before


def test_a_case_whose_officer_has_left_waits_for_allocation(closed_b, world):
    officer = world.users["la_officer"]
    officer.is_active = False
    officer.save()
    case = services.case_reopen(user=world.users["la_manager"], case=closed_b, expected_version=closed_b.version,
                                reason="Family back in the area")
    assert (case.status, case.officer) == (Case.Status.REFERRED, None)
    assert "awaiting allocation" in ChronologyEntry.objects.get(case=case, summary="Case reopened").details


def test_reopen_in_the_browser_pages(closed_b, world, client):
    url = reverse("cases:reopen", args=[closed_b.pk])
    for role in ("la_officer", "legal_officer", "school_b", "school_a"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 403, role  # the capability is checked before the case is looked up
        if role != "school_a":
            assert url not in client.get(reverse("cases:detail", args=[closed_b.pk])).content.decode()
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("cases:detail", args=[closed_b.pk])).content.decode()
    assert url in page and 'data-testid="closure-history"' in page
    form = client.get(url).content.decode()
    assert "Closed on 20 November 2026: improved." in form
    refused = client.post(url, {"version": closed_b.version, "reason": ""})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    response = client.post(url, {"version": closed_b.version, "reason": "School asked again"}, follow=True)
    body = response.content.decode()
    assert "was reopened and is back with" in body
    assert "reopened" in body and "School asked again" in body
    # Reopening an open case just goes back to it.
    assert client.get(url).status_code == 302
