"""List and profile pages issue a fixed number of queries however many rows they show (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CarerFactory, EnrolmentFactory, FamilyFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def _grow(world, n: int) -> None:
    family = world.pupil_a.family
    for _ in range(n):
        EnrolmentFactory(pupil=PupilFactory(family=family), school=world.school_a)
        CarerFactory(family=family)
        EnrolmentFactory(pupil=PupilFactory(family=FamilyFactory()), school=world.school_b)


@pytest.mark.parametrize("role", ["la_officer", "school_a"])
@pytest.mark.parametrize("url_name, kwargs", [
    ("pupil_list", None), ("school_list", None), ("family_list", None), ("audit_list", None),
    ("pupil_detail", "pupil"), ("family_detail", "family"), ("school_detail", "school"),
])
def test_query_count_does_not_grow_with_rows(world, client, role, url_name, kwargs):
    user = world.users["la_manager" if url_name == "audit_list" else role]
    client.force_login(user)
    targets = {"pupil": world.pupil_a.pk, "family": world.pupil_a.family_id, "school": world.school_a.urn}
    url = reverse(url_name, args=[targets[kwargs]] if kwargs else None)
    before = _queries(client, url)
    _grow(world, 12)
    after = _queries(client, url)
    assert after == before, f"{url_name}: {before} queries with few rows, {after} with more"
    assert after <= 12, f"{url_name} runs {after} queries"
