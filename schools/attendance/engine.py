"""Set-wise recompute of attendance summaries from the week rows (DESIGN.md, Attendance engine): two INSERT … SELECT …
GROUP BY statements, never a Python loop over marks. The same SQL runs on SQLite and PostgreSQL.

Counting follows the DfE method per enrolment (ref §1.4): possible sessions are every mark not in the not-counted
category; attendance is present + approved educational activity; absence is authorised + unauthorised; persistent
absence is absence ≥ 10% of possible (so exactly 10% is persistent), severe ≥ 50%. Week rows already carry their
counts (schools.attendance.weeks), so a term's summary is the sum of its weeks and a year's the sum of its terms.

Scopes: everything (the nightly job) or some enrolments; an import instead adds the change it made to each touched
(enrolment, term) to the stored summaries (apply_deltas), so its cost follows the weeks it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection, transaction

from schools.attendance.codes import PERSISTENT_ABSENCE_RATE, SEVERE_ABSENCE_RATE
from schools.attendance.weeks import COUNT_FIELDS
from schools.models import AttendanceSummary, AttendanceWeek, Term

WEEKS = AttendanceWeek._meta.db_table
SUMMARIES = AttendanceSummary._meta.db_table
TERMS = Term._meta.db_table
DELTAS = "attendance_summary_deltas"
BATCH = 500
# The lock every write of week rows or summaries takes (an import's, the nightly rebuild's), held to the end of its
# transaction: two imports for the same pupils cannot interleave their merges, and the rebuild cannot total the weeks
# before an import commits and then write the older totals over the summaries that import brought up to date.
WRITE_LOCK = 7_451_003


def hold_write_lock() -> None:
    """Wait for, then hold until the transaction ends, the register write lock (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        _execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])


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
_QUALIFIED = ", ".join(f"w.{name}" for name in COUNT_FIELDS)
# Sums cast back to the summaries' integer columns: SUM of a bigint (what SUM of the weeks' smallints gives) adds up
# in numeric, a third slower over a whole LA's term rows than SUM of an integer.
_INTEGER_SUMS = ", ".join(f"CAST(SUM({name}) AS integer) AS {name}" for name in COUNT_FIELDS)

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
    hold_write_lock()
    if connection.vendor != "postgresql":
        _execute(f"DELETE FROM {SUMMARIES}")
        _execute(_INSERT.format(counted=_TERM_ROWS.format(where="1 = 1")))
        _execute(_INSERT.format(counted=_YEAR_ROWS.format(where="1 = 1")))
        return
    # PostgreSQL runs the GROUP BY over every week row in parallel only for CREATE TABLE AS, not for INSERT … SELECT,
    # so the term totals are built in a temporary table first, and the year totals from those. The stored summaries
    # are then brought into line with them: rows that differ are updated, missing ones inserted, ones with no marks
    # behind them deleted. Imports keep the summaries up to date as they write, so the nightly rebuild usually finds
    # nothing to change and writes nothing; and, unlike emptying and reloading the table, it never locks readers out.
    for name in ("attendance_wanted", "attendance_differences"):
        _execute(f"DROP TABLE IF EXISTS {name}")
    # Every summary the marks call for: the term rows, then each year's as the sum of its terms. The weeks are
    # grouped by enrolment and term alone and each term's year joined on afterwards (a term belongs to one year):
    # one key column fewer in the hash of every week row is 7% of the rebuild.
    _execute(f"CREATE TEMPORARY TABLE attendance_wanted ON COMMIT DROP AS SELECT w.enrolment_id, t.academic_year_id, "
             f"w.term_id, {_QUALIFIED} FROM (SELECT enrolment_id, term_id, {_INTEGER_SUMS} FROM {WEEKS} "
             f"GROUP BY enrolment_id, term_id) AS w JOIN {TERMS} t ON t.id = w.term_id")
    _execute(f"INSERT INTO attendance_wanted SELECT enrolment_id, academic_year_id, NULL, {_INTEGER_SUMS} "
             f"FROM attendance_wanted GROUP BY enrolment_id, academic_year_id")
    # One pass over both sides (a full join on the summary's key, a year row's term taken as 0) keeps the rows that
    # differ: stored but not wanted (s_id only), wanted but not stored (no s_id), or stored with other values.
    flags = _flag_values("w")
    stored = ", ".join(f"s.{n}" for n in (*COUNT_FIELDS, "is_persistent", "is_severe"))
    computed = ", ".join([*(f"w.{n}" for n in COUNT_FIELDS), *flags])
    _execute(f"CREATE TEMPORARY TABLE attendance_differences ON COMMIT DROP AS "
             f"SELECT s.id AS s_id, w.enrolment_id, w.academic_year_id, w.term_id, "
             f"{', '.join('w.' + n for n in COUNT_FIELDS)} FROM {SUMMARIES} s FULL JOIN attendance_wanted w "
             f"ON s.enrolment_id = w.enrolment_id AND s.academic_year_id = w.academic_year_id "
             f"AND COALESCE(s.term_id, 0) = COALESCE(w.term_id, 0) "
             f"WHERE s.id IS NULL OR w.enrolment_id IS NULL OR ({stored}) IS DISTINCT FROM ({computed})")
    _execute(f"DELETE FROM {SUMMARIES} WHERE id IN "
             f"(SELECT s_id FROM attendance_differences WHERE enrolment_id IS NULL)")
    assignments = ", ".join([*(f"{n} = w.{n}" for n in COUNT_FIELDS), f"is_persistent = {flags[0]}",
                             f"is_severe = {flags[1]}"])
    _execute(f"UPDATE {SUMMARIES} s SET {assignments} FROM attendance_differences w "
             f"WHERE s.id = w.s_id AND w.enrolment_id IS NOT NULL")
    _execute(_INSERT.format(counted=f"SELECT enrolment_id, academic_year_id, term_id, {_COLUMNS} "
                                    f"FROM attendance_differences WHERE s_id IS NULL"))


