"""Data freshness: the last day each school's registers reached the service, and which schools have stopped sending.

The register writer records it after every write (record_received, from schools.attendance.apply), so asking is
one small table (schools.models.SchoolRegisterStatus). A school is behind when STALE_AFTER_SCHOOL_DAYS of its school
days (its own calendar: term dates, half terms, bank holidays and closures) have passed since its last register
day without one arriving; today does not count, as today's registers may still be on their way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from schools.models import AttendanceWeek, Enrolment, School, SchoolRegisterStatus

# The LA's rule (issue 15, the attendance team's practice): chase a school whose registers have not arrived for three
# school days. Edit here; the manager's home page, the school pages and the TSM pack read it.
STALE_AFTER_SCHOOL_DAYS = 3

# The last day of a week row with any mark: its five days are four characters each (AM then PM, "--" no mark).
_LAST_DAY_SQL = " ".join(["CASE"] + [f"WHEN substr(w.marks, {4 * day + 1}, 4) <> '----' THEN {day}"
                                     for day in range(4, -1, -1)] + ["ELSE 0 END"])


def last_days(school_ids=None, since: datetime.date | None = None) -> dict[int, datetime.date]:
    """{school: the last day with a mark} from the stored week rows, set-wise (two GROUP BYs); narrowed to some
    schools and to the weeks from ``since`` when given (after an import: what it wrote)."""
    weeks, enrolments = AttendanceWeek._meta.db_table, Enrolment._meta.db_table
    where, params = ["1=1"], []
    if school_ids is not None:
        ids = sorted(set(school_ids))
        if not ids:
            return {}
        where.append(f"e2.school_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if since is not None:
        where.append("w2.week_start >= %s")
        params.append(since)
    sql = f"""
        SELECT e.school_id, w.week_start, MAX({_LAST_DAY_SQL})
        FROM {weeks} w JOIN {enrolments} e ON e.id = w.enrolment_id
        JOIN (SELECT e2.school_id AS school_id, MAX(w2.week_start) AS last_week
              FROM {weeks} w2 JOIN {enrolments} e2 ON e2.id = w2.enrolment_id
              WHERE {' AND '.join(where)} GROUP BY e2.school_id) latest
          ON latest.school_id = e.school_id AND w.week_start = latest.last_week
        GROUP BY e.school_id, w.week_start"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {school_id: _as_date(monday) + datetime.timedelta(days=day or 0) for school_id, monday, day in rows}


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def record_received(school_ids, since: datetime.date | None = None) -> None:
    """After marks were written for these schools: their last register day moves on (never back: a file of last
    term's corrections does not make a school look behind)."""
    record_days(last_days(school_ids, since))


def record_days(found: dict[int, datetime.date]) -> None:
    """The same, from {school: the last day a file gave marks for} (the import's resolver works it out from the
    rows it writes, so an import asks the database nothing here)."""
    if not found:
        return
    current = dict(SchoolRegisterStatus.objects.filter(school_id__in=found).values_list("school_id",
                                                                                         "last_register_date"))
    changed = [SchoolRegisterStatus(school_id=school_id, last_register_date=day) for school_id, day in found.items()
               if current.get(school_id) is None or day > current[school_id]]
    SchoolRegisterStatus.objects.bulk_create(changed, update_conflicts=True, unique_fields=["school"],
                                             update_fields=["last_register_date", "updated_at"])


def registers_imported_at() -> datetime.datetime | None:
    """When the last register import finished: figures kept for a few minutes (the attendance overview, the counts
    behind its figures, a school's dashboard) end with it at once, as their keys hold it."""
    from django.db.models import Max

    from schools.models import Job

    return Job.objects.filter(kind=Job.Kind.ATTENDANCE_IMPORT, finished_at__isnull=False).aggregate(
        last=Max("finished_at"))["last"]


@dataclass(frozen=True)
class Freshness:
    school: School
    last_register_date: datetime.date | None
    school_days_missing: int  # school days after the last register day, before today

    @property
    def stale(self) -> bool:
        return self.school_days_missing >= STALE_AFTER_SCHOOL_DAYS


def freshness(schools, today: datetime.date) -> list[Freshness]:
    """Each school's last register day and the school days since without one (before today), by its own calendar.
    Two queries for the calendars, one for the statuses; a school never heard from counts from the start of its
    current term."""
    from schools.school_days import calendars_for

    schools = list(schools)
    if not schools:
        return []
    last = dict(SchoolRegisterStatus.objects.filter(school__in=schools).values_list("school_id",
                                                                                    "last_register_date"))
    horizon = today - datetime.timedelta(days=200)  # half a year back is "a long time" enough
    own = [school.pk for school in schools]
    calendars = calendars_for(own, horizon, today)
    result = []
    counted: dict[tuple, int] = {}  # schools on the same calendar (equal by value) mostly share their last day
    for school in schools:
        calendar = calendars.get(school.pk) or calendars[None]
        since = last.get(school.pk)
        start = (since + datetime.timedelta(days=1)) if since else _term_start(calendar, today)
        first = max(start or today, horizon)
        key = (calendar, first)
        if key not in counted:
            counted[key] = sum(calendar.is_school_day(first + datetime.timedelta(days=n))
                               for n in range((today - first).days))
        result.append(Freshness(school, since, counted[key]))
    return result


def _term_start(calendar, today: datetime.date) -> datetime.date | None:
    starts = [start for start, *_ in calendar.terms if start <= today]
    return max(starts) if starts else None


def _behind_everywhere(today: datetime.date) -> dict[int, tuple[datetime.date | None, int]]:
    """{school: (last register day, school days missing)} for every school behind. At a large LA
    (settings.REPORT_SNAPSHOT_FROM_PUPILS, as the kept dashboards) they are worked out for every school at once and
    kept (schools.common.kept) until registers next arrive: each school's calendar for half a year is 60 ms at 1,250
    schools, asked on the manager's home page and every report dashboard. A school's figure rests on its own calendar
    and status only, so one worked out for all schools equals one worked out for some."""
    from django.db.models import Count, Max

    from schools.common.kept import kept, kept_key

    arrived = SchoolRegisterStatus.objects.aggregate(last=Max("updated_at"), schools=Count("pk"))
    last = arrived["last"].isoformat() if arrived["last"] else "none"
    key = kept_key("registers-behind", today.isoformat(), last, arrived["schools"])
    return kept(key, lambda: {f.school.pk: (f.last_register_date, f.school_days_missing)
                              for f in freshness(School.objects.all(), today) if f.stale})[0]


def stale_in(schools, today: datetime.date) -> list[Freshness]:
    """The open schools among ``schools`` (a queryset already scoped to the user) whose registers are behind, longest
    first."""
    from schools.selectors import is_large_la

    schools = schools.filter(is_open=True)
    if not is_large_la():
        behind = [f for f in freshness(schools, today) if f.stale]
    else:
        kept = _behind_everywhere(today)
        behind = [Freshness(school, *kept[school.pk]) for school in schools if school.pk in kept]
    return sorted(behind, key=lambda f: (-f.school_days_missing, f.school.name))


def stale_schools(user, today: datetime.date) -> list[Freshness]:
    """The open schools the user may see whose registers are behind, longest first."""
    return stale_in(School.objects.visible_to(user), today)
