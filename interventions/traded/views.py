"""Pages for traded services: the catalogue with prices, the rate card, bookings (request, confirm, decline, deliver,
cancel), annual packages, invoices (run, PDF, finance export, payment, credit notes), officer capacity and income.

Thin: selectors read (scoped: another school's booking, package or invoice is 404), services write, FilterSets
filter. A role without the capability gets 403."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interventions.models import Booking, DiscountTier, Invoice, OfficerCommitment, Package, TradedPolicy
from interventions.models.traded import TradedRole
from interventions.traded import exports, selectors, services
from interventions.traded.filters import BookingFilterSet, InvoiceFilterSet, PackageFilterSet, TradedServiceFilterSet
from interventions.traded.forms import (
    BookingForm,
    CancelForm,
    CommitmentForm,
    ConfirmForm,
    CreditNoteForm,
    DeliverForm,
    InvoiceRunForm,
    PackageForm,
    PaidForm,
    RateForm,
    ReasonForm,
    ServiceCreateForm,
    ServiceEditForm,
    TierForm,
)
from schools import school_days
from schools.audit import record_export, record_view
from schools.common.charts import Series, bar_chart
from schools.common.pdf import html_to_pdf
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    form_page,
    id_param,
    paginate,
    report_if_stale,
    selected_filters,
)
from schools.models import AuditEvent, LocalAuthority, Term
from schools.roles import Capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_response(request, *, rows, columns, name: str, object_type: str, title: str):
    fmt = export_format(request, default="csv")
    objects = list(rows)
    record_export(user=request.user, object_type=object_type, rows=len(objects), fmt=fmt,
                  path=request.get_full_path())
    if fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(columns, objects, title=title), content_type=XLSX)
    else:
        response = HttpResponse(exports.to_csv(columns, objects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate().isoformat()}.{fmt}"'
    return response


def _bad_filters(request, filterset, to: str):
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The filters could not be understood, so nothing was exported.")
        return redirect(to)
    return None


# --- Overview -------------------------------------------------------------------------------------------------------

@capability_required(Capability.USE_TRADED)
def home(request):
    user = request.user
    bookings = selectors.booking_list(user=user)
    counts = {row["status"]: row["n"] for row in bookings.order_by().values("status").annotate(n=Count("pk"))}
    today = timezone.localdate()
    to_deliver = bookings.filter(status=Booking.Status.CONFIRMED, first_date__lte=today)
    if not user.can(Capability.INVOICE_TRADED) and user.can(Capability.MANAGE_TRADED_BOOKINGS):
        to_deliver = to_deliver.filter(officer=user)
    return render(request, "traded/home.html", {
        "counts": [(value, label, counts.get(value, 0)) for value, label in Booking.Status.choices],
        "requests": bookings.filter(status=Booking.Status.REQUESTED).order_by("requested_at", "pk")[:10],
        "to_deliver": to_deliver.order_by("first_date", "pk")[:10],
        "packages": selectors.package_list(user=user).filter(status=Package.Status.ACTIVE,
                                                             academic_year__end_date__gte=today)[:10],
        "invoices": selectors.invoice_list(user=user).order_by("-issued_on", "-pk")[:5],
        "today": today,
    })


# --- Catalogue and rate card ----------------------------------------------------------------------------------------

@capability_required(Capability.USE_TRADED)
def catalogue(request):
    filterset = TradedServiceFilterSet(request.GET or None, queryset=selectors.service_list(user=request.user),
                                       request=request)
    page, query = paginate(request, filterset.qs)
    page.object_list = selectors.attach_prices(page.object_list)
    return render(request, "traded/catalogue.html", {
        "filter": filterset, "page": page, "query": query, "policy": TradedPolicy.current(),
        "can_manage": request.user.can(Capability.MANAGE_TRADED_CATALOGUE),
        "can_book": request.user.can(Capability.BOOK_TRADED)})


@capability_required(Capability.USE_TRADED)
def catalogue_export(request):
    filterset = TradedServiceFilterSet(request.GET or None, queryset=selectors.service_list(user=request.user),
                                       request=request)
    if bad := _bad_filters(request, filterset, "traded:catalogue"):
        return bad
    return _export_response(request, rows=selectors.attach_prices(filterset.qs), columns=exports.catalogue_columns(),
                            name="traded-catalogue", object_type="interventions.TradedService", title="Catalogue")


@capability_required(Capability.USE_TRADED)
def service_detail(request, pk: int):
    service = selectors.service_get(user=request.user, pk=pk)
    can_manage = request.user.can(Capability.MANAGE_TRADED_CATALOGUE)
    if not (service.is_offered and service.intervention.is_active) and not can_manage:
        raise Http404
    (service,) = selectors.attach_prices([service])
    return render(request, "traded/service_detail.html", {
        "service": service, "intervention": service.intervention, "can_manage": can_manage,
        "can_book": request.user.can(Capability.BOOK_TRADED) and service.is_offered})


@capability_required(Capability.MANAGE_TRADED_CATALOGUE)
def service_create(request):
    form = ServiceCreateForm(request.POST or None, initial={
        "role": TradedRole.OFFICER, "unit": "half_day", "unit_days": "0.5", "charging": "charged",
        "vat_treatment": TradedPolicy.current().default_vat_treatment, "pupils": "none", "is_offered": True})
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{service.name} was added to the traded catalogue.")
            return redirect("traded:service_detail", pk=service.pk)
    return form_page(request, form, title="Add a service to the traded catalogue",
                      intro="Statutory core functions (advice, targeting support meetings, family support, legal "
                            "intervention) are free to every school and cannot be priced.",
                      back_url=reverse("traded:catalogue"))


@capability_required(Capability.MANAGE_TRADED_CATALOGUE)
def service_edit(request, pk: int):
    service = selectors.service_get(user=request.user, pk=pk)
    form = ServiceEditForm(request.POST or None, initial={
        "role": service.role, "unit": service.unit, "unit_days": service.unit_days, "charging": service.charging,
        "core_function": service.core_function, "vat_treatment": service.vat_treatment, "pupils": service.pupils,
        "is_offered": service.is_offered, "version": service.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.service_update(user=request.user, service=selectors.service_get(user=request.user, pk=pk),
                                    expected_version=version, **data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("traded:service_detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{service.name} was saved. Bookings already made keep their price.")
            return redirect("traded:service_detail", pk=pk)
    return form_page(request, form, title=f"Change {service.name}", caption="Traded catalogue",
                      intro="Name, details and outcomes are edited in the intervention catalogue.",
                      back_url=reverse("traded:service_detail", args=[pk]))


@capability_required(Capability.USE_TRADED)
def rates(request):
    today = timezone.localdate()
    in_force = selectors.rates_in_force(today)
    card = list(selectors.rate_card(user=request.user))
    for rate in card:
        rate.in_force = in_force.get(rate.role) == rate
        rate.is_future = rate.effective_from > today
    return render(request, "traded/rates.html", {
        "rates": card, "tiers": selectors.tiers(user=request.user), "policy": TradedPolicy.current(),
        "can_manage": request.user.can(Capability.MANAGE_TRADED_CATALOGUE), "today": today})


@capability_required(Capability.MANAGE_TRADED_CATALOGUE)
def rate_add(request):
    form = RateForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.rate_add(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"The {rate.get_role_display()} rate from {rate.effective_from:%-d %B %Y} was "
                                      "added.")
            return redirect("traded:rates")
    return form_page(request, form, title="Add a rate", caption="Rate card",
                      intro="A new row replaces a role's prices from its date. Bookings and packages keep the price "
                            "they were made at.", back_url=reverse("traded:rates"))


@capability_required(Capability.MANAGE_TRADED_CATALOGUE)
def tier_add(request):
    form = TierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tier_add(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The discount tier was added.")
            return redirect("traded:rates")
    return form_page(request, form, title="Add a discount tier", caption="Reduced rates for advance purchases",
                      intro="Annual packages of at least this many days get this discount (the highest tier "
                            "reached applies).", back_url=reverse("traded:rates"))


@require_POST
@capability_required(Capability.MANAGE_TRADED_CATALOGUE)
def tier_remove(request, pk: int):
    tier = get_object_or_404(DiscountTier, pk=pk)
    services.tier_remove(user=request.user, tier=tier)
    messages.success(request, f"The tier ({tier}) was removed; packages already bought keep their discount.")
    return redirect("traded:rates")


# --- Bookings -------------------------------------------------------------------------------------------------------

@capability_required(Capability.USE_TRADED)
def booking_list(request):
    filterset = BookingFilterSet(request.GET or None, queryset=selectors.booking_list(user=request.user),
                                 request=request)
    page, query = paginate(request, filterset.qs.order_by("-requested_at", "-pk"))
    return render(request, "traded/booking_list.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": selected_filters(filterset),
        "can_book": request.user.can(Capability.BOOK_TRADED)})


@capability_required(Capability.USE_TRADED)
def booking_export(request):
    filterset = BookingFilterSet(request.GET or None, queryset=selectors.booking_list(user=request.user),
                                 request=request)
    if bad := _bad_filters(request, filterset, "traded:booking_list"):
        return bad
    return _export_response(request, rows=filterset.qs.order_by("-requested_at", "-pk"),
                            columns=exports.booking_columns(), name="traded-bookings",
                            object_type="interventions.Booking", title="Bookings")


@capability_required(Capability.BOOK_TRADED)
def booking_create(request):
    initial = {"funding": Booking.Funding.PAYG}
    if (service_id := id_param(request, "service")) is not None:
        service = selectors.service_list(user=request.user).filter(pk=service_id).first()
        if service is not None:
            initial["service"] = service.pk
            initial["funding"] = Booking.Funding.PAYG if service.is_charged else Booking.Funding.FREE
    form = BookingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_request(user=request.user, **form.booking_data())
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Your booking request {booking.reference} was sent. The LA will confirm an "
                                      "officer and dates.")
            return redirect("traded:booking_detail", pk=booking.pk)
    return render(request, "traded/booking_form.html", {
        "form": form, "title": "Request a booking", "back_url": reverse("traded:catalogue"),
        "policy": TradedPolicy.current()})


@capability_required(Capability.USE_TRADED)
def booking_detail(request, pk: int):
    user = request.user
    booking = selectors.booking_get(user=user, pk=pk)
    pupils = [link.pupil for link in booking.booking_pupils.all()]
    if pupils:
        services.record_pupil_views(user=user, instance=booking, pupil_ids=[p.pk for p in pupils],
                                    path=request.path)
    is_school = user.can(Capability.BOOK_TRADED)
    return render(request, "traded/booking_detail.html", {
        "booking": booking, "service": booking.service, "pupils": pupils, "dates": list(booking.dates.all()),
        "can_manage": user.can(Capability.MANAGE_TRADED_BOOKINGS) and booking.status == Booking.Status.REQUESTED,
        "can_deliver": services.can_record_delivery(user, booking),
        "can_cancel": booking.is_open and (is_school or user.can(Capability.MANAGE_TRADED_BOOKINGS)),
        "can_waive": (user.can(Capability.INVOICE_TRADED) and booking.status == Booking.Status.CANCELLED
                      and booking.cancellation_percent > 0),
        "cancellation": services.cancellation_terms(booking, by_school=True) if booking.is_open else None,
        "units_text": services.units_text(booking.service, booking.units),
    })


def _booking_action(request, pk, *, status=Booking.Status.REQUESTED):
    """The booking for a state-changing page, or a redirect to it when it has already moved on."""
    booking = selectors.booking_for_update(user=request.user, pk=pk)
    if booking.status != status:
        messages.error(request, f"{booking.reference} is {booking.get_status_display().lower()}: nothing to do.")
        return booking, redirect("traded:booking_detail", pk=pk)
    return booking, None


def _service_error(request, form, error, pk):
    if report_if_stale(request, error):
        return redirect("traded:booking_detail", pk=pk)
    apply_form_errors(form, error)
    return None


@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def booking_confirm(request, pk: int):
    booking, moved = _booking_action(request, pk)
    if moved:
        return moved
    rows = max(1, min(10, math.ceil(booking.days * 2)))
    initial = {"version": booking.version}
    for n, day in enumerate(booking.preferred[:rows], start=1):
        initial[f"date_{n}"] = day
        initial[f"days_{n}"] = "1.0" if booking.days - (n - 1) >= 1 else "0.5"
    form = ConfirmForm(request.POST or None, booking=booking, rows=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_confirm(user=request.user, booking=booking,
                                     expected_version=form.cleaned_data["version"],
                                     officer=form.cleaned_data["officer"], dates=form.dates())
        except ValidationError as error:
            if response := _service_error(request, form, error, pk):
                return response
        else:
            messages.success(request, f"{booking.reference} was confirmed with "
                                      f"{form.cleaned_data['officer'].display_name}.")
            return redirect("traded:booking_detail", pk=pk)
    term = None
    if booking.preferred:
        term = school_days.la_term_containing(booking.preferred[0])
    term = term or school_days.current_la_term(between_terms="next")
    capacity = []
    if term is not None:
        officers = [o.user_id for o in selectors.delivering_officers(role=booking.service.role)]
        capacity = list(selectors.officer_time_in_term(user=request.user, term=term, officer_ids=officers))
    return render(request, "traded/booking_confirm.html", {
        "form": form, "booking": booking, "term": term, "capacity": capacity,
        "units_text": services.units_text(booking.service, booking.units),
        "back_url": reverse("traded:booking_detail", args=[pk])})


@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def booking_decline(request, pk: int):
    booking, moved = _booking_action(request, pk)
    if moved:
        return moved
    form = ReasonForm(request.POST or None, initial={"version": booking.version}, submit_label="Decline booking",
                      reason_label="Why is the booking declined?", reason_help="The school reads this.")
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_decline(user=request.user, booking=booking,
                                     expected_version=form.cleaned_data["version"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if response := _service_error(request, form, error, pk):
                return response
        else:
            messages.success(request, f"{booking.reference} was declined.")
            return redirect("traded:booking_detail", pk=pk)
    return form_page(request, form, title=f"Decline {booking.reference}",
                      caption=f"{booking.service.name} for {booking.school.name}",
                      back_url=reverse("traded:booking_detail", args=[pk]))


@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def booking_deliver(request, pk: int):
    booking, moved = _booking_action(request, pk, status=Booking.Status.CONFIRMED)
    if moved:
        return moved
    if not services.can_record_delivery(request.user, booking):
        raise PermissionDenied
    form = DeliverForm(request.POST or None, initial={"version": booking.version, "delivered_units": booking.units})
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_deliver(user=request.user, booking=booking,
                                     expected_version=form.cleaned_data["version"],
                                     delivered_units=form.cleaned_data["delivered_units"],
                                     notes=form.cleaned_data["notes"])
        except ValidationError as error:
            if response := _service_error(request, form, error, pk):
                return response
        else:
            messages.success(request, f"Delivery of {booking.reference} was recorded.")
            return redirect("traded:booking_detail", pk=pk)
    return form_page(request, form, title=f"Record delivery of {booking.reference}",
                      caption=f"{booking.service.name} for {booking.school.name}",
                      intro=f"Booked: {services.units_text(booking.service, booking.units)}.",
                      back_url=reverse("traded:booking_detail", args=[pk]))


@capability_required(Capability.USE_TRADED)
def booking_cancel(request, pk: int):
    user = request.user
    if not (user.can(Capability.BOOK_TRADED) or user.can(Capability.MANAGE_TRADED_BOOKINGS)):
        raise PermissionDenied
    booking = selectors.booking_for_update(user=user, pk=pk)
    if not booking.is_open:
        messages.error(request, f"{booking.reference} is {booking.get_status_display().lower()}: it cannot be "
                                "cancelled.")
        return redirect("traded:booking_detail", pk=pk)
    la_user = not user.can(Capability.BOOK_TRADED)
    form = CancelForm(request.POST or None, la_user=la_user, initial={"version": booking.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(user=user, booking=booking, expected_version=form.cleaned_data["version"],
                                    reason=form.cleaned_data["reason"],
                                    by_school=form.cleaned_data.get("by_school"))
        except ValidationError as error:
            if response := _service_error(request, form, error, pk):
                return response
        else:
            booking.refresh_from_db()
            charge = booking.charge
            note = (f" Late cancellation: £{charge.total:,.2f} will be invoiced." if charge
                    else " It was cancelled late: the package days are used." if booking.package_days else "")
            messages.success(request, f"{booking.reference} was cancelled.{note}")
            return redirect("traded:booking_detail", pk=pk)
    terms = services.cancellation_terms(booking, by_school=True)
    if terms["late"] and terms["charge"]:
        intro = (f"Only {terms['notice']} school days' notice (the rule is {terms['required_notice']}): if the "
                 f"school cancels now, {terms['percent'].normalize():f}% of the price is charged "
                 f"(£{terms['charge'].total:,.2f} including VAT).")
    elif terms["late"]:
        intro = (f"Only {terms['notice']} school days' notice (the rule is {terms['required_notice']}): "
                 f"{terms['package_days'].normalize():f} package days are used if the school cancels now.")
    else:
        intro = "There is no charge for cancelling this booking now."
    return form_page(request, form, title=f"Cancel {booking.reference}",
                      caption=f"{booking.service.name} for {booking.school.name}", intro=intro,
                      back_url=reverse("traded:booking_detail", args=[pk]))


@capability_required(Capability.INVOICE_TRADED)
def booking_waive(request, pk: int):
    booking = selectors.booking_for_update(user=request.user, pk=pk)
    if booking.status != Booking.Status.CANCELLED or booking.cancellation_percent <= 0:
        messages.error(request, f"{booking.reference} has no cancellation charge to waive.")
        return redirect("traded:booking_detail", pk=pk)
    form = ReasonForm(request.POST or None, initial={"version": booking.version}, submit_label="Waive the charge",
                      reason_label="Why is the charge waived?",
                      reason_help="If it was already invoiced, a credit note is raised; the school reads this.")
    if request.method == "POST" and form.is_valid():
        try:
            result = services.late_charge_waive(user=request.user, booking=booking,
                                                expected_version=form.cleaned_data["version"],
                                                reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if response := _service_error(request, form, error, pk):
                return response
        else:
            if isinstance(result, Invoice):
                messages.success(request, f"Credit note {result.number} was raised.")
                return redirect("traded:invoice_detail", pk=result.pk)
            messages.success(request, "The cancellation charge was waived.")
            return redirect("traded:booking_detail", pk=pk)
    return form_page(request, form, title=f"Waive the cancellation charge on {booking.reference}",
                      back_url=reverse("traded:booking_detail", args=[pk]))


# --- Packages -------------------------------------------------------------------------------------------------------

@capability_required(Capability.USE_TRADED)
def package_list(request):
    filterset = PackageFilterSet(request.GET or None, queryset=selectors.package_list(user=request.user),
                                 request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "traded/package_list.html", {
        "filter": filterset, "page": page, "query": query, "can_book": request.user.can(Capability.BOOK_TRADED)})


@capability_required(Capability.BOOK_TRADED)
def package_create(request):
    form = PackageForm(request.POST or None, user=request.user, initial={"role": TradedRole.OFFICER})
    if request.method == "POST" and form.is_valid():
        try:
            package = services.package_buy(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Package {package.reference} was bought: £{package.total:,.2f} including "
                                      "VAT.")
            return redirect("traded:package_detail", pk=package.pk)
    rates = selectors.rates_in_force()
    return render(request, "traded/package_form.html", {
        "form": form, "title": "Buy an annual package", "back_url": reverse("traded:package_list"),
        "rates": [rates[r] for r in TradedRole.values if r in rates], "tiers": selectors.tiers(user=request.user),
        "policy": TradedPolicy.current()})


@capability_required(Capability.USE_TRADED)
def package_detail(request, pk: int):
    package = selectors.package_get(user=request.user, pk=pk)
    bookings = selectors.booking_list(user=request.user).filter(package=package).order_by("-requested_at", "-pk")
    lines = package.invoice_lines.select_related("invoice").order_by("invoice__issued_on", "pk")
    return render(request, "traded/package_detail.html", {
        "package": package, "bookings": bookings, "lines": lines,
        "can_cancel": request.user.can(Capability.INVOICE_TRADED) and package.status == Package.Status.ACTIVE})


@capability_required(Capability.INVOICE_TRADED)
def package_cancel(request, pk: int):
    package = get_object_or_404(Package.objects.visible_to(request.user), pk=pk)
    if package.status != Package.Status.ACTIVE:
        messages.error(request, f"{package.reference} is already cancelled.")
        return redirect("traded:package_detail", pk=pk)
    form = ReasonForm(request.POST or None, initial={"version": package.version}, submit_label="Cancel package",
                      reason_label="Why is the package cancelled?",
                      reason_help="The school pays for the days it used; anything invoiced beyond that is credited.")
    if request.method == "POST" and form.is_valid():
        try:
            services.package_cancel(user=request.user, package=package,
                                    expected_version=form.cleaned_data["version"],
                                    reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("traded:package_detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{package.reference} was cancelled.")
            return redirect("traded:package_detail", pk=pk)
    return form_page(request, form, title=f"Cancel package {package.reference}",
                      caption=f"{package.school.name}, {package.academic_year}",
                      back_url=reverse("traded:package_detail", args=[pk]))


# --- Invoices -------------------------------------------------------------------------------------------------------

@capability_required(Capability.USE_TRADED)
def invoice_list(request):
    filterset = InvoiceFilterSet(request.GET or None, queryset=selectors.invoice_list(user=request.user),
                                 request=request)
    page, query = paginate(request, filterset.qs.order_by("-issued_on", "-pk"))
    return render(request, "traded/invoice_list.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": selected_filters(filterset),
        "today": timezone.localdate(), "can_invoice": request.user.can(Capability.INVOICE_TRADED)})


@capability_required(Capability.USE_TRADED)
def invoice_export(request):
    """The finance system export: one row per line of the filtered invoices and credit notes."""
    filterset = InvoiceFilterSet(request.GET or None, queryset=selectors.invoice_list(user=request.user),
                                 request=request)
    if bad := _bad_filters(request, filterset, "traded:invoice_list"):
        return bad
    lines = selectors.invoice_lines_for_export(user=request.user, invoices=filterset.qs.values("pk"))
    return _export_response(request, rows=lines,
                            columns=exports.invoice_line_columns(TradedPolicy.current().income_ledger_code),
                            name="traded-invoices", object_type="interventions.Invoice", title="Invoice lines")


@capability_required(Capability.USE_TRADED)
def invoice_detail(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    can_invoice = request.user.can(Capability.INVOICE_TRADED)
    lines = list(invoice.lines.all())
    return render(request, "traded/invoice_detail.html", {
        "invoice": invoice, "lines": lines, "today": timezone.localdate(),
        "can_pay": can_invoice and invoice.kind == Invoice.Kind.INVOICE and invoice.status == Invoice.Status.ISSUED,
        "can_credit": can_invoice and invoice.kind == Invoice.Kind.INVOICE and any(
            not line.credits.all() for line in lines)})


@capability_required(Capability.USE_TRADED)
def invoice_pdf(request, pk: int):
    invoice = selectors.invoice_get(user=request.user, pk=pk)
    lines = list(invoice.lines.select_related("booking", "package"))
    html = render_to_string("traded/invoice_pdf.html", {
        "invoice": invoice, "lines": lines, "policy": TradedPolicy.current(),
        "local_authority": LocalAuthority.current(), "vat_summary": _vat_summary(lines),
        "purchase_orders": selectors.invoice_purchase_orders(lines),
        "credit_notes": list(invoice.credit_notes.order_by("issued_on", "pk"))})
    record_view(user=request.user, instance=invoice, action=AuditEvent.Action.EXPORT, path=request.path)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response


def _vat_summary(lines):
    summary: dict[tuple[str, object], dict] = {}
    for line in lines:
        key = (line.get_vat_treatment_display(), line.vat_rate)
        row = summary.setdefault(key, {"treatment": key[0], "rate": key[1], "net": 0, "vat": 0})
        row["net"] += line.net
        row["vat"] += line.vat
    return list(summary.values())


@capability_required(Capability.INVOICE_TRADED)
def invoice_run(request):
    form = InvoiceRunForm(request.POST or None, initial={"period_kind": "month"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = services.invoice_run(user=request.user, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            total = sum(invoice.total for invoice in created)
            messages.success(request, f"{len(created)} invoice{'s' if len(created) != 1 else ''} raised for "
                                      f"{created[0].period_label}: £{total:,.2f} including VAT.")
            return redirect(f"{reverse('traded:invoice_list')}?period_kind={created[0].period_kind}")
    return form_page(request, form, title="Raise invoices", caption="Traded services",
                      intro="Each school is invoiced once per period. Month and term invoices take every "
                            "pay-as-you-go charge not yet invoiced up to the period's end (so a delivery recorded "
                            "late goes on the next one); packages are invoiced 7/12 in the autumn and 5/12 from "
                            "April.", back_url=reverse("traded:invoice_list"))


@capability_required(Capability.INVOICE_TRADED)
def invoice_paid(request, pk: int):
    invoice = selectors.invoice_for_update(user=request.user, pk=pk)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
        messages.error(request, f"{invoice.number} is {invoice.get_status_display().lower()}: nothing to record.")
        return redirect("traded:invoice_detail", pk=pk)
    form = PaidForm(request.POST or None, initial={"version": invoice.version, "paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_mark_paid(user=request.user, invoice=invoice,
                                       expected_version=form.cleaned_data["version"],
                                       paid_on=form.cleaned_data["paid_on"],
                                       payment_reference=form.cleaned_data["payment_reference"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("traded:invoice_detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{invoice.number} was marked paid.")
            return redirect("traded:invoice_detail", pk=pk)
    return form_page(request, form, title=f"Record payment of {invoice.number}",
                      caption=f"{invoice.school.name}: £{invoice.total:,.2f}",
                      back_url=reverse("traded:invoice_detail", args=[pk]))


@capability_required(Capability.INVOICE_TRADED)
def credit_note_create(request, pk: int):
    invoice = selectors.invoice_for_update(user=request.user, pk=pk)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise Http404
    form = CreditNoteForm(request.POST or None, invoice=invoice)
    if request.method == "POST" and form.is_valid():
        try:
            credit = services.credit_note_create(user=request.user, invoice=invoice, lines=form.cleaned_data["lines"],
                                                 reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Credit note {credit.number} was raised: £{-credit.total:,.2f}.")
            return redirect("traded:invoice_detail", pk=credit.pk)
    return form_page(request, form, title=f"Credit note against {invoice.number}", caption=invoice.school.name,
                      back_url=reverse("traded:invoice_detail", args=[pk]))


# --- Officer time, capacity and income ------------------------------------------------------------------------------

def _term_param(request) -> Term | None:
    term_id = id_param(request, "term")
    if term_id is not None:
        term = school_days.la_terms().filter(pk=term_id).first()
        if term is not None:
            return term
    return school_days.current_la_term(between_terms="next")


def _time_chart(rows, term):
    return bar_chart(
        [row.user.display_name for row in rows],
        [Series("Statutory", [float(r.statutory) for r in rows]), Series("Traded", [float(r.traded) for r in rows]),
         Series("Unavailable", [float(r.unavailable) for r in rows]),
         Series("Free", [max(0.0, float(r.available)) for r in rows])],
        title=f"Officers' time in the {term.get_name_display().lower()} term {term.academic_year.name}: statutory, "
              "traded, unavailable and free days", value_suffix=" days")


@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def capacity(request):
    term = _term_param(request)
    rows = list(selectors.officer_time_in_term(user=request.user, term=term)) if term else []
    officer_id = id_param(request, "officer")
    officer = next((row.user for row in rows if row.user_id == officer_id), None)
    commitments, query = (None, "")
    if term:
        commitments, query = paginate(request, selectors.officer_commitments(
            user=request.user, term=term, officer_ids=[officer.pk] if officer else None))
    return render(request, "traded/capacity.html", {
        "term": term, "terms": school_days.la_terms().order_by("-start_date"), "rows": rows, "officer": officer,
        "chart": _time_chart(rows, term) if rows else None, "commitments": commitments,
        "commitments_query": query,
        "policy": TradedPolicy.current(),
        "term_days": selectors.la_school_days(term) if term else None})


@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def commitment_add(request):
    form = CommitmentForm(request.POST or None, initial={"days": "1.0"})
    if request.method == "POST" and form.is_valid():
        try:
            commitment = services.commitment_add(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{commitment.get_kind_display()} on {commitment.date:%-d %B %Y} was recorded "
                                      f"for {commitment.officer.display_name}.")
            term = school_days.la_term_containing(commitment.date)
            return redirect(f"{reverse('traded:capacity')}?term={term.pk}" if term else reverse("traded:capacity"))
    return form_page(request, form, title="Record officer time", caption="Capacity",
                      intro="Statutory work (casework, legal, multi-agency, advice) and unavailability come off an "
                            "officer's days before traded bookings.", back_url=reverse("traded:capacity"))


@require_POST
@capability_required(Capability.MANAGE_TRADED_BOOKINGS)
def commitment_remove(request, pk: int):
    commitment = get_object_or_404(OfficerCommitment, pk=pk)
    services.commitment_remove(user=request.user, commitment=commitment)
    messages.success(request, "The time was removed.")
    term = school_days.la_term_containing(commitment.date)
    return redirect(f"{reverse('traded:capacity')}?term={term.pk}" if term else reverse("traded:capacity"))


@capability_required(Capability.INVOICE_TRADED)
def income(request):
    years, year, terms, term = selectors.income_period(year_id=id_param(request, "year"),
                                                       term=_term_param(request))
    by_service = list(selectors.income_by_service(user=request.user, terms=terms))
    for row in by_service:
        row["label"] = row["service__intervention__name"] or f"Annual packages: {selectors.role_label(row['role'])}"
    by_term = list(selectors.income_by_term(user=request.user, terms=terms))
    rows = list(selectors.officer_time_in_term(user=request.user, term=term)) if term else []
    income_chart = bar_chart(
        [f"{r['term__name'].title()} {r['term__academic_year__name']}" for r in by_term],
        [Series("Net income", [float(r["net"]) for r in by_term])],
        title=f"Net traded income by term, {year.name}" if year else "Net traded income by term",
        format_value=lambda value: f"£{value:,.2f}") if by_term else None
    return render(request, "traded/income.html", {
        "years": years, "year": year, "terms": terms, "term": term,
        "by_service": by_service, "by_school": list(selectors.income_by_school(user=request.user, terms=terms)),
        "by_term": by_term, "total": sum((r["net"] for r in by_term), 0),
        "statuses": list(selectors.invoice_status_totals(user=request.user, academic_year=year)) if year else [],
        "rows": rows, "chart": _time_chart(rows, term) if rows else None, "income_chart": income_chart})