def _flag_values(alias: str) -> tuple[str, str]:
    """The PA and SA tests over a row of counts under ``alias`` (the rule of _INSERT, qualified)."""
    absent, possible = f"({alias}.authorised + {alias}.unauthorised)", f"{alias}.possible"
    return (at_least_sql(PERSISTENT_ABSENCE_RATE, absent=absent, possible=possible),
            at_least_sql(SEVERE_ABSENCE_RATE, absent=absent, possible=possible))


@transaction.atomic
def recompute_enrolments(enrolment_ids: Iterable[int]) -> int:
    """Rebuild the summaries of these enrolments only. Returns how many enrolments."""
    hold_write_lock()
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        where = f"enrolment_id IN ({', '.join(['%s'] * len(chunk))})"
        _execute(f"DELETE FROM {SUMMARIES} WHERE {where}", chunk)
        _execute(_INSERT.format(counted=_TERM_ROWS.format(where=where)), chunk)
        _execute(_INSERT.format(counted=_YEAR_ROWS.format(where=where)), chunk)
    return len(ids)


def create_delta_table(cursor) -> None:
    """A temporary table for one write's changes to the counts, per (enrolment, term), emptied or created for this
    transaction; the writer fills it and apply_deltas adds it to the summaries."""
    columns = ", ".join(f"{name} integer" for name in COUNT_FIELDS)
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {DELTAS} (enrolment_id bigint, term_id bigint, "
                       f"academic_year_id bigint, {columns}) ON COMMIT DELETE ROWS")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {DELTAS} (enrolment_id integer, term_id integer, "
                       f"academic_year_id integer, {columns})")
    # Two writes in one transaction (a held CTF pupil resolved with another, or a test) must not see each other's.
    cursor.execute(f"DELETE FROM {DELTAS}")


def _flags(source: str, delta: str) -> str:
    absent = f"({source}.authorised + {delta}.authorised + {source}.unauthorised + {delta}.unauthorised)"
    possible = f"({source}.possible + {delta}.possible)"
    return (f"is_persistent = {at_least_sql(PERSISTENT_ABSENCE_RATE, absent=absent, possible=possible)}, "
            f"is_severe = {at_least_sql(SEVERE_ABSENCE_RATE, absent=absent, possible=possible)}")


