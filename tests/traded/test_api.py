"""The traded API: the booking-to-invoice journey, bad input as 400 keyed by field with nothing saved, scope (another
school's records are 404, its ids "do not exist") and role checks (403)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from interventions.models import Booking, BookingDate, Invoice, OfficerCommitment
from interventions.traded import services
from tests.traded.test_bookings import DEC, request

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def test_journey_school_books_la_confirms_delivers_and_invoices(world, traded, api):
    service = traded.service("Peer mentor training")
    school = as_user(APIClient(), world.users["school_b"])
    response = school.post("/api/traded/bookings/", {
        "school": world.school_b.pk, "service": service.pk, "units": "1.5", "funding": "payg",
        "preferred_dates": ["2026-12-01"], "notes": "Year 10 mentors"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["quote"] == {"net": "350.00", "vat": "70.00", "total": "420.00"}
    pk, version = body["id"], body["version"]

    manager = as_user(APIClient(), world.users["la_manager"])
    response = manager.post(f"/api/traded/bookings/{pk}/confirm/", {
        "officer": traded.officer.pk, "version": version,
        "dates": [{"date": "2026-12-01", "days": "1.0"}, {"date": "2026-12-02", "days": "0.5"}]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed" and len(response.json()["dates"]) == 2

    BookingDate.objects.filter(booking_id=pk, days=1).update(date=datetime.date(2026, 11, 19))
    BookingDate.objects.filter(booking_id=pk, days=0.5).update(date=datetime.date(2026, 11, 20))
    response = manager.post(f"/api/traded/bookings/{pk}/deliver/", {
        "delivered_units": "1", "version": response.json()["version"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["charge"] == {"net": "225.00", "vat": "45.00", "total": "270.00"}

    response = manager.post("/api/traded/invoices/run/", {"period_kind": "month", "month": "2026-11-01"},
                            format="json")
    assert response.status_code == 201, response.json()
    (invoice,) = response.json()
    assert invoice["total"] == "270.00" and invoice["lines"][0]["booking"] == pk
    again = manager.post("/api/traded/invoices/run/", {"period_kind": "month", "month": "2026-11-01"},
                         format="json")
    assert again.status_code == 400 and "already invoiced" in again.json()["period_kind"][0]
    assert Invoice.objects.count() == 1

    assert school.get(f"/api/traded/invoices/{invoice['id']}/").json()["number"] == invoice["number"]
    other = as_user(APIClient(), world.users["school_a"])
    assert other.get(f"/api/traded/invoices/{invoice['id']}/").status_code == 404
    assert other.get(f"/api/traded/bookings/{pk}/").status_code == 404
    assert other.get("/api/traded/invoices/").json()["results"] == []


def test_statutory_service_for_money_is_a_400_at_the_field(world, traded, api):
    as_user(api, world.users["school_b"])
    response = api.post("/api/traded/bookings/", {
        "school": world.school_b.pk, "service": traded.service("Targeting support meeting").pk, "units": "1",
        "funding": "payg", "preferred_dates": ["2026-12-01"]}, format="json")
    assert response.status_code == 400
    assert "cannot be bought" in response.json()["funding"][0]
    response = api.post("/api/traded/bookings/", {
        "school": world.school_b.pk, "service": traded.service("Register audit").pk, "units": "-1",
        "funding": "payg", "preferred_dates": ["2026-12-25"]}, format="json")
    assert response.status_code == 400 and "units" in response.json()
    assert not Booking.objects.exists()


def test_out_of_scope_ids_do_not_exist(world, traded, api):
    package = services.package_buy(user=world.users["school_b"], school=world.school_b, academic_year=traded.year,
                                   role="officer", days="5", schedule="seven_five")
    as_user(api, world.users["school_a"])
    response = api.post("/api/traded/bookings/", {
        "school": world.school_b.pk, "service": traded.service("Register audit").pk, "units": "1",
        "funding": "package", "package": package.pk, "preferred_dates": ["2026-12-01"],
        "pupils": [world.pupil_b.pk]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "does not exist" in body["school"][0] and "does not exist" in body["package"][0]
    assert "does not exist" in str(body["pupils"])
    assert api.get(f"/api/traded/packages/{package.pk}/").status_code == 404


def test_roles(world, traded, api):
    booking = request(world, traded)
    as_user(api, world.users["school_b"])
    response = api.post(f"/api/traded/bookings/{booking.pk}/confirm/", {
        "officer": traded.officer.pk, "version": 1, "dates": [{"date": "2026-12-01", "days": "1.0"}]},
        format="json")
    assert response.status_code == 403
    assert api.post("/api/traded/invoices/run/", {"period_kind": "month", "month": "2026-11-01"}).status_code == 403
    as_user(api, world.users["legal_officer"])
    assert api.get("/api/traded/services/").status_code == 403
    as_user(api, world.users["la_officer"])
    assert api.post("/api/traded/bookings/", {}, format="json").status_code == 403
    response = api.post(f"/api/traded/bookings/{booking.pk}/decline/", {"reason": "Full", "version": 1},
                        format="json")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    response = api.post(f"/api/traded/bookings/{booking.pk}/decline/", {"reason": "Full", "version": 2},
                        format="json")
    assert response.status_code == 400 and "only a request can be declined" in str(response.json())


def test_over_capacity_is_a_400_and_nothing_is_saved(world, traded, api):
    OfficerCommitment.objects.create(officer=traded.officer, date=DEC[1], days=Decimal("1.0"), kind="legal",
                                     created_by=world.users["la_manager"])
    booking = request(world, traded)
    as_user(api, world.users["la_manager"])
    response = api.post(f"/api/traded/bookings/{booking.pk}/confirm/", {
        "officer": traded.officer.pk, "version": 1, "dates": [{"date": "2026-12-01", "days": "1.0"}]},
        format="json")
    assert response.status_code == 400 and "already has a full day of work on 1 December 2026" in str(
        response.json()["dates"])
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED and booking.version == 1 and not booking.dates.exists()


def test_catalogue_prices_and_filters(world, traded, api):
    as_user(api, world.users["school_a"])
    rows = api.get("/api/traded/services/", {"charging": "free"}).json()["results"]
    assert rows and all(row["charging"] == "free" and row["unit_price"] == "0.00" for row in rows)
    audit = api.get("/api/traded/services/", {"q": "Register audit"}).json()["results"][0]
    assert (audit["unit_price"], audit["vat_rate"], audit["unit"]) == ("125.00", "20.00", "half_day")
    assert api.get(f"/api/traded/services/{audit['id']}/").json()["unit_price"] == "125.00"
