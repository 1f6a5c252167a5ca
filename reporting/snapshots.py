"""Dashboard figures kept for LA staff at a large LA, whose LA-wide overview takes seconds to add up.

A dashboard asks ``report_figures_for``. For LA staff at an LA with at least ``REPORT_SNAPSHOT_FROM_PUPILS`` pupils
looking at many schools at once (every school, a partnership, an officer's own schools: ``KEPT_SCOPES``), figures
kept for the same schools, period and sections are shown with the time they were added up ("Figures as at 06:10");
the first to ask adds them up and keeps them. Every other scope's figures (one school's, a school user's own) are
kept briefly (schools.common.kept): in the cache for five minutes, or until the next register import finishes, also
saying when they were added up. A small LA's pages are always added up on request. (The line is drawn by size, not
by how long adding up took, so the same LA always behaves the same.)

Kept figures are added up again each night and, after a register import, once the imports have settled
(``REFRESH_DELAY_SECONDS``); the page says when registers have arrived since. A snapshot equals a fresh computation
made at the same moment (tests/reporting/test_snapshots.py). A snapshot is shared only between LA staff, who all see
every school; the traded-income section is kept apart for those who may read it.
"""

from __future__ import annotations

import datetime
import hashlib
import pickle  # nosec: the snapshots are written and read only by this module, from the service's own database
import time
from dataclasses import dataclass

from django.utils import timezone

from reporting import selectors as s
from reporting.models import FigureSnapshot
from schools.common.kept import KEEP_MINUTES, kept, kept_key
from schools.roles import Capability
from schools.scoping import is_la_user, visibility_key
from schools.selectors import is_large_la

# After a register import the kept figures are added up again once imports have settled for this long: a morning
# brings one file per school, and one refresh after the last is enough.
REFRESH_DELAY_SECONDS = 300
# The scopes whose figures are kept: those adding up many schools (reporting.selectors.Scope.kind). One school's are
# quick, and the page a user opens for the latest detail.
KEPT_SCOPES = ("la", "partnership", "mine")
# Kept figures nobody has opened for this long are not refreshed any more (and are dropped by the nightly refresh).
KEEP_UNREAD_DAYS = 14


@dataclass
class Figures:
    report: s.Report
    as_at: datetime.datetime | None = None  # None: added up for this request
    stale_since: datetime.datetime | None = None  # registers imported after as_at
    kept_minutes: int | None = None  # kept briefly (schools.common.kept), not refreshed by the nightly job


def snapshot_key(scope: s.Scope, period: s.ReportPeriod, sections, summary: bool) -> str | None:
    """The key LA staff share for the same figures; None for figures always added up on request."""
    if scope.kind not in KEPT_SCOPES or not is_la_user(scope.user):
        return None
    if not is_large_la():
        return None
    schools = "all" if scope.school_ids is None else ",".join(str(pk) for pk in sorted(scope.school_ids))
    traded = scope.user.can(Capability.INVOICE_TRADED)
    text = f"{scope.kind}|{schools}|{period.key}|{','.join(sections)}|{int(summary)}|{int(traded)}"
    return f"{scope.kind}:{period.key}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def brief_key(scope: s.Scope, period: s.ReportPeriod, sections, summary: bool) -> str | None:
    """The cache key for figures kept briefly (those snapshot_key does not keep), or None at a small LA. One school's
    figures (a school user's own dashboard, an LA officer's look at one school) take about 0.1 s to add up at a large
    LA, a page's whole budget under load. Figures rest on the schools counted, on which pupils the reader may see
    (schools.scoping.visibility_key), on whether the report is for LA staff (the LA-only sections), on whether the
    reader may read income and on the last register import."""
    if not is_large_la():
        return None
    from schools.attendance.freshness import registers_imported_at

    schools = "all" if scope.school_ids is None else ",".join(str(pk) for pk in sorted(scope.school_ids))
    return kept_key("report-figures", scope.kind, schools, visibility_key(scope.user), int(scope.la_audience),
                    int(scope.user.can(Capability.INVOICE_TRADED)), period.key, ",".join(sections), int(summary),
                    registers_imported_at())


