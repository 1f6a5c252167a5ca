"""Writing register marks set-wise: parsed rows → enrolments and terms → week rows, with corrections recorded and
summaries recomputed, in one transaction (DESIGN.md, Attendance engine).

Rows arrive in chunks (polars DataFrames in marks_fast.ROW_SCHEMA) from the CSV reader, or as one chunk from a CTF.
Each chunk's distinct values (schools, UPNs, enrolments, school days) are looked up in the database and joined to its
rows as columns, so no Python code runs per mark; only schools and term dates are kept across chunks, so memory
does not grow with the LA. Each chunk is folded straight into partial week rows (a week's ten marks packed six bits
a slot into one integer), so memory holds week rows, not marks. Then the weeks are merged with what is stored: a slot
the file fills is written, a slot it changes is corrected (and the change recorded), a slot it repeats is unchanged,
a slot it leaves empty keeps its mark.

Rules, in the order each row is checked (the first that fails is the row's problem):
1. the school is one of the authority's (URN or LAESTAB) and the uploader may import for it;
2. the UPN (or a former UPN) is a pupil the authority knows;
3. the pupil was on that school's roll on the date;
4. the date is a weekday in one of that school's terms (its own dates, or the LA's).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from schools.attendance import engine as attendance_engine
from schools.attendance.codes import REGIME_CHANGE_DATE, Regime
from schools.attendance.imports.errors import ImportIssue
from schools.attendance.imports.marks_fast import ROW_SCHEMA, duplicate_marks
from schools.attendance.weeks import (
    BITS_PER_SLOT,
    CODE_INDEX,
    COUNT_FIELDS,
    NO_MARK,
    SLOTS,
    WEEK_FIELDS,
    flags_by_index,
    pad,
)
from schools.models import (
    AttendanceMarkChange,
    AttendanceMarkDetail,
    AttendanceWeek,
    Enrolment,
    Pupil,
    School,
    Term,
)
from schools.school_days import is_bank_holiday

SLOT_MASK = (1 << BITS_PER_SLOT) - 1
_EPOCH = datetime.date(1970, 1, 1)
WEEKS = AttendanceWeek._meta.db_table
CHANGES = AttendanceMarkChange._meta.db_table
DETAILS = AttendanceMarkDetail._meta.db_table


def _day_number(day: pl.Expr) -> pl.Expr:
    return day.cast(pl.Int32)  # days since 1970-01-01, as polars stores dates


# polars expressions have no shift operators, so slot arithmetic multiplies by powers looked up per slot.
_SLOT_WEIGHT = {slot: 1 << (BITS_PER_SLOT * slot) for slot in range(SLOTS)}
_SLOT_BIT = {slot: 1 << slot for slot in range(SLOTS)}


def _packed(slot: pl.Expr, code_index: pl.Expr) -> pl.Expr:
    """A mark's code index in its slot's six bits; a week's marks sum to its packed value (slots never overlap)."""
    return code_index.cast(pl.UInt64) * slot.replace_strict(_SLOT_WEIGHT, return_dtype=pl.UInt64)


def _bit(slot: pl.Expr) -> pl.Expr:
    return slot.replace_strict(_SLOT_BIT, return_dtype=pl.UInt32)


_ENROLMENT_SCHEMA = {"pair": pl.Int64, "id": pl.Int64, "start": pl.Int32, "end": pl.Int32}

# Above this many values, reading the whole table's key columns is cheaper than sending the values to look up.
WHOLE_TABLE_FROM = 5_000


def query_frame(sql: str, params, schema: dict) -> pl.DataFrame:
    """A query's rows as a frame with ``schema``'s columns in order. On PostgreSQL the server joins the rows into one
    CSV text, fetched as one value and parsed by polars, instead of a Python object per row and column (a whole LA's
    250,000 pupils: 0.1 s against 0.8 s); elsewhere the rows are fetched as usual."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if any(dtype == pl.Date for dtype in schema.values()):  # SQLite's raw cursor returns ISO text
                positions = [i for i, dtype in enumerate(schema.values()) if dtype == pl.Date]
                rows = [tuple(datetime.date.fromisoformat(value) if i in positions and isinstance(value, str)
                              else value for i, value in enumerate(row)) for row in rows]
            return pl.DataFrame(rows, schema=schema, orient="row")
        # Every value as text, a NULL as an empty field (read back as null). Fields and rows are parted by the ASCII
        # unit and record separators, which no UPN, date or code holds, so a stray comma or line break in a value
        # (a UPN written to the database without its validator) cannot shift a column.
        fields = f" || chr({_UNIT}) || ".join(f"COALESCE(CAST(q.{name} AS text), '')" for name in schema)
        cursor.execute(f"SELECT string_agg({fields}, chr({_RECORD})) FROM ({sql}) AS q", params)
        text = cursor.fetchone()[0]
    if not text:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(text.encode(), has_header=False, new_columns=list(schema), schema=schema, quote_char=None,
                       separator=chr(_UNIT), eol_char=chr(_RECORD))


_UNIT, _RECORD = 31, 30  # ASCII's unit and record separators


def _rows_matching(model, columns: str, keys: list[str], values: list):
    """Rows of ``model`` whose key columns hold any of ``values`` (a few: a whole LA's file reads the whole table,
    _Lookups.pupils_of). One array parameter on PostgreSQL, bounded IN lists on SQLite (which limits the
    parameters a statement may have)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            where = " OR ".join(f"{key} = ANY(%s)" for key in keys)
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", [values] * len(keys))
            yield from cursor.fetchall()
            return
        for start in range(0, len(values), 5_000):
            part = values[start:start + 5_000]
            marks = ", ".join(["%s"] * len(part))
            where = " OR ".join(f"{key} IN ({marks})" for key in keys)
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", part * len(keys))
            yield from cursor.fetchall()


def _matching(table: pl.DataFrame, column: str, values: pl.DataFrame) -> pl.DataFrame:
    """(upn, pupil_id) for the ``values`` (a frame of one column, upn) that ``table``'s ``column`` holds, one row a
    value (a former UPN two pupils once had goes to the first)."""
    found = values.join(table.select(pl.col(column).alias("upn"), pl.col("id").alias("pupil_id")), on="upn")
    return found.unique("upn", keep="first", maintain_order=True)


# A term's dates as the resolver needs them: (term id, academic year id, school id or None, start, end, half-term
# start, half-term end).
_TermDates = tuple[int, int, int | None, datetime.date, datetime.date, datetime.date | None, datetime.date | None]
_PUPIL_SCHEMA = {"upn": pl.String, "pupil_id": pl.Int64}
_TERM_SCHEMA = {"school_day": pl.Int64, "term_id": pl.Int64, "academic_year_id": pl.Int64}


