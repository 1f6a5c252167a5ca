"""REST API for legal work: the same scoped selectors, FilterSets and services as the pages. A school reaches only its
own requests (and the outcome: the notices they led to, without the LA's notes); every other legal record is
LA-only, so it is absent from a school's lists and 404 in detail."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from legal import selectors, services
from legal.filters import PenaltyNoticeFilterSet, ProsecutionFilterSet, RequestFilterSet
from legal.models import Contract, LegalPathway, Payment, PenaltyNotice, PenaltyNoticeRequest, Prosecution
from legal.rules import ServiceMethod
from schools.audit import record_view
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.models import Carer, Family, Pupil, School
from schools.roles import Capability


def _run(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_drf_error(error) from error


class WriteNeeds(permissions.BasePermission):
    """Reads for every signed-in user (rows are scoped); writes need the viewset's ``write_capability``."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.can(view.write_capability)


class OutcomeNoticeSerializer(serializers.ModelSerializer):
    """What a school is told about the notices its request led to."""

    reference = serializers.CharField(read_only=True)
    carer_name = serializers.CharField(source="carer.full_name", read_only=True)

    class Meta:
        model = PenaltyNotice
        fields = ["reference", "carer_name", "issued_on", "status"]
        read_only_fields = fields


class RequestSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    # Carers of the families the user may see: another family's carer id answers as one never used would.
    scoped_relations = {"pupil": lambda user: Pupil.objects.visible_to(user),
                        "school": lambda user: School.objects.visible_to(user),
                        "carers": lambda user: Carer.objects.filter(family__in=Family.objects.visible_to(user))}
    reference = serializers.CharField(read_only=True)
    carers = serializers.PrimaryKeyRelatedField(many=True, queryset=Carer.objects.all())
    notices = OutcomeNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = PenaltyNoticeRequest
        fields = ["id", "reference", "school", "pupil", "carers", "notice_type", "absence_from", "absence_to",
                  "sessions_missed", "leave_refused_on", "details", "support_offered", "letters_sent", "status",
                  "submitted_on", "decision_due", "decided_at", "decision_reason", "notices"]
        read_only_fields = ["id", "reference", "status", "submitted_on", "decision_due", "decided_at",
                            "decision_reason", "notices"]


class LaRequestSerializer(RequestSerializer):
    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "la_notes", "version"]
        read_only_fields = [*RequestSerializer.Meta.read_only_fields, "la_notes", "version"]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    la_notes = serializers.CharField(required=False, allow_blank=True, default="")
    served_on = serializers.DateField(required=False, allow_null=True, default=None)
    service_method = serializers.ChoiceField(choices=ServiceMethod.choices, required=False, allow_blank=True,
                                             default="")
    version = serializers.IntegerField(min_value=1)


class PenaltyNoticeRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Schools' penalty-notice requests: a school creates them for pupils on its roll and reads their outcome; the
    LA reads all and decides (``POST .../decide/``). The LA's working notes are never sent to a school."""

    filterset_class = RequestFilterSet
    permission_classes = [permissions.IsAuthenticated, WriteNeeds]
    write_capability = Capability.REQUEST_PENALTY_NOTICE

    def get_serializer_class(self):
        if self.action == "decide":
            return DecisionSerializer
        if getattr(self, "swagger_fake_view", False):  # the schema shows the LA's fuller form
            return LaRequestSerializer
        return LaRequestSerializer if self.request.user.is_la_staff else RequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no signed-in user
            return PenaltyNoticeRequest.objects.none()
        return selectors.request_list(user=self.request.user).order_by("-submitted_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = _run(services.request_submit, user=self.request.user, **serializer.validated_data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_view(user=request.user, instance=self.get_object(), path=request.path)
        return response

    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        if not request.user.can(Capability.DECIDE_PN_REQUESTS):
            raise PermissionDenied("Your role may not decide penalty-notice requests.")
        item = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        _run(services.request_decide, user=request.user, request=item, expected_version=version, **values)
        item = self.get_queryset().get(pk=item.pk)
        return Response(LaRequestSerializer(item, context=self.get_serializer_context()).data)


class PenaltyNoticeSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": lambda user: Pupil.objects.visible_to(user),
                        "pathway": lambda user: LegalPathway.objects.visible_to(user)}
    reference = serializers.CharField(read_only=True)
    carer = serializers.PrimaryKeyRelatedField(queryset=Carer.objects.all())
    prosecuted = serializers.BooleanField(read_only=True)

    class Meta:
        model = PenaltyNotice
        fields = ["id", "reference", "pupil", "carer", "school", "pathway", "request", "notice_type", "regime",
                  "number_in_window", "period_start", "period_end", "issued_on", "served_on", "service_method",
                  "received_on", "reduced_amount", "full_amount", "reduced_due_on", "full_due_on", "status",
                  "paid_on", "paid_amount", "withdrawn_on", "withdrawal_ground", "withdrawal_notes", "prosecuted",
                  "notes", "version"]
        read_only_fields = ["id", "reference", "school", "request", "regime", "number_in_window", "received_on",
                            "reduced_amount", "full_amount", "reduced_due_on", "full_due_on", "status", "paid_on",
                            "paid_amount", "withdrawn_on", "withdrawal_ground", "withdrawal_notes", "prosecuted",
                            "version"]
        extra_kwargs = {"issued_on": {"required": False}, "served_on": {"required": False},
                        "service_method": {"required": False}, "pathway": {"required": False},
                        "notes": {"required": False}}


