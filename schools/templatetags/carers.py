"""{% carer_contacts pupil %}: the pupil's parents and carers with their contact details and a link to change them
(for users who may), on the pupil page and the case page's family section. One query, however many carers."""

from django import template

from schools.models import Carer
from schools.roles import Capability

register = template.Library()


@register.inclusion_tag("schools/carers/_contacts.html", takes_context=True)
def carer_contacts(context, pupil):
    request = context.get("request")
    user = getattr(request, "user", None)
    family = pupil.family if pupil.family_id else None
    return {
        "carers": list(Carer.objects.filter(family_id=pupil.family_id)) if family else [],
        "family_address": family.address if family else "",
        "can_edit": bool(user is not None and hasattr(user, "can") and user.can(Capability.EDIT_PUPILS)),
        "next": request.get_full_path() if request is not None else "",
    }
