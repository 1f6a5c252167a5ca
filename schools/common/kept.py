"""Figures kept briefly at a large LA: one rule for how long, how they are named and how they are read.

At an LA with at least ``settings.REPORT_SNAPSHOT_FROM_PUPILS`` pupils, a few figures take a page's whole budget to
work out (adding up 250,000 pupils' summaries, counting 170,000 pupils behind a figure, 1,250 schools' calendars).
Those are kept in the cache for ``KEEP_SECONDS``, or until what they rest on changes, whichever is sooner: the caller
puts that in the key (the time registers were last imported, say), so a new import names new figures and the old
ones are never read again. The pages that show kept figures say when they were added up.

Used by the attendance overview and its pupils-behind counts (schools.attendance.lists), the schools behind with
their registers (schools.attendance.freshness), one school's dashboard (reporting.snapshots) and the home page's
count of the pupils LA staff can see (schools.selectors.pupil_count).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

# Five minutes: long enough that 20 people opening the same dashboard after a morning's imports add it up once, short
# enough that a record made since (a suspension, a closed case) shows within a coffee break. The pages say so.
KEEP_SECONDS = 300
KEEP_MINUTES = KEEP_SECONDS // 60

T = TypeVar("T")


def kept_key(kind: str, *parts) -> str:
    """A cache key for figures of ``kind`` resting on ``parts`` (each written with str): the same parts name the same
    figures, and any difference (another reader's scope, another period, a later import) names others. The parts
    are written as a JSON list, so text moved from one part to the next (a filter value a user typed) cannot make one
    reader's key another's."""
    text = json.dumps([str(part) for part in parts])
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def kept(key: str, work_out: Callable[[], T], *, again: bool = False) -> tuple[T, bool]:
    """(the figures under ``key``, True) if they are kept; else (``work_out()``, False), keeping them for next time.
    ``again`` works them out even if kept ("add them up again now"), and keeps the new ones in their place."""
    if not again:
        value = cache.get(key)
        if value is not None:
            return value, True
    value = work_out()
    cache.set(key, value, KEEP_SECONDS)
    return value, False
