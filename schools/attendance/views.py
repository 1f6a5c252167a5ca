"""Attendance pages: a pupil's attendance tab, a school's figures, the LA overview and its drill-down, the
penalty-notice threshold list and register imports. Thin: selectors compute, services write, one FilterSet per list
(schools.attendance.filters) serves the page, its CSV/XLSX export (``?format=csv`` or ``xlsx``) and its API, and
every figure names its period."""

from __future__ import annotations

import dataclasses
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from schools import selectors
from schools.attendance import freshness
from schools.attendance import selectors as figures
from schools.attendance.codes import suggested_stage
from schools.attendance.exports import (
    IMPORT_COLUMNS,
    OVERVIEW_COLUMNS,
    PN_COLUMNS,
    PUPIL_COLUMNS,
    Table,
    download,
)
from schools.attendance.filters import (
    GROUP_CHOICES,
    AttendanceImportFilterSet,
)
from schools.attendance.forms import ImportForm
from schools.attendance.lists import (
    figure_count,
    import_outcome_text,
    ordered_by_pupil,
    overview_data,
    period_query,
    pupil_list_filterset,
    request_period,
    request_periods,
    threshold_worklist,
    today,
)
from schools.attendance.selectors import import_list_for, visible_import
from schools.attendance.services import attendance_import_start
from schools.attendance.stages import CASE_STAGE_RANKS, LEGAL_RANK
from schools.audit import record_export, record_view
from schools.common import jobs, providers
from schools.common.charts import Point, line_chart
from schools.common.kept import KEEP_MINUTES
from schools.common.web import (
    capability_required,
    export_format,
    paginate,
    query_without,
    row_url_builder,
    selected_filters,
    sort_headers,
)
from schools.models import CtfReviewItem, Job, School, StagePolicy
from schools.navigation import pupil_tabs
from schools.roles import Capability

CATEGORY_CLASSES = {"present": "app-mark--present", "aea": "app-mark--aea", "authorised": "app-mark--authorised",
                    "unauthorised": "app-mark--unauthorised", "not_counted": "app-mark--not-counted"}


def _period_context(request, period) -> dict:
    return {"period": period, "periods": request_periods(request), "period_query": period_query(period)}


def open_attendance_case(user, pupil):
    """The pupil's open attendance case the user may see, from the cases app (schools.common.providers), or None."""
    find = providers.provider("attendance.open_case")
    return find(user, pupil) if find else None


def stage_check(suggested, case) -> str | None:
    """The same comparison as schools.attendance.stages.stage_check_sql, for one pupil's page."""
    if case is None:
        return "no_case"
    if suggested is None:
        return "no_sessions"
    rank = CASE_STAGE_RANKS.get(case.stage)
    return "agrees" if rank == int(suggested) or (rank == LEGAL_RANK and int(suggested) == 3) else "disagrees"


def pupil_attendance(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=pupil, path=request.path)
    period = request_period(request)
    policy = StagePolicy.current()
    enrolments = figures.visible_enrolments(request.user).filter(pupil=pupil).select_related("school")
    rows = figures.pupil_rows(request.user, period, enrolments)
    per_enrolment = [(row, figures.Figures(**{name: getattr(row, name) for name in figures.COUNT_FIELDS}))
                     for row in rows]
    total = figures.totals(request.user, period, enrolments)[0]
    marks = [dataclasses.asdict(mark) for mark in figures.register(request.user, period, enrolments)]
    weeks = list(figures.weekly_trend(request.user, period, enrolments))
    chart = line_chart([Point(f"{w['week_start']:%d %b}", (w["attended"] * 100 / w["possible"])
                              if w["possible"] else None) for w in weeks],
                       title=f"Attendance by week, {period.label}", reference=90, reference_label="90%")
    stage = suggested_stage(total.possible, total.attended, policy.thresholds())
    case = open_attendance_case(request.user, pupil)
    return render(request, "attendance/pupil_attendance.html", {
        "pupil": pupil, "tabs": pupil_tabs(request.user, pupil, active="attendance"),
        "current_enrolment": enrolments.filter(end_date__isnull=True).first(),
        "per_enrolment": per_enrolment, "total": total, "calendar": _calendar(marks), "weeks": weeks,
        "chart": chart, "codes": figures.code_counts(marks),
        "stage": stage, "policy": policy, "case": case, "stage_check": stage_check(stage, case),
        **_period_context(request, period),
    })


def _calendar(marks: list[dict]) -> list[dict]:
    """Weeks of the register: each week a row of weekdays, each day its AM and PM marks with their category."""
    by_day: dict[datetime.date, dict[int, dict]] = {}
    for mark in marks:
        by_day.setdefault(mark["date"], {})[mark["session"]] = mark
    weeks: dict[datetime.date, list] = {}
    for day in sorted(by_day):
        monday = day - datetime.timedelta(days=day.weekday())
        weeks.setdefault(monday, [None] * 5)[day.weekday()] = {
            "date": day,
            "sessions": [dict(by_day[day].get(s, {}), css=CATEGORY_CLASSES.get(by_day[day].get(s, {}).get("category"),
                                                                                ""))
                         for s in (0, 1)],
        }
    return [{"monday": monday, "days": days} for monday, days in weeks.items()]


