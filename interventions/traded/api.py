"""REST API for traded services: the catalogue with today's prices, bookings (a school requests; the LA confirms,
declines, records delivery or cancels), annual packages and invoices (read, and the invoice run).

The same scoped selectors, FilterSets and services as the pages: a school user sees only its own school's bookings,
packages and invoices (others answer 404), related ids outside the user's scope are "does not exist", and a
service's ValidationError comes back as 400 keyed by field."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from interventions.models import Booking, Invoice, InvoiceLine, Package, TradedService
from interventions.models.traded import TradedRole
from interventions.traded import selectors, services
from interventions.traded.filters import BookingFilterSet, InvoiceFilterSet, PackageFilterSet, TradedServiceFilterSet
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.common.filters import record_number_or_404
from schools.models import AcademicYear, Pupil, School, Term, User
from schools.roles import Capability


def _own_schools(user):
    """The user's own schools (none for a signed-out request, e.g. while the OpenAPI schema is drawn)."""
    if not (user and user.is_authenticated):
        return School.objects.none()
    return user.schools.all()


class TradedPermission(permissions.BasePermission):
    """Traded services for the roles that use them; each write action names the capabilities it needs."""

    message = "Your role does not use traded services, or may not do this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.can(Capability.USE_TRADED)):
            return False
        needed = getattr(view, "action_capabilities", {}).get(getattr(view, "action", None))
        return needed is None or any(user.can(capability) for capability in needed)


class ServiceCallMixin:
    def call(self, write, /, **kwargs):
        """Run a traded service as the requesting user; its refusals become 400 (by field) or 403."""
        try:
            return write(user=self.request.user, **kwargs)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


# --- Catalogue ------------------------------------------------------------------------------------------------------

class TradedServiceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    details = serializers.CharField(source="intervention.details", read_only=True)
    staff_role = serializers.CharField(source="intervention.staff_role", read_only=True)
    unit_price = serializers.SerializerMethodField(help_text="Net price of one unit today; 0 when free; null when "
                                                             "the rate card cannot price it.")
    vat_rate = serializers.SerializerMethodField()

    class Meta:
        model = TradedService
        fields = ["id", "intervention", "name", "details", "staff_role", "role", "unit", "unit_days", "charging",
                  "core_function", "vat_treatment", "vat_rate", "pupils", "unit_price"]
        read_only_fields = fields

    def _price(self, service):
        prices = self.context.setdefault("_prices", {})
        if service.pk not in prices:
            prices[service.pk] = selectors.attach_prices([service])[0].price
        return prices[service.pk]

    def get_unit_price(self, service) -> str | None:
        price = self._price(service)
        return None if price is None else f"{price.unit_price:.2f}"

    def get_vat_rate(self, service) -> str | None:
        price = self._price(service)
        return None if price is None else f"{price.vat_rate:.2f}"


class TradedServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The traded catalogue: every offered service with its unit, charging (free statutory core functions cannot
    be priced) and today's price."""

    serializer_class = TradedServiceSerializer
    filterset_class = TradedServiceFilterSet
    permission_classes = [permissions.IsAuthenticated, TradedPermission]

    def get_queryset(self):
        return selectors.service_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # Price the page in one go (one rate-card query) rather than per row.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        priced = selectors.attach_prices(page)
        context = self.get_serializer_context()
        context["_prices"] = {s.pk: s.price for s in priced}
        return self.get_paginated_response(TradedServiceSerializer(priced, many=True, context=context).data)


# --- Bookings -------------------------------------------------------------------------------------------------------

class BookingDateSerializer(serializers.Serializer):
    date = serializers.DateField()
    days = serializers.DecimalField(max_digits=2, decimal_places=1)


class BookingSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    officer_name = serializers.CharField(source="officer.display_name", read_only=True, allow_null=True)
    dates = BookingDateSerializer(many=True, read_only=True)
    pupils = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField(help_text="Net, VAT and total at the frozen price for the units "
                                                        "booked (0 for package and free bookings).")
    charge = serializers.SerializerMethodField(help_text="What is invoiced: actual units once delivered, the "
                                                         "cancellation share after a late cancellation, else null.")
    invoice_number = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Booking
        fields = ["id", "reference", "school", "school_name", "service", "service_name", "funding", "package",
                  "units", "package_days", "preferred_dates", "notes", "purchase_order", "pupils", "status",
                  "officer", "officer_name", "dates", "decline_reason", "delivered_units", "delivered_on",
                  "delivery_notes", "cancelled_at", "cancellation_reason", "cancelled_late", "cancellation_percent",
                  "unit_price", "half_unit_price", "vat_treatment", "vat_rate", "priced_on", "quote", "charge",
                  "invoice_number", "requested_at", "version"]
        read_only_fields = fields

    def get_pupils(self, booking) -> list[int]:
        return [link.pupil_id for link in booking.booking_pupils.all()]

    @staticmethod
    def _money(money):
        return None if money is None else {"net": f"{money.net:.2f}", "vat": f"{money.vat:.2f}",
                                           "total": f"{money.total:.2f}"}

    def get_quote(self, booking) -> dict:
        return self._money(booking.quote)

    def get_charge(self, booking) -> dict | None:
        return self._money(booking.charge)


