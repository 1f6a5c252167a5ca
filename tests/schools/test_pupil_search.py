"""The pupil search (issue 17, "Lists"): a full UPN matching exactly one pupil the user may see opens that pupil; a
UPN of a pupil outside the user's scope is "no match", never a redirect to it. Yes/no filters offer "Any"."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _search(client, user, **params):
    client.force_login(user)
    return client.get(reverse("pupil_list"), params)


@pytest.mark.parametrize("username", ["la_officer", "la_manager", "legal_officer", "school_b"])
def test_a_full_upn_matching_one_visible_pupil_opens_that_pupil(world, client, username):
    response = _search(client, world.users[username], q=world.pupil_b.upn)
    assert response.status_code == 302
    assert response["Location"] == reverse("pupil_detail", args=[world.pupil_b.pk])


def test_the_upn_may_be_typed_in_lower_case_or_with_spaces(world, client):
    upn = world.pupil_a.upn.lower()
    response = _search(client, world.users["la_officer"], q=f" {upn[:4]} {upn[4:]} ")
    assert response.status_code == 302
    assert response["Location"] == reverse("pupil_detail", args=[world.pupil_a.pk])


def test_a_school_user_searching_another_schools_pupil_gets_no_match(world, client):
    response = _search(client, world.users["school_a"], q=world.pupil_b.upn)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No pupils match these filters." in page
    assert reverse("pupil_detail", args=[world.pupil_b.pk]) not in page
    assert world.pupil_b.legal_first_name not in page


def test_a_name_or_the_upn_filter_still_list(world, client):
    officer = world.users["la_officer"]
    for params in ({"q": "Amy"}, {"upn": world.pupil_a.upn}):
        response = _search(client, officer, **params)
        assert response.status_code == 200, params
        assert reverse("pupil_detail", args=[world.pupil_a.pk]) in response.content.decode()


def test_part_of_a_upn_is_not_a_full_upn(world, client):
    response = _search(client, world.users["la_officer"], q=world.pupil_a.upn[:12])
    assert response.status_code == 200


def test_a_full_upn_with_other_filters_that_exclude_the_pupil_lists_nothing(world, client):
    response = _search(client, world.users["la_officer"], q=world.pupil_a.upn, looked_after="true")
    assert response.status_code == 200
    assert "No pupils match these filters." in response.content.decode()


def test_yes_no_filters_say_any_not_unknown(world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("pupil_list")).content.decode()
    assert '<option value="unknown" selected>Any</option>' in page
    assert ">Unknown<" not in page
