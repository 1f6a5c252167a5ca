"""Reads for the catalogue and plans. Plans are scoped through their case's pupil (schools.scoping)."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404

from interventions.models import Intervention, InterventionPlan


def intervention_list(*, user):
    # The catalogue is not pupil data: every signed-in user reads it. Inactive entries are for the admin site.
    return Intervention.objects.active().order_by("stage", "sort_order", "name")


def intervention_get(*, user, pk: int) -> Intervention:
    return get_object_or_404(intervention_list(user=user), pk=pk)


def plan_list(*, user):
    return InterventionPlan.objects.visible_to(user).select_related("intervention", "owner", "case", "case__pupil")


def plan_get(*, user, pk: int) -> InterventionPlan:
    return get_object_or_404(plan_list(user=user).annotate(review_count=Count("reviews")), pk=pk)