class BookingRequestSerializer(ScopedRelationsMixin, serializers.Serializer):
    scoped_relations = {"school": _own_schools,
                        "package": lambda user: Package.objects.visible_to(user),
                        "pupils": lambda user: Pupil.objects.visible_to(user)}
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.none())
    service = serializers.PrimaryKeyRelatedField(queryset=TradedService.objects.offered())
    units = serializers.DecimalField(max_digits=5, decimal_places=1)
    funding = serializers.ChoiceField(choices=Booking.Funding.choices)
    package = serializers.PrimaryKeyRelatedField(queryset=Package.objects.none(), required=False, allow_null=True)
    preferred_dates = serializers.ListField(child=serializers.DateField(), min_length=1, max_length=3)
    pupils = serializers.PrimaryKeyRelatedField(queryset=Pupil.objects.none(), many=True, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    purchase_order = serializers.CharField(required=False, allow_blank=True, max_length=40)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["pupils"].child_relation.queryset = Pupil.objects.visible_to(request.user)
        return fields


class ConfirmSerializer(serializers.Serializer):
    officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(traded_profile__is_active=True))
    dates = BookingDateSerializer(many=True, allow_empty=False)
    version = serializers.IntegerField(min_value=1)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    version = serializers.IntegerField(min_value=1)


class CancelSerializer(ReasonSerializer):
    by_school = serializers.BooleanField(required=False, allow_null=True, default=None,
                                         help_text="LA users: true if the school asked (the notice rule applies).")


class DeliverSerializer(serializers.Serializer):
    delivered_units = serializers.DecimalField(max_digits=5, decimal_places=1)
    notes = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1)


