"""Reads for traded services. Every selector takes the user and starts from a scoped queryset: school users reach
only their own schools' bookings, packages and invoices (interventions.models.traded.SchoolLinkedQuerySet), and a
lookup outside that scope raises Http404.

The figures managers read (officer capacity and the statutory/traded split, income by service, school and term) are
computed set-wise in SQL: one query per table whatever the number of officers, bookings or invoice lines. The
reporting pages reuse them; their names say what they return.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Floor
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import TargetingSupportMeeting
from interventions.models import (
    Booking,
    BookingDate,
    BookingPupil,
    DiscountTier,
    Invoice,
    InvoiceLine,
    OfficerCommitment,
    Package,
    Rate,
    TradedOfficer,
    TradedPolicy,
    TradedService,
)
from interventions.models.traded import TradedRole
from interventions.traded import rules
from schools.models import AcademicYear, School, Term
from schools.school_days import current_la_term, la_terms, school_days_between

DAYS_FIELD = DecimalField(max_digits=8, decimal_places=1)
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
NO_DAYS = Value(Decimal("0.0"), output_field=DAYS_FIELD)
NO_MONEY = Value(Decimal("0.00"), output_field=MONEY_FIELD)


def _today() -> datetime.date:
    return timezone.localdate()


# --- Catalogue and rate card ----------------------------------------------------------------------------------------

def rates_in_force(on: datetime.date | None = None) -> dict[str, Rate]:
    """The rate-card row in force for each role on a day (one query)."""
    on = on or _today()
    rates: dict[str, Rate] = {}
    for rate in Rate.objects.filter(effective_from__lte=on).order_by("role", "-effective_from"):
        rates.setdefault(rate.role, rate)
    return rates


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    half_unit_price: Decimal | None
    vat_rate: Decimal
    rate: Rate | None

    @property
    def vat(self) -> Decimal:
        from interventions.traded.rules import vat_on

        return vat_on(self.unit_price, self.vat_rate)


def attach_prices(services, *, on: datetime.date | None = None) -> list[TradedService]:
    """Each service with ``.price`` (a Price at today's rate card, or None when the card cannot price it)."""
    rates = rates_in_force(on)
    policy = TradedPolicy.current()
    services = list(services)
    for service in services:
        rate = rates.get(service.role)
        try:
            unit, half = service.unit_prices(rate)
        except ValueError:
            service.price = None
            continue
        service.price = Price(unit, half, policy.vat_rate_for(service.vat_treatment), rate)
    return services


def service_list(*, user):
    """The traded catalogue: offered services with their catalogue entry (not pupil data: every user of traded
    services reads it)."""
    return TradedService.objects.offered().select_related("intervention")


def service_all(*, user):
    return TradedService.objects.select_related("intervention")


def service_get(*, user, pk: int) -> TradedService:
    return get_object_or_404(service_all(user=user), pk=pk)


def rate_card(*, user):
    return Rate.objects.select_related("created_by").order_by("role", "-effective_from")


def tiers(*, user):
    return DiscountTier.objects.order_by("min_days")


# --- Bookings -------------------------------------------------------------------------------------------------------

def _first_date(booking_ref="pk"):
    return BookingDate.objects.filter(booking=OuterRef(booking_ref)).order_by("date").values("date")[:1]


def booking_list(*, user):
    """Bookings the user may see, with school, service, officer, first booked date and invoice number joined or
    annotated, so a page of bookings is one query."""
    lines = InvoiceLine.objects.filter(booking=OuterRef("pk"))
    return (
        Booking.objects.visible_to(user)
        .select_related("school", "service__intervention", "officer", "package")
        .annotate(first_date=Subquery(_first_date()),
                  invoice_number=Subquery(lines.values("invoice__number")[:1]),
                  invoice_id=Subquery(lines.values("invoice_id")[:1]))
    )


def booking_get(*, user, pk: int) -> Booking:
    pupils = BookingPupil.objects.select_related("pupil").order_by("pupil__legal_last_name", "pupil__legal_first_name")
    queryset = booking_list(user=user).select_related(
        "requested_by", "confirmed_by", "declined_by", "delivered_by", "cancelled_by", "rate").prefetch_related(
        Prefetch("dates", queryset=BookingDate.objects.order_by("date")),
        Prefetch("booking_pupils", queryset=pupils))
    return get_object_or_404(queryset, pk=pk)


def booking_for_update(*, user, pk: int) -> Booking:
    """A fresh copy for a service to change (the page's copy may carry annotations and stale values)."""
    return get_object_or_404(Booking.objects.visible_to(user).select_related("service__intervention", "school",
                                                                            "package"), pk=pk)


# --- Packages -------------------------------------------------------------------------------------------------------

def _package_days(status_filter: Q):
    return Coalesce(Subquery(
        Booking.objects.filter(status_filter, package=OuterRef("pk")).values("package")
        .annotate(days=Sum("package_days")).values("days")), NO_DAYS)


RESERVED = Q(status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED])
USED = Q(status__in=[Booking.Status.DELIVERED, Booking.Status.CANCELLED])