def _kept_briefly(key: str, scope: s.Scope, period: s.ReportPeriod, sections, summary: bool) -> Figures:
    def add_up() -> s.Report:
        report = s.report_figures(scope, period, sections=sections, summary=summary)
        # Kept without the reader's scope and period (their user): the next reader's own are put back below.
        return s.Report(None, None, **{name: getattr(report, name) for name in s.SECTION_KEYS},
                        made_at=report.made_at)

    report, was_kept = kept(key, add_up)
    report.scope, report.period = scope, period
    if not was_kept:
        return Figures(report)  # added up for this request: nothing to say
    return Figures(report, as_at=report.made_at, kept_minutes=KEEP_MINUTES)


def report_figures_for(scope: s.Scope, period: s.ReportPeriod, *, sections, summary: bool = False) -> Figures:
    sections = list(sections)
    key = snapshot_key(scope, period, sections, summary)
    if key is None:
        brief = brief_key(scope, period, sections, summary)
        if brief is not None:
            return _kept_briefly(brief, scope, period, sections, summary)
    if key is not None:
        kept = FigureSnapshot.objects.filter(key=key).first()
        if kept is not None:
            FigureSnapshot.objects.filter(pk=kept.pk).update(last_read_at=timezone.now())
            report = pickle.loads(kept.figures)  # nosec: see the import
            report.scope, report.period = scope, period  # the reader's own scope object (their user)
            return Figures(report, as_at=kept.computed_at, stale_since=kept.stale_since)
    started = time.perf_counter()
    report = s.report_figures(scope, period, sections=sections, summary=summary)
    seconds = time.perf_counter() - started
    if key is not None:
        _keep(key, scope, period, sections, summary, report, seconds)
    return Figures(report)


def _keep(key, scope, period, sections, summary, report, seconds) -> FigureSnapshot:
    now = timezone.now()
    kept = s.Report(None, None, **{name: getattr(report, name) for name in s.SECTION_KEYS},
                    made_at=report.made_at)
    snapshot, _ = FigureSnapshot.objects.update_or_create(key=key, defaults={
        "user": scope.user, "scope_query": scope.query, "period_key": period.key, "sections": ",".join(sections),
        "summary": summary, "figures": pickle.dumps(kept), "computed_at": now, "seconds": seconds,
        "stale_since": None, "last_read_at": now})
    return snapshot


def refresh_snapshot(snapshot: FigureSnapshot) -> bool:
    """Add one snapshot's figures up again as its user; False (and the snapshot dropped) if it can no longer be
    asked for (the user left or lost LA access, the school or period is gone)."""
    user = snapshot.user
    try:
        if not user.is_active or not is_la_user(user):
            raise LookupError
        scope = s.scope_from_params(user, dict(snapshot.scope_query))
        period = s.report_period_for(snapshot.period_key)
    except Exception:  # Http404 for a school or period that is gone, LookupError above
        snapshot.delete()
        return False
    sections = snapshot.sections.split(",")
    started = time.perf_counter()
    report = s.report_figures(scope, period, sections=sections, summary=snapshot.summary)
    _keep(snapshot.key, scope, period, sections, snapshot.summary, report, time.perf_counter() - started)
    return True


def refresh_snapshots(*, only_stale: bool = False) -> int:
    """Nightly (every kept snapshot still being read) and after imports (only those registers arrived after)."""
    cutoff = timezone.now() - datetime.timedelta(days=KEEP_UNREAD_DAYS)
    FigureSnapshot.objects.filter(last_read_at__lt=cutoff).delete()
    snapshots = FigureSnapshot.objects.select_related("user")
    if only_stale:
        snapshots = snapshots.filter(stale_since__isnull=False)
    return sum(refresh_snapshot(snapshot) for snapshot in snapshots.order_by("pk"))


def mark_stale() -> int:
    """Registers were imported: every kept snapshot may be out of date (each adds up schools the import touched, or
    the whole LA)."""
    return FigureSnapshot.objects.filter(stale_since__isnull=True).update(stale_since=timezone.now())
