"""The penalty-notice threshold as a worklist: worked out once per period, kept, and kept current.

Finding who met the threshold reads every register week in the period (selectors.pn_threshold_windows: seconds at
LA scale), so the worklist does not do it per page. A run (schools.models.PnThresholdRun) holds the pupils who met it
in one period, LA-wide, with their first window; each user's page filters the run's entries to the pupils they may
see, and sorts and pages them in SQL.

- Made: nightly for every period the picker offers (refresh_current_runs, after the nightly recompute), and on first
  request for any other period (run_for).
- Kept current: after each register import, for the pupils of the schools it touched (refresh_schools), and when an
  action is recorded (note_action: a case opened, a contact, a letter, a notice request or notice), so a row leaves
  "no action yet" at once.
- Last actions when a run is made come from the higher apps that record them (slot
  ``attendance.threshold_last_actions``, schools.common.providers).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from schools.attendance import selectors
from schools.common import providers
from schools.models import Enrolment, PnThresholdEntry, PnThresholdRun, School

BATCH = 5000
# How long a run for a period the picker no longer offers (yesterday's year to date, a custom range) is kept.
KEEP_OLD_RUNS = datetime.timedelta(days=2)


def run_for(period: selectors.Period) -> PnThresholdRun:
    """The kept run for the period, made now if there is none."""
    run = PnThresholdRun.objects.filter(period_key=period.key, start=period.start, end=period.end).first()
    return run if run is not None else compute_run(period)


def compute_run(period: selectors.Period, school_ids=None) -> PnThresholdRun:
    """(Re)work out the run for a period: for every pupil, or for those of ``school_ids`` only."""
    try:
        with transaction.atomic():
            run, _ = PnThresholdRun.objects.get_or_create(period_key=period.key, start=period.start, end=period.end,
                                                          defaults={"computed_at": timezone.now()})
    except IntegrityError:  # made at the same moment by another request: use that one
        run = PnThresholdRun.objects.get(period_key=period.key, start=period.start, end=period.end)
    enrolments = Enrolment.objects.filter(school_id__in=school_ids) if school_ids is not None else None
    windows = selectors.pn_threshold_windows(None, period, enrolments=enrolments)
    with transaction.atomic():
        run = PnThresholdRun.objects.select_for_update().get(pk=run.pk)
        stale = PnThresholdEntry.objects.filter(run=run)
        if school_ids is not None:
            stale = stale.filter(school_id__in=school_ids)
        stale.delete()
        _write_entries(run, windows)
        fill_last_actions(PnThresholdEntry.objects.filter(run=run) if school_ids is None else
                          PnThresholdEntry.objects.filter(run=run, school_id__in=school_ids))
        run.computed_at = timezone.now()
        run.save(update_fields=["computed_at"])
    return run


def _write_entries(run: PnThresholdRun, windows: list[selectors.PnWindow]) -> None:
    for first in range(0, len(windows), BATCH):
        chunk = windows[first:first + BATCH]
        owners = {pk: (pupil, school, sort_name(last, first)) for pk, pupil, school, last, first in
                  Enrolment.objects.filter(pk__in=[w.enrolment_id for w in chunk]).values_list(
                      "pk", "pupil_id", "school_id", "pupil__legal_last_name", "pupil__legal_first_name")}
        PnThresholdEntry.objects.bulk_create([
            PnThresholdEntry(run=run, enrolment_id=w.enrolment_id, pupil_id=owners[w.enrolment_id][0],
                             school_id=owners[w.enrolment_id][1], sort_name=owners[w.enrolment_id][2],
                             sessions=w.sessions, window_start=w.window_start, window_end=w.window_end)
            for w in chunk], batch_size=BATCH)


def sort_name(last: str, first: str) -> str:
    """The worklist's name order (PnThresholdEntry.sort_name): surname, then first name, ignoring case."""
    return f"{last.lower()}\t{first.lower()}"[:255]


