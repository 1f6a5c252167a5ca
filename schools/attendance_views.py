"""Attendance pages: a pupil's attendance tab, a school's figures, the LA overview, the penalty-notice threshold list
and register imports. Thin: selectors compute, services write, every figure names its period."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from reporting.charts import Point, line_chart
from schools import attendance_selectors as figures
from schools import selectors
from schools.attendance_codes import (
    DEFAULT_STAGE_THRESHOLDS,
    PERSISTENT_ABSENCE_RATE,
    SEVERE_ABSENCE_RATE,
    suggested_stage,
)
from schools.attendance_services import attendance_import_start
from schools.exports import safe_cell
from schools.forms import ImportForm
from schools.models import AttendanceImport, Enrolment, Job, School
from schools.navigation import pupil_tabs
from schools.roles import Capability
from schools.templatetags.attendance import percent
from schools.views import _paginate, capability_required

CATEGORY_CLASSES = {"present": "app-mark--present", "aea": "app-mark--aea", "authorised": "app-mark--authorised",
                    "unauthorised": "app-mark--unauthorised", "not_counted": "app-mark--not-counted"}


def _today() -> datetime.date:
    return timezone.localdate()


def _period(request) -> figures.Period:
    def parse(name):
        try:
            return datetime.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return figures.resolve_period(request.GET.get("period"), _today(), parse("start"), parse("end"))


def _period_context(request, period) -> dict:
    return {"period": period, "periods": figures.available_periods(_today())}


def pupil_attendance(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    period = _period(request)
    enrolments = figures.visible_enrolments(request.user).filter(pupil=pupil).select_related("school")
    rows = figures.pupil_rows(request.user, period, enrolments)
    per_enrolment = [(row, figures.Figures(**{name: getattr(row, name) for name in figures.COUNT_FIELDS}))
                     for row in rows]
    total = figures.totals(request.user, period, enrolments)[0]
    marks = list(figures.marks_in(request.user, period).filter(enrolment__in=enrolments)
                 .order_by("date", "session").values("date", "session", "code", "category"))
    weeks = list(figures.weekly_trend(request.user, period, enrolments))
    chart = line_chart([Point(f"{w['week_start']:%d %b}", (w["attended"] * 100 / w["possible"])
                              if w["possible"] else None) for w in weeks],
                       title=f"Attendance by week, {period.label}", reference=90, reference_label="90%")
    return render(request, "attendance/pupil_attendance.html", {
        "pupil": pupil, "tabs": pupil_tabs(request.user, pupil, active="attendance"),
        "current_enrolment": enrolments.filter(end_date__isnull=True).first(),
        "per_enrolment": per_enrolment, "total": total, "calendar": _calendar(marks), "weeks": weeks,
        "chart": chart, "codes": figures.code_breakdown(request.user, period, enrolments),
        "stage": suggested_stage(total.possible, total.attended), "thresholds": DEFAULT_STAGE_THRESHOLDS,
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


def _school_pupil_rows(request, school, period):
    enrolments = figures.visible_enrolments(request.user).filter(school=school)
    show = request.GET.get("show", "pa")
    rows = figures.pupil_rows(request.user, period, enrolments)
    if show in {"pa", "sa"}:
        rows = figures.at_or_above(rows, PERSISTENT_ABSENCE_RATE if show == "pa" else SEVERE_ABSENCE_RATE)
    return rows.order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk"), show


def school_attendance(request, urn: str):
    school = selectors.school_get(user=request.user, urn=urn)
    period = _period(request)
    enrolments = figures.visible_enrolments(request.user).filter(school=school)
    total, pa, sa = figures.totals(request.user, period, enrolments)
    rows, show = _school_pupil_rows(request, school, period)
    if request.GET.get("format") == "csv":
        return _pupil_rows_csv(rows, period, f"{school.urn}-attendance")
    page, query = _paginate(request, rows)
    return render(request, "attendance/school_attendance.html", {
        "school": school, "total": total, "pa": pa, "sa": sa, "page": page, "query": query, "show": show,
        **_period_context(request, period)})


def _pupil_rows_csv(rows, period, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([f"Period: {period.label}"])
    writer.writerow(["UPN", "Surname", "Forename", "School", "Possible", "Attended", "Authorised", "Unauthorised",
                     "Absence rate"])
    for row in rows.iterator(chunk_size=2000):
        counts = figures.Figures(**{n: getattr(row, n) for n in figures.COUNT_FIELDS})
        writer.writerow([safe_cell(v) for v in (row.pupil.upn, row.pupil.legal_last_name, row.pupil.legal_first_name,
                                                  row.school.name, counts.possible, counts.attended,
                                                  counts.authorised, counts.unauthorised,
                                                  percent(counts.absence_rate))])
    return response


def la_overview(request):
    period = _period(request)
    group = request.GET.get("group", "school")
    if group not in figures.GROUPINGS:
        group = "school"
    table = figures.totals_by(request.user, period, group)
    overall, pa, sa = figures.totals(request.user, period)
    return render(request, "attendance/la_overview.html", {
        "table": table, "overall": overall, "pa": pa, "sa": sa, "group": group, **_period_context(request, period)})


def penalty_notice_list(request):
    period = _period(request)
    school = None
    if request.GET.get("school"):
        school = get_object_or_404(School.objects.visible_to(request.user), urn=request.GET["school"])
    windows = figures.pn_threshold_windows(request.user, period, school)
    listed = Enrolment.objects.visible_to(request.user).filter(pk__in=[w.enrolment_id for w in windows])
    enrolments = {e.pk: e for e in listed.select_related("pupil", "school")}
    rows = [{"window": w, "enrolment": enrolments[w.enrolment_id]} for w in windows]
    detail = None
    if request.GET.get("enrolment"):
        chosen = next((w for w in windows if str(w.enrolment_id) == request.GET["enrolment"]), None)
        if chosen:
            detail = {"window": chosen, "enrolment": enrolments[chosen.enrolment_id],
                      "marks": figures.pn_sessions_in_window(request.user, chosen)}
    return render(request, "attendance/penalty_notice_list.html", {
        "rows": rows, "detail": detail, "school": school, "schools": School.objects.visible_to(request.user),
        **_period_context(request, period)})


@capability_required(Capability.IMPORT_ATTENDANCE)
def import_list(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        started = attendance_import_start(user=request.user, uploaded_file=form.cleaned_data["file"],
                                          kind=form.cleaned_data["kind"], bad_rows=form.cleaned_data["bad_rows"])
        messages.success(request, f"{started.original_name} is being imported.")
        return redirect("attendance_import_detail", pk=started.pk)
    imports = AttendanceImport.objects.select_related("job", "uploaded_by")
    if not request.user.is_la_staff:
        imports = imports.filter(uploaded_by=request.user)
    page, query = _paginate(request, imports)
    return render(request, "attendance/import_list.html", {"form": form, "page": page, "query": query})


def _visible_import(request, pk: int) -> AttendanceImport:
    imports = AttendanceImport.objects.select_related("job")
    if not request.user.is_la_staff:
        imports = imports.filter(uploaded_by=request.user)
    return get_object_or_404(imports, pk=pk)


def import_detail(request, pk: int):
    attendance_import = _visible_import(request, pk)
    return render(request, "attendance/import_detail.html", {"import": attendance_import,
                                                             "job": attendance_import.job,
                                                             "pending": attendance_import.job.status ==
                                                             Job.Status.PENDING})


def import_issues(request, pk: int):
    attendance_import = _visible_import(request, pk)
    if not attendance_import.issues_file:
        raise Http404("This import has no problems to report.")
    response = HttpResponse(attendance_import.issues_file.read(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{attendance_import.pk}.csv"'
    return response