def package_list(*, user):
    """Packages the user may see with days used (delivered or cancelled late), reserved (requested or confirmed)
    and remaining, computed in the same query."""
    return (
        Package.objects.visible_to(user)
        .select_related("school", "academic_year")
        .annotate(days_used=_package_days(USED), days_reserved=_package_days(RESERVED))
        .annotate(days_remaining=F("days") - F("days_used") - F("days_reserved"))
    )


def package_get(*, user, pk: int) -> Package:
    return get_object_or_404(package_list(user=user).select_related("purchased_by", "cancelled_by", "rate"), pk=pk)


def packages_for_booking(*, user, school: School, role: str | None = None):
    """Active packages a school can draw a booking from (any role unless given)."""
    packages = package_list(user=user).filter(school=school, status=Package.Status.ACTIVE,
                                              academic_year__end_date__gte=_today())
    return packages.filter(role=role) if role else packages


# --- Invoices -------------------------------------------------------------------------------------------------------

def invoice_list(*, user):
    return (Invoice.objects.visible_to(user).select_related("school", "credits")
            .annotate(line_count=Count("lines")))


def invoice_get(*, user, pk: int) -> Invoice:
    lines = InvoiceLine.objects.select_related("booking", "package", "service__intervention", "credited_line",
                                               "term").prefetch_related(
        Prefetch("credits", queryset=InvoiceLine.objects.select_related("invoice"))).order_by("position", "pk")
    return get_object_or_404(
        Invoice.objects.visible_to(user).select_related("school", "credits", "created_by").prefetch_related(
            Prefetch("lines", queryset=lines), "credit_notes"), pk=pk)


def invoice_for_update(*, user, pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.visible_to(user).select_related("school"), pk=pk)


def invoice_lines_for_export(*, user, invoices):
    """Every line of the given (already scoped and filtered) invoices for the finance export, in document order."""
    return (InvoiceLine.objects.filter(invoice__in=invoices)
            .select_related("invoice__school", "invoice__credits", "booking", "package", "service__intervention")
            .order_by("invoice__issued_on", "invoice__pk", "position", "pk"))


def uninvoiced_charges(*, user, up_to: datetime.date, school_ids=None):
    """Pay-as-you-go bookings with a charge and no invoice line yet, whose charge arose on or before ``up_to``:
    delivered (by delivery date) or cancelled late (by cancellation date). Month and term invoices take these, so a
    delivery recorded late is picked up by the next period."""
    uninvoiced = ~Exists(InvoiceLine.objects.filter(booking=OuterRef("pk")))
    bookings = Booking.objects.visible_to(user).filter(uninvoiced, funding=Booking.Funding.PAYG).filter(
        Q(status=Booking.Status.DELIVERED, delivered_on__lte=up_to)
        | Q(status=Booking.Status.CANCELLED, cancellation_percent__gt=0, cancelled_at__date__lte=up_to))
    if school_ids is not None:
        bookings = bookings.filter(school_id__in=school_ids)
    return bookings.select_related("service__intervention", "school").order_by("school_id", "delivered_on", "pk")


