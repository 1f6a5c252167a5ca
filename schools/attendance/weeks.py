"""How register marks are stored: one row per enrolment per week (DESIGN.md, Attendance engine).

A large LA has 250,000 pupils × 380 sessions a year. Stored one row per session that is 95 million rows a year, and
every import pays an index entry and a WAL record per session. Stored one row per enrolment per school week it is a
tenth of that, and each row carries its own counts, so summaries, rolling windows and the penalty-notice scan (which
counts *school weeks*) are plain sums over week rows.

A week row's ``marks`` is ten two-character slots, Monday AM to Friday PM: a one-character code is padded with a
space (``"/ "``), a two-character code fills its slot (``"C1"``), and a session with no mark is ``"--"`` (``-`` is never
a code, see attendance_codes.MISSING_MARK). So ``marks[2 * slot: 2 * slot + 2]`` is the slot's mark, in Python and
with SQL ``SUBSTR(marks, 2 * slot + 1, 2)`` alike.

Counts are worked out from the codes when a week is written (attendance_codes is the only place that says what a code
means); ``recompute_attendance --reclassify`` rewrites them if the tables change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from schools.attendance.codes import CODES, REGIME_CHANGE_DATE, Category, Regime, regime_for

SLOTS = 10
SLOT_WIDTH = 2
NO_MARK = "--"
EMPTY_WEEK = NO_MARK * SLOTS
ONE_DAY = datetime.timedelta(days=1)

# Count columns every week row (and every summary) carries, in this order.
COUNT_FIELDS = ("possible", "present", "aea", "authorised", "unauthorised", "not_counted", "late", "pn_sessions")
# "sessions": marks other than "#" (planned closure). A school week, for the penalty-notice window, is a week with at
# least one such session (PN2024, ref §3).
WEEK_FIELDS = (*COUNT_FIELDS, "sessions")
PLANNED_CLOSURE = "#"


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def slot_of(day: datetime.date, session: int) -> int:
    """0 for Monday AM … 9 for Friday PM. Weekends have no slot (the importer refuses them first)."""
    if day.weekday() >= 5:
        raise ValueError(f"{day} is a weekend day: registers have no sessions then.")
    return day.weekday() * 2 + session


def slot_date(monday: datetime.date, slot: int) -> datetime.date:
    return monday + datetime.timedelta(days=slot // 2)


def pad(code: str) -> str:
    return code.ljust(SLOT_WIDTH)


def slot_code(marks: str, slot: int) -> str | None:
    value = marks[SLOT_WIDTH * slot: SLOT_WIDTH * slot + SLOT_WIDTH]
    return None if value == NO_MARK else value.rstrip()


@dataclass(frozen=True)
class StoredMark:
    """One session's mark read back from a week row."""

    enrolment_id: int
    date: datetime.date
    session: int  # 0 AM, 1 PM
    code: str
    category: str
    counts_pn: bool


def decode(enrolment_id: int, monday: datetime.date, marks: str) -> list[StoredMark]:
    """The marks of one week row in slot order (sessions with no mark are left out)."""
    result = []
    for slot in range(SLOTS):
        code = slot_code(marks, slot)
        if code is None:
            continue
        day = slot_date(monday, slot)
        meaning = CODES[regime_for(day)][code]
        result.append(StoredMark(enrolment_id, day, slot % 2, code, meaning.category, meaning.pn_threshold))
    return result


# --- Code indexes, for vectorised imports -----------------------------------------------------------------------------
# Every code of either regime gets a small integer so an import can carry a mark in one byte and pack a week's ten
# slots into one 64-bit number (6 bits a slot). 0 is "no mark".

ALL_CODES: tuple[str, ...] = tuple(sorted({code for table in CODES.values() for code in table}))
CODE_INDEX: dict[str, int] = {code: index for index, code in enumerate(ALL_CODES, start=1)}
BITS_PER_SLOT = 6
if len(ALL_CODES) >= 1 << BITS_PER_SLOT:  # pragma: no cover - guards the packing if the tables grow
    raise ValueError("Too many attendance codes to pack six bits a slot.")


def week_counts(marks: str, monday: datetime.date) -> dict[str, int]:
    """Counts for one week's marks (the same rule the vectorised writer applies; tests compare the two)."""
    counts = dict.fromkeys(WEEK_FIELDS, 0)
    for slot in range(SLOTS):
        code = slot_code(marks, slot)
        if code is None:
            continue
        meaning = CODES[regime_for(slot_date(monday, slot))][code]
        _add(counts, meaning)
    return counts


def _add(counts: dict[str, int], meaning) -> None:
    if meaning.category != Category.NOT_COUNTED:
        counts["possible"] += 1
    counts[meaning.category] += 1
    counts["late"] += meaning.is_late
    counts["pn_sessions"] += meaning.pn_threshold
    counts["sessions"] += meaning.code != PLANNED_CLOSURE


def flags_by_index(regime: Regime) -> dict[str, list[int]]:
    """Per count field, a 0/1 list indexed by code index (index 0, no mark, counts nothing) for one regime; codes of
    the other regime count nothing (the importer has refused them already)."""
    table = CODES[regime]
    columns = {name: [0] * (len(ALL_CODES) + 1) for name in WEEK_FIELDS}
    for code, index in CODE_INDEX.items():
        meaning = table.get(code)
        if meaning is None:
            continue
        one = dict.fromkeys(WEEK_FIELDS, 0)
        _add(one, meaning)
        for name in WEEK_FIELDS:
            columns[name][index] = one[name]
    return columns


def regime_of_week(monday: datetime.date) -> Regime:
    """A week never straddles the regime change (19 August 2024 was a Monday in the summer holiday)."""
    return regime_for(monday)


if REGIME_CHANGE_DATE.weekday() != 0:  # pragma: no cover - a fact about the regulations, checked at start-up
    raise ValueError("The regime change must fall on a Monday for a week row to hold one regime's codes.")
