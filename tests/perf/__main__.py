"""`make bench`: the attendance engine's speed at LA scale on PostgreSQL, each figure beside its reference measured in
the same run on the same data, with the issue's limit. Exits 1 if any limit is missed.

    python -m tests.perf [--pupils 50000] [--days 190] [--keep]

It builds a throwaway database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/casework_bench),
generates an LA of N pupils with a year of term dates and a register CSV of N × days × 2 sessions, then times:

1. the app's import of that CSV (the background job's own code, in a fresh process so its peak memory is its own)
   against a bare COPY of the same file into an unindexed table of text columns: ratio ≤ 3, peak memory ≤ 1 GiB;
2. a full recompute of every summary against one hand-written GROUP BY over the same stored marks, on tables
   vacuumed as autovacuum leaves them, the reference timed before and after and the faster kept: ratio ≤ 1.5;
3. an incremental import of one more day for every pupil (import and recompute): <= 1 s at 50,000 pupils and
   <= 3 s at 250,000 (linear between and beyond), beside its reference, a bare COPY of that day's rows plus one
   summary upsert of the weeks they touch (rolled back); then the threshold worklist's refresh the import queues
   for a worker, against the whole threshold scan: ratio <= 1;
4. the penalty-notice threshold scan against a hand-written window query over the same marks: ratio ≤ 1.5;
5. recording every pupil one export names (tests/perf/audit.py), the whole LA's pupils, against a bare
   INSERT ... SELECT of their ids into an unindexed table: ratio <= 4 and <= 2 s;
6. the early-warning evaluation (tests/perf/alerts.py), every rule for every pupil as the nightly job runs it, against
   one hand-written SQL statement answering the same six questions over the same marks and summaries: ratio <= 2;
7. the LA-wide termly report (tests/perf/report.py), on the same LA with characteristics, last year, exclusions,
   cases and notices added set-wise: ≤ 15 s at 250,000 pupils (skip with --no-report);
8. a bounded load test (tests/perf/load.py): 20 concurrent users on mixed journeys against gunicorn on loopback for
   --load-seconds (60): p95 ≤ 150 ms on every list and profile page, no errors (skip with --no-load).
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casework_bench"
GIB = 1 << 30


@dataclass
class Result:
    name: str
    value: float
    unit: str
    reference: str
    limit: str
    ok: bool


def _prepare_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: the benchmark times the work, not a queue
    os.environ["JOBS_IN_BACKGROUND_THREAD"] = "false"  # ... within the call that starts them, not in a thread
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def _bare_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_copy")
        cursor.execute("CREATE TABLE bench_bare_copy (upn text, school text, date text, session text, code text)")
    start = time.perf_counter()
    with connection.cursor() as cursor, path.open("rb") as stream:
        with cursor.cursor.copy("COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while block := stream.read(1 << 20):
                copy.write(block)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_copy")
    return elapsed


def _app_import(path: Path, url: str) -> tuple[float, int, str]:
    """Run the import job's code on ``path`` in a child process; (seconds, its peak RSS in bytes, job message)."""
    # A broker nobody reads (kombu's in-memory transport): what the import queues for afterwards (the threshold
    # worklist's refresh) waits for a worker, as in production, instead of running inline as with no broker at all;
    # the benchmark times it on its own (below).
    done = subprocess.run([sys.executable, "-m", "tests.perf.import_one", str(path)], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": "memory://",
                               "CELERY_RESULT_BACKEND": "cache+memory://"}, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("The app import failed; see above.")
    seconds, peak_kib, message = done.stdout.strip().splitlines()[-1].split(" ", 2)
    return float(seconds), int(peak_kib) * 1024, message


