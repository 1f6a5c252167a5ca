"""Reporting pages: the dashboard and its sections (managers LA-wide, officers their schools, school users their own
school), the drill-down lists behind the figures, every table as CSV/XLSX, the termly reports (ask for one, follow
its progress, download past ones) and the glossary. Thin: selectors count, presentation lays out, services write.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from reporting import definitions, exports, presentation, services, snapshots
from reporting import selectors as s
from reporting.filters import DrillExclusionFilterSet, DrillPupilFilterSet, ReportRunFilterSet
from reporting.forms import ReportRequestForm
from reporting.models import ReportRun
from schools.attendance import selectors as attendance
from schools.attendance.exports import PUPIL_COLUMNS, Table, download
from schools.attendance.freshness import STALE_AFTER_SCHOOL_DAYS
from schools.audit import record_export
from schools.common.web import (
    apply_form_errors,
    capability_required,
    export_format,
    paginate,
    query_date,
    query_without,
)
from schools.exclusions.selectors import soon_limit
from schools.exclusions.selectors import today as exclusion_today
from schools.exclusions.tables import exclusion_table, export_response
from schools.models import Job
from schools.roles import Capability

SECTION_TITLES = {"attendance": "Attendance and absence", "exclusions": "Suspensions and permanent exclusions",
                  "legal": "Legal interventions", "casework": "Casework", "provision": "Provision",
                  "traded": "Traded services income"}
# Each section's address under /reports/ (presentation.SECTION_SLUGS); the inverse finds the section.
SECTIONS_BY_SLUG = {slug: key for key, slug in presentation.SECTION_SLUGS.items()}


def _suppress(request) -> bool:
    return request.GET.get("suppress") in ("1", "true", "on")


def _sections_for(user) -> list[tuple[str, str, str]]:
    """(key, address slug, title) of the sections the user may read."""
    return [(key, presentation.SECTION_SLUGS[key], title) for key, title in SECTION_TITLES.items()
            if key != "traded" or user.can(Capability.INVOICE_TRADED)]


def _context(request, scope: s.Scope, period: s.ReportPeriod, **extra) -> dict:
    query = {"period": period.key, **scope.query}
    if _suppress(request):
        query["suppress"] = "1"
    from urllib.parse import urlencode

    return {"scope": scope, "period": period, "periods": s.period_options(), "choices": s.scope_choices(request.user),
            "suppress": _suppress(request), "query": query, "query_string": urlencode(query),
            "sections": _sections_for(request.user), "by_key": definitions.BY_KEY,
            # Figures resting on schools whose registers are behind say so (the dashboards, not the drill-downs).
            "stale_schools": s.stale_schools_in(scope) if "report" in extra else [],
            "stale_after": STALE_AFTER_SCHOOL_DAYS,
            "figures_as_at": getattr(request, "figures_as_at", None),
            "figures_stale_since": getattr(request, "figures_stale_since", None),
            "figures_kept_minutes": getattr(request, "figures_kept_minutes", None), **extra}


def _request_report(request, sections, *, summary: bool = False):
    """(scope, period, report) for the request; the figures kept for LA staff when adding them up is slow
    (reporting.snapshots), with the time they were added up in ``request.figures_as_at``."""
    scope = s.scope_from_request(request)
    period = s.report_period_for(request.GET.get("period"))
    figures = snapshots.report_figures_for(scope, period, sections=sections, summary=summary)
    request.figures_as_at, request.figures_stale_since = figures.as_at, figures.stale_since
    request.figures_kept_minutes = figures.kept_minutes
    return scope, period, figures.report


def _no_term_dates(request):
    return render(request, "reporting/no_term_dates.html", {"sections": _sections_for(request.user)})


def handles_missing_term_dates(view):
    """A service with no term dates yet has nothing to report: say so rather than fail."""
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except s.NoTermDates:
            return _no_term_dates(request)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@capability_required(Capability.VIEW_REPORTS)
@handles_missing_term_dates
def dashboard(request):
    """Headline cards for every section, with their comparators and the main chart of each."""
    scope, period, report = _request_report(request, ["attendance", "exclusions", "legal", "casework", "provision"],
                                            summary=True)
    links = presentation.Links(period, scope)
    return render(request, "reporting/dashboard.html", _context(
        request, scope, period, report=report, cards=presentation.headline_cards(report, links),
        charts=presentation.charts_for(report, _suppress(request))))


@capability_required(Capability.VIEW_REPORTS)
@handles_missing_term_dates
def section(request, slug: str):
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    if section == "traded" and not request.user.can(Capability.INVOICE_TRADED):
        raise PermissionDenied
    scope, period, report = _request_report(request, [section])
    links = presentation.Links(period, scope)
    return render(request, "reporting/section.html", _context(
        request, scope, period, report=report, section=section, title=SECTION_TITLES[section],
        tables=presentation.tables_for(report, section, links),
        charts=presentation.charts_for(report, _suppress(request))))


@capability_required(Capability.VIEW_REPORTS)
@handles_missing_term_dates
def table_export(request, table: str):
    """One dashboard table as CSV or XLSX: the same figures (and suppression) as the page, headed by its period."""
    section = presentation.table_section(table)
    if section is None or (section == "traded" and not request.user.can(Capability.INVOICE_TRADED)):
        raise Http404
    scope, period, report = _request_report(request, [section])
    found = next((t for t in presentation.tables_for(report, section, None) if t.key == table), None)
    if found is None:
        raise Http404
    fmt = export_format(request) or "csv"
    record_export(user=request.user, object_type=f"reporting.{table}", rows=len(found.rows), fmt=fmt,
                      path=request.get_full_path())
    return exports.table_download(found, period=period, scope=scope, fmt=fmt, suppress=_suppress(request))


def _audit_list_view(request, object_type: str, count: int) -> None:
    """A drill-down list names pupils: who opened which one is recorded, as for any pupil-identifying page."""
    from schools.models import AuditEvent

    AuditEvent.objects.create(user=request.user, username=request.user.username, action=AuditEvent.Action.VIEW,
                              object_type=object_type, object_id="list", object_repr=f"{count} rows",
                              path=request.get_full_path()[:300])


def _attendance_period_query(period: s.ReportPeriod) -> str:
    """How the attendance pages ask for the same period (its key where they offer it, else its dates)."""
    keys = {p.key for p in attendance.available_periods(s.today())}
    if period.key in keys:
        return f"period={period.key}"
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


@capability_required(Capability.VIEW_REPORTS)
@handles_missing_term_dates
def pupils(request):
    """The pupils behind an attendance figure: the figure's scope, period and pupil group, then the attendance
    list's own filters. Exports are audited like the attendance lists'."""
    scope = s.scope_from_request(request)
    period = s.report_period_for(request.GET.get("period"))
    dimension, group = request.GET.get("dimension", ""), request.GET.get("group", "")
    rows = s.drill_enrolments(scope, period.current, dimension=dimension, group=group)
    filterset = DrillPupilFilterSet(request.GET, queryset=rows, request=request)
    ordered = filterset.qs.order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type="schools.Enrolment", rows=ordered.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=ordered)
        return download(Table("Pupils behind the figure", period.label, PUPIL_COLUMNS, ordered.iterator(2000)), fmt,
                        "report-pupils")
    page, query = paginate(request, ordered)
    _audit_list_view(request, "schools.Enrolment", page.paginator.count)
    group_label = s.DIMENSIONS[dimension].labels.get(group, "") if dimension in s.DIMENSIONS else ""
    return render(request, "reporting/pupils.html", _context(
        request, scope, period, filter=filterset, page=page, pagination_query=query, show_school=True,
        export_query=query_without(request), period_query=_attendance_period_query(period),
        dimension=s.DIMENSIONS.get(dimension), group_label=group_label,
        show=filterset.form.cleaned_data.get("show") if filterset.is_valid() else "pa"))


def _dates(request, period: s.ReportPeriod):
    start, end = query_date(request.GET, "start"), query_date(request.GET, "end")
    if start is None or end is None:
        return period.start, period.end
    return (start, end) if start <= end else (end, start)


@capability_required(Capability.VIEW_REPORTS)
@handles_missing_term_dates
def exclusions(request):
    """The exclusions behind an exclusion figure (phase or pupil group, or a year of the trend), with the exclusion
    list's columns, CSV and XLSX."""
    scope = s.scope_from_request(request)
    period = s.report_period_for(request.GET.get("period"))
    start, end = _dates(request, period)
    dimension, group = request.GET.get("dimension", ""), request.GET.get("group", "")
    rows = s.drill_exclusions(scope, start, end, dimension=dimension, group=group)
    filterset = DrillExclusionFilterSet(request.GET, queryset=rows, request=request)
    on = exclusion_today()
    table = exclusion_table({"today": on, "soon": soon_limit(on)})
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type="schools.Exclusion", rows=filterset.qs.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=filterset.qs)
        return export_response(table, filterset.qs, fmt=fmt, filename="report-exclusions")
    page, query = paginate(request, filterset.qs)
    _audit_list_view(request, "schools.Exclusion", page.paginator.count)
    group_label = s.DIMENSIONS[dimension].labels.get(group, "") if dimension in s.DIMENSIONS else ""
    return render(request, "reporting/exclusions.html", _context(
        request, scope, period, filter=filterset, page=page, pagination_query=query, table=table,
        rows=table.rows(page.object_list), start=start, end=end, export_query=query_without(request),
        dimension=s.DIMENSIONS.get(dimension), group_label=group_label))


