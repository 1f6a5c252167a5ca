"""The intervention catalogue for pages of the apps below this one (the stage guide in cases), which show it without
importing this app: the page's template loads these tags."""

from __future__ import annotations

from django import template

from interventions.selectors import intervention_list

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_by_stage(context) -> dict:
    """The active catalogue entries the user may read, grouped by stage (one query)."""
    by_stage: dict[str, list] = {}
    for item in intervention_list(user=context["request"].user):
        by_stage.setdefault(item.stage, []).append(item)
    return by_stage


@register.filter
def at_stage(by_stage: dict, stage: str) -> list:
    return by_stage.get(stage, [])