def _vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _reference_group_by() -> float:
    from django.db import connection

    from schools.models import AttendanceWeek

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE TEMPORARY TABLE bench_reference AS
            SELECT enrolment_id, term_id, SUM(possible) AS possible, SUM(present) AS present, SUM(aea) AS aea,
                   SUM(authorised) AS authorised, SUM(unauthorised) AS unauthorised, SUM(late) AS late,
                   SUM(pn_sessions) AS pn_sessions
            FROM {AttendanceWeek._meta.db_table} GROUP BY enrolment_id, term_id""")
        cursor.execute("DROP TABLE bench_reference")
    return time.perf_counter() - start


def _reference_pn_scan(start, end) -> float:
    """The threshold's core by hand: each week row's G/N/O/U sessions summed over the ten school weeks (the LA
    calendar's weeks with a session, as an ordinal) ending with it, the first reaching 10 kept per pupil."""
    from django.db import connection

    from schools.attendance.selectors import PN_LOOKBACK, school_weeks
    from schools.models import AttendanceWeek

    started = time.perf_counter()
    weeks = school_weeks(start - PN_LOOKBACK, end)[0]
    date = "DATE '{}'" if connection.vendor == "postgresql" else "'{}'"
    values = ", ".join(f"({date.format(monday.isoformat())}, {n})" for n, monday in enumerate(weeks))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH school_week(week_start, n) AS (VALUES {values})
            SELECT enrolment_id, MIN(n) FROM (
                SELECT w.enrolment_id, sw.n,
                       SUM(w.pn_sessions) OVER (PARTITION BY w.enrolment_id ORDER BY sw.n
                                                RANGE BETWEEN 9 PRECEDING AND CURRENT ROW) AS in_window
                FROM {AttendanceWeek._meta.db_table} w JOIN school_week sw ON sw.week_start = w.week_start
                WHERE w.week_start BETWEEN %s AND %s) x
            WHERE in_window >= 10 GROUP BY enrolment_id""", [weeks[0], end])
        cursor.fetchall()
    return time.perf_counter() - started


def _reference_day(path: Path, monday: datetime.date) -> float:
    """What one day's registers must cost at least: a bare COPY of the day's rows into an unindexed table of text
    columns, and one upsert of the summaries of the week they fall in (the week's counts, per pupil and term), in one
    transaction that is then rolled back so the stored summaries stay as the import left them."""
    from django.db import connection, transaction

    from schools.attendance import engine as attendance_engine
    from schools.attendance.weeks import COUNT_FIELDS

    columns = ", ".join(COUNT_FIELDS)
    sums = ", ".join(f"SUM({name})" for name in COUNT_FIELDS)
    replace = ", ".join(f"{name} = EXCLUDED.{name}" for name in COUNT_FIELDS)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_day_copy (upn text, school text, date text, session text, "
                       "code text) ON COMMIT DROP")
        with path.open("rb") as stream, cursor.cursor.copy(
                "COPY bench_day_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while block := stream.read(1 << 20):
                copy.write(block)
        cursor.execute(f"""
            INSERT INTO {attendance_engine.SUMMARIES} (enrolment_id, academic_year_id, term_id, {columns},
                                                       is_persistent, is_severe)
            SELECT enrolment_id, academic_year_id, term_id, {sums}, false, false FROM {attendance_engine.WEEKS}
            WHERE week_start = %s GROUP BY enrolment_id, academic_year_id, term_id
            ON CONFLICT (enrolment_id, term_id) WHERE term_id IS NOT NULL DO UPDATE SET {replace}""", [monday])
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def day_limit(pupils: int) -> float:
    """Seconds one more day for every pupil may take: 1 s at 50,000 pupils, 3 s at 250,000, linear between and
    beyond (1 s below 50,000)."""
    return max(1.0, 1.0 + 2.0 * (pupils - 50_000) / 200_000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=190, help="school days in the year's file (at most 196)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--no-report", action="store_true",
                        help="skip the reporting measure (tests/perf/report.py: the LA-wide termly PDF)")
    parser.add_argument("--no-load", action="store_true",
                        help="skip the load test (tests/perf/load.py: 20 users against gunicorn)")
    parser.add_argument("--load-seconds", type=int, default=60, help="how long the load test runs")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    print(f"Benchmark LA: {args.pupils:,} pupils x {args.days} school days x 2 sessions on {urlparse(url).hostname}")
    _prepare_database(url)
    _setup_django(url)

    from tests.perf import la

    generated = la.build(args.pupils)
    days = generated.school_days[: args.days + 1]  # the year's days, then one more for the incremental import
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        year_file = Path(folder) / "registers.csv"
        rows = la.write_csv(year_file, days[:-1])
        size = year_file.stat().st_size
        print(f"Register CSV: {rows:,} rows, {size / 1e6:,.0f} MB, {generated.schools} schools")
        copy_seconds = _bare_copy(year_file)
        import_seconds, peak, message = _app_import(year_file, url)
        print(f"  import: {message}")
        ratio = import_seconds / copy_seconds
        results.append(Result("CSV import (app)", import_seconds, "s", f"bare COPY {copy_seconds:.1f} s",
                              f"ratio {ratio:.2f} <= 3", ratio <= 3))
        results.append(Result("CSV import peak memory", peak / GIB, "GiB", "", "<= 1 GiB", peak <= GIB))

        from schools.attendance import engine as attendance_engine

        # Vacuumed first, as autovacuum leaves the tables after an import: otherwise whichever statement reads the
        # new rows first also sets their hint bits (rewriting every page), and the other gets them for free. The
        # reference runs before and after the rebuild, and the faster counts.
        _vacuum(attendance_engine.WEEKS, attendance_engine.SUMMARIES)
        reference_seconds = _reference_group_by()
        recompute_seconds, _ = _timed(attendance_engine.recompute_all)
        reference_seconds = min(reference_seconds, _reference_group_by())
        ratio = recompute_seconds / reference_seconds
        results.append(Result("Full recompute", recompute_seconds, "s", f"one GROUP BY {reference_seconds:.2f} s",
                              f"ratio {ratio:.2f} <= 1.5", ratio <= 1.5))

        # The worklist's kept run for the year, as the nightly job leaves it, for the import's follow-up to update.
        from schools.attendance import selectors as attendance_selectors
        from schools.attendance import threshold

        year = attendance_selectors.Period("bench", "2025/26", days[0], days[-1])
        threshold.run_for(year)
        next_day = Path(folder) / "next-day.csv"
        la.write_csv(next_day, days[-1:], seed=2)
        day_seconds, _, message = _app_import(next_day, url)
        print(f"  next day: {message}")
        monday = days[-1] - datetime.timedelta(days=days[-1].weekday())
        reference_seconds = _reference_day(next_day, monday)
        limit = day_limit(args.pupils)
        results.append(Result("Import one more day (all pupils)", day_seconds, "s",
                              f"COPY + upsert {reference_seconds:.2f} s",
                              f"ratio {day_seconds / reference_seconds:.1f}; <= {limit:g} s", day_seconds <= limit))
        # The import's follow-up task (schools.attendance.tasks), which a worker runs once the marks are committed.
        from schools.models import School

        refresh_seconds, _ = _timed(threshold.refresh_schools, list(School.objects.values_list("pk", flat=True)),
                                    since=monday)

    from schools.attendance import selectors
    from schools.models import User

    user = User.objects.create(username="bench-officer", role="la_officer")
    period = selectors.Period("bench", "2025/26", days[0], days[-1])
    scan_seconds, windows = _timed(selectors.pn_threshold_windows, user, period)
    reference_seconds = _reference_pn_scan(days[0], days[-1])
    ratio = scan_seconds / reference_seconds
    results.append(Result("Penalty-notice threshold scan", scan_seconds, "s",
                          f"window query {reference_seconds:.2f} s", f"ratio {ratio:.2f} <= 1.5", ratio <= 1.5))
    print(f"  {len(windows):,} pupils at the penalty-notice threshold")
    ratio = refresh_seconds / scan_seconds
    results.append(Result("Worklist refresh after the day (task)", refresh_seconds, "s",
                          f"the whole scan {scan_seconds:.2f} s", f"ratio {ratio:.2f} <= 1", ratio <= 1))

    # Export audit (issue 19): one export naming every pupil in the LA records each of them.
    from tests.perf import audit

    results += audit.measure(Result)

    # Early-warning alerts (issue 15): every rule for every pupil, as the nightly job runs them.
    from tests.perf import alerts

    results += alerts.measure(Result)

    # Reporting (issue 8), on the same LA and registers: the LA-wide termly PDF, limit 15 s at 250,000 pupils.
    if not args.no_report:
        from tests.perf import report

        results += report.measure(days[:-1], Result)

    # Production hardening (issue 9): the pages people use, under 20 concurrent users, on the same LA.
    if not args.no_load:
        from tests.perf import load, report

        if args.no_report:
            report.enrich(days[:-1])  # cases, exclusions and notices for the case and exclusion pages
        results += load.measure(Result, url, args.load_seconds)

    print()
    print(f"{'Measure':36} {'Figure':>10}  {'Reference':28} {'Limit':22} Result")
    for result in results:
        print(f"{result.name:36} {result.value:>8.2f} {result.unit:3} {result.reference:28} {result.limit:22} "
              f"{'met' if result.ok else 'MISSED'}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _drop(url)
    missed = [r.name for r in results if not r.ok]
    print("\nAll limits met." if not missed else f"\nMissed: {', '.join(missed)}")
    return 1 if missed else 0


def _drop(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}"')


if __name__ == "__main__":
    sys.exit(main())
