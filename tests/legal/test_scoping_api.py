"""Scope: a school sees its own requests and their outcome, never the LA's legal working notes or records (404),
on pages and in the API; the API's writes go through the same services and rules as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from legal import services
from legal.models import Payment, PenaltyNotice
from tests.factories import EnrolmentFactory, PupilFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_school_sees_outcome_but_never_la_notes(world, legal_world, client):
    request = legal_world.request
    services.request_decide(user=world.users["legal_officer"], request=request, approve=True,
                            reason="Approved: leave refused in advance.", la_notes="SECRET working note",
                            expected_version=request.version)
    client.force_login(world.users["school_b"])
    page = client.get(reverse("legal:request", args=[request.pk])).content.decode()
    assert "Approved: leave refused in advance." in page and "SECRET" not in page
    notice = request.notices.get()
    assert notice.reference in page
    assert client.get(reverse("legal:notice", args=[notice.pk])).status_code == 404
    api = _api(world.users["school_b"]).get(f"/api/legal/requests/{request.pk}/").json()
    assert "la_notes" not in api and api["notices"][0]["reference"] == notice.reference
    assert _api(world.users["school_b"]).get("/api/legal/penalty-notices/").json()["count"] == 0
    assert "SECRET" in str(_api(world.users["legal_officer"]).get(f"/api/legal/requests/{request.pk}/").json())
    client.force_login(world.users["school_a"])
    assert client.get(reverse("legal:request", args=[request.pk])).status_code == 404
    assert _api(world.users["school_a"]).get("/api/legal/requests/").json()["count"] == 0


def test_school_request_via_api_with_bad_input(world, legal_world):
    api = _api(world.users["school_b"])
    body = {"school": world.school_b.pk, "pupil": world.pupil_b.pk, "carers": [legal_world.parent.pk],
            "notice_type": "non_attendance", "absence_from": "2026-11-09", "absence_to": "2026-11-13",
            "sessions_missed": 10, "details": "Absent all week."}
    response = api.post("/api/legal/requests/", body, format="json")
    assert response.status_code == 400 and "support_offered" in response.json()
    body["support_offered"] = "Mentoring, two meetings."
    assert api.post("/api/legal/requests/", body, format="json").status_code == 201
    other_pupil = PupilFactory()
    EnrolmentFactory(pupil=other_pupil, school=world.school_a)
    body["pupil"] = other_pupil.pk
    assert api.post("/api/legal/requests/", body, format="json").status_code == 400  # out of scope: "does not exist"


def test_api_decide_and_payment_reconciliation(world, legal_world):
    legal = _api(world.users["legal_officer"])
    request = legal_world.request
    assert _api(world.users["school_b"]).post(f"/api/legal/requests/{request.pk}/decide/",
                                              {"approve": True, "version": 1}, format="json").status_code == 403
    response = legal.post(f"/api/legal/requests/{request.pk}/decide/",
                          {"approve": True, "version": request.version, "served_on": "2026-11-23",
                           "service_method": "hand"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    notice = PenaltyNotice.objects.get(request=request)
    bad = legal.post("/api/legal/payments/", {"reference": notice.reference, "amount": "70.00",
                                              "paid_on": "2026-11-23", "method": "card"}, format="json")
    assert bad.status_code == 400 and "less than" in bad.json()["amount"][0] and not Payment.objects.exists()
    unknown = legal.post("/api/legal/payments/", {"reference": "PN-424242", "amount": "80.00",
                                                  "paid_on": "2026-11-23", "method": "card"}, format="json")
    assert unknown.status_code == 400 and "No penalty notice" in unknown.json()["reference"][0]
    good = legal.post("/api/legal/payments/", {"reference": notice.reference, "amount": "80.00",
                                               "paid_on": "2026-11-23", "method": "card"}, format="json")
    assert good.status_code == 201
    assert _api(world.users["la_officer"]).post("/api/legal/payments/", {}, format="json").status_code == 403
    figures = legal.get("/api/legal/figures/").json()
    assert figures["payment_rates"] and figures["prosecutions"]


def test_statutory_figures_are_counted_in_sql(world, legal_world):
    from legal import selectors

    services.payment_record(user=world.users["legal_officer"], reference=legal_world.notice.reference,
                            amount="80.00", paid_on=D(2026, 11, 1), method="card")
    rates = {r["notice_type"]: r for r in selectors.payment_rate_figures(user=world.users["legal_officer"])}
    row = rates["Non-attendance (irregular attendance)"]
    assert (row["issued"], row["paid_reduced"], row["payment_rate"], str(row["collected"])) == (1, 1, 100, "80.00")
    assert selectors.payment_rate_figures(user=world.users["school_b"]) == []


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(world, legal_world, n):
    officer = world.users["la_officer"]
    for i in range(n):
        pupil = PupilFactory(family=legal_world.parent.family)
        EnrolmentFactory(pupil=pupil, school=world.school_b)
        services.notice_issue(user=officer, pupil=pupil, carer=legal_world.parent, notice_type="term_time_leave",
                              period_start=D(2026, 11, 2), period_end=D(2026, 11, 6), issued_on=D(2026, 11, 9),
                              served_on=D(2026, 11, 9), service_method="hand")
        services.request_submit(user=world.users["school_b"], school=world.school_b, pupil=pupil,
                                carers=[legal_world.second_parent], notice_type="term_time_leave",
                                absence_from=D(2026, 11, 2), absence_to=D(2026, 11, 6), sessions_missed=10,
                                details=f"Holiday {i}")


@pytest.mark.parametrize("name", ["legal:dashboard", "legal:notice_list", "legal:request_list",
                                  "legal:prosecution_list", "legal:figures", "legal:pupil", "legal:pathway",
                                  "legal:notice"])
def test_query_counts_do_not_grow(name, world, legal_world, client):
    client.force_login(world.users["legal_officer"])
    args = {"legal:pupil": [world.pupil_b.pk], "legal:pathway": [legal_world.pathway.pk],
            "legal:notice": [legal_world.notice.pk]}.get(name, [])
    url = reverse(name, args=args)
    _grow(world, legal_world, 1)
    before = _count(client, url)
    _grow(world, legal_world, 5)
    after = _count(client, url)
    assert after == before, f"{name}: {before} then {after} queries"
    assert after <= 25


def test_school_dashboard_query_count(world, legal_world, client):
    client.force_login(world.users["school_b"])
    _grow(world, legal_world, 1)
    before = _count(client, reverse("legal:dashboard"))
    _grow(world, legal_world, 4)
    assert _count(client, reverse("legal:dashboard")) == before


def test_another_familys_carer_answers_as_a_carer_never_recorded(world, legal_world):
    """A school cannot probe the LA's families through the request API: a carer of a family it cannot see gets the
    same answer as an id nobody has."""
    from tests.factories import CarerFactory, FamilyFactory

    hidden_family = FamilyFactory()
    pupil = PupilFactory(family=hidden_family)
    EnrolmentFactory(pupil=pupil, school=world.school_a)
    hidden_carer = CarerFactory(family=hidden_family)
    api = _api(world.users["school_b"])
    body = {"school": world.school_b.pk, "pupil": world.pupil_b.pk, "notice_type": "term_time_leave",
            "absence_from": "2026-11-09", "absence_to": "2026-11-13", "sessions_missed": 10,
            "details": "Holiday.", "support_offered": "Meetings.", "leave_refused_on": "2026-10-01"}
    unseen = api.post("/api/legal/requests/", {**body, "carers": [hidden_carer.pk]}, format="json")
    never = api.post("/api/legal/requests/", {**body, "carers": [999_999_999]}, format="json")
    assert unseen.status_code == never.status_code == 400
    assert unseen.json()["carers"] == [m.replace("999999999", str(hidden_carer.pk)) for m in never.json()["carers"]]