# --- Termly reports -------------------------------------------------------------------------------------------------


def _can_make_reports(user) -> bool:
    return user.can(Capability.GENERATE_LA_REPORTS) or user.can(Capability.GENERATE_SCHOOL_REPORTS)


def _runs(user):
    return ReportRun.objects.visible_to(user).select_related("job", "term__academic_year", "school", "partnership",
                                                             "requested_by")


@capability_required(Capability.VIEW_REPORTS)
def report_list(request):
    filterset = ReportRunFilterSet(request.GET, queryset=_runs(request.user), request=request)
    page, query = paginate(request, filterset.qs)
    form = ReportRequestForm(user=request.user) if _can_make_reports(request.user) else None
    return render(request, "reporting/report_list.html", {"page": page, "pagination_query": query, "form": form,
                                                          "filter": filterset})


@require_POST
@capability_required(Capability.VIEW_REPORTS)
def report_create(request):
    if not _can_make_reports(request.user):
        raise PermissionDenied
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            run = services.report_request(user=request.user, term=form.cleaned_data["term"],
                                          suppress_small_numbers=form.cleaned_data["suppress_small_numbers"],
                                          internal=form.cleaned_data["internal"],
                                          **form.scope_objects())
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The report is being made. This page shows how far it has got.")
            return redirect("reporting:report_detail", pk=run.pk)
    page, query = paginate(request, _runs(request.user))
    return render(request, "reporting/report_list.html", {"page": page, "pagination_query": query, "form": form,
                                                          "filter": ReportRunFilterSet(None, queryset=_runs(
                                                              request.user), request=request)}, status=400)


@capability_required(Capability.VIEW_REPORTS)
def report_detail(request, pk: int):
    """The report's progress. While the job runs, static/js/init.js follows it through the API's copy of the run
    (api-report-run-detail: status and progress), naming each status as the page does, and reloads the page once the
    job has finished."""
    run = get_object_or_404(_runs(request.user), pk=pk)
    return render(request, "reporting/report_detail.html", {
        "run": run, "job": run.job, "job_status_labels": json.dumps(dict(Job.Status.choices))})


@capability_required(Capability.VIEW_REPORTS)
def report_download(request, pk: int):
    run = get_object_or_404(_runs(request.user), pk=pk)
    if not run.file:
        raise Http404
    from schools.audit import record_view
    from schools.models import AuditEvent

    record_view(user=request.user, instance=run, action=AuditEvent.Action.EXPORT, path=request.path)
    return FileResponse(run.file.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=run.filename)


@capability_required(Capability.VIEW_REPORTS)
def glossary(request):
    from reporting.models import NationalFigure

    return render(request, "reporting/glossary.html", {
        "definitions": definitions.by_section(),
        "national": NationalFigure.objects.order_by("measure", "phase", "-academic_year", "term"),
    })
