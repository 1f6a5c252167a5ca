"""Pages for legal work. Thin: legal.selectors read (scoped: legal records are LA-only, a school reaches only its own
requests), legal.services write, FilterSets filter. Out of scope is 404; a role without the capability gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from legal import exports, selectors, services
from legal.filters import PenaltyNoticeFilterSet, ProsecutionFilterSet, RequestFilterSet
from legal.forms import (
    BatchForm,
    ContractEndForm,
    ContractForm,
    ContractReviewForm,
    DecideForm,
    EsoApplyForm,
    EsoConsiderForm,
    EsoDecisionForm,
    EsoExtendForm,
    HearingForm,
    LayForm,
    LetterForm,
    NoticeForm,
    NtiForm,
    NtiOutcomeForm,
    OutcomeForm,
    ParentingOrderForm,
    PathwayOpenForm,
    PaymentForm,
    PrepareForm,
    ProsecutionForm,
    ReasonForm,
    RequestForm,
    SaoNoticeForm,
    SaoStepForm,
    ServeForm,
    TemplateEditForm,
    TemplateForm,
    WithdrawForm,
)
from legal.letters import PLACEHOLDERS
from legal.models import (
    Contract,
    EducationSupervisionOrder,
    LegalAlert,
    LegalPathway,
    LegalPolicy,
    LetterKind,
    LetterTemplate,
    NoticeToImprove,
    PenaltyNotice,
    Prosecution,
    SchoolAttendanceOrder,
)
from legal.rules import NoticeType, money
from schools import selectors as school_selectors
from schools.audit import record_export, record_view
from schools.common.pdf import html_to_pdf
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    form_page,
    paginate,
    query_date,
    report_if_stale,
    selected_filters,
)
from schools.models import AuditEvent, Enrolment, Job
from schools.navigation import pupil_tabs
from schools.roles import Capability


def _current_enrolment(user, pupil):
    return (Enrolment.objects.visible_to(user).filter(pupil=pupil, end_date__isnull=True)
            .select_related("school").order_by("-start_date").first())


def _la_get(model, user, pk, *related):
    """An LA-only record through its scope: 404 for anyone outside it (every school user)."""
    return get_object_or_404(model.objects.visible_to(user).select_related(*related), pk=pk)


def _save(request, form, action, *, success: str, redirect_to, stale_to=None):
    """Run a service from a valid form: success message and redirect, or the service's errors on the form."""
    try:
        result = action()
    except ValidationError as error:
        if stale_to and report_if_stale(request, error):
            return redirect(stale_to)
        apply_form_errors(form, error)
        return None
    messages.success(request, success.format(result=result))
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


# --- Dashboard and the pupil's Legal tab ------------------------------------------------------------------------

def dashboard(request):
    user = request.user
    if not user.is_la_staff:
        filterset = RequestFilterSet(request.GET or None, queryset=selectors.request_list(user=user),
                                     request=request)
        page, query = paginate(request, filterset.qs)
        return render(request, "legal/school_requests.html", {"filter": filterset, "page": page, "query": query,
                                                              "today": timezone.localdate()})
    context = selectors.dashboard(user=user)
    context.update(can_pay=user.can(Capability.RECORD_PAYMENTS), can_work=user.can(Capability.WORK_LEGAL))
    return render(request, "legal/dashboard.html", context)


def pupil_legal(request, pk: int):
    user = request.user
    pupil = school_selectors.pupil_get(user=user, pk=pk)
    record_view(user=user, instance=pupil, path=request.path)
    data = selectors.pupil_legal(user=user, pupil=pupil)
    open_case = None
    if user.is_la_staff:
        open_case = case_selectors.case_list(user=user).filter(pupil=pupil).open().order_by("-opened_on").first()
    return render(request, "legal/pupil_legal.html", {
        "pupil": pupil, "current_enrolment": _current_enrolment(user, pupil), "today": timezone.localdate(),
        "tabs": pupil_tabs(user, pupil, active="legal"), "open_case": open_case,
        "can_request": user.can(Capability.REQUEST_PENALTY_NOTICE), "can_work": user.can(Capability.WORK_LEGAL),
        **data})


# --- Pathways ---------------------------------------------------------------------------------------------------

@capability_required(Capability.WORK_LEGAL)
def pathway_open(request, pk: int):
    user = request.user
    case = case_selectors.case_for_update(user=user, pk=pk)
    if case.is_closed:
        raise PermissionDenied
    open_one = LegalPathway.objects.filter(case=case, status="open").first()
    if open_one:
        return redirect("legal:pathway", pk=open_one.pk)
    gate = selectors.support_gate(case=case)
    can_override = user.can(Capability.OVERRIDE_SUPPORT_GATE)
    form = PathwayOpenForm(request.POST or None, gate=gate, can_override=can_override)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.pathway_open(
            user=user, case=case, reasons=form.reasons(), override_reason=form.cleaned_data.get("override_reason", "")),
            success="Legal pathway {result.reference} opened.",
            redirect_to=lambda pathway: reverse("legal:pathway", args=[pathway.pk]))
        if response:
            return response
        gate = selectors.support_gate(case=case, reasons=form.reasons())
    return render(request, "legal/pathway_open.html", {
        "case": case, "pupil": case.pupil, "gate": gate, "form": form, "can_override": can_override,
        "blocking": [g for g in gate if g.blocking]})


