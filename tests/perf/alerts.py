"""Issue 15: the early-warning evaluation for every pupil (cases.alerts.services.evaluate_alerts: every rule, as the
nightly task runs it), timed against one hand-written SQL statement over the same marks and summaries that answers
the same six questions (_reference). Limit: the nightly run (every alert already open, so nothing to write, which is
what most nights are) at most twice that statement; the first run, which opens and words every alert, is shown
beside it.

On the benchmark LA (tests/perf/la.py) as of the last day of its registers, with one pupil in 20 looked after, one in
30 a child in need, one in 25 with an EHC plan and one in 100 (looked after) suspended in the last fortnight, so
every rule has pupils to find. All of that, and the alerts, are rolled back afterwards: the measures after this one
see the LA as it was."""

from __future__ import annotations

import datetime
import time


class _RolledBack(Exception):
    pass


def _characteristics_and_suspensions(today: datetime.date) -> None:
    from django.db import connection
    from django.db.models import F

    from schools.models import Enrolment, Exclusion, Pupil

    table = Pupil._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET looked_after = (id % 20 = 0), cin_cp = CASE WHEN id % 30 = 0 THEN 'cin' "
                       f"ELSE '' END, sen_status = CASE WHEN id % 25 = 0 THEN 'E' ELSE sen_status END")
    start = today - datetime.timedelta(days=10)
    Exclusion.objects.bulk_create([
        Exclusion(pupil_id=pupil_id, school_id=school_id, kind="suspension", start_date=start, length_sessions=2,
                  reason_1="VA", notice_date=start, end_date=start, days=1)
        for pupil_id, school_id in Enrolment.objects.annotate(every=F("pupil_id") % 100).filter(every=0)
        .values_list("pupil_id", "school_id")], batch_size=5000)


def _reference(today: datetime.date) -> float:
    """The same six questions written by hand as one statement (UNION ALL of each rule's core, on the LA calendar the
    benchmark LA keeps; no evidence, no episodes, nothing written): who has 3 N/O sessions in a row in the last 2
    school weeks (the slots of pupils with 3 unauthorised sessions there unfolded, gaps and islands), a vulnerable
    pupil's unauthorised absence in the last 2,
    a recent suspension of a child with a social worker, persistent and severe absence this term, and a fall of 5
    points over the last 4 school weeks against the term before."""
    from django.db import connection

    from cases.alerts.rules import window_starts
    from cases.models import AlertRule
    from schools.models import AttendanceSummary, AttendanceWeek, Enrolment, Exclusion, Pupil, Term
    from schools.school_days import current_la_term, la_terms

    figures = {rule.key: rule for rule in AlertRule.objects.all()}
    run, vulnerable = figures["unexplained-in-a-row"], figures["vulnerable-unauthorised"]
    suspended, pa, sa = figures["suspension-social-worker"], figures["persistent-absence-term"], \
        figures["severe-absence-term"]
    fall = figures["attendance-fall"]
    term = current_la_term(today)
    before = la_terms().filter(start_date__lt=term.start_date).order_by("-start_date").first()
    weeks, enrolments, pupils = (AttendanceWeek._meta.db_table, Enrolment._meta.db_table, Pupil._meta.db_table)
    summaries, terms = AttendanceSummary._meta.db_table, Term._meta.db_table
    current = "e.start_date <= %(today)s AND (e.end_date IS NULL OR e.end_date >= %(today)s)"
    slots = ", ".join(f"({n})" for n in range(10))
    params = {"today": today, "run_from": window_starts(run.weeks, today)[0], "run": run.sessions,
              "vulnerable_from": window_starts(vulnerable.weeks, today)[0], "vulnerable": vulnerable.sessions,
              "suspended_from": today - datetime.timedelta(weeks=suspended.weeks), "pa": pa.sessions,
              "sa": sa.sessions, "term": term.name, "year": term.academic_year_id, "before": before.name,
              "before_year": before.academic_year_id, "fall_from": window_starts(fall.weeks, today)[0],
              "points": fall.points}
    sql = f"""
        WITH slot(n) AS (VALUES {slots}),
        candidates AS (
            SELECT w.enrolment_id FROM {weeks} w JOIN {enrolments} e ON e.id = w.enrolment_id
            WHERE {current} AND w.week_start BETWEEN %(run_from)s AND %(today)s
            GROUP BY w.enrolment_id HAVING SUM(w.unauthorised) >= %(run)s
        ),
        sessions AS (
            SELECT w.enrolment_id, w.week_start, s.n, SUBSTR(w.marks, 2 * s.n + 1, 2) AS mark
            FROM {weeks} w JOIN candidates c ON c.enrolment_id = w.enrolment_id CROSS JOIN slot s
            WHERE w.week_start BETWEEN %(run_from)s AND %(today)s
              AND SUBSTR(w.marks, 2 * s.n + 1, 2) NOT IN ('--', '# ')
        ),
        islands AS (
            SELECT enrolment_id, mark IN ('N ', 'O ') AS unexplained,
                   ROW_NUMBER() OVER (PARTITION BY enrolment_id ORDER BY week_start, n)
                   - ROW_NUMBER() OVER (PARTITION BY enrolment_id, mark IN ('N ', 'O ') ORDER BY week_start, n)
                   AS island
            FROM sessions
        )
        SELECT COUNT(*) FROM (
            SELECT enrolment_id FROM islands WHERE unexplained GROUP BY enrolment_id, island
            HAVING COUNT(*) >= %(run)s
            UNION ALL
            SELECT w.enrolment_id FROM {weeks} w JOIN {enrolments} e ON e.id = w.enrolment_id
                JOIN {pupils} p ON p.id = e.pupil_id
            WHERE {current} AND (p.looked_after OR p.cin_cp <> '' OR p.sen_status = 'E')
              AND w.week_start BETWEEN %(vulnerable_from)s AND %(today)s
            GROUP BY w.enrolment_id HAVING SUM(w.unauthorised) >= %(vulnerable)s
            UNION ALL
            SELECT x.pupil_id FROM {Exclusion._meta.db_table} x JOIN {pupils} p ON p.id = x.pupil_id
            WHERE x.cancelled_on IS NULL AND x.start_date >= %(suspended_from)s
              AND (p.looked_after OR p.cin_cp <> '' OR p.social_worker_name <> '')
            UNION ALL
            SELECT s.enrolment_id FROM {summaries} s JOIN {terms} t ON t.id = s.term_id
                JOIN {enrolments} e ON e.id = s.enrolment_id
            WHERE {current} AND t.name = %(term)s AND t.academic_year_id = %(year)s
              AND ((s.is_persistent AND s.possible >= %(pa)s) OR (s.is_severe AND s.possible >= %(sa)s))
            UNION ALL
            SELECT r.enrolment_id FROM (
                SELECT w.enrolment_id, SUM(w.possible) AS possible, SUM(w.present + w.aea) AS attended
                FROM {weeks} w JOIN {enrolments} e ON e.id = w.enrolment_id
                WHERE {current} AND w.week_start BETWEEN %(fall_from)s AND %(today)s
                GROUP BY w.enrolment_id HAVING SUM(w.possible) > 0
            ) r JOIN {summaries} b ON b.enrolment_id = r.enrolment_id
                JOIN {terms} t ON t.id = b.term_id AND t.name = %(before)s AND t.academic_year_id = %(before_year)s
            WHERE b.possible > 0
              AND 100 * ((b.present + b.aea) * r.possible - r.attended * b.possible) >= %(points)s * b.possible
                  * r.possible
        ) AS met"""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return time.perf_counter() - started


