"""The return over the API: the figures equal the page's and the CSV's (worked by hand in tests/legal/test_returns.py),
keyed by the CSV's column names; the rows behind a figure are what was counted, paginated; LA staff only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from legal.returns import rules, selectors
from schools.models import AuditEvent, ExportedPupil
from tests.legal.test_returns import EXPECTED_2025, EXPECTED_2026, Y2025, year_data  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
URL = "/api/legal/returns/"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_figures_are_the_csvs_by_its_column_names(world, year_data, client_for):  # noqa: F811
    api = _api(world.users["la_officer"])
    body = api.get(URL, {"year": "2025-26"}).json()
    assert (body["year"], body["label"], body["start"], body["end"]) == ("2025-26", "2025/26", "2025-09-01",
                                                                         "2026-08-31")
    assert {name: body["figures"][name] for name in rules.FIELD_NAMES} == EXPECTED_2025
    header, row = list(csv.reader(io.StringIO(client_for(world.users["la_officer"]).get(
        reverse("legal:return_export") + "?year=2025-26").content.decode())))
    assert list(body["figures"]) == header
    assert [str(body["figures"][name]) for name in header] == row
    assert [f["name"] for f in body["fields"]] == list(rules.FIELD_NAMES)
    offered = next(f for f in body["fields"] if f["name"] == "parenting_contracts_offered")
    assert [(p["key"], p["count"]) for p in offered["parts"]] == [("contracts", 1), ("offers", 0)]
    later = api.get(URL, {"year": "2026/27"}).json()["figures"]
    assert {name: later[name] for name in rules.FIELD_NAMES} == EXPECTED_2026
    assert api.get(URL, {"year": "2025-27"}).status_code == 400


def test_the_rows_behind_a_figure(world, year_data):  # noqa: F811
    api = _api(world.users["la_manager"])
    body = api.get(f"{URL}pn_paid_within_22_28_days/rows/", {"year": "2025-26"}).json()
    assert body["count"] == EXPECTED_2025["pn_paid_within_22_28_days"] == 2
    assert [r["id"] for r in body["results"]] == [year_data[2].pk, year_data[3].pk]
    assert body["results"][0]["reference"] == year_data[2].reference
    assert body["results"][0]["values"]["pay_day"] == 22 and body["results"][0]["values"]["paid_on"] == "2026-06-23"
    event = AuditEvent.objects.get(action="export", object_type="legal.return.pn_paid_within_22_28_days")
    assert set(ExportedPupil.objects.filter(event=event).values_list("pupil_id", flat=True)) == {
        year_data[2].pupil_id, year_data[3].pupil_id}
    offers = api.get(f"{URL}parenting_contracts_offered/rows/", {"year": "2026-27", "part": "offers"}).json()
    assert [r["parent"] for r in offers["results"]] == ["Parent 23"]
    for figure in selectors.return_figures(user=world.users["la_manager"], year=Y2025):
        counted = sum(api.get(f"{URL}{figure.field.name}/rows/", {"year": "2025-26", "part": p.part.key}
                              ).json()["count"] for p in figure.parts)
        assert counted == figure.value, figure.field.name
    assert api.get(f"{URL}no_such_field/rows/", {"year": "2025-26"}).status_code == 404
    assert api.get(f"{URL}pn_issued/rows/", {"year": "2025-26", "part": "x"}).status_code == 404


def test_school_users_are_refused(world):
    for role in ("school_a", "school_b"):
        api = _api(world.users[role])
        assert api.get(URL).status_code == 403
        assert api.get(f"{URL}pn_issued/rows/").status_code == 403
    assert APIClient().get(URL).status_code == 401
