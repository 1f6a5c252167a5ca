"""An alert's evidence in words: one line for the list and the export, and the marks it lists for the alert page.

The evidence itself is the small JSON document cases.alerts.rules wrote when the rule fired; nothing here queries
the database, so a page of alerts is worded without a query per row.
"""

from __future__ import annotations

import datetime

from cases.alerts.kinds import AlertKind as Kind


def _day(text: str) -> str:
    try:
        day = datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text or "")
    return f"{day:%a} {day.day} {day:%b %Y}"


def _session(point: dict | None) -> str:
    point = point or {}
    return f"{_day(point.get('date', ''))} {point.get('session', '')}".strip()


def _plural(n, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(kind: str, evidence: dict) -> str:
    """One line saying what fired the rule, e.g. "4 sessions in a row marked N or O (3 N, 1 O): Fri 13 Nov 2026 PM
    to Tue 17 Nov 2026 AM"."""
    evidence = evidence or {}
    writer = _SUMMARIES.get(kind)
    return writer(evidence) if writer else ""


def _consecutive(e: dict) -> str:
    codes = ", ".join(f"{n} {code}" for code, n in (e.get("codes") or {}).items())
    return (f"{_plural(e.get('sessions', 0), 'session')} in a row marked N or O ({codes}): "
            f"{_session(e.get('from'))} to {_session(e.get('to'))}")


def _vulnerable(e: dict) -> str:
    marks = e.get("marks") or []
    latest = f"; latest {marks[0]['code']} on {_session(marks[0])}" if marks else ""
    why = "; ".join(e.get("why") or [])
    return (f"{why}: {_plural(e.get('sessions', 0), 'unauthorised session')} since {_day(e.get('window_from', ''))}"
            f"{latest}")


def _suspension(e: dict) -> str:
    why = "; ".join(e.get("why") or [])
    return f"{e.get('kind', 'Exclusion')} from {_day(e.get('start', ''))}, {e.get('length', '')}. {why}".strip()


def _absence(e: dict) -> str:
    return (f"{e.get('term', 'This term')}: absent {e.get('absent', 0)} of {e.get('possible', 0)} possible "
            f"sessions ({e.get('percent', '')}%)")


def _fall(e: dict) -> str:
    recent, before = e.get("recent") or {}, e.get("before") or {}
    return (f"{recent.get('percent', '')}% attendance over the last {e.get('weeks', '')} school weeks (since "
            f"{_day(e.get('window_from', ''))}) against {before.get('percent', '')}% in the "
            f"{before.get('term', 'term before')}: down {e.get('fall', '')} points")


_SUMMARIES = {
    Kind.CONSECUTIVE_UNEXPLAINED: _consecutive,
    Kind.VULNERABLE_UNAUTHORISED: _vulnerable,
    Kind.SUSPENSION_SOCIAL_WORKER: _suspension,
    Kind.PERSISTENT_ABSENCE: _absence,
    Kind.SEVERE_ABSENCE: _absence,
    Kind.ATTENDANCE_FALL: _fall,
}


def listed_marks(evidence: dict) -> list[str]:
    """The marks the evidence lists (unauthorised absences of a vulnerable child), newest first, in words."""
    return [f"{_session(mark)}: {mark.get('code', '')}" for mark in (evidence or {}).get("marks") or []]
