"""Writing register marks in tests: through the same week writer an import uses (schools.attendance.writer.store)."""

from __future__ import annotations

import datetime

import polars as pl

from schools.attendance import writer as attendance_writer
from schools.models import Enrolment, Term

SCHEMA = {"enrolment_id": pl.Int64, "day": pl.Date, "session": pl.Int64, "code": pl.String, "term_id": pl.Int64,
          "academic_year_id": pl.Int64}


def store_marks(enrolment: Enrolment, term: Term, marks: list[tuple[datetime.date, int, str]]):
    """(date, session 0/1, code) marks for one enrolment, all in ``term``; summaries are recomputed."""
    frame = pl.DataFrame([(enrolment.pk, day, session, code, term.pk, term.academic_year_id)
                          for day, session, code in marks], schema=SCHEMA, orient="row")
    return attendance_writer.store(frame)


def stored_mark_count() -> int:
    """How many session marks are stored, read back from every week row."""
    from schools.attendance.weeks import decode
    from schools.models import AttendanceWeek

    return sum(len(decode(e, monday, marks)) for e, monday, marks in
               AttendanceWeek.objects.values_list("enrolment_id", "week_start", "marks"))
