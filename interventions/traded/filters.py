"""One FilterSet per traded list, shared by the HTML page, its exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from interventions.models import Booking, Intervention, Invoice, Package, TradedService
from interventions.models.traded import TradedRole, Unit
from schools.common.filters import DateFilter, GdsFilterSet, SchoolFilter
from schools.models import AcademicYear, User
from schools.roles import LA_ROLES


def _officers(request):
    return User.objects.filter(role__in=LA_ROLES, traded_profile__isnull=False).order_by("first_name", "last_name")


def _reference(prefix: str, value: str) -> int | None:
    """The id in a reference like BK-00012 (or a bare number), or None."""
    text = value.strip().upper()
    if text.startswith(f"{prefix}-"):
        text = text[len(prefix) + 1:]
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 12 else None


class TradedServiceFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    role = django_filters.ChoiceFilter(label="Delivered by", choices=TradedRole.choices, empty_label="Any role")
    charging = django_filters.ChoiceFilter(choices=TradedService.Charging.choices, empty_label="Charged or free")
    unit = django_filters.ChoiceFilter(choices=Unit.choices, empty_label="Any unit")
    strand = django_filters.ChoiceFilter(field_name="intervention__strand", choices=Intervention.Strand.choices,
                                         empty_label="Any strand")

    class Meta:
        model = TradedService
        fields = ["q", "role", "charging", "unit", "strand"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(intervention__name__icontains=value) | Q(intervention__details__icontains=value))


class BookingFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Booking reference", method="filter_reference")
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, empty_label="Any status")
    school = SchoolFilter()
    service = django_filters.ModelChoiceFilter(queryset=TradedService.objects.select_related("intervention"),
                                               empty_label="Any service")
    officer = django_filters.ModelChoiceFilter(queryset=_officers, empty_label="Any officer")
    funding = django_filters.ChoiceFilter(choices=Booking.Funding.choices, empty_label="Any funding")
    uninvoiced = django_filters.BooleanFilter(label="Charged but not yet invoiced", method="filter_uninvoiced")

    class Meta:
        model = Booking
        fields = ["q", "status", "school", "service", "officer", "funding", "uninvoiced"]

    def filter_reference(self, queryset, name, value):
        if not value.strip():
            return queryset
        pk = _reference("BK", value)
        return queryset.filter(pk=pk) if pk is not None else queryset.none()

    def filter_uninvoiced(self, queryset, name, value):
        charged = (Q(funding=Booking.Funding.PAYG)
                   & (Q(status=Booking.Status.DELIVERED)
                      | Q(status=Booking.Status.CANCELLED, cancellation_percent__gt=0)))
        if value:
            return queryset.filter(charged, invoice_lines__isnull=True)
        return queryset.exclude(charged & Q(invoice_lines__isnull=True))


class PackageFilterSet(GdsFilterSet):
    school = SchoolFilter()
    academic_year = django_filters.ModelChoiceFilter(label="Academic year", queryset=AcademicYear.objects.all(),
                                                     empty_label="Any year")
    role = django_filters.ChoiceFilter(choices=TradedRole.choices, empty_label="Any role")
    status = django_filters.ChoiceFilter(choices=Package.Status.choices, empty_label="Any status")

    class Meta:
        model = Package
        fields = ["school", "academic_year", "role", "status"]


class InvoiceFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Number", method="filter_number")
    kind = django_filters.ChoiceFilter(label="Document", choices=Invoice.Kind.choices, empty_label="Invoices and "
                                                                                                  "credit notes")
    status = django_filters.ChoiceFilter(choices=Invoice.Status.choices, empty_label="Any status")
    overdue = django_filters.BooleanFilter(label="Overdue", method="filter_overdue")
    school = SchoolFilter()
    period_kind = django_filters.ChoiceFilter(label="Period", choices=Invoice.PeriodKind.choices,
                                              empty_label="Any period")
    issued_from = DateFilter(field_name="issued_on", lookup_expr="gte", label="Issued from")
    issued_to = DateFilter(field_name="issued_on", lookup_expr="lte", label="Issued to")

    class Meta:
        model = Invoice
        fields = ["q", "kind", "status", "overdue", "school", "period_kind", "issued_from", "issued_to"]

    def filter_number(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(number__icontains=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        overdue = Q(kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED, due_on__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