def _bare_pass(today: datetime.date) -> float:
    """For scale only: the least any evaluation must read, one GROUP BY over the last four school weeks of week rows
    joined to this term's summaries (printed, not a limit)."""
    from django.db import connection

    from cases.alerts.rules import window_starts
    from schools.models import AttendanceSummary, AttendanceWeek, Term
    from schools.school_days import current_la_term

    term = current_la_term(today)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT COUNT(*) FROM (
                SELECT enrolment_id, SUM(possible) AS possible, SUM(present + aea) AS attended,
                       SUM(unauthorised) AS unauthorised
                FROM {AttendanceWeek._meta.db_table} WHERE week_start BETWEEN %s AND %s GROUP BY enrolment_id
            ) r JOIN {AttendanceSummary._meta.db_table} s ON s.enrolment_id = r.enrolment_id
            JOIN {Term._meta.db_table} t ON t.id = s.term_id AND t.name = %s AND t.academic_year_id = %s
            WHERE r.unauthorised > 0 OR s.is_persistent""",
                       [window_starts(4, today)[0], today, term.name, term.academic_year_id])
        cursor.fetchall()
    return time.perf_counter() - started


def measure(result_type) -> list:
    from django.db import transaction
    from django.db.models import Count, Max

    from cases.alerts.services import evaluate_alerts
    from cases.models import Alert
    from schools.models import AttendanceWeek

    today = AttendanceWeek.objects.aggregate(last=Max("week_start"))["last"] + datetime.timedelta(days=4)
    results = []
    try:
        with transaction.atomic():
            _characteristics_and_suspensions(today)
            _reference(today)  # warm the cache as the nightly run would find it
            reference = _reference(today)
            start = time.perf_counter()
            first = evaluate_alerts(today=today)
            first_seconds = time.perf_counter() - start
            start = time.perf_counter()
            again = evaluate_alerts(today=today)
            seconds = time.perf_counter() - start
            counts = dict(Alert.objects.values_list("rule__key").annotate(n=Count("pk")).order_by())
            bare = _bare_pass(today)
            print(f"  early-warning alerts on {today}: {first['opened']:,} opened by the first run "
                  f"({', '.join(f'{k} {n:,}' for k, n in sorted(counts.items()))}); the next run opened "
                  f"{again['opened']}, cleared {again['cleared']}; for scale, one bare GROUP BY over the last four "
                  f"weeks with this term's summaries takes {bare:.2f} s")
            ratio = seconds / reference if reference else 0.0
            results.append(result_type("Early-warning alerts (nightly)", seconds, "s",
                                       f"one SQL pass {reference:.2f} s", f"ratio {ratio:.2f} <= 2", ratio <= 2))
            first_ratio = first_seconds / reference if reference else 0.0
            results.append(result_type("Early-warning alerts (first run)", first_seconds, "s",
                                       f"one SQL pass {reference:.2f} s", f"ratio {first_ratio:.2f} (shown)", True))
            raise _RolledBack
    except _RolledBack:
        pass
    return results
