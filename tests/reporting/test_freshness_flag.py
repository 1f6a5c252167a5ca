"""A dashboard's figures that rest on schools whose registers are behind say so (issue 15, data freshness): the
fixture's registers stop in September, so on 23 November both schools are weeks behind; a school whose registers
arrived up to the last school day (Friday 20 November) is not."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from reporting import selectors as s
from schools.models import SchoolRegisterStatus

pytestmark = pytest.mark.django_db


def test_the_dashboard_names_the_schools_behind_with_their_registers(report_world, client):
    world = report_world.world
    manager = report_world.users["la_manager"]
    behind = {f.school.pk: f for f in s.stale_schools_in(s.scope_for(manager))}
    assert {world.school_a.pk, world.school_b.pk} <= set(behind)
    SchoolRegisterStatus.objects.update_or_create(school=world.school_a,
                                                  defaults={"last_register_date": datetime.date(2026, 11, 20)})
    behind = {f.school.pk: f for f in s.stale_schools_in(s.scope_for(manager))}
    assert world.school_a.pk not in behind and world.school_b.pk in behind
    client.force_login(manager)
    for url in (reverse("reporting:dashboard"), reverse("reporting:section", args=["attendance"])):
        page = client.get(url).content.decode()
        assert 'data-testid="stale-schools"' in page
        warning = page.split('data-testid="stale-schools"', 1)[1].split("</details>", 1)[0]
        assert world.school_b.name in warning and world.school_a.name not in warning
    # One school's dashboard counts that school only: school A's registers are up to date, so no warning.
    page = client.get(reverse("reporting:dashboard"), {"school": world.school_a.urn}).content.decode()
    assert 'data-testid="stale-schools"' not in page


def test_a_school_user_sees_only_their_own_school_behind(report_world, client):
    world = report_world.world
    lead = report_world.users["school_b"]
    assert [f.school for f in s.stale_schools_in(s.scope_for(lead))] == [world.school_b]
    client.force_login(lead)
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert world.school_b.name in page.split('data-testid="stale-schools"', 1)[1]
    assert world.school_a.name not in page.split('data-testid="stale-schools"', 1)[1].split("</details>", 1)[0]
