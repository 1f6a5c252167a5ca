"""REST API for exclusions and provision: the same scoped selectors, FilterSets and services as the pages.

Writes go through schools.exclusions.services; a service's ValidationError comes back as 400 keyed by field, and
related ids outside the user's scope are "does not exist" (ScopedRelationsMixin)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response

from schools.audit import record_view
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.exclusions import rules, services
from schools.exclusions import selectors as sel
from schools.exclusions.filters import (
    APProviderFilterSet,
    CMEFilterSet,
    ExclusionFilterSet,
    ExclusionReminderFilterSet,
    FairAccessFilterSet,
    ManagedMoveFilterSet,
    PartTimeTimetableFilterSet,
    PlacementFilterSet,
)
from schools.models import (
    APProvider,
    CMERecord,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    PartTimeReview,
    PartTimeTimetable,
    Placement,
    Pupil,
    School,
)
from schools.roles import Capability


class CapabilityOrReadOnly(permissions.BasePermission):
    """Reads for every signed-in user (rows are scoped); writes need the viewset's ``write_capability``."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.can(view.write_capability)


class LaRegisterPermission(permissions.BasePermission):
    """The LA's own registers: LA roles read, LA editors write."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return request.user.can(Capability.VIEW_LA_REGISTERS)
        return request.user.can(Capability.MANAGE_LA_REGISTERS)


def _visible_pupils(user):
    return Pupil.objects.visible_to(user)


def _visible_schools(user):
    return School.objects.visible_to(user)


class ScopedServiceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rows from ``selector(user=...)``; a create calls ``service(user=..., **validated_data)``, and the service's
    Django validation errors become 400s keyed by field. Writes need ``write_capability``."""

    permission_classes = [permissions.IsAuthenticated, CapabilityOrReadOnly]
    selector = service = write_capability = None

    def get_queryset(self):
        return self.selector(user=self.request.user)

    def perform_create(self, serializer):
        try:
            instance = self.service(user=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def write_on(self, request, input_serializer, write):
        """A POST action on one row: the row through the scope (404 outside it), the input checked by
        ``input_serializer``, then ``write(obj, **data)`` (a service); the row comes back as the list shows it."""
        if not request.user.can(self.write_capability):
            raise PermissionDenied
        obj = self.get_object()
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            write(obj, **data.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


# ---------------------------------------------------------------------------------------------------------------
# Exclusions


class DeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    who = serializers.CharField()
    source = serializers.CharField()
    status = serializers.SerializerMethodField()

    def get_status(self, deadline) -> str:
        return deadline.status(today=self.context["today"], soon=self.context["soon"])


class ExclusionSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": _visible_pupils, "school": _visible_schools}
    reasons = serializers.ListField(child=serializers.CharField(max_length=2), allow_empty=False,
                                    help_text=f"Up to {rules.MAX_REASONS} DfE reason codes, e.g. [\"PA\", \"VA\"].")
    deadlines = serializers.SerializerMethodField()
    school_name = serializers.CharField(source="school.name", read_only=True)
    # Plain strings: their choice sets equal start_session's and Placement.arranged_by's, and one enum name each
    # keeps the OpenAPI schema unambiguous.
    end_session = serializers.CharField(read_only=True, help_text="am or pm; empty for a permanent exclusion.")
    day6_duty = serializers.CharField(read_only=True, help_text="la, school or empty (no day-6 duty).")

    class Meta:
        model = Exclusion
        fields = ["id", "pupil", "school", "school_name", "kind", "start_date", "start_session", "length_sessions",
                  "reasons", "description", "notice_date", "la_notified_on", "missed_public_exam",
                  "parental_representations", "end_date", "end_session", "days", "term_days_total", "board_rule",
                  "board_due", "board_met_on", "board_decision", "board_decision_notified_on",
                  "irp_application_due", "irp_applied_on", "irp_meeting_due", "irp_decided_on", "irp_decision",
                  "reconsideration_due", "reconsidered_on", "day6_duty", "day6_date", "run_start_date",
                  "start_year_days", "provision_from",
                  "cancelled_on", "cancellation_reason", "reintegration_plan", "reintegration_case_id", "deadlines"]
        read_only_fields = [f for f in fields if f not in {
            "pupil", "school", "kind", "start_date", "start_session", "length_sessions", "reasons", "description",
            "notice_date", "la_notified_on", "missed_public_exam", "parental_representations"}]
        extra_kwargs = {"notice_date": {"required": False}}

    def get_deadlines(self, exclusion) -> list[dict]:
        context = {"today": sel.today(), "soon": self.context.get("soon") or sel.soon_limit()}
        return DeadlineSerializer(exclusion.deadlines(), many=True, context=context).data


class ExclusionCancelSerializer(serializers.Serializer):
    cancelled_on = serializers.DateField()
    # Blank is let through so the service answers with its own message ("Say why the exclusion is cancelled").
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ExclusionReviewSerializer(serializers.Serializer):
    """The governing board's consideration and the independent review; send only the steps being recorded."""

    board_met_on = serializers.DateField(required=False, allow_null=True)
    board_decision = serializers.ChoiceField(choices=Exclusion.BoardDecision.choices, required=False,
                                             allow_blank=True)
    board_decision_notified_on = serializers.DateField(required=False, allow_null=True)
    irp_applied_on = serializers.DateField(required=False, allow_null=True)
    irp_decided_on = serializers.DateField(required=False, allow_null=True)
    irp_decision = serializers.ChoiceField(choices=Exclusion.IrpDecision.choices, required=False, allow_blank=True)
    reconsidered_on = serializers.DateField(required=False, allow_null=True)


class ReintegrationSerializer(serializers.Serializer):
    plan = serializers.CharField(allow_blank=True, trim_whitespace=False)
    meeting_on = serializers.DateField(required=False, allow_null=True)


class ExclusionReminderSerializer(serializers.ModelSerializer):
    pupil = serializers.IntegerField(source="exclusion.pupil_id", read_only=True)

    class Meta:
        model = ExclusionReminder
        fields = ["id", "exclusion", "pupil", "kind", "due", "message", "created_on", "resolved_on"]
        read_only_fields = fields


class ExclusionReminderPageSerializer(serializers.Serializer):
    """One page of reminders as the schema describes it: a list action is not wrapped in pagination for the schema
    on its own, though the view pages it."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExclusionReminderSerializer(many=True)


class ExclusionViewSet(ScopedServiceViewSet):
    """Exclusions with their deadlines. Record one with POST; ``cancel``, ``review`` (the board and independent
    review) and ``reintegration`` are POST actions on one; ``reminders`` lists the daily reminders and
    ``suspension-days?pupil=<id>`` a pupil's suspended days this school year against the 45-day limit."""

    serializer_class = ExclusionSerializer
    filterset_class = ExclusionFilterSet
    write_capability = Capability.RECORD_EXCLUSIONS
    selector, service = staticmethod(sel.exclusion_list), staticmethod(services.exclusion_record)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "soon": sel.soon_limit()}

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_view(user=request.user, instance=self.get_object(), path=request.path)
        return response

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.write_on(request, ExclusionCancelSerializer, lambda exclusion, **data: services.exclusion_cancel(
            user=request.user, exclusion=exclusion, **data))

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.write_on(request, ExclusionReviewSerializer, lambda exclusion, **data: (
            services.exclusion_review_record(user=request.user, exclusion=exclusion, **data)))

    @action(detail=True, methods=["post"])
    def reintegration(self, request, pk=None):
        return self.write_on(request, ReintegrationSerializer, lambda exclusion, **data: (
            services.exclusion_reintegration_start(user=request.user, exclusion=exclusion, **data)))

    @extend_schema(responses=ExclusionReminderPageSerializer)
    @action(detail=False, methods=["get"], serializer_class=ExclusionReminderSerializer,
            filterset_class=ExclusionReminderFilterSet)
    def reminders(self, request, format=None):  # DRF passes a .json suffix as "format"
        """Reminders written each morning (deadlines within two school days or missed, missing day-6 provision),
        for the exclusions the user may see; ``status=open`` or ``resolved``, ``kind``."""
        filterset = ExclusionReminderFilterSet(request.GET, queryset=sel.reminder_list(user=request.user),
                                               request=request)
        if not filterset.is_valid():
            raise DrfValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs.order_by("due", "pk"))
        return self.get_paginated_response(ExclusionReminderSerializer(page, many=True).data)

    @action(detail=False, methods=["get"], url_path="suspension-days", filterset_class=None, pagination_class=None)
    def suspension_days(self, request, format=None):
        """A pupil's suspended days in the school year containing ``on`` (default today), at every school, against
        the 45-day limit: ``state`` is ok, near (40 or more) or reached."""
        raw = request.GET.get("pupil", "")
        if not (raw.isascii() and raw.isdecimal() and len(raw) <= 18):
            raise DrfValidationError({"pupil": ["Give the pupil's record number, e.g. ?pupil=123."]})
        pupil = get_object_or_404(Pupil.objects.visible_to(request.user), pk=int(raw))
        try:
            on = datetime.date.fromisoformat(request.GET["on"]) if request.GET.get("on") else sel.today()
        except ValueError:
            raise DrfValidationError({"on": ["Give the date as YYYY-MM-DD."]}) from None
        cap = sel.suspension_cap_status(pupil=pupil, on=on)
        record_view(user=request.user, instance=pupil, path=request.get_full_path())
        return Response({"pupil": pupil.pk, "school_year": str(cap.year) if cap.year else None,
                         "days": f"{cap.total.normalize():f}", "limit": int(rules.SUSPENSION_CAP_DAYS),
                         "remaining": f"{cap.remaining.normalize():f}", "state": cap.state})


