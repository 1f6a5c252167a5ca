"""Pages for exclusions and provision. Thin: selectors read (scoped), services write, FilterSets filter, and the
column definitions in schools.exclusions.tables draw each list and its CSV/XLSX export."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from schools import selectors
from schools.audit import record_export, record_view
from schools.common.web import FORMATS, apply_form_errors, capability_required, form_page, paginate
from schools.exclusions import rules, services, tables
from schools.exclusions import selectors as sel
from schools.exclusions.filters import (
    APProviderFilterSet,
    ChildNotInSchoolFilterSet,
    CMEFilterSet,
    ExclusionFilterSet,
    ExclusionReminderFilterSet,
    FairAccessFilterSet,
    ManagedMoveFilterSet,
    PartTimeTimetableFilterSet,
    PlacementFilterSet,
)
from schools.exclusions.forms import (
    APProviderForm,
    ChildNotInSchoolForm,
    CMECloseForm,
    CMEEnquiryForm,
    CMERecordForm,
    ExclusionCancelForm,
    ExclusionEditForm,
    ExclusionForm,
    ExclusionReviewForm,
    FairAccessAllocateForm,
    FairAccessForm,
    ManagedMoveForm,
    ManagedMoveOutcomeForm,
    PartTimeReviewForm,
    PartTimeTimetableForm,
    PlacementEndForm,
    PlacementForm,
    ReintegrationForm,
)
from schools.models import Exclusion, ManagedMove, Placement, School
from schools.navigation import pupil_tabs
from schools.roles import Capability


def _area_nav(request) -> list[tuple[str, str, bool]]:
    """Sub-navigation across the exclusions and provision lists (LA registers for LA roles only)."""
    items = [("Exclusions", "exclusion_list"), ("Reminders", "exclusion_reminders"), ("Day 6", "day6_dashboard"),
             ("Placements", "placement_list"), ("Part-time timetables", "part_time_list"),
             ("Managed moves", "managed_move_list")]
    if request.user.can(Capability.SEND_ROLL_NOTIFICATIONS):
        items.append(("Roll notices", "roll:list"))  # admissions and deletions (schools.roll)
    if request.user.can(Capability.VIEW_LA_REGISTERS):
        items += [("Alternative provision", "ap_provider_list"), ("Fair Access", "fair_access_list"),
                  ("Children missing education", "cme_list"), ("Elective home education", "ehe_list")]
        if services.cnis_enabled():
            items.append(("Children not in school", "cnis_list"))
    current = request.resolver_match.url_name if request.resolver_match else ""
    return [(label, reverse(name), name == current) for label, name in items]


def _context(**extra) -> dict:
    today = sel.today()
    return {"today": today, "soon": sel.soon_limit(today), **extra}


def _register(request, *, filterset, table: tables.Table, title: str, filename: str, intro: str = "",
              actions=(), model_label: str, rows_for_page=None, pupil_path: str | None = "pupil_id"):
    """A filtered, paginated list drawn from its column definitions; ``?export=csv|xlsx`` downloads the same rows
    (audited with every pupil they name, through ``pupil_path``; None for a list naming no pupil)."""
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        if not request.user.can(Capability.EXPORT_PUPILS):
            raise PermissionDenied
        objects = list(filterset.qs)
        if rows_for_page:
            rows_for_page(objects)
        record_export(user=request.user, object_type=model_label, rows=len(objects), fmt=fmt,
                      path=request.get_full_path(), pupils=filterset.qs if pupil_path else None,
                      pupil_path=pupil_path or "")
        return tables.export_response(table, objects, fmt=fmt, filename=filename)
    page, query = paginate(request, filterset.qs)
    query_without_export = "&".join(p for p in query.split("&") if p and not p.startswith("export="))
    if rows_for_page:
        rows_for_page(list(page.object_list))
    return render(request, "provision/register.html", {
        "title": title, "intro": intro, "filter": filterset, "page": page, "query": query_without_export,
        "headers": table.headers, "rows": table.rows(page.object_list), "actions": actions,
        "can_export": request.user.can(Capability.EXPORT_PUPILS), "area_nav": _area_nav(request),
    })




def _save(request, form, write, success: str, redirect_to):
    """Run a service with the form's data; a ValidationError goes back to the fields it names."""
    try:
        result = write(form.cleaned_data)
    except ValidationError as error:
        apply_form_errors(form, error)
        return None
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


# ---------------------------------------------------------------------------------------------------------------
# Exclusions


