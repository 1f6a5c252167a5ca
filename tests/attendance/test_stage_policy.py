"""LA-configurable stage thresholds, the suggested stage they give (in Python and in SQL alike), and the comparison
with the stage of the pupil's open attendance case, filterable on every pupil list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schools.attendance import selectors as figures
from schools.attendance import stages
from schools.attendance.codes import DEFAULT_STAGE_THRESHOLDS, Stage, suggested_stage
from schools.attendance.stage_policy import stage_policy_save
from schools.models import AttendanceSummary, AuditEvent, Enrolment, StagePolicy
from tests.factories import AcademicYearFactory, CaseFactory, EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


# --- The policy ------------------------------------------------------------------------------------------------------


def test_defaults_come_from_seed_001_until_the_la_saves_its_own():
    policy = StagePolicy.current()
    assert policy.pk is None and policy.is_default
    assert policy.thresholds() == DEFAULT_STAGE_THRESHOLDS
    assert "seed 001" in policy.source
    assert [band["range"] for band in policy.bands()] == [
        "91% and above", "81% up to (not including) 91%", "below 81%"]


@pytest.mark.parametrize("prevention, early", [("80", "85"), ("85", "85"), ("101", "85"), ("90", "0")])
def test_bands_must_be_ordered_and_inside_0_to_100(world, prevention, early):
    policy = StagePolicy(prevention_from=Decimal(prevention), early_intervention_from=Decimal(early))
    with pytest.raises(ValidationError):
        stage_policy_save(user=world.users["la_admin"], policy=policy)
    assert not StagePolicy.objects.exists()


def test_only_admins_change_it_and_every_change_is_audited(world):
    with pytest.raises(PermissionDenied):
        stage_policy_save(user=world.users["la_manager"], policy=StagePolicy())
    policy = stage_policy_save(user=world.users["la_admin"], policy=StagePolicy(), prevention_from=Decimal("95"),
                               early_intervention_from=Decimal("85"), source="Cabinet paper, 1 Sept 2026")
    again = stage_policy_save(user=world.users["la_admin"], policy=StagePolicy(), early_intervention_from=Decimal(80))
    assert again.pk == policy.pk and StagePolicy.objects.count() == 1
    changes = AuditEvent.objects.filter(object_type="schools.StagePolicy").order_by("pk")
    assert [e.action for e in changes] == ["create", "update"]
    assert changes[1].changes["early_intervention_from"] == ["85.00", "80"]


def test_the_admin_site_edits_the_policy_through_the_service(world, client):
    client.force_login(world.users["la_admin"])
    response = client.post(reverse("admin:schools_stagepolicy_add"), {
        "prevention_from": "92", "early_intervention_from": "82", "source": "Our policy, 2026"})
    assert response.status_code == 302
    assert StagePolicy.current().prevention_from == Decimal("92")
    refused = client.post(reverse("admin:schools_stagepolicy_change", args=[StagePolicy.current().pk]), {
        "prevention_from": "70", "early_intervention_from": "82", "source": "x"})
    assert refused.status_code == 200 and StagePolicy.current().prevention_from == Decimal("92")
    assert AuditEvent.objects.filter(object_type="schools.StagePolicy", username="la_admin").count() == 1


# --- Suggested stage in SQL agrees with the Python rule ---------------------------------------------------------------

# (possible, attended): exactly 91%, just under, exactly 81%, in the seed's gap (80.5%), 80%, none.
EXAMPLES = [(200, 182), (1000, 909), (100, 81), (200, 161), (100, 80), (10, 10), (7, 0)]


@pytest.fixture
def year_rows(world):
    year = AcademicYearFactory()
    school = world.school_a
    enrolments = []
    for possible, attended in EXAMPLES:
        enrolment = EnrolmentFactory(pupil=PupilFactory(), school=school)
        AttendanceSummary.objects.create(enrolment=enrolment, academic_year=year, term=None, possible=possible,
                                         present=attended, authorised=possible - attended)
        enrolments.append(enrolment)
    return enrolments


@pytest.mark.parametrize("policy", [None, (Decimal("95"), Decimal("85.5"))])
def test_sql_suggestion_matches_the_python_rule_at_every_boundary(world, year_rows, policy):
    if policy:
        StagePolicy.objects.create(prevention_from=policy[0], early_intervention_from=policy[1])
    current = StagePolicy.current()
    user = world.users["la_officer"]
    period = figures.resolve_period(None, datetime.date(2026, 11, 23))
    rows = {row.pk: row for row in stages.attendance_pupil_list(
        user, period, Enrolment.objects.filter(pk__in=[e.pk for e in year_rows]))}
    for enrolment, (possible, attended) in zip(year_rows, EXAMPLES, strict=True):
        expected = suggested_stage(possible, attended, current.thresholds())
        assert rows[enrolment.pk].suggested_stage == (int(expected) if expected else None), (possible, attended)


def test_default_bands_put_the_seeds_gaps_in_the_stage_with_more_support():
    assert [suggested_stage(p, a) for p, a in EXAMPLES] == [
        Stage.PREVENTION, Stage.EARLY_INTERVENTION, Stage.EARLY_INTERVENTION, Stage.TARGETED_SUPPORT,
        Stage.TARGETED_SUPPORT, Stage.PREVENTION, Stage.TARGETED_SUPPORT]


# --- Suggested stage against the case's stage ------------------------------------------------------------------------


@pytest.fixture
def staged(world):
    """Pupils at school B for the year to date, each with an open attendance case at some stage (or none)."""
    year = AcademicYearFactory()
    made = {}
    for name, attended, stage, case_type in [
        ("agrees", 95, "1_prevention", "attendance"),          # 95% → 1, case at 1
        ("differs", 70, "2_early_intervention", "attendance"),  # 70% → 3, case at 2
        ("legal", 60, "4_legal", "attendance_behaviour"),       # 60% → 3, case at 4: agrees
        ("legal_high", 96, "4_legal", "attendance"),            # 96% → 1, case at 4: differs
        ("behaviour", 70, "1_prevention", "behaviour"),         # not an attendance case: no case
        ("closed", 70, "1_prevention", "attendance"),           # closed case: no case
    ]:
        pupil = PupilFactory(legal_last_name=f"Case-{name}")
        enrolment = EnrolmentFactory(pupil=pupil, school=world.school_b)
        AttendanceSummary.objects.create(enrolment=enrolment, academic_year=year, term=None, possible=100,
                                         present=attended, unauthorised=100 - attended)
        extra = {"status": "closed", "closed_on": datetime.date(2026, 10, 1), "outcome": "improved"} \
            if name == "closed" else {}
        CaseFactory(pupil=pupil, stage=stage, case_type=case_type, school=world.school_b, **extra)
        made[name] = enrolment
    return made


def test_stage_check_in_sql(world, staged):
    user = world.users["la_officer"]
    period = figures.resolve_period(None, datetime.date(2026, 11, 23))
    rows = {row.pk: row for row in stages.attendance_pupil_list(
        user, period, Enrolment.objects.filter(pk__in=[e.pk for e in staged.values()]))}
    assert {name: rows[e.pk].stage_check for name, e in staged.items()} == {
        "agrees": "agrees", "differs": "disagrees", "legal": "agrees", "legal_high": "disagrees",
        "behaviour": "no_case", "closed": "no_case"}


def test_lists_filter_stage_disagrees_on_page_export_and_api(world, staged, client):
    client.force_login(world.users["school_b"])
    url = reverse("school_attendance", args=[world.school_b.urn])
    page = client.get(url, {"show": "all", "stage_check": "disagrees"}).content.decode()
    assert "Case-differs" in page and "Case-legal_high" in page and "Case-agrees" not in page
    assert 'data-testid="result-count">2 pupils' in page
    csv_text = client.get(url, {"show": "all", "stage_check": "disagrees", "format": "csv"}).content.decode(
        "utf-8-sig")
    assert "Case-differs" in csv_text and "Case-agrees" not in csv_text and "Stage 3: Targeted support" in csv_text
    api = client.get("/api/attendance/pupils/", {"show": "all", "stage_check": "disagrees"}).json()
    assert sorted(r["surname"] for r in api["results"]) == ["Case-differs", "Case-legal_high"]
    assert api["period"]["label"] == "2026/27 year to date"
    assert api["stage_thresholds"]["bands"][0]["range"] == "91% and above"
    drill = client.get(reverse("attendance_pupil_list"), {"show": "all", "stage_check": "agrees"}).content.decode()
    assert "Case-agrees" in drill and "Case-legal<" not in drill.replace("Case-legal_high", "")


def test_pupil_tab_shows_the_thresholds_source_and_the_case_stage(world, staged, client):
    StagePolicy.objects.create(prevention_from=Decimal("97"), early_intervention_from=Decimal("90"),
                               source="Our attendance strategy 2026")
    client.force_login(world.users["la_officer"])
    pupil_id = staged["agrees"].pupil_id
    page = client.get(reverse("pupil_attendance", args=[pupil_id])).content.decode()
    assert "Stage 2: Early intervention" in page  # 95% under the LA's own bands
    assert "97% and above" in page and "Our attendance strategy 2026" in page
    assert "Stage 1: Prevention" in page and 'data-testid="stage-check">Differs' in page
    assert AuditEvent.objects.filter(action="view", pupil_id=pupil_id, username="la_officer").exists()
