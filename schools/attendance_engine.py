"""Set-wise recompute of attendance summaries: one INSERT … SELECT … GROUP BY per table, never a Python loop over
marks (DESIGN.md, Attendance engine). The same SQL runs on SQLite and PostgreSQL.

Counting follows the DfE method per enrolment (ref §1.4): possible sessions are every mark not in the not-counted
category; attendance is present + approved educational activity; absence is authorised + unauthorised; persistent
absence is absence ≥ 10% of possible (so exactly 10% is persistent), severe ≥ 50%.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from schools.attendance_codes import PERSISTENT_ABSENCE_RATE, SEVERE_ABSENCE_RATE, Category
from schools.models import AttendanceCodeCount, AttendanceMark, AttendanceSummary

MARKS = AttendanceMark._meta.db_table
SUMMARIES = AttendanceSummary._meta.db_table
CODE_COUNTS = AttendanceCodeCount._meta.db_table
BATCH = 500



def at_least_sql(rate, *, absent: str = "(authorised + unauthorised)", possible: str = "possible") -> str:
    """SQL condition "absence is at least this rate of possible sessions", compared in whole numbers
    (absent * 10 >= possible * 1 for 10%), so exactly 10.0% is persistent with no rounding. Every SQL aggregate
    that counts persistent or severe absence uses this."""
    numerator, denominator = rate.as_integer_ratio()
    return f"({possible} > 0 AND {absent} * {denominator} >= {possible} * {numerator})"


PERSISTENT_SQL = at_least_sql(PERSISTENT_ABSENCE_RATE)
SEVERE_SQL = at_least_sql(SEVERE_ABSENCE_RATE)


def _count(category: str) -> str:
    return f"SUM(CASE WHEN category = '{category}' THEN 1 ELSE 0 END)"


_COUNTS = f"""
    SUM(CASE WHEN category <> '{Category.NOT_COUNTED}' THEN 1 ELSE 0 END) AS possible,
    {_count(Category.PRESENT)} AS present,
    {_count(Category.AEA)} AS aea,
    {_count(Category.AUTHORISED)} AS authorised,
    {_count(Category.UNAUTHORISED)} AS unauthorised,
    {_count(Category.NOT_COUNTED)} AS not_counted,
    SUM(CASE WHEN is_late THEN 1 ELSE 0 END) AS late,
    SUM(CASE WHEN counts_pn THEN 1 ELSE 0 END) AS pn_sessions
"""

_INSERT_SUMMARIES = f"""
INSERT INTO {SUMMARIES} (enrolment_id, academic_year_id, term_id, possible, present, aea, authorised, unauthorised,
                         not_counted, late, pn_sessions, is_persistent, is_severe)
SELECT enrolment_id, academic_year_id, term_id, possible, present, aea, authorised, unauthorised, not_counted, late,
       pn_sessions,
       {PERSISTENT_SQL},
       {SEVERE_SQL}
FROM (
    SELECT enrolment_id, academic_year_id, term_id, {_COUNTS}
    FROM {MARKS} WHERE {{where}} GROUP BY enrolment_id, academic_year_id, term_id
    UNION ALL
    SELECT enrolment_id, academic_year_id, NULL, {_COUNTS}
    FROM {MARKS} WHERE {{where}} GROUP BY enrolment_id, academic_year_id
) AS counted
"""

_INSERT_CODE_COUNTS = f"""
INSERT INTO {CODE_COUNTS} (enrolment_id, term_id, code, sessions)
SELECT enrolment_id, term_id, code, COUNT(*) FROM {MARKS} WHERE {{where}} GROUP BY enrolment_id, term_id, code
"""


def _run(where: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SUMMARIES} WHERE {where}", params)
        cursor.execute(f"DELETE FROM {CODE_COUNTS} WHERE {where}", params)
        # The WHERE appears twice in the summaries statement (term rows and year rows).
        cursor.execute(_INSERT_SUMMARIES.format(where=where), params + params)
        cursor.execute(_INSERT_CODE_COUNTS.format(where=where), params)


@transaction.atomic
def recompute_all() -> None:
    """Rebuild every summary from the marks (the nightly job)."""
    _run("1 = 1", [])


@transaction.atomic
def recompute_enrolments(enrolment_ids: Iterable[int]) -> int:
    """Rebuild the summaries of these enrolments only (after an import). Returns how many enrolments."""
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        _run(f"enrolment_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
    return len(ids)


@transaction.atomic
def recompute_for_import(import_id: int) -> None:
    """Rebuild the summaries of every enrolment that a given import wrote marks for."""
    where = f"enrolment_id IN (SELECT DISTINCT enrolment_id FROM {MARKS} WHERE source_id = %s)"
    _run(where, [import_id])
