"""Payment files and the payment queue over the API, thin over the same selectors, FilterSet and services as the
pages. LA staff read (VIEW_LEGAL; school users get 403, as the pages); importing a file and deciding a queued line
need RECORD_PAYMENTS. A refused file answers 400 with every problem by file, line and column, and nothing from it is
saved; a decision the service refuses answers 400 with the reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from legal import services as legal_services
from legal.models import Payment, PenaltyNotice
from legal.payments import rules, selectors, services
from legal.payments.filters import PaymentLineFilterSet
from legal.payments.forms import UploadForm
from legal.payments.models import PaymentFile, PaymentLine
from schools.audit import record_view
from schools.common.drf import as_drf_error
from schools.roles import Capability

#: Record numbers are 64-bit: anything else in the URL names nothing (a 404 before any query).
RECORD_NUMBER = "[0-9]{1,18}"


class PaymentsPermission(permissions.BasePermission):
    """As the pages: reading needs VIEW_LEGAL (LA staff), writing RECORD_PAYMENTS (managers, legal officers)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.can(Capability.VIEW_LEGAL)
        return request.user.can(Capability.RECORD_PAYMENTS)


def _run(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise as_drf_error(error) from error


class PaymentFileSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = PaymentFile
        fields = ["id", "reference", "original_name", "uploaded_by", "uploaded_at", "default_method", "line_count",
                  "matched_count", "queued_count", "duplicate_count", "total_amount"]
        read_only_fields = fields


class PaymentSuggestionSerializer(serializers.Serializer):
    notice = serializers.IntegerField()
    reference = serializers.CharField()
    why = serializers.CharField()
    distance = serializers.IntegerField(required=False)


class PaymentLineSerializer(serializers.ModelSerializer):
    reference_label = serializers.CharField(read_only=True, help_text="PF-00012/3: the file and line.")
    file_reference = serializers.CharField(source="file.reference", read_only=True)
    notice_reference = serializers.SerializerMethodField()
    suggestions = PaymentSuggestionSerializer(many=True, read_only=True,
                                       help_text="Suggested notices, best first (accept one: POST .../accept/).")
    next_step = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = PaymentLine
        fields = ["id", "reference_label", "file", "file_reference", "line_number", "paid_on", "amount", "reference",
                  "payer", "method", "status", "problem", "problem_detail", "next_step", "suggestions", "notice",
                  "notice_reference", "payment", "duplicate_of", "refund_amount", "decided_by", "decided_at",
                  "decision_note", "version"]
        read_only_fields = fields

    def get_notice_reference(self, line) -> str | None:
        return line.notice.reference if line.notice_id else None

    def get_next_step(self, line) -> str:
        return rules.NEXT_STEP.get(line.problem, "") if line.is_open else ""

    def get_decided_by(self, line) -> str | None:
        return line.decided_by.username if line.decided_by_id else None


class PaymentFileUploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=f"A CSV with the columns {', '.join(rules.REQUIRED_COLUMNS)}, up to "
                                           f"{rules.MAX_FILE_BYTES // (1024 * 1024)} MB.")
    method = serializers.ChoiceField(choices=Payment.Method.choices, help_text="How the payments were made.")

    def validate(self, data):
        # The page's form holds the checks on the upload itself (size, extension), so both routes refuse alike.
        form = UploadForm(data={"method": data["method"]}, files={"file": data["file"]})
        if not form.is_valid():
            raise serializers.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return data