@dataclass
class _Lookups:
    """The database facts the rows are checked against. Schools and term dates (a few thousand at most) are kept
    across a file's chunks; pupils and enrolments are looked up for each chunk's own rows and let go with it, so a
    whole LA's file holds one chunk's worth of them rather than a map that grows with the LA (1,000,000 pupils' UPNs
    and 5,000 schools' days as Python dicts were half a gigabyte, rebuilt as columns for every chunk)."""

    user: object
    schools: dict[str, tuple[int, str, bool]] = field(default_factory=dict)  # ref -> (id, name, writable)
    unknown_schools: set[str] = field(default_factory=set)
    school_names: dict[int, str] = field(default_factory=dict)
    writable: set[int] | None = None
    la_terms: list[_TermDates] | None = None  # the LA's term dates, every year
    chosen_terms: dict[int, list[_TermDates]] = field(default_factory=dict)  # school id -> the terms it keeps
    # The whole tables' key columns, read once for a whole LA's file (a chunk with more values than WHOLE_TABLE_FROM)
    # and matched as columns for each later chunk.
    pupil_table: pl.DataFrame | None = None
    enrolment_table: pl.DataFrame | None = None

    def fetch_schools(self, refs: list[str]) -> None:
        new = [ref for ref in refs if ref not in self.schools and ref not in self.unknown_schools]
        if not new:
            return
        if self.writable is None:
            self.writable = set(School.objects.visible_to(self.user).values_list("pk", flat=True))
        found = School.objects.filter(Q(urn__in=new) | Q(laestab__in=new)).values_list("pk", "urn", "laestab", "name")
        for pk, urn, laestab, name in found:
            self.school_names[pk] = name
            for ref in (urn, laestab):
                if ref in new:
                    self.schools[ref] = (pk, name, pk in self.writable)
        self.unknown_schools.update(ref for ref in new if ref not in self.schools)

    def pupils_of(self, upns: pl.Series) -> pl.DataFrame:
        """(upn, pupil_id) for each of the distinct ``upns`` that names a pupil: by current UPN, else by a former one
        (a current UPN wins over someone else's former one, so former UPNs are looked up only for the rest, usually
        none). The values stay a column throughout: a whole LA's day is 250,000 UPNs a chunk."""
        wanted = upns.cast(pl.String).rename("upn").to_frame()
        if self.pupil_table is None and wanted.height > WHOLE_TABLE_FROM:
            # A whole LA's file: every pupil's UPNs in one read, kept for the file's later chunks.
            self.pupil_table = query_frame(f"SELECT id, upn, former_upn FROM {Pupil._meta.db_table}", (),
                                           {"id": pl.Int64, "upn": pl.String, "former_upn": pl.String})
        table = self.pupil_table

        def lookup(column: str, values: pl.DataFrame) -> pl.DataFrame:
            if table is not None:
                return _matching(table, column, values)
            rows = _rows_matching(Pupil, f"{column}, id", [column], values.get_column("upn").to_list())
            return pl.DataFrame(list(rows), schema=_PUPIL_SCHEMA, orient="row").unique("upn", keep="first")

        current = lookup("upn", wanted)
        rest = wanted.join(current, on="upn", how="anti")
        if rest.is_empty():
            return current
        return pl.concat([current, lookup("former_upn", rest)])

    def enrolments_of(self, pupil_ids: pl.Series) -> pl.DataFrame:
        """Every enrolment of these (distinct) pupils: pair (pupil id << 32 | school id), id, start and end day
        numbers."""
        columns = "id, pupil_id, school_id, start_date, end_date"
        schema = {"id": pl.Int64, "pupil_id": pl.Int64, "school_id": pl.Int64, "start_date": pl.Date,
                  "end_date": pl.Date}
        if pupil_ids.is_empty():
            return pl.DataFrame(schema=_ENROLMENT_SCHEMA)
        if self.enrolment_table is None and pupil_ids.len() > WHOLE_TABLE_FROM:
            # A whole LA's file: every enrolment's columns in one read, kept for the file's later chunks.
            self.enrolment_table = query_frame(f"SELECT {columns} FROM {Enrolment._meta.db_table}", (), schema)
        if self.enrolment_table is not None:
            frame = self.enrolment_table.join(pupil_ids.cast(pl.Int64).rename("pupil_id").to_frame(), on="pupil_id",
                                              how="semi")
        else:
            frame = pl.DataFrame(list(_rows_matching(Enrolment, columns, ["pupil_id"], pupil_ids.to_list())),
                                 orient="row", schema=schema)
        # Day numbers worked out as columns (both databases' drivers return dates), not a date sum per enrolment.
        return frame.select((pl.col("pupil_id") * (1 << 32) + pl.col("school_id")).alias("pair"), "id",
                            _day_number(pl.col("start_date")).alias("start"),
                            _day_number(pl.col("end_date")).fill_null(1 << 30).alias("end"))

    def _fetch_terms(self, school_ids: list[int]) -> None:
        """Each new school's terms: its own for a year where it has any, else the LA's (schools.school_days'
        calendars_for rule). The LA's are read once; a school's own (rare) once per school, in one query for all."""
        new = [pk for pk in school_ids if pk not in self.chosen_terms]
        if not new:
            return
        fields = ("pk", "academic_year_id", "school_id", "start_date", "end_date", "half_term_start", "half_term_end")
        if self.la_terms is None:
            self.la_terms = list(Term.objects.filter(school__isnull=True).values_list(*fields))
        own: dict[int, list[_TermDates]] = defaultdict(list)
        for term in Term.objects.filter(school_id__in=new).values_list(*fields):
            own[term[2]].append(term)
        for school_id in new:
            own_years = {term[1] for term in own[school_id]}
            self.chosen_terms[school_id] = own[school_id] + [t for t in self.la_terms if t[1] not in own_years]

    def terms_of(self, keys: list[int]) -> pl.DataFrame:
        """(school_day, term_id, academic_year_id) for each key (school id << 20 | day number) that falls on a day
        with sessions in one of the school's terms: not in half term, not a bank holiday (a closure day takes "#",
        so it stays)."""
        self._fetch_terms(list({key >> 20 for key in keys}))
        rows = []
        for key in keys:
            day = _EPOCH + datetime.timedelta(days=key & ((1 << 20) - 1))
            term = next((t for t in self.chosen_terms[key >> 20] if t[3] <= day <= t[4]), None)
            if term is None or is_bank_holiday(day) or (term[5] and term[6] and term[5] <= day <= term[6]):
                continue
            rows.append((key, term[0], term[1]))
        return pl.DataFrame(rows, schema=_TERM_SCHEMA, orient="row")