def exclusion_list(request):
    filterset = ExclusionFilterSet(request.GET or None, queryset=sel.exclusion_list(user=request.user),
                                   request=request)
    return _register(request, filterset=filterset, table=tables.exclusion_table(_context()), title="Exclusions",
                     filename="exclusions", model_label="schools.Exclusion",
                     intro="Suspensions, permanent and lunchtime exclusions, with the deadlines each sets, counted "
                           "in school days of the excluding school's calendar. To record one, open the pupil's "
                           "record and choose Exclusions.",
                     actions=[("Day-6 provision", reverse("day6_dashboard")),
                              ("Reminders", reverse("exclusion_reminders"))])


def _deadline_rows(exclusion: Exclusion, context) -> list[dict]:
    rows = []
    for deadline in exclusion.deadlines():
        label, colour = tables.status_tag(deadline, context)
        rows.append({"deadline": deadline, "status": label, "colour": colour})
    return rows


def exclusion_detail(request, pk: int):
    exclusion = sel.exclusion_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=exclusion, path=request.path)
    context = _context()
    can_record = request.user.can(Capability.RECORD_EXCLUSIONS)
    run = sel.exclusion_run(user=request.user, exclusion=exclusion)
    return render(request, "exclusions/exclusion_detail.html", {
        "exclusion": exclusion, "pupil": exclusion.pupil, "deadlines": _deadline_rows(exclusion, context),
        "placements": sel.exclusion_placements(user=request.user, exclusion=exclusion),
        "cap": sel.suspension_cap_status(pupil=exclusion.pupil, on=exclusion.start_date),
        "run": run, "run_days": sum((e.days for e in run), Decimal(0)),
        "run_carrier": next((e for e in run if e.day6_duty), None),
        "year_split": sel.year_split(exclusion),
        "can_record": can_record and not exclusion.is_cancelled,
        "can_provide": request.user.can(Capability.RECORD_PROVISION) and not exclusion.is_cancelled,
        "rules": rules,
    })


def pupil_exclusions(request, pk: int):
    """The pupil profile's Exclusions tab: exclusions, the year's suspension total, part-time timetables,
    placements and managed moves."""
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    enrolments = list(selectors.pupil_enrolments(user=request.user, pupil=pupil))
    record_view(user=request.user, instance=pupil, path=request.path)
    context = _context()
    flags = sel.part_time_flags(context["today"])
    exclusions = list(sel.pupil_exclusions(user=request.user, pupil=pupil))
    part_time = list(sel.part_time_list(user=request.user).filter(pupil=pupil))
    placements = list(sel.placement_list(user=request.user).filter(pupil=pupil))
    moves = list(sel.managed_move_list(user=request.user).filter(pupil=pupil))
    return render(request, "exclusions/pupil_exclusions.html", {
        "pupil": pupil, "current_enrolment": next((e for e in enrolments if e.is_current), None),
        "tabs": pupil_tabs(request.user, pupil, active="exclusions"),
        "cap": sel.suspension_cap_status(pupil=pupil, on=context["today"]),
        "exclusion_table": tables.exclusion_table(context).rows(exclusions),
        "exclusion_headers": tables.exclusion_table(context).headers,
        "part_time_rows": tables.part_time_table({**context, "flags": flags}).rows(part_time),
        "part_time_headers": tables.part_time_table(context).headers,
        "placement_rows": tables.placement_table(context).rows(placements),
        "placement_headers": tables.placement_table(context).headers,
        "move_rows": tables.managed_move_table({**context, "can_edit": request.user.can(
            Capability.RECORD_PROVISION)}).rows(moves),
        "move_headers": tables.managed_move_table(context).headers,
        "can_record": request.user.can(Capability.RECORD_EXCLUSIONS),
        "can_provide": request.user.can(Capability.RECORD_PROVISION),
        "can_refer": request.user.can(Capability.MANAGE_LA_REGISTERS),
        "rules": rules,
    })


def _pupil_schools(user, pupil):
    """Schools the user may record for, where the pupil is or was on the roll."""
    return School.objects.visible_to(user).filter(enrolments__pupil=pupil).distinct().order_by("name")