def apply_deltas(*, term_rows: int | None = None, year_rows: int | None = None) -> None:
    """Add one write's count changes to the term summaries and their year summaries, creating rows that do not exist
    yet, with the PA/SA flags worked out from the new totals. The work is proportional to the weeks written, not the
    weeks stored, so one more day for every pupil costs one day's rows. (The nightly recompute_all rebuilds everything
    from the week rows by the same rules.)

    ``term_rows`` and ``year_rows`` are how many (enrolment, term) rows the delta table holds and how many
    (enrolment, year) pairs they make, when the writer knows: once that many summaries have been updated, none can be
    missing and the search for rows to create is skipped. Without them it always runs."""
    if term_rows is not None and term_rows == year_rows:
        # Each (enrolment, year) has one term's row (a day's or a week's registers: every import that stays within
        # one term), so the year changes are the term changes as they stand. Grouping and sorting them again cost a
        # day's import at 50,000 pupils 0.07 s of its 0.25 s year update, spilling to disk past work_mem.
        years = f"SELECT enrolment_id, academic_year_id, {_COLUMNS} FROM {DELTAS}"
    else:
        sums = ", ".join(f"SUM({name}) AS {name}" for name in COUNT_FIELDS)
        # In enrolment order: the update walks the year index once from end to end, and new year rows lie together.
        years = (f"SELECT enrolment_id, academic_year_id, {sums} FROM {DELTAS} GROUP BY enrolment_id, "
                 f"academic_year_id ORDER BY enrolment_id")
    levels = (
        (f"SELECT * FROM {DELTAS}", "s.term_id IS NOT NULL AND s.term_id = d.term_id", "d.term_id", term_rows),
        (years, "s.term_id IS NULL AND s.academic_year_id = d.academic_year_id", "CAST(NULL AS INTEGER)", year_rows),
    )
    plus = ", ".join(f"{name} = {SUMMARIES}.{name} + d.{name}" for name in COUNT_FIELDS)
    with connection.cursor() as cursor, _row_by_row_joins():
        for rows, match, term, expected in levels:
            # Most days every summary exists (a term's rows are created by its first day), so a plain UPDATE adds the
            # changes: unlike INSERT … ON CONFLICT DO UPDATE it does not first try an insert and lock each row it
            # then updates (a quarter of their time at 250,000 pupils, 15% at 50,000). Rows it did not find are
            # then created.
            # No other write can create them in between: every write of summaries holds the register write lock.
            cursor.execute(f"UPDATE {SUMMARIES} SET {plus}, {_flags(SUMMARIES, 'd')} FROM ({rows}) AS d "
                           f"WHERE {SUMMARIES}.enrolment_id = d.enrolment_id AND "
                           f"{match.replace('s.', SUMMARIES + '.')}")
            if expected is not None and cursor.rowcount >= expected:
                continue
            cursor.execute(_INSERT.format(counted=(
                f"SELECT d.enrolment_id, d.academic_year_id, {term} AS term_id, "
                f"{', '.join('d.' + name for name in COUNT_FIELDS)} FROM ({rows}) AS d WHERE NOT EXISTS ("
                f"SELECT 1 FROM {SUMMARIES} s WHERE s.enrolment_id = d.enrolment_id AND {match})")))


def _row_by_row_joins():
    """PostgreSQL: join the delta rows to the summaries one row at a time through the summaries' unique indexes.
    The delta table has no statistics (ANALYZE would cost a day's import more than it saves), and sized from its
    pages the planner would hash every stored summary (1,000,000 rows at 250,000 pupils) to update a day's quarter of
    them."""
    return planner_settings(enable_hashjoin="off", enable_mergejoin="off")


@contextmanager
def planner_settings(**settings: str):
    """PostgreSQL: these planner settings (``enable_hashjoin="off"``, say) for the statements run inside, then put
    back as they were, so the rest of the transaction is planned as usual. Call inside a transaction (the settings
    are transaction-local); elsewhere it changes nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    names = list(settings)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
        before = cursor.fetchone()

        def assign(values) -> None:
            cursor.execute(f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(names))}",
                           [part for pair in zip(names, values, strict=True) for part in pair])

        assign([settings[name] for name in names])
        try:
            yield
        except BaseException:
            # The statement that failed may have aborted the transaction, which then refuses the statement putting
            # the settings back (and rolling back takes them with it): the original error is the one to raise.
            with suppress(DatabaseError):
                assign(before)
            raise
        assign(before)
