"""Attendance pages: a pupil's attendance tab, a school's figures, the LA overview and its drill-down, the
penalty-notice threshold list and register imports. Thin: selectors compute, services write, one FilterSet per list
(schools.attendance.filters) serves the page, its CSV/XLSX export (``?format=csv`` or ``xlsx``) and its API, and
every figure names its period."""

from __future__ import annotations

import dataclasses
import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from schools import selectors, services
from schools.attendance import selectors as figures
from schools.attendance.codes import suggested_stage
from schools.attendance.exports import (
    FORMATS,
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
    AttendanceOverviewFilterSet,
    AttendancePupilFilterSet,
    PnThresholdFilterSet,
)
from schools.attendance.services import attendance_import_start
from schools.attendance.stages import ATTENDANCE_CASE_TYPES, CASE_STAGE_RANKS, LEGAL_RANK
from schools.audit import record_view
from schools.common.charts import Point, line_chart
from schools.filters import urn_or_404
from schools.forms import ImportForm
from schools.models import AttendanceImport, AuditEvent, CtfReviewItem, Enrolment, Job, School, StagePolicy
from schools.navigation import pupil_tabs
from schools.roles import Capability
from schools.views import _paginate, capability_required

CATEGORY_CLASSES = {"present": "app-mark--present", "aea": "app-mark--aea", "authorised": "app-mark--authorised",
                    "unauthorised": "app-mark--unauthorised", "not_counted": "app-mark--not-counted"}


def _today() -> datetime.date:
    return timezone.localdate()


def request_period(request) -> figures.Period:
    """The period a page or API request asks for: ?period=<key>, or ?start=&end= (YYYY-MM-DD); the year to date."""
    def parse(name):
        try:
            return datetime.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return figures.resolve_period(request.GET.get("period"), _today(), parse("start"), parse("end"))


_period = request_period


def period_query(period) -> str:
    """The query string that asks for this period again (custom dates included), for links between lists."""
    if period.key == "custom":
        return f"start={period.start.isoformat()}&end={period.end.isoformat()}"
    return f"period={period.key}"


def _period_context(request, period) -> dict:
    return {"period": period, "periods": figures.available_periods(_today()), "period_query": period_query(period)}


def _export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in FORMATS else None


def _audit_export(request, object_type: str, count: int, fmt: str) -> None:
    AuditEvent.objects.create(user=request.user, username=request.user.username, action=AuditEvent.Action.EXPORT,
                              object_type=object_type, object_id="list", object_repr=f"{count} rows ({fmt})",
                              path=request.get_full_path()[:300])


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in ("page", "format", *names):
        query.pop(name, None)
    return query.urlencode()


def open_attendance_case(user, pupil):
    """The pupil's open attendance case the user may see (the higher stage if two are open), or None."""
    from cases.models import Case

    return (Case.objects.visible_to(user).open().filter(pupil=pupil, case_type__in=ATTENDANCE_CASE_TYPES)
            .order_by("-stage", "-pk").first())


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
    period = _period(request)
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


def pupil_list_filterset(request, period, enrolments, policy=None) -> AttendancePupilFilterSet:
    """The FilterSet over the pupils behind a figure, shared by the school page, the drill-down and the API."""
    rows = figures.attendance_pupil_list(request.user, period, enrolments, policy)
    return AttendancePupilFilterSet(request.GET, queryset=rows, request=request)


def _ordered(rows):
    return rows.order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")


def _pupil_list_response(request, filterset, period, *, template, name, extra):
    rows = _ordered(filterset.qs)
    fmt = _export_format(request)
    if fmt:
        _audit_export(request, "schools.Enrolment", rows.count(), fmt)
        return download(Table("Pupils and their attendance", period.label, PUPIL_COLUMNS, rows.iterator(2000)), fmt,
                        name)
    page, query = _paginate(request, rows)
    return render(request, template, {
        "filter": filterset, "page": page, "query": query, "show": filterset.form.cleaned_data.get("show") or "pa",
        "export_query": _query_without(request), "show_query": _query_without(request, "show"),
        **extra, **_period_context(request, period)})


