"""Who meets each early-warning rule now: one function per kind of rule (cases.models.AlertRule.Kind), each a set-wise
query over the stored marks, summaries or exclusions (plain SQL that runs on SQLite and PostgreSQL, or the ORM),
returning one ``Fired`` per pupil: where, the event, and (worded only for the alerts that need it) the evidence that
fired it. Python only loops over the rows that fired.

Shared meanings, so every rule reads the same way:

- A pupil counts at a school while their enrolment there is current on the day evaluated (started, not yet ended);
  attendance is per enrolment, as the DfE counts it. A pupil on two rolls (dual registration) fires once per rule:
  the enrolment with the latest or strongest evidence is kept.
- "The last N school weeks": the N most recent weeks in which the pupil's school had a school day
  (schools.attendance.selectors.school_weeks, the calendar the penalty-notice threshold uses), up to the day
  evaluated; holidays and half terms are skipped, and a school on its own term dates is counted on its own calendar.
- "This term": the LA term running on the day (the last one to start, in a holiday), matched at every school by its
  name and year, as the attendance pages match an academy's own autumn term to the LA's.
- ``Fired.key`` (kept as ``evidence["key"]``) names the event that fired the rule (the run's first session, the latest
  unauthorised session, the exclusion, the term). services.evaluate_alerts uses it to tell a new event from the one an
  episode is already about.
"""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q

from cases.models import AlertRule
from schools.attendance import weeks as week_rows
from schools.attendance.codes import Category, as_percent
from schools.attendance.selectors import school_weeks
from schools.models import AttendanceSummary, AttendanceWeek, Enrolment, Exclusion, Pupil, Term
from schools.school_days import current_la_term, la_terms

WEEKS = AttendanceWeek._meta.db_table
ENROLMENTS = Enrolment._meta.db_table
PUPILS = Pupil._meta.db_table
SUMMARIES = AttendanceSummary._meta.db_table
TERMS = Term._meta.db_table

#: Codes that are an unexplained absence for the consecutive rule: N (reason not yet provided) and O (unauthorised,
#: other or unknown reason); the same letters in both code regimes.
UNEXPLAINED_CODES = ("N", "O")
SESSION_NAMES = ("AM", "PM")
#: How many marks an alert's evidence lists at most (the rest are counted).
MAX_LISTED_MARKS = 10


@dataclass(slots=True)
class Fired:
    """One pupil meeting a rule now: where, what event (``key``), and the evidence (small, JSON; with the key).
    ``data`` holds what the evidence is worded from; the words are written (``word_evidence``) only for the alerts
    that need them, so a night on which nothing changed builds none."""

    pupil_id: int
    school_id: int
    key: str
    data: tuple = ()
    evidence: dict | None = field(default=None, compare=False)


def evaluate(rule: AlertRule, *, today: datetime.date, school_ids: Iterable[int] | None = None,
             with_evidence: bool = True) -> list[Fired]:
    """The pupils meeting ``rule`` on ``today`` (at the given schools only, when given), one Fired each, with their
    evidence worded unless ``with_evidence`` is False (then call word_evidence for the ones wanted)."""
    ids = None if school_ids is None else sorted({int(pk) for pk in school_ids})
    if ids == []:
        return []
    found = KINDS[rule.kind][0](rule, today=today, school_ids=ids)
    if with_evidence:
        word_evidence(rule, found, today=today)
    return found


