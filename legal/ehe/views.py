"""Legal pages for elective home education: serve the s437(1) notice from an EHE record, and its letter (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone

from legal import selectors
from legal.ehe import letters, services
from legal.forms import SaoNoticeForm
from legal.models import SchoolAttendanceOrder
from schools.audit import record_view
from schools.common.pdf import html_to_pdf
from schools.common.web import apply_form_errors, capability_required, form_page
from schools.ehe import rules as ehe_rules
from schools.ehe import selectors as ehe_selectors
from schools.roles import Capability


def _posted(request):
    """The form's data on a POST (even an empty one, so it is checked), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


@capability_required(Capability.WORK_LEGAL)
def ehe_notice(request, pk: int):
    record = ehe_selectors.ehe_get(user=request.user, pk=pk)
    back = reverse("ehe_detail", args=[pk])
    problems = services.preconditions(record, timezone.localdate())
    if "__all__" in problems:
        messages.error(request, problems["__all__"])
        return redirect(back)
    form = SaoNoticeForm(_posted(request), carers=selectors.pupil_carers(record.pupil))
    if request.method == "POST" and form.is_valid():
        try:
            sao = services.ehe_serve_notice(user=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{sao.reference}: the s437(1) notice was recorded. The parent has until "
                                      f"{sao.response_due_on:%-d %B %Y} to satisfy the LA.")
            return redirect(back)
    return form_page(request, form, "Serve the s437(1) notice", back, caption=record.pupil.display_name,
                     intro=f"Education Act 1996 s437(1): the notice gives the parent at least "
                           f"{ehe_rules.S437_NOTICE_MIN_DAYS} days to satisfy the LA that the child is receiving "
                           "suitable education. It is recorded as a school attendance order at its notice stage, "
                           "on the pupil's legal pathway (opened on their case if there is none).")


@capability_required(Capability.WORK_LEGAL)
def ehe_notice_letter(request, pk: int):
    sao = get_object_or_404(SchoolAttendanceOrder.objects.visible_to(request.user).select_related(
        "pupil", "carer", "carer__family", "home_education_record"), pk=pk)
    record_view(user=request.user, instance=sao, pupil_id=sao.pupil_id, path=request.path)
    response = HttpResponse(html_to_pdf(letters.notice_letter_html(sao, officer=request.user)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sao.reference}-s437-notice.pdf"'
    return response