def school_attendance(request, urn: str):
    school = selectors.school_get(user=request.user, urn=urn)
    period = _period(request)
    enrolments = figures.visible_enrolments(request.user).filter(school=school)
    total, pa, sa = figures.totals(request.user, period, enrolments)
    filterset = pupil_list_filterset(request, period, enrolments)
    return _pupil_list_response(request, filterset, period, template="attendance/school_attendance.html",
                                name=f"{school.urn}-attendance",
                                extra={"school": school, "total": total, "pa": pa, "sa": sa})


def attendance_pupil_list(request):
    """The LA drill-down: the pupils behind any overview figure, by school, phase or partnership (a school user sees
    their own school's pupils only)."""
    period = _period(request)
    filterset = pupil_list_filterset(request, period, figures.visible_enrolments(request.user))
    chosen = filterset.form.cleaned_data if filterset.is_valid() else {}
    return _pupil_list_response(request, filterset, period, template="attendance/pupil_list.html",
                                name="attendance-pupils", extra={"chosen": chosen})


def _group(request) -> str:
    group = request.GET.get("group", "school")
    return group if group in dict(GROUP_CHOICES) else "school"


def overview_data(request, period):
    """(rows by group, overall figures, PA count, SA count, the FilterSet, the group) for the page and the API."""
    filterset = AttendanceOverviewFilterSet(request.GET, queryset=figures.visible_enrolments(request.user),
                                            request=request)
    group = _group(request)
    narrowed = filterset.qs if any(filterset.form.data.get(name) for name in filterset.filters) else None
    table = figures.totals_by(request.user, period, group, narrowed)
    overall, pa, sa = figures.totals(request.user, period, narrowed)
    return table, overall, pa, sa, filterset, group


def la_overview(request):
    period = _period(request)
    table, overall, pa, sa, filterset, group = overview_data(request, period)
    fmt = _export_format(request)
    if fmt:
        _audit_export(request, "attendance.overview", len(table), fmt)
        return download(Table(f"Attendance {dict(GROUP_CHOICES)[group].lower()}", period.label, OVERVIEW_COLUMNS,
                              table), fmt, f"attendance-by-{group}")
    scope = {name: filterset.form.data.get(name) for name in ("phase", "partnership") if filterset.form.data.get(name)}
    return render(request, "attendance/la_overview.html", {
        "table": table, "overall": overall, "pa": pa, "sa": sa, "group": group, "filter": filterset,
        "scope_query": "&".join(f"{k}={v}" for k, v in scope.items()), "export_query": _query_without(request),
        **_period_context(request, period)})


def pn_rows(request, period):
    """(rows, FilterSet) of the penalty-notice threshold list: each pupil's first window and its sessions."""
    if request.GET.get("school") and not School.objects.visible_to(request.user).filter(
            urn=urn_or_404(request.GET["school"])).exists():
        raise Http404("No such school.")
    filterset = PnThresholdFilterSet(request.GET, queryset=figures.visible_enrolments(request.user), request=request)
    windows = figures.pn_threshold_windows(request.user, period, enrolments=filterset.qs)
    listed = Enrolment.objects.visible_to(request.user).filter(pk__in=[w.enrolment_id for w in windows])
    enrolments = {e.pk: e for e in listed.select_related("pupil", "school")}
    return [{"window": w, "enrolment": enrolments[w.enrolment_id]} for w in windows], filterset


def penalty_notice_list(request):
    period = _period(request)
    rows, filterset = pn_rows(request, period)
    fmt = _export_format(request)
    if fmt:
        sessions = figures.pn_sessions_for(request.user, [row["window"] for row in rows])
        _audit_export(request, "attendance.pn_threshold", len(rows), fmt)
        return download(Table("Penalty notice threshold", period.label, PN_COLUMNS,
                              [{**row, "sessions": sessions[row["window"].enrolment_id]} for row in rows]), fmt,
                        "penalty-notice-threshold")
    detail = None
    if request.GET.get("enrolment"):
        chosen = next((row for row in rows if str(row["window"].enrolment_id) == request.GET["enrolment"]), None)
        if chosen:
            detail = {**chosen, "marks": figures.pn_sessions_in_window(request.user, chosen["window"])}
    school = None
    if filterset.is_valid():
        school = filterset.form.cleaned_data.get("school")
    return render(request, "attendance/penalty_notice_list.html", {
        "rows": rows, "detail": detail, "school": school, "filter": filterset,
        "list_query": _query_without(request, "enrolment"), "export_query": _query_without(request, "enrolment"),
        **_period_context(request, period)})