def fill_last_actions(entries) -> None:
    """Set each entry's last action from the records (the slot's provider does it set-wise; without one, none)."""
    provider = providers.provider("attendance.threshold_last_actions")
    if provider is not None:
        provider(entries)


def refresh_current_runs(today: datetime.date) -> int:
    """The nightly job: a fresh run for every period the picker offers today; runs no longer offered are dropped
    after KEEP_OLD_RUNS. The number of runs made."""
    current = selectors.available_periods(today)
    for period in current:
        compute_run(period)
    offered = Q()
    for period in current:
        offered |= Q(period_key=period.key, start=period.start, end=period.end)
    PnThresholdRun.objects.exclude(offered).filter(computed_at__lt=timezone.now() - KEEP_OLD_RUNS).delete()
    return len(current)


def refresh_schools(school_ids, since: datetime.date | None = None) -> None:
    """After marks were written for these schools: every kept run (the periods offered today, and any other asked for
    lately) brought up to date for their pupils. ``since`` (the Monday of the first week written) lets a run keep
    every window met before it, which the new marks cannot change, and look for windows from it on only: one scan of
    these schools from that week serves every run, instead of a scan per period. Without it (or for a period that
    starts later) the schools' pupils are worked out again from the period's start."""
    school_ids = sorted(set(school_ids))
    if not school_ids:
        return
    runs = PnThresholdRun.objects.all() if since is None else PnThresholdRun.objects.filter(end__gte=since)
    kept = [(_period_of(run), run) for run in runs.order_by("pk")]
    incremental = [(period, run) for period, run in kept if since is not None and period.start <= since]
    for period, _run in kept:
        if (period, _run) not in incremental:
            compute_run(period, school_ids)
    if not incremental:
        return
    scan = selectors.Period("refresh", "", since, max(period.end for period, _ in incremental))
    # An LA-wide file touches every school: then the scan reads the weeks by date alone, as the nightly run does,
    # rather than testing each week row against a list of every enrolment.
    every_school = not School.objects.exclude(pk__in=school_ids).exists()
    found = {w.enrolment_id: w for w in selectors.pn_threshold_windows(
        None, scan, enrolments=None if every_school else Enrolment.objects.filter(school_id__in=school_ids))}
    for period, run in incremental:
        _merge(run, period, found, school_ids, since)


def _period_of(run: PnThresholdRun) -> selectors.Period:
    return selectors.Period(run.period_key, "", run.start, run.end)


def _merge(run: PnThresholdRun, period: selectors.Period, found: dict, school_ids, since: datetime.date) -> None:
    first_week = since - datetime.timedelta(days=since.weekday())
    with transaction.atomic():
        run = PnThresholdRun.objects.select_for_update().get(pk=run.pk)
        entries = PnThresholdEntry.objects.filter(run=run, school_id__in=school_ids)
        entries.filter(window_end__gte=first_week).delete()
        keep = set(entries.values_list("enrolment_id", flat=True))
        new = [w for enrolment_id, w in found.items() if enrolment_id not in keep and w.window_end <= period.end]
        _write_entries(run, [selectors.PnWindow(w.enrolment_id, w.sessions, w.window_start, w.window_end,
                                                period.end) for w in new])
        fill_last_actions(PnThresholdEntry.objects.filter(run=run, school_id__in=school_ids,
                                                          window_end__gte=first_week))
        run.computed_at = timezone.now()
        run.save(update_fields=["computed_at"])


def note_action(*, pupil_id: int, action: str, on: datetime.date) -> int:
    """An action on a pupil was recorded: their worklist rows whose window began by then show it (and leave "no action
    yet"). Called by the services that record actions (cases, legal)."""
    return (PnThresholdEntry.objects.filter(pupil_id=pupil_id, window_start__lte=on)
            .filter(Q(last_action_on__isnull=True) | Q(last_action_on__lte=on))
            .update(last_action_on=on, last_action=action))