class PaymentFileIssueSerializer(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class PaymentFileRefusedSerializer(serializers.Serializer):
    """A refused upload: messages by field (as any 400), and for a file refused on reading, every problem in it."""

    file = serializers.ListField(child=serializers.CharField(), required=False)
    method = serializers.ListField(child=serializers.CharField(), required=False)
    issues = PaymentFileIssueSerializer(many=True, required=False)


class PaymentFileViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Payment files imported from the income system, newest first. POST a file (multipart: ``file``, ``method``)
    to import it: each line is paid to its notice or held in the queue (/api/legal/payment-lines/)."""

    serializer_class = PaymentFileSerializer
    permission_classes = [permissions.IsAuthenticated, PaymentsPermission]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    lookup_value_regex = RECORD_NUMBER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PaymentFile.objects.none()
        return selectors.file_list(user=self.request.user)

    @extend_schema(request=PaymentFileUploadInput,
                   responses={201: PaymentFileSerializer, 400: PaymentFileRefusedSerializer})
    def create(self, request, *args, **kwargs):
        upload = PaymentFileUploadInput(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            batch = _run(services.payment_file_import, user=request.user, name=data["file"].name,
                         data=data["file"].read(), method=data["method"])
        except services.PaymentFileRefused as refused:
            issues = refused.issues
            # Not DRF's ValidationError, which would turn each issue's line number into text.
            return Response({
                "file": [f"{data['file'].name} was not imported: {len(issues)} problem{'s' if len(issues) != 1 else ''}"
                         " listed in issues. Correct the file and upload it again; nothing from it was saved."],
                "issues": [{"file": i.file, "line": i.line, "field": i.field, "value": i.value, "reason": i.reason}
                           for i in issues]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(selectors.file_get(user=request.user, pk=batch.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=PaymentLineSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def lines(self, request, pk=None, **kwargs):
        """Every line of the file, in file order, whatever became of it."""
        batch = self.get_object()
        rows = selectors.line_list(user=request.user).filter(file=batch).order_by("line_number", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PaymentLineSerializer(page, many=True).data)


class PaymentLineAcceptInput(serializers.Serializer):
    notice = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                      help_text="The id of one of the line's suggested notices.")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The line's version, as read.")
    refund_excess = serializers.BooleanField(default=False, help_text="An overpayment within the payment period: "
                                                                      "record the amount due, refund the excess.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PaymentLineMatchInput(serializers.Serializer):
    notice = serializers.CharField(max_length=30, help_text="The notice's reference, e.g. PN-000123.")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The line's version, as read.")
    refund_excess = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PaymentLineRejectInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000,
                                   help_text="Why it is rejected and what happens to the money.")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PaymentLineViewSet(viewsets.ReadOnlyModelViewSet):
    """The lines of every file, filtered as the queue page is: by default (``state`` open) the lines waiting for a
    decision, oldest first; ``state=decided`` or ``all``, ``problem``, ``q`` (reference or payer), ``file``.
    Decisions: POST .../accept/ (a suggested notice), .../match/ (a notice by reference), .../reject/ (a reason)."""

    serializer_class = PaymentLineSerializer
    filterset_class = PaymentLineFilterSet
    permission_classes = [permissions.IsAuthenticated, PaymentsPermission]
    lookup_value_regex = RECORD_NUMBER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PaymentLine.objects.none()
        return selectors.line_list(user=self.request.user).select_related("payment", "notice__pupil")

    def filter_queryset(self, queryset):
        rows = super().filter_queryset(queryset)
        if self.action == "list":  # the queue's order: the chosen sort, else oldest payment first
            ordered = self.request.query_params.get("sort") and rows.query.order_by
            rows = rows.order_by(*rows.query.order_by, "pk") if ordered else rows.order_by("paid_on", "pk")
        return rows

    def get_object(self):
        line = selectors.line_get(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, line)
        return line

    def retrieve(self, request, *args, **kwargs):
        line = self.get_object()
        if line.notice_id:
            record_view(user=request.user, instance=line, pupil_id=line.notice.pupil_id, path=request.path)
        return Response(self.get_serializer(line).data)

    def _decided(self, line) -> Response:
        return Response(self.get_serializer(selectors.line_get(user=self.request.user, pk=line.pk)).data)

    @extend_schema(request=PaymentLineAcceptInput, responses=PaymentLineSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, **kwargs):
        """Pay the line to one of its suggested notices (the amount must be what was due that day)."""
        line = self.get_object()
        data = PaymentLineAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        suggested = {s.notice.pk: s.notice for s in selectors.suggestions(user=request.user, line=line)}
        notice = suggested.get(values.pop("notice"))
        if notice is None:
            raise ValidationError({"notice": ["That notice is not one of this payment's suggestions: give the id of "
                                              "a suggested notice, or match it by hand (.../match/)."]})
        version = values.pop("version")
        _run(services.line_match, user=request.user, line=line, notice=notice, expected_version=version, **values)
        return self._decided(line)

    @extend_schema(request=PaymentLineMatchInput, responses=PaymentLineSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None, **kwargs):
        """Pay the line to the notice an officer found, by its reference."""
        line = self.get_object()
        data = PaymentLineMatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reference, version = values.pop("notice"), values.pop("version")
        notice = legal_services.find_notice(reference)
        if notice is None or not PenaltyNotice.objects.visible_to(request.user).filter(pk=notice.pk).exists():
            raise ValidationError({"notice": [f"No penalty notice has the reference “{reference}”: check it (PN- and "
                                              "six digits)."]})
        _run(services.line_match, user=request.user, line=line, notice=notice, expected_version=version, **values)
        return self._decided(line)

    @extend_schema(request=PaymentLineRejectInput, responses=PaymentLineSerializer, filters=False)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        """Take the line out of the queue without paying it to a notice (to be refunded), with a reason."""
        line = self.get_object()
        data = PaymentLineRejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        _run(services.line_reject, user=request.user, line=line, reason=data.validated_data["reason"],
             expected_version=data.validated_data["version"])
        return self._decided(line)