class BookingViewSet(ServiceCallMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bookings the user may see. School users POST a request; LA staff confirm (officer and dates, after the
    capacity check), decline, record delivery and cancel."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet
    permission_classes = [permissions.IsAuthenticated, TradedPermission]
    action_capabilities = {
        "create": [Capability.BOOK_TRADED],
        "confirm": [Capability.MANAGE_TRADED_BOOKINGS],
        "decline": [Capability.MANAGE_TRADED_BOOKINGS],
        "deliver": [Capability.MANAGE_TRADED_BOOKINGS],
        "cancel": [Capability.BOOK_TRADED, Capability.MANAGE_TRADED_BOOKINGS],
    }

    def get_queryset(self):
        return selectors.booking_list(user=self.request.user).prefetch_related("dates", "booking_pupils").order_by(
            "-requested_at", "-pk")

    def get_serializer_class(self):
        return {"create": BookingRequestSerializer, "confirm": ConfirmSerializer, "decline": ReasonSerializer,
                "cancel": CancelSerializer, "deliver": DeliverSerializer}.get(self.action, BookingSerializer)

    def _out(self, booking, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=booking.pk)
        return Response(BookingSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        booking = self.get_object()
        pupil_ids = [link.pupil_id for link in booking.booking_pupils.all()]
        if pupil_ids:
            services.record_pupil_views(user=request.user, instance=booking, pupil_ids=pupil_ids, path=request.path)
        return Response(BookingSerializer(booking, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = self.call(services.booking_request, **serializer.validated_data)
        return self._out(booking, status.HTTP_201_CREATED)

    def _act(self, service, **extra):
        booking = selectors.booking_for_update(user=self.request.user, pk=record_number_or_404(self.kwargs["pk"]))
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        self.call(service, booking=booking, expected_version=version, **data, **extra)
        return self._out(booking)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        booking = selectors.booking_for_update(user=request.user, pk=record_number_or_404(pk))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.call(services.booking_confirm, booking=booking, expected_version=data["version"],
                  officer=data["officer"], dates=[(d["date"], d["days"]) for d in data["dates"]])
        return self._out(booking)

    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(services.booking_decline)

    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self._act(services.booking_deliver)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._act(services.booking_cancel)


# --- Packages -------------------------------------------------------------------------------------------------------

class PackageSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    academic_year_name = serializers.CharField(source="academic_year.name", read_only=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    days_used = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True)
    days_reserved = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True)
    days_remaining = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True)

    class Meta:
        model = Package
        fields = ["id", "reference", "school", "school_name", "academic_year", "academic_year_name", "role", "days",
                  "schedule", "day_rate", "half_day_rate", "discount_percent", "list_net", "net", "vat",
                  "vat_treatment", "vat_rate", "total", "purchase_order", "status", "days_used", "days_reserved",
                  "days_remaining", "purchased_at", "cancelled_at", "settled_net", "settled_vat", "version"]
        read_only_fields = fields


class PackageBuySerializer(ScopedRelationsMixin, serializers.Serializer):
    scoped_relations = {"school": _own_schools}
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.none())
    academic_year = serializers.PrimaryKeyRelatedField(queryset=AcademicYear.objects.all())
    role = serializers.ChoiceField(choices=TradedRole.choices)
    days = serializers.DecimalField(max_digits=5, decimal_places=1)
    schedule = serializers.ChoiceField(choices=Package.Schedule.choices)
    purchase_order = serializers.CharField(required=False, allow_blank=True, max_length=40)


class PackageViewSet(ServiceCallMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Annual packages with days used, reserved and remaining. School users buy one with a POST."""

    serializer_class = PackageSerializer
    filterset_class = PackageFilterSet
    permission_classes = [permissions.IsAuthenticated, TradedPermission]
    action_capabilities = {"create": [Capability.BOOK_TRADED]}

    def get_queryset(self):
        return selectors.package_list(user=self.request.user).order_by("-pk")

    def get_serializer_class(self):
        return PackageBuySerializer if self.action == "create" else PackageSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        package = self.call(services.package_buy, **serializer.validated_data)
        fresh = self.get_queryset().get(pk=package.pk)
        return Response(PackageSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- Invoices -------------------------------------------------------------------------------------------------------

class InvoiceLineSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = InvoiceLine
        fields = ["id", "position", "description", "service", "booking", "package", "instalment", "credited_line",
                  "quantity", "unit_label", "unit_price", "discount_percent", "net", "vat_treatment", "vat_rate",
                  "vat", "total", "service_date"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    credits_number = serializers.CharField(source="credits.number", read_only=True, allow_null=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "school", "school_name", "period_kind", "period_start", "period_end",
                  "period_label", "issued_on", "due_on", "status", "paid_on", "payment_reference", "net", "vat",
                  "total", "credits", "credits_number", "reason", "lines"]
        read_only_fields = fields


class InvoiceRunSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(choices=[c for c in Invoice.PeriodKind.choices
                                                   if c[0] != Invoice.PeriodKind.CREDIT])
    month = serializers.DateField(required=False, allow_null=True, help_text="Any day of the month, for month runs.")
    term = serializers.PrimaryKeyRelatedField(queryset=Term.objects.filter(school__isnull=True), required=False,
                                              allow_null=True)
    academic_year = serializers.PrimaryKeyRelatedField(queryset=AcademicYear.objects.all(), required=False,
                                                       allow_null=True)
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all(), required=False, allow_null=True)
    issued_on = serializers.DateField(required=False, allow_null=True)


class InvoiceViewSet(ServiceCallMixin, viewsets.ReadOnlyModelViewSet):
    """Invoices and credit notes (negative amounts) with their lines. Managers POST to ``run`` to invoice a period;
    a period already invoiced is refused and nothing is raised."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    permission_classes = [permissions.IsAuthenticated, TradedPermission]
    action_capabilities = {"run": [Capability.INVOICE_TRADED]}

    def get_queryset(self):
        return (Invoice.objects.visible_to(self.request.user).select_related("school", "credits")
                .prefetch_related("lines").order_by("-issued_on", "-pk"))

    def get_serializer_class(self):
        return InvoiceRunSerializer if self.action == "run" else InvoiceSerializer

    @action(detail=False, methods=["post"])
    def run(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v is not None}
        created = self.call(services.invoice_run, **data)
        invoices = self.get_queryset().filter(pk__in=[i.pk for i in created])
        return Response(InvoiceSerializer(invoices, many=True).data, status=status.HTTP_201_CREATED)
