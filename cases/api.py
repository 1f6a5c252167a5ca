"""REST API for cases, referrals, chronology, tasks and TSMs. Same scope (selectors) and FilterSets as the pages;
restricted chronology entries never reach a role that may not read them."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, viewsets

from cases import selectors, services
from cases.filters import CaseFilterSet, ChronologyFilterSet, ReferralFilterSet, TaskFilterSet, TsmFilterSet
from cases.models import Case, ChronologyEntry, Referral, TargetingSupportMeeting, Task
from schools.audit import record_view
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.models import Pupil, School
from schools.roles import Capability


class CanReferOrReadOnly(permissions.BasePermission):
    message = "Only school users refer pupils."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.can(Capability.REFER_PUPILS)


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    pupil_upn = serializers.CharField(source="pupil.upn", read_only=True)
    pupil_name = serializers.CharField(source="pupil.legal_name", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    officer_name = serializers.CharField(source="officer.display_name", read_only=True, allow_null=True)
    last_action_on = serializers.DateField(read_only=True, allow_null=True)
    last_action_summary = serializers.CharField(read_only=True, allow_null=True)
    attendance_possible = serializers.IntegerField(source="att_possible", read_only=True, allow_null=True,
                                                   help_text="Possible sessions, year to date (current enrolment).")
    attendance_attended = serializers.IntegerField(source="att_attended", read_only=True, allow_null=True)
    suggested_stage = serializers.IntegerField(read_only=True, allow_null=True,
                                               help_text="1-3 from the LA's thresholds, for that attendance.")
    stage_check = serializers.CharField(read_only=True, help_text="agrees, disagrees, no_case or no_sessions.")

    class Meta:
        model = Case
        fields = ["id", "reference", "pupil", "pupil_upn", "pupil_name", "school", "school_name", "case_type",
                  "status", "stage", "lead_practitioner", "lead_practitioner_name", "officer", "officer_name",
                  "summary", "opened_on", "closed_on", "outcome", "next_review_due", "review_interval_weeks",
                  "last_action_on", "last_action_summary", "attendance_possible", "attendance_attended",
                  "suggested_stage", "stage_check", "version"]
        read_only_fields = fields


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the user may see, with the case list's filters (stage, status, officer, school, partnership, type,
    overdue) and ordering (``sort``)."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema needs the model, not the year's figures
            return Case.objects.none()
        # With the pupil's year-to-date attendance and the stage check, as on the case list page.
        return selectors.case_list_with_attendance(user=self.request.user).order_by("-opened_on", "-pk")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_view(user=request.user, instance=self.get_object(), path=request.path)
        return response


class ReferralSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": lambda user: Pupil.objects.visible_to(user),
                        "school": lambda user: School.objects.visible_to(user)}
    reference = serializers.CharField(read_only=True)
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=Referral.Reason.choices), required=False)

    class Meta:
        model = Referral
        fields = ["id", "reference", "pupil", "school", "case_type", "reasons", "concerns", "tried_class_teacher",
                  "tried_head_of_year", "tried_parent_contact", "tried_early_help", "status", "decline_reason",
                  "created_at", "triaged_at", "case"]
        read_only_fields = ["id", "reference", "status", "decline_reason", "created_at", "triaged_at", "case"]


class ReferralViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals: school users create them for pupils on their roll and follow their status; the LA reads all."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    permission_classes = [permissions.IsAuthenticated, CanReferOrReadOnly]

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.referral_create(user=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error


class ChronologyEntrySerializer(serializers.ModelSerializer):
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta:
        model = ChronologyEntry
        fields = ["id", "case", "entry_type", "meeting_type", "occurred_on", "summary", "details", "participants",
                  "outcome", "restriction", "created_by_name", "created_at", "updated_at", "version"]
        read_only_fields = fields


class ChronologyEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Chronology entries; filter by ``case``. Restricted (safeguarding, medical) entries are LA-only."""

    serializer_class = ChronologyEntrySerializer
    filterset_class = ChronologyFilterSet

    def get_queryset(self):
        return selectors.visible_entries(self.request.user).select_related("created_by").order_by(
            "-occurred_on", "-pk")


class TaskSerializer(serializers.ModelSerializer):
    assigned_to_name = serializers.CharField(source="assigned_to.display_name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "case", "tsm", "title", "details", "due_date", "assigned_to", "assigned_to_name", "status",
                  "completed_at"]
        read_only_fields = fields


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return Task.objects.visible_to(self.request.user).select_related("assigned_to").order_by("due_date", "pk")


class TsmSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    academic_year_name = serializers.CharField(source="academic_year.name", read_only=True)
    pupil_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TargetingSupportMeeting
        fields = ["id", "school", "school_name", "academic_year", "academic_year_name", "term", "held_on", "officer",
                  "attendees", "notes", "pupil_count"]
        read_only_fields = fields


class TsmViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TsmSerializer
    filterset_class = TsmFilterSet

    def get_queryset(self):
        return selectors.tsm_list(user=self.request.user)
