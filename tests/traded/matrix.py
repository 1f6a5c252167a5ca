"""Traded services (issue 7): this area's rows of the permission matrix, merged by test_permission_matrix.py.

ROWS: URL name -> (target key or None, expected statuses per role); KWARG_NAMES: target key -> URL kwarg name;
``traded_targets``: the objects the rows point at, all on school B's side so school A must get 404.

Traded services are for LA admins, managers, officers and school users (Capability.USE_TRADED); legal officers'
work is the free statutory core, so they get 403. School users see only their own school's bookings, packages and
invoices (404 for another school's); they book and buy (BOOK_TRADED). LA admins keep the catalogue and rate card;
admins, managers and officers confirm, decline, cancel and record delivery and officer time; admins and managers
invoice and read income.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from interventions.models import BookingDate, DiscountTier, OfficerCommitment
from interventions.traded import services
from tests.matrix_support import AUDITORS, EDITORS, LA, ROLES, statuses  # noqa: F401  (for the rows below)
from tests.traded.fixtures import make_traded

USERS = ["la_admin", "la_manager", "la_officer", "school_a", "school_b"]  # Capability.USE_TRADED
SCHOOLS = ["school_a", "school_b"]


def _only(ok, *, ok_status=200, anonymous=302):
    return statuses(ok=ok, ok_status=ok_status, forbidden=[r for r in ROLES[:-1] if r not in ok], anonymous=anonymous)


def _own_school_b(ok=(*EDITORS, "school_b"), anonymous=302):
    return statuses(ok=ok, not_found=["school_a"], forbidden=[r for r in ROLES[:-1] if r not in ok
                                                                and r != "school_a"], anonymous=anonymous)


def _post_only(anonymous=302, forbidden=()):
    return statuses(ok=(), others=405, forbidden=forbidden, anonymous=anonymous)


ROWS: dict = {
    "traded:home": (None, _only(USERS)),
    "traded:catalogue": (None, _only(USERS)),
    "traded:catalogue_export": (None, _only(USERS)),
    "traded:service_create": (None, _only(["la_admin"])),
    "traded:service_detail": ("traded_service", _only(USERS)),
    "traded:service_edit": ("traded_service", _only(["la_admin"])),
    "traded:rates": (None, _only(USERS)),
    "traded:rate_add": (None, _only(["la_admin"])),
    "traded:tier_add": (None, _only(["la_admin"])),
    "traded:tier_remove": ("traded_tier", _post_only()),
    "traded:booking_list": (None, _only(USERS)),
    "traded:booking_export": (None, _only(USERS)),
    "traded:booking_create": (None, _only(SCHOOLS)),
    "traded:booking_detail": ("traded_booking", _own_school_b()),
    "traded:booking_confirm": ("traded_booking", _only(EDITORS)),
    "traded:booking_decline": ("traded_booking", _only(EDITORS)),
    "traded:booking_deliver": ("traded_booking_confirmed", _only(EDITORS)),
    "traded:booking_cancel": ("traded_booking", _own_school_b()),
    "traded:booking_waive": ("traded_booking_late", _only(AUDITORS)),
    "traded:package_list": (None, _only(USERS)),
    "traded:package_create": (None, _only(SCHOOLS)),
    "traded:package_detail": ("traded_package", _own_school_b()),
    "traded:package_cancel": ("traded_package", _only(AUDITORS)),
    "traded:invoice_list": (None, _only(USERS)),
    "traded:invoice_export": (None, _only(USERS)),
    "traded:invoice_run": (None, _only(AUDITORS)),
    "traded:invoice_detail": ("traded_invoice", _own_school_b()),
    "traded:invoice_pdf": ("traded_invoice", _own_school_b()),
    "traded:invoice_paid": ("traded_invoice", _only(AUDITORS)),
    "traded:credit_note_create": ("traded_invoice", _only(AUDITORS)),
    "traded:capacity": (None, _only(EDITORS)),
    "traded:commitment_add": (None, _only(EDITORS)),
    "traded:commitment_remove": ("traded_commitment", _post_only()),
    "traded:income": (None, _only(AUDITORS)),
    "api-traded-service-list": (None, _only(USERS, anonymous=401)),
    "api-traded-service-detail": ("traded_service", _only(USERS, anonymous=401)),
    "api-traded-booking-list": (None, _only(USERS, anonymous=401)),
    "api-traded-booking-detail": ("traded_booking", _own_school_b(anonymous=401)),
    # Actions answer POST only; the role check comes first.
    "api-traded-booking-confirm": ("traded_booking", _post_only(anonymous=401, forbidden=["legal_officer"])),
    "api-traded-booking-decline": ("traded_booking", _post_only(anonymous=401, forbidden=["legal_officer"])),
    "api-traded-booking-deliver": ("traded_booking", _post_only(anonymous=401, forbidden=["legal_officer"])),
    "api-traded-booking-cancel": ("traded_booking", _post_only(anonymous=401, forbidden=["legal_officer"])),
    "api-traded-package-list": (None, _only(USERS, anonymous=401)),
    "api-traded-package-detail": ("traded_package", _own_school_b(anonymous=401)),
    "api-traded-invoice-list": (None, _only(USERS, anonymous=401)),
    "api-traded-invoice-detail": ("traded_invoice", _own_school_b(anonymous=401)),
    "api-traded-invoice-run": (None, _post_only(anonymous=401, forbidden=["legal_officer"])),
}
KWARG_NAMES: dict = dict.fromkeys(["traded_service", "traded_tier", "traded_booking", "traded_booking_confirmed",
                                   "traded_booking_late", "traded_package", "traded_invoice", "traded_commitment"],
                                  "pk")

DEC = {n: datetime.date(2026, 12, n) for n in range(1, 32)}


def school_b_objects(world) -> dict:
    """School B's traded records, one in each state the rows need (built through the services)."""
    traded = make_traded(world)
    school, manager = world.users["school_b"], world.users["la_manager"]

    def book(name, day, units="1"):
        return services.booking_request(user=school, school=world.school_b, service=traded.service(name),
                                        units=units, preferred_dates=[day], funding="payg")

    def confirm(booking, day):
        booking.refresh_from_db()
        services.booking_confirm(user=manager, booking=booking, expected_version=booking.version,
                                 officer=traded.officer, dates=[(day, Decimal("1.0"))])
        booking.refresh_from_db()
        return booking

    requested = book("Register audit", DEC[1])
    confirmed = confirm(book("Peer mentor training", DEC[2]), DEC[2])
    late = confirm(book("Peer mentor training", DEC[3]), DEC[3])
    services.booking_cancel(user=school, booking=late, expected_version=late.version, reason="Staff illness")
    delivered = confirm(book("Peer mentor training", DEC[4]), DEC[4])
    BookingDate.objects.filter(booking=delivered).update(date=datetime.date(2026, 11, 20))
    delivered.refresh_from_db()
    services.booking_deliver(user=manager, booking=delivered, expected_version=delivered.version,
                             delivered_units="1")
    invoice = services.invoice_run(user=manager, period_kind="month", month=datetime.date(2026, 11, 1),
                                   school=world.school_b)[0]
    package = services.package_buy(user=school, school=world.school_b, academic_year=traded.year, role="officer",
                                   days="5", schedule="seven_five")
    commitment = OfficerCommitment.objects.create(officer=traded.officer, date=DEC[7], days=Decimal("1.0"),
                                                  kind="casework", created_by=manager)
    return {"traded_service": traded.service("Register audit").pk, "traded_tier": DiscountTier.objects.first().pk,
            "traded_booking": requested.pk, "traded_booking_confirmed": confirmed.pk, "traded_booking_late": late.pk,
            "traded_package": package.pk, "traded_invoice": invoice.pk, "traded_commitment": commitment.pk}


@pytest.fixture
def traded_targets(world) -> dict:
    return school_b_objects(world)
