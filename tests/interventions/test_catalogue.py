"""The intervention catalogue seeded from seed 000's menu and the stage lists of seeds 001 and 003, and plans."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interventions import services
from interventions.models import Intervention, InterventionPlan
from schools.stages import Stage

pytestmark = pytest.mark.django_db


def test_catalogue_is_seeded_from_the_menu_and_the_stage_lists():
    assert Intervention.objects.count() >= 55
    audit = Intervention.objects.get(name="Register audit")
    assert (audit.funding, audit.staff_role, audit.likely_duration, audit.stage) == (
        "payu", "Behaviour and Attendance Officer", "Half day", Stage.PREVENTION)
    prosecution = Intervention.objects.get(name="Prosecution")
    assert prosecution.funding == "statutory" and prosecution.stage == Stage.LEGAL
    assert "444(1A)" in prosecution.details
    assert Intervention.objects.get(name="Parenting contract").stage == Stage.TARGETED_SUPPORT
    assert Intervention.objects.get(name="First-day absence contact").source.startswith("Seed 001")
    for stage in Stage.values:
        assert Intervention.objects.filter(stage=stage).exists(), stage
    for item in Intervention.objects.all():
        item.full_clean()


def test_catalogue_page_and_api_share_the_filters(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("interventions:list"), {"funding": "payu"}).content.decode()
    assert "Register audit" in page and "Prosecution" not in page
    rows = client.get("/api/interventions/", {"stage": Stage.LEGAL}).json()["results"]
    names = {row["name"] for row in rows}
    assert "Prosecution" in names and "Register audit" not in names
    assert all(row["stage"] == Stage.LEGAL for row in rows)
    detail = client.get(reverse("interventions:detail", args=[Intervention.objects.get(name="Prosecution").pk]))
    assert "Legal and Interventions Officer and Legal Administrator" in detail.content.decode()


def test_inactive_entries_are_not_offered(cases_world, world):
    item = Intervention.objects.get(name="Home visit")
    item.is_active = False
    item.save()
    officer = world.users["la_officer"]
    with pytest.raises(ValidationError, match="no longer offered"):
        services.plan_add(user=officer, case=cases_world.case_a, intervention=item, owner=officer,
                          start_date=datetime.date(2026, 10, 1))


def test_plan_end_records_the_outcome_on_the_case(cases_world, world, client):
    plan = cases_world.plan_b
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("interventions:plan_end", args=[plan.pk]), {
        "status": "completed", "outcome": "partly", "outcome_notes": "Mornings better, Mondays not.",
        "ended_on_0": 20, "ended_on_1": 11, "ended_on_2": 2026, "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.outcome, plan.ended_on) == ("completed", "partly", datetime.date(2026, 11, 20))
    page = client.get(reverse("cases:detail", args=[plan.case_id])).content.decode()
    assert "Intervention plan completed: Attendance intervention (partly achieved)" in page
    assert client.get(reverse("interventions:plan_edit", args=[plan.pk])).status_code == 403


def test_stale_plan_form(cases_world, world, client):
    plan = cases_world.plan_b
    client.force_login(world.users["la_officer"])
    services.plan_update(user=world.users["la_officer"], plan=plan, expected_version=plan.version, goals="New goals")
    response = client.post(reverse("interventions:plan_edit", args=[plan.pk]), {
        "planned_end_date_0": 1, "planned_end_date_1": 12, "planned_end_date_2": 2026,
        "owner": world.users["la_officer"].pk, "goals": "Mine", "version": 1}, follow=True)
    assert "Someone else saved changes to this plan" in response.content.decode()
    assert InterventionPlan.objects.get(pk=plan.pk).goals == "New goals"
