"""Each role sees only its own rows in every exclusion and provision list, export and API endpoint: a school its own
school's records of its own pupils, the LA everything; the LA's registers are for LA roles only."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from schools.exclusions import services
from tests.exclusions.fixtures import build_calendar, make_school_b_records

pytestmark = pytest.mark.django_db
D = datetime.date

LA_ROLES = ["la_admin", "la_manager", "la_officer", "legal_officer"]
ROLES = [*LA_ROLES, "school_a", "school_b"]


@pytest.fixture
def both(world):
    build_calendar(world)
    make_school_b_records(world)
    lead = world.users["school_a"]
    a = services.exclusion_record(user=lead, pupil=world.pupil_a, school=world.school_a, kind="permanent",
                                  start_date=D(2026, 11, 10), reasons=["PA"])
    services.placement_record(user=world.users["la_officer"], pupil=world.pupil_a, exclusion=a, arranged_by="la",
                              provider_kind="other", provider_name="Tuition service", hours_per_week=Decimal(25),
                              start_date=D(2026, 11, 17))
    services.part_time_record(user=lead, pupil=world.pupil_a, school=world.school_a, start_date=D(2026, 9, 7),
                              planned_end_date=D(2026, 12, 11), hours_per_week=Decimal(15), reason="health",
                              parent_agreed_on=D(2026, 9, 7))
    services.managed_move_record(user=lead, pupil=world.pupil_a, from_school=world.school_a,
                                 to_school=world.school_b, agreed_on=D(2026, 9, 20), start_date=D(2026, 9, 21))
    # B's permanent exclusion after its suspension has no provision: its day 6 (24 Nov) is missed by 27 Nov, when A's
    # board (1 Dec) is within two school days.
    services.exclusion_record(user=world.users["school_b"], pupil=world.pupil_b, school=world.school_b,
                              kind="permanent", start_date=D(2026, 11, 17), reasons=["PA"])
    services.exclusion_reminders_refresh(today=D(2026, 11, 27))
    return world


def _expected(world, role) -> set[str]:
    if role == "school_a":
        return {world.pupil_a.upn}
    if role == "school_b":
        return {world.pupil_b.upn}
    return {world.pupil_a.upn, world.pupil_b.upn}


PAGES = ["exclusion_list", "placement_list", "part_time_list", "managed_move_list", "day6_dashboard"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_pages_show_only_the_roles_rows(both, client, role, name):
    client.force_login(both.users[role])
    params = {"status": ""} if name == "part_time_list" else {}
    page = client.get(reverse(name), params).content.decode()
    seen = {upn for upn in (both.pupil_a.upn, both.pupil_b.upn) if upn in page}
    assert seen == _expected(both, role), name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["exclusion_list", "placement_list", "part_time_list", "managed_move_list"])
def test_csv_and_xlsx_exports_hold_only_the_roles_rows(both, client, role, name):
    client.force_login(both.users[role])
    response = client.get(reverse(name), {"export": "csv", "status": ""})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    text = "\n".join(",".join(r) for r in rows[1:])
    assert {u for u in (both.pupil_a.upn, both.pupil_b.upn) if u in text} == _expected(both, role)
    xlsx = client.get(reverse(name), {"export": "xlsx", "status": ""})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    assert {u for u in (both.pupil_a.upn, both.pupil_b.upn) if u in cells} == _expected(both, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ["exclusions", "placements", "part-time-timetables", "managed-moves"])
def test_api_lists_only_the_roles_rows(both, client, role, endpoint):
    client.force_login(both.users[role])
    rows = client.get(f"/api/{endpoint}/").json()["results"]
    pupils = {both.pupil_a.pk: both.pupil_a.upn, both.pupil_b.pk: both.pupil_b.upn}
    assert {pupils[row["pupil"]] for row in rows} == _expected(both, role)


@pytest.mark.parametrize("role", ROLES)
def test_reminders_are_scoped(both, client, role):
    client.force_login(both.users[role])
    page = client.get(reverse("exclusion_reminders")).content.decode()
    seen = {name for name in ("Amy Able", "Ben Able") if name in page}
    expected = {"school_a": {"Amy Able"}, "school_b": {"Ben Able"}}.get(role, {"Amy Able", "Ben Able"})
    assert seen == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, endpoint", [("fair_access_list", "fair-access-referrals"),
                                            ("cme_list", "cme-records"), ("ap_provider_list", "ap-providers")])
def test_la_registers_are_for_la_roles_only(both, client, role, name, endpoint):
    client.force_login(both.users[role])
    page, api = client.get(reverse(name)), client.get(f"/api/{endpoint}/")
    export = client.get(reverse(name), {"export": "csv"})
    if role in LA_ROLES:
        assert page.status_code == api.status_code == export.status_code == 200
        assert len(api.json()["results"]) == 1
    else:
        assert page.status_code == api.status_code == export.status_code == 403


def test_a_school_cannot_see_another_schools_exclusion_of_a_shared_pupil(world, client):
    """Mo was at A, now at B: B's suspension of Mo is B's record; A sees Mo but not B's exclusion."""
    build_calendar(world)
    services.exclusion_record(user=world.users["school_b"], pupil=world.moved, school=world.school_b,
                              kind="suspension", start_date=D(2026, 11, 9), length_sessions=2, reasons=["DB"])
    client.force_login(world.users["school_a"])
    assert client.get(f"/api/exclusions/?pupil={world.moved.pk}").json()["count"] == 0
    tab = client.get(reverse("pupil_exclusions", args=[world.moved.pk])).content.decode()
    assert "Beta Academy" not in tab and "No exclusions you can see." in tab
    # The year's total still counts it (across schools), without saying where.
    assert "Suspended for <strong>1</strong>" in tab


def test_exports_are_audited_and_formula_cells_neutralised(both, client):
    from schools.models import AuditEvent, Exclusion

    Exclusion.objects.filter(pupil=both.pupil_a).update(description="=HYPERLINK(\"http://x\")")
    both.pupil_a.legal_last_name = "=cmd|' /C calc'!A0"
    both.pupil_a.save()
    client.force_login(both.users["la_officer"])
    text = client.get(reverse("exclusion_list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text
    event = AuditEvent.objects.get(action="export", object_type="schools.Exclusion")
    assert event.username == "la_officer" and event.object_repr == "3 rows exported (csv)"


def test_api_managed_move_from_another_school_is_an_unknown_school(world, client):
    """As on the page, a school records a move out of its own school: another school's id in from_school answers as
    an id never used would (no probing of that school's roll), and nothing is saved."""
    from schools.models import ManagedMove, School

    build_calendar(world)
    client.force_login(world.users["school_a"])
    payload = {"pupil": world.moved.pk, "from_school": world.school_b.pk, "to_school": world.school_a.pk,
               "agreed_on": "2026-10-01", "start_date": "2026-10-05"}
    other = client.post("/api/managed-moves/", payload, content_type="application/json")
    unused = client.post("/api/managed-moves/", {**payload, "from_school": School.objects.order_by("pk").last().pk + 1},
                         content_type="application/json")
    assert other.status_code == unused.status_code == 400
    assert "does not exist" in other.json()["from_school"][0] and "does not exist" in unused.json()["from_school"][0]
    assert not ManagedMove.objects.exists()
    own = client.post("/api/managed-moves/", {**payload, "pupil": world.pupil_a.pk, "from_school": world.school_a.pk,
                                              "to_school": world.school_b.pk}, content_type="application/json")
    assert own.status_code == 201, own.content
    assert own.json()["pupil"] == world.pupil_a.pk and ManagedMove.objects.count() == 1
