"""Exclusions and provision in the admin site: every model listed for LA admins, pupil records read-only (their
writes go through the services), AP providers editable with the change audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from schools.models import APProvider, AuditEvent
from tests.exclusions.fixtures import make_school_b_records

pytestmark = pytest.mark.django_db

MODELS = ["exclusion", "exclusionreminder", "placement", "approvider", "parttimetimetable", "managedmove",
          "fairaccessreferral", "cmerecord", "childnotinschool"]


@pytest.fixture
def records(calendar):
    return make_school_b_records(calendar)


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_in_the_admin_site(model, records, calendar, client):
    client.force_login(calendar.users["la_admin"])
    assert client.get(reverse(f"admin:schools_{model}_changelist")).status_code == 200


def test_pupil_records_are_read_only_there(records, calendar, client):
    client.force_login(calendar.users["la_admin"])
    exclusion = records["exclusion"]
    assert client.get(reverse("admin:schools_exclusion_add")).status_code == 403
    page = client.get(reverse("admin:schools_exclusion_change", args=[exclusion.pk])).content.decode()
    assert 'name="_save"' not in page  # a view, not a form
    response = client.post(reverse("admin:schools_exclusion_change", args=[exclusion.pk]), {"length_sessions": 2})
    assert response.status_code == 403


def test_ap_provider_edits_are_audited(records, calendar, client):
    provider = records["ap_provider"]
    client.force_login(calendar.users["la_admin"])
    response = client.post(reverse("admin:schools_approvider_change", args=[provider.pk]), {
        "name": provider.name, "urn": "", "registered": "on", "places_commissioned": "25.0", "contact": "",
        "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:1500]
    assert APProvider.objects.get(pk=provider.pk).places_commissioned == Decimal(25)
    event = AuditEvent.objects.get(username="la_admin", object_type="schools.APProvider", action="update")
    assert event.changes["places_commissioned"] == ["23.0", "25.0"]
