"""Annual packages, invoice runs (month, term, 7/12 + 5/12), payments and credit notes, with worked totals.

Rates (seed 000): Adviser £340/£190, Officer £225/£125, Legal £275/£155; tiers 5% from 5 days, 10% from 10, 15% from
20; VAT 20%; late cancellation 50% with 10 school days' notice. The clock is Monday 23 November 2026."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from interventions.models import BookingDate, Invoice, InvoiceLine, Package
from interventions.traded import selectors, services
from schools.models import AuditEvent
from tests.traded.test_bookings import DEC, confirm, request

pytestmark = pytest.mark.django_db

NOV = {n: datetime.date(2026, 11, n) for n in range(1, 31)}


def deliver(world, traded, booking, units=None, on=NOV[20]):
    """Confirm for 1 December, then (as if the dates had come) move them to ``on`` and record delivery."""
    booking.refresh_from_db()
    days = booking.days
    dates, day = [], DEC[1]
    while days > 0:
        part = min(days, D("1.0"))
        dates.append((day, part))
        days -= part
        day += datetime.timedelta(days=1)
    confirm(world, traded, booking, dates)
    for n, booked in enumerate(BookingDate.objects.filter(booking=booking).order_by("date")):
        booked.date = on - datetime.timedelta(days=len(dates) - 1 - n)
        booked.save()
    booking.refresh_from_db()
    return services.booking_deliver(user=world.users["la_manager"], booking=booking,
                                    expected_version=booking.version, delivered_units=units or booking.units)


def buy(world, traded, days="7", role="adviser", schedule="seven_five", user="school_b", school=None) -> Package:
    return services.package_buy(user=world.users[user], school=school or world.school_b, academic_year=traded.year,
                                role=role, days=days, schedule=schedule)


def test_package_price_with_tier_and_vat(world, traded):
    package = buy(world, traded, days="7", role="adviser")
    assert (package.list_net, package.discount_percent, package.net, package.vat, package.total) == (
        D("2380.00"), D("5.00"), D("2261.00"), D("452.20"), D("2713.20"))
    small = buy(world, traded, days="4.5", role="officer")
    assert (small.list_net, small.discount_percent, small.net) == (D("1025.00"), D("0.00"), D("1025.00"))
    big = buy(world, traded, days="20", role="officer")
    assert (big.list_net, big.discount_percent, big.net, big.vat) == (D("4500.00"), D("15.00"), D("3825.00"),
                                                                      D("765.00"))


@pytest.mark.parametrize(("days", "message"), [("0", "at least 1 day"), ("-3", "at least 1 day"),
                                                ("2.25", "whole or half days"), ("x", "as a number")])
def test_bad_package_days(world, traded, days, message):
    with pytest.raises(ValidationError, match=message):
        buy(world, traded, days=days)
    assert not Package.objects.exists()


def test_bookings_draw_on_a_package(world, traded):
    package = buy(world, traded, days="2", role="officer")
    booking = request(world, traded, name="Register audit", units="3", funding="package", package=package)
    assert booking.package_days == D("1.5") and booking.quote.total == 0
    with pytest.raises(ValidationError, match="has 0.5 days left; this booking needs 1 day"):
        request(world, traded, name="Register audit", units="2", funding="package", package=package)
    with pytest.raises(ValidationError, match="holds Behaviour and Attendance Officer days"):
        request(world, traded, name="Emotional literacy assessment", units="1", funding="package", package=package,
                pupils=[world.pupil_b])
    row = selectors.package_list(user=world.users["school_b"]).get(pk=package.pk)
    assert (row.days_used, row.days_reserved, row.days_remaining) == (D("0"), D("1.5"), D("0.5"))
    deliver(world, traded, booking, units="2")  # two of the three half days
    row = selectors.package_list(user=world.users["school_b"]).get(pk=package.pk)
    assert (row.days_used, row.days_reserved, row.days_remaining) == (D("1.0"), D("0"), D("1.0"))
    assert booking.invoice_lines.count() == 0
    other = buy(world, traded, days="2", role="officer", user="school_a", school=world.school_a)
    with pytest.raises(ValidationError, match="school's active packages"):
        request(world, traded, name="Register audit", units="1", funding="package", package=other)


def test_month_invoice_worked_example(world, traded):
    """November for Beta Academy: a register audit (2 half days, £250), peer mentor training delivered for 1.5 of 2
    days (£350) and a late cancellation of a 1-day service at 50% (£112.50); VAT 20% on each line."""
    audit = deliver(world, traded, request(world, traded, units="2"))
    mentor = deliver(world, traded, request(world, traded, name="Peer mentor training", units="2", dates=(DEC[2],)),
                     units="1.5")
    late = request(world, traded, name="Peer mentor training", units="1", dates=(DEC[3],))
    confirm(world, traded, late, [(DEC[3], "1.0")])
    late.refresh_from_db()
    services.booking_cancel(user=world.users["school_b"], booking=late, expected_version=late.version,
                            reason="Trip clash")
    request(world, traded, units="1", dates=(DEC[4],))  # only requested: not invoiced
    elsewhere = deliver(world, traded, request(world, traded, units="1", user="school_a", school=world.school_a))

    invoices = services.invoice_run(user=world.users["la_manager"], period_kind="month", month=NOV[1])
    assert [i.school for i in invoices] == [world.school_a, world.school_b]
    invoice = invoices[1]
    assert invoice.number == f"INV-{invoice.pk:06d}" and invoice.period_label == "November 2026"
    assert invoice.due_on == datetime.date(2026, 12, 23) and invoice.status == Invoice.Status.ISSUED
    lines = list(invoice.lines.order_by("position"))
    assert [(line.booking, line.net, line.vat) for line in lines] == [
        (audit, D("250.00"), D("50.00")), (mentor, D("350.00"), D("70.00")), (late, D("112.50"), D("22.50"))]
    assert (invoice.net, invoice.vat, invoice.total) == (D("712.50"), D("142.50"), D("855.00"))
    assert all(line.term == traded.autumn for line in lines)
    assert "late cancellation" in lines[2].description and lines[2].discount_percent == D("50.00")
    assert invoices[0].lines.get().booking == elsewhere
    assert AuditEvent.objects.filter(object_type="interventions.Invoice", object_id=str(invoice.pk)).exists()


def test_invoicing_a_period_twice_is_refused_and_nothing_is_saved(world, traded):
    deliver(world, traded, request(world, traded, units="2"))
    manager = world.users["la_manager"]
    first = services.invoice_run(user=manager, period_kind="month", month=NOV[1])
    deliver(world, traded, request(world, traded, units="1", user="school_a", school=world.school_a))
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.invoice_run(user=manager, period_kind="month", month=NOV[1])
    assert caught.value.message_dict["period_kind"][0] == (
        f"November 2026 was already invoiced on 23 November 2026 (1 invoice, from {first[0].number}). A period is "
        "invoiced once: nothing was raised. Charges that arose since go on the next period's invoices.")
    with pytest.raises(ValidationError, match=f"Beta Academy was already invoiced for November 2026: "
                                              f"{first[0].number}"):
        services.invoice_run(user=manager, period_kind="month", month=NOV[1], school=world.school_b)
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), AuditEvent.objects.count()) == before
    # A school not yet invoiced for the period can be, on its own; a later period picks up what is left.
    services.invoice_run(user=manager, period_kind="month", month=NOV[1], school=world.school_a)
    with pytest.raises(ValidationError, match="No school has anything to invoice for Autumn term 2026/27"):
        services.invoice_run(user=manager, period_kind="term", term=traded.autumn)


def test_nothing_to_invoice_and_bad_dates(world, traded):
    manager = world.users["la_manager"]
    with pytest.raises(ValidationError, match="No school has anything to invoice"):
        services.invoice_run(user=manager, period_kind="month", month=NOV[1])
    with pytest.raises(ValidationError, match="future"):
        services.invoice_run(user=manager, period_kind="month", month=NOV[1], issued_on=DEC[1])
    with pytest.raises(PermissionDenied):
        services.invoice_run(user=world.users["la_officer"], period_kind="month", month=NOV[1])
    assert not Invoice.objects.exists()


def test_seven_twelfths_then_five_twelfths(world, traded):
    package = buy(world, traded, days="7", role="adviser")  # £2,261.00 + £452.20
    single = buy(world, traded, days="2", role="officer", schedule="single", user="school_a", school=world.school_a)
    manager = world.users["la_manager"]
    first = services.invoice_run(user=manager, period_kind="package_7_12", academic_year=traded.year)
    assert len(first) == 1
    line = first[0].lines.get()
    assert (line.net, line.vat, line.instalment, line.term) == (D("1318.92"), D("263.78"), 1, traded.autumn)
    assert first[0].period_label == "Annual packages 2026/27: 7/12 (September to March)"
    # A single-invoice package goes on the next month or term invoice.
    month = services.invoice_run(user=manager, period_kind="month", month=NOV[1])
    assert [i.school for i in month] == [world.school_a]
    assert month[0].lines.get().package == single and month[0].total == D("540.00")
    with pytest.raises(ValidationError, match="5/12"):
        services.invoice_run(user=manager, period_kind="package_5_12", academic_year=traded.year)
    # From April the second instalment: the remainder, so both add up to the price quoted.
    with time_machine.travel(datetime.datetime(2027, 4, 6, 9, 0, tzinfo=datetime.UTC)):
        assert timezone.localdate() == datetime.date(2027, 4, 6)
        second = services.invoice_run(user=manager, period_kind="package_5_12", academic_year=traded.year)
    line2 = second[0].lines.get()
    assert (line2.net, line2.vat, line2.term) == (D("942.08"), D("188.42"), traded.summer)
    assert line.net + line2.net == package.net and line.vat + line2.vat == package.vat
    assert first[0].total + second[0].total == D("2713.20")


def test_payment_and_credit_note(world, traded):
    deliver(world, traded, request(world, traded, units="2"))
    deliver(world, traded, request(world, traded, name="Peer mentor training", units="1", dates=(DEC[2],)))
    manager = world.users["la_manager"]
    invoice = services.invoice_run(user=manager, period_kind="month", month=NOV[1])[0]
    lines = list(invoice.lines.order_by("position"))
    with pytest.raises(ValidationError, match="Say why"):
        services.credit_note_create(user=manager, invoice=invoice, lines=lines[:1], reason="")
    credit = services.credit_note_create(user=manager, invoice=invoice, lines=lines[:1],
                                         reason="Audit was not completed.")
    assert credit.number.startswith("CRN-") and credit.credits == invoice
    assert (credit.net, credit.vat, credit.total) == (D("-250.00"), D("-50.00"), D("-300.00"))
    with pytest.raises(ValidationError, match="already been credited"):
        services.credit_note_create(user=manager, invoice=invoice, lines=lines[:1], reason="Again")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    services.invoice_mark_paid(user=manager, invoice=invoice, expected_version=invoice.version, paid_on=NOV[23],
                               payment_reference="BACS 1234")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == NOV[23]
    with pytest.raises(ValidationError, match="Only an issued invoice"):
        services.invoice_mark_paid(user=manager, invoice=invoice, expected_version=invoice.version, paid_on=NOV[23])
    income = {row["service__intervention__name"]: row["net"]
              for row in selectors.income_by_service(user=manager, terms=[traded.autumn])}
    assert income == {"Register audit": D("0.00"), "Peer mentor training": D("225.00")}


def test_waiving_a_late_charge_before_and_after_invoicing(world, traded):
    manager, school = world.users["la_manager"], world.users["school_b"]

    def late_cancel(day):
        booking = request(world, traded, name="Peer mentor training", units="1", dates=(day,))
        confirm(world, traded, booking, [(day, "1.0")])
        booking.refresh_from_db()
        services.booking_cancel(user=school, booking=booking, expected_version=booking.version, reason="Closure")
        booking.refresh_from_db()
        return booking

    early = late_cancel(DEC[1])
    services.late_charge_waive(user=manager, booking=early, expected_version=early.version, reason="Snow closure")
    early.refresh_from_db()
    assert early.charge is None and "Charge waived: Snow closure" in early.cancellation_reason
    invoiced = late_cancel(DEC[2])
    invoice = services.invoice_run(user=manager, period_kind="month", month=NOV[1])[0]
    assert invoice.total == D("135.00")
    credit = services.late_charge_waive(user=manager, booking=invoiced, expected_version=invoiced.version,
                                        reason="Agreed at the SLA review")
    assert isinstance(credit, Invoice) and credit.total == D("-135.00")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED


def test_package_cancellation_credits_unused_days(world, traded):
    """10 Officer days at 10% off: £2,025.00 + £405.00. 7/12 invoiced (£1,181.25 + £236.25). The school used 3 days,
    so it pays 3/10 of the price (£607.50 + £121.50) and £573.75 + £114.75 comes back as a credit note."""
    package = buy(world, traded, days="10", role="officer")
    manager = world.users["la_manager"]
    services.invoice_run(user=manager, period_kind="package_7_12", academic_year=traded.year)
    used = deliver(world, traded, request(world, traded, name="Peer mentor training", units="3", funding="package",
                                          package=package))
    pending = request(world, traded, units="1", funding="package", package=package, dates=(DEC[10],))
    package.refresh_from_db()
    with pytest.raises(ValidationError, match=f"still draw on this package \\({pending.reference}\\)"):
        services.package_cancel(user=manager, package=package, expected_version=package.version, reason="Budget")
    services.booking_decline(user=manager, booking=pending, expected_version=pending.version, reason="Use PAYG")
    services.package_cancel(user=manager, package=package, expected_version=package.version, reason="Budget cut")
    package.refresh_from_db()
    assert used.package_days == D("3.0")
    assert (package.status, package.settled_net, package.settled_vat) == ("cancelled", D("607.50"), D("121.50"))
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert (credit.net, credit.vat) == (D("-573.75"), D("-114.75"))
    assert "7 days unused of 10 days" in credit.lines.get().description
    net_billed = sum(InvoiceLine.objects.filter(package=package).values_list("net", flat=True))
    assert net_billed == D("607.50")


def test_the_invoice_pdf_is_complete_for_a_schools_finance_office(world, traded, client):
    """The council's name, address and VAT registration number, how to pay (remittance details), the school's
    purchase order, and each credit note raised against the invoice."""
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    from interventions.models import TradedPolicy
    from schools.models import LocalAuthority

    LocalAuthority.objects.update(address="County Hall\nLewes\nBN7 1UE", phone="01632 960000",
                                  email="traded@example.com")
    policy = TradedPolicy.current()
    policy.vat_registration_number = "GB 999 9999 73"
    policy.payment_instructions = "BACS: sort code 00-00-00, account 00000000."
    policy.save()
    deliver(world, traded, request(world, traded, units="2", purchase_order="PO-4471"))
    manager = world.users["la_manager"]
    invoice = services.invoice_run(user=manager, period_kind="month", month=NOV[1])[0]
    credit = services.credit_note_create(user=manager, invoice=invoice, lines=list(invoice.lines.all())[:1],
                                         reason="Audit was not completed.")
    client.force_login(world.users["school_b"])
    content = client.get(reverse("traded:invoice_pdf", args=[invoice.pk])).content
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    for expected in ["Test County Council", "County Hall", "BN7 1UE", "VAT registration number GB 999 9999 73",
                     "Your purchase order PO-4471", "sort code 00-00-00", f"quoting {invoice.number}",
                     f"Credit notes against this invoice {credit.number}", "Audit was not completed."]:
        assert expected in text, expected