@capability_required(Capability.RECORD_EXCLUSIONS)
def exclusion_create(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = ExclusionForm(request.POST or None, schools=_pupil_schools(request.user, pupil))
    if request.method == "POST" and form.is_valid():
        recorded = []

        def write(data):
            recorded.append(services.exclusion_record(user=request.user, pupil=pupil, **data))
            return recorded[0]

        response = _save(request, form, write, "The exclusion was recorded.",
                         lambda e: reverse("exclusion_detail", args=[e.pk]))
        if response is not None:
            _warn_about_cap(request, pupil, recorded[0].start_date)
            return response
    return form_page(request, form, f"Record an exclusion for {pupil.display_name}",
                      reverse("pupil_exclusions", args=[pupil.pk]))


def _warn_about_cap(request, pupil, on) -> None:
    cap = sel.suspension_cap_status(pupil=pupil, on=on)
    if cap.state != "ok":
        messages.warning(request, f"{pupil.display_name} has been suspended for {cap.total.normalize():f} school "
                                  f"days in {cap.year} (all schools): the limit is 45.")


@capability_required(Capability.RECORD_EXCLUSIONS)
def exclusion_edit(request, pk: int):
    exclusion = sel.exclusion_get(user=request.user, pk=pk)
    if exclusion.is_cancelled:
        raise Http404
    form = ExclusionEditForm(request.POST or None, instance=exclusion)
    if request.method == "POST" and form.is_valid():
        # A fresh copy, as in schools.views.pupil_edit, so the audit sees the stored values.
        response = _save(request, form, lambda data: services.exclusion_update(
            user=request.user, exclusion=sel.exclusion_get(user=request.user, pk=pk), **data),
            "The exclusion was updated.", reverse("exclusion_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Change the exclusion for {exclusion.pupil.display_name}",
                      reverse("exclusion_detail", args=[pk]))


@capability_required(Capability.RECORD_EXCLUSIONS)
def exclusion_review(request, pk: int):
    exclusion = sel.exclusion_get(user=request.user, pk=pk)
    if exclusion.is_cancelled:
        raise Http404
    form = ExclusionReviewForm(request.POST or None, instance=exclusion)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.exclusion_review_record(
            user=request.user, exclusion=sel.exclusion_get(user=request.user, pk=pk), **data),
            "The review was recorded.", reverse("exclusion_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Governing board and review for {exclusion.pupil.display_name}",
                      reverse("exclusion_detail", args=[pk]))


@capability_required(Capability.RECORD_EXCLUSIONS)
def exclusion_cancel(request, pk: int):
    exclusion = sel.exclusion_get(user=request.user, pk=pk)
    if exclusion.is_cancelled:
        raise Http404
    form = ExclusionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.exclusion_cancel(
            user=request.user, exclusion=exclusion, **data), "The exclusion was cancelled.",
            reverse("exclusion_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Cancel the exclusion for {exclusion.pupil.display_name}",
                      reverse("exclusion_detail", args=[pk]))


@capability_required(Capability.RECORD_EXCLUSIONS)
def exclusion_reintegration(request, pk: int):
    exclusion = sel.exclusion_get(user=request.user, pk=pk)
    if exclusion.is_cancelled:
        raise Http404
    form = ReintegrationForm(request.POST or None, initial={"plan": exclusion.reintegration_plan,
                                                            "meeting_on": exclusion.reintegration_meeting_on})
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.exclusion_reintegration_start(
            user=request.user, exclusion=exclusion, **data), "The reintegration plan was saved.",
            reverse("exclusion_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Reintegration plan for {exclusion.pupil.display_name}",
                      reverse("exclusion_detail", args=[pk]))


def exclusion_reminders(request):
    data = request.GET.copy() if request.GET else {"status": "open"}
    filterset = ExclusionReminderFilterSet(data, queryset=sel.reminder_list(user=request.user), request=request)
    return _register(request, filterset=filterset, table=tables.reminder_table(_context()), title="Reminders",
                     filename="exclusion-reminders", model_label="schools.ExclusionReminder",
                     pupil_path="exclusion__pupil_id",
                     intro="Written each morning: deadlines due within two school days, deadlines missed, and "
                           "exclusions with no provision from the 6th school day.")


# ---------------------------------------------------------------------------------------------------------------
# Day 6


def day6_dashboard(request):
    context = _context()
    filterset = ExclusionFilterSet(request.GET or None, queryset=sel.exclusion_list(user=request.user),
                                   request=request)
    scoped = filterset.qs
    missing = scoped.missing_day6_provision().order_by("day6_date", "pk")
    missed = list(missing.filter(day6_date__lt=context["today"])[:200])
    upcoming = list(missing.filter(day6_date__gte=context["today"])[:200])
    since = context["today"] - datetime.timedelta(days=60)
    in_place = list(scoped.active().exclude(day6_duty="").filter(
        provision_from__isnull=False, provision_from__lte=F("day6_date"), day6_date__gte=since)
        .order_by("-day6_date", "-pk")[:100])
    table = tables.day6_table(context)
    return render(request, "provision/day6.html", {
        "filter": filterset, "headers": table.headers, "missed": table.rows(missed),
        "upcoming": table.rows(upcoming), "in_place": table.rows(in_place), "area_nav": _area_nav(request),
    })


# ---------------------------------------------------------------------------------------------------------------
# Placements


def placement_list(request):
    filterset = PlacementFilterSet(request.GET or None, queryset=sel.placement_list(user=request.user),
                                   request=request)
    return _register(request, filterset=filterset, table=tables.placement_table(_context()), title="Placements",
                     filename="placements", model_label="schools.Placement",
                     intro="Education arranged away from the normal timetable: day-6 provision, alternative "
                           "provision and other placements.")


@capability_required(Capability.RECORD_PROVISION)
def placement_create(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    exclusion = None
    if request.GET.get("exclusion"):
        try:
            exclusion_pk = int(request.GET["exclusion"])
        except ValueError:
            raise Http404 from None  # ?exclusion=abc answers as an unused id does, not 500
        exclusion = get_object_or_404(sel.pupil_exclusions(user=request.user, pupil=pupil), pk=exclusion_pk)
    initial = {}
    if exclusion is not None:
        initial = {"start_date": exclusion.day6_date or exclusion.start_date,
                   "arranged_by": exclusion.day6_duty or Placement.ArrangedBy.LA,
                   "commissioning_school": exclusion.school_id if exclusion.day6_duty == "school" else None,
                   "hours_per_week": 25}
    form = PlacementForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        def write(data):
            data = dict(data)
            if not request.user.is_la_staff:
                data["arranged_by"] = Placement.ArrangedBy.SCHOOL
                data["commissioning_school"] = exclusion.school if exclusion else None
            return services.placement_record(user=request.user, pupil=pupil, exclusion=exclusion, **data)

        target = reverse("exclusion_detail", args=[exclusion.pk]) if exclusion else reverse(
            "pupil_exclusions", args=[pupil.pk])
        response = _save(request, form, write, "The provision was recorded.", target)
        if response is not None:
            return response
    title = f"Record provision for {pupil.display_name}"
    if exclusion is not None:
        title += f" ({exclusion.get_kind_display().lower()} from {exclusion.start_date:%-d %B %Y})"
    return form_page(request, form, title, reverse("pupil_exclusions", args=[pupil.pk]))


@capability_required(Capability.RECORD_PROVISION)
def placement_end(request, pk: int):
    placement = get_object_or_404(sel.placement_list(user=request.user), pk=pk)
    form = PlacementEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.placement_end(
            user=request.user, placement=placement, **data), "The placement was ended.",
            reverse("pupil_exclusions", args=[placement.pupil_id]))
        if response is not None:
            return response
    return form_page(request, form, f"End the placement at {placement.provider_display}",
                      reverse("pupil_exclusions", args=[placement.pupil_id]))


# ---------------------------------------------------------------------------------------------------------------
# Part-time timetables


def part_time_list(request):
    data = request.GET.copy() if request.GET else {"status": "open"}
    filterset = PartTimeTimetableFilterSet(data, queryset=sel.part_time_list(user=request.user), request=request)
    context = _context(flags=sel.part_time_flags())
    return _register(request, filterset=filterset, table=tables.part_time_table(context),
                     title="Part-time timetables", filename="part-time-timetables",
                     model_label="schools.PartTimeTimetable",
                     intro="Absence code C2. Only in exceptional circumstances, agreed with the parent, time-limited "
                           "and formally reviewed (Working together to improve school attendance, 2024). Schools "
                           "notify; the LA monitors. Long-running means over six school weeks (LA policy).")


@capability_required(Capability.RECORD_PROVISION)
def part_time_create(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = PartTimeTimetableForm(request.POST or None, schools=_pupil_schools(request.user, pupil))
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.part_time_record(
            user=request.user, pupil=pupil, **data), "The part-time timetable was notified.",
            lambda t: reverse("part_time_detail", args=[t.pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Notify a part-time timetable for {pupil.display_name}",
                      reverse("pupil_exclusions", args=[pupil.pk]))


def part_time_detail(request, pk: int):
    timetable = sel.part_time_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=timetable, path=request.path)
    return render(request, "provision/part_time_detail.html", {
        "timetable": timetable, "reviews": timetable.reviews.all(),
        "flags": sel.part_time_flags().for_timetable(timetable),
        "can_review": request.user.can(Capability.RECORD_PROVISION) and not timetable.ended_on,
    })


@capability_required(Capability.RECORD_PROVISION)
def part_time_review(request, pk: int):
    timetable = sel.part_time_get(user=request.user, pk=pk)
    if timetable.ended_on:
        raise Http404
    form = PartTimeReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.part_time_review_record(
            user=request.user, timetable=timetable, **data), "The review was recorded.",
            reverse("part_time_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Review {timetable.pupil.display_name}'s part-time timetable",
                      reverse("part_time_detail", args=[pk]))


# ---------------------------------------------------------------------------------------------------------------
# Managed moves


def managed_move_list(request):
    filterset = ManagedMoveFilterSet(request.GET or None, queryset=sel.managed_move_list(user=request.user),
                                     request=request)
    context = _context(can_edit=request.user.can(Capability.RECORD_PROVISION))
    return _register(request, filterset=filterset, table=tables.managed_move_table(context), title="Managed moves",
                     filename="managed-moves", model_label="schools.ManagedMove",
                     intro="Voluntary moves agreed by everyone, parents included, leading to a permanent transfer "
                           "(exclusion guidance 2023, paras 47-51).")


@capability_required(Capability.RECORD_PROVISION)
def managed_move_create(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = ManagedMoveForm(request.POST or None, from_schools=_pupil_schools(request.user, pupil))
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.managed_move_record(
            user=request.user, pupil=pupil, **data), "The managed move was recorded.",
            reverse("pupil_exclusions", args=[pupil.pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Record a managed move for {pupil.display_name}",
                      reverse("pupil_exclusions", args=[pupil.pk]))


@capability_required(Capability.RECORD_PROVISION)
def managed_move_outcome(request, pk: int):
    move = sel.managed_move_get(user=request.user, pk=pk)
    if move.outcome != ManagedMove.Outcome.IN_PROGRESS:
        raise Http404
    form = ManagedMoveOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.managed_move_outcome(
            user=request.user, move=move, **data), "The outcome was recorded.", reverse("managed_move_list"))
        if response is not None:
            return response
    return form_page(request, form, f"Outcome of {move.pupil.display_name}'s managed move",
                      reverse("managed_move_list"))


# ---------------------------------------------------------------------------------------------------------------
# LA registers


@capability_required(Capability.VIEW_LA_REGISTERS)
def ap_provider_list(request):
    filterset = APProviderFilterSet(request.GET or None, queryset=sel.ap_provider_list(user=request.user),
                                    request=request)
    actions = ([("Add a provider", reverse("ap_provider_create"))]
               if request.user.can(Capability.MANAGE_LA_REGISTERS) else [])
    return _register(request, filterset=filterset, table=tables.ap_provider_table(_context()),
                     title="Alternative provision", filename="alternative-provision",
                     model_label="schools.APProvider", actions=actions, pupil_path=None,
                     intro="Places commissioned against places used today: a placement's hours over 25 make one "
                           "full-time place.")


@capability_required(Capability.MANAGE_LA_REGISTERS)
def ap_provider_create(request):
    form = APProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.ap_provider_create(user=request.user, **data),
                         "The provider was added.", reverse("ap_provider_list"))
        if response is not None:
            return response
    return form_page(request, form, "Add an alternative provision provider", reverse("ap_provider_list"))


@capability_required(Capability.VIEW_LA_REGISTERS)
def fair_access_list(request):
    filterset = FairAccessFilterSet(request.GET or None, queryset=sel.fair_access_list(user=request.user),
                                    request=request)
    context = _context(days={})

    def count_days(objects):
        context["days"].update(sel.fair_access_days(objects, context["today"]))

    return _register(request, filterset=filterset, table=tables.fair_access_table(context),
                     title="Fair Access", filename="fair-access", model_label="schools.FairAccessReferral",
                     rows_for_page=count_days,
                     intro="Children placed under the Fair Access Protocol: a place within 20 school days "
                           "(School Admissions Code 2021), and days without a placement banded 38+, 69+ and 100+. "
                           "Refer a child from their record's Exclusions tab.")


@capability_required(Capability.MANAGE_LA_REGISTERS)
def fair_access_create(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = FairAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.fair_access_refer(
            user=request.user, pupil=pupil, **data), "The referral was recorded.", reverse("fair_access_list"))
        if response is not None:
            return response
    return form_page(request, form, f"Refer {pupil.display_name} to Fair Access",
                      reverse("pupil_exclusions", args=[pupil.pk]))


@capability_required(Capability.MANAGE_LA_REGISTERS)
def fair_access_update(request, pk: int):
    referral = sel.fair_access_get(user=request.user, pk=pk)
    form = FairAccessAllocateForm(request.POST or None, initial={
        "allocated_school": referral.allocated_school_id, "allocated_on": referral.allocated_on,
        "placed_on": referral.placed_on})
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.fair_access_allocate(
            user=request.user, referral=referral, **data), "The allocation was saved.", reverse("fair_access_list"))
        if response is not None:
            return response
    return form_page(request, form, f"Place {referral.pupil.display_name}", reverse("fair_access_list"))


@capability_required(Capability.VIEW_LA_REGISTERS)
def cme_list(request):
    filterset = CMEFilterSet(request.GET or None, queryset=sel.cme_list(user=request.user), request=request)
    actions = ([("Add a child", reverse("cme_create"))]
               if request.user.can(Capability.MANAGE_LA_REGISTERS) else [])
    return _register(request, filterset=filterset, table=tables.cme_table(_context()),
                     title="Children missing education", filename="children-missing-education",
                     model_label="schools.CMERecord", actions=actions,
                     intro="Section 436A Education Act 1996: children of compulsory school age not on a school roll "
                           "and not receiving suitable education otherwise.")


@capability_required(Capability.MANAGE_LA_REGISTERS)
def cme_create(request):
    form = CMERecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        def write(data):
            data = dict(data)
            return services.cme_record(user=request.user, pupil=data.pop("upn"), **data)

        response = _save(request, form, write, "The child was added to the register.",
                         lambda r: reverse("cme_detail", args=[r.pk]))
        if response is not None:
            return response
    return form_page(request, form, "Add a child missing education", reverse("cme_list"))


@capability_required(Capability.VIEW_LA_REGISTERS)
def cme_detail(request, pk: int):
    record = sel.cme_get(user=request.user, pk=pk)
    if record.pupil_id:
        record_view(user=request.user, instance=record, path=request.path)
    can_edit = request.user.can(Capability.MANAGE_LA_REGISTERS) and record.outcome == "open"
    form = CMEEnquiryForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            response = _save(request, form, lambda data: services.cme_enquiry_add(
                user=request.user, record=record, **data), "The enquiry was added.", reverse("cme_detail", args=[pk]))
            if response is not None:
                return response
    return render(request, "provision/cme_detail.html", {"record": record, "form": form, "can_edit": can_edit})


@capability_required(Capability.MANAGE_LA_REGISTERS)
def cme_close(request, pk: int):
    record = sel.cme_get(user=request.user, pk=pk)
    if record.outcome != "open":
        raise Http404
    form = CMECloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, lambda data: services.cme_close(user=request.user, record=record, **data),
                         "The record was closed.", reverse("cme_detail", args=[pk]))
        if response is not None:
            return response
    return form_page(request, form, f"Close the record for {record.display_name}", reverse("cme_detail", args=[pk]))


def _cnis_in_force():
    if not services.cnis_enabled():
        raise Http404("The Children Not in School register is not in force.")


@capability_required(Capability.VIEW_LA_REGISTERS)
def cnis_list(request):
    _cnis_in_force()
    actions = ([("Add a child", reverse("cnis_create"))]
               if request.user.can(Capability.MANAGE_LA_REGISTERS) else [])
    filterset = ChildNotInSchoolFilterSet(request.GET or None, queryset=sel.cnis_list(user=request.user),
                                          request=request)
    return _register(request, filterset=filterset, table=tables.cnis_table(_context()),
                     title="Children not in school", filename="children-not-in-school",
                     model_label="schools.ChildNotInSchool", actions=actions,
                     intro="Education Act 1996 ss436B-436G (Children's Wellbeing and Schools Act 2026 s38).")


@capability_required(Capability.MANAGE_LA_REGISTERS)
def cnis_create(request):
    _cnis_in_force()
    form = ChildNotInSchoolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        def write(data):
            data = dict(data)
            return services.cnis_register(user=request.user, pupil=data.pop("upn"), **data)

        response = _save(request, form, write, "The child was added to the register.", reverse("cnis_list"))
        if response is not None:
            return response
    return form_page(request, form, "Add a child not in school", reverse("cnis_list"))