@dataclass
class Resolved:
    """Everything a file's rows came to, ready to write."""

    weeks: pl.DataFrame  # enrolment_id, week_start, packed, bits, term_id, academic_year_id (empty when spilled)
    details: pl.DataFrame  # enrolment_id, date, session, minutes_late, comment
    issues: list[ImportIssue]
    suppressed: int
    rejected_lines: set[int]
    # {school: the last day the file gives a mark for}, from the weeks it writes (None: not worked out, as for marks
    # stored without the resolver; the caller then asks the database).
    school_days: dict[int, datetime.date] | None = None
    # A large file's weeks, folded and sorted, one file per run of enrolments in enrolment order (Resolver's spill),
    # in a folder removed when this object is.
    spilled: list[Path] = field(default_factory=list)
    spill_folder: tempfile.TemporaryDirectory | None = None
    spilled_weeks: int = 0
    spilled_first_week: datetime.date | None = None

    def week_batches(self) -> Iterator[pl.DataFrame]:
        """The weeks to write, sorted by enrolment and week: the frame, or the spilled files one at a time."""
        if not self.spilled:
            yield self.weeks
            return
        for path in self.spilled:
            yield pl.read_ipc(path)

    @property
    def weeks_count(self) -> int:
        return self.spilled_weeks if self.spilled else self.weeks.height

    @property
    def first_week(self) -> datetime.date | None:
        if self.spilled:
            return self.spilled_first_week
        return self.weeks.get_column("week_start").min() if self.weeks.height else None


def empty_details() -> pl.DataFrame:
    return pl.DataFrame(schema={"line": pl.UInt32, "enrolment_id": pl.Int64, "date": pl.Date, "session": pl.UInt8,
                                "minutes_late": pl.Int16, "comment": pl.String})


_WEEK_SCHEMA = {"enrolment_id": pl.Int64, "week_start": pl.Date, "packed": pl.UInt64, "bits": pl.UInt32,
                "bits_any": pl.UInt32, "term_id": pl.Int64, "academic_year_id": pl.Int64}


# Memory flat in the size of the file: once the partial weeks held reach SPILL_FROM_WEEKS rows, they go to disk in
# runs of 2**SPILL_BUCKET_BITS enrolment ids, and each run is folded and written on its own. Below it (a school's
# file, a day's LA-wide file) everything stays in memory. 1,500,000 partial weeks are about 70 MB in polars.
SPILL_FROM_WEEKS = 1_500_000
SPILL_BUCKET_BITS = 15