def _pupil_list_response(request, filterset, period, *, template, name, extra):
    rows = ordered_by_pupil(filterset.qs)
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type="schools.Enrolment", rows=rows.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=rows)
        return download(Table("Pupils and their attendance", period.label, PUPIL_COLUMNS, rows.iterator(2000)), fmt,
                        name)
    page, query = paginate(request, rows, count=figure_count(request, period, filterset, rows))
    return render(request, template, {
        "filter": filterset, "page": page, "query": query, "show": filterset.form.cleaned_data.get("show") or "pa",
        "export_query": query_without(request), "show_query": query_without(request, "show"),
        **extra, **_period_context(request, period)})


def school_attendance(request, urn: str):
    school = selectors.school_get(user=request.user, urn=urn)
    period = request_period(request)
    enrolments = figures.visible_enrolments(request.user).filter(school=school)
    total, pa, sa = figures.totals(request.user, period, enrolments)
    filterset = pupil_list_filterset(request, period, enrolments)
    [received] = freshness.freshness([school], today())
    return _pupil_list_response(request, filterset, period, template="attendance/school_attendance.html",
                                name=f"{school.urn}-attendance",
                                extra={"school": school, "total": total, "pa": pa, "sa": sa, "received": received,
                                       "stale_after": freshness.STALE_AFTER_SCHOOL_DAYS})


def attendance_pupil_list(request):
    """The LA drill-down: the pupils behind any overview figure, by school, phase or partnership (a school user sees
    their own school's pupils only)."""
    period = request_period(request)
    filterset = pupil_list_filterset(request, period, figures.visible_enrolments(request.user))
    chosen = filterset.form.cleaned_data if filterset.is_valid() else {}
    return _pupil_list_response(request, filterset, period, template="attendance/pupil_list.html",
                                name="attendance-pupils", extra={"chosen": chosen})


def la_overview(request):
    period = request_period(request)
    table, overall, pa, sa, filterset, group = overview_data(request, period)
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type="attendance.overview", rows=len(table), fmt=fmt,
                      path=request.get_full_path())
        return download(Table(f"Attendance {dict(GROUP_CHOICES)[group].lower()}", period.label, OVERVIEW_COLUMNS,
                              table), fmt, f"attendance-by-{group}")
    # An LA's 1,250 schools are 25 pages, not one page of 1.3 MB: the figures are added up in one statement, the
    # rows drawn a page at a time.
    page, page_query = paginate(request, table)
    if group == "school":  # each school's figures rest on its registers: say where they stop short
        by_urn = {f.school.urn: f for f in freshness.freshness(
            School.objects.filter(urn__in=[row["urn"] for row in page if row.get("urn")]), today())}
        for row in page:
            row["freshness"] = by_urn.get(row.get("urn"))
    scope = {name: filterset.form.data.get(name) for name in ("phase", "partnership") if filterset.form.data.get(name)}
    # A school user's page is framed for their school ("Attendance at <school>"), not the authority.
    own_schools = [] if request.user.is_la_staff else list(
        School.objects.visible_to(request.user).order_by("name").values_list("name", flat=True)[:2])
    return render(request, "attendance/la_overview.html", {
        "own_schools": own_schools, "can_import": request.user.can(Capability.IMPORT_ATTENDANCE),
        "stale_after": freshness.STALE_AFTER_SCHOOL_DAYS,
        "table": table, "page": page, "query": page_query, "overall": overall, "pa": pa, "sa": sa, "group": group,
        "filter": filterset, "figures_as_at": request.figures_as_at, "figures_kept_minutes": KEEP_MINUTES,
        "scope_query": "&".join(f"{k}={v}" for k, v in scope.items()), "export_query": query_without(request),
        **_period_context(request, period)})


# The worklist's sortable columns (ThresholdWorklistFilterSet's ``sort``).
THRESHOLD_SORTS = [("name", "Pupil"), ("school", "School"), ("sessions", "Sessions"), ("met", "Met by"),
                   ("last_action", "Last action")]


def _threshold_window(entry, run) -> figures.PnWindow:
    return figures.PnWindow(entry.enrolment_id, entry.sessions, entry.window_start, entry.window_end, run.end)


def _officer_names(entries) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    ids = {getattr(entry, "case_officer_id", None) for entry in entries} - {None}
    return {user.pk: user.display_name for user in get_user_model().objects.filter(pk__in=ids)}