def word_evidence(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    """Fill in ``evidence`` (with its "key") for these Fired, in one go per kind (one query at most)."""
    wanted = [f for f in found if f.evidence is None]
    if wanted:
        KINDS[rule.kind][1](rule, wanted, today=today)
        for f in wanted:
            f.evidence["key"] = f.key


# --- Shared pieces ---------------------------------------------------------------------------------------------------

_LOOKUPS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("alert_lookups", default=None)


@contextmanager
def shared_lookups():
    """Within this block, the calendar lookups several rules make (each window's school weeks, this term and the one
    before) are made once (services.evaluate_alerts runs every rule inside one)."""
    token = _LOOKUPS.set({})
    try:
        yield
    finally:
        _LOOKUPS.reset(token)


def _window_rows(today: datetime.date, weeks: int, school_ids: list[int] | None) -> tuple[str, list]:
    """SQL for a derived table (``w``) of the week rows of the enrolments current on ``today`` in their school's last
    ``weeks`` school weeks, with the columns the rules read. (Read once per rule: a temporary table shared by the
    rules was tried, and writing and analysing it cost what it saved.)"""
    scope_sql, scope_params = _current_enrolments_sql(today, school_ids)
    window_sql, window_params = _window_sql(window_starts(weeks, today))
    return (f"(SELECT w.enrolment_id, e.pupil_id, e.school_id, w.week_start, w.marks, w.possible, "
            f"w.present + w.aea AS attended, w.unauthorised, w.sessions "
            f"FROM {WEEKS} w JOIN {ENROLMENTS} e ON e.id = w.enrolment_id "
            f"WHERE {scope_sql} AND {window_sql} AND w.week_start <= %s)",
            [*scope_params, *window_params, today])


def _shared(key: tuple, make: Callable):
    lookups = _LOOKUPS.get()
    if lookups is None:
        return make()
    if key not in lookups:
        lookups[key] = make()
    return lookups[key]


def _terms(today: datetime.date) -> tuple[Term | None, Term | None]:
    """(this term, the term before it): the LA's, as rules read them."""
    def make():
        term = current_la_term(today)
        before = la_terms().filter(start_date__lt=term.start_date).order_by("-start_date").first() if term else None
        return term, before

    return _shared(("terms", today), make)


def _as_date(value) -> datetime.date:
    """SQLite hands dates back as ISO text from raw SQL; PostgreSQL as dates."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _schools_sql(column: str, school_ids: list[int] | None) -> str:
    return "" if school_ids is None else f" AND {column} IN ({', '.join(str(int(pk)) for pk in school_ids)})"


def _current_enrolments_sql(today: datetime.date, school_ids: list[int] | None) -> tuple[str, list]:
    """WHERE conditions on ``e`` (the enrolments table) for enrolments current on ``today``."""
    return ("e.start_date <= %s AND (e.end_date IS NULL OR e.end_date >= %s)" + _schools_sql("e.school_id",
                                                                                              school_ids),
            [today, today])


def _current_enrolments(today: datetime.date, school_ids: list[int] | None, path: str = ""):
    """The same, as an ORM condition (``path`` leads to the enrolment, e.g. "enrolment__")."""
    q = Q(**{f"{path}start_date__lte": today}) & (Q(**{f"{path}end_date__isnull": True})
                                                  | Q(**{f"{path}end_date__gte": today}))
    if school_ids is not None:
        q &= Q(**{f"{path}school_id__in": school_ids})
    return q


def window_starts(n_weeks: int, today: datetime.date) -> dict[int, datetime.date]:
    """The Monday each calendar's last ``n_weeks`` school weeks start on (key 0: the LA's calendar; a school's id
    where its own term dates or closures differ), counting back from the week ``today`` is in. With fewer school
    weeks on record (no term dates entered yet), calendar weeks."""
    return _shared(("starts", n_weeks, today), lambda: _window_starts(n_weeks, today))


def _window_starts(n_weeks: int, today: datetime.date) -> dict[int, datetime.date]:
    weeks = school_weeks(today - datetime.timedelta(weeks=n_weeks + 30), today)
    fallback = week_rows.week_start(today) - datetime.timedelta(weeks=n_weeks - 1)
    starts = {}
    for key, mondays in weeks.items():
        if len(mondays) >= n_weeks:
            starts[key] = mondays[-n_weeks]
        else:
            starts[key] = min(mondays[0], fallback) if mondays else fallback
    starts.setdefault(0, fallback)
    return starts


def _window_sql(starts: dict[int, datetime.date]) -> tuple[str, list]:
    """``w.week_start`` on or after the window's first Monday for the calendar of the enrolment's school."""
    own = [(key, start) for key, start in starts.items() if key]
    if not own:
        return "w.week_start >= %s", [starts[0]]
    whens = " ".join(f"WHEN {int(key)} THEN %s" for key, _ in own)
    return f"w.week_start >= CASE e.school_id {whens} ELSE %s END", [*(start for _, start in own), starts[0]]


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _best_per_pupil(ranked: Iterable[tuple[tuple, Fired]]) -> list[Fired]:
    """One Fired per pupil: the one with the highest rank (dual registration, or two runs in the window)."""
    best: dict[int, tuple[tuple, Fired]] = {}
    for rank, fired in ranked:
        known = best.get(fired.pupil_id)
        if known is None or rank > known[0]:
            best[fired.pupil_id] = (rank, fired)
    return [fired for _, fired in best.values()]


def _session(day: datetime.date, session: int) -> dict:
    return {"date": day.isoformat(), "session": SESSION_NAMES[session]}


def _why_vulnerable(looked_after: bool, cin_cp: str, sen_status: str = "", social_worker: str = "") -> list[str]:
    why = []
    if looked_after:
        why.append("Looked after")
    if cin_cp:
        why.append(dict(Pupil.CinCp.choices).get(cin_cp, cin_cp))
    if sen_status == Pupil.SenStatus.EHCP:
        why.append("EHC plan")
    if social_worker:
        why.append("Social worker named")
    return why


def _term_label(term: Term) -> str:
    return f"{term.get_name_display()} term {term.academic_year.name}"


# --- Unexplained absences in a row -----------------------------------------------------------------------------------

NOT_A_SESSION = (week_rows.NO_MARK, week_rows.pad(week_rows.PLANNED_CLOSURE))  # no mark, or a planned closure


def _sessions_before_slot_sql(marks: str, slot: str) -> str:
    """SQL: how many of a week row's slots before ``slot`` are school sessions (a mark, not a planned closure)."""
    skipped = ", ".join(f"'{value}'" for value in NOT_A_SESSION)
    return " + ".join(f"(CASE WHEN {slot} > {k} AND SUBSTR({marks}, {2 * k + 1}, 2) NOT IN ({skipped}) THEN 1 ELSE 0 "
                      f"END)" for k in range(week_rows.SLOTS - 1))


