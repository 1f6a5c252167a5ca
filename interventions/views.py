"""The intervention catalogue and intervention plans on a case. Thin views: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import selectors as case_selectors
from cases.permissions import require_work_case
from interventions import selectors, services
from interventions.filters import InterventionFilterSet
from interventions.forms import PlanEditForm, PlanEndForm, PlanForm
from schools.common.web import apply_form_errors, capability_required, form_page, id_param, paginate, report_if_stale
from schools.roles import Capability


def intervention_list(request):
    filterset = InterventionFilterSet(request.GET or None, queryset=selectors.intervention_list(user=request.user),
                                      request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "interventions/intervention_list.html", {"filter": filterset, "page": page,
                                                                    "query": query})


def intervention_detail(request, pk: int):
    return render(request, "interventions/intervention_detail.html", {
        "intervention": selectors.intervention_get(user=request.user, pk=pk)})


@capability_required(Capability.WORK_CASES)
def plan_add(request, pk: int):
    case = case_selectors.case_for_update(user=request.user, pk=pk)
    require_work_case(request.user, case)
    initial = {"owner": request.user.pk, "start_date": timezone.localdate()}
    if (intervention_id := id_param(request, "intervention")) is not None:
        initial["intervention"] = intervention_id
    form = PlanForm(request.POST or None, school_id=case.school_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_add(user=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"The plan ({plan.intervention.name}) was started; planned to end "
                                      f"{plan.planned_end_date:%-d %B %Y}.")
            return redirect("cases:detail", pk=pk)
    return form_page(request, form, title=f"Start an intervention plan on {case.reference}",
                      caption=case.pupil.display_name,
                      intro="Plans last 10 school weeks unless you set another end. Browse the catalogue for details.",
                      back_url=reverse("cases:detail", args=[pk]))


def _plan_for_work(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    require_work_case(request.user, plan.case)
    if not services.can_change_plan(request.user, plan):
        raise PermissionDenied
    return plan


@capability_required(Capability.WORK_CASES)
def plan_edit(request, pk: int):
    plan = _plan_for_work(request, pk)
    form = PlanEditForm(request.POST or None, school_id=plan.case.school_id, initial={
        "planned_end_date": plan.planned_end_date, "owner": plan.owner_id, "target_attendance": plan.target_attendance,
        "goals": plan.goals, "version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.plan_update(user=request.user, plan=selectors.plan_get(user=request.user, pk=pk),
                                 expected_version=version, **data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=plan.case_id)
            apply_form_errors(form, error)
        else:
            messages.success(request, "The plan was saved.")
            return redirect("cases:detail", pk=plan.case_id)
    return form_page(request, form, title=f"Change the plan: {plan.intervention.name}",
                      caption=f"{plan.case.reference}, {plan.case.pupil.display_name}",
                      back_url=reverse("cases:detail", args=[plan.case_id]))


@capability_required(Capability.WORK_CASES)
def plan_end(request, pk: int):
    plan = _plan_for_work(request, pk)
    form = PlanEndForm(request.POST or None, initial={"version": plan.version, "ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_end(user=request.user, plan=plan, expected_version=form.cleaned_data.pop("version"),
                              **form.cleaned_data)
        except ValidationError as error:
            if report_if_stale(request, error):
                return redirect("cases:detail", pk=plan.case_id)
            apply_form_errors(form, error)
        else:
            messages.success(request, f"The plan ({plan.intervention.name}) was ended.")
            return redirect("cases:detail", pk=plan.case_id)
    return form_page(request, form, title=f"End the plan: {plan.intervention.name}",
                      caption=f"{plan.case.reference}, {plan.case.pupil.display_name}",
                      intro=f"Started {plan.start_date:%-d %B %Y}, planned to end {plan.planned_end_date:%-d %B %Y}.",
                      back_url=reverse("cases:detail", args=[plan.case_id]))
