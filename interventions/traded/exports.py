"""CSV and XLSX exports of the traded catalogue, bookings and invoices (the last for the council's finance system:
one row per invoice or credit-note line, with the customer reference, VAT code and ledger code).

Rows are exactly the filtered, scoped list the user is looking at. Text a spreadsheet would run as a formula is
neutralised (schools.exports.safe_cell). Amounts and quantities are numbers the service computed, so they are
written as numbers (two decimal places for money; a credit note's "-250.00" must reach the ledger as a negative
number, not as neutralised text).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from schools.exports import safe_cell


def _money(value):
    return "" if value is None else Decimal(value).quantize(Decimal("0.01"))


def _number(value):
    return "" if value is None else Decimal(value).normalize()


def _date(value) -> str:
    return value.isoformat() if value else ""


def catalogue_columns():
    return [
        ("Service", lambda s: s.name),
        ("Strand", lambda s: s.intervention.get_strand_display()),
        ("Delivered by (rate-card role)", lambda s: s.get_role_display()),
        ("Staff (catalogue)", lambda s: s.intervention.staff_role),
        ("Unit", lambda s: s.get_unit_display()),
        ("Officer days per unit", lambda s: _number(s.unit_days)),
        ("Charging", lambda s: s.get_charging_display()),
        ("Core function", lambda s: s.get_core_function_display() if s.core_function else ""),
        ("Price per unit (net)", lambda s: _money(s.price.unit_price) if s.price else ""),
        ("VAT treatment", lambda s: s.get_vat_treatment_display()),
        ("VAT rate %", lambda s: _money(s.price.vat_rate) if s.price else ""),
        ("Pupils", lambda s: s.get_pupils_display()),
        ("Likely duration", lambda s: s.intervention.likely_duration),
    ]


def booking_columns():
    def charge(b, part):
        money = b.charge
        return _money(getattr(money, part)) if money else ""

    return [
        ("Booking", lambda b: b.reference),
        ("School", lambda b: b.school.name),
        ("URN", lambda b: b.school.urn),
        ("Service", lambda b: b.service.name),
        ("Status", lambda b: b.get_status_display()),
        ("Funding", lambda b: b.get_funding_display()),
        ("Package", lambda b: b.package.reference if b.package_id else ""),
        ("Units booked", lambda b: _number(b.units)),
        ("Unit", lambda b: b.service.get_unit_display()),
        ("Unit price (frozen)", lambda b: _money(b.unit_price)),
        ("Priced on", lambda b: _date(b.priced_on)),
        ("Quoted net", lambda b: _money(b.quote.net)),
        ("Preferred dates", lambda b: " ".join(b.preferred_dates or [])),
        ("Officer", lambda b: b.officer.display_name if b.officer_id else ""),
        ("First booked date", lambda b: _date(getattr(b, "first_date", None))),
        ("Units delivered", lambda b: _number(b.delivered_units)),
        ("Delivered on", lambda b: _date(b.delivered_on)),
        ("Cancelled late", lambda b: "yes" if b.cancelled_late else ""),
        ("Charge net", lambda b: charge(b, "net")),
        ("Charge VAT", lambda b: charge(b, "vat")),
        ("Invoice", lambda b: getattr(b, "invoice_number", None) or ""),
        ("Purchase order", lambda b: b.purchase_order),
        ("Requested", lambda b: _date(b.requested_at.date())),
    ]


def invoice_line_columns(ledger_code: str):
    """The finance system export: one row per line; credit notes have negative amounts."""
    return [
        ("Document type", lambda line: "CRN" if line.invoice.is_credit_note else "INV"),
        ("Document number", lambda line: line.invoice.number),
        ("Credits invoice", lambda line: line.invoice.credits.number if line.invoice.credits_id else ""),
        ("Customer reference (LAESTAB)", lambda line: line.invoice.school.laestab),
        ("Customer", lambda line: line.invoice.school.name),
        ("URN", lambda line: line.invoice.school.urn),
        ("Issue date", lambda line: _date(line.invoice.issued_on)),
        ("Due date", lambda line: _date(line.invoice.due_on)),
        ("Period", lambda line: line.invoice.period_label),
        ("Status", lambda line: line.invoice.get_status_display()),
        ("Line", lambda line: str(line.position)),
        ("Description", lambda line: line.description),
        ("Purchase order", lambda line: (line.booking.purchase_order if line.booking_id
                                         else line.package.purchase_order if line.package_id else "")),
        ("Quantity", lambda line: _number(line.quantity)),
        ("Unit", lambda line: line.unit_label),
        ("Unit price", lambda line: _money(line.unit_price)),
        ("Discount %", lambda line: _money(line.discount_percent)),
        ("Net", lambda line: _money(line.net)),
        ("VAT code", lambda line: line.vat_code),
        ("VAT rate %", lambda line: _money(line.vat_rate)),
        ("VAT", lambda line: _money(line.vat)),
        ("Gross", lambda line: _money(line.total)),
        ("Ledger code", lambda line: ledger_code),
        ("Service date", lambda line: _date(line.service_date)),
    ]


def _rows(columns, objects):
    iterator = objects.iterator(chunk_size=2000) if hasattr(objects, "iterator") and not isinstance(
        objects, list) else objects
    for obj in iterator:
        yield [getter(obj) for _, getter in columns]


def _cell(value):
    """Numbers as numbers; everything else as text with formula-looking text neutralised."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return safe_cell(value)


def to_csv(columns, objects) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for title, _ in columns])
    for row in _rows(columns, objects):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(columns, objects, *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([name for name, _ in columns])
    for row in _rows(columns, objects):
        sheet.append([value if isinstance(value, Decimal) else ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))
                      for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
