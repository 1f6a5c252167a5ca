"""What the attendance pages and the attendance API both read from a request: the period asked for, the FilterSets
over the pupils behind a figure, the LA overview's rows and the penalty-notice threshold list. One place, so a page
and its API answer the same question the same way."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils import timezone

from schools.attendance import freshness, stages
from schools.attendance import selectors as figures
from schools.attendance.filters import (
    GROUP_CHOICES,
    AttendanceOverviewFilterSet,
    AttendancePupilFilterSet,
    PnThresholdFilterSet,
    ThresholdWorklistFilterSet,
)
from schools.common.filters import urn_or_404
from schools.common.kept import kept, kept_key
from schools.common.web import query_date
from schools.models import AttendanceImport, Enrolment, Job, School
from schools.scoping import is_la_user, visibility_key
from schools.selectors import is_large_la


def today() -> datetime.date:
    """The date the figures run to (the local date; tests travel in time through it)."""
    return timezone.localdate()


def request_period(request) -> figures.Period:
    """The period a page or API request asks for: ?period=<key>, or ?start=&end= (YYYY-MM-DD, or the picker's day,
    month and year boxes); the year to date."""
    return figures.resolve_period(request.GET.get("period"), today(), query_date(request.GET, "start"),
                                  query_date(request.GET, "end"), periods=request_periods(request))


def request_periods(request) -> list[figures.Period]:
    """The periods the picker offers, worked out once per request: the period asked for and the picker both need
    them (three queries each time)."""
    periods = getattr(request, "attendance_periods", None)
    if periods is None:
        periods = request.attendance_periods = figures.available_periods(today())
    return periods


def period_query(period) -> str:
    """The query string that asks for this period again (custom dates included), for links between lists."""
    if period.key == "custom":
        return f"start={period.start.isoformat()}&end={period.end.isoformat()}"
    return f"period={period.key}"


def pupil_list_filterset(request, period, enrolments, policy=None) -> AttendancePupilFilterSet:
    """The FilterSet over the pupils behind a figure, shared by the school page, the drill-down and the API."""
    rows = stages.attendance_pupil_list(request.user, period, enrolments, policy)
    return AttendancePupilFilterSet(request.GET, queryset=rows, request=request)


def ordered_by_pupil(rows):
    """Pupil lists read in name order (record number last, so pages never overlap)."""
    return rows.order_by("pupil__legal_last_name", "pupil__legal_first_name", "pk")


def _group(request) -> str:
    group = request.GET.get("group", "school")
    return group if group in dict(GROUP_CHOICES) else "school"


def _overview_key(request, period, group: str, filterset) -> str | None:
    """The key LA staff share for the same overview at a large LA (settings.REPORT_SNAPSHOT_FROM_PUPILS, as the
    report dashboards), kept as schools.common.kept says; None where it is always added up on request. The page says
    when the figures were added up and offers to add them up again. (Adding up 250,000 pupils' summaries by school is
    0.2-0.5 s a view.)"""
    if not is_la_user(request.user) or not is_large_la():
        return None
    narrowing = "|".join(f"{name}={filterset.form.data.get(name) or ''}" for name in sorted(filterset.filters))
    return kept_key("attendance-overview", period.key, period.start, period.end, group, narrowing,
                    freshness.registers_imported_at())


# The filters that pick the pupils behind one of the overview's figures. A name search or a stage filter is not a
# figure (and a stage follows casework as well as registers), so those lists are always counted on request.
FIGURE_FILTERS = frozenset({"show", "school", "phase", "partnership"})


def figure_count(request, period, filterset, rows) -> int | None:
    """How many pupils are behind a figure, kept at a large LA as the overview's figures are (for five minutes, or
    until the next import finishes); None where the list is counted on request. Counting 170,000 persistently absent
    pupils at a 250,000-pupil LA takes 0.2 s a view, the page of rows itself a few ms. The key holds everything the
    rows are drawn from: the page (a school's own list names its school), the pupils the user may see (the LA's or their
    schools), the period and the figure's filters."""
    if not is_large_la() or any(
            filterset.form.data.get(name) for name in filterset.filters if name not in FIGURE_FILTERS):
        return None
    scope = visibility_key(request.user)  # the pupils the user may see
    narrowing = "|".join(f"{name}={filterset.form.data.get(name) or ''}" for name in sorted(FIGURE_FILTERS))
    key = kept_key("attendance-count", request.path, scope, period.key, period.start, period.end, narrowing,
                   freshness.registers_imported_at())
    return kept(key, rows.count)[0]


def overview_data(request, period):
    """(rows by group, overall figures, PA count, SA count, the FilterSet, the group) for the page and the API; with
    ``request.figures_as_at`` the time they were added up when they are kept figures (``_overview_key``)."""
    filterset = AttendanceOverviewFilterSet(request.GET, queryset=figures.visible_enrolments(request.user),
                                            request=request)
    group = _group(request)
    key = _overview_key(request, period, group, filterset)

    def add_up():
        narrowed = filterset.qs if any(filterset.form.data.get(name) for name in filterset.filters) else None
        table = figures.totals_by(request.user, period, group, narrowed)
        # Every enrolment counted is in exactly one row (each has a school; no partnership is a row of its own), so
        # the overall figures are the rows' sums: the LA's summaries are read once, not twice.
        overall = figures.Figures(**{name: sum(getattr(row["total"], name) for row in table)
                                     for name in figures.COUNT_FIELDS})
        return table, overall, sum(row["pa"] for row in table), sum(row["sa"] for row in table), timezone.now()

    # "Add them up again now" (?fresh=1) skips the kept figures and keeps the new ones in their place.
    table, overall, pa, sa, as_at = kept(key, add_up, again=bool(request.GET.get("fresh")))[0] if key else add_up()
    request.figures_as_at = as_at if key else None
    return table, overall, pa, sa, filterset, group


WORKLIST_PAGE_SIZE = 50


def threshold_worklist(request, period):
    """(entries, FilterSet, run) of the penalty-notice threshold worklist: the kept run for the period (made now if
    there is none), narrowed to the pupils the user may see and by the filters, with the pupil's open case, its
    officer and the notices already issued to the family from the higher apps (slot
    ``attendance.threshold_columns``). A school the user may not see answers 404, as on the other lists."""
    from schools.attendance import threshold
    from schools.common import providers
    from schools.models import PnThresholdEntry

    if request.GET.get("school") and not School.objects.visible_to(request.user).filter(
            urn=urn_or_404(request.GET["school"])).exists():
        raise Http404("No such school.")
    run = threshold.run_for(period)
    entries = (PnThresholdEntry.objects.visible_to(request.user).filter(run=run)
               .select_related("pupil", "school", "enrolment"))
    columns = providers.provider("attendance.threshold_columns")
    if columns is not None:
        entries = entries.annotate(**columns(request.user))
    data = request.GET.copy()
    linked = providers.provider("attendance.link_school_ids")
    if "mine" not in data and linked is not None and linked(request.user):
        data["mine"] = "true"  # an officer starts on their own link schools
    filterset = ThresholdWorklistFilterSet(data, queryset=entries, request=request)
    rows = filterset.qs
    if data.get("sort") and rows.query.order_by:
        rows = rows.order_by(*rows.query.order_by, "pk")  # ties in a stable order, so pages never overlap
    else:
        rows = rows.order_by("-window_end", "sort_name", "pk")  # pn_entry_order_idx
    return rows, filterset, run


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
