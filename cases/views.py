"""Pages for referrals, cases, chronology, reviews, tasks, My work, the team view and TSMs. Thin: selectors read,
services write, FilterSets filter. A case outside the user's scope is 404; one they may see but not change is 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.alerts import selectors as alert_selectors
from cases.exports import cases_csv, cases_xlsx
from cases.filters import CaseFilterSet, ReferralFilterSet, TsmFilterSet
from cases.forms import (
    AllocateForm,
    CaseEditForm,
    CaseOpenForm,
    CloseForm,
    EntryEditForm,
    EntryForm,
    ReferralForm,
    ReopenForm,
    ReviewForm,
    StageForm,
    TaskForm,
    TriageForm,
    TsmEditForm,
    TsmForm,
    TsmPupilForm,
)
from cases.models import CaseworkPolicy, ChronologyEntry, Referral, TsmPupil
from cases.permissions import can_edit_entry, can_reopen_case, can_work_case, require_work_case
from schools import selectors as school_selectors
from schools.attendance import freshness
from schools.audit import record_export, record_exported_pupils, record_view
from schools.common.pdf import html_to_pdf
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    form_page,
    id_param,
    paginate,
    report_if_stale,
    selected_filters,
    sort_headers,
)
from schools.models import AuditEvent, Enrolment
from schools.navigation import pupil_tabs
from schools.roles import Capability, Role
from schools.stages import STAGE_ORDER, STAGES

SORTABLE = [("name", "Pupil"), ("stage", "Stage"), ("officer", "Officer"), ("opened", "Opened"),
            ("review", "Next review"), ("last_action", "Last action")]


def _current_enrolment(user, pupil):
    return (Enrolment.objects.visible_to(user).filter(pupil=pupil, end_date__isnull=True)
            .select_related("school").order_by("-start_date").first())


# --- Case list and export -------------------------------------------------------------------------------------------

def _attendance_period():
    """The period the case list's attendance column covers: the year to date, as on the case page."""
    from schools.attendance.selectors import resolve_period

    return resolve_period(None, timezone.localdate())


def case_list(request):
    period = _attendance_period()
    filterset = CaseFilterSet(request.GET or None, queryset=selectors.case_list(user=request.user), request=request)
    cases = filterset.qs
    if not request.GET.get("sort"):
        cases = cases.order_by("-opened_on", "-pk")
    page, query = paginate(request, cases)
    if "stage_check" not in cases.query.annotations:  # the stage-check filter has them from SQL already
        selectors.attach_attendance(user=request.user, cases=page.object_list, period=period)
    return render(request, "cases/case_list.html", {
        "filter": filterset, "page": page, "query": query, "today": timezone.localdate(),
        "attendance_period": period,
        "headers": sort_headers(request, SORTABLE),
        "selected_filters": selected_filters(filterset),
        "export_query": query,
        "can_work": request.user.can(Capability.WORK_CASES),
    })


