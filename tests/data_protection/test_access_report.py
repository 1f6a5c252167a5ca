"""Who viewed a pupil's record: every page, API record and PDF that names the pupil is recorded, and managers read
it on the pupil's Record access tab, filtered by date and user, and as CSV."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from schools.models import AuditEvent
from schools.navigation import pupil_tabs

pytestmark = pytest.mark.django_db


def _report(client, viewer, pupil, **query):
    client.force_login(viewer)
    return client.get(reverse("data_protection:access_report", args=[pupil.pk]), query)


def test_every_view_of_the_pupil_is_recorded_and_reported(world, full_record, client):
    pupil = world.pupil_b
    case = full_record["cases"].case_b
    pages = [
        reverse("pupil_detail", args=[pupil.pk]),
        reverse("pupil_attendance", args=[pupil.pk]),
        reverse("pupil_exclusions", args=[pupil.pk]),
        reverse("cases:pupil_cases", args=[pupil.pk]),
        reverse("legal:pupil", args=[pupil.pk]),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:chronology_pdf", args=[case.pk]),
        reverse("api-pupil-detail", args=[pupil.pk]),
        reverse("api-case-detail", args=[case.pk]),
        f"{reverse('api-exclusion-suspension-days')}?pupil={pupil.pk}",
    ]
    client.force_login(world.users["school_b"])
    for url in pages[:4] + pages[5:8]:  # what a school user can open (no legal tab, no LA-only records)
        assert client.get(url).status_code == 200, url
    client.force_login(world.users["la_officer"])
    for url in pages:
        assert client.get(url).status_code == 200, url

    views = AuditEvent.objects.filter(pupil_id=pupil.pk, action__in=["view", "export"])
    recorded = {(e.username, e.path.split("?")[0]) for e in views}
    for url in pages:
        assert ("la_officer", url.split("?")[0]) in recorded, url
    for url in pages[:4] + pages[5:8]:
        assert ("school_b", url) in recorded, url

    response = _report(client, world.users["la_manager"], pupil)
    assert response.status_code == 200
    body = response.content.decode()
    for url in pages:
        assert url.split("?")[0] in body, url
    assert "school_b" in body and "la_officer" in body


def test_filter_by_user_and_date_and_download(world, client):
    pupil = world.pupil_b
    with time_machine.travel(datetime.datetime(2026, 10, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(world.users["la_officer"])
        client.get(reverse("pupil_detail", args=[pupil.pk]))
    client.force_login(world.users["school_b"])
    client.get(reverse("pupil_detail", args=[pupil.pk]))
    client.force_login(world.users["la_officer"])
    client.get(reverse("pupil_attendance", args=[pupil.pk]))
    client.force_login(world.users["la_officer"])
    client.get(reverse("pupil_detail", args=[world.pupil_a.pk]))  # another pupil: never in this report

    manager = world.users["la_manager"]
    by_officer = _report(client, manager, pupil, user=world.users["la_officer"].pk)
    assert by_officer.context["page"].paginator.count == 2
    in_october = _report(client, manager, pupil, date_from="2026-10-01", date_to="2026-10-31")
    assert [e.username for e in in_october.context["page"].object_list] == ["la_officer"]

    download = _report(client, manager, pupil, format="csv", user=world.users["la_officer"].pk)
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["When", "Who", "Role", "What", "Record", "Page or export"]
    assert [r[1] for r in rows[1:]] == ["la_officer", "la_officer"]
    assert all(r[5] in (reverse("pupil_detail", args=[pupil.pk]), reverse("pupil_attendance", args=[pupil.pk]))
               for r in rows[1:])
    # Downloading the report is itself recorded against the pupil.
    assert AuditEvent.objects.filter(pupil_id=pupil.pk, action="export", username="la_manager",
                                     path__contains="format=csv").exists()


def test_the_record_access_tab_leads_to_the_report(world):
    tabs = {t.key: t.href for t in pupil_tabs(world.users["la_manager"], world.pupil_b, active="overview")}
    assert tabs["audit"] == reverse("data_protection:access_report", args=[world.pupil_b.pk])
    assert "audit" not in {t.key for t in pupil_tabs(world.users["la_officer"], world.pupil_b, active="overview")}


@pytest.mark.parametrize("role", ["la_officer", "legal_officer", "school_b"])
def test_only_managers_and_admins_read_it(world, client, role):
    assert _report(client, world.users[role], world.pupil_b).status_code == 403
    assert _report(client, world.users[role], world.pupil_b, format="csv").status_code == 403
