"""Tags for a case's stage and status, written in Python: they sit in every row of the case tables (My work lists
a caseload of a hundred or more), where an {% include %} per cell cost a third of the table's rendering."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

# Status -> (tag colour, words): the MOJ/GOV.UK tag a case's status shows as.
STATUS_TAGS = {"closed": ("grey", "Closed"), "referred": ("purple", "Awaiting allocation")}
OPEN_TAG = ("blue", "Open")


@register.simple_tag
def stage_tag(info) -> str:
    """The stage as a coloured tag, its criteria on hover (``info`` is a schools.stages entry)."""
    return format_html('<strong class="govuk-tag govuk-tag--{}" title="{}">{}</strong>', info.tag_colour,
                       info.criteria, info.short_label)


@register.simple_tag
def case_status_tag(case) -> str:
    colour, words = STATUS_TAGS.get(case.status, OPEN_TAG)
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, words)
