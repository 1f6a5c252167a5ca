"""The admin site's labels and the stage thresholds in force, as the server draws them (the browser tour is
tests/e2e/test_admin_axe.py): every form control has a name, and the thresholds in force are on the policy's list
whether or not the authority has saved its own."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Team, TeamMember
from interventions.models import Intervention
from schools.attendance.stage_policy import stage_policy_save
from schools.models import StagePolicy, Term
from tests.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["la_admin"])
    return client


def _labels(html: str) -> dict[str, str]:
    """The visually hidden labels on the page: {for: text}."""
    return {match[0]: match[1] for match in re.findall(r'<label class="visually-hidden" for="([^"]+)">([^<]+)</label>',
                                                       html)}


def test_every_admin_page_loads_the_admin_styles_script_and_icon(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    for asset in ("/assets/css/admin.css", "/assets/js/admin.js", "/assets/images/favicon.ico"):
        assert asset in html, asset


def test_an_academic_years_terms_each_have_labelled_fields(admin_client):
    year = AcademicYearFactory()
    Term.objects.create(academic_year=year, name=Term.Name.AUTUMN, start_date=datetime.date(2026, 9, 2),
                        end_date=datetime.date(2026, 12, 18))
    html = admin_client.get(reverse("admin:schools_academicyear_change", args=[year.pk])).content.decode()
    labels = _labels(html)
    assert labels["id_terms-0-name"] == "Name, Autumn 2026/27"
    assert labels["id_terms-0-start_date"] == "Start date, Autumn 2026/27"
    assert labels["id_terms-0-school"] == "School, Autumn 2026/27"
    assert labels["id_terms-0-DELETE"] == "Delete Autumn 2026/27"
    # The empty row the "Add another Term" button copies (its ids renumbered by the admin's script).
    assert labels["id_terms-__prefix__-start_date"] == "Start date, new term"


def test_a_teams_officer_select_is_labelled(admin_client, world):
    team = Team.objects.create(name="North", manager=world.users["la_manager"])
    TeamMember.objects.create(team=team, officer=world.users["la_officer"])
    labels = _labels(admin_client.get(reverse("admin:cases_team_change", args=[team.pk])).content.decode())
    assert labels["id_memberships-0-officer"].startswith("Officer, ")
    assert labels["id_memberships-1-officer"] == "Officer, new team member"  # extra = 1


def test_a_lists_editable_fields_are_named_for_their_row(admin_client):
    Intervention.objects.create(name="Attendance contract", strand="attendance", section="strategic",
                                details="A written agreement.", staff_role="EWO")
    html = admin_client.get(reverse("admin:interventions_intervention_changelist")).content.decode()
    assert 'aria-label="Is active: Attendance contract"' in html


def test_a_users_date_and_time_inputs_are_named(admin_client, world):
    html = admin_client.get(reverse("admin:schools_user_change", args=[world.users["la_officer"].pk])).content.decode()
    for name in ("Last login: date", "Last login: time", "Date joined: date", "Date joined: time"):
        assert f'aria-label="{name}"' in html, name


def test_the_default_thresholds_show_on_the_list_while_none_is_saved(admin_client):
    assert not StagePolicy.objects.exists()
    response = admin_client.get(reverse("admin:schools_stagepolicy_changelist"))
    html = response.content.decode()
    thresholds = response.context["thresholds_in_force"]
    assert [(t["label"], t["figure"], t["range"]) for t in thresholds] == [
        ("Stage 1: Prevention", "91%", "91% and above"),
        ("Stage 2: Early intervention", "81%", "81% up to (not including) 91%"),
        ("Stage 3: Targeted support", None, "below 81%"),
    ]
    assert "Attendance (present and approved activity, % of possible sessions) at or above this" in html
    assert "School Attendance Matters (October 2023)" in html
    assert "the authority has not saved thresholds of its own" in html
    assert f'href="{reverse("admin:schools_stagepolicy_add")}">Set the authority\'s own thresholds' in html


def test_the_saved_thresholds_show_on_the_list_with_their_source_and_date(admin_client, world):
    policy = stage_policy_save(user=world.users["la_admin"], policy=StagePolicy(), prevention_from=Decimal("94"),
                               early_intervention_from=Decimal("85.5"), source="Schools forum, 4 March 2026")
    response = admin_client.get(reverse("admin:schools_stagepolicy_changelist"))
    html = response.content.decode()
    assert [t["range"] for t in response.context["thresholds_in_force"]] == [
        "94% and above", "85.5% up to (not including) 94%", "below 85.5%"]
    assert "the authority has not saved" not in html
    assert f'href="{reverse("admin:schools_stagepolicy_change", args=[policy.pk])}">Change the thresholds' in html
    # The row itself: every band, the source and since when, without opening it.
    row = re.search(r'<table id="result_list">.*?</table>', html, re.S)[0]
    for text in ("94% and above", "85.5% up to (not including) 94%", "below 85.5%", "Schools forum, 4 March 2026",
                 "In force since"):
        assert text in row, text