def package_invoiced(package_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """(net, VAT) invoiced so far (credits included) per package, one query."""
    rows = (InvoiceLine.objects.filter(package_id__in=package_ids).values("package_id")
            .annotate(net=Sum("net"), vat=Sum("vat")))
    # Rounded back to pence: SQLite sums decimals as floating point.
    return {row["package_id"]: (rules.pence(row["net"] or 0), rules.pence(row["vat"] or 0)) for row in rows}


# --- Officer time and capacity --------------------------------------------------------------------------------------

def la_school_days(term: Term) -> int:
    """School days in an LA term on the LA's calendar: a full-time officer's working days in it."""
    return school_days_between(term.start_date, term.end_date, None)


def _sum_days(queryset, field: str):
    return Coalesce(Subquery(queryset.values(field).annotate(total=Sum("days")).values("total")), NO_DAYS)


def officer_time_in_term(*, user, term: Term, officer_ids=None):
    """Every active traded officer's time in an LA term, in one query: ``working`` (the LA's school days in the
    term times FTE, rounded down to a half day), ``recorded_statutory`` (statutory commitments), ``tsm_days``
    (targeting support meetings they held, each TradedPolicy.tsm_officer_days), ``free_booked`` (free, statutory
    bookings), ``statutory`` (the three together), ``unavailable`` (leave, training), ``traded`` (charged bookings
    confirmed or delivered) and ``available`` (what is left for traded work; negative means over-committed).

    The capacity model is described in interventions.models.traded."""
    term_days = la_school_days(term)
    tsm_days = TradedPolicy.current().tsm_officer_days
    in_term = {"date__gte": term.start_date, "date__lte": term.end_date}
    commitments = OfficerCommitment.objects.filter(officer=OuterRef("user"), **in_term)
    booked = BookingDate.objects.filter(officer=OuterRef("user"), **in_term)
    tsms = (TargetingSupportMeeting.objects.filter(officer=OuterRef("user"), held_on__gte=term.start_date,
                                                   held_on__lte=term.end_date)
            .values("officer").annotate(n=Count("pk")).values("n"))
    officers = TradedOfficer.objects.filter(is_active=True).select_related("user")
    if officer_ids is not None:
        officers = officers.filter(user_id__in=officer_ids)
    return (
        officers.annotate(
            working=Floor(F("fte") * Value(term_days * 2, output_field=DAYS_FIELD)) / Value(2, output_field=DAYS_FIELD),
            recorded_statutory=_sum_days(commitments.filter(kind__in=OfficerCommitment.STATUTORY_KINDS), "officer"),
            unavailable=_sum_days(commitments.filter(kind=OfficerCommitment.Kind.UNAVAILABLE), "officer"),
            tsm_days=Coalesce(Subquery(tsms), 0) * Value(tsm_days, output_field=DAYS_FIELD),
            free_booked=_sum_days(booked.filter(booking__service__charging=TradedService.Charging.FREE), "officer"),
            traded=_sum_days(booked.filter(booking__service__charging=TradedService.Charging.CHARGED), "officer"),
        )
        .annotate(statutory=F("recorded_statutory") + F("tsm_days") + F("free_booked"))
        .annotate(available=F("working") - F("statutory") - F("unavailable") - F("traded"))
        .order_by("user__first_name", "user__last_name", "pk")
    )


def officer_day_usage(*, officer, dates) -> dict[datetime.date, Decimal]:
    """Days of work an officer already has on each of ``dates``: commitments, booked dates and TSMs (three grouped
    queries, whatever the number of dates)."""
    dates = list(dates)
    usage: dict[datetime.date, Decimal] = {}
    for row in (OfficerCommitment.objects.filter(officer=officer, date__in=dates).values("date")
                .annotate(total=Sum("days"))):
        usage[row["date"]] = usage.get(row["date"], Decimal(0)) + row["total"]
    for row in BookingDate.objects.filter(officer=officer, date__in=dates).values("date").annotate(total=Sum("days")):
        usage[row["date"]] = usage.get(row["date"], Decimal(0)) + row["total"]
    tsm_days = TradedPolicy.current().tsm_officer_days
    for row in (TargetingSupportMeeting.objects.filter(officer=officer, held_on__in=dates).values("held_on")
                .annotate(n=Count("pk"))):
        usage[row["held_on"]] = usage.get(row["held_on"], Decimal(0)) + tsm_days * row["n"]
    return usage


def officer_commitments(*, user, term: Term, officer_ids=None):
    commitments = OfficerCommitment.objects.filter(date__gte=term.start_date, date__lte=term.end_date).select_related(
        "officer", "created_by")
    if officer_ids is not None:
        commitments = commitments.filter(officer_id__in=officer_ids)
    return commitments.order_by("date", "officer__first_name", "pk")


def delivering_officers(*, role: str | None = None):
    officers = TradedOfficer.objects.filter(is_active=True, user__is_active=True).select_related("user")
    result = [o for o in officers if role is None or role in o.roles]
    return result


# --- Income ---------------------------------------------------------------------------------------------------------

def _income_lines(user, terms):
    """Invoice and credit-note lines (credits are negative) the user may see, for the given LA terms."""
    return InvoiceLine.objects.filter(invoice__in=Invoice.objects.visible_to(user), term__in=terms)


def income_by_service(*, user, terms):
    """Net income (invoices less credit notes) per service over the terms, largest first. Package instalments have
    no single service: they come as rows with ``service_id`` None and their rate-card ``role``."""
    return (_income_lines(user, terms).values("service_id", "service__intervention__name", "role")
            .annotate(net=Sum("net"), vat=Sum("vat"), lines=Count("pk"))
            .order_by("-net", "service__intervention__name"))


def income_by_school(*, user, terms):
    """Net income per school over the terms, largest first."""
    return (_income_lines(user, terms).values("invoice__school_id", "invoice__school__name")
            .annotate(net=Sum("net"), vat=Sum("vat"), invoices=Count("invoice", distinct=True))
            .order_by("-net", "invoice__school__name"))


def income_by_term(*, user, terms):
    """Net income per LA term, in date order."""
    return (_income_lines(user, terms).values("term_id", "term__name", "term__academic_year__name",
                                               "term__start_date")
            .annotate(net=Sum("net"), vat=Sum("vat")).order_by("term__start_date"))


def invoice_status_totals(*, user, academic_year: AcademicYear):
    """Gross amounts by invoice status for documents issued in an academic year (outstanding, paid, credited)."""
    return (Invoice.objects.visible_to(user).filter(issued_on__gte=academic_year.start_date,
                                                    issued_on__lte=academic_year.end_date)
            .values("kind", "status").annotate(net=Sum("net"), vat=Sum("vat"), n=Count("pk")).order_by("kind",
                                                                                                       "status"))


def role_label(role: str) -> str:
    return TradedRole(role).label if role in TradedRole.values else ""


def income_period(*, year_id: int | None, term: Term | None):
    """(every academic year, the year shown, its LA terms, the term shown) for the income page: the year asked for,
    else the asked-for term's year, else the latest; the term asked for when it is in that year, else the term
    running (or next, in a holiday) when it is, else the year's first."""
    years = list(AcademicYear.objects.order_by("-start_date"))
    year = next((y for y in years if y.pk == year_id), None) or (term.academic_year if term else None) or (
        years[0] if years else None)
    terms = list(la_terms(year).order_by("start_date")) if year else []
    if term is None or term.academic_year_id != getattr(year, "pk", None):
        today_term = current_la_term(between_terms="next")
        term = today_term if today_term is not None and any(t.pk == today_term.pk for t in terms) else (
            terms[0] if terms else None)
    return years, year, terms, term


def invoice_purchase_orders(lines) -> list[str]:
    """The school's purchase order numbers behind an invoice's lines (bookings and packages), each once, in order."""
    found = []
    for line in lines:
        for source in (line.booking, line.package):
            number = getattr(source, "purchase_order", "") if source is not None else ""
            if number and number not in found:
                found.append(number)
    return found
