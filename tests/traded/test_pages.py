"""The traded pages through the test client: forms show what is wrong at the field and save nothing; the booking to
invoice journey; exports hold only the user's own school's rows; PDFs render; views of pupils are audited."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from interventions.models import Booking, BookingDate, Invoice, Package
from interventions.traded import services
from schools.models import AuditEvent
from tests.pdf_support import assert_tagged_pdf
from tests.traded.test_bookings import DEC, confirm, request

pytestmark = pytest.mark.django_db


def date_fields(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _errors(response) -> str:
    return response.content.decode()


def test_school_books_through_the_form(world, traded, client):
    client.force_login(world.users["school_b"])
    service = traded.service("Register audit")
    page = client.get(reverse("traded:booking_create"), {"service": service.pk}).content.decode()
    assert "Register audit (£125.00 per half day + VAT)" in page and "Targeting support meeting (free" in page
    data = {"school": world.school_b.pk, "service": service.pk, "units": "2", "funding": "payg",
            **date_fields("preferred_1", DEC[1]), "notes": "Before the governors' meeting"}
    response = client.post(reverse("traded:booking_create"), data)
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("traded:booking_detail",
                                                                           args=[booking.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Requested" in detail and "£250.00 + VAT £50.00 = £300.00" in detail


@pytest.mark.parametrize(("change", "message"), [
    ({"service": "Targeting support meeting", "funding": "payg"}, "free to every school and cannot be bought"),
    ({"units": "0"}, "more than 0"),
    ({"units": "-2"}, "more than 0"),
    ({"date": datetime.date(2026, 12, 25)}, "is not a school day at Beta Academy"),
    ({"service": "Observation and assessment of an individual student", "pupils": "A845201025001"},
     "no pupil you can see has the UPN A845201025001"),
])
def test_bad_booking_input_is_shown_at_the_field(world, traded, client, change, message):
    client.force_login(world.users["school_b"])
    service = traded.service(change.get("service", "Register audit"))
    data = {"school": world.school_b.pk, "service": service.pk, "units": change.get("units", "1"),
            "funding": change.get("funding", "payg"), **date_fields("preferred_1", change.get("date", DEC[1])),
            "pupils": change.get("pupils", "")}
    response = client.post(reverse("traded:booking_create"), data)
    assert response.status_code == 200
    assert message in _errors(response) and "govuk-error-summary" in _errors(response)
    assert not Booking.objects.exists()


def test_school_a_cannot_name_school_bs_pupil(world, traded, client):
    client.force_login(world.users["school_a"])
    data = {"school": world.school_a.pk, "service": traded.service("Social skills group work").pk, "units": "1",
            "funding": "payg", **date_fields("preferred_1", DEC[1]), "pupils": world.pupil_b.upn}
    response = client.post(reverse("traded:booking_create"), data)
    assert f"no pupil you can see has the UPN {world.pupil_b.upn}" in response.content.decode()
    assert not Booking.objects.exists()


def test_la_confirms_with_the_capacity_table_then_records_delivery(world, traded, client):
    booking = request(world, traded, name="Peer mentor training", units="1.5")
    client.force_login(world.users["la_manager"])
    url = reverse("traded:booking_confirm", args=[booking.pk])
    page = client.get(url).content.decode()
    assert "Officers' capacity: autumn term 2026/27" in page and "Olu Officer" in page
    assert "Pat Parttime" in page and "0.5 FTE" in page
    response = client.post(url, {"officer": traded.officer.pk, "version": booking.version,
                                 **date_fields("date_1", DEC[1]), "days_1": "1.0",
                                 **date_fields("date_2", DEC[2]), "days_2": "1.0"})
    assert "The dates add up to 2 days; this booking needs 1.5 days" in response.content.decode()
    response = client.post(url, {"officer": traded.officer.pk, "version": booking.version,
                                 **date_fields("date_1", DEC[1]), "days_1": "1.0",
                                 **date_fields("date_2", DEC[2]), "days_2": "0.5"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    BookingDate.objects.filter(booking=booking, days=D("1.0")).update(date=datetime.date(2026, 11, 19))
    BookingDate.objects.filter(booking=booking, days=D("0.5")).update(date=datetime.date(2026, 11, 20))
    client.force_login(traded.officer)
    response = client.post(reverse("traded:booking_deliver", args=[booking.pk]),
                           {"delivered_units": "1.5", "version": booking.version, "notes": "Done"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DELIVERED


def test_invoice_run_page_refuses_a_second_run(world, traded, client):
    booking = request(world, traded, units="1")
    confirm(world, traded, booking, [(DEC[1], "0.5")])
    BookingDate.objects.filter(booking=booking).update(date=datetime.date(2026, 11, 20))
    booking.refresh_from_db()
    services.booking_deliver(user=world.users["la_manager"], booking=booking, expected_version=booking.version,
                             delivered_units="1")
    client.force_login(world.users["la_manager"])
    data = {"period_kind": "month", "month": "2026-11-01"}
    response = client.post(reverse("traded:invoice_run"), data)
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    assert client.get(response["Location"]).status_code == 200
    response = client.post(reverse("traded:invoice_run"), data)
    assert "November 2026 was already invoiced on 23 November 2026" in response.content.decode()
    assert Invoice.objects.count() == 1
    pdf = client.get(reverse("traded:invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_tagged_pdf(pdf.content, title=invoice.number, roles={"H1", "Table", "TH"})
    client.force_login(world.users["school_b"])
    assert client.get(reverse("traded:invoice_pdf", args=[invoice.pk])).status_code == 200
    client.force_login(world.users["school_a"])
    assert client.get(reverse("traded:invoice_pdf", args=[invoice.pk])).status_code == 404
    assert client.get(reverse("traded:invoice_detail", args=[invoice.pk])).status_code == 404


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_hold_only_the_schools_own_rows_and_neutralise_formulas(world, traded, client):
    mine = request(world, traded, user="school_a", school=world.school_a, purchase_order="=HYPERLINK(\"x\")")
    request(world, traded)
    client.force_login(world.users["school_a"])
    rows = _rows(client.get(reverse("traded:booking_export"), {"format": "csv"}))
    assert [r["Booking"] for r in rows] == [mine.reference]
    assert rows[0]["Purchase order"].startswith("'=")
    assert rows[0]["Quoted net"] == "250.00"
    xlsx = client.get(reverse("traded:booking_export"), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    client.force_login(world.users["la_officer"])
    assert len(_rows(client.get(reverse("traded:booking_export")))) == 2
    catalogue = _rows(client.get(reverse("traded:catalogue_export"), {"charging": "free"}))
    assert {r["Charging"] for r in catalogue} == {"Free to schools (statutory)"}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="interventions.Booking").count() == 3


def test_finance_export_has_one_row_per_line_with_negative_credits(world, traded, client):
    manager = world.users["la_manager"]
    booking = request(world, traded, units="2")
    confirm(world, traded, booking, [(DEC[1], "1.0")])
    BookingDate.objects.filter(booking=booking).update(date=datetime.date(2026, 11, 20))
    booking.refresh_from_db()
    services.booking_deliver(user=manager, booking=booking, expected_version=booking.version, delivered_units="2")
    invoice = services.invoice_run(user=manager, period_kind="month", month=datetime.date(2026, 11, 1))[0]
    services.credit_note_create(user=manager, invoice=invoice, lines=list(invoice.lines.all()), reason="Error")
    client.force_login(manager)
    rows = _rows(client.get(reverse("traded:invoice_export")))
    assert [(r["Document type"], r["Net"], r["VAT"], r["Gross"], r["VAT code"]) for r in rows] == [
        ("INV", "250.00", "50.00", "300.00", "S"), ("CRN", "-250.00", "-50.00", "-300.00", "S")]
    assert rows[0]["Customer reference (LAESTAB)"] == world.school_b.laestab
    assert rows[1]["Credits invoice"] == invoice.number
    client.force_login(world.users["school_a"])
    assert _rows(client.get(reverse("traded:invoice_export"))) == []


def test_lists_show_only_the_schools_own_records(world, traded, client):
    request(world, traded)
    services.package_buy(user=world.users["school_b"], school=world.school_b, academic_year=traded.year,
                         role="officer", days="5", schedule="seven_five")
    services.invoice_run(user=world.users["la_manager"], period_kind="package_7_12", academic_year=traded.year)
    client.force_login(world.users["school_a"])
    for name in ("traded:booking_list", "traded:package_list", "traded:invoice_list", "traded:home"):
        page = client.get(reverse(name)).content.decode()
        assert "Beta Academy" not in page, name
    client.force_login(world.users["school_b"])
    for name in ("traded:booking_list", "traded:package_list", "traded:invoice_list"):
        assert "Beta Academy" in client.get(reverse(name)).content.decode(), name


def test_booking_page_records_a_view_of_each_pupil(world, traded, client):
    booking = request(world, traded, name="Social skills group work", units="1", pupils=[world.pupil_b, world.moved])
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("traded:booking_detail", args=[booking.pk])).content.decode()
    assert "Ben Able" in page
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="interventions.Booking")
    assert set(views.values_list("pupil_id", flat=True)) == {world.pupil_b.pk, world.moved.pk}


def test_a_stale_form_is_refused_and_says_so(world, traded, client):
    booking = request(world, traded)
    client.force_login(world.users["la_manager"])
    url = reverse("traded:booking_decline", args=[booking.pk])
    services.booking_decline(user=world.users["la_officer"], booking=booking, expected_version=1, reason="Full")
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.REQUESTED)  # as if reopened elsewhere
    response = client.post(url, {"reason": "Also full", "version": 1}, follow=True)
    assert "Someone else saved changes to this booking" in response.content.decode()
    booking.refresh_from_db()
    assert booking.decline_reason == "Full"


def test_package_page_shows_consumption(world, traded, client):
    package = services.package_buy(user=world.users["school_b"], school=world.school_b, academic_year=traded.year,
                                   role="officer", days="3", schedule="seven_five")
    request(world, traded, units="2", funding="package", package=package)
    client.force_login(world.users["school_b"])
    page = client.get(reverse("traded:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="days-reserved">1 day<' in page and 'data-testid="days-left">2 days<' in page
    assert "£810.00" in page  # 3 x £225 = £675 + £135 VAT: no tier below 5 days
    assert Package.objects.get().net == D("675.00")
