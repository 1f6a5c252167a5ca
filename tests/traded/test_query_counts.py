"""Traded lists and detail pages (and the API lists) issue a fixed number of queries however many rows they show."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interventions.models import BookingDate, Invoice, OfficerCommitment
from interventions.traded import services
from tests.factories import EnrolmentFactory, PupilFactory
from tests.traded.test_bookings import DEC

pytestmark = pytest.mark.django_db

NOVEMBER_DAYS = [datetime.date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20)]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


class Grower:
    """Delivered bookings (each naming two pupils) at school B, a package drawing on its days, officer time."""

    def __init__(self, world, traded):
        self.world, self.traded, self.used = world, traded, 0
        self.package = services.package_buy(user=world.users["school_b"], school=world.school_b,
                                            academic_year=traded.year, role="officer", days="40",
                                            schedule="seven_five")
        self.bookings = []

    def grow(self, n: int) -> None:
        world, traded = self.world, self.traded
        school, manager = world.users["school_b"], world.users["la_manager"]
        for _ in range(n):
            pupils = []
            for _ in range(2):
                pupil = PupilFactory()
                EnrolmentFactory(pupil=pupil, school=world.school_b)
                pupils.append(pupil)
            funding = "package" if self.used % 2 else "payg"
            booking = services.booking_request(
                user=school, school=world.school_b, service=traded.service("Social skills group work"), units="2",
                preferred_dates=[DEC[1]], funding=funding, package=self.package if funding == "package" else None,
                pupils=pupils)
            services.booking_confirm(user=manager, booking=booking, expected_version=1, officer=traded.officer,
                                     dates=[(DEC[1], "1.0"), (DEC[2], "1.0")])
            first, day = NOVEMBER_DAYS[2 * self.used], NOVEMBER_DAYS[2 * self.used + 1]
            BookingDate.objects.filter(booking=booking, date=DEC[1]).update(date=first)
            BookingDate.objects.filter(booking=booking, date=DEC[2]).update(date=day)
            booking.refresh_from_db()
            services.booking_deliver(user=manager, booking=booking, expected_version=booking.version,
                                     delivered_units="2")
            OfficerCommitment.objects.create(officer=traded.officer2, date=day, days="1.0", kind="casework",
                                             created_by=manager)
            self.bookings.append(booking)
            self.used += 1


PAGES = ["catalogue", "booking_list", "booking_detail", "package_list", "package_detail", "invoice_list",
         "invoice_detail", "capacity", "income", "home", "api_bookings", "api_invoices", "api_packages"]


LA_ONLY = {"capacity", "income"}


@pytest.mark.parametrize(("page", "role"), [(page, role) for page in PAGES for role in ("la_manager", "school_b")
                                            if role == "la_manager" or page not in LA_ONLY])
def test_query_count_does_not_grow_with_rows(page, role, world, traded, client):
    grower = Grower(world, traded)
    manager = world.users["la_manager"]
    grower.grow(1)
    first = services.invoice_run(user=manager, period_kind="month", month=datetime.date(2026, 11, 1))[0]

    def url(invoice):
        booking = grower.bookings[-1]
        return {
            "catalogue": reverse("traded:catalogue"), "booking_list": reverse("traded:booking_list"),
            "booking_detail": reverse("traded:booking_detail", args=[booking.pk]),
            "package_list": reverse("traded:package_list"),
            "package_detail": reverse("traded:package_detail", args=[grower.package.pk]),
            "invoice_list": reverse("traded:invoice_list"),
            "invoice_detail": reverse("traded:invoice_detail", args=[invoice.pk]),
            "capacity": reverse("traded:capacity"), "income": reverse("traded:income"),
            "home": reverse("traded:home"), "api_bookings": "/api/traded/bookings/",
            "api_invoices": "/api/traded/invoices/", "api_packages": "/api/traded/packages/",
        }[page]

    client.force_login(world.users[role])
    before = _queries(client, url(first))
    grower.grow(4)
    services.invoice_run(user=manager, period_kind="package_7_12", academic_year=traded.year)
    bigger = services.invoice_run(user=manager, period_kind="term", term=traded.autumn)[0]
    services.credit_note_create(user=manager, invoice=bigger, lines=list(bigger.lines.all())[:1], reason="Error")
    assert bigger.lines.count() >= 2 and Invoice.objects.count() == 4
    after = _queries(client, url(bigger))
    assert after == before, f"{page}: {before} queries with 1 row, {after} with more"