def import_list_for(user):
    """Imports the user may see (LA staff: all; others: their own uploads), with pupils still waiting for review."""
    imports = AttendanceImport.objects.select_related("job", "uploaded_by").annotate(
        held_pending=Count("review_items", filter=Q(review_items__status=CtfReviewItem.Status.PENDING)),
        held_total=Count("review_items", filter=~Q(review_items__status=CtfReviewItem.Status.SUPERSEDED)))
    if not user.is_la_staff:
        imports = imports.filter(uploaded_by=user)
    return imports


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
    fmt = _export_format(request)
    if fmt:
        _audit_export(request, "schools.AttendanceImport", imports.count(), fmt)
        return download(Table("Register imports", None, IMPORT_COLUMNS, imports.iterator(2000)), fmt,
                        "register-imports")
    page, query = _paginate(request, imports)
    return render(request, "attendance/import_list.html", {
        "form": form, "page": page, "query": query, "filter": filterset, "export_query": _query_without(request)})


def visible_import(user, pk: int) -> AttendanceImport:
    return get_object_or_404(import_list_for(user), pk=pk)


def _visible_import(request, pk: int) -> AttendanceImport:
    return visible_import(request.user, pk)


def import_outcome_text(attendance_import: AttendanceImport) -> str:
    """In words: what the uploader chose for bad rows and what that did to this file."""
    job = attendance_import.job
    if not job.is_finished:
        choice = ("its good rows will be imported and any bad ones reported"
                  if attendance_import.bad_rows == AttendanceImport.BadRows.KEEP_GOOD
                  else "nothing will be imported if any row is bad")
        return f"You chose that {choice}."
    if attendance_import.bad_rows == AttendanceImport.BadRows.KEEP_GOOD:
        if attendance_import.rows_rejected:
            return (f"You chose to import the good rows and report the bad ones: {attendance_import.rows_rejected:,} "
                    f"bad row{'s' if attendance_import.rows_rejected != 1 else ''} were left out (see the error "
                    f"report) and every other row was imported.")
        return "You chose to import the good rows and report the bad ones: no row had a problem, so all were imported."
    if job.status == Job.Status.FAILED and attendance_import.rows_rejected:
        return (f"You chose to import nothing if any row is bad: {attendance_import.rows_rejected:,} "
                f"row{'s' if attendance_import.rows_rejected != 1 else ''} had problems, so nothing from this file "
                f"was imported. Fix the rows in the error report and upload the whole file again.")
    if job.status == Job.Status.FAILED:
        return "The import stopped with an error, so nothing from this file was imported."
    return "You chose to import nothing if any row is bad: no row had a problem, so the whole file was imported."


def import_detail(request, pk: int):
    attendance_import = _visible_import(request, pk)
    if attendance_import.job.status == Job.Status.RUNNING and services.jobs_fail_stale(
            job_ids=[attendance_import.job_id]):
        attendance_import.job.refresh_from_db()  # its worker died: say so now rather than at the next sweep
    held = (CtfReviewItem.objects.visible_to(request.user).filter(attendance_import=attendance_import)
            .exclude(status=CtfReviewItem.Status.SUPERSEDED).select_related("school").order_by("position"))
    return render(request, "attendance/import_detail.html", {
        "import": attendance_import, "job": attendance_import.job, "held": held,
        "outcome": import_outcome_text(attendance_import)})


def import_issues(request, pk: int):
    attendance_import = _visible_import(request, pk)
    if not attendance_import.issues_file:
        raise Http404("This import has no problems to report.")
    response = HttpResponse(attendance_import.issues_file.read(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{attendance_import.pk}.csv"'
    return response