# ---------------------------------------------------------------------------------------------------------------
# Provision


class PlacementSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": _visible_pupils, "commissioning_school": _visible_schools,
                        "exclusion": lambda user: Exclusion.objects.visible_to(user)}
    provider = serializers.CharField(source="provider_display", read_only=True)

    class Meta:
        model = Placement
        fields = ["id", "pupil", "exclusion", "arranged_by", "commissioning_school", "provider_kind", "ap_provider",
                  "host_school", "provider_name", "provider", "hours_per_week", "start_date", "end_date", "notes"]
        read_only_fields = ["id"]


class PlacementViewSet(ScopedServiceViewSet):
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilterSet
    write_capability = Capability.RECORD_PROVISION
    selector, service = staticmethod(sel.placement_list), staticmethod(services.placement_record)


class PartTimeTimetableSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": _visible_pupils, "school": _visible_schools}
    flags = serializers.SerializerMethodField(help_text="Review overdue, past planned end, long-running, LA not "
                                                        "notified, or ended.")

    class Meta:
        model = PartTimeTimetable
        fields = ["id", "pupil", "school", "start_date", "planned_end_date", "hours_per_week", "reason",
                  "reason_detail", "parent_agreed_on", "la_notified_on", "next_review_date", "ended_on",
                  "end_reason", "flags"]
        read_only_fields = ["id", "ended_on", "end_reason"]
        extra_kwargs = {"next_review_date": {"required": False}}

    def get_flags(self, timetable) -> list[str]:
        flags = self.context.get("flags") or sel.part_time_flags()
        return [label for label, _colour in flags.for_timetable(timetable)]


class PartTimeReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=PartTimeReview.Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True)
    next_review_date = serializers.DateField(required=False, allow_null=True)
    new_planned_end_date = serializers.DateField(required=False, allow_null=True)


class PartTimeTimetableViewSet(ScopedServiceViewSet):
    """Part-time timetables (code C2) with their flags; ``review`` is a POST action on one."""

    serializer_class = PartTimeTimetableSerializer
    filterset_class = PartTimeTimetableFilterSet
    write_capability = Capability.RECORD_PROVISION
    selector, service = staticmethod(sel.part_time_list), staticmethod(services.part_time_record)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "flags": sel.part_time_flags()}

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.write_on(request, PartTimeReviewSerializer, lambda timetable, **data: (
            services.part_time_review_record(user=request.user, timetable=timetable, **data)))


class ManagedMoveSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    # As on the page (ManagedMoveForm): a move out of a school the user may record for; to any school.
    scoped_relations = {"pupil": _visible_pupils, "from_school": _visible_schools}

    class Meta:
        model = ManagedMove
        fields = ["id", "pupil", "from_school", "to_school", "agreed_on", "start_date", "review_date", "outcome",
                  "outcome_on", "notes"]
        read_only_fields = ["id", "outcome", "outcome_on"]


class ManagedMoveOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ManagedMove.Outcome.choices)
    outcome_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True)


