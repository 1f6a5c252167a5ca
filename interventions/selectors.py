"""Reads for the catalogue and plans. Plans are scoped through their case's pupil (schools.scoping)."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404

from interventions.models import Intervention, InterventionPlan
from schools.stages import STAGE_ORDER, STAGES


def intervention_list(*, user):
    # The catalogue is not pupil data: every signed-in user reads it. Inactive entries are for the admin site.
    return Intervention.objects.active().order_by("stage", "sort_order", "name")


# How the plan form groups the catalogue: statutory support first, then traded (pay as you use), each by stage.
FUNDING_ORDER = [(Intervention.Funding.STATUTORY, "statutory"), (Intervention.Funding.PAYU, "traded (pay as you use)")]


def intervention_groups(interventions) -> list[tuple[str, list[Intervention]]]:
    """Catalogue entries grouped by their own ``funding`` and ``stage`` fields: statutory groups before traded ones,
    each in the staged model's order (schools.stages.STAGE_ORDER) with entries for any stage last, labelled e.g.
    "Early intervention — statutory". Within a group the entries keep the order given. Empty groups are left out."""
    funding_rank = {value: rank for rank, (value, _) in enumerate(FUNDING_ORDER)}
    stage_rank = {stage: rank for rank, stage in enumerate([*STAGE_ORDER, ""])}
    groups: dict[tuple[str, str], list[Intervention]] = {}
    for item in interventions:
        groups.setdefault((item.funding, item.stage or ""), []).append(item)
    ordered = sorted(groups.items(), key=lambda group: (funding_rank.get(group[0][0], len(funding_rank)),
                                                        stage_rank.get(group[0][1], len(stage_rank))))
    funding_words = dict(FUNDING_ORDER)
    return [(f"{STAGES[stage].short_label if stage in STAGES else 'Any stage'} — {funding_words.get(funding, funding)}",
             items) for (funding, stage), items in ordered]


def intervention_get(*, user, pk: int) -> Intervention:
    return get_object_or_404(intervention_list(user=user), pk=pk)


def plan_list(*, user):
    return InterventionPlan.objects.visible_to(user).select_related("intervention", "owner", "case", "case__pupil")


def plan_get(*, user, pk: int) -> InterventionPlan:
    return get_object_or_404(plan_list(user=user).annotate(review_count=Count("reviews")), pk=pk)
