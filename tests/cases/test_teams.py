"""Teams and caseload limits (issue 4: "officers edit cases allocated to them or their team; managers all";
"caseload against a limit (default 20, configurable) with a warning when over").

The row rule: an LA officer works the cases allocated to them or to another member of their team; an officer in
another team, or in none, may read the case but not change it (403); managers and admins work every case. The page
rows come from the permission matrix (tests/test_permission_matrix.py), so a new case-work URL is checked here too.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, OfficerCaseloadLimit, Team, TeamMember
from schools.models import AuditEvent
from schools.stages import Stage
from tests.factories import UserFactory
from tests.test_permission_matrix import KWARG_NAMES, MATRIX

pytestmark = pytest.mark.django_db

#: Case-work pages a member of the allocated officer's team may use, as the allocated officer may.
TEAM_WORK_URLS = sorted(
    name for name, (key, expected) in MATRIX.items()
    if name.startswith(("cases:", "interventions:")) and key in {"case", "plan"} and expected["la_officer"] == 200
    and expected["school_b"] == 403)


@pytest.fixture
def teams(cases_world, world):
    """North: la_officer (who holds case_a and case_b) and a colleague; South: an officer of another team."""
    manager = world.users["la_manager"]
    colleague = UserFactory(username="colleague", role="la_officer", first_name="Cole", last_name="League")
    outsider = UserFactory(username="outsider", role="la_officer", first_name="Otto", last_name="Side")
    north = Team.objects.create(name="North", manager=manager, area="North partnership")
    south = Team.objects.create(name="South", manager=manager)
    TeamMember.objects.create(team=north, officer=world.users["la_officer"])
    TeamMember.objects.create(team=north, officer=colleague)
    TeamMember.objects.create(team=south, officer=outsider)
    return {"north": north, "south": south, "colleague": colleague, "outsider": outsider}


def test_the_team_pages_are_the_case_work_rows_of_the_matrix():
    assert {"cases:edit", "cases:stage", "cases:close", "cases:entry_add", "cases:review_add", "cases:task_add",
            "interventions:plan_add", "interventions:plan_edit", "interventions:plan_end"} <= set(TEAM_WORK_URLS)


@pytest.mark.parametrize("name", TEAM_WORK_URLS)
def test_a_team_member_works_a_colleagues_case_and_another_team_does_not(name, teams, case_targets, client):
    key = MATRIX[name][0]
    url = reverse(name, kwargs={KWARG_NAMES[key]: case_targets[key]})
    client.force_login(teams["colleague"])
    assert client.get(url).status_code == 200, name
    client.force_login(teams["outsider"])
    assert client.get(url).status_code == 403, name


def test_team_rule_in_the_services_and_on_the_case_page(teams, cases_world, world, client):
    case = cases_world.case_b
    colleague, outsider = teams["colleague"], teams["outsider"]
    services.case_change_stage(user=colleague, case=case, stage=Stage.TARGETED_SUPPORT, expected_version=case.version,
                               reason="Covering while Priya is on leave: attendance below 80%.")
    services.entry_add(user=colleague, case=case, entry_type="call", occurred_on=timezone.localdate(),
                       summary="Called mother (covering)")
    with pytest.raises(PermissionDenied):
        services.entry_add(user=outsider, case=case, entry_type="note", occurred_on=timezone.localdate(),
                           summary="Not my team")
    client.force_login(colleague)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-actions"' in page and "Add to chronology" in page
    assert reverse("cases:allocate", args=[case.pk]) not in page  # allocation stays with managers
    client.force_login(outsider)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-actions"' not in page


def test_a_colleague_may_not_correct_another_officers_entry(teams, cases_world, client):
    client.force_login(teams["colleague"])
    assert client.get(reverse("cases:entry_edit", args=[cases_world.entry_b.pk])).status_code == 403


def test_leaving_the_team_ends_the_right_to_work_its_cases(teams, cases_world, client):
    url = reverse("cases:stage", args=[cases_world.case_b.pk])
    client.force_login(teams["colleague"])
    assert client.get(url).status_code == 200
    TeamMember.objects.filter(officer=teams["colleague"]).delete()
    assert client.get(url).status_code == 403


def test_an_officer_in_no_team_works_only_their_own_cases(cases_world, world, client):
    loner = UserFactory(role="la_officer")
    client.force_login(loner)
    assert client.get(reverse("cases:stage", args=[cases_world.case_b.pk])).status_code == 403
    # An unallocated case is worked by managers until it is allocated.
    unallocated = services.case_open(user=world.users["la_manager"], pupil=world.pupil_b, case_type="behaviour",
                                     summary="Awaiting allocation")
    client.force_login(world.users["la_officer"])
    assert client.get(reverse("cases:stage", args=[unallocated.pk])).status_code == 403
    client.force_login(world.users["la_manager"])
    assert client.get(reverse("cases:stage", args=[unallocated.pk])).status_code == 200


def test_team_checks_do_not_query_per_row(teams, cases_world, client, django_assert_max_num_queries):
    from cases.permissions import can_work_case

    colleague = teams["colleague"]
    cases = list(Case.objects.all())
    with django_assert_max_num_queries(1):
        assert all(can_work_case(colleague, case) for case in cases * 20)


def test_teams_must_be_of_officers_with_a_manager(teams, world):
    with pytest.raises(ValidationError) as error:
        Team(name="Odd", manager=world.users["la_officer"]).full_clean()
    assert "is not an LA manager" in error.value.message_dict["manager"][0]
    with pytest.raises(ValidationError) as error:
        TeamMember(team=teams["north"], officer=world.users["legal_officer"]).full_clean()
    assert "is not an LA officer" in error.value.message_dict["officer"][0]
    with pytest.raises(ValidationError) as error:
        TeamMember(team=teams["south"], officer=teams["colleague"]).full_clean()  # already in North
    assert "officer" in error.value.message_dict


def test_admins_edit_teams_in_the_admin_site_and_it_is_audited(world, client):
    officer = world.users["la_officer"]
    client.force_login(world.users["la_admin"])
    response = client.post(reverse("admin:cases_team_add"), {
        "name": "East", "manager": world.users["la_manager"].pk, "area": "East partnership",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-officer": officer.pk,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="East")
    assert list(team.memberships.values_list("officer", flat=True)) == [officer.pk]
    events = AuditEvent.objects.filter(username="la_admin", action="create")
    assert events.filter(object_type="cases.Team", object_id=str(team.pk)).exists()
    assert events.filter(object_type="cases.TeamMember").exists()
    # A non-officer is refused at the field by the admin form, and nothing is saved.
    response = client.post(reverse("admin:cases_team_add"), {
        "name": "West", "manager": world.users["la_officer"].pk, "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 200 and not Team.objects.filter(name="West").exists()


def test_team_filter_on_the_case_list_and_api(teams, cases_world, world, client):
    other = services.case_open(user=world.users["la_manager"], pupil=world.moved, case_type="attendance",
                               officer=teams["outsider"], summary="South's case")
    client.force_login(world.users["la_manager"])
    north = {row["reference"] for row in client.get("/api/cases/", {"team": teams["north"].pk}).json()["results"]}
    assert north == {cases_world.case_a.reference, cases_world.case_b.reference}
    page = client.get(reverse("cases:list"), {"team": teams["south"].pk}).content.decode()
    assert other.reference in page and cases_world.case_b.reference not in page


def test_my_work_shows_the_officers_team_and_the_team_page_groups_by_team(teams, cases_world, world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:my_work")).content.decode()
    assert "Team caseloads: North" in page and "Cole League" in page and "Otto Side" not in page
    assert f"?team={teams['north'].pk}&amp;status=open" in page
    client.force_login(world.users["la_manager"])
    team_page = client.get(reverse("cases:team")).content.decode()
    assert "North (manager: " in team_page and "South (manager: " in team_page
    assert team_page.index("Cole League") < team_page.index("South (manager: ") < team_page.index("Otto Side")
    # The manager's own My work shows the teams they manage.
    my_work = client.get(reverse("cases:my_work")).content.decode()
    assert "Team caseloads: North" in my_work and "Team caseloads: South" in my_work


# --- Caseload limits ------------------------------------------------------------------------------------------------

def test_an_officer_can_have_their_own_limit(teams, cases_world, world, client):
    officer = world.users["la_officer"]  # holds case_a and case_b
    OfficerCaseloadLimit.objects.create(officer=officer, caseload_limit=1, reason="Part time, 0.2 FTE")
    client.force_login(world.users["la_manager"])
    team_page = client.get(reverse("cases:team")).content.decode()
    row = team_page[team_page.index(officer.display_name):]
    row = row[:row.index("</tr>")]
    assert "Over limit" in row and "Own limit: Part time, 0.2 FTE" in row
    colleague_row = team_page[team_page.index("Cole League"):]
    colleague_row = colleague_row[:colleague_row.index("</tr>")]
    assert ">20<" in colleague_row.replace(" ", "") and "Over limit" not in colleague_row  # the LA default
    allocate = client.get(reverse("cases:allocate", args=[cases_world.case_b.pk])).content.decode()
    assert f"{officer.display_name} (2 of 1 cases – over the limit)" in allocate
    assert "Cole League (0 of 20 cases)" in allocate
    client.force_login(officer)
    my_work = client.get(reverse("cases:my_work")).content.decode()
    assert "2 (limit 1)" in my_work and "You hold 2 open cases, over the limit of 1." in my_work


def test_allocating_past_an_officers_own_limit_warns(teams, cases_world, world, client):
    colleague = teams["colleague"]
    OfficerCaseloadLimit.objects.create(officer=colleague, caseload_limit=1, reason="Phased return")
    extra = services.case_open(user=world.users["la_manager"], pupil=world.moved, case_type="attendance",
                               officer=colleague, summary="First")
    assert extra.officer == colleague
    client.force_login(world.users["la_manager"])
    case = cases_world.case_a
    response = client.post(reverse("cases:allocate", args=[case.pk]),
                           {"officer": colleague.pk, "version": case.version, "reason": "Cover"}, follow=True)
    assert "Cole League now holds 2 open cases, over their caseload limit of 1." in response.content.decode()


def test_limit_overrides_are_for_officers_only(world):
    with pytest.raises(ValidationError) as error:
        OfficerCaseloadLimit(officer=world.users["la_manager"], caseload_limit=5, reason="x").full_clean()
    assert "is not an LA officer" in error.value.message_dict["officer"][0]
    with pytest.raises(ValidationError):
        OfficerCaseloadLimit(officer=world.users["la_officer"], caseload_limit=0, reason="x").full_clean()


def test_officer_caseloads_is_one_query(teams, cases_world, django_assert_num_queries):
    from cases.models import CaseworkPolicy
    from cases.selectors import officer_caseloads

    policy = CaseworkPolicy.current()
    with django_assert_num_queries(1):
        rows = {o.username: (o.open_cases, o.caseload_limit, o.team_pk) for o in officer_caseloads(policy=policy)}
    assert rows["la_officer"] == (2, 20, teams["north"].pk)
    assert rows["outsider"] == (0, 20, teams["south"].pk)


def test_team_page_queries_do_not_grow_with_teams_and_officers(teams, world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:team")).status_code == 200
        return len(captured)

    client.force_login(world.users["la_manager"])
    before = queries()
    for n in range(4):
        team = Team.objects.create(name=f"Extra {n}", manager=world.users["la_manager"])
        for m in range(3):
            officer = UserFactory(role="la_officer", first_name=f"Extra{n}", last_name=f"Officer{m}")
            TeamMember.objects.create(team=team, officer=officer)
            OfficerCaseloadLimit.objects.create(officer=officer, caseload_limit=10 + m, reason="Part time")
        UserFactory(role="la_officer")  # officers in no team as well
    assert queries() == before

