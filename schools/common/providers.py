"""How a lower app asks a higher one for something without importing it (README "Layout": the apps are layered
``reporting > legal > interventions > cases > schools`` and a lower app never imports a higher one).

The lower app names a slot here and documents, beside the call, what the provider must do; the higher app fills the
slot from its ``AppConfig.ready()``. An empty slot means no installed app provides it, and the caller does without
(an exclusion keeps its reintegration plan with no case; a pupil list shows no case stage).

Slots in use:

- ``exclusions.reintegration_case`` (cases): ``(*, user, exclusion, plan) -> case``, open or join the pupil's
  reintegration case for an exclusion's reintegration plan.
- ``attendance.open_case`` (cases): ``(user, pupil) -> case or None``, the pupil's open attendance case the user may
  see (the higher stage if two are open).
- ``attendance.open_case_subqueries`` (cases): ``(user, pupil=None) -> (stage, pk)``, the same case as subqueries
  on ``OuterRef("pupil")`` (or on the given pupil) for list annotations.
- ``attendance.threshold_columns`` (legal): ``(user) -> {name: expression}``, annotations on the penalty-notice
  threshold worklist's entries: ``case_pk``, ``case_stage``, ``case_officer_id`` (the pupil's open attendance case
  the user may see) and ``notices_3y`` (notices issued for the pupil in three years; None for users who may not see
  legal records).
- ``attendance.threshold_last_actions`` (legal): ``(entries) -> None``, set each entry's ``last_action_on`` and
  ``last_action`` from the records, set-wise.
- ``attendance.link_school_ids`` (cases): ``(user) -> ids``, the schools the user is the link officer for (the
  worklist starts on them).
- ``attendance.imported`` steps (cases, reporting): ``(*, school_ids) -> None``, each called by
  schools.tasks.run_attendance_import once an import has saved its marks, with the schools whose registers it wrote:
  queue their early-warning alerts (cases); mark the kept dashboard figures out of date and queue their refresh
  (reporting).
- ``home`` steps: ``(order, name, panel)`` where ``panel(user, today)`` gives the home page a schools.home.Panel (or
  None): the counts of the user's work in that app, each leading to its list.
- ``demo`` steps: ``(order, name, load)`` where ``load(*, seed, stdout)`` adds an area's demo records inside the demo
  transaction; lower orders run first.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import import_string

_SLOTS: dict[str, Callable] = {}
_STEPS: dict[str, dict[str, tuple[int, Callable]]] = {}


def provide(slot: str, function: Callable) -> None:
    _SLOTS[slot] = function


def provider(slot: str) -> Callable | None:
    return _SLOTS.get(slot)


def provide_step(slot: str, *, order: int, name: str, function: Callable | str) -> None:
    """One of several steps in a slot (the demo loaders), run in ``order``; a name provided twice is replaced. A
    dotted path is imported only when the steps are asked for, so the demo's code loads only when a demo does."""
    _STEPS.setdefault(slot, {})[name] = (order, function)


def steps(slot: str) -> list[tuple[str, Callable]]:
    ordered = sorted(_STEPS.get(slot, {}).items(), key=lambda item: (item[1][0], item[0]))
    return [(name, import_string(function) if isinstance(function, str) else function)
            for name, (_order, function) in ordered]