@capability_required(Capability.EXPORT_CASES)
def case_export(request):
    fmt = export_format(request, default="csv")
    rows = selectors.case_list_with_attendance(user=request.user, period=_attendance_period())
    filterset = CaseFilterSet(request.GET or None, queryset=rows, request=request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, "The filters could not be understood, so nothing was exported.")
        return redirect("cases:list")
    cases = filterset.qs
    if not request.GET.get("sort"):
        cases = cases.order_by("-opened_on", "-pk")
    count = cases.count()
    record_export(user=request.user, object_type="cases.Case", rows=count, fmt=fmt, path=request.get_full_path(),
                  pupils=cases)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(cases_xlsx(cases), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        response = HttpResponse(cases_csv(cases), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.{fmt}"'
    return response


# --- The case page --------------------------------------------------------------------------------------------------

def _stage_check(case, attendance) -> str:
    """Does the suggested stage agree with this case's stage (schools.attendance.stages.compare)? Only an attendance
    case that is not closed is compared: the staged model is about attendance."""
    from schools.attendance.stages import ATTENDANCE_CASE_TYPES, compare

    compared = case.stage if case.case_type in ATTENDANCE_CASE_TYPES and not case.is_closed else None
    suggested = attendance.suggested_stage if attendance else None
    return compare(compared, int(suggested[0]) if suggested else None)


def case_detail(request, pk: int):
    user = request.user
    case = selectors.case_get(user=user, pk=pk)
    record_view(user=user, instance=case, path=request.path)
    policy = CaseworkPolicy.current()
    today = timezone.localdate()
    timeline = list(selectors.case_timeline(user=user, case=case))
    can_work = can_work_case(user, case)
    for entry in timeline:
        entry.can_edit = can_work and can_edit_entry(user, entry, case) and not services.entry_locked(
            entry, policy=policy)
    page = selectors.case_page(user=user, case=case)
    for plan in page["plans"]:
        plan.can_change = can_work and plan.is_active
    for task in page["tasks"]:
        task.case = case  # already loaded: checking who may complete it needs the case
        task.can_complete = services.can_complete_task(user, task)
        task.overdue = task.is_overdue_on(today)
    siblings = selectors.family_members(user=user, pupil=case.pupil)
    figures = selectors.attendance_figures(user=user, pupil_ids=[case.pupil_id, *(s.pk for s in siblings)])
    for sibling in siblings:
        sibling.attendance = figures.get(sibling.pk)
    attendance = figures.get(case.pupil_id)
    return render(request, "cases/case_detail.html", {
        "case": case, "pupil": case.pupil, "current_enrolment": _current_enrolment(user, case.pupil),
        "header_carers": selectors.header_carers(pupil=case.pupil),
        "can_edit_carers": user.can(Capability.EDIT_PUPILS), "here": request.get_full_path(),
        "tabs": pupil_tabs(user, case.pupil, active="cases"),
        "timeline": timeline, "siblings": siblings, "attendance": attendance,
        "suggested_stage": STAGES.get(attendance.suggested_stage) if attendance and attendance.suggested_stage
        else None,
        "stage_check": _stage_check(case, attendance),
        "stage": STAGES[case.stage], "stages": [STAGES[s] for s in STAGE_ORDER],
        "today": today, "review_overdue": case.review_overdue_on(today),
        "can_work": can_work, "can_allocate": user.can(Capability.TRIAGE_REFERRALS) and not case.is_closed,
        "can_reopen": can_reopen_case(user, case),
        "can_open_cases": user.can(Capability.WORK_CASES),
        "shows_restricted": user.can(Capability.READ_RESTRICTED),
        "policy": policy,
        **page,
    })


def pupil_cases(request, pk: int):
    """The pupil profile's Cases tab: the pupil's cases and referrals, and the way to refer or open a case."""
    user = request.user
    pupil = school_selectors.pupil_get(user=user, pk=pk)
    record_view(user=user, instance=pupil, path=request.path)
    data = selectors.pupil_cases(user=user, pupil=pupil)
    return render(request, "cases/pupil_cases.html", {
        "pupil": pupil, "current_enrolment": _current_enrolment(user, pupil),
        "tabs": pupil_tabs(user, pupil, active="cases"), "today": timezone.localdate(),
        "can_refer": user.can(Capability.REFER_PUPILS), "can_open": user.can(Capability.WORK_CASES),
        **data,
    })


@capability_required(Capability.WORK_CASES)
def case_open(request):
    user = request.user
    pupil_id, linked_id = id_param(request, "pupil"), id_param(request, "linked")
    pupil = school_selectors.pupil_get(user=user, pk=pupil_id) if pupil_id is not None else None
    if pupil is None:
        messages.error(request, "Open a case from the pupil's Cases tab.")
        return redirect("pupil_list")
    linked = selectors.case_get(user=user, pk=linked_id) if linked_id is not None else None
    form = CaseOpenForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        officer = data.pop("officer", None) if "officer" in form.fields else user
        try:
            case = services.case_open(user=user, pupil=pupil, officer=officer, linked_case=linked, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{case.reference} was opened for {pupil.display_name}.")
            return redirect("cases:detail", pk=case.pk)
    caption = f"Linked to {linked.reference} ({linked.pupil.display_name})" if linked else ""
    return form_page(request, form, title=f"Open a case for {pupil.display_name}", caption=caption,
                      back_url=reverse("cases:pupil_cases", args=[pupil.pk]))


def _case_for_work(request, pk):
    case = selectors.case_for_update(user=request.user, pk=pk)
    require_work_case(request.user, case)
    return case


@capability_required(Capability.WORK_CASES)
def case_edit(request, pk: int):
    case = _case_for_work(request, pk)
    initial = {"summary": case.summary, "lead_practitioner": case.lead_practitioner, "version": case.version,
               "lead_practitioner_name": case.lead_practitioner_name,
               "review_interval_weeks": case.review_interval_weeks}
    form = CaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.case_update(user=request.user, case=case, expected_version=version, **data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, "The case details were saved.")
            return redirect("cases:detail", pk=pk)
    return form_page(request, form, title=f"Edit {case.reference}", caption=case.pupil.display_name,
                      back_url=reverse("cases:detail", args=[pk]))


@capability_required(Capability.WORK_CASES)
def case_stage(request, pk: int):
    case = _case_for_work(request, pk)
    form = StageForm(request.POST or None, initial={"stage": case.stage, "version": case.version,
                                                    "changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.case_change_stage(user=request.user, case=case, stage=data["stage"], reason=data["reason"],
                                       changed_on=data["changed_on"], expected_version=data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{case.reference} is now at {case.get_stage_display().lower()}.")
            return redirect("cases:detail", pk=pk)
    return form_page(request, form, title=f"Change the stage of {case.reference}", caption=case.pupil.display_name,
                      intro=f"Now at {case.get_stage_display().lower()}.",
                      back_url=reverse("cases:detail", args=[pk]))


def _officer_label_factory():
    """Labels for the officer choices: each officer's open cases against their own limit (the LA default unless an
    admin set one for them), and a lookup of both for the warning after allocation."""
    policy = CaseworkPolicy.current()
    loads = {o.pk: (o.open_cases, o.caseload_limit) for o in selectors.officer_caseloads(policy=policy)}

    def label(officer) -> str:
        n, limit = loads.get(officer.pk, (0, policy.caseload_limit))
        state = " – over the limit" if n > limit else " – at the limit" if n == limit else ""
        return f"{officer.display_name} ({n} of {limit} cases{state})"

    return label, loads, policy.caseload_limit


@capability_required(Capability.TRIAGE_REFERRALS)
def case_allocate(request, pk: int):
    case = selectors.case_for_update(user=request.user, pk=pk)
    if case.is_closed:
        raise PermissionDenied
    label, loads, limit = _officer_label_factory()
    form = AllocateForm(request.POST or None, officer_label=label,
                        initial={"version": case.version, "officer": case.officer_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_allocate(user=request.user, case=case, officer=data["officer"], reason=data["reason"],
                                   expected_version=data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=pk)
            apply_form_errors(form, error)
        else:
            officer = data["officer"]
            messages.success(request, f"{case.reference} was allocated to {officer.display_name}.")
            _warn_if_over_limit(request, officer, loads, limit)
            return redirect("cases:detail", pk=pk)
    who = f"Allocated to {case.officer.display_name}." if case.officer else "Not allocated yet."
    return form_page(request, form, title=f"Allocate {case.reference}", caption=case.pupil.display_name,
                      intro=f"{who} Caseload limit: {limit} open cases unless an officer has their own limit "
                            "(shown beside each name).",
                      back_url=reverse("cases:detail", args=[pk]))


def _warn_if_over_limit(request, officer, loads, default_limit) -> None:
    held, limit = loads.get(officer.pk, (0, default_limit))
    held += 1
    if held > limit:
        messages.warning(request, f"{officer.display_name} now holds {held} open cases, over their caseload limit "
                                  f"of {limit}.")


@capability_required(Capability.TRIAGE_REFERRALS)
def case_reopen(request, pk: int):
    """A manager reopens a closed case, giving the reason (kept with the closure, the audit and the timeline)."""
    case = selectors.case_for_update(user=request.user, pk=pk)
    if not case.is_closed:
        messages.info(request, f"{case.reference} is open.")
        return redirect("cases:detail", pk=pk)
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_reopen(user=request.user, case=case, reason=data["reason"],
                                        expected_version=data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=pk)
            apply_form_errors(form, error)
        else:
            if case.officer:
                messages.success(request, f"{case.reference} was reopened and is back with "
                                          f"{case.officer.display_name}.")
            else:
                messages.success(request, f"{case.reference} was reopened and is awaiting allocation.")
            return redirect("cases:detail", pk=pk)
    closed = f"Closed on {case.closed_on:%-d %B %Y}: {case.get_outcome_display().lower()}."
    return form_page(request, form, title=f"Reopen {case.reference}", caption=case.pupil.display_name,
                      intro=f"{closed} The closure, the stage and its history are kept.",
                      back_url=reverse("cases:detail", args=[pk]))


@capability_required(Capability.WORK_CASES)
def case_close(request, pk: int):
    case = _case_for_work(request, pk)
    form = CloseForm(request.POST or None, initial={"version": case.version, "closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_close(user=request.user, case=case, outcome=data["outcome"],
                                outcome_notes=data["outcome_notes"], closed_on=data["closed_on"],
                                expected_version=data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{case.reference} was closed.")
            return redirect("cases:detail", pk=pk)
    return form_page(request, form, title=f"Close {case.reference}", caption=case.pupil.display_name,
                      back_url=reverse("cases:detail", args=[pk]))


# --- Chronology, attachments, reviews, tasks ------------------------------------------------------------------------

@capability_required(Capability.WORK_CASES)
def entry_add(request, pk: int):
    """Add to a case's chronology; ``?type=call`` starts on that kind of entry (the threshold worklist's "Record a
    contact"), and a same-site ``?next=`` is where the officer goes back to."""
    case = _case_for_work(request, pk)
    chosen = request.GET.get("type", "")
    initial = {"entry_type": chosen} if chosen in ChronologyEntry.EntryType.values else {}
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("attachments") or []
        try:
            services.entry_add(user=request.user, case=case, files=files, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The entry was added to the chronology.")
            back = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
                return redirect(back)
            return redirect(reverse("cases:detail", args=[pk]) + "#chronology")
    return form_page(request, form, title=f"Add to the chronology of {case.reference}",
                      caption=case.pupil.display_name, back_url=reverse("cases:detail", args=[pk]))


@capability_required(Capability.WORK_CASES)
def entry_edit(request, pk: int):
    entry = selectors.entry_get(user=request.user, pk=pk)
    case = entry.case
    if not can_edit_entry(request.user, entry, case):
        raise PermissionDenied
    if services.entry_locked(entry):
        messages.error(request, "This entry is locked and can no longer be corrected: add a new entry instead.")
        return redirect("cases:detail", pk=case.pk)
    initial = {name: getattr(entry, name) for name in ("meeting_type", "occurred_on", "summary", "participants",
                                                         "details", "outcome", "restriction")}
    form = EntryEditForm(request.POST or None, initial={**initial, "version": entry.version},
                         is_meeting=entry.entry_type == ChronologyEntry.EntryType.MEETING)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version, reason = data.pop("version"), data.pop("reason")
        try:
            services.entry_update(user=request.user, entry=selectors.entry_get(user=request.user, pk=pk),
                                  expected_version=version, reason=reason, **data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=case.pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, "The entry was corrected; the earlier wording is kept under it.")
            return redirect(reverse("cases:detail", args=[case.pk]) + "#chronology")
    return form_page(request, form, title=f"Correct an entry on {case.reference}", caption=entry.summary,
                      intro=f"Entry of type {entry.type_label.lower()}, written {entry.created_at:%-d %B %Y}.",
                      back_url=reverse("cases:detail", args=[case.pk]))


def attachment_download(request, pk: int):
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=attachment, path=request.path)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@capability_required(Capability.WORK_CASES)
def review_add(request, pk: int):
    case = _case_for_work(request, pk)
    # The pupil's attendance since the last review (or since the case opened), to today: shown on the page, and
    # worked out again to the review's date when it is saved (services.review_add).
    attendance = selectors.review_attendance(user=request.user, case=case, held_on=timezone.localdate())
    form = ReviewForm(request.POST or None, plans=case.plans.select_related("intervention"), attendance=attendance)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_add(user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            saved = f" Attendance over the period: {review.attendance_percent}%." \
                if review.attendance_percent is not None else ""
            messages.success(request, f"The review was recorded.{saved}")
            return redirect("cases:detail", pk=pk)
    return render(request, "cases/review_form.html", {
        "form": form, "title": f"Record a review of {case.reference}", "caption": case.pupil.display_name,
        "intro": f"Reviews are due every {case.review_interval_weeks} weeks. The case opened on "
                 f"{case.opened_on:%-d %B %Y}.",
        "back_url": reverse("cases:detail", args=[pk]), "case": case, "attendance": attendance})


@capability_required(Capability.WORK_CASES)
def task_add(request, pk: int):
    case = _case_for_work(request, pk)
    form = TaskForm(request.POST or None, school_id=case.school_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_add(user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The task was added.")
            return redirect("cases:detail", pk=pk)
    return form_page(request, form, title=f"Add a task to {case.reference}", caption=case.pupil.display_name,
                      back_url=reverse("cases:detail", args=[pk]))


@require_POST
def task_complete(request, pk: int):
    task = selectors.task_get(user=request.user, pk=pk)
    if not services.can_complete_task(request.user, task):
        raise PermissionDenied
    try:
        services.task_complete(user=request.user, task=task)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"“{task.title}” was marked done.")
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("cases:my_work")


def chronology_pdf(request, pk: int):
    """The case chronology as a PDF (for legal packs and meetings): exactly what the user may read on the page."""
    user = request.user
    case = selectors.case_get(user=user, pk=pk)
    record_view(user=user, instance=case, path=request.path, action=AuditEvent.Action.EXPORT)
    html = render_to_string("cases/chronology_pdf.html", {
        "case": case, "pupil": case.pupil, "timeline": selectors.case_timeline(user=user, case=case),
        "generated": timezone.localtime(), "user": user, "stage": STAGES[case.stage]})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-chronology.pdf"'
    return response


# --- Referrals ------------------------------------------------------------------------------------------------------

def referral_list(request):
    filterset = ReferralFilterSet(request.GET or None, queryset=selectors.referral_list(user=request.user),
                                  request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "cases/referral_list.html", {
        "filter": filterset, "page": page, "query": query,
        "can_refer": request.user.can(Capability.REFER_PUPILS),
        "can_triage": request.user.can(Capability.TRIAGE_REFERRALS)})


@capability_required(Capability.REFER_PUPILS)
def referral_create(request):
    user = request.user
    initial = {}
    if (pupil_id := id_param(request, "pupil")) is not None:
        pupil = school_selectors.pupil_get(user=user, pk=pupil_id)
        initial["pupil"] = pupil.upn
    form = ReferralForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("attachments") or []
        try:
            referral = services.referral_create(user=user, files=files, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"Referral {referral.reference} for {referral.pupil.display_name} was sent. "
                                      "The LA will triage it and you will see its status here.")
            return redirect("cases:referral_detail", pk=referral.pk)
    return form_page(request, form, title="Refer a pupil to the LA",
                      intro="Refer a pupil on your school's roll when the school's own steps have not worked.",
                      back_url=reverse("cases:referral_list"))


def referral_detail(request, pk: int):
    referral = selectors.referral_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=referral, path=request.path)
    return render(request, "cases/referral_detail.html", {
        "referral": referral, "pupil": referral.pupil,
        "can_triage": request.user.can(Capability.TRIAGE_REFERRALS)
        and referral.status == Referral.Status.SUBMITTED})


@capability_required(Capability.TRIAGE_REFERRALS)
def referral_triage(request, pk: int):
    referral = selectors.referral_for_update(user=request.user, pk=pk)
    if referral.status != Referral.Status.SUBMITTED:
        messages.error(request, f"This referral was already {referral.get_status_display().lower()}.")
        return redirect("cases:referral_detail", pk=pk)
    label, loads, limit = _officer_label_factory()
    # The stage the pupil's attendance suggests (the LA's thresholds) is chosen to start with; the officer may change
    # it.
    suggestion = selectors.stage_suggestion(user=request.user, pupil=referral.pupil)
    form = TriageForm(request.POST or None, officer_choices=label, initial={"version": referral.version},
                      suggestion=suggestion,
                      no_suggestion=f"No stage is suggested: the service has no attendance for "
                                    f"{referral.pupil.display_name} this academic year. Choose the stage from what "
                                    "the referral tells you.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == TriageForm.ACCEPT:
                case = services.referral_accept(user=request.user, referral=referral, stage=data["stage"],
                                                 officer=data["officer"], note=data["note"],
                                                 expected_version=data["version"])
            else:
                services.referral_decline(user=request.user, referral=referral, reason=data["decline_reason"],
                                          expected_version=data["version"])
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:referral_detail", pk=pk)
            apply_form_errors(form, error)
        else:
            if data["decision"] == TriageForm.ACCEPT:
                messages.success(request, f"The referral was accepted: {case.reference} is open.")
                if data["officer"] is not None:
                    _warn_if_over_limit(request, data["officer"], loads, limit)
                return redirect("cases:detail", pk=case.pk)
            messages.success(request, "The referral was declined; the school can see why.")
            return redirect("cases:team")
    return form_page(request, form, title=f"Triage referral {referral.reference}",
                      caption=f"{referral.pupil.display_name}, {referral.school.name}",
                      intro=f"Caseload limit: {limit} open cases per officer unless an officer has their own "
                            "limit (shown beside each name).",
                      back_url=reverse("cases:referral_detail", args=[pk]))


# --- My work and the team view --------------------------------------------------------------------------------------

def my_work(request):
    user = request.user
    alert_count = alert_selectors.open_alert_count(user=user)
    if user.role == Role.SCHOOL_USER:
        return render(request, "cases/my_work_school.html", {**selectors.school_work(user=user),
                                                             "alert_count": alert_count})
    context = selectors.my_work(user=user)
    context["can_triage"] = user.can(Capability.TRIAGE_REFERRALS)
    context["alert_count"] = alert_count
    return render(request, "cases/my_work.html", context)


@capability_required(Capability.TRIAGE_REFERRALS)
def team(request):
    return render(request, "cases/team.html", selectors.team_overview(user=request.user))


# --- Targeting support meetings -------------------------------------------------------------------------------------

def tsm_list(request):
    filterset = TsmFilterSet(request.GET or None, queryset=selectors.tsm_list(user=request.user), request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "cases/tsm_list.html", {
        "filter": filterset, "page": page, "query": query,
        "can_manage": request.user.can(Capability.MANAGE_TSMS)})


@capability_required(Capability.MANAGE_TSMS)
def tsm_create(request):
    year = selectors.current_academic_year()
    form = TsmForm(request.POST or None, user=request.user,
                   initial={"academic_year": year.pk if year else None, "officer": request.user.pk,
                            "held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            tsm = services.tsm_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"The {tsm.get_term_display().lower()} meeting with {tsm.school} was recorded.")
            return redirect("cases:tsm_detail", pk=tsm.pk)
    return form_page(request, form, title="Record a targeting support meeting",
                      intro="One meeting per school per term, with the school's attendance lead.",
                      back_url=reverse("cases:tsm_list"))


def tsm_detail(request, pk: int):
    tsm = selectors.tsm_get(user=request.user, pk=pk)
    # The record names the pupils discussed, so opening it is logged like a pupil page.
    record_view(user=request.user, instance=tsm, path=request.path)
    detail = selectors.tsm_detail(user=request.user, tsm=tsm)
    for task in detail["tasks"]:
        task.can_complete = services.can_complete_task(request.user, task)
    return render(request, "cases/tsm_detail.html", {
        "tsm": tsm, **detail, "can_manage": request.user.can(Capability.MANAGE_TSMS)})


@capability_required(Capability.MANAGE_TSMS)
def tsm_edit(request, pk: int):
    tsm = selectors.tsm_get(user=request.user, pk=pk)
    form = TsmEditForm(request.POST or None, initial={"held_on": tsm.held_on, "officer": tsm.officer_id,
                                                      "attendees": tsm.attendees, "notes": tsm.notes,
                                                      "version": tsm.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.tsm_update(user=request.user, tsm=selectors.tsm_get(user=request.user, pk=pk),
                                expected_version=version, **data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:tsm_detail", pk=pk)
            apply_form_errors(form, error)
        else:
            messages.success(request, "The meeting record was saved.")
            return redirect("cases:tsm_detail", pk=pk)
    return form_page(request, form, title=f"Edit the {tsm.get_term_display().lower()} meeting",
                      caption=str(tsm.school),
                      back_url=reverse("cases:tsm_detail", args=[pk]))


@capability_required(Capability.MANAGE_TSMS)
def tsm_pupil_add(request, pk: int):
    tsm = selectors.tsm_get(user=request.user, pk=pk)
    form = TsmPupilForm(request.POST or None, user=request.user, school_id=tsm.school_id)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            item = services.tsm_pupil_add(user=request.user, tsm=tsm, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            text = {TsmPupil.Action.TASK: " and the task was added", TsmPupil.Action.CASE: " and a case was opened"}
            messages.success(request, f"{item.pupil.display_name} was added{text.get(item.action, '')}.")
            return redirect("cases:tsm_detail", pk=pk)
    return form_page(request, form, title="Add a pupil discussed", caption=str(tsm),
                      back_url=reverse("cases:tsm_detail", args=[pk]))


@capability_required(Capability.MANAGE_TSMS)
def tsm_task_add(request, pk: int):
    tsm = selectors.tsm_get(user=request.user, pk=pk)
    form = TaskForm(request.POST or None, school_id=tsm.school_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_add(user=request.user, tsm=tsm, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The action was added as a task.")
            return redirect("cases:tsm_detail", pk=pk)
    return form_page(request, form, title="Add an action agreed", caption=str(tsm),
                      back_url=reverse("cases:tsm_detail", args=[pk]))


def tsm_pack(request, pk: int):
    """The TSM pack PDF (WeasyPrint from an HTML template)."""
    tsm = selectors.tsm_get(user=request.user, pk=pk)
    rows = selectors.tsm_pack_rows(user=request.user, tsm=tsm)
    event = record_view(user=request.user, instance=tsm, path=request.path, action=AuditEvent.Action.EXPORT)
    record_exported_pupils(event, [row["pupil"].pk for row in rows])
    period = next((row["attendance"].period for row in rows if row["attendance"]), "")
    [registers] = freshness.freshness([tsm.school], timezone.localdate())  # the figures rest on them: say how fresh
    html = render_to_string("cases/tsm_pack_pdf.html", {
        "tsm": tsm, "rows": rows, "period": period, "generated": timezone.localtime(), "user": request.user,
        "freshness": registers,
        "stages": [STAGES[s] for s in STAGE_ORDER],
        **selectors.tsm_detail(user=request.user, tsm=tsm)})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tsm-{tsm.school.urn}-{tsm.term}-{tsm.academic_year_id}.pdf"'
    return response


def stage_guide(request):
    """The staged model: what each stage means, who leads, and (from the interventions app's template tags) the
    catalogue entries offered at it."""
    from schools.models import StagePolicy

    policy = StagePolicy.current()
    # The attendance each stage is suggested for, from the LA's thresholds (stages 1-3; legal is never suggested).
    suggested_for = dict(zip(STAGE_ORDER, (band["range"] for band in policy.bands()), strict=False))
    return render(request, "cases/stage_guide.html", {
        "stages": [(STAGES[s], suggested_for.get(s)) for s in STAGE_ORDER], "policy": policy})
