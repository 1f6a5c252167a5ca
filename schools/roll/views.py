"""Pages for roll notifications: the list (the LA's triage queue, a school's sent notices), the two notice forms,
the CSV upload, a notice's page, the LA's match and one-click triage, the per-school overdue flags and the list of
roll changes with no notice. Thin: selectors read (scoped), services write, the FilterSet filters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from schools import selectors as pupil_selectors
from schools.attendance.exports import Table, download
from schools.attendance.imports.errors import issues_to_csv
from schools.audit import record_export, record_view
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    paginate,
    query_without,
    selected_filters,
    sort_headers,
)
from schools.models import Enrolment, Pupil, RollNotification, School
from schools.navigation import pupil_tabs
from schools.roles import Capability
from schools.roll import csv_import, rules, selectors, services
from schools.roll.filters import RollNotificationFilterSet
from schools.roll.forms import AdmissionForm, CreatePupilForm, DeletionForm, MatchSearchForm, TriageForm, UploadForm
from schools.roll.rules import Step

SORTABLE = [("name", "Pupil"), ("school", "School"), ("date", "Date"), ("ground", "Ground"),
            ("received", "Received")]

EXPORT_COLUMNS = [
    ("Kind", lambda n: n.get_kind_display()),
    ("School", lambda n: n.school.name),
    ("School URN", lambda n: n.school.urn),
    ("UPN", lambda n: n.upn),
    ("First name", lambda n: n.first_name),
    ("Last name", lambda n: n.last_name),
    ("Date of birth", lambda n: n.date_of_birth.isoformat()),
    ("Date", lambda n: n.event_date.isoformat()),
    ("Ground", lambda n: n.ground_rule.display if n.ground_rule else ""),
    ("New address", lambda n: n.new_address),
    ("New school", lambda n: n.new_school_display),
    ("Received", lambda n: n.received_on.isoformat()),
    ("Due", lambda n: n.due_on.isoformat() if n.due_on else ""),
    ("Late", lambda n: "Yes" if n.late else "No"),
    ("Status", lambda n: n.get_status_display()),
    ("Step taken", lambda n: n.get_step_display()),
]


def _steps_for(request, notices, confirmed) -> dict[int, list[tuple[str, str]]]:
    """Per notice on the page, the one-click steps the user may take: (step, button label)."""
    if not request.user.can(Capability.TRIAGE_ROLL_NOTIFICATIONS):
        return {}
    labels = {Step.CME: "Start a CME enquiry", Step.EHE: "Add to the EHE register",
              Step.EXCLUSION: "Link the exclusion record", Step.MOVE: "Close: move confirmed",
              Step.RECORD: "Close: no further action"}
    found = {}
    for notice in notices:
        if notice.status != RollNotification.Status.TO_TRIAGE or not notice.is_deletion:
            continue
        steps = services.allowed_steps(notice)
        if notice.new_school_id and Step.MOVE in steps and notice.pk not in confirmed:
            steps = [s for s in steps if s != Step.MOVE]  # wait for the new school's admission notice
        if not notice.pupil_id:
            steps = [s for s in steps if s not in (Step.EHE, Step.EXCLUSION)]  # match the pupil first
        found[notice.pk] = [(step, labels[step]) for step in steps]
    return found


def notification_list(request):
    user = request.user
    filterset = RollNotificationFilterSet(request.GET, queryset=selectors.notification_list(user=user),
                                          request=request)
    notices = filterset.qs
    notices = notices.order_by(*notices.query.order_by, "-pk") if request.GET.get("sort") else notices.order_by(
        "received_on" if filterset.form.data.get("status") == "to_triage" else "-received_on", "-pk")
    fmt = export_format(request)
    if fmt:
        if not user.can(Capability.EXPORT_PUPILS):
            raise PermissionDenied
        if not filterset.is_valid():
            messages.error(request, "The filters could not be understood, so nothing was exported.")
            return redirect("roll:list")
        record_export(user=user, object_type="schools.RollNotification", rows=notices.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=notices, pupil_path="pupil_id")
        return download(Table("Roll notifications", None, EXPORT_COLUMNS, notices.iterator(chunk_size=2000)), fmt,
                        f"roll-notifications-{timezone.localdate().isoformat()}")
    page, query = paginate(request, notices)
    rows = list(page.object_list)
    confirmed = selectors.confirmations_for(rows)
    steps = _steps_for(request, rows, confirmed)
    for row in rows:
        row.confirmation, row.row_steps = confirmed.get(row.pk), steps.get(row.pk, [])
    return render(request, "roll/list.html", {
        "filter": filterset, "page": page, "rows": rows, "query": query,
        "selected_filters": selected_filters(filterset),
        "headers": sort_headers(request, SORTABLE), "export_query": query_without(request),
        "is_la": user.is_la_staff,
        "can_send": user.can(Capability.SEND_ROLL_NOTIFICATIONS), "next_url": request.get_full_path(),
        "can_export": user.can(Capability.EXPORT_PUPILS),
    })


def _prefill(request) -> dict:
    """A notice started from the "no notice" list: the enrolment's pupil and dates (the user's own roll only)."""
    value = request.GET.get("enrolment", "")
    if not (value.isascii() and value.isdecimal() and len(value) < 18):
        return {}
    enrolment = get_object_or_404(Enrolment.objects.visible_to(request.user).select_related("pupil", "school"),
                                  pk=int(value))
    pupil = enrolment.pupil
    return {"school": enrolment.school, "upn": pupil.upn, "first_name": pupil.legal_first_name,
            "last_name": pupil.legal_last_name, "date_of_birth": pupil.date_of_birth, "sex": pupil.sex,
            "nc_year": enrolment.nc_year, "event_date": enrolment.end_date or enrolment.start_date}


def _notice_form(request, form_class, kind: str, title: str):
    form = form_class(request.POST or None, user=request.user, initial=_prefill(request) if request.method == "GET"
                      else None)
    if request.method == "POST" and form.is_valid():
        call = form.service_fields()
        try:
            notice = services.notification_submit(user=request.user, kind=kind, school=call["school"],
                                                  received_on=call["received_on"], **call["fields"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            late = " It arrived after it was due, so it counts as late." if notice.late else ""
            messages.success(request, f"The LA has received the notice about {notice.child_name}.{late}")
            return redirect("roll:detail", pk=notice.pk)
    return render(request, "roll/form.html", {"form": form, "title": title, "back_url": reverse("roll:list"),
                                              "kind": kind})


@capability_required(Capability.SEND_ROLL_NOTIFICATIONS)
def admission_new(request):
    return _notice_form(request, AdmissionForm, RollNotification.Kind.ADMISSION, "Tell the LA about a new pupil")


@capability_required(Capability.SEND_ROLL_NOTIFICATIONS)
def deletion_new(request):
    return _notice_form(request, DeletionForm, RollNotification.Kind.DELETION,
                        "Tell the LA a pupil is leaving the roll")


@capability_required(Capability.SEND_ROLL_NOTIFICATIONS)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        name = upload_file.name[:100]
        saved, issues = csv_import.import_csv(user=request.user, name=name,
                                              content=upload_file.read(csv_import.MAX_BYTES + 1))
        if not issues:
            messages.success(request, f"{len(saved)} notice{'s' if len(saved) != 1 else ''} received from {name}.")
            return redirect("roll:list")
        if request.POST.get("format") == "csv":
            response = HttpResponse(issues_to_csv(issues), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="roll-notification-problems.csv"'
            return response
    return render(request, "roll/upload.html", {"form": form, "issues": issues, "columns": csv_import.COLUMNS})


@capability_required(Capability.SEND_ROLL_NOTIFICATIONS)
def upload_template(request):
    response = HttpResponse(csv_import.TEMPLATE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roll-notifications-template.csv"'
    return response


def detail(request, pk: int):
    notice = selectors.notification_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=notice, path=request.path)
    confirmation = selectors.admission_confirmation(notice) if notice.is_deletion else None
    is_la = request.user.is_la_staff
    steps = _steps_for(request, [notice], {notice.pk: confirmation} if confirmation else {})
    return render(request, "roll/detail.html", {
        "notice": notice, "confirmation": confirmation, "is_la": is_la, "planned": notice.planned_step,
        "planned_label": Step.LABELS.get(notice.planned_step, ""), "steps": steps.get(notice.pk, []),
        "can_match": request.user.can(Capability.TRIAGE_ROLL_NOTIFICATIONS)
        and notice.status == RollNotification.Status.TO_TRIAGE,
        "rules": rules, "ehe_url": _ehe_url(notice),
    })


def _ehe_url(notice: RollNotification) -> str:
    if not notice.ehe_record_pk:
        return ""
    try:
        return reverse("ehe_detail", args=[notice.ehe_record_pk])
    except NoReverseMatch:  # the EHE pages not installed
        return ""


@capability_required(Capability.TRIAGE_ROLL_NOTIFICATIONS)
def match(request, pk: int):
    notice = selectors.notification_get(user=request.user, pk=pk)
    if notice.status != RollNotification.Status.TO_TRIAGE:
        messages.info(request, "This notice has already been dealt with.")
        return redirect("roll:detail", pk=pk)
    search = MatchSearchForm(request.GET or None)
    create_form = CreatePupilForm(request.POST if request.POST.get("action") == "create" else None,
                                  initial={"sex": notice.sex or None})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                if create_form.is_valid():
                    services.notification_create_pupil(user=request.user, notification=notice,
                                                       sex=create_form.cleaned_data["sex"])
                    messages.success(request, f"A pupil record was made for {notice.child_name} and matched.")
                    return redirect("roll:detail", pk=pk)
            else:
                value = request.POST.get("pupil", "")
                pupil = get_object_or_404(Pupil.objects.visible_to(request.user),
                                          pk=int(value) if value.isdecimal() and len(value) < 18 else 0)
                services.notification_match(user=request.user, notification=notice, pupil=pupil)
                messages.success(request, f"The notice was matched to {pupil.display_name} ({pupil.upn}).")
                return redirect("roll:detail", pk=pk)
        except ValidationError as error:
            apply_form_errors(create_form, error)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    candidates = Pupil.objects.visible_to(request.user)
    candidates = (candidates.search(text) if text else candidates.filter(
        date_of_birth=notice.date_of_birth, legal_last_name__iexact=notice.last_name))[:20]
    return render(request, "roll/match.html", {"notice": notice, "search": search, "candidates": list(candidates),
                                               "create_form": create_form, "searched": bool(text)})


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


@require_POST
@capability_required(Capability.TRIAGE_ROLL_NOTIFICATIONS)
def triage(request, pk: int):
    notice = selectors.notification_get(user=request.user, pk=pk)
    form = TriageForm(request.POST)
    back = _safe_next(request) or reverse("roll:detail", args=[pk])
    if not form.is_valid():
        messages.error(request, "Choose one of the next steps offered for this notice.")
        return redirect(back)
    try:
        services.notification_triage(user=request.user, notification=notice, step=form.cleaned_data["step"],
                                     note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, f"{notice.child_name}: {' '.join(error.messages)}")
        return redirect(back)
    messages.success(request, f"{notice.child_name}: {Step.LABELS[notice.step].lower()}: done.")
    return redirect(back)


def overdue(request):
    """Per school: deletions with no notice, late notices and admissions with no notice this academic year."""
    rows = selectors.school_flags(user=request.user)
    return render(request, "roll/overdue.html", {"rows": rows, "since": selectors.flags_since(),
                                                 "rules": rules, "is_la": request.user.is_la_staff})


MISSING_KINDS = {"deletion": ("Pupils who left with no deletion notice", selectors.deletions_without_notice),
                 "admission": ("Pupils who joined with no admission notice", selectors.admissions_without_notice)}


def missing(request):
    """The roll changes (enrolments ended or started this year) the school has sent no notice for, with the action:
    send it now."""
    kind = request.GET.get("kind") if request.GET.get("kind") in MISSING_KINDS else "deletion"
    title, select = MISSING_KINDS[kind]
    enrolments = select(user=request.user).order_by("school__name", "pupil__legal_last_name", "pk")
    urn = request.GET.get("school", "")
    urn = urn if len(urn) == 6 and urn.isascii() and urn.isdecimal() else ""  # a URN, or no school filter
    if urn:
        enrolments = enrolments.filter(school__urn=urn)
    fmt = export_format(request)
    if fmt:
        if not request.user.can(Capability.EXPORT_PUPILS):
            raise PermissionDenied
        record_export(user=request.user, object_type="schools.Enrolment", rows=enrolments.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=enrolments, pupil_path="pupil_id")
        columns = [("School", lambda e: e.school.name), ("UPN", lambda e: e.pupil.upn),
                   ("Pupil", lambda e: e.pupil.legal_name), ("NC year", lambda e: e.get_nc_year_display()),
                   ("Joined", lambda e: e.start_date.isoformat()),
                   ("Left", lambda e: e.end_date.isoformat() if e.end_date else "")]
        return download(Table(title, None, columns, enrolments.iterator(chunk_size=2000)), fmt,
                        f"roll-{kind}-no-notice-{timezone.localdate().isoformat()}")
    page, query = paginate(request, enrolments)
    return render(request, "roll/missing.html", {
        "title": title, "kind": kind, "page": page, "query": query, "export_query": query_without(request),
        "can_send": request.user.can(Capability.SEND_ROLL_NOTIFICATIONS), "school_urn": urn,
        "schools": School.objects.visible_to(request.user).order_by("name").values_list("urn", "name"),
        "can_export": request.user.can(Capability.EXPORT_PUPILS),
    })


def pupil_notices(request, pk: int):
    """The pupil profile's tab: the roll notices about the pupil the user may see."""
    pupil = pupil_selectors.pupil_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=pupil, path=request.path)
    notices = selectors.notification_list(user=request.user).filter(pupil=pupil).order_by("-event_date", "-pk")
    return render(request, "roll/pupil.html", {"pupil": pupil, "notices": notices,
                                               "tabs": pupil_tabs(request.user, pupil, active="roll")})
