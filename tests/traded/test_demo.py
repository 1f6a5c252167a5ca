"""The demo traded services (interventions.traded.demo, loaded by schools.demo.load_demo): a term of bookings across
schools in every status, packages drawn on, invoices (some paid) and a credit note, all consistent with the rules."""

from __future__ import annotations

import pytest
from django.db.models import Count

from interventions.models import Booking, BookingDate, Invoice, OfficerCommitment, Package, TradedOfficer
from interventions.traded.selectors import officer_time_in_term, package_list
from schools.demo import load_demo
from schools.models import User
from schools.school_days import current_la_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo(seed=2026, pupils=600)


def test_demo_covers_every_status_and_the_invoicing(demo):
    statuses = dict(Booking.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(Booking.Status.values) and all(n >= 1 for n in statuses.values())
    assert Booking.objects.values("school").distinct().count() >= 10
    assert Booking.objects.filter(status="cancelled", cancelled_late=True).exists()
    assert Booking.objects.filter(funding="free").exists() and Booking.objects.filter(funding="package").exists()
    assert Booking.objects.filter(booking_pupils__isnull=False).exists()
    school = User.objects.get(username="school")
    assert Booking.objects.visible_to(school).exists() and Package.objects.visible_to(school).exists()
    kinds = set(Invoice.objects.values_list("kind", "period_kind", "status"))
    assert ("invoice", "package_7_12", "issued") in kinds or ("invoice", "package_7_12", "paid") in kinds
    assert {("invoice", "month", "paid"), ("invoice", "month", "issued")} <= kinds
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    for invoice in Invoice.objects.prefetch_related("lines"):
        assert invoice.net == sum(line.net for line in invoice.lines.all())
        invoice.full_clean()


def test_demo_respects_capacity_and_packages(demo):
    # No officer is booked past one day's work on any date.
    per_day = {}
    for row in BookingDate.objects.values("officer", "date", "days"):
        per_day[(row["officer"], row["date"])] = per_day.get((row["officer"], row["date"]), 0) + row["days"]
    for row in OfficerCommitment.objects.values("officer", "date", "days"):
        per_day[(row["officer"], row["date"])] = per_day.get((row["officer"], row["date"]), 0) + row["days"]
    assert per_day and max(per_day.values()) <= 1
    # Confirmed and delivered bookings have dates adding up to their officer time; packages are not overdrawn.
    for booking in Booking.objects.filter(status__in=["confirmed", "delivered"]).prefetch_related("dates"):
        assert sum(d.days for d in booking.dates.all()) == (booking.delivered_units or booking.units) * \
            booking.service.unit_days
    manager = User.objects.get(username="manager")
    assert all(p.days_remaining >= 0 for p in package_list(user=manager))
    rows = list(officer_time_in_term(user=manager, term=current_la_term(between_terms="next")))
    assert len(rows) == TradedOfficer.objects.count() == 5
    assert all(row.statutory > row.traded > 0 for row in rows)
