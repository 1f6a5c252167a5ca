"""The carer contact page: thin (the scoped selector reads, the service writes). Reached from the pupil page, the
case page's family section and the family page, and returns to where it was opened from."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from schools.audit import record_view
from schools.carers import selectors, services
from schools.carers.forms import CarerContactForm
from schools.common.web import apply_form_errors, capability_required, form_page
from schools.roles import Capability


def _back(request, carer) -> str:
    """Where the officer came from (the pupil or case page, passed as ?next=), else the family page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()) and target.startswith("/"):
        return target
    return reverse("family_detail", args=[carer.family_id])


@capability_required(Capability.EDIT_PUPILS)
def carer_edit(request, pk: int):
    carer = selectors.carer_get(user=request.user, pk=pk)
    back = _back(request, carer)
    form = CarerContactForm(request.POST or None, instance=carer, family_address=carer.family.address)
    if request.method == "POST" and form.is_valid():
        try:
            services.carer_contact_update(user=request.user, carer=carer,
                                          **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{carer.full_name}'s contact details were saved.")
            return redirect(back)
    elif request.method != "POST":
        record_view(user=request.user, instance=carer, path=request.path)
    # The form posts back with ?next= so a refused save still knows the way back.
    form.helper.form_action = f"{request.path}?{urlencode({'next': back})}"
    return form_page(request, form, title=f"Contact details for {carer.full_name}",
                     caption=f"{carer.relationship.capitalize()} · {carer.family.name}", back_url=back)
