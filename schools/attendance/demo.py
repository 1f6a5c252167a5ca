"""Demo register marks: the whole 2025/26 year (so last term's termly report and every "last year" comparison have
figures) and the autumn 2026 term to date for every demo pupil, with about
20% of pupils persistently absent and 2% severely, as in England's recent figures (ref §8).

The marks are generated as columns (polars) and written through the same week writer an import uses
(schools.attendance.writer), so the demo exercises the real storage. Randomness comes from a multiplicative hash of
the ids and the seed, so the same seed always gives the same marks.
"""

from __future__ import annotations

import datetime

import polars as pl
from django.db import transaction

from schools.attendance import writer
from schools.models import Enrolment, School, Term
from schools.school_days import load_calendar

UNAUTHORISED = ["N", "N", "O", "G", "U"]
AUTHORISED = ["I", "I", "I", "M", "C", "E"]
REFERENCE_DATE = datetime.date(2026, 11, 23)
EPOCH = datetime.date(2020, 1, 1)  # day numbers for the hash count from here, keeping them small
_HASH = 2654435761  # Knuth's multiplicative hash; the low 32 bits are the draw


def _days() -> pl.DataFrame:
    """Every school day per school in the demo terms (some ten thousand rows)."""
    terms = list(Term.objects.filter(start_date__lte=REFERENCE_DATE))
    la_terms = [t for t in terms if t.school_id is None]
    own: dict[tuple[int, int], list[Term]] = {}  # an academy's own terms replace the LA's for that year
    for term in terms:
        if term.school_id:
            own.setdefault((term.school_id, term.academic_year_id), []).append(term)
    rows = []
    last = REFERENCE_DATE - datetime.timedelta(days=1)
    for school in School.objects.all():
        school_terms = [t for t in la_terms if (school.pk, t.academic_year_id) not in own]
        school_terms += [t for (school_id, _), mine in own.items() if school_id == school.pk for t in mine]
        for term in school_terms:
            end = min(term.end_date, last)
            calendar = load_calendar(school, term.start_date, end)
            day = term.start_date
            while day <= end:
                if calendar.is_school_day(day):
                    rows.append((school.pk, term.pk, term.academic_year_id, day))
                day += datetime.timedelta(days=1)
    return pl.DataFrame(rows, schema={"school_id": pl.Int64, "term_id": pl.Int64, "academic_year_id": pl.Int64,
                                      "day": pl.Date}, orient="row")


def _draw(*parts: pl.Expr, scale: int) -> pl.Expr:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return ((total * _HASH) % (1 << 32)) // scale


def _pick(options: list[str], draw: pl.Expr) -> pl.Expr:
    return draw.mod(len(options)).replace_strict(dict(enumerate(options)), return_dtype=pl.String)


def marks_frame(*, seed: int) -> pl.DataFrame:
    """One row per demo session: enrolment_id, day, session, code, term and year."""
    enrolments = pl.DataFrame(list(Enrolment.objects.values_list("pk", "pupil_id", "school_id", "start_date",
                                                                 "end_date")), orient="row",
                              schema={"enrolment_id": pl.Int64, "pupil_id": pl.Int64, "school_id": pl.Int64,
                                      "start_date": pl.Date, "end_date": pl.Date})
    sessions = pl.DataFrame({"session": pl.Series([0, 1], dtype=pl.Int64)})
    frame = (enrolments.join(_days(), on="school_id")
             .filter((pl.col("day") >= pl.col("start_date"))
                     & (pl.col("end_date").is_null() | (pl.col("day") <= pl.col("end_date"))))
             .join(sessions, how="cross"))
    day_no = (pl.col("day") - pl.lit(EPOCH)).dt.total_days()
    # r: the session's draw (0–9,999); band: the pupil's draw (0–999) setting how often they miss a session: 78% of
    # pupils miss under 9% of sessions, 20% miss 11–42% (persistent), 2% miss 52–85% (severe).
    r = _draw(pl.col("enrolment_id") * 7919, day_no * 104729, pl.col("session") * 1299709, pl.lit(seed),
              scale=429497)
    band = _draw(pl.col("pupil_id"), pl.lit(seed), scale=4294968)
    chance = (pl.when(band < 780).then(band * 900 // 780)
              .when(band < 980).then(1100 + (band - 780) * 3100 // 200)
              .otherwise(5200 + (band - 980) * 3300 // 20))
    unauthorised_share = 15 + (pl.col("pupil_id") * 40503 + seed) % 56
    code = (pl.when(pl.col("r") < pl.col("chance")).then(
        pl.when((pl.col("r") * 31) % 100 < pl.col("share")).then(_pick(UNAUTHORISED, pl.col("r") // 7))
        .otherwise(_pick(AUTHORISED, pl.col("r") // 11)))
        .when(pl.col("r") < pl.col("chance") + 200).then(pl.lit("L"))
        .when(pl.col("session") == 0).then(pl.lit("/"))
        .otherwise(pl.lit("\\")))
    return (frame.with_columns(r.alias("r"), chance.alias("chance"), unauthorised_share.alias("share"))
            .with_columns(code.alias("code"))
            .select("enrolment_id", "day", "session", "code", "term_id", "academic_year_id"))


@transaction.atomic
def load(*, seed: int, stdout=None) -> int:
    """Write the marks (and so every summary); returns how many marks."""
    outcome = writer.store(marks_frame(seed=seed))
    if stdout is not None:
        stdout.write(f"{outcome.written:,} register marks (2025/26 and autumn 2026 to date)\n")
    return outcome.written
