"""A generated LA for the benchmarks: schools, pupils with valid UPNs, one enrolment each, a year of term dates, and
register CSV files in the documented upload layout. Written with bulk inserts, so 250,000 pupils take seconds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schools.models import AcademicYear, Enrolment, LocalAuthority, Partnership, Pupil, School, Term
from schools.validators import upn_check_letter
from tests.perf.names import pupil_name

PUPILS_PER_SCHOOL = 200
YEAR_START = datetime.date(2025, 9, 1)
# 2025/26 LA terms with half terms: 190 school days less the bank holidays that fall in term (Good Friday is in the
# Easter holiday; the May bank holidays fall on term-time Mondays and are not school days).
TERMS = [
    ("autumn", datetime.date(2025, 9, 3), datetime.date(2025, 12, 19), datetime.date(2025, 10, 27),
     datetime.date(2025, 10, 31)),
    ("spring", datetime.date(2026, 1, 5), datetime.date(2026, 3, 27), datetime.date(2026, 2, 16),
     datetime.date(2026, 2, 20)),
    ("summer", datetime.date(2026, 4, 13), datetime.date(2026, 7, 24), datetime.date(2026, 5, 25),
     datetime.date(2026, 5, 29)),
]
BANK_HOLIDAYS = {datetime.date(2026, 5, 4)}
# Codes as a school's register shows them: mostly present, some late, authorised and unauthorised absence.
AM_CODES = ["/"] * 86 + ["L"] * 3 + ["I"] * 4 + ["M", "C", "E"] + ["N", "O", "G", "U"]
PM_CODES = ["\\"] * 86 + ["L"] * 3 + ["I"] * 4 + ["M", "C", "E"] + ["N", "O", "G", "U"]
# One pupil in eight misses about a fifth of sessions, mostly unauthorised, so the penalty-notice scan has pupils
# to find.
AWAY_AM = ["/"] * 76 + ["I"] * 4 + ["N"] * 10 + ["O"] * 5 + ["G"] * 5
AWAY_PM = ["\\"] * 76 + ["I"] * 4 + ["N"] * 10 + ["O"] * 5 + ["G"] * 5


@dataclass
class GeneratedLA:
    pupils: int
    schools: int
    school_days: list[datetime.date]


def school_days(count: int | None = None) -> list[datetime.date]:
    days = []
    for _, start, end, half_start, half_end in TERMS:
        day = start
        while day <= end:
            if day.weekday() < 5 and not half_start <= day <= half_end and day not in BANK_HOLIDAYS:
                days.append(day)
            day += datetime.timedelta(days=1)
    return days[:count] if count else days


def build(pupils: int) -> GeneratedLA:
    """The LA's organisation, pupils and enrolments (the database must be empty)."""
    LocalAuthority.objects.create(name="Benchmark County Council", la_code="845")
    partnerships = [Partnership.objects.create(name=f"Partnership {n}") for n in range(1, 5)]
    year = AcademicYear.objects.create(name="2025/26", start_date=YEAR_START, end_date=datetime.date(2026, 8, 31))
    for name, start, end, half_start, half_end in TERMS:
        Term.objects.create(academic_year=year, name=name, start_date=start, end_date=end,
                            half_term_start=half_start, half_term_end=half_end)
    school_count = max(1, pupils // PUPILS_PER_SCHOOL)
    phases = [School.Phase.PRIMARY, School.Phase.PRIMARY, School.Phase.SECONDARY, School.Phase.SPECIAL]
    School.objects.bulk_create([
        School(urn=f"{200000 + n}", laestab=f"845{n + 1000:04d}", name=f"School {n:04d}", phase=phases[n % 4],
               school_type=School.SchoolType.ACADEMY, partnership=partnerships[n % 4]) for n in range(school_count)])
    schools = list(School.objects.order_by("pk").values_list("pk", flat=True))
    batch = []
    for n in range(pupils):
        body = f"845{n:09d}"
        first_name, surname = pupil_name(n)
        batch.append(Pupil(upn=upn_check_letter(body) + body, legal_first_name=first_name, legal_last_name=surname,
                           date_of_birth=datetime.date(2012 + n % 8, 1 + n % 12, 1 + n % 28)))
        if len(batch) == 20_000:
            Pupil.objects.bulk_create(batch)
            batch = []
    Pupil.objects.bulk_create(batch)
    pupil_ids = Pupil.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20_000)
    batch = []
    for index, pupil_id in enumerate(pupil_ids):
        batch.append(Enrolment(pupil_id=pupil_id, school_id=schools[index % school_count], start_date=YEAR_START,
                               nc_year=1 + index % 11))
        if len(batch) == 20_000:
            Enrolment.objects.bulk_create(batch)
            batch = []
    Enrolment.objects.bulk_create(batch)
    return GeneratedLA(pupils=pupils, schools=school_count, school_days=school_days())


# Pupils written at a time: a frame of this many pupils' year (about 9.5 million rows) at once, not the whole LA's
# (380 million rows at 1,000,000 pupils would not fit in memory).
WRITE_PUPILS = 25_000


def write_csv(path: Path, days: list[datetime.date], *, seed: int = 1) -> int:
    """A register CSV for every pupil on the given days (one school's export concatenated after another's), written
    a run of schools at a time so its memory does not grow with the LA. Returns the rows written."""
    pupils = (pl.DataFrame(list(Enrolment.objects.values_list("pupil__upn", "school__urn")), orient="row",
                           schema={"upn": pl.String, "school": pl.String})
              .with_row_index("pupil_no").sort("school", "upn"))
    calendar = pl.DataFrame({"date": days}).with_row_index("day_no")
    sessions = pl.DataFrame({"session": ["AM", "PM"]})
    draw = ((pl.col("pupil_no").cast(pl.UInt64) * 7919 + pl.col("day_no").cast(pl.UInt64) * 104729
             + (pl.col("session") == "PM").cast(pl.UInt64) * 1299709 + seed) * 2654435761) % 4294967296

    def pick(codes):
        return (draw % len(codes)).replace_strict(dict(enumerate(codes)), return_dtype=pl.String)

    away = pl.col("pupil_no") % 8 == 0
    am = pl.when(away).then(pick(AWAY_AM)).otherwise(pick(AM_CODES))
    pm = pl.when(away).then(pick(AWAY_PM)).otherwise(pick(PM_CODES))
    written = 0
    with path.open("wb") as stream:
        for start in range(0, max(pupils.height, 1), WRITE_PUPILS):
            frame = (pupils.slice(start, WRITE_PUPILS).join(calendar, how="cross").join(sessions, how="cross")
                     .sort("school", "upn", "date", "session")
                     .with_columns(pl.when(pl.col("session") == "AM").then(am).otherwise(pm).alias("code"),
                                   pl.col("date").dt.strftime("%Y-%m-%d")))
            frame.select("upn", "school", "date", "session", "code").write_csv(stream, include_header=start == 0)
            written += frame.height
    return written
