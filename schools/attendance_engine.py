"""Set-wise recompute of attendance summaries from the week rows (DESIGN.md, Attendance engine): two INSERT … SELECT …
GROUP BY statements, never a Python loop over marks. The same SQL runs on SQLite and PostgreSQL.

Counting follows the DfE method per enrolment (ref §1.4): possible sessions are every mark not in the not-counted
category; attendance is present + approved educational activity; absence is authorised + unauthorised; persistent
absence is absence ≥ 10% of possible (so exactly 10% is persistent), severe ≥ 50%. Week rows already carry their
counts (schools.attendance_weeks), so a term's summary is the sum of its weeks and a year's the sum of its terms.

Scopes: everything (the nightly job), some enrolments, or the (enrolment, term) pairs an import touched (listed in a
temporary table, so a 250,000-pupil import is one statement, not 250,000).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from schools.attendance_codes import PERSISTENT_ABSENCE_RATE, SEVERE_ABSENCE_RATE
from schools.attendance_weeks import COUNT_FIELDS
from schools.models import AttendanceSummary, AttendanceWeek

WEEKS = AttendanceWeek._meta.db_table
SUMMARIES = AttendanceSummary._meta.db_table
TOUCHED = "attendance_touched_terms"
BATCH = 500


def at_least_sql(rate, *, absent: str = "(authorised + unauthorised)", possible: str = "possible") -> str:
    """SQL condition "absence is at least this rate of possible sessions", compared in whole numbers
    (absent * 10 >= possible * 1 for 10%), so exactly 10.0% is persistent with no rounding. Every SQL aggregate
    that counts persistent or severe absence uses this."""
    numerator, denominator = rate.as_integer_ratio()
    return f"({possible} > 0 AND {absent} * {denominator} >= {possible} * {numerator})"


PERSISTENT_SQL = at_least_sql(PERSISTENT_ABSENCE_RATE)
SEVERE_SQL = at_least_sql(SEVERE_ABSENCE_RATE)
_COLUMNS = ", ".join(COUNT_FIELDS)
_SUMS = ", ".join(f"SUM({name}) AS {name}" for name in COUNT_FIELDS)

_INSERT = f"""
INSERT INTO {SUMMARIES} (enrolment_id, academic_year_id, term_id, {_COLUMNS}, is_persistent, is_severe)
SELECT enrolment_id, academic_year_id, term_id, {_COLUMNS}, {PERSISTENT_SQL}, {SEVERE_SQL}
FROM ({{counted}}) AS counted
"""
_TERM_ROWS = f"SELECT enrolment_id, academic_year_id, term_id, {_SUMS} FROM {WEEKS} w WHERE {{where}} " \
             f"GROUP BY enrolment_id, academic_year_id, term_id"
_YEAR_ROWS = f"SELECT enrolment_id, academic_year_id, CAST(NULL AS INTEGER) AS term_id, {_SUMS} FROM {SUMMARIES} s " \
             f"WHERE term_id IS NOT NULL AND {{where}} GROUP BY enrolment_id, academic_year_id"


def _execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def recompute_all() -> None:
    """Rebuild every summary from the week rows (the nightly job)."""
    # TRUNCATE (PostgreSQL) empties the table without a dead row per summary; it locks the table until commit,
    # which the nightly job can afford.
    _execute(f"TRUNCATE {SUMMARIES}" if connection.vendor == "postgresql" else f"DELETE FROM {SUMMARIES}")
    _execute(_INSERT.format(counted=_TERM_ROWS.format(where="1 = 1")))
    _execute(_INSERT.format(counted=_YEAR_ROWS.format(where="1 = 1")))


@transaction.atomic
def recompute_enrolments(enrolment_ids: Iterable[int]) -> int:
    """Rebuild the summaries of these enrolments only. Returns how many enrolments."""
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        where = f"enrolment_id IN ({', '.join(['%s'] * len(chunk))})"
        _execute(f"DELETE FROM {SUMMARIES} WHERE {where}", chunk)
        _execute(_INSERT.format(counted=_TERM_ROWS.format(where=where)), chunk)
        _execute(_INSERT.format(counted=_YEAR_ROWS.format(where=where)), chunk)
    return len(ids)


def create_touched_table(cursor) -> None:
    """A temporary list of (enrolment, term) pairs for recompute_touched, emptied or created for this transaction."""
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TOUCHED} (enrolment_id bigint, term_id bigint, "
                       f"academic_year_id bigint) ON COMMIT DELETE ROWS")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {TOUCHED} (enrolment_id integer, term_id integer, "
                       f"academic_year_id integer)")
        cursor.execute(f"DELETE FROM {TOUCHED}")


def recompute_touched() -> None:
    """Rebuild the term summaries of the pairs in the touched table, then the year summaries of their enrolments'
    years, from the term rows (so one day's import re-adds one term's weeks, not the year's)."""
    pair = f"EXISTS (SELECT 1 FROM {TOUCHED} t WHERE t.enrolment_id = {{alias}}.enrolment_id AND " \
           f"t.term_id = {{alias}}.term_id)"
    year = f"EXISTS (SELECT 1 FROM {TOUCHED} t WHERE t.enrolment_id = {{alias}}.enrolment_id AND " \
           f"t.academic_year_id = {{alias}}.academic_year_id)"
    _execute(f"DELETE FROM {SUMMARIES} WHERE term_id IS NOT NULL AND {pair.format(alias=SUMMARIES)}")
    _execute(_INSERT.format(counted=_TERM_ROWS.format(where=pair.format(alias="w"))))
    _execute(f"DELETE FROM {SUMMARIES} WHERE term_id IS NULL AND {year.format(alias=SUMMARIES)}")
    _execute(_INSERT.format(counted=_YEAR_ROWS.format(where=year.format(alias="s"))))
