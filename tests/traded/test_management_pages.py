"""The LA's traded pages: catalogue and rate card upkeep, officer time, payments, credit notes, waivers, package
cancellation, capacity and income. Refusals are shown at the field and change nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from interventions.models import (
    BookingDate,
    DiscountTier,
    Intervention,
    Invoice,
    OfficerCommitment,
    Package,
    Rate,
    TradedService,
)
from interventions.traded import services
from tests.traded.test_bookings import DEC, confirm, request
from tests.traded.test_pages import date_fields

pytestmark = pytest.mark.django_db


def _delivered_invoice(world, traded, units="2"):
    booking = request(world, traded, units=units)
    confirm(world, traded, booking, [(DEC[1], "1.0")] if D(units) == 2 else [(DEC[1], "0.5")])
    BookingDate.objects.filter(booking=booking).update(date=datetime.date(2026, 11, 20))
    booking.refresh_from_db()
    services.booking_deliver(user=world.users["la_manager"], booking=booking, expected_version=booking.version,
                             delivered_units=units)
    return services.invoice_run(user=world.users["la_manager"], period_kind="month",
                                month=datetime.date(2026, 11, 1))[0]


def _service_form(service, **change):
    data = {"role": service.role, "unit": service.unit, "unit_days": service.unit_days, "charging": service.charging,
            "core_function": service.core_function, "vat_treatment": service.vat_treatment,
            "pupils": service.pupils, "is_offered": "on", "version": service.version}
    data.update(change)
    return data


def test_admin_cannot_price_a_core_function_on_the_page(world, traded, client):
    client.force_login(world.users["la_admin"])
    tsm = traded.service("Targeting support meeting")
    response = client.post(reverse("traded:service_edit", args=[tsm.pk]), _service_form(tsm, charging="charged"))
    assert response.status_code == 200 and "must not be traded" in response.content.decode()
    tsm.refresh_from_db()
    assert tsm.charging == "free" and tsm.version == 1
    audit = traded.service("Register audit")
    response = client.post(reverse("traded:service_edit", args=[audit.pk]),
                           _service_form(audit, vat_treatment="exempt"))
    assert response.status_code == 302
    assert TradedService.objects.get(pk=audit.pk).vat_treatment == "exempt"


def test_admin_adds_a_catalogue_entry_to_the_traded_offer(world, traded, client):
    client.force_login(world.users["la_admin"])
    home_visit = Intervention.objects.get(name="Home visit")
    caution = Intervention.objects.get(name="Caution")
    data = {"intervention": caution.pk, "role": "legal", "unit": "half_day", "unit_days": "0.5",
            "charging": "charged", "core_function": "", "vat_treatment": "standard", "pupils": "required",
            "is_offered": "on"}
    response = client.post(reverse("traded:service_create"), data)
    assert "legal intervention, a core function" in response.content.decode()
    assert not TradedService.objects.filter(intervention=caution).exists()
    response = client.post(reverse("traded:service_create"), {**data, "intervention": home_visit.pk,
                                                              "role": "officer", "unit": "session",
                                                              "unit_days": "1.5"})
    service = TradedService.objects.get(intervention=home_visit)
    assert response.status_code == 302 and (service.unit, service.unit_days) == ("session", D("1.5"))
    # The seed rate card has no session prices: the catalogue says so rather than inventing one.
    page = client.get(reverse("traded:service_detail", args=[service.pk])).content.decode()
    assert "cannot price this unit yet" in page


def test_rate_card_and_tiers_from_the_pages(world, traded, client):
    booked = request(world, traded, units="1")
    client.force_login(world.users["la_admin"])
    back_dated = date_fields("effective_from", datetime.date(2026, 11, 1))
    response = client.post(reverse("traded:rate_add"), {"role": "officer", **back_dated, "day_rate": "240",
                                                        "half_day_rate": "130"})
    assert "starts today or later" in response.content.decode() and Rate.objects.count() == 3
    today = date_fields("effective_from", datetime.date(2026, 11, 23))
    response = client.post(reverse("traded:rate_add"), {"role": "officer", **today, "day_rate": "240",
                                                        "half_day_rate": "130", "session_rate": "95",
                                                        "source": "Cabinet, 20 November"})
    assert response.status_code == 302 and Rate.objects.count() == 4
    catalogue = client.get(reverse("traded:catalogue")).content.decode()
    assert "£130.00" in catalogue
    booked.refresh_from_db()
    assert booked.unit_price == D("125.00")  # frozen on the booking
    response = client.post(reverse("traded:tier_add"), {"min_days": "5", "percent": "7.5"})
    assert "already exists" in response.content.decode()
    client.post(reverse("traded:tier_add"), {"min_days": "3", "percent": "2.5"})
    assert DiscountTier.objects.filter(min_days=3).exists()
    quote = services.package_quote(role="officer", days="4")
    assert (quote["list_net"], quote["discount_percent"], quote["net"]) == (D("960.00"), D("2.50"), D("936.00"))
    client.post(reverse("traded:tier_remove", args=[DiscountTier.objects.get(min_days=3).pk]))
    assert not DiscountTier.objects.filter(min_days=3).exists()


def test_officer_time_is_recorded_and_counted(world, traded, client):
    client.force_login(world.users["la_manager"])
    response = client.post(reverse("traded:commitment_add"), {"officer": traded.officer.pk,
                                                              **date_fields("date", datetime.date(2026, 12, 5)),
                                                              "days": "1.0", "kind": "casework"})
    assert "not a school day on the LA&#x27;s calendar" in response.content.decode()
    response = client.post(reverse("traded:commitment_add"), {"officer": traded.officer.pk,
                                                              **date_fields("date", DEC[1]), "days": "0.5",
                                                              "kind": "legal", "note": "Magistrates' court"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Legal intervention (court, interviews, evidence)" in page and "Magistrates" in page
    assert "How capacity is counted" in page and "<svg" in page
    commitment = OfficerCommitment.objects.get()
    client.post(reverse("traded:commitment_remove", args=[commitment.pk]))
    assert not OfficerCommitment.objects.exists()


def test_payment_credit_note_and_waiver_pages(world, traded, client):
    invoice = _delivered_invoice(world, traded)
    client.force_login(world.users["la_manager"])
    response = client.post(reverse("traded:invoice_paid", args=[invoice.pk]),
                           {**date_fields("paid_on", datetime.date(2026, 11, 1)), "version": invoice.version})
    assert "payment comes after" in response.content.decode()
    response = client.post(reverse("traded:invoice_paid", args=[invoice.pk]),
                           {**date_fields("paid_on", datetime.date(2026, 11, 23)), "version": invoice.version,
                            "payment_reference": "BACS 77"})
    assert response.status_code == 302 and Invoice.objects.get(pk=invoice.pk).status == "paid"
    line = invoice.lines.get()
    response = client.post(reverse("traded:credit_note_create", args=[invoice.pk]), {"lines": [line.pk]})
    assert "Enter why the credit note is raised" in response.content.decode()
    response = client.post(reverse("traded:credit_note_create", args=[invoice.pk]),
                           {"lines": [line.pk], "reason": "Audit repeated free of charge"})
    credit = Invoice.objects.get(kind="credit_note")
    assert response["Location"] == reverse("traded:invoice_detail", args=[credit.pk])
    assert "−£300.00" in client.get(response["Location"]).content.decode()


def test_waive_and_package_cancel_pages(world, traded, client):
    late = request(world, traded, name="Peer mentor training", units="1")
    confirm(world, traded, late, [(DEC[1], "1.0")])
    late.refresh_from_db()
    services.booking_cancel(user=world.users["school_b"], booking=late, expected_version=late.version,
                            reason="Closure")
    late.refresh_from_db()
    client.force_login(world.users["la_admin"])
    response = client.post(reverse("traded:booking_waive", args=[late.pk]),
                           {"reason": "Snow", "version": late.version})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.charge is None
    package = services.package_buy(user=world.users["school_b"], school=world.school_b, academic_year=traded.year,
                                   role="officer", days="5", schedule="seven_five")
    pending = request(world, traded, units="1", funding="package", package=package)
    response = client.post(reverse("traded:package_cancel", args=[package.pk]),
                           {"reason": "Budget", "version": package.version})
    assert f"still draw on this package ({pending.reference})" in response.content.decode()
    assert Package.objects.get(pk=package.pk).status == "active"


def test_income_page_totals(world, traded, client):
    _delivered_invoice(world, traded)
    services.package_buy(user=world.users["school_a"], school=world.school_a, academic_year=traded.year,
                         role="adviser", days="7", schedule="seven_five")
    services.invoice_run(user=world.users["la_manager"], period_kind="package_7_12", academic_year=traded.year)
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("traded:income")).content.decode()
    # £250.00 (register audit) + £1,318.92 (7/12 of 7 Adviser days at 5% off)
    assert 'data-testid="income-total">£1,568.92<' in page
    assert "Annual packages: Behaviour and Attendance Adviser" in page and "Alpha Primary" in page
    assert "Officers' time: statutory and traded" in page