class Resolver:
    """Checks chunks of parsed rows against the database and folds the good ones into partial week rows."""

    def __init__(self, user, file_name: str, *, max_issues: int | None = 1000):
        self.lookups = _Lookups(user)
        self.file_name = file_name
        self.max_issues = max_issues
        self.issues: list[ImportIssue] = []
        self.suppressed = 0
        self.rejected_lines: set[int] = set()
        self.partials: list[pl.DataFrame] = []
        self.details: list[pl.DataFrame] = []
        self._schools: tuple | None = None  # _school_mapping's Series, with how many schools they hold
        self._enrolment_schools: list[pl.DataFrame] = []  # (enrolment_id, school_id) of each chunk's good rows
        self._held = 0  # partial week rows in self.partials
        self._spill_folder: tempfile.TemporaryDirectory | None = None
        self._spilled: dict[int, list[Path]] = defaultdict(list)  # run of enrolment ids -> its partials' files

    def add(self, chunk: pl.DataFrame) -> None:
        """Check a chunk, note its problems and fold its good rows into partial weeks."""
        good = self._resolve(chunk, report=True)
        if good is None:
            return
        partial = good.group_by("enrolment_id", "week_start").agg(
            _packed(pl.col("slot"), pl.col("code_index")).sum().alias("packed"),
            _bit(pl.col("slot")).sum().alias("bits"),
            _bit(pl.col("slot")).bitwise_or().alias("bits_any"),
            pl.col("term_id").first(), pl.col("academic_year_id").first())
        self.partials.append(partial)
        self._held += partial.height
        if self._held >= SPILL_FROM_WEEKS:
            self._spill()
        detail = good.filter(pl.col("minutes_late").is_not_null() | (pl.col("comment").fill_null("") != ""))
        if not detail.is_empty():
            self.details.append(detail.select("line", "enrolment_id", "date", "session", "minutes_late", "comment"))

    def _resolve(self, chunk: pl.DataFrame, *, report: bool) -> pl.DataFrame | None:
        if chunk.is_empty():
            return None
        lookups = self.lookups
        lookups.fetch_schools(chunk.get_column("school_ref").unique().to_list())
        schools = self._school_mapping()
        pupils = lookups.pupils_of(chunk.get_column("upn").unique())
        frame = chunk.with_columns(schools("school_ref", "school_id"), schools("school_ref", "writable"),
                                   _day_number(pl.col("date")).alias("day"))
        frame = frame.join(pupils, on="upn", how="left", maintain_order="left")
        enrolments = lookups.enrolments_of(frame.get_column("pupil_id").drop_nulls().unique())
        frame = frame.with_columns((pl.col("pupil_id") * (1 << 32) + pl.col("school_id")).alias("pair"))
        several = pl.len().over("pair") > 1
        single = enrolments.filter(~several).select("pair", pl.col("id").alias("only_enrolment"),
                                                     pl.col("start").alias("only_start"),
                                                     pl.col("end").alias("only_end"))
        frame = frame.join(single, on="pair", how="left", maintain_order="left")
        frame = frame.with_columns(
            pl.when(pl.col("day").is_between(pl.col("only_start"), pl.col("only_end")))
            .then(pl.col("only_enrolment")).otherwise(None).alias("enrolment_id"))
        frame = self._several_enrolments(frame, enrolments.filter(several))
        frame = frame.with_columns((pl.col("school_id") * (1 << 20) + pl.col("day")).alias("school_day"))
        terms = lookups.terms_of(frame.filter(pl.col("enrolment_id").is_not_null()).get_column("school_day")
                                 .unique().to_list())
        frame = frame.join(terms, on="school_day", how="left", maintain_order="left")
        if report:
            self._report(frame)
        # Every check _report names must hold: a row with no enrolment can still carry a term (looked up by school
        # and day, which good rows on that day share), and must not reach the writer.
        good = frame.filter(pl.col("enrolment_id").is_not_null() & pl.col("term_id").is_not_null()
                            & (pl.col("date").dt.weekday() <= 5) & pl.col("writable").fill_null(False))
        if report:
            # Each enrolment's school, for the last register day finish() works out per school.
            self._enrolment_schools.append(good.select("enrolment_id", "school_id").unique())
        good = good.with_columns(
            (pl.col("date").dt.weekday().cast(pl.UInt8) - 1).alias("weekday"),
            pl.col("code").replace_strict(CODE_INDEX, return_dtype=pl.UInt8).alias("code_index"))
        return good.with_columns(
            (pl.col("weekday") * 2 + pl.col("session")).alias("slot"),
            (pl.col("date") - pl.duration(days=pl.col("weekday").cast(pl.Int64))).alias("week_start"))

    def _school_mapping(self):
        """The schools looked up as polars Series (refs, ids, writable), rebuilt only when more have been looked up,
        so each chunk applies them with replace_strict without turning the dict into columns again."""
        schools = self.lookups.schools
        if self._schools is None or self._schools[0] != len(schools):
            self._schools = (len(schools), pl.Series(list(schools), dtype=pl.String), {
                "school_id": pl.Series([v[0] for v in schools.values()], dtype=pl.Int64),
                "writable": pl.Series([v[2] for v in schools.values()], dtype=pl.Boolean)})
        _, keys, columns = self._schools

        def apply(source: str, column: str) -> pl.Expr:
            return pl.col(source).replace_strict(keys, columns[column], default=None,
                                                 return_dtype=columns[column].dtype).alias(column)

        return apply

    @staticmethod
    def _several_enrolments(frame: pl.DataFrame, several: pl.DataFrame) -> pl.DataFrame:
        """Rows for a pupil who has had more than one enrolment at the school: pick the one covering the date."""
        if several.is_empty():
            return frame
        candidates = several.select("pair", pl.col("id").alias("candidate"), pl.col("start").alias("c_start"),
                                    pl.col("end").alias("c_end"))
        matched = (frame.join(candidates.select("pair").unique(), on="pair", how="semi").select("line", "pair", "day")
                   .join(candidates, on="pair").filter(pl.col("day").is_between(pl.col("c_start"), pl.col("c_end")))
                   .group_by("line").agg(pl.col("candidate").first()))
        return frame.join(matched, on="line", how="left", maintain_order="left").with_columns(
            pl.coalesce("enrolment_id", "candidate").alias("enrolment_id")).drop("candidate")

    def _report(self, frame: pl.DataFrame) -> None:
        names = self.lookups.school_names
        problem = (
            pl.when(pl.col("school_id").is_null()).then(pl.lit("school"))
            .when(~pl.col("writable")).then(pl.lit("not_yours"))
            .when(pl.col("pupil_id").is_null()).then(pl.lit("upn"))
            .when(pl.col("enrolment_id").is_null()).then(pl.lit("not_on_roll"))
            .when(pl.col("term_id").is_null() | (pl.col("date").dt.weekday() > 5)).then(pl.lit("not_in_term"))
            .otherwise(None))
        bad = frame.with_columns(problem.alias("problem")).filter(pl.col("problem").is_not_null())
        if bad.is_empty():
            return
        self.rejected_lines.update(bad.get_column("line").to_list())
        room = None if self.max_issues is None else max(self.max_issues - len(self.issues), 0)
        listed = bad if room is None else bad.head(room)
        self.suppressed += bad.height - listed.height
        for line, kind, ref, upn, day, school in listed.select("line", "problem", "school_ref", "upn", "date",
                                                               "school_id").iter_rows():
            name = names.get(school, "the school")
            field_name, value, reason = {
                "school": ("school", ref, "No school in this authority has this URN or LAESTAB."),
                "not_yours": ("school", ref, "You can only import registers for your own school."),
                "upn": ("upn", upn, "No pupil with this UPN is known to the authority."),
                "not_on_roll": ("date", day.isoformat(), f"The pupil was not on {name}'s roll on this date."),
                "not_in_term": ("date", day.isoformat(),
                                f"This date is not a school day at {name}: a weekend, a bank holiday, half term or "
                                f"outside its terms."),
            }[kind]
            self.issues.append(ImportIssue(self.file_name, line, field_name, value, reason))

    def _spill(self) -> None:
        """Write the partial weeks held to disk, one file per run of enrolment ids, and let them go."""
        if self._spill_folder is None:
            self._spill_folder = tempfile.TemporaryDirectory(prefix="register-weeks-")
        partials, self.partials, self._held = self.partials, [], 0
        joined = pl.concat(partials, rechunk=False)
        del partials
        bucket = (pl.col("enrolment_id") // (1 << SPILL_BUCKET_BITS)).alias("bucket")
        for (number,), part in joined.with_columns(bucket).partition_by("bucket", as_dict=True,
                                                                           include_key=False).items():
            path = Path(self._spill_folder.name) / f"partial-{number}-{len(self._spilled[number])}.arrow"
            part.write_ipc(path)
            self._spilled[number].append(path)

    @staticmethod
    def _fold(partials: list[pl.DataFrame]) -> pl.DataFrame:
        """Partial weeks summed into whole weeks (slots never overlap unless a session is duplicated), sorted as
        write() slices them."""
        joined = pl.concat(partials, rechunk=False) if partials else pl.DataFrame(schema=_WEEK_SCHEMA)
        return joined.lazy().group_by("enrolment_id", "week_start").agg(
            pl.col("packed").sum(), pl.col("bits").sum(), pl.col("bits_any").bitwise_or(),
            pl.col("term_id").first(), pl.col("academic_year_id").first()).sort("enrolment_id", "week_start").collect()

    def finish(self, chunks_again: Callable[[], Iterable[pl.DataFrame]]) -> Resolved:
        """Fold the partial weeks together, leaving out sessions two lines disagree about (marks_fast's rule).

        A week whose slots were filled more than once holds a duplicate; only then are the file's rows read again
        (``chunks_again``) for those weeks, so an ordinary import never keeps its rows."""
        if self._spill_folder is not None:
            return self._finish_spilled(chunks_again)
        # Memory: the partials are dropped as soon as they are folded, and the weeks come out sorted as write()
        # slices them, so they are not copied again by a sort in write().
        partials, self.partials = self.partials, []
        weeks = self._fold(partials)
        del partials
        details = pl.concat(self.details) if self.details else empty_details()
        clashing = weeks.filter(pl.col("bits") != pl.col("bits_any")).select("enrolment_id", "week_start")
        if not clashing.is_empty():
            rebuilt, drop = self._rebuild_clashing(clashing, chunks_again)
            weeks = _with_rebuilt(weeks, clashing, rebuilt)
            details = details.filter(~pl.col("line").is_in(list(drop)))
        return Resolved(weeks=weeks.drop("bits_any"), details=details, issues=self.issues, suppressed=self.suppressed,
                        rejected_lines=self.rejected_lines, school_days=self._school_days(weeks))

    def _finish_spilled(self, chunks_again: Callable[[], Iterable[pl.DataFrame]]) -> Resolved:
        """finish() for a file whose partial weeks went to disk: each run of enrolments folded on its own and kept on
        disk, so no more than one run's weeks are in memory at once."""
        if self.partials:
            self._spill()
        folder = Path(self._spill_folder.name)
        folded: list[Path] = []
        clashes: list[pl.DataFrame] = []
        school_days: dict[int, datetime.date] = {}
        count, first_week = 0, None
        for number in sorted(self._spilled):
            paths = self._spilled.pop(number)
            weeks = self._fold([pl.read_ipc(path) for path in paths])
            for path in paths:
                path.unlink()
            clashing = weeks.filter(pl.col("bits") != pl.col("bits_any")).select("enrolment_id", "week_start")
            if not clashing.is_empty():
                clashes.append(clashing)
            path = folder / f"weeks-{number}.arrow"
            weeks.drop("bits_any").write_ipc(path)  # the writer reads the weeks without it
            folded.append(path)
            for school, day in self._school_days(weeks).items():
                school_days[school] = max(day, school_days.get(school, day))
            count += weeks.height
            least = weeks.get_column("week_start").min()
            first_week = least if first_week is None or least < first_week else first_week
            del weeks
        details = pl.concat(self.details) if self.details else empty_details()
        if clashes:
            clashing = pl.concat(clashes)
            rebuilt, drop = self._rebuild_clashing(clashing, chunks_again)
            details = details.filter(~pl.col("line").is_in(list(drop)))
            count = 0
            for path in folded:  # only the runs holding a clash change, but every run's count is taken again
                weeks = pl.read_ipc(path)
                mine = clashing.join(weeks.select("enrolment_id", "week_start"), on=["enrolment_id", "week_start"])
                if not mine.is_empty():
                    weeks = _with_rebuilt(weeks, mine, rebuilt)
                    weeks.write_ipc(path)
                count += weeks.height
        return Resolved(weeks=pl.DataFrame(schema={k: v for k, v in _WEEK_SCHEMA.items() if k != "bits_any"}),
                        details=details, issues=self.issues, suppressed=self.suppressed,
                        rejected_lines=self.rejected_lines, school_days=school_days, spilled=folded,
                        spill_folder=self._spill_folder, spilled_weeks=count, spilled_first_week=first_week)

    def _school_days(self, weeks: pl.DataFrame) -> dict[int, datetime.date]:
        """The last day each school's rows give a mark for: each week row's last day with a slot filled (two slots
        a day, Monday AM first), its school from the file's good rows; no query."""
        if weeks.is_empty():
            return {}
        bits = pl.col("bits")
        last_day = pl.lit(0)
        for day in range(1, 5):  # the latest day with either session's bit set wins
            last_day = pl.when((bits & (0b11 << (2 * day))) > 0).then(pl.lit(day)).otherwise(last_day)
        if len(self._enrolment_schools) > 1:
            self._enrolment_schools = [pl.concat(self._enrolment_schools).unique()]
        schools = self._enrolment_schools[0]
        days = (weeks.join(schools, on="enrolment_id")
                .with_columns((pl.col("week_start") + pl.duration(days=last_day)).alias("day"))
                .group_by("school_id").agg(pl.col("day").max()))
        return dict(days.iter_rows())

    def _rebuild_clashing(self, clashing: pl.DataFrame, chunks_again) -> tuple[pl.DataFrame, set[int]]:
        """(the clashing weeks' packed marks and bits from the lines that are kept, the lines left out), reading the
        file's rows again for those weeks only."""
        parts = [good.join(clashing, on=["enrolment_id", "week_start"]) for good in
                 (self._resolve(chunk, report=False) for chunk in chunks_again()) if good is not None]
        rows = pl.concat(parts).select("line", "enrolment_id", "date", "session", "code", "minutes_late", "comment",
                                       "week_start", "slot")
        drop, rejected, issues = duplicate_marks(rows, ["enrolment_id", "date", "session"], name=self.file_name)
        self.issues.extend(issues)
        self.rejected_lines.update(rejected)
        kept = rows.filter(~pl.col("line").is_in(list(drop)))
        rebuilt = kept.with_columns(pl.col("code").replace_strict(CODE_INDEX, return_dtype=pl.UInt8)
                                    .alias("code_index")).group_by("enrolment_id", "week_start").agg(
            _packed(pl.col("slot"), pl.col("code_index")).sum().alias("packed_kept"),
            _bit(pl.col("slot")).sum().alias("bits_kept"))
        return rebuilt, drop


def _with_rebuilt(weeks: pl.DataFrame, clashing: pl.DataFrame, rebuilt: pl.DataFrame) -> pl.DataFrame:
    """The weeks with each clashing week's marks replaced by those of the lines kept (a week left with none goes)."""
    weeks = weeks.join(clashing.with_columns(pl.lit(True).alias("clash")), on=["enrolment_id", "week_start"],
                       how="left").join(rebuilt, on=["enrolment_id", "week_start"], how="left")
    return weeks.with_columns(
        pl.when(pl.col("clash")).then(pl.col("packed_kept").fill_null(0)).otherwise(pl.col("packed"))
        .alias("packed"),
        pl.when(pl.col("clash")).then(pl.col("bits_kept").fill_null(0)).otherwise(pl.col("bits"))
        .alias("bits")).filter(pl.col("bits") > 0).drop("clash", "packed_kept", "bits_kept")


# --- Merging with what is stored, and writing ------------------------------------------------------------------------

@dataclass
class WriteOutcome:
    written: int
    changed: int
    unchanged: int
    weeks_written: int
    weeks_added: int = 0  # of weeks_written, those not stored before (the rest replaced stored weeks)


_CODE_BY_INDEX = {index: pad(code) for code, index in CODE_INDEX.items()} | {0: NO_MARK}
_INDEX_BY_PADDED = {pad(code): index for code, index in CODE_INDEX.items()} | {NO_MARK: 0}
_FLAG_BITS = 4  # a week has ten sessions, so every count fits in four bits


def _flag_words(regime: Regime) -> dict[int, int]:
    flags = flags_by_index(regime)
    return {index: sum(flags[name][index] << (_FLAG_BITS * k) for k, name in enumerate(WEEK_FIELDS))
            for index in range(len(flags["possible"]))}


_FLAG_WORDS = {regime: _flag_words(regime) for regime in Regime}


def _unpacked(column: str, k: int) -> pl.Expr:
    return ((pl.col(column) // (1 << (_FLAG_BITS * k))) % (1 << _FLAG_BITS)).cast(pl.Int16)


def _packed_flags(code_index: pl.Expr, week_start: pl.Expr) -> pl.Expr:
    """One slot's counts as a packed integer, read in the regime of the week's date."""
    newer = code_index.replace_strict(_FLAG_WORDS[Regime.FROM_2024_08_19], return_dtype=pl.Int64)
    older = code_index.replace_strict(_FLAG_WORDS[Regime.PRE_2024], return_dtype=pl.Int64)
    return pl.when(week_start >= REGIME_CHANGE_DATE).then(newer).otherwise(older)


def _slot(i: int) -> pl.Expr:
    return ((pl.col("packed") // _SLOT_WEIGHT[i]) % (SLOT_MASK + 1)).cast(pl.UInt8)


def merge_weeks(incoming: pl.DataFrame, stored: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """(week rows to write with their marks and counts, change rows, counts of written/changed/unchanged marks).

    ``stored`` holds the existing rows for the same enrolments and weeks (enrolment_id, week_start, marks)."""
    frame = incoming.join(stored, on=["enrolment_id", "week_start"], how="left").with_columns(
        pl.col("marks").is_not_null().alias("exists"), pl.col("marks").fill_null(NO_MARK * SLOTS))
    old = [pl.col("marks").str.slice(2 * i, 2).replace_strict(_INDEX_BY_PADDED, return_dtype=pl.UInt8).alias(f"o{i}")
           for i in range(SLOTS)]
    frame = frame.with_columns(*old, *[_slot(i).alias(f"n{i}") for i in range(SLOTS)])
    merged = [pl.when(pl.col(f"n{i}") > 0).then(pl.col(f"n{i}")).otherwise(pl.col(f"o{i}")).alias(f"m{i}")
              for i in range(SLOTS)]
    frame = frame.with_columns(*merged)
    counts = frame.select(
        written=pl.sum_horizontal(((pl.col(f"o{i}") == 0) & (pl.col(f"n{i}") > 0)).cast(pl.UInt32).sum()
                                  for i in range(SLOTS)),
        changed=pl.sum_horizontal(((pl.col(f"o{i}") > 0) & (pl.col(f"n{i}") > 0) & (pl.col(f"n{i}") != pl.col(
            f"o{i}"))).cast(pl.UInt32).sum() for i in range(SLOTS)),
        unchanged=pl.sum_horizontal(((pl.col(f"n{i}") > 0) & (pl.col(f"n{i}") == pl.col(f"o{i}")))
                                    .cast(pl.UInt32).sum() for i in range(SLOTS)),
    ).row(0, named=True)
    changes = pl.concat([
        frame.filter((pl.col(f"o{i}") > 0) & (pl.col(f"n{i}") > 0) & (pl.col(f"n{i}") != pl.col(f"o{i}"))).select(
            "enrolment_id", (pl.col("week_start") + pl.duration(days=i // 2)).alias("date"),
            pl.lit(i % 2, pl.UInt8).alias("session"),
            pl.col(f"o{i}").replace_strict(_CODE_BY_INDEX, return_dtype=pl.String).str.strip_chars().alias("old_code"),
            pl.col(f"n{i}").replace_strict(_CODE_BY_INDEX, return_dtype=pl.String).str.strip_chars().alias("new_code"))
        for i in range(SLOTS)])
    differs = pl.any_horizontal(pl.col(f"m{i}") != pl.col(f"o{i}") for i in range(SLOTS))
    frame = frame.filter(differs)
    # Each code's nine counts packed four bits apiece into one integer: a week's counts are then the sum of its ten
    # slots' integers (no count exceeds ten), unpacked once, instead of nine lookups per slot.
    frame = frame.with_columns(
        pl.sum_horizontal(_packed_flags(pl.col(f"m{i}"), pl.col("week_start")) for i in range(SLOTS)).alias("counts"),
        pl.sum_horizontal(_packed_flags(pl.col(f"o{i}"), pl.col("week_start")) for i in range(SLOTS))
        .alias("old_counts"))
    count_columns = [_unpacked("counts", k).alias(name) for k, name in enumerate(WEEK_FIELDS)]
    # What the week counted before (zero for a new week), so the summaries can take the difference.
    count_columns += [_unpacked("old_counts", k).alias(f"old_{name}") for k, name in enumerate(WEEK_FIELDS)]
    marks = pl.concat_str([pl.col(f"m{i}").replace_strict(_CODE_BY_INDEX, return_dtype=pl.String)
                           for i in range(SLOTS)]).alias("marks")
    rows = frame.select("enrolment_id", "week_start", marks, "term_id", "academic_year_id", *count_columns, "exists")
    return rows, changes, counts


def _fetch_stored(weeks: pl.DataFrame) -> pl.DataFrame:
    """The stored rows for the weeks' run of enrolments and their date range (inside the write transaction).

    Rows of enrolments in the range that the file does not mention are read and ignored (the merge keeps only the
    file's weeks); _stored_side says which index finds them."""
    schema = {"enrolment_id": pl.Int64, "week_start": pl.Date, "marks": pl.String}
    if weeks.is_empty():
        return pl.DataFrame(schema=schema)
    first, last = weeks.get_column("week_start").min(), weeks.get_column("week_start").max()
    low, high = weeks.get_column("enrolment_id").min(), weeks.get_column("enrolment_id").max()
    with _stored_side(weeks):
        return query_frame(f"SELECT enrolment_id, week_start, marks FROM {WEEKS} WHERE enrolment_id BETWEEN %s AND %s "
                           f"AND week_start BETWEEN %s AND %s", (low, high, first, last), schema)


# A slice of at most this many distinct weeks (a day's or a week's registers) reads its stored rows week by week.
BY_WEEK_UP_TO = 2


def _stored_side(weeks: pl.DataFrame):
    """How a slice's stored rows are read (for the merge and for the update of the weeks that exist). A slice of a
    year's file holds a few thousand enrolments' every week: a range of the primary key (enrolment, week) reads just
    those. A slice of a day's file holds one week of up to 150,000 enrolments, and the same range scan walks every
    week those enrolments have stored (5,800,000 index entries at 250,000 pupils by July) to find one each, where the
    week_start index finds the week's rows, which lie together (new weeks are written week by week): at 250,000
    pupils 36,000 pages read against 7,000 (0.48 s against 0.09 s). The planner, not knowing how the rows lie,
    chooses the range scan, so for a few weeks it is told not to."""
    if weeks.get_column("week_start").n_unique() > BY_WEEK_UP_TO:
        return contextlib.nullcontext()
    return attendance_engine.planner_settings(enable_indexscan="off")


def _copy_in(cursor, table: str, columns: list[str], frame: pl.DataFrame) -> None:
    with cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        for start in range(0, frame.height, 200_000):
            buffer = io.BytesIO()
            frame.slice(start, 200_000).select(columns).write_csv(buffer, include_header=False)
            copy.write(buffer.getvalue())


def _insert_many(cursor, sql: str, frame: pl.DataFrame, columns: list[str]) -> None:
    cursor.executemany(sql, frame.select(columns).iter_rows())


_WEEK_COLUMNS = ["enrolment_id", "week_start", "marks", "academic_year_id", "term_id", *WEEK_FIELDS, "source_id"]


# Weeks merged and written at a time: the merge widens each week to a few dozen columns, so a slice bounds memory.
WRITE_SLICE = 150_000


_DELTA_KEY = ["enrolment_id", "term_id", "academic_year_id"]
_DELTA_COLUMNS = [*_DELTA_KEY, *COUNT_FIELDS]


class _Deltas:
    """Each (enrolment, term)'s change to the counts, written to the delta table slice by slice as the weeks are, so
    memory holds one slice's, not the whole file's (3,000,000 rows for a year at 1,000,000 pupils). The weeks come in
    enrolment order, so only a slice's last enrolment can go on into the next slice: its rows wait and are added to
    that slice's."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.pending: pl.DataFrame | None = None
        self.last = -1  # the greatest enrolment written so far (-1: none yet)
        # Rows written to the delta table, and the (enrolment, year) pairs they make (an enrolment's rows are all
        # written at once), for apply_deltas to know when every summary it needs already exists.
        self.term_rows = self.year_rows = 0
        attendance_engine.create_delta_table(cursor)

    def add(self, rows: pl.DataFrame) -> None:
        sums = [pl.col(name).sum() for name in COUNT_FIELDS]
        delta = rows.group_by(_DELTA_KEY).agg((pl.col(name) - pl.col(f"old_{name}")).sum() for name in COUNT_FIELDS)
        if self.pending is not None:
            delta = pl.concat([self.pending, delta]).group_by(_DELTA_KEY).agg(sums)
        if delta.is_empty():
            return
        last = delta.get_column("enrolment_id").max()
        self.pending = delta.filter(pl.col("enrolment_id") == last)
        self._write(delta.filter(pl.col("enrolment_id") != last))

    def _write(self, delta: pl.DataFrame) -> None:
        if delta.is_empty():
            return
        if delta.get_column("enrolment_id").min() <= self.last:  # the weeks were not in enrolment order
            raise RuntimeError("Register writer: weeks out of enrolment order; nothing was written.")
        self.last = delta.get_column("enrolment_id").max()
        self.term_rows += delta.height
        self.year_rows += delta.select("enrolment_id", "academic_year_id").n_unique()
        # By term, then enrolment. The summary rows a file creates are stored a term at a time (within each slice),
        # as daily imports leave them (a term's rows are created by its first day), so one more day rewrites the
        # pages of that term's rows and of the year rows, not every page of the table, even after a whole year's
        # file; and the update walks the unique index in order instead of visiting its pages at random.
        delta = delta.sort("term_id", "enrolment_id")
        if connection.vendor == "postgresql":
            _copy_in(self.cursor, attendance_engine.DELTAS, _DELTA_COLUMNS, delta)
        else:
            _insert_many(self.cursor, f"INSERT INTO {attendance_engine.DELTAS} ({', '.join(_DELTA_COLUMNS)}) "
                                      f"VALUES ({', '.join(['%s'] * len(_DELTA_COLUMNS))})", delta, _DELTA_COLUMNS)

    def apply(self) -> None:
        """Write the last enrolment's and add every change to the summaries."""
        if self.pending is not None:
            self._write(self.pending)
            self.pending = None
        if self.last < 0:  # nothing written
            return
        # Not analysed: the planner sizes a temporary table it has no statistics for from its pages, which is all
        # the two updates need (each reads the whole table once), and ANALYZE cost a day's import 0.03 s.
        attendance_engine.apply_deltas(term_rows=self.term_rows, year_rows=self.year_rows)


def write(resolved: Resolved, *, source_id: int | None) -> WriteOutcome:
    """Merge the file's weeks with the stored ones and write the result; call inside a transaction.

    Weeks go in slices (sorted by enrolment, so each slice reads the stored rows of a run of enrolments), each
    written, with its changes to the summaries, while the next is merged (_merged), so a 1,000,000-pupil file never
    holds more than two slices widened."""
    totals = {"written": 0, "changed": 0, "unchanged": 0}
    weeks_written = weeks_added = 0
    # No JIT compilation: the write's statements each handle up to a slice's rows once, and compiling them cost a
    # day's import at 250,000 pupils 10-30 ms a statement, 0.1 s in all, for no faster execution.
    with connection.cursor() as cursor, ThreadPoolExecutor(max_workers=1, thread_name_prefix="weeks-merge") as merger, \
            attendance_engine.planner_settings(jit="off"):
        attendance_engine.hold_write_lock()
        deltas = _Deltas(cursor)
        for rows, changes, counts in _merged(resolved, merger):
            _write_merged(cursor, rows, changes, source_id)
            for name in totals:
                totals[name] += counts[name]
            weeks_written += rows.height
            weeks_added += rows.height - rows.get_column("exists").sum()
            deltas.add(rows)
        _write_details(cursor, resolved.details, source_id)
        deltas.apply()
    return WriteOutcome(weeks_written=weeks_written, weeks_added=weeks_added, **totals)


def _slices(resolved: Resolved) -> Iterator[pl.DataFrame]:
    """The file's weeks in enrolment order, WRITE_SLICE at a time."""
    for incoming in resolved.week_batches():
        if not incoming.is_empty() and not incoming.get_column("enrolment_id").is_sorted():
            incoming = incoming.sort("enrolment_id", "week_start")  # weeks not from Resolver.finish (store())
        for start in range(0, incoming.height, WRITE_SLICE):
            yield incoming.slice(start, WRITE_SLICE)


def _merged(resolved: Resolved, merger: ThreadPoolExecutor) -> Iterator[tuple[pl.DataFrame, pl.DataFrame, dict]]:
    """Each slice merged with its stored rows (merge_weeks), the next slice's merge started in the merger's thread
    before this one is handed back: polars merges one slice (it leaves the interpreter's lock while it works) while
    the database writes the one before, and the slice after that is read while it merges. For a day's registers at
    250,000 pupils the merges took 0.33 s of the import, which the database's writes now hide.

    A slice's stored rows are read before the slice before it is written, which is safe: the weeks are folded to
    one row per (enrolment, week), so the stored rows a slice merges are rows no other slice writes."""
    merging: Future | None = None
    for part in _slices(resolved):
        following = merger.submit(merge_weeks, part, _fetch_stored(part))
        if merging is not None:
            yield merging.result()
        merging = following
    if merging is not None:
        yield merging.result()


# An import that adds this share of the weeks already stored (a first year's file into an empty table, say) changes
# the tables enough that the planner's statistics should follow at once rather than at autovacuum's next visit (the
# next day's import would otherwise be planned against an empty table). The share is autovacuum's own default
# (autovacuum_analyze_scale_factor); a day's registers for every pupil add at most 2.5% of a year's weeks, and on a
# Friday none, so a daily import does not pay 0.5 s for statistics that would hardly move.
ANALYZE_FROM_SHARE = 0.1


def refresh_statistics(outcome: WriteOutcome) -> None:
    if connection.vendor != "postgresql" or not outcome.weeks_added:
        return
    with connection.cursor() as cursor:
        # The planner's count as of the last ANALYZE, before this import (-1: never analysed).
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [WEEKS])
        stored = cursor.fetchone()[0]
        if stored <= 0 or outcome.weeks_added >= ANALYZE_FROM_SHARE * stored:
            cursor.execute(f"ANALYZE {WEEKS}")
            cursor.execute(f"ANALYZE {attendance_engine.SUMMARIES}")


def _write_merged(cursor, rows: pl.DataFrame, changes: pl.DataFrame, source_id: int | None) -> None:
    """One slice's merged weeks (merge_weeks) and its change records, written."""
    rows = rows.with_columns(pl.lit(source_id, pl.Int64).alias("source_id"))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    changes = changes.with_columns(pl.lit(source_id, pl.Int64).alias("source_id"),
                                   pl.lit(str(now)).alias("changed_at"))
    change_columns = ["enrolment_id", "date", "session", "old_code", "new_code", "source_id", "changed_at"]
    update_set = ", ".join(f"{c} = EXCLUDED.{c}" for c in _WEEK_COLUMNS[2:])
    if connection.vendor == "postgresql":
        new_rows, old_rows = rows.filter(~pl.col("exists")), rows.filter(pl.col("exists"))
        # New weeks go straight in (COPY's fastest path), week by week: the rows of one week then lie together on
        # disk, as daily imports leave them, so the next day's file reads and rewrites a few thousand pages instead
        # of touching every page of an LA's year loaded in one file (sorted by pupil).
        _copy_in(cursor, WEEKS, _WEEK_COLUMNS, new_rows.sort("week_start", "enrolment_id"))
        if not old_rows.is_empty():
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS attendance_incoming (LIKE {WEEKS}) "
                           f"ON COMMIT DROP")
            cursor.execute("TRUNCATE attendance_incoming")  # DELETE scanned the last slice's rows: 0.04 s
            _copy_in(cursor, "attendance_incoming", _WEEK_COLUMNS, old_rows)
            # Not analysed (0.06 s of a day's import): the planner sizes the table from its pages, and the stored
            # side's bounds below decide the plan (a hash join against that range).
            # These weeks exist (read under the write lock), so a plain UPDATE joins them; no insert is attempted.
            # The incoming weeks' range bounds the stored side, so a day's file reads that week's rows by the
            # week_start index instead of the planner hash-joining every stored week (1.7 s against 0.6 s for
            # 50,000 pupils).
            changed = ", ".join(f"{c} = i.{c}" for c in _WEEK_COLUMNS[2:])
            weeks, enrolments = pl.col("week_start"), pl.col("enrolment_id")
            bounds = old_rows.select(weeks.min().alias("first"), weeks.max().alias("last"),
                                     enrolments.min().alias("low"), enrolments.max().alias("high")).row(0)
            with _stored_side(old_rows):
                cursor.execute(f"UPDATE {WEEKS} SET {changed} FROM attendance_incoming i "
                               f"WHERE {WEEKS}.enrolment_id = i.enrolment_id AND {WEEKS}.week_start = i.week_start "
                               f"AND {WEEKS}.week_start BETWEEN %s AND %s AND {WEEKS}.enrolment_id BETWEEN %s AND %s",
                               bounds)
        _copy_in(cursor, CHANGES, change_columns, changes)
    else:
        placeholders = ", ".join(["%s"] * len(_WEEK_COLUMNS))
        _insert_many(cursor, f"INSERT INTO {WEEKS} ({', '.join(_WEEK_COLUMNS)}) VALUES ({placeholders}) "
                             f"ON CONFLICT (enrolment_id, week_start) DO UPDATE SET {update_set}",
                     rows.with_columns(pl.col("week_start").cast(pl.String)), _WEEK_COLUMNS)
        _insert_many(cursor, f"INSERT INTO {CHANGES} ({', '.join(change_columns)}) VALUES "
                             f"({', '.join(['%s'] * len(change_columns))})",
                     changes.with_columns(pl.col("date").cast(pl.String)), change_columns)


def _write_details(cursor, details: pl.DataFrame, source_id: int | None) -> None:
    """Minutes late and comments, one row per session that has either (a later file's value replaces it)."""
    if details.is_empty():
        return
    details = details.unique(["enrolment_id", "date", "session"], keep="last").with_columns(
        pl.col("comment").fill_null(""), pl.lit(source_id, pl.Int64).alias("source_id"),
        pl.col("date").cast(pl.String))
    columns = ["enrolment_id", "date", "session", "minutes_late", "comment", "source_id"]
    _insert_many(cursor, f"INSERT INTO {DETAILS} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
                         f"ON CONFLICT (enrolment_id, date, session) DO UPDATE SET minutes_late = "
                         f"EXCLUDED.minutes_late, comment = EXCLUDED.comment, source_id = EXCLUDED.source_id",
                 details, columns)


def weeks_from_marks(marks: pl.DataFrame) -> pl.DataFrame:
    """Session rows already placed (enrolment_id, day, session, code, term_id, academic_year_id) folded into week
    rows, with the same packing the resolver uses."""
    slot = (pl.col("day").dt.weekday().cast(pl.UInt64) - 1) * 2 + pl.col("session").cast(pl.UInt64)
    return (marks.with_columns(
        (pl.col("day") - pl.duration(days=pl.col("day").dt.weekday() - 1)).alias("week_start"),
        _packed(slot, pl.col("code").replace_strict(CODE_INDEX, return_dtype=pl.UInt8)).alias("packed"),
        _bit(slot).alias("bits"))
        .group_by("enrolment_id", "week_start").agg(
            pl.col("packed").sum(), pl.col("bits").sum(), pl.col("term_id").first(),
            pl.col("academic_year_id").first()))


@transaction.atomic
def store(marks: pl.DataFrame, *, source_id: int | None = None) -> WriteOutcome:
    """Write session marks that need no checking (generated demo registers, test fixtures): enrolment_id, day,
    session (0/1), code, term_id, academic_year_id. Merged, recorded and recomputed exactly as an import is."""
    resolved = Resolved(weeks=weeks_from_marks(marks), details=empty_details(), issues=[], suppressed=0,
                        rejected_lines=set())
    return write(resolved, source_id=source_id)


def rows_frame(rows: Iterable) -> pl.DataFrame:
    """MarkRows (a CTF's, or a test's) as the chunk the resolver takes."""
    return pl.DataFrame([(row.line, row.upn, row.school_ref, row.date, 0 if row.session == "AM" else 1, row.code,
                          row.minutes_late, row.comment) for row in rows], schema=ROW_SCHEMA, orient="row")


def write_marks(*, user, rows: Iterable, file_name: str = "marks", source_id: int | None = None,
                progress: Callable[[int], None] | None = None) -> tuple[Resolved, WriteOutcome]:
    """Resolve and write MarkRows in one transaction (CTF imports, held CTF pupils, tests)."""
    frame = rows_frame(rows)
    resolver = Resolver(user, file_name)
    resolver.add(frame)
    resolved = resolver.finish(lambda: [frame])
    with transaction.atomic():
        outcome = write(resolved, source_id=source_id)
    return resolved, outcome