def consecutive_unexplained(rule: AlertRule, *, today: datetime.date, school_ids: list[int] | None) -> list[Fired]:
    """``rule.sessions`` or more sessions in a row marked N or O within the last ``rule.weeks`` school weeks.

    "In a row" means consecutive *school* sessions of the pupil's register: slots with no mark ("--") or a planned
    closure ("#") are not sessions, so a run carries on from Friday to Monday and across a half term. Each school
    session gets its ordinal in the window (the sessions of the weeks before it, which every week row counts in
    ``sessions``, plus those before it in its week); only the N and O slots are unfolded, and a run is a stretch of
    them whose ordinals go up one at a time (ordinal minus ROW_NUMBER is constant: gaps and islands). One statement;
    only enrolments with at least that many unauthorised sessions in the window (the stored counts, summed without a
    sort) are numbered and unfolded."""
    starts = window_starts(rule.weeks, today)
    rows_sql, rows_params = _window_rows(today, rule.weeks, school_ids)
    monday = week_rows.week_start(today)
    last_slot = min(today.weekday(), 4) * 2 + 1  # a weekend day: the whole week is past
    unexplained = [week_rows.pad(code) for code in UNEXPLAINED_CODES]
    slots = ", ".join(f"({n})" for n in range(week_rows.SLOTS))
    mark = "SUBSTR(r.marks, 2 * s.n + 1, 2)"
    sql = f"""
        WITH slot(n) AS (VALUES {slots}),
        window_weeks AS (SELECT * FROM {rows_sql} AS w),
        candidates AS (
            SELECT enrolment_id FROM window_weeks GROUP BY enrolment_id HAVING SUM(unauthorised) >= %s
        ),
        recent AS (
            SELECT ww.enrolment_id, ww.pupil_id, ww.school_id, ww.week_start, ww.marks, ww.unauthorised,
                   COALESCE(SUM(ww.sessions) OVER (
                       PARTITION BY ww.enrolment_id ORDER BY ww.week_start
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS earlier_sessions
            FROM window_weeks ww JOIN candidates c ON c.enrolment_id = ww.enrolment_id
        ),
        unexplained AS (
            SELECT r.enrolment_id, r.pupil_id, r.school_id, r.week_start, s.n AS slot, {mark} AS mark,
                   r.earlier_sessions + {_sessions_before_slot_sql("r.marks", "s.n")} AS ordinal
            FROM recent r CROSS JOIN slot s
            WHERE r.unauthorised > 0 AND {mark} IN (%s, %s)
              AND (r.week_start < %s OR s.n <= %s)
        ),
        islands AS (
            SELECT enrolment_id, pupil_id, school_id, week_start, slot, mark,
                   ordinal - ROW_NUMBER() OVER (PARTITION BY enrolment_id ORDER BY ordinal) AS island
            FROM unexplained
        )
        SELECT enrolment_id, pupil_id, school_id, COUNT(*) AS sessions,
               SUM(CASE WHEN mark = %s THEN 1 ELSE 0 END) AS n_marks,
               MIN(CAST(week_start AS TEXT) || ':' || CAST(slot AS TEXT)) AS first_session,
               MAX(CAST(week_start AS TEXT) || ':' || CAST(slot AS TEXT)) AS last_session
        FROM islands
        GROUP BY enrolment_id, pupil_id, school_id, island
        HAVING COUNT(*) >= %s
    """
    params = [*rows_params, rule.sessions, *unexplained, monday, last_slot, unexplained[0], rule.sessions]
    ranked = []
    for _enrolment, pupil_id, school_id, count, n_marks, first, last in _fetch(sql, params):
        window_from = starts.get(school_id, starts[0])
        ranked.append(((last, count), Fired(pupil_id, school_id, f"run-{first}",
                                            (count, n_marks, first, last, window_from))))
    return _best_per_pupil(ranked)


