"""REST API for the intervention catalogue (read-only; admins edit it in the admin site) and plans on cases."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from interventions import selectors
from interventions.filters import InterventionFilterSet, PlanFilterSet
from interventions.models import Intervention, InterventionPlan


class InterventionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Intervention
        fields = ["id", "name", "strand", "section", "details", "intended_outcomes", "staff_role", "likely_duration",
                  "funding", "stage", "source"]
        read_only_fields = fields


class InterventionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InterventionSerializer
    filterset_class = InterventionFilterSet

    def get_queryset(self):
        return selectors.intervention_list(user=self.request.user)


class PlanSerializer(serializers.ModelSerializer):
    intervention_name = serializers.CharField(source="intervention.name", read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True)

    class Meta:
        model = InterventionPlan
        fields = ["id", "case", "intervention", "intervention_name", "start_date", "planned_end_date", "owner",
                  "owner_name", "target_attendance", "goals", "status", "outcome", "outcome_notes", "ended_on",
                  "version"]
        read_only_fields = fields


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user).order_by("-start_date", "-pk")
