"""The legal block on the case page: cases' template includes it with ``{% legal_case_block case %}``, so the case
page shows the pathway without the cases app knowing about legal records."""

from django import template

from legal.selectors import case_block
from schools.roles import Capability

register = template.Library()


@register.inclusion_tag("legal/_case_block.html", takes_context=True)
def legal_case_block(context, case):
    user = context["request"].user
    return {"block": case_block(user=user, case=case), "case": case,
            "can_open": user.can(Capability.WORK_LEGAL)}
