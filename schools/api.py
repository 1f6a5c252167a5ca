"""REST API for schools, pupils and enrolments. Same scope (selectors) and FilterSets as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import mixins, permissions, serializers, viewsets

from schools import selectors, services
from schools.audit import record_view
from schools.common.drf import ScopedRelationsMixin, as_drf_error
from schools.filters import EnrolmentFilterSet, PupilFilterSet, SchoolFilterSet
from schools.models import Enrolment, Family, Pupil, School
from schools.roles import Capability


class CanEditPupilsOrReadOnly(permissions.BasePermission):
    message = "Your role may read pupils but not change them."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.can(Capability.EDIT_PUPILS)


class SchoolSerializer(serializers.ModelSerializer):
    partnership = serializers.StringRelatedField()
    on_roll = serializers.IntegerField(read_only=True)

    class Meta:
        model = School
        fields = ["id", "urn", "laestab", "name", "phase", "school_type", "partnership", "is_open", "on_roll"]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolSerializer
    filterset_class = SchoolFilterSet
    lookup_field = "urn"
    lookup_value_regex = "[0-9]{6}"  # anything else names no school: a 404 before any query

    def get_queryset(self):
        return selectors.school_list(user=self.request.user)


class EnrolmentSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"pupil": lambda user: Pupil.objects.visible_to(user),
                        "school": lambda user: School.objects.visible_to(user)}
    school_urn = serializers.CharField(source="school.urn", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "pupil", "school", "school_urn", "school_name", "start_date", "end_date", "nc_year"]
        read_only_fields = ["id"]


class PupilSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"family": lambda user: Family.objects.visible_to(user),
                        "school": lambda user: School.objects.visible_to(user)}

    current_school_id = serializers.IntegerField(read_only=True, allow_null=True)
    current_school_name = serializers.CharField(read_only=True, allow_null=True)
    current_nc_year = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Pupil
        fields = [
            "id", "upn", "former_upn", "legal_first_name", "legal_last_name", "preferred_first_name",
            "preferred_last_name", "date_of_birth", "sex", "ethnicity", "sen_status", "fsm_eligible",
            "disadvantaged", "eal", "looked_after", "cin_cp", "social_worker_name", "social_worker_contact", "family",
            "current_school_id", "current_school_name", "current_nc_year",
        ]
        read_only_fields = ["id"]

    def validate_upn(self, value):
        return value.strip().upper()


class PupilCreateSerializer(PupilSerializer):
    """A new pupil joins a school's roll: school, start date and NC year are required."""

    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all(), write_only=True)
    start_date = serializers.DateField(write_only=True)
    nc_year = serializers.ChoiceField(choices=Enrolment.NcYear.choices, write_only=True)

    class Meta(PupilSerializer.Meta):
        fields = [*PupilSerializer.Meta.fields, "school", "start_date", "nc_year"]


class PupilViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = PupilFilterSet
    permission_classes = [permissions.IsAuthenticated, CanEditPupilsOrReadOnly]

    def get_queryset(self):
        return selectors.pupil_list(user=self.request.user)

    def get_serializer_class(self):
        return PupilCreateSerializer if self.action == "create" else PupilSerializer

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record_view(user=request.user, instance=self.get_object(), path=request.path)
        return response

    def perform_create(self, serializer):
        try:
            serializer.instance = services.pupil_create(user=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        try:
            services.pupil_update(user=self.request.user, pupil=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


class EnrolmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = EnrolmentSerializer
    permission_classes = [permissions.IsAuthenticated, CanEditPupilsOrReadOnly]
    filterset_class = EnrolmentFilterSet

    def get_queryset(self):
        return Enrolment.objects.visible_to(self.request.user).select_related("school")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.enrolment_create(user=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise as_drf_error(error) from error
