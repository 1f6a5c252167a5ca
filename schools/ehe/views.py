"""Pages for the elective home education register (LA roles only: school users get 403 on the pages, and every
record is read through the scoped selector, so one they could not see would be 404). Thin: selectors read,
services write, the FilterSet filters; the s437(1) notice is served from legal (legal.ehe)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from schools.attendance.exports import Table, download
from schools.audit import record_export, record_view
from schools.common.pdf import html_to_pdf
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    form_page,
    paginate,
    query_without,
    selected_filters,
    sort_headers,
)
from schools.ehe import forms, letters, rules, services
from schools.ehe import selectors as sel
from schools.ehe.filters import HomeEducationFilterSet
from schools.exclusions.services import RegisterNotInForce, cnis_enabled
from schools.roles import Capability

SORTABLE = [("name", "Child"), ("school", "Last school"), ("notified", "Notified"), ("status", "Status"),
            ("suitability", "Suitability"), ("reply_due", "Reply due")]


def _iso(day) -> str:
    return day.isoformat() if day else ""


EXPORT_COLUMNS = [
    ("Reference", lambda r: r.reference),
    ("UPN", lambda r: r.pupil.upn),
    ("Child", lambda r: r.pupil.legal_name),
    ("Date of birth", lambda r: _iso(r.pupil.date_of_birth)),
    ("Last school", lambda r: r.school.name if r.school else ""),
    ("Notified", lambda r: _iso(r.notified_on)),
    ("Source", lambda r: r.get_source_display()),
    ("Reasons", lambda r: "; ".join(r.reason_labels())),
    ("Reasons in the parent's words", lambda r: r.reasons_detail),
    ("SEN status", lambda r: r.sen_status),
    ("LA consent", lambda r: r.get_consent_decision_display()),
    ("Suitability", lambda r: r.get_suitability_display()),
    ("Assessed on", lambda r: _iso(r.suitability_assessed_on)),
    ("Enquiry sent", lambda r: _iso(r.enquiry_sent_on)),
    ("Reply due", lambda r: _iso(r.enquiry_response_due)),
    ("Reply received", lambda r: _iso(r.enquiry_response_on)),
    ("s437(1) notice expires", lambda r: _iso(r.notice_expiry)),
    ("Status", lambda r: r.get_status_display()),
    ("Returned to", lambda r: r.return_school.name if r.return_school else ""),
    ("Closed on", lambda r: _iso(r.closed_on)),
    ("Officer", lambda r: r.officer.display_name if r.officer else ""),
    ("Next action", lambda r: sel.next_action(r).text),
]


def _run(request, form, write, success: str, redirect_to):
    """Run a service with the form's data; its ValidationError goes back to the fields it names."""
    try:
        result = write(form.cleaned_data)
    except ValidationError as error:
        apply_form_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)



