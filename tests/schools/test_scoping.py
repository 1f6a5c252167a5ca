"""Each role sees only its own rows in every list, search, API endpoint and export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from schools.models import Job

pytestmark = pytest.mark.django_db

# Who should see which pupils of the world fixture.
EXPECTED = {
    "la_admin": {"pupil_a", "pupil_b", "moved"},
    "la_manager": {"pupil_a", "pupil_b", "moved"},
    "la_officer": {"pupil_a", "pupil_b", "moved"},
    "legal_officer": {"pupil_a", "pupil_b", "moved"},
    "school_a": {"pupil_a", "moved"},  # moved left A for B: A keeps its history
    "school_b": {"pupil_b", "moved"},
}


def _links_to(page: str, pupil) -> bool:
    """True when the page links to the pupil's profile (search terms echoed in the form don't count)."""
    return f'href="{reverse("pupil_detail", args=[pupil.pk])}"' in page


def _upns(world, names):
    return {getattr(world, name).upn for name in names}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pupil_list_page_shows_only_visible_pupils(role, world, client):
    client.force_login(world.users[role])
    page = client.get(reverse("pupil_list")).content.decode()
    for name in ("pupil_a", "pupil_b", "moved"):
        assert _links_to(page, getattr(world, name)) == (name in EXPECTED[role]), name


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_search_by_name_upn_and_dob_stays_in_scope(role, world, client):
    client.force_login(world.users[role])
    by_name = client.get(reverse("pupil_list"), {"q": "Able"}).content.decode()
    assert _links_to(by_name, world.pupil_b) == ("pupil_b" in EXPECTED[role])
    by_upn = client.get(reverse("pupil_list"), {"upn": world.pupil_b.upn}).content.decode()
    assert _links_to(by_upn, world.pupil_b) == ("pupil_b" in EXPECTED[role])
    by_dob = client.get(reverse("pupil_list"), {"date_of_birth": "2012-01-05"}).content.decode()
    assert _links_to(by_dob, world.pupil_b) == ("pupil_b" in EXPECTED[role])


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pupil_api_lists_only_visible_pupils(role, world, client):
    client.force_login(world.users[role])
    data = client.get("/api/pupils/").json()
    assert {row["upn"] for row in data["results"]} == _upns(world, EXPECTED[role])
    searched = client.get("/api/pupils/", {"q": "Able"}).json()
    assert {row["upn"] for row in searched["results"]} == _upns(world, EXPECTED[role] & {"pupil_a", "pupil_b"})


def test_school_user_cannot_filter_by_another_schools_roll(world, client):
    client.force_login(world.users["school_a"])
    response = client.get("/api/pupils/", {"school": world.school_b.pk})
    assert response.status_code == 400
    assert "school" in response.json()


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_school_list_and_api_are_scoped(role, world, client):
    client.force_login(world.users[role])
    names = {row["name"] for row in client.get("/api/schools/").json()["results"]}
    if role.startswith("school_"):
        assert names == {world.school_a.name if role == "school_a" else world.school_b.name}
    else:
        assert names == {world.school_a.name, world.school_b.name}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_enrolment_api_shows_a_schools_own_enrolments_only(role, world, client):
    client.force_login(world.users[role])
    rows = client.get("/api/enrolments/").json()["results"]
    schools = {row["school_name"] for row in rows}
    if role == "school_a":
        assert schools == {world.school_a.name}
    elif role == "school_b":
        assert schools == {world.school_b.name}
    else:
        assert schools == {world.school_a.name, world.school_b.name}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_export_contains_only_visible_pupils(role, world, client, django_capture_on_commit_callbacks):
    client.force_login(world.users[role])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pupil_export"), {"q": ""})
    job = Job.objects.get(created_by=world.users[role])
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.SUCCEEDED, job.message
    download = client.get(reverse("job_download", args=[job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["UPN"] for row in rows} == _upns(world, EXPECTED[role])


def test_family_view_shows_a_school_user_only_their_own_pupils(world, client):
    family = world.pupil_a.family
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert "Amy" in page and "Ben" in page
    client.force_login(world.users["school_a"])
    page = client.get(reverse("family_detail", args=[family.pk])).content.decode()
    assert "Amy" in page and "Ben" not in page


def test_school_user_sees_only_own_enrolments_on_a_shared_pupil(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("pupil_detail", args=[world.moved.pk])).content.decode()
    assert world.school_a.name in page
    assert world.school_b.name not in page


def test_inactive_user_sees_nothing(world, client):
    user = world.users["la_officer"]
    from schools.models import Pupil

    user.is_active = False
    assert not Pupil.objects.visible_to(user).exists()


def test_a_school_does_not_learn_where_a_former_pupil_went(world, client, django_capture_on_commit_callbacks):
    """moved left A for B: A's lists, API, year filter and export must not show B or the current year there."""
    client.force_login(world.users["school_a"])
    page = client.get(reverse("pupil_list")).content.decode()
    assert world.school_b.name not in page
    row = next(r for r in client.get("/api/pupils/").json()["results"] if r["upn"] == world.moved.upn)
    assert row["current_school_name"] is None and row["current_nc_year"] is None
    by_year = client.get("/api/pupils/", {"nc_year": 7}).json()["results"]
    assert world.moved.upn not in {r["upn"] for r in by_year}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pupil_export"), {})
    job = Job.objects.get(created_by=world.users["school_a"])
    assert world.school_b.name not in job.result_file.read().decode("utf-8-sig")