def _word_consecutive(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    for f in found:
        count, n_marks, first, last, window_from = f.data
        f.evidence = {"sessions": count,
                      "codes": {code: n for code, n in zip(UNEXPLAINED_CODES, (n_marks, count - n_marks), strict=True)
                                if n},
                      "from": _session(*_slot_of(first)), "to": _session(*_slot_of(last)),
                      "window_from": window_from.isoformat()}


def _slot_of(text: str) -> tuple[datetime.date, int]:
    """"2026-11-16:3" (a week's Monday and a slot, as the query orders sessions) -> (Tuesday 17 November, PM)."""
    monday, slot = str(text).rsplit(":", 1)
    slot = int(slot)
    return week_rows.slot_date(_as_date(monday), slot), slot % 2


# --- Unauthorised absence of a vulnerable child ----------------------------------------------------------------------

def vulnerable_unauthorised(rule: AlertRule, *, today: datetime.date, school_ids: list[int] | None) -> list[Fired]:
    """At least ``rule.sessions`` unauthorised sessions (G, N, O or U: the stored week counts) in the last
    ``rule.weeks`` school weeks, for a pupil who is looked after, a child in need or on a protection plan, or has an
    EHC plan. The event is the latest unauthorised session (read from the latest week with one)."""
    starts = window_starts(rule.weeks, today)
    rows_sql, rows_params = _window_rows(today, rule.weeks, school_ids)
    sql = f"""
        SELECT enrolment_id, pupil_id, school_id, window_unauthorised, looked_after, cin_cp, sen_status, week_start,
               marks
        FROM (
            SELECT w.enrolment_id, w.pupil_id, w.school_id, w.week_start, w.marks, p.looked_after, p.cin_cp,
                   p.sen_status, SUM(w.unauthorised) OVER (PARTITION BY w.enrolment_id) AS window_unauthorised,
                   ROW_NUMBER() OVER (PARTITION BY w.enrolment_id ORDER BY w.week_start DESC) AS nth
            FROM {rows_sql} AS w JOIN {PUPILS} p ON p.id = w.pupil_id
            WHERE (p.looked_after = %s OR p.cin_cp <> '' OR p.sen_status = %s) AND w.unauthorised > 0
        ) AS latest
        WHERE nth = 1 AND window_unauthorised >= %s
    """
    rows = _fetch(sql, [*rows_params, True, Pupil.SenStatus.EHCP, rule.sessions])
    ranked = []
    for enrolment_id, pupil_id, school_id, count, looked_after, cin_cp, sen_status, monday, marks in rows:
        monday = _as_date(monday)
        latest = [m for m in week_rows.decode(enrolment_id, monday, marks) if m.category == Category.UNAUTHORISED]
        last = latest[-1] if latest else None
        key = f"absent-{last.date.isoformat()}-{SESSION_NAMES[last.session]}" if last else f"absent-{monday}"
        data = (enrolment_id, count, bool(looked_after), cin_cp, sen_status, starts.get(school_id, starts[0]))
        ranked.append(((key, count), Fired(pupil_id, school_id, key, data)))
    return _best_per_pupil(ranked)


def _word_vulnerable(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    marks = _unauthorised_marks({f.data[0]: f.data[5] for f in found}, today)
    for f in found:
        enrolment_id, count, looked_after, cin_cp, sen_status, window_from = f.data
        f.evidence = {"sessions": count, "why": _why_vulnerable(looked_after, cin_cp, sen_status),
                      "marks": marks.get(enrolment_id, [])[:MAX_LISTED_MARKS],
                      "window_from": window_from.isoformat()}


def _unauthorised_marks(window_from: dict[int, datetime.date], today: datetime.date) -> dict[int, list[dict]]:
    """The unauthorised marks of these enrolments' weeks from each one's window start, newest first (evidence)."""
    result: dict[int, list[dict]] = {}
    if not window_from:
        return result
    ids = sorted(window_from)
    first = min(window_from.values())
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        weeks = AttendanceWeek.objects.filter(enrolment_id__in=chunk, week_start__gte=first,
                                              week_start__lte=today, unauthorised__gt=0)
        for enrolment_id, monday, marks in weeks.values_list("enrolment_id", "week_start", "marks"):
            if monday < window_from[enrolment_id]:
                continue
            for mark in week_rows.decode(enrolment_id, monday, marks):
                if mark.category == Category.UNAUTHORISED:
                    result.setdefault(enrolment_id, []).append(
                        {**_session(mark.date, mark.session), "code": mark.code})
    for listed in result.values():
        listed.sort(key=lambda m: (m["date"], m["session"]), reverse=True)
    return result


# --- Suspension of a child with a social worker ----------------------------------------------------------------------

def suspension_social_worker(rule: AlertRule, *, today: datetime.date, school_ids: list[int] | None) -> list[Fired]:
    """An exclusion of any kind, not cancelled, starting on or after ``rule.weeks`` weeks before ``today`` (or later),
    of a pupil with a social worker: one named on their record, looked after, a child in need or on a protection
    plan. The excluding school's; the pupil need no longer be on its roll (a permanent exclusion ends it)."""
    exclusions = (Exclusion.objects.filter(cancelled_on__isnull=True,
                                           start_date__gte=today - datetime.timedelta(weeks=rule.weeks))
                  .filter(Q(pupil__looked_after=True) | ~Q(pupil__cin_cp="") | ~Q(pupil__social_worker_name=""))
                  .select_related("pupil"))
    if school_ids is not None:
        exclusions = exclusions.filter(school_id__in=school_ids)
    ranked = [((exclusion.start_date, exclusion.pk),
               Fired(exclusion.pupil_id, exclusion.school_id, f"exclusion-{exclusion.pk}", (exclusion,)))
              for exclusion in exclusions]
    return _best_per_pupil(ranked)


def _word_suspension(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    for f in found:
        (exclusion,) = f.data
        pupil = exclusion.pupil
        f.evidence = {"exclusion": exclusion.pk, "kind": exclusion.get_kind_display(),
                      "start": exclusion.start_date.isoformat(), "length": exclusion.length_display,
                      "why": _why_vulnerable(pupil.looked_after, pupil.cin_cp,
                                             social_worker=pupil.social_worker_name)}


# --- Persistent and severe absence this term -------------------------------------------------------------------------

def _absence_this_term(flag: str, rule: AlertRule, *, today: datetime.date,
                       school_ids: list[int] | None) -> list[Fired]:
    """Enrolments whose summary for this term carries ``flag`` (is_persistent or is_severe, set by the attendance
    engine: absence at least 10% or 50% of possible sessions, exactly) with at least ``rule.sessions`` possible."""
    term, _before = _terms(today)
    if term is None:
        return []
    summaries = (AttendanceSummary.objects
                 .filter(_current_enrolments(today, school_ids, "enrolment__"),
                         term__name=term.name, term__academic_year_id=term.academic_year_id,
                         possible__gte=rule.sessions, **{flag: True})
                 .values_list("enrolment__pupil_id", "enrolment__school_id", "possible", "authorised",
                              "unauthorised"))
    key, label = f"term-{term.pk}", _term_label(term)
    return _best_per_pupil(((possible,), Fired(pupil_id, school_id, key, (label, possible, authorised, unauthorised)))
                           for pupil_id, school_id, possible, authorised, unauthorised in summaries)


def _word_absence(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    for f in found:
        label, possible, authorised, unauthorised = f.data
        absent = authorised + unauthorised
        f.evidence = {"term": label, "possible": possible, "absent": absent, "authorised": authorised,
                      "unauthorised": unauthorised, "percent": str(as_percent(absent, possible))}


def persistent_absence(rule, *, today, school_ids):
    return _absence_this_term("is_persistent", rule, today=today, school_ids=school_ids)


def severe_absence(rule, *, today, school_ids):
    return _absence_this_term("is_severe", rule, today=today, school_ids=school_ids)


# --- Attendance falling ----------------------------------------------------------------------------------------------

def attendance_fall(rule: AlertRule, *, today: datetime.date, school_ids: list[int] | None) -> list[Fired]:
    """Attendance (present + approved educational activity, of possible sessions) over the last ``rule.weeks``
    school weeks at least ``rule.points`` percentage points below the same enrolment's attendance over the term
    before this one (its stored summary). Compared exactly in whole numbers:
    100 × (before_attended × recent_possible − recent_attended × before_possible) ≥ points × both possibles."""
    _term, before = _terms(today)
    if before is None:
        return []
    starts = window_starts(rule.weeks, today)
    rows_sql, rows_params = _window_rows(today, rule.weeks, school_ids)
    sql = f"""
        WITH recent AS (
            SELECT w.enrolment_id, w.pupil_id, w.school_id, SUM(w.possible) AS possible, SUM(w.attended) AS attended
            FROM {rows_sql} AS w
            GROUP BY w.enrolment_id, w.pupil_id, w.school_id
            HAVING SUM(w.possible) > 0
        ),
        earlier AS (
            SELECT s.enrolment_id, s.possible, s.present + s.aea AS attended
            FROM {SUMMARIES} s JOIN {TERMS} t ON t.id = s.term_id
            WHERE t.name = %s AND t.academic_year_id = %s AND s.possible > 0
        )
        SELECT r.pupil_id, r.school_id, r.possible, r.attended, b.possible, b.attended
        FROM recent r JOIN earlier b ON b.enrolment_id = r.enrolment_id
        WHERE 100 * (b.attended * r.possible - r.attended * b.possible) >= %s * b.possible * r.possible
    """
    params = [*rows_params, before.name, before.academic_year_id, rule.points]
    key, label = f"term-{before.pk}", _term_label(before)
    ranked = []
    for pupil_id, school_id, possible, attended, before_possible, before_attended in _fetch(sql, params):
        fall = before_attended / before_possible - attended / possible
        ranked.append(((fall,), Fired(pupil_id, school_id, key, (label, rule.weeks, starts.get(school_id, starts[0]),
                                                                 possible, attended, before_possible,
                                                                 before_attended))))
    return _best_per_pupil(ranked)


def _word_fall(rule: AlertRule, found: list[Fired], *, today: datetime.date) -> None:
    for f in found:
        label, weeks, window_from, possible, attended, before_possible, before_attended = f.data
        recent, earlier = as_percent(attended, possible), as_percent(before_attended, before_possible)
        f.evidence = {"weeks": weeks, "window_from": window_from.isoformat(),
                      "recent": {"possible": possible, "attended": attended, "percent": str(recent)},
                      "before": {"term": label, "possible": before_possible, "attended": before_attended,
                                 "percent": str(earlier)},
                      "fall": str(earlier - recent)}


#: Each kind: (who meets it now, how their evidence is worded).
KINDS: dict[str, tuple[Callable[..., list[Fired]], Callable[..., None]]] = {
    AlertRule.Kind.CONSECUTIVE_UNEXPLAINED: (consecutive_unexplained, _word_consecutive),
    AlertRule.Kind.VULNERABLE_UNAUTHORISED: (vulnerable_unauthorised, _word_vulnerable),
    AlertRule.Kind.SUSPENSION_SOCIAL_WORKER: (suspension_social_worker, _word_suspension),
    AlertRule.Kind.PERSISTENT_ABSENCE: (persistent_absence, _word_absence),
    AlertRule.Kind.SEVERE_ABSENCE: (severe_absence, _word_absence),
    AlertRule.Kind.ATTENDANCE_FALL: (attendance_fall, _word_fall),
}
