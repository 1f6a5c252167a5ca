"""Writes to intervention plans. The catalogue itself is edited by LA admins in the admin site."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseworkPolicy
from cases.permissions import can_work_case
from cases.services import check_assignee, claim_version, record_event, require_case_work
from interventions.models import Intervention, InterventionPlan
from schools.audit import record_change, snapshot
from schools.models import AuditEvent
from schools.school_days import CalendarMissing, add_school_days


def default_planned_end(start: datetime.date, *, school=None, weeks: int | None = None) -> datetime.date:
    """The planned end of an intervention: ``weeks`` school weeks (default from the policy, 10) after the start,
    counted on the school's calendar; calendar weeks where no term dates are entered."""
    weeks = weeks or CaseworkPolicy.current().plan_length_school_weeks
    try:
        return add_school_days(start, weeks * 5, school)
    except CalendarMissing:
        return start + datetime.timedelta(weeks=weeks)


def _check_plan_dates(plan: InterventionPlan, case: Case) -> None:
    if plan.start_date < case.opened_on:
        raise ValidationError({"start_date": f"The plan cannot start before the case opened on "
                                             f"{case.opened_on:%-d %B %Y}."})
    if plan.planned_end_date < plan.start_date:
        raise ValidationError({"planned_end_date": "The planned end must be on or after the start date."})


@transaction.atomic
def plan_add(*, user, case: Case, intervention: Intervention, start_date: datetime.date, owner,
             planned_end_date: datetime.date | None = None, target_attendance=None,
             goals: str = "") -> InterventionPlan:
    require_case_work(user, case)
    if case.status != Case.Status.OPEN:
        raise ValidationError("Plans are added to open, allocated cases.")
    if not intervention.is_active:
        raise ValidationError({"intervention": f"{intervention.name} is no longer offered: choose another."})
    check_assignee(owner, school_ids={case.school_id} if case.school_id else set())
    plan = InterventionPlan(
        case=case, intervention=intervention, start_date=start_date, owner=owner, target_attendance=target_attendance,
        goals=(goals or "").strip(), created_by=user,
        planned_end_date=planned_end_date or default_planned_end(start_date, school=case.school))
    _check_plan_dates(plan, case)
    plan.full_clean()
    plan.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=plan, pupil_id=case.pupil_id)
    record_event(user=user, case=case, on=min(start_date, timezone.localdate()),
           summary=f"Intervention plan started: {intervention.name}",
           details=f"Planned to end {plan.planned_end_date:%-d %B %Y}. Owner: {owner.display_name}."
                   + (f" Target attendance {plan.target_attendance}%." if plan.target_attendance is not None else ""))
    return plan


PLAN_EDIT_FIELDS = frozenset({"planned_end_date", "owner", "target_attendance", "goals"})


@transaction.atomic
def plan_update(*, user, plan: InterventionPlan, expected_version, **fields) -> InterventionPlan:
    case = plan.case
    require_case_work(user, case)
    unknown = set(fields) - PLAN_EDIT_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if plan.status != InterventionPlan.Status.ACTIVE:
        raise ValidationError("This plan has ended; it can no longer be changed.")
    before = snapshot(plan)
    claim_version(plan, expected_version, what="plan")
    for name, value in fields.items():
        setattr(plan, name, value)
    if "owner" in fields:
        check_assignee(plan.owner, school_ids={case.school_id} if case.school_id else set())
    _check_plan_dates(plan, case)
    plan.full_clean()
    plan.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=plan, before=before, pupil_id=case.pupil_id)
    return plan


@transaction.atomic
def plan_end(*, user, plan: InterventionPlan, expected_version, status: str, outcome: str, outcome_notes: str = "",
             ended_on: datetime.date | None = None) -> InterventionPlan:
    case = plan.case
    require_case_work(user, case)
    if plan.status != InterventionPlan.Status.ACTIVE:
        raise ValidationError("This plan has already ended.")
    if status not in {InterventionPlan.Status.COMPLETED, InterventionPlan.Status.ENDED_EARLY}:
        raise ValidationError({"status": "Say whether the plan was completed or ended early."})
    if outcome not in InterventionPlan.Outcome.values:
        raise ValidationError({"outcome": "Choose the outcome."})
    ended_on = ended_on or timezone.localdate()
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "The end date cannot be in the future."})
    if ended_on < plan.start_date:
        raise ValidationError({"ended_on": f"The end date cannot be before the plan started on "
                                           f"{plan.start_date:%-d %B %Y}."})
    before = snapshot(plan)
    claim_version(plan, expected_version, what="plan")
    plan.status, plan.outcome, plan.ended_on = status, outcome, ended_on
    plan.outcome_notes = (outcome_notes or "").strip()
    plan.full_clean()
    plan.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=plan, before=before, pupil_id=case.pupil_id)
    record_event(user=user, case=case, on=ended_on, details=plan.outcome_notes,
           summary=f"Intervention plan {plan.get_status_display().lower()}: {plan.intervention.name} "
                   f"({plan.get_outcome_display().lower()})")
    return plan


def can_change_plan(user, plan: InterventionPlan) -> bool:
    return plan.status == InterventionPlan.Status.ACTIVE and can_work_case(user, plan.case)