class LaOnlyMixin:
    """LA-only records: a school's list is empty and each detail 404, as for the pages."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or not self.request.user.can(Capability.VIEW_LEGAL):
            return self.queryset_model.objects.none()
        return self.selector(user=self.request.user)


class PenaltyNoticeViewSet(LaOnlyMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The LA's record of penalty notices (PN2007 reg 20), with the register's filters. ``POST`` issues a notice
    (the same rules as the page: regime amounts, the three-year limit, the support gate for non-attendance)."""

    serializer_class = PenaltyNoticeSerializer
    filterset_class = PenaltyNoticeFilterSet
    permission_classes = [permissions.IsAuthenticated, WriteNeeds]
    write_capability = Capability.WORK_LEGAL
    queryset_model = PenaltyNotice
    selector = staticmethod(selectors.notice_register)

    def perform_create(self, serializer):
        notice = _run(services.notice_issue, user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=notice.pk)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_view(user=request.user, instance=self.get_object(), path=request.path)
        return response


class PaymentSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(write_only=True, help_text="The notice's reference, e.g. PN-000123.")
    amount = serializers.CharField(help_text="Pounds and pence, e.g. 80.00")
    notice_reference = serializers.CharField(source="notice.reference", read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "reference", "notice", "notice_reference", "amount", "paid_on", "method",
                  "transaction_reference", "recorded_at"]
        read_only_fields = ["id", "notice", "notice_reference", "recorded_at"]
        extra_kwargs = {"transaction_reference": {"required": False}}


class PaymentViewSet(LaOnlyMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payments reconciled to notices. ``POST`` with the payer's reference, amount and date: a payment matching no
    notice, or not exactly the amount due that day, is refused (400) with the reason and nothing is saved."""

    serializer_class = PaymentSerializer
    permission_classes = [permissions.IsAuthenticated, WriteNeeds]
    write_capability = Capability.RECORD_PAYMENTS
    queryset_model = Payment

    @staticmethod
    def selector(*, user):
        return Payment.objects.visible_to(user).select_related("notice").order_by("-paid_on", "-pk")

    def perform_create(self, serializer):
        serializer.instance = _run(services.payment_record, user=self.request.user, **serializer.validated_data)


class PathwaySerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = LegalPathway
        fields = ["id", "reference", "case", "pupil", "status", "opened_on", "gate_passed", "evidence",
                  "override_reason", "closed_on", "closed_reason"]
        read_only_fields = fields


class PathwayViewSet(LaOnlyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PathwaySerializer
    queryset_model = LegalPathway

    @staticmethod
    def selector(*, user):
        return LegalPathway.objects.visible_to(user).order_by("-opened_on", "-pk")


class ContractSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "reference", "kind", "pupil", "case", "carer", "agreed_on", "parent_requirements",
                  "support_offered", "review_weeks", "next_review_on", "status", "outcome", "ended_on"]
        read_only_fields = fields


class ContractViewSet(LaOnlyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ContractSerializer
    queryset_model = Contract

    @staticmethod
    def selector(*, user):
        return Contract.objects.visible_to(user).order_by("-agreed_on", "-pk")


class ProsecutionSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    hearing_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Prosecution
        fields = ["id", "reference", "pathway", "pupil", "carer", "offence", "penalty_notice", "period_start",
                  "period_end", "information_deadline", "interview_on", "interview_declined",
                  "information_laid_on", "court", "status", "halted_reason", "outcome", "outcome_on",
                  "fine_amount", "costs_amount", "discharge_months", "hearing_count"]
        read_only_fields = fields


class ProsecutionViewSet(LaOnlyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProsecutionSerializer
    filterset_class = ProsecutionFilterSet
    queryset_model = Prosecution
    selector = staticmethod(selectors.prosecution_list)


class LegalFiguresSerializer(serializers.Serializer):
    """The shape of the figures response (each list's rows are the selectors' dicts)."""

    notices_by_type_school_outcome = serializers.ListField(child=serializers.DictField())
    payment_rates = serializers.ListField(child=serializers.DictField())
    prosecutions = serializers.ListField(child=serializers.DictField())


class LegalFiguresView(APIView):
    """The statutory legal figures: notices by type, school and outcome; payment rates; prosecutions and outcomes.
    Optional ``start`` and ``end`` (YYYY-MM-DD) limit the period. LA roles only."""

    @extend_schema(responses=LegalFiguresSerializer, operation_id="legal_figures")
    def get(self, request):
        import datetime

        if not request.user.can(Capability.VIEW_LEGAL):
            raise PermissionDenied("Legal figures are for LA staff.")
        bounds = {}
        for name in ("start", "end"):
            value = request.query_params.get(name)
            if value:
                try:
                    bounds[name] = datetime.date.fromisoformat(value)
                except ValueError:
                    from rest_framework.exceptions import ValidationError

                    raise ValidationError({name: "Use a date like 2026-09-01."}) from None
        user = request.user
        return Response({
            "notices_by_type_school_outcome": selectors.notice_figures_by_type_school_outcome(user=user, **bounds),
            "payment_rates": selectors.payment_rate_figures(user=user, **bounds),
            "prosecutions": selectors.prosecution_figures(user=user, **bounds),
        })