def pathway_detail(request, pk: int):
    user = request.user
    pathway = selectors.pathway_get(user=user, pk=pk)
    record_view(user=user, instance=pathway, path=request.path)
    return render(request, "legal/pathway_detail.html", {
        "pathway": pathway, "case": pathway.case, "pupil": pathway.pupil, "today": timezone.localdate(),
        "can_work": user.can(Capability.WORK_LEGAL) and pathway.is_open,
        "can_prosecute": user.can(Capability.PROSECUTE) and pathway.is_open,
        **selectors.pathway_page(user=user, pathway=pathway)})


def _pathway_for_work(request, pk):
    pathway = selectors.pathway_get(user=request.user, pk=pk)
    if not pathway.is_open:
        raise PermissionDenied
    return pathway


@capability_required(Capability.WORK_LEGAL)
def pathway_close(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = ReasonForm(request.POST or None, initial={"version": pathway.version})
    if request.method == "POST" and form.is_valid():
        back = reverse("legal:pathway", args=[pk])
        response = _save(request, form, lambda: services.pathway_close(
            user=request.user, pathway=pathway, reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"]), success="The legal pathway was closed.",
            redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Close {pathway.reference}", caption=pathway.pupil.display_name,
                      back_url=reverse("legal:pathway", args=[pk]))


# --- Notices to improve -----------------------------------------------------------------------------------------

@capability_required(Capability.WORK_LEGAL)
def nti_add(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = NtiForm(request.POST or None, carers=selectors.pupil_carers(pathway.pupil),
                   weeks=LegalPolicy.current().nti_improvement_school_weeks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _save(request, form, lambda: services.nti_issue(
            user=request.user, pathway=pathway, carer=data["carer"], issued_on=data["issued_on"],
            expectations=data["expectations"], school_weeks=data["school_weeks"]),
            success="Notice to improve issued: the improvement period ends {result.improvement_ends_on:%-d %B %Y}.",
            redirect_to=reverse("legal:pathway", args=[pk]))
        if response:
            return response
    return form_page(request, form, title="Issue a notice to improve", caption=pathway.pupil.display_name,
                      intro="A final chance to engage with support before a penalty notice. The improvement period "
                            "is counted in the school's school weeks.",
                      back_url=reverse("legal:pathway", args=[pk]))


@capability_required(Capability.WORK_LEGAL)
def nti_outcome(request, pk: int):
    nti = _la_get(NoticeToImprove, request.user, pk, "pathway", "pupil")
    form = NtiOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.nti_outcome(user=request.user, nti=nti, **form.cleaned_data),
                         success="The outcome was recorded.", redirect_to=reverse("legal:pathway",
                                                                                  args=[nti.pathway_id]))
        if response:
            return response
    return form_page(request, form, title=f"Outcome of {nti.reference}", caption=nti.pupil.display_name,
                      intro=f"Improvement period to {nti.improvement_ends_on:%-d %B %Y}.",
                      back_url=reverse("legal:pathway", args=[nti.pathway_id]))


# --- Penalty notices --------------------------------------------------------------------------------------------

def _issue(request, form, *, pupil, pathway=None):
    data = form.cleaned_data
    return _save(request, form, lambda: services.notice_issue(
        user=request.user, pupil=pupil, carer=data["carer"], notice_type=data["notice_type"],
        period_start=data["period_start"], period_end=data["period_end"], issued_on=data["issued_on"],
        served_on=data["served_on"], service_method=data["service_method"], pathway=pathway, notes=data["notes"]),
        success="Penalty notice {result.reference} issued: {result.amounts_label}.",
        redirect_to=lambda notice: reverse("legal:notice", args=[notice.pk]))


@capability_required(Capability.WORK_LEGAL)
def notice_add(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = NoticeForm(request.POST or None, carers=selectors.pupil_carers(pathway.pupil))
    if request.method == "POST" and form.is_valid():
        response = _issue(request, form, pupil=pathway.pupil, pathway=pathway)
        if response:
            return response
    return form_page(request, form, title="Issue a penalty notice", caption=pathway.pupil.display_name,
                      intro="From 19 August 2024: £80 if paid within 21 days, £160 within 28; a second notice to the "
                            "same parent for the same child within 3 years is £160; no third within 3 years.",
                      back_url=reverse("legal:pathway", args=[pk]))


@capability_required(Capability.WORK_LEGAL)
def notice_add_pupil(request, pk: int):
    """Term-time leave and excluded-pupil notices, which need no evidenced-support pathway."""
    pupil = school_selectors.pupil_get(user=request.user, pk=pk)
    form = NoticeForm(request.POST or None, carers=selectors.pupil_carers(pupil),
                      types=[NoticeType.TERM_TIME_LEAVE, NoticeType.EXCLUDED_PUBLIC_PLACE])
    if request.method == "POST" and form.is_valid():
        response = _issue(request, form, pupil=pupil)
        if response:
            return response
    return form_page(request, form, title="Issue a penalty notice", caption=pupil.display_name,
                      intro="Term-time leave and excluded-pupil notices do not need the support checklist. A "
                            "non-attendance notice is issued from the pupil's legal pathway.",
                      back_url=reverse("legal:pupil", args=[pk]))


def notice_detail(request, pk: int):
    user = request.user
    if not user.is_la_staff:
        raise Http404  # a school reads a notice's outcome on its request, never the LA's record
    notice = selectors.notice_get(user=user, pk=pk)
    record_view(user=user, instance=notice, path=request.path)
    today = timezone.localdate()
    return render(request, "legal/notice_detail.html", {
        "notice": notice, "pupil": notice.pupil, "today": today, "money": money,
        "payment_over": bool(notice.full_due_on and notice.full_due_on < today),
        "can_work": user.can(Capability.WORK_LEGAL), "can_pay": user.can(Capability.RECORD_PAYMENTS),
        "can_prosecute": user.can(Capability.PROSECUTE), **selectors.notice_page(user=user, notice=notice)})


def _notice_for_change(request, pk):
    return _la_get(PenaltyNotice, request.user, pk, "pupil", "carer", "case")


@capability_required(Capability.WORK_LEGAL)
def notice_serve(request, pk: int):
    notice = _notice_for_change(request, pk)
    form = ServeForm(request.POST or None, initial={"version": notice.version, "served_on": notice.issued_on})
    back = reverse("legal:notice", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.notice_serve(
            user=request.user, notice=notice, served_on=form.cleaned_data["served_on"],
            service_method=form.cleaned_data["service_method"], expected_version=form.cleaned_data["version"]),
            success="Service recorded: pay by {result.full_due_on:%-d %B %Y}.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Record service of {notice.reference}", caption=notice.carer.full_name,
                      intro="Payment periods run from receipt: the same day by hand, the second working day after "
                            "posting by first-class post.", back_url=back)


@capability_required(Capability.RECORD_PAYMENTS)
def notice_withdraw(request, pk: int):
    notice = _notice_for_change(request, pk)
    form = WithdrawForm(request.POST or None, initial={"version": notice.version})
    back = reverse("legal:notice", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _save(request, form, lambda: services.notice_withdraw(
            user=request.user, notice=notice, ground=data["ground"], notes=data["notes"],
            withdrawn_on=data["withdrawn_on"], expected_version=data["version"]),
            success="{result.reference} was withdrawn. It no longer counts toward the three-year limit.",
            redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Withdraw {notice.reference}", caption=notice.carer.full_name,
                      back_url=back)


@require_POST
@capability_required(Capability.PROSECUTE)
def notice_refer(request, pk: int):
    notice = _notice_for_change(request, pk)
    try:
        services.notice_refer(user=request.user, notice=notice, expected_version=request.POST.get("version"))
    except (ValidationError, TypeError) as error:
        messages.error(request, error.messages[0] if isinstance(error, ValidationError) else "Reload and try again.")
    else:
        messages.success(request, f"{notice.reference} was referred for prosecution.")
    return redirect("legal:notice", pk=pk)


def _notice_filterset(request):
    return PenaltyNoticeFilterSet(request.GET or None, queryset=selectors.notice_register(user=request.user),
                                  request=request)


@capability_required(Capability.VIEW_LEGAL)
def notice_list(request):
    filterset = _notice_filterset(request)
    page, query = paginate(request, filterset.qs)
    return render(request, "legal/notice_list.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": selected_filters(filterset),
        "can_pay": request.user.can(Capability.RECORD_PAYMENTS)})


def _export_response(request, *, rows_csv, rows_xlsx, name: str, count: int, what: str, pupils=None):
    fmt = export_format(request, default="csv")
    record_export(user=request.user, object_type=what, rows=count, fmt=fmt, path=request.get_full_path(),
                  pupils=pupils)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(rows_xlsx(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        fmt = "csv"
        response = HttpResponse(rows_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


@capability_required(Capability.VIEW_LEGAL)
def notice_export(request):
    filterset = _notice_filterset(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The filters could not be understood, so nothing was exported.")
        return redirect("legal:notice_list")
    notices = filterset.qs
    return _export_response(request, rows_csv=lambda: exports.notices_csv(notices),
                            rows_xlsx=lambda: exports.notices_xlsx(notices), name="penalty-notices",
                            count=notices.count(), what="legal.PenaltyNotice", pupils=notices)


@capability_required(Capability.RECORD_PAYMENTS)
def payment_add(request):
    initial = {"reference": request.GET.get("notice", "")[:30], "paid_on": timezone.localdate()}
    form = PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.payment_record(user=request.user, **form.cleaned_data),
                         success="{result.amount} recorded against the notice.",
                         redirect_to=lambda payment: reverse("legal:notice", args=[payment.notice_id]))
        if response:
            return response
    return form_page(request, form, title="Record a penalty-notice payment",
                      intro="The payment is matched to the notice by its reference and must be exactly the amount "
                            "due on the day it was paid.", back_url=reverse("legal:notice_list"))


def _period(request):
    return query_date(request.GET, "start"), query_date(request.GET, "end")


@capability_required(Capability.VIEW_LEGAL)
def figures(request):
    start, end = _period(request)
    user = request.user
    return render(request, "legal/figures.html", {
        "start": start, "end": end, "query": request.GET.urlencode(),
        "by_type": selectors.notice_figures_by_type_school_outcome(user=user, start=start, end=end),
        "payments": selectors.payment_rate_figures(user=user, start=start, end=end),
        "prosecutions": selectors.prosecution_figures(user=user, start=start, end=end)})


@capability_required(Capability.VIEW_LEGAL)
def figures_export(request):
    start, end = _period(request)
    tables = exports.figure_tables(user=request.user, start=start, end=end)
    return _export_response(request, rows_csv=lambda: exports.tables_csv(tables),
                            rows_xlsx=lambda: exports.tables_xlsx(tables), name="legal-figures",
                            count=sum(len(rows) for _, _, rows in tables), what="legal.figures")


# --- School requests --------------------------------------------------------------------------------------------

@capability_required(Capability.VIEW_LEGAL)
def request_list(request):
    filterset = RequestFilterSet(request.GET or None, queryset=selectors.request_list(user=request.user),
                                 request=request)
    page, query = paginate(request, filterset.qs.order_by("status", "decision_due", "pk"))
    return render(request, "legal/request_list.html", {
        "filter": filterset, "page": page, "query": query, "today": timezone.localdate(),
        "selected_filters": selected_filters(filterset)})


@capability_required(Capability.REQUEST_PENALTY_NOTICE)
def request_create(request, pk: int):
    user = request.user
    pupil = school_selectors.pupil_get(user=user, pk=pk)
    enrolment = (Enrolment.objects.filter(pupil=pupil, school__in=user.schools.all(), end_date__isnull=True)
                 .select_related("school").first())
    if enrolment is None:
        messages.error(request, f"{pupil.display_name} is not on your school's roll today.")
        return redirect("legal:pupil", pk=pk)
    form = RequestForm(request.POST or None, request.FILES or None, carers=selectors.pupil_carers(pupil))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("files") or []
        response = _save(request, form, lambda: services.request_submit(
            user=user, school=enrolment.school, pupil=pupil, files=files, **data),
            success="Request {result.reference} sent. The LA will decide by {result.decision_due:%-d %B %Y}.",
            redirect_to=lambda r: reverse("legal:request", args=[r.pk]))
        if response:
            return response
    return form_page(request, form, title="Ask the LA for a penalty notice", caption=pupil.display_name,
                      intro="Send the registers for this and last year, the letters sent and the support offered. "
                            f"The LA decides within {LegalPolicy.current().request_decision_working_days} working "
                            "days.", back_url=reverse("legal:pupil", args=[pk]))


def request_detail(request, pk: int):
    user = request.user
    item = selectors.request_get(user=user, pk=pk)
    record_view(user=user, instance=item, path=request.path)
    context = {"item": item, "pupil": item.pupil, "today": timezone.localdate(), "is_la": user.is_la_staff,
               "can_decide": user.can(Capability.DECIDE_PN_REQUESTS) and item.status == "submitted"}
    if user.is_la_staff:
        context["registers"] = selectors.register_years(user=user, pupil=item.pupil)
        context["history"] = list(selectors.notice_list(user=user).filter(pupil=item.pupil))
    return render(request, "legal/request_detail.html", context)


@capability_required(Capability.DECIDE_PN_REQUESTS)
def request_decide(request, pk: int):
    item = get_object_or_404(selectors.request_list(user=request.user), pk=pk)
    back = reverse("legal:request", args=[pk])
    if item.status != "submitted":
        messages.error(request, "This request was already decided.")
        return redirect(back)
    form = DecideForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _save(request, form, lambda: services.request_decide(
            user=request.user, request=item, approve=data["decision"] == "approve", reason=data["reason"],
            la_notes=data["la_notes"], served_on=data["served_on"], service_method=data["service_method"],
            expected_version=data["version"]),
            success="Decision saved: {result.get_status_display}.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Decide {item.reference}",
                      caption=f"{item.pupil.display_name}, {item.school.name}",
                      intro=f"Decision due by {item.decision_due:%-d %B %Y}.", back_url=back)


def evidence_download(request, pk: int):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=evidence, pupil_id=evidence.request.pupil_id, path=request.path)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Contracts --------------------------------------------------------------------------------------------------

@capability_required(Capability.WORK_LEGAL)
def contract_add(request, pk: int):
    user = request.user
    pupil = school_selectors.pupil_get(user=user, pk=pk)
    case = case_selectors.case_list(user=user).filter(pupil=pupil).open().order_by("-opened_on").first()
    form = ContractForm(request.POST or None, carers=selectors.pupil_carers(pupil),
                        weeks=LegalPolicy.current().contract_review_weeks)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.contract_create(user=user, pupil=pupil, case=case,
                                                                         **form.cleaned_data),
                         success="{result.get_kind_display} recorded.",
                         redirect_to=lambda c: reverse("legal:contract", args=[c.pk]))
        if response:
            return response
    return form_page(request, form, title="Record an attendance or parenting contract", caption=pupil.display_name,
                      intro="Voluntary and not legally binding; agreed with the parent, with the support on both "
                            "sides written down.", back_url=reverse("legal:pupil", args=[pk]))


def contract_detail(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=contract, path=request.path)
    return render(request, "legal/contract_detail.html", {
        "contract": contract, "pupil": contract.pupil, "reviews": list(contract.reviews.select_related(
            "reviewed_by")), "letters": list(contract.letters.select_related("sent_by")),
        "can_work": request.user.can(Capability.WORK_LEGAL) and contract.status == Contract.Status.ACTIVE})


@capability_required(Capability.WORK_LEGAL)
def contract_review(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = ContractReviewForm(request.POST or None)
    back = reverse("legal:contract", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.contract_review(user=request.user, contract=contract,
                                                                         **form.cleaned_data),
                         success="Review recorded.", redirect_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Review {contract.reference}", caption=contract.carer.full_name,
                      back_url=back)


@capability_required(Capability.WORK_LEGAL)
def contract_end(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = ContractEndForm(request.POST or None, initial={"version": contract.version})
    back = reverse("legal:contract", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.contract_end(user=request.user, contract=contract,
                                                                      expected_version=version, **data),
                         success="The contract was ended.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"End {contract.reference}", caption=contract.carer.full_name,
                      back_url=back)


# --- ESOs and SAOs ----------------------------------------------------------------------------------------------

@capability_required(Capability.WORK_LEGAL)
def eso_consider(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = EsoConsiderForm(request.POST or None)
    back = reverse("legal:pathway", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.eso_consider(user=request.user, pathway=pathway,
                                                                      **form.cleaned_data),
                         success="The consideration of an education supervision order was recorded.",
                         redirect_to=back)
        if response:
            return response
    return form_page(request, form, title="Consider an education supervision order",
                      caption=pathway.pupil.display_name,
                      intro="Before prosecuting, the LA must consider applying for an ESO (Education Act 1996 s447).",
                      back_url=back)


@capability_required(Capability.WORK_LEGAL)
def eso_apply(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = EsoApplyForm(request.POST or None)
    back = reverse("legal:pathway", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.eso_apply(user=request.user, pathway=pathway,
                                                                   **form.cleaned_data),
                         success="ESO application recorded.", redirect_to=back)
        if response:
            return response
    return form_page(request, form, title="Apply for an education supervision order",
                      caption=pathway.pupil.display_name, back_url=back)


@capability_required(Capability.WORK_LEGAL)
def eso_decision(request, pk: int):
    eso = _la_get(EducationSupervisionOrder, request.user, pk, "pathway", "pupil")
    form = EsoDecisionForm(request.POST or None, initial={"version": eso.version})
    back = reverse("legal:pathway", args=[eso.pathway_id])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.eso_decision(user=request.user, eso=eso,
                                                                      expected_version=version, **data),
                         success="The court's decision was recorded.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Court decision on {eso.reference}", caption=eso.pupil.display_name,
                      intro="An order lasts one year from the day it is made.", back_url=back)


@capability_required(Capability.WORK_LEGAL)
def eso_extend(request, pk: int):
    eso = _la_get(EducationSupervisionOrder, request.user, pk, "pathway", "pupil")
    form = EsoExtendForm(request.POST or None)
    back = reverse("legal:pathway", args=[eso.pathway_id])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.eso_extend(user=request.user, eso=eso, **form.cleaned_data),
                         success="Extension recorded.", redirect_to=back)
        if response:
            return response
    ends = f"It ends on {eso.expires_on:%-d %B %Y}." if eso.expires_on else ""
    return form_page(request, form, title=f"Extend {eso.reference}", caption=eso.pupil.display_name,
                      intro=f"{ends} Apply in its last three months; extensions are of up to three years.",
                      back_url=back)


@capability_required(Capability.WORK_LEGAL)
def sao_add(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = SaoNoticeForm(request.POST or None, carers=selectors.pupil_carers(pathway.pupil))
    back = reverse("legal:pathway", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.sao_notice(user=request.user, pathway=pathway,
                                                                    **form.cleaned_data),
                         success="Notice recorded: the parent has until {result.response_due_on:%-d %B %Y}.",
                         redirect_to=back)
        if response:
            return response
    return form_page(request, form, title="School attendance order: serve the notice",
                      caption=pathway.pupil.display_name, back_url=back)


@capability_required(Capability.WORK_LEGAL)
def sao_step(request, pk: int):
    sao = _la_get(SchoolAttendanceOrder, request.user, pk, "pathway", "pupil")
    form = SaoStepForm(request.POST or None, initial={"version": sao.version, "on": timezone.localdate()})
    back = reverse("legal:pathway", args=[sao.pathway_id])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.sao_update(user=request.user, sao=sao,
                                                                    expected_version=version, **data),
                         success="Saved: {result.get_stage_display}.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"{sao.reference}: next step", caption=sao.pupil.display_name,
                      intro=f"Now: {sao.get_stage_display()}. The notice period ends "
                            f"{sao.response_due_on:%-d %B %Y}.", back_url=back)


# --- Prosecutions -----------------------------------------------------------------------------------------------

@capability_required(Capability.PROSECUTE)
def prosecution_add(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    notices = (selectors.notice_list(user=request.user).filter(pupil_id=pathway.pupil_id)
               .exclude(status=PenaltyNotice.Status.WITHDRAWN))
    form = ProsecutionForm(request.POST or None, carers=selectors.pupil_carers(pathway.pupil), notices=notices)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.prosecution_create(user=request.user, pathway=pathway,
                                                                            **form.cleaned_data),
                         success="{result.reference} started: lay the information by "
                                 "{result.information_deadline:%-d %B %Y}.",
                         redirect_to=lambda p: reverse("legal:prosecution", args=[p.pk]))
        if response:
            return response
    return form_page(request, form, title="Start a prosecution", caption=pathway.pupil.display_name,
                      intro="Section 444 of the Education Act 1996. An education supervision order must have been "
                            "considered first, and a paid penalty notice can never be prosecuted.",
                      back_url=reverse("legal:pathway", args=[pk]))


@capability_required(Capability.VIEW_LEGAL)
def prosecution_list(request):
    filterset = ProsecutionFilterSet(request.GET or None, queryset=selectors.prosecution_list(user=request.user),
                                     request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "legal/prosecution_list.html", {
        "filter": filterset, "page": page, "query": query, "today": timezone.localdate(),
        "selected_filters": selected_filters(filterset)})


def prosecution_detail(request, pk: int):
    prosecution = selectors.prosecution_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=prosecution, path=request.path)
    today = timezone.localdate()
    policy = LegalPolicy.current()
    days_left = (prosecution.information_deadline - today).days
    return render(request, "legal/prosecution_detail.html", {
        "prosecution": prosecution, "pupil": prosecution.pupil, "today": today, "days_left": days_left,
        "deadline_warning": prosecution.status == Prosecution.Status.PREPARING
        and days_left <= policy.deadline_warning_days,
        "can_prosecute": request.user.can(Capability.PROSECUTE)
        and prosecution.status in (Prosecution.Status.PREPARING, Prosecution.Status.LAID),
        **selectors.prosecution_page(user=request.user, prosecution=prosecution)})


def _prosecution_for_change(request, pk):
    return _la_get(Prosecution, request.user, pk, "pupil", "carer", "pathway__case", "penalty_notice")


@capability_required(Capability.PROSECUTE)
def prosecution_prepare(request, pk: int):
    prosecution = _prosecution_for_change(request, pk)
    initial = {name: getattr(prosecution, name) for name in services.PREPARATION_FIELDS}
    form = PrepareForm(request.POST or None, initial={**initial, "version": prosecution.version,
                                                      "witness_statement": prosecution.witness_statement
                                                      or _draft_statement(prosecution)})
    back = reverse("legal:prosecution", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.prosecution_prepare(
            user=request.user, prosecution=prosecution, expected_version=version, **data),
            success="Saved.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Prepare {prosecution.reference}", caption=prosecution.carer.full_name,
                      intro="The interview under caution follows PACE Codes C and E. The witness statement starts "
                            "from a draft made from the records: check every line.", back_url=back)


def _draft_statement(prosecution) -> str:
    return render_to_string("legal/witness_statement.txt", {"p": prosecution, "pupil": prosecution.pupil})


@capability_required(Capability.PROSECUTE)
def prosecution_lay(request, pk: int):
    prosecution = _prosecution_for_change(request, pk)
    form = LayForm(request.POST or None, initial={"version": prosecution.version, "court": prosecution.court})
    back = reverse("legal:prosecution", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _save(request, form, lambda: services.prosecution_lay(
            user=request.user, prosecution=prosecution, laid_on=data["laid_on"], court=data["court"],
            expected_version=data["version"]), success="Information laid.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Lay the information for {prosecution.reference}",
                      caption=prosecution.carer.full_name,
                      intro=f"Must be laid by {prosecution.information_deadline:%-d %B %Y} (six months from the end "
                            "of the absence charged).", back_url=back)


@capability_required(Capability.PROSECUTE)
def hearing_add(request, pk: int):
    prosecution = _prosecution_for_change(request, pk)
    form = HearingForm(request.POST or None, initial={"court": prosecution.court})
    back = reverse("legal:prosecution", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.hearing_add(user=request.user, prosecution=prosecution,
                                                                     **form.cleaned_data),
                         success="Hearing recorded.", redirect_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Record a hearing for {prosecution.reference}",
                      caption=prosecution.carer.full_name, back_url=back)


@capability_required(Capability.PROSECUTE)
def prosecution_outcome(request, pk: int):
    prosecution = _prosecution_for_change(request, pk)
    form = OutcomeForm(request.POST or None, initial={"version": prosecution.version,
                                                      "outcome_on": timezone.localdate()})
    back = reverse("legal:prosecution", args=[pk])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.prosecution_outcome(
            user=request.user, prosecution=prosecution, expected_version=version, **data),
            success="Outcome recorded.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Outcome of {prosecution.reference}", caption=prosecution.carer.full_name,
                      back_url=back)


@capability_required(Capability.PROSECUTE)
def prosecution_withdraw(request, pk: int):
    prosecution = _prosecution_for_change(request, pk)
    form = ReasonForm(request.POST or None, initial={"version": prosecution.version})
    back = reverse("legal:prosecution", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.prosecution_withdraw(
            user=request.user, prosecution=prosecution, reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"]), success="Prosecution withdrawn.", redirect_to=back,
            stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Withdraw {prosecution.reference}", caption=prosecution.carer.full_name,
                      back_url=back)


def prosecution_pack(request, pk: int):
    """The prosecution pack PDF, for LA legal use only."""
    from legal.pack import pack_context

    user = request.user
    if not user.can(Capability.VIEW_LEGAL):
        raise Http404
    prosecution = selectors.prosecution_get(user=user, pk=pk)
    include_restricted = request.GET.get("restricted") == "1" and user.can(Capability.READ_RESTRICTED)
    record_view(user=user, instance=prosecution, path=request.get_full_path(), action=AuditEvent.Action.EXPORT)
    html = render_to_string("legal/prosecution_pack_pdf.html", pack_context(
        user=user, prosecution=prosecution, include_restricted=include_restricted))
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{prosecution.reference}-pack.pdf"'
    return response


@capability_required(Capability.PROSECUTE)
def parenting_order_add(request, pk: int):
    pathway = _pathway_for_work(request, pk)
    form = ParentingOrderForm(request.POST or None, carers=selectors.pupil_carers(pathway.pupil),
                              prosecutions=Prosecution.objects.filter(pathway=pathway))
    back = reverse("legal:pathway", args=[pk])
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.parenting_order_record(
            user=request.user, pathway=pathway, **form.cleaned_data), success="Parenting order recorded.",
            redirect_to=back)
        if response:
            return response
    return form_page(request, form, title="Record a parenting order", caption=pathway.pupil.display_name,
                      intro="Requirements for up to 12 months; a parenting programme of up to 3 months.",
                      back_url=back)


# --- Letters ----------------------------------------------------------------------------------------------------

LETTER_KINDS = {
    "pupil": [LetterKind.WARNING],
    "case": [LetterKind.WARNING, LetterKind.ATTENDANCE_CONTRACT],
    "notice": [LetterKind.PENALTY_NOTICE],
    "nti": [LetterKind.NOTICE_TO_IMPROVE],
    "contract": [LetterKind.ATTENDANCE_CONTRACT],
    "prosecution": [LetterKind.PROSECUTION_COVER],
}


def _letter_subject(request, about: str, pk: int):
    """(pupil, case, related record keyword arguments, back url) for a letter about a record."""
    user = request.user
    if about == "pupil":  # from the threshold worklist: the pupil's open attendance case, if any, gets the letter
        pupil = school_selectors.pupil_get(user=user, pk=pk)
        case = case_selectors.open_attendance_case(user, pupil)
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = reverse("legal:pupil", args=[pk])
        return pupil, case, {}, back
    if about == "case":
        case = case_selectors.case_get(user=user, pk=pk)
        return case.pupil, case, {}, reverse("cases:detail", args=[pk])
    if about == "notice":
        notice = _notice_for_change(request, pk)
        return notice.pupil, notice.case, {"notice": notice}, reverse("legal:notice", args=[pk])
    if about == "nti":
        nti = _la_get(NoticeToImprove, user, pk, "pupil", "pathway__case")
        return nti.pupil, nti.pathway.case, {"nti": nti}, reverse("legal:pathway", args=[nti.pathway_id])
    if about == "contract":
        contract = selectors.contract_get(user=user, pk=pk)
        return contract.pupil, contract.case, {"contract": contract}, reverse("legal:contract", args=[pk])
    prosecution = _prosecution_for_change(request, pk)
    return (prosecution.pupil, prosecution.pathway.case, {"prosecution": prosecution},
            reverse("legal:prosecution", args=[pk]))


@capability_required(Capability.WORK_LEGAL)
def letter_send(request, pk: int, about: str):
    pupil, case, related, back = _letter_subject(request, about, pk)
    initial = {}
    if "notice" in related:
        initial["carer"] = related["notice"].carer_id
    form = LetterForm(request.POST or None, carers=selectors.pupil_carers(pupil), kinds=LETTER_KINDS[about],
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.letter_send(
            user=request.user, template=form.cleaned_data["template"], pupil=pupil, carer=form.cleaned_data["carer"],
            case=case, **related), success="The letter was made and recorded: download it below.",
            redirect_to=back)
        if response:
            return response
    return form_page(request, form, title="Make a letter", caption=pupil.display_name,
                      intro="The letter is filled in from the records and kept as sent, with its PDF.",
                      back_url=back)


def letter_download(request, pk: int):
    letter = selectors.letter_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=letter, path=request.path, action=AuditEvent.Action.EXPORT)
    return FileResponse(letter.file.open("rb"), as_attachment=False, content_type="application/pdf",
                        filename=letter.file.name.rsplit("/", 1)[-1])


@capability_required(Capability.WORK_LEGAL)
def batch_new(request):
    from schools.attendance import selectors as engine

    periods = engine.available_periods(timezone.localdate())
    form = BatchForm(request.POST or None, user=request.user, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _save(request, form, lambda: services.letter_batch_start(
            user=request.user, template=data["template"], period_key=data["period"], school=data["school"]),
            success="The letters are being made.", redirect_to=lambda b: reverse("legal:batch", args=[b.pk]))
        if response:
            return response
    return form_page(request, form, title="Letters to parents at the penalty-notice threshold",
                      intro="One letter to each parent with parental responsibility of every pupil with 10 or more "
                            "unauthorised sessions within 10 school weeks in the period, made in the background.",
                      back_url=reverse("legal:dashboard"))


@require_POST
@capability_required(Capability.WORK_LEGAL)
def batch_selected(request):
    """The threshold worklist's bulk action: warning letters to the parents of the pupils ticked, as one batch."""
    from schools.models import PnThresholdEntry

    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("pn_threshold_list")
    entry_ids = [value for value in request.POST.getlist("entry") if value.isdecimal() and len(value) < 19]
    pupil_ids = (PnThresholdEntry.objects.visible_to(request.user).filter(pk__in=entry_ids)
                 .values_list("pupil_id", flat=True))
    template = LetterTemplate.objects.filter(is_active=True, kind=LetterKind.WARNING).order_by("name", "pk").first()
    if template is None:
        messages.error(request, "There is no warning letter template in use: an admin adds one under Letter "
                                "templates.")
        return redirect(back)
    try:
        batch = services.letter_batch_start(user=request.user, template=template, pupil_ids=list(pupil_ids))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    messages.success(request, f"Warning letters are being made for {len(batch.params['pupils'])} pupils.")
    return redirect("legal:batch", pk=batch.pk)


def batch_detail(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    return render(request, "legal/batch_detail.html", {"batch": batch, "job": batch.job,
                                                       "letters": batch.letters.count()})


def batch_download(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    if batch.job.status != Job.Status.SUCCEEDED or not batch.job.result_file:
        raise Http404
    record_view(user=request.user, instance=batch, path=request.path, action=AuditEvent.Action.EXPORT)
    return FileResponse(batch.job.result_file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"letters-{batch.pk}.pdf")


@capability_required(Capability.MANAGE_LETTER_TEMPLATES)
def template_list(request):
    return render(request, "legal/template_list.html", {"templates": LetterTemplate.objects.all(),
                                                        "placeholders": PLACEHOLDERS})


@capability_required(Capability.MANAGE_LETTER_TEMPLATES)
def template_add(request):
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda: services.template_save(user=request.user, **form.cleaned_data),
                         success="Template saved.", redirect_to=reverse("legal:template_list"))
        if response:
            return response
    return form_page(request, form, title="Add a letter template", back_url=reverse("legal:template_list"))


@capability_required(Capability.MANAGE_LETTER_TEMPLATES)
def template_edit(request, pk: int):
    template = get_object_or_404(LetterTemplate, pk=pk)
    initial = {name: getattr(template, name) for name in services.TEMPLATE_FIELDS}
    form = TemplateEditForm(request.POST or None, initial={**initial, "version": template.version})
    back = reverse("legal:template_list")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        response = _save(request, form, lambda: services.template_save(
            user=request.user, template=get_object_or_404(LetterTemplate, pk=pk), expected_version=version, **data),
            success="Template saved.", redirect_to=back, stale_to=back)
        if response:
            return response
    return form_page(request, form, title=f"Edit “{template.name}”", back_url=back)


@require_POST
def alert_read(request, pk: int):
    alert = get_object_or_404(LegalAlert.objects.visible_to(request.user), pk=pk)
    services.alert_read(user=request.user, alert=alert)
    messages.success(request, "Alert marked as read.")
    return redirect("legal:dashboard")