class ManagedMoveViewSet(ScopedServiceViewSet):
    """Managed moves; ``outcome`` is a POST action on one, recorded once."""

    serializer_class = ManagedMoveSerializer
    filterset_class = ManagedMoveFilterSet
    write_capability = Capability.RECORD_PROVISION
    selector, service = staticmethod(sel.managed_move_list), staticmethod(services.managed_move_record)

    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        return self.write_on(request, ManagedMoveOutcomeSerializer, lambda move, **data: (
            services.managed_move_outcome(user=request.user, move=move, **data)))


class APProviderSerializer(serializers.ModelSerializer):
    pupils_placed = serializers.IntegerField(read_only=True)
    places_used = serializers.DecimalField(max_digits=6, decimal_places=1, read_only=True)

    class Meta:
        model = APProvider
        fields = ["id", "name", "urn", "registered", "places_commissioned", "pupils_placed", "places_used",
                  "contact", "is_active"]
        read_only_fields = ["id"]


class APProviderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = APProviderSerializer
    filterset_class = APProviderFilterSet
    permission_classes = [permissions.IsAuthenticated, LaRegisterPermission]

    def get_queryset(self):
        return sel.ap_provider_list(user=self.request.user)


class FairAccessSerializer(serializers.ModelSerializer):
    band = serializers.SerializerMethodField()

    class Meta:
        model = FairAccessReferral
        fields = ["id", "pupil", "panel", "category", "referred_on", "out_of_school_since", "allocation_due",
                  "allocated_school", "allocated_on", "placed_on", "days_without_placement", "band"]
        read_only_fields = fields

    def get_band(self, referral) -> str:
        return rules.fair_access_band(self.context.get("days", {}).get(referral.pk))


class FairAccessViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FairAccessSerializer
    filterset_class = FairAccessFilterSet
    permission_classes = [permissions.IsAuthenticated, LaRegisterPermission]

    def get_queryset(self):
        return sel.fair_access_list(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        if args:  # the page's rows (many=True) or one referral: days counted on one calendar load
            referrals = list(args[0]) if kwargs.get("many") else [args[0]]
            kwargs["context"] = {**self.get_serializer_context(), "days": sel.fair_access_days(referrals)}
        return super().get_serializer(*args, **kwargs)


class CMERecordSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="display_name", read_only=True)
    enquiry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CMERecord
        fields = ["id", "pupil", "child", "date_of_birth", "referred_on", "referring_school", "referral_source",
                  "reason", "last_attended_on", "officer", "outcome", "outcome_on", "enquiry_count"]
        read_only_fields = fields


class CMERecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CMERecordSerializer
    filterset_class = CMEFilterSet
    permission_classes = [permissions.IsAuthenticated, LaRegisterPermission]

    def get_queryset(self):
        return sel.cme_list(user=self.request.user)
