"""The elective home education register over the API (LA roles only; school users get 403): list (the page's
FilterSet), read (audited), register a child, and the record's steps as POST actions calling the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from schools.audit import record_view
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.ehe import rules, services
from schools.ehe import selectors as sel
from schools.ehe.filters import HomeEducationFilterSet
from schools.models import HomeEducationContact, HomeEducationRecord, Pupil, School, User
from schools.roles import Capability

Record = HomeEducationRecord


class EHEPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.can(Capability.VIEW_LA_REGISTERS)
        return request.user.can(Capability.MANAGE_LA_REGISTERS)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = HomeEducationContact
        fields = ["id", "contact_on", "kind", "outcome", "notes"]


class HomeEducationSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": lambda user: Pupil.objects.visible_to(user),
                        "school": lambda user: School.objects.visible_to(user)}
    reference = serializers.CharField(read_only=True)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=rules.REASON_CHOICES), required=False)
    officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                 allow_null=True)
    notice_expiry = serializers.DateField(read_only=True, help_text="End of a s437(1) notice still waiting for "
                                                                    "the parent.")
    next_action = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta:
        model = Record
        fields = ["id", "reference", "pupil", "school", "notified_on", "source", "source_notification", "reasons",
                  "reasons_detail", "notes", "officer", "sen_status", "consent_required", "consent_decision",
                  "consent_decided_on", "suitability", "suitability_assessed_on", "enquiry_sent_on",
                  "enquiry_response_due", "enquiry_response_on", "notice_expiry", "status", "returned_on",
                  "return_school", "closed_on", "closed_reason", "cnis_entry", "next_action", "contacts"]
        read_only_fields = ["source_notification", "sen_status", "consent_required", "consent_decision",
                            "consent_decided_on", "suitability", "suitability_assessed_on", "enquiry_sent_on",
                            "enquiry_response_due", "enquiry_response_on", "status", "returned_on", "return_school",
                            "closed_on", "closed_reason", "cnis_entry"]
        validators = []  # the service checks "one open record per child" and says so on the pupil field

    def get_next_action(self, record) -> str:
        return sel.next_action(record).text


class ConsentInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[Record.Consent.GIVEN, Record.Consent.REFUSED])
    decided_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class SuitabilityInput(serializers.Serializer):
    suitability = serializers.ChoiceField(choices=Record.Suitability.choices)
    assessed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class EnquiryInput(serializers.Serializer):
    sent_on = serializers.DateField()


class ReplyInput(serializers.Serializer):
    response_on = serializers.DateField()
    response = serializers.CharField()


class ReturnInput(serializers.Serializer):
    returned_on = serializers.DateField()
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all())


class CloseInput(serializers.Serializer):
    closed_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class HomeEducationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = HomeEducationSerializer
    filterset_class = HomeEducationFilterSet
    permission_classes = [permissions.IsAuthenticated, EHEPermission]

    def get_queryset(self):
        return sel.ehe_list(user=self.request.user).prefetch_related("contacts").order_by("-notified_on", "-pk")

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        record_view(user=request.user, instance=record, path=request.path)
        return Response(self.get_serializer(record).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            record = services.register_home_education(user=self.request.user, **data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        serializer.instance = self.get_queryset().get(pk=record.pk)

    def _write(self, request, input_serializer, write):
        record = self.get_object()
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            write(record, **data.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=ContactSerializer, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        return self._write(request, ContactSerializer, lambda r, **d: services.ehe_add_contact(
            user=request.user, record=r, **d))

    @extend_schema(request=ConsentInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        return self._write(request, ConsentInput, lambda r, **d: services.ehe_record_consent(
            user=request.user, record=r, **d))

    @extend_schema(request=SuitabilityInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"])
    def suitability(self, request, pk=None):
        return self._write(request, SuitabilityInput, lambda r, **d: services.ehe_assess_suitability(
            user=request.user, record=r, **d))

    @extend_schema(request=EnquiryInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"])
    def enquiry(self, request, pk=None):
        return self._write(request, EnquiryInput, lambda r, **d: services.ehe_send_enquiry(
            user=request.user, record=r, **d))

    @extend_schema(request=ReplyInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"], url_path="enquiry-reply")
    def enquiry_reply(self, request, pk=None):
        return self._write(request, ReplyInput, lambda r, **d: services.ehe_record_enquiry_response(
            user=request.user, record=r, **d))

    @extend_schema(request=ReturnInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_school(self, request, pk=None):
        return self._write(request, ReturnInput, lambda r, **d: services.ehe_return_to_school(
            user=request.user, record=r, **d))

    @extend_schema(request=CloseInput, responses=HomeEducationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._write(request, CloseInput, lambda r, **d: services.ehe_close(
            user=request.user, record=r, **d))
