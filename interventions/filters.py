"""One FilterSet per list, shared by the catalogue page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from interventions.models import Intervention, InterventionPlan
from schools.common.filters import GdsFilterSet, RecordNumberFilter
from schools.stages import Stage


class InterventionFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_text")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    strand = django_filters.ChoiceFilter(choices=Intervention.Strand.choices, empty_label="Any strand")
    funding = django_filters.ChoiceFilter(choices=Intervention.Funding.choices, empty_label="Any funding")

    class Meta:
        model = Intervention
        fields = ["q", "stage", "strand", "funding"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(details__icontains=value)
                               | Q(staff_role__icontains=value))


class PlanFilterSet(GdsFilterSet):
    case = RecordNumberFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=InterventionPlan.Status.choices, empty_label="Any status")
    intervention = RecordNumberFilter(field_name="intervention_id")

    class Meta:
        model = InterventionPlan
        fields = ["case", "status", "intervention"]
