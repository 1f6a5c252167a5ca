"""Pages for messages to families: the failures worklist (with its CSV/XLSX download), dealing with a failure, the
print queue (download, record the posting), and GOV.UK Notify's delivery-status callback. Thin: selectors read
through the user's scope, services write."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from legal.messaging import notify, rules, selectors, services
from legal.messaging.filters import FailureFilterSet
from legal.messaging.forms import PostedForm, ResolveForm
from legal.models import LetterBatch
from schools.attendance.exports import Table, download
from schools.audit import record_export, record_view
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
from schools.models import AuditEvent
from schools.roles import Capability

SORTABLE = [("name", "Pupil"), ("to", "To"), ("channel", "Sent as"), ("status", "What happened"), ("when", "When")]

EXPORT_COLUMNS = [
    ("UPN", lambda m: m.pupil.upn),
    ("Pupil", lambda m: m.pupil.legal_name),
    ("To", lambda m: m.carer.full_name),
    ("Sent as", lambda m: m.get_channel_display()),
    ("How", lambda m: m.get_route_display()),
    ("Letter", lambda m: f"{m.letter.get_kind_display()} {m.letter.reference}"),
    ("Recipient", lambda m: m.recipient),
    ("What happened", lambda m: m.get_status_display()),
    ("Detail", lambda m: m.status_detail),
    ("When", lambda m: timezone.localtime(m.status_at).isoformat(timespec="minutes") if m.status_at else ""),
    ("Next step", lambda m: m.next_step),
    ("GOV.UK Notify id", lambda m: str(m.notify_id or "")),
    ("Our reference", lambda m: m.reference),
    ("Dealt with", lambda m: m.resolution),
]


@capability_required(Capability.VIEW_LEGAL)
def failures(request):
    user = request.user
    filterset = FailureFilterSet(request.GET, queryset=selectors.failure_list(user=user), request=request)
    rows = filterset.qs
    rows = rows.order_by(*rows.query.order_by, "-pk") if request.GET.get("sort") and rows.query.order_by \
        else rows.order_by("-status_at", "-pk")
    fmt = export_format(request)
    if fmt:
        if not filterset.is_valid():
            messages.error(request, "The filters could not be understood, so nothing was exported.")
            return redirect("legal:message_failures")
        record_export(user=user, object_type="legal.NotifyMessage", rows=rows.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=rows, pupil_path="pupil_id")
        return download(Table("Messages that failed", None, EXPORT_COLUMNS, rows.iterator(chunk_size=2000)), fmt,
                        f"failed-messages-{timezone.localdate().isoformat()}")
    page, query = paginate(request, rows)
    chosen = [f for f in selected_filters(filterset) if f["field"] != "Dealt with?" or "state" in request.GET]
    return render(request, "legal/message_failures.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": chosen,
        "headers": sort_headers(request, SORTABLE), "export_query": query_without(request),
        "can_work": user.can(Capability.WORK_LEGAL), "next_url": request.get_full_path()})


@capability_required(Capability.WORK_LEGAL)
def message_resolve(request, pk: int):
    message = selectors.message_get(user=request.user, pk=pk)
    if not message.is_failed or message.resolved_at is not None:
        raise Http404
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.failure_resolve(user=request.user, message=message,
                                     resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Recorded what was done about the {message.get_channel_display().lower()} to "
                                      f"{message.carer.full_name}.")
            return redirect(_safe_next(request) or reverse("legal:message_failures"))
    elif request.method != "POST":
        record_view(user=request.user, instance=message, path=request.path)
    return form_page(request, form, title="What was done about this message?",
                     caption=f"{message.get_channel_display()} to {message.carer.full_name} about "
                             f"{message.pupil.display_name}",
                     intro=f"{message.get_status_display()}. {message.status_detail} Next step: {message.next_step}",
                     back_url=reverse("legal:message_failures"))


@capability_required(Capability.VIEW_LEGAL)
def print_queue(request):
    return render(request, "legal/print_queue.html", {
        "groups": selectors.print_queue(user=request.user), "notify_configured": notify.configured(),
        "can_work": request.user.can(Capability.WORK_LEGAL)})


def _posted(request, waiting, *, title: str):
    form = PostedForm(request.POST or None, initial={"posted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            count = services.print_posted(user=request.user, messages=list(waiting),
                                          posted_on=form.cleaned_data["posted_on"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{count} letter{'s' if count != 1 else ''} recorded as posted on "
                                      f"{form.cleaned_data['posted_on']:%-d %B %Y}.")
            return redirect("legal:print_queue")
    return form_page(request, form, title="When were the letters posted?", caption=title,
                     intro="A penalty notice among them is served by first-class post on this day: it is deemed "
                           "received on the second working day after, and its payment periods run from then.",
                     back_url=reverse("legal:print_queue"))


@capability_required(Capability.WORK_LEGAL)
def print_batch_posted(request, pk: int):
    waiting = selectors.print_group_messages(user=request.user, batch_id=pk)
    if not waiting.exists():
        raise Http404
    return _posted(request, waiting, title=LetterBatch.objects.get(pk=pk).description)


@capability_required(Capability.WORK_LEGAL)
def print_message_posted(request, pk: int):
    waiting = selectors.print_group_messages(user=request.user, message_id=pk)
    message = waiting.select_related("letter", "carer").first()
    if message is None:
        raise Http404
    return _posted(request, waiting, title=f"{message.letter.get_kind_display()} {message.letter.reference} to "
                                           f"{message.carer.full_name}")


@capability_required(Capability.WORK_LEGAL)
def print_batch_pdf(request, pk: int):
    """One PDF of a batch's letters, to print and post (anyone who posts letters, not only the batch's maker)."""
    if not selectors.print_group_messages(user=request.user, batch_id=pk).exists():
        raise Http404
    batch = LetterBatch.objects.select_related("job").get(pk=pk)
    if not batch.job.result_file:
        raise Http404
    record_view(user=request.user, instance=batch, path=request.path, action=AuditEvent.Action.EXPORT)
    return FileResponse(batch.job.result_file.open("rb"), as_attachment=True, content_type="application/pdf",
                        filename=f"letters-to-post-{batch.pk}.pdf")


def _safe_next(request) -> str:
    target = request.POST.get("next", "") or request.GET.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


# --- GOV.UK Notify's callback ----------------------------------------------------------------------------------------

def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@login_not_required
@csrf_exempt
@require_POST
def notify_callback(request):
    """Notify's callbacks: ``Authorization: Bearer <NOTIFY_CALLBACK_BEARER_TOKEN>`` and a JSON body, either a
    delivery receipt (id, reference, to, status, created_at, completed_at, sent_at, notification_type, template_id,
    template_version) or a returned-letter callback (notification_id, reference, date_sent, ...): set this address
    and token for both in Notify's API integration page. 401 without a token, 403 with a wrong one (or none set up
    here), 400 for a body that is not one of them (or a status the message cannot have), 404 for a notification we
    have no record of; 200 once recorded (again for a repeat, which changes nothing)."""
    expected = settings.NOTIFY_CALLBACK_BEARER_TOKEN
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return _problem(401, "A bearer token is required.")
    if not expected or not hmac.compare_digest(header[7:].strip().encode(), expected.encode()):
        return _problem(403, "The bearer token is not the one set up for this service.")
    try:
        payload = json.loads(request.body or b"")
    except ValueError:
        return _problem(400, "The body is not JSON.")
    try:
        message = services.callback_record(payload=payload)
    except services.UnknownNotification:
        return _problem(404, "No message here has this notification id or reference.")
    except ValidationError as error:
        return _problem(400, error.messages[0])
    except PermissionDenied:  # not raised today; a callback must never show a server error page
        return _problem(403, "Not allowed.")
    return JsonResponse({"recorded": message.status, "label": rules.label(message.status)})
