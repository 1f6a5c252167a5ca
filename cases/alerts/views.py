"""The alert list (``/cases/alerts/``, with its CSV and XLSX download) and the alert page, where the rule is explained
and the alert is marked dealt with. Thin: selectors read through the user's scope (an alert outside it is 404),
services write, the FilterSet filters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cases.alerts import evidence, selectors, services
from cases.alerts.filters import AlertFilterSet
from cases.alerts.forms import DoneForm
from schools.attendance.exports import Table, download
from schools.audit import record_export, record_view
from schools.common.web import (
    apply_form_errors,
    export_format,
    paginate,
    query_without,
    selected_filters,
    sort_headers,
)
from schools.roles import Capability

SORTABLE = [("name", "Pupil"), ("school", "School"), ("rule", "Rule"), ("opened", "Opened"),
            ("assigned", "Assigned to")]

EXPORT_COLUMNS = [
    ("UPN", lambda a: a.pupil.upn),
    ("Pupil", lambda a: a.pupil.legal_name),
    ("School", lambda a: a.school.name),
    ("Rule", lambda a: a.rule.name),
    ("Opened", lambda a: a.opened_on.isoformat()),
    ("Evidence", lambda a: a.evidence_summary),
    ("Assigned to", lambda a: a.assigned_to.display_name if a.assigned_to else ""),
    ("Team", lambda a: a.team.name if a.team else ""),
    ("Status", lambda a: a.get_status_display()),
    ("Dealt with by", lambda a: a.done_by.display_name if a.done_by else ""),
    ("Dealt with on", lambda a: timezone.localtime(a.done_at).date().isoformat() if a.done_at else ""),
    ("Note", lambda a: a.done_note),
    ("Rule no longer held from", lambda a: a.cleared_on.isoformat() if a.cleared_on else ""),
]


def alert_list(request):
    user = request.user
    filterset = AlertFilterSet(request.GET, queryset=selectors.alert_list(user=user), request=request)
    alerts = filterset.qs
    if not request.GET.get("sort"):
        alerts = alerts.order_by("-opened_on", "-pk")
    elif alerts.query.order_by:
        alerts = alerts.order_by(*alerts.query.order_by, "-pk")  # ties in a stable order, so pages never overlap
    fmt = export_format(request)
    if fmt:
        if not user.can(Capability.EXPORT_CASES):
            raise PermissionDenied
        if not filterset.is_valid():
            messages.error(request, "The filters could not be understood, so nothing was exported.")
            return redirect("cases:alerts")
        record_export(user=user, object_type="cases.Alert", rows=alerts.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=alerts, pupil_path="pupil_id")
        return download(Table("Early-warning alerts", None, EXPORT_COLUMNS, alerts.iterator(chunk_size=2000)), fmt,
                        f"alerts-{timezone.localdate().isoformat()}")
    page, query = paginate(request, alerts)
    chosen = [f for f in selected_filters(filterset) if f["field"] != "Status" or "status" in request.GET]
    return render(request, "cases/alert_list.html", {
        "filter": filterset, "page": page, "query": query, "selected_filters": chosen,
        "headers": sort_headers(request, SORTABLE), "export_query": query_without(request),
        "can_deal": services.can_deal_with(user), "rules": selectors.active_rules(),
        "next_url": request.get_full_path(),
    })


def alert_detail(request, pk: int):
    """The alert, its evidence and the rule in full (what it looks for, its figures, who it goes to, the guidance),
    with the form that marks it dealt with (POST, from here or from the list's row)."""
    user = request.user
    alert = selectors.alert_get(user=user, pk=pk)
    can_deal = services.can_deal_with(user) and not alert.is_done
    form = DoneForm(request.POST or None)
    if request.method == "POST":
        if not services.can_deal_with(user):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.alert_mark_done(user=user, alert=alert, note=form.cleaned_data["note"])
            except ValidationError as error:
                if getattr(error, "code", None) == "already_done":
                    messages.error(request, error.messages[0])
                    return redirect("cases:alert_detail", pk=pk)
                apply_form_errors(form, error)
            else:
                messages.success(request, f"The alert about {alert.pupil.display_name} was marked dealt with.")
                return redirect(_safe_next(request) or reverse("cases:alerts"))
    else:
        record_view(user=user, instance=alert, path=request.path)
    return render(request, "cases/alert_detail.html", {
        "alert": alert, "rule": alert.rule, "pupil": alert.pupil, "form": form, "can_deal": can_deal,
        "marks": evidence.listed_marks(alert.evidence), "next_url": _safe_next(request),
    })


def _safe_next(request) -> str:
    """Where to go back to after marking an alert dealt with: a path on this site (the list with its filters)."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""
