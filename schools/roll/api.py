"""REST API for roll notifications: a school sends its notices (POST), reads what it sent; the LA reads every
school's (the same FilterSet as the page) and triages a deletion notice (POST .../triage/). Writes go through
schools.roll.services; a service's ValidationError is a 400 keyed by field."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.models import RollNotification, School
from schools.roles import Capability
from schools.roll import rules, selectors, services
from schools.roll.filters import RollNotificationFilterSet
from schools.scoping import is_la_user


def _own_schools(user):
    return School.objects.visible_to(user)


class SendOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.can(Capability.SEND_ROLL_NOTIFICATIONS)


class RollNotificationSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"school": _own_schools}
    ground = serializers.ChoiceField(choices=rules.GROUND_CHOICES, required=False, allow_blank=True,
                                     help_text="Deletions: the letter of regulation 9(1), a to o.")
    new_school = serializers.SlugRelatedField(slug_field="urn", queryset=School.objects.all(), required=False,
                                              allow_null=True, help_text="The new school's URN, if in the LA.")
    school = serializers.SlugRelatedField(slug_field="urn", queryset=School.objects.none(),
                                          help_text="The URN of the school sending the notice.")
    received_on = serializers.DateField(required=False, allow_null=True,
                                        help_text="LA staff keying in a notice: the day it arrived (default today).")
    admission_confirmed_on = serializers.SerializerMethodField()

    class Meta:
        model = RollNotification
        fields = ["id", "kind", "school", "upn", "first_name", "last_name", "date_of_birth", "sex", "nc_year",
                  "event_date", "address", "previous_school_name", "ground", "new_address", "new_address_from",
                  "new_school", "new_school_name", "new_school_start", "parent_name", "parent_phone", "notes",
                  "received_on", "source", "due_on", "late", "status", "step", "pupil", "cme_record", "exclusion",
                  "ehe_record_pk", "admission_confirmed_on"]
        read_only_fields = ["source", "due_on", "late", "status", "step", "pupil", "cme_record", "exclusion",
                            "ehe_record_pk"]
        validators = []  # the service checks the one-notice constraint and says which notice it is

    def get_admission_confirmed_on(self, notice) -> str | None:
        """The date the new school's admission notice arrived, when it confirms the move (deletions only)."""
        found = self.context.get("confirmed", {}).get(notice.pk)
        return found.received_on.isoformat() if found else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not is_la_user(request.user):
            for name in ("pupil", "cme_record", "exclusion", "ehe_record_pk"):  # the LA's own records
                data.pop(name, None)
        return data


class TriageSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=rules.Step.CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RollNotificationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RollNotificationSerializer
    filterset_class = RollNotificationFilterSet
    permission_classes = [permissions.IsAuthenticated, SendOrReadOnly]

    def get_queryset(self):
        return selectors.notification_list(user=self.request.user).order_by("-received_on", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["confirmed"] = {}
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        serializer = self.get_serializer(rows, many=True)
        serializer.context["confirmed"] = selectors.confirmations_for(rows)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        notice = self.get_object()
        serializer = self.get_serializer(notice)
        serializer.context["confirmed"] = selectors.confirmations_for([notice])
        return Response(serializer.data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        school, kind, received_on = data.pop("school"), data.pop("kind"), data.pop("received_on", None)
        try:
            notice = services.notification_submit(user=self.request.user, school=school, kind=kind,
                                                  received_on=received_on, source=RollNotification.Source.API,
                                                  **data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        serializer.instance = self.get_queryset().get(pk=notice.pk)

    @extend_schema(request=TriageSerializer, responses=RollNotificationSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """Take a deletion notice's next step (cme, ehe, exclusion, move or record) and mark it done."""
        if not request.user.can(Capability.TRIAGE_ROLL_NOTIFICATIONS):
            raise PermissionDenied
        notice = self.get_object()
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.notification_triage(user=request.user, notification=notice, **data.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)
