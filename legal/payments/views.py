"""Pages for payment files and the payment queue. LA staff read them (Capability.VIEW_LEGAL); importing and deciding
need Capability.RECORD_PAYMENTS. Thin: selectors read through the user's scope, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from legal import services as legal_services
from legal.payments import rules, selectors, services
from legal.payments.filters import PaymentLineFilterSet
from legal.payments.forms import MatchForm, RejectForm, UploadForm
from legal.payments.models import PaymentLine
from legal.rules import money
from schools.attendance.exports import Table, download
from schools.audit import record_export, record_view
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    form_page,
    id_param,
    paginate,
    query_without,
    report_if_stale,
    selected_filters,
    sort_headers,
)
from schools.roles import Capability

SORTABLE = [("paid", "Paid on"), ("amount", "Amount"), ("reference", "Reference"), ("payer", "Payer"),
            ("problem", "Status and why it is held")]

EXPORT_COLUMNS = [
    ("Line", lambda line: line.reference_label),
    ("File", lambda line: line.file.original_name),
    ("Paid on", lambda line: line.paid_on.isoformat()),
    ("Amount", lambda line: f"{line.amount:.2f}"),
    ("Reference", lambda line: line.reference),
    ("Payer", lambda line: line.payer),
    ("Status", lambda line: line.get_status_display()),
    ("Why it is held", lambda line: line.get_problem_display()),
    ("Detail", lambda line: line.problem_detail),
    ("Suggested notices", lambda line: "; ".join(f"{s.get('reference')} ({s.get('why')})" for s in line.suggestions)),
    ("Notice", lambda line: line.notice.reference if line.notice_id else ""),
    ("Refund", lambda line: f"{line.refund_amount:.2f}" if line.refund_amount is not None else ""),
    ("Decided by", lambda line: line.decided_by.username if line.decided_by_id else ""),
    ("Decision", lambda line: line.decision_note),
]


@capability_required(Capability.VIEW_LEGAL)
def file_list(request):
    page, query = paginate(request, selectors.file_list(user=request.user))
    return render(request, "legal/payments/file_list.html", {
        "page": page, "query": query, "open_count": selectors.open_count(user=request.user),
        "can_import": request.user.can(Capability.RECORD_PAYMENTS)})


@capability_required(Capability.RECORD_PAYMENTS)
def file_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.payment_file_import(user=request.user, name=upload.name, data=upload.read(),
                                                 method=form.cleaned_data["method"])
        except services.PaymentFileRefused as refused:
            issues = refused.issues
            form.add_error("file", f"{upload.name} was not imported: {len(issues)} problem"
                                   f"{'s' if len(issues) != 1 else ''} listed below. Correct the file and upload it "
                                   "again; nothing from it was saved.")
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{batch.original_name} imported as {batch.reference}: {batch.matched_count} "
                                      f"paid to their notices, {batch.queued_count} held in the queue, "
                                      f"{batch.duplicate_count} already imported before.")
            return redirect("legal:payment_file", pk=batch.pk)
    return render(request, "legal/payments/upload.html", {"form": form, "issues": issues})


@capability_required(Capability.VIEW_LEGAL)
def file_detail(request, pk: int):
    batch = selectors.file_get(user=request.user, pk=pk)
    page, query = paginate(request, selectors.line_list(user=request.user).filter(file=batch))
    return render(request, "legal/payments/file_detail.html", {"batch": batch, "page": page, "query": query})


@capability_required(Capability.VIEW_LEGAL)
def queue(request):
    user = request.user
    filterset = PaymentLineFilterSet(request.GET, queryset=selectors.line_list(user=user), request=request)
    rows = filterset.qs
    rows = rows.order_by(*rows.query.order_by, "pk") if request.GET.get("sort") and rows.query.order_by \
        else rows.order_by("paid_on", "pk")
    fmt = export_format(request)
    if fmt:
        if not filterset.is_valid():
            messages.error(request, "The filters could not be understood, so nothing was exported.")
            return redirect("legal:payment_queue")
        record_export(user=user, object_type="legal.PaymentLine", rows=rows.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=rows.filter(notice__isnull=False),
                      pupil_path="notice__pupil_id")
        return download(Table("Payment queue", None, EXPORT_COLUMNS, rows.iterator(chunk_size=2000)), fmt,
                        f"payment-queue-{timezone.localdate().isoformat()}")
    page, query = paginate(request, rows)
    return render(request, "legal/payments/queue.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": selected_filters(filterset),
        "headers": sort_headers(request, SORTABLE), "export_query": query_without(request),
        "next_steps": rules.NEXT_STEP, "can_decide": user.can(Capability.RECORD_PAYMENTS)})


@capability_required(Capability.VIEW_LEGAL)
def line_detail(request, pk: int):
    line = selectors.line_get(user=request.user, pk=pk)
    if line.notice_id:
        record_view(user=request.user, instance=line, pupil_id=line.notice.pupil_id, path=request.path)
    return render(request, "legal/payments/line_detail.html", {
        "line": line, "suggestions": selectors.suggestions(user=request.user, line=line),
        "next_step": rules.NEXT_STEP.get(line.problem, ""),
        "can_decide": line.is_open and request.user.can(Capability.RECORD_PAYMENTS)})


def _open_line(request, pk: int) -> PaymentLine | None:
    line = selectors.line_get(user=request.user, pk=pk)
    if not line.is_open:
        messages.info(request, f"This payment has already been dealt with: {line.get_status_display().lower()}.")
        return None
    return line


def _caption(line: PaymentLine) -> str:
    return (f"{money(line.amount)} paid {line.paid_on:%-d %B %Y} by {line.payer or 'an unnamed payer'}, "
            f"reference “{line.reference or 'none'}” ({line.reference_label})")


@capability_required(Capability.RECORD_PAYMENTS)
def line_match(request, pk: int):
    line = _open_line(request, pk)
    if line is None:
        return redirect("legal:payment_line", pk=pk)
    initial = {"version": line.version}
    chosen = id_param(request, "notice")
    if chosen is not None:
        initial["notice"] = f"PN-{chosen:06d}"
    form = MatchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notice = legal_services.find_notice(form.cleaned_data["notice"])
        try:
            if notice is None:
                raise ValidationError({"notice": f"No penalty notice has the reference “{form.cleaned_data['notice']}"
                                                 "”: check it (PN- and six digits)."})
            services.line_match(user=request.user, line=line, notice=notice,
                                expected_version=form.cleaned_data["version"],
                                refund_excess=form.cleaned_data["refund_excess"], note=form.cleaned_data["note"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("legal:payment_line", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{money(line.amount)} paid to {notice.reference}.")
            return redirect("legal:payment_line", pk=pk)
    return form_page(request, form, title="Pay this to a notice", caption=_caption(line),
                     intro=f"{line.problem_detail} The payment is recorded against the notice only if it is what was "
                           "due on the day it was paid.", back_url=reverse("legal:payment_line", args=[pk]))


@capability_required(Capability.RECORD_PAYMENTS)
def line_reject(request, pk: int):
    line = _open_line(request, pk)
    if line is None:
        return redirect("legal:payment_line", pk=pk)
    form = RejectForm(request.POST or None, initial={"version": line.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.line_reject(user=request.user, line=line, reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("legal:payment_line", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Payment line {line.reference_label} rejected.")
            return redirect("legal:payment_queue")
    return form_page(request, form, title="Reject this payment", caption=_caption(line),
                     intro="A rejected payment is not paid to any notice; it stays on record with your reason.",
                     back_url=reverse("legal:payment_line", args=[pk]))