def _posted(request):
    """The form's data on a POST (even an empty one, so it is checked), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


@capability_required(Capability.VIEW_LA_REGISTERS)
def ehe_list(request):
    user = request.user
    filterset = HomeEducationFilterSet(request.GET, queryset=sel.ehe_list(user=user), request=request)
    records = filterset.qs
    if not request.GET.get("sort"):
        records = records.order_by("status", "-notified_on", "-pk")
    elif records.query.order_by:
        records = records.order_by(*records.query.order_by, "-pk")
    fmt = export_format(request)
    if fmt:
        if not user.can(Capability.EXPORT_PUPILS):
            raise PermissionDenied
        if not filterset.is_valid():
            messages.error(request, "The filters could not be understood, so nothing was exported.")
            return redirect("ehe_list")
        rows = list(records)
        record_export(user=user, object_type="schools.HomeEducationRecord", rows=len(rows), fmt=fmt,
                      path=request.get_full_path(), pupils=[r.pupil_id for r in rows])
        return download(Table("Elective home education", None, EXPORT_COLUMNS, rows), fmt,
                        f"elective-home-education-{sel.today().isoformat()}")
    page, query = paginate(request, records)
    today = sel.today()
    rows = [(record, sel.next_action(record, today)) for record in page.object_list]
    return render(request, "ehe/list.html", {
        "filter": filterset, "page": page, "rows": rows, "query": query,
        "selected_filters": selected_filters(filterset), "headers": sort_headers(request, SORTABLE),
        "export_query": query_without(request), "counts": sel.counts(user=user),
        "can_edit": user.can(Capability.MANAGE_LA_REGISTERS), "can_export": user.can(Capability.EXPORT_PUPILS),
    })


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_create(request):
    form = forms.HomeEducationForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        def write(data):
            data = dict(data)
            return services.register_home_education(user=request.user, pupil=data.pop("upn"), **data)

        response = _run(request, form, write, "The child was added to the home education register.",
                        lambda r: reverse("ehe_detail", args=[r.pk]))
        if response is not None:
            return response
    return form_page(request, form, "Add a child to the home education register", reverse("ehe_list"),
                     intro="Use this when a parent tells the LA they are educating their child at home. Deletion "
                           "notices from schools come through the roll notifications queue.")


@capability_required(Capability.VIEW_LA_REGISTERS)
def ehe_detail(request, pk: int):
    user = request.user
    record = sel.ehe_get(user=user, pk=pk)
    record_view(user=user, instance=record, path=request.path)
    today = sel.today()
    notices = list(record.school_attendance_orders.select_related("carer", "named_school", "pathway")
                   .order_by("notice_served_on", "pk"))
    can_edit = user.can(Capability.MANAGE_LA_REGISTERS) and record.is_open
    return render(request, "ehe/detail.html", {
        "record": record, "next": sel.next_action(record, today), "today": today,
        "contacts": record.contacts.select_related("created_by"), "notices": notices,
        "can_edit": can_edit, "can_serve_notice": (record.is_open and user.can(Capability.WORK_LEGAL)
                                                  and record.suitability == record.Suitability.NOT_SUITABLE),
        "cnis_enabled": cnis_enabled(), "consent_regulation": rules.CONSENT_REGULATION,
        "enquiry_days": rules.INFORMAL_ENQUIRY_RESPONSE_DAYS, "notice_days": rules.S437_NOTICE_MIN_DAYS,
        "enquiry_overdue": bool(record.enquiry_sent_on and not record.enquiry_response_on
                                and record.enquiry_response_due and record.enquiry_response_due < today),
    })


def _action(request, pk: int, *, form_class, title: str, write, success: str, intro: str = "", initial=None):
    """One of the record's actions on its own page: the form, then the service, then back to the record."""
    record = sel.ehe_get(user=request.user, pk=pk)
    if not record.is_open:
        messages.error(request, "This record is closed: nothing more can be recorded on it.")
        return redirect("ehe_detail", pk=pk)
    form = form_class(_posted(request), initial=initial)
    back = reverse("ehe_detail", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _run(request, form, lambda data: write(record, dict(data)), success, back)
        if response is not None:
            return response
    return form_page(request, form, title, back, caption=record.pupil.display_name, intro=intro)


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_consent(request, pk: int):
    return _action(request, pk, form_class=forms.ConsentForm, title="The LA's consent to deregistration",
                   intro=rules.CONSENT_REGULATION + ".", success="The LA's decision was recorded.",
                   write=lambda r, d: services.ehe_record_consent(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_contact(request, pk: int):
    return _action(request, pk, form_class=forms.ContactForm, title="Add a contact or visit",
                   success="The contact was added.",
                   write=lambda r, d: services.ehe_add_contact(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_suitability(request, pk: int):
    return _action(request, pk, form_class=forms.SuitabilityForm, title="Assess the education",
                   intro="Education Act 1996 s7: efficient, full-time, and suitable to the child's age, ability, "
                         "aptitude and any special educational needs.",
                   success="The assessment was recorded.",
                   write=lambda r, d: services.ehe_assess_suitability(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_enquiry(request, pk: int):
    return _action(request, pk, form_class=forms.EnquiryForm, title="Send an informal enquiry",
                   intro="Ask the parent, informally, to show the education is suitable before any formal notice "
                         "(DfE elective home education guidance 2019, §6.13). Make the letter from the record.",
                   initial={"sent_on": sel.today()}, success="The enquiry was recorded.",
                   write=lambda r, d: services.ehe_send_enquiry(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_enquiry_reply(request, pk: int):
    return _action(request, pk, form_class=forms.EnquiryReplyForm, title="Record the parent's reply",
                   success="The reply was recorded.",
                   write=lambda r, d: services.ehe_record_enquiry_response(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_return(request, pk: int):
    def write(record, data):
        return services.ehe_return_to_school(user=request.user, record=record, returned_on=data["returned_on"],
                                             school=data["return_school"])

    return _action(request, pk, form_class=forms.ReturnForm, title="Record a return to school", write=write,
                   success="The return to school was recorded and the record closed.")


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_close(request, pk: int):
    return _action(request, pk, form_class=forms.CloseForm, title="Close the record",
                   success="The record was closed.",
                   write=lambda r, d: services.ehe_close(user=request.user, record=r, **d))


@capability_required(Capability.MANAGE_LA_REGISTERS)
@require_POST
def ehe_cnis(request, pk: int):
    """Make the Children Not in School entry from the record (only while the register is in force)."""
    record = sel.ehe_get(user=request.user, pk=pk)
    if not cnis_enabled():
        raise Http404("The Children Not in School register is not in force.")
    try:
        services.ehe_make_cnis_entry(user=request.user, record=record)
    except RegisterNotInForce as error:
        raise Http404(str(error)) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The child was added to the Children Not in School register.")
    return redirect("ehe_detail", pk=pk)


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ehe_enquiry_letter(request, pk: int):
    """The informal enquiry letter as a PDF (audited as a download naming the child)."""
    record = sel.ehe_get(user=request.user, pk=pk)
    if not record.enquiry_sent_on:
        messages.error(request, "Record the enquiry first: the letter gives its reply date.")
        return redirect("ehe_detail", pk=pk)
    html = letters.enquiry_letter_html(record, officer=request.user, today=sel.today())
    record_view(user=request.user, instance=record, path=request.path)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{record.reference}-informal-enquiry.pdf"'
    return response