def penalty_notice_list(request):
    """The penalty-notice threshold worklist: the pupils who met it in the period, with their case, the notices
    already issued and the last action, and the next action on each row (schools.attendance.threshold)."""
    period = request_period(request)
    rows, filterset, run = threshold_worklist(request, period)
    fmt = export_format(request)
    if fmt:
        entries = list(rows)
        sessions = figures.pn_sessions_for(request.user, [_threshold_window(e, run) for e in entries])
        officers = _officer_names(entries)
        record_export(user=request.user, object_type="attendance.pn_threshold", rows=len(entries), fmt=fmt,
                      path=request.get_full_path(), pupils=[e.pupil_id for e in entries])
        return download(Table("Penalty notice threshold", period.label, PN_COLUMNS,
                              [{"entry": e, "sessions": sessions[e.enrolment_id],
                                "officer": officers.get(getattr(e, "case_officer_id", None), "")} for e in entries]),
                        fmt, "penalty-notice-threshold")
    page, query = paginate(request, rows)
    officers = _officer_names(page.object_list)
    links = _threshold_row_links(request)
    for entry in page.object_list:
        entry.officer_name = officers.get(getattr(entry, "case_officer_id", None), "")
        entry.actioned = bool(entry.last_action_on and entry.last_action_on >= entry.window_start)
        entry.links = links(entry)
        entry.full_name = f"{entry.pupil.legal_first_name} {entry.pupil.legal_last_name}"
    detail = None
    if request.GET.get("enrolment"):
        chosen = next((e for e in page.object_list if str(e.enrolment_id) == request.GET["enrolment"]), None)
        if chosen:
            detail = {"entry": chosen,
                      "marks": figures.pn_sessions_in_window(request.user, _threshold_window(chosen, run))}
    school = filterset.form.cleaned_data.get("school") if filterset.is_valid() else None
    return render(request, "attendance/penalty_notice_list.html", {
        "page": page, "query": query, "detail": detail, "school": school, "filter": filterset, "run": run,
        "headers": sort_headers(request, THRESHOLD_SORTS),
        "selected_filters": selected_filters(filterset),
        "list_query": query_without(request, "enrolment"), "export_query": query_without(request, "enrolment"),
        "can_send_letters": request.user.can(Capability.WORK_LEGAL),
        "can_issue": request.user.can(Capability.WORK_LEGAL),
        "can_open_case": request.user.can(Capability.WORK_CASES),
        "can_request": request.user.can(Capability.REQUEST_PENALTY_NOTICE),
        **_period_context(request, period)})


def _threshold_row_links(request):
    """Each worklist row's links, the URL patterns reversed once per page rather than five times a row."""
    back = urlencode({"next": request.get_full_path()})
    pupil, case, entry_add = (row_url_builder(name) for name in ("pupil_attendance", "cases:detail",
                                                                  "cases:entry_add"))
    letter, notice, notice_request = (row_url_builder(name) for name in (
        "legal:letter_pupil", "legal:notice_add_pupil", "legal:request_create"))
    open_case = reverse("cases:open")

    def links(entry) -> dict:
        return {"pupil": pupil(entry.pupil_id), "case": case(entry.case_pk) if entry.case_pk else "",
                "contact": f"{entry_add(entry.case_pk)}?type=call&{back}" if entry.case_pk else "",
                "open_case": f"{open_case}?pupil={entry.pupil_id}", "letter": f"{letter(entry.pupil_id)}?{back}",
                "notice": notice(entry.pupil_id), "request": notice_request(entry.pupil_id)}

    return links


@capability_required(Capability.IMPORT_ATTENDANCE)
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = attendance_import_start(user=request.user, uploaded_file=form.cleaned_data["file"],
                                          kind=form.cleaned_data["kind"], bad_rows=form.cleaned_data["bad_rows"])
        messages.success(request, f"{started.original_name} is being imported.")
        return redirect("attendance_import_detail", pk=started.pk)
    filterset = AttendanceImportFilterSet(request.GET, queryset=import_list_for(request.user), request=request)
    imports = filterset.qs.order_by("-pk")
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type="schools.AttendanceImport", rows=imports.count(), fmt=fmt,
                      path=request.get_full_path())
        return download(Table("Register imports", None, IMPORT_COLUMNS, imports.iterator(2000)), fmt,
                        "register-imports")
    page, query = paginate(request, imports)
    return render(request, "attendance/import_list.html", {
        "form": form, "page": page, "query": query, "filter": filterset, "export_query": query_without(request)})


def import_detail(request, pk: int):
    attendance_import = visible_import(request.user, pk)
    if attendance_import.job.status == Job.Status.RUNNING and jobs.jobs_fail_stale(
            job_ids=[attendance_import.job_id]):
        attendance_import.job.refresh_from_db()  # its worker died: say so now rather than at the next sweep
    held = (CtfReviewItem.objects.visible_to(request.user).filter(attendance_import=attendance_import)
            .exclude(status=CtfReviewItem.Status.SUPERSEDED).select_related("school").order_by("position"))
    return render(request, "attendance/import_detail.html", {
        "import": attendance_import, "job": attendance_import.job, "held": held,
        "outcome": import_outcome_text(attendance_import)})


def import_issues(request, pk: int):
    attendance_import = visible_import(request.user, pk)
    if not attendance_import.issues_file:
        raise Http404("This import has no problems to report.")
    response = HttpResponse(attendance_import.issues_file.read(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{attendance_import.pk}.csv"'
    return response
