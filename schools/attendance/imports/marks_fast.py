"""The vectorised reader for register-marks CSV files: marks_csv's layout, rules and messages at millions of rows a
second in bounded memory.

A large LA's registers run to tens of millions of rows a year (ref §7.3), so the import never holds a row as a Python
object. The file is read in chunks of whole lines; polars parses each chunk (quotes included) into string columns;
each *distinct* value is checked once, in Python, with marks_csv's own functions (a file of 19 million marks has about
50,000 UPNs, a few hundred dates and schools and a dozen codes), and the verdicts are joined back onto the rows. The
importer resolves each chunk's good rows to enrolments as it goes, so memory holds one chunk at a time.

Files this reader leaves to marks_csv's line reader, which handles them exactly (``open_fast`` returns None): text
that is not UTF-8 (the line reader tries Windows-1252), a carriage return that does not end a line, a quoted value
running over a line break (physical line numbers would no longer follow the rows), a line over MAX_LINE_CHARS, or a
header that is not the expected one. All are rare in MIS exports.

Differences from the line reader, both about wording only: a line with too few values is reported value by value ("The
session is missing") except the file's last line, which is reported as cut short when it has too few; and a line with
extra values is reported without counting them.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from schools.attendance.imports import marks_csv as rules
from schools.attendance.imports.errors import ImportIssue
from schools.validators import CHECK_LETTERS

# Bytes of whole lines read and checked at a time (about 450,000 marks): memory holds one chunk's columns.
CHUNK_BYTES = 16 << 20
# The first chunk is smaller (about 28,000 marks), so the importer starts on it while the next is still being parsed
# (read_ahead): for a whole LA's file that start is reading the pupil and enrolment tables, which then overlaps the
# parse rather than following it: reading and checking a day's registers at 250,000 pupils took 1.47 s against 1.73 s
# with a first chunk of 16 MB (medians of six paired runs).
FIRST_CHUNK_BYTES = 1 << 20
# Values past the header's columns, read so that a line with extra values can be told apart from one without; a
# line would need more than this many extra values, the first ones empty, to slip past.
EXTRA_COLUMNS = 4
_FIELD_ORDER = {"": -1, "upn": 0, "school": 1, "date": 2, "session": 3, "code": 4, "minutes_late": 5}
SESSION_NUMBER = {"AM": 0, "PM": 1}
# Good rows, as each chunk yields them (session 0 for AM, 1 for PM).
ROW_SCHEMA = {"line": pl.UInt32, "upn": pl.String, "school_ref": pl.String, "date": pl.Date, "session": pl.UInt8,
              "code": pl.String, "minutes_late": pl.Int16, "comment": pl.String}


class Unreadable(Exception):
    """polars could not split a chunk into one row per line: read the file with the line reader instead (nothing has
    been written by then; reading comes before any write)."""


@dataclass
class FastReport:
    """What reading found, complete once the chunks have all been read."""

    name: str
    columns: tuple[str, ...] = ()
    rows_read: int = 0
    issues: list[ImportIssue] = field(default_factory=list)  # the first ``max_issues``, in line order
    suppressed: int = 0  # further problems, counted not listed
    rejected_lines: int = 0
    stopped: bool = False  # a whole-file problem: no row may be used
    bytes_read: int = 0  # for the progress bar


@dataclass
class _Shape:
    header_line: int
    columns: tuple[str, ...]
    last_text: str | None  # the last line when the file does not end with a line break (it may be cut short)
    last_line: int = 0  # its number, known once the last chunk is read


def _head(path: Path) -> tuple[int, str] | None:
    """(header line, header text) from the start of the file; (0, "") if it has no non-blank line; None if it is
    UTF-16. The rest of the file is checked chunk by chunk as it is read (read_chunks), in the same single pass."""
    with path.open("rb") as stream:
        start = stream.read(1 << 16)
    if start[:2] in rules._UTF16_BOMS:
        return None
    for number, text in enumerate(start.decode("utf-8", "ignore").split("\n"), start=1):
        text = text.lstrip("\ufeff").rstrip("\r")
        if text.replace(",", "").replace('"', "").strip():
            return number, text
    return 0, ""


def _odd_quotes(chunk: bytes) -> bool:
    """Whether any line of the chunk has an odd number of quote marks (counted by polars, not a Python loop)."""
    lines = pl.read_csv(chunk, has_header=False, separator="\x1f", quote_char=None, schema={"text": pl.String},
                        truncate_ragged_lines=True, encoding="utf8-lossy")
    return bool(lines.select((pl.col("text").str.count_matches('"', literal=True) % 2 == 1).any()).item())


def _check_lines(data: bytes) -> None:
    """Refuse (Unreadable) a chunk whose lines only the line reader reads exactly: a carriage return that does not end
    a line, or a line with an odd number of quote marks (a quoted value over a line break, or a stray quote). Chunks
    end just after a line break, so a CR LF pair never straddles two."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        raise Unreadable("a carriage return that does not end a line")
    if b'"' in data:
        try:
            odd = _odd_quotes(data)
        except pl.exceptions.PolarsError as exc:
            raise Unreadable(str(exc)) from exc
        if odd:
            raise Unreadable("a quoted value over a line break")


def open_fast(path: Path, *, name: str) -> tuple[_Shape | None, FastReport] | None:
    """Check the file's start and end. None: use the line reader. (None, report): a whole-file problem. Anything
    found later that only the line reader reads exactly raises Unreadable from read_chunks, before any write."""
    head = _head(path)
    if head is None:
        return None
    header_line, header_text = head
    report = FastReport(name=name)
    if not header_line:
        report.issues.append(ImportIssue(name, None, None, None,
                                         "The file is empty: it needs a header line and at least one row of marks."))
        report.stopped = True
        return None, report
    if len(header_text) > rules.MAX_LINE_CHARS or "\r" in header_text:
        return None
    try:
        header_fields = next(csv.reader([header_text]))
    except csv.Error:
        return None
    columns = rules.header_columns(header_fields)
    if columns is None:
        return None  # the line reader words a wrong header (and reads nothing)
    with path.open("rb") as stream:
        stream.seek(max(path.stat().st_size - rules.MAX_LINE_CHARS - 2, 0))
        tail = stream.read()
    if tail.endswith(b"\r"):
        return None  # a stray carriage return at the very end
    try:
        last_text = None if tail.endswith(b"\n") else tail.rsplit(b"\n", 1)[-1].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    report.columns = columns
    return _Shape(header_line, columns, last_text), report


_END = object()


def read_ahead(chunks: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The same chunks, the next one read and checked in a second thread while the caller works on this one.

    Reading a chunk (polars parsing the CSV) and resolving it (the caller's lookups in the database) each leave the
    interpreter's lock for most of their time, so on two cores they overlap. read_chunks touches no database and
    updates its report only as it reads, so the report is complete once the chunks run out, as before; a problem
    raised in the reading thread (Unreadable) is raised here. One chunk at most is read ahead."""
    iterator = iter(chunks)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="csv-read-ahead") as reader:
        following = reader.submit(next, iterator, _END)
        while (chunk := following.result()) is not _END:
            following = reader.submit(next, iterator, _END)
            yield chunk


def read_chunks(path: Path, shape: _Shape, report: FastReport, *, max_rows: int | None, max_issues: int | None,
                check_codes: bool = True) -> Iterator[pl.DataFrame]:
    """Good rows (ROW_SCHEMA), one chunk at a time, in line order. Problems go to ``report`` as they are found; if a
    whole-file problem turns up (too many rows, an over-long line) the report says ``stopped`` and no more chunks come.
    """
    checker = _Checker(rules.load_code_table() if check_codes else None)
    width = len(shape.columns)
    names = [*shape.columns, *(f"_extra{i}" for i in range(EXTRA_COLUMNS))]
    listing: list[tuple[int, int, ImportIssue]] = []
    for first_line, data, breaks in _line_chunks(path):
        report.bytes_read += len(data)
        _check_lines(data)
        if not data.endswith(b"\n"):
            shape.last_line = first_line + breaks  # the file's last line, with no line break after it
        try:
            frame = pl.read_csv(data, has_header=False, schema=dict.fromkeys(names, pl.String),
                                truncate_ragged_lines=True, empty_string_is_null=False, missing_columns="insert",
                                extra_columns="ignore", quote_char='"')
        except pl.exceptions.PolarsError as exc:
            raise Unreadable(str(exc)) from exc
        if frame.height != breaks + (not data.endswith(b"\n")):
            raise Unreadable("the rows did not follow the lines")  # physical line numbers would be wrong
        frame = frame.with_row_index("line", offset=first_line).filter(pl.col("line") > shape.header_line)
        long_lines = frame.filter(pl.sum_horizontal(pl.col(n).str.len_bytes() for n in names) + width - 1
                                  > rules.MAX_LINE_CHARS)
        # A blank line (or one of only commas and spaces) has an empty UPN, so only those few are looked at closely.
        maybe_blank = frame.filter(pl.col("upn").str.strip_chars() == "")
        if not maybe_blank.is_empty():
            blank = maybe_blank.filter(pl.all_horizontal(pl.col(n).str.strip_chars() == "" for n in names))
            frame = frame.filter(~pl.col("line").is_in(blank.get_column("line").implode()))
        if not long_lines.is_empty():
            line = long_lines["line"][0]
            report.rows_read += frame.filter(pl.col("line") < line).height
            _stop(report, line, (f"Line {line} is longer than {rules.MAX_LINE_CHARS:,} characters, so this is not a "
                                 f"register-marks CSV file (or a quote mark is missing)."))
            return
        if max_rows is not None and report.rows_read + frame.height > max_rows:
            line = frame["line"][max_rows - report.rows_read]
            report.rows_read = max_rows
            _stop(report, line, (f"The file has more than {max_rows:,} rows; split it into smaller files and upload "
                                 f"each one. Nothing from this file was imported."))
            return
        report.rows_read += frame.height
        for optional in rules.OPTIONAL_COLUMNS:
            if optional not in shape.columns:
                frame = frame.with_columns(pl.lit("").alias(optional))
        budget = None if max_issues is None else max(max_issues - len(listing), 0)
        good, issues, total, rejected = checker.check(frame, shape, report.name, width, budget)
        report.rejected_lines += rejected
        kept = issues if budget is None else sorted(issues, key=lambda i: (i.line or 0, _FIELD_ORDER[i.field or ""]))
        kept = kept if budget is None else kept[:budget]
        listing.extend((issue.line or 0, _FIELD_ORDER.get(issue.field or "", -1), issue) for issue in kept)
        report.suppressed += total - len(kept)
        yield good
    listing.sort(key=lambda item: (item[0], item[1]))
    report.issues.extend(issue for _, _, issue in listing)


def _stop(report: FastReport, line: int, reason: str) -> None:
    report.issues.append(ImportIssue(report.name, line, None, None, reason))
    report.stopped = True


def _line_chunks(path: Path) -> Iterator[tuple[int, bytes, int]]:
    """(number of the chunk's first line, bytes of whole lines, line breaks in them): FIRST_CHUNK_BYTES (or
    CHUNK_BYTES if smaller), then CHUNK_BYTES at a time."""
    line = 1
    carry = b""
    size = min(FIRST_CHUNK_BYTES, CHUNK_BYTES)
    with path.open("rb") as stream:
        while True:
            block = stream.read(size)
            size = CHUNK_BYTES
            if not block:
                if carry:
                    yield line, carry, carry.count(b"\n")
                return
            data = carry + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            chunk = data[:cut]
            breaks = chunk.count(b"\n")
            yield line, chunk, breaks
            line += breaks


def _without(values: pl.Series, judged: pl.Series) -> pl.Series:
    """The distinct raw values not among those already judged."""
    return values.to_frame("raw").join(judged.to_frame("raw"), on="raw", how="anti").get_column("raw")


class _Checker:
    """Each distinct value checked once with marks_csv's rules; the verdicts, kept as a frame per column for the chunks
    that follow, are mapped back onto the rows with polars' replace, which is a hash lookup per row in Rust."""

    def __init__(self, codes):
        self.codes = codes
        # Per column: every distinct raw value judged so far, its typed value and its problem (null when good).
        self.verdicts: dict[str, pl.DataFrame] = {}
        self.unchanged: dict[str, bool] = {}  # the good values are the raw ones as they stand (no lookup needed)

    def _judge(self, column: str, values: pl.Series, judge, value_type) -> pl.DataFrame:
        schema = {"raw": pl.String, "value": value_type, "problem": pl.String}
        known = self.verdicts.get(column)
        new = values if known is None else _without(values, known.get_column("raw"))
        if known is not None and new.is_empty():
            return known
        parts = [] if known is None else [known]
        if column == "upn":
            # A file has tens of thousands of UPNs: the check letter is worked out for all of them at once, as
            # columns, and only the ones that fail go through validators.validate_upn for its message.
            valid = valid_upns(new)
            parts.append(valid.select("raw", pl.col("upn").cast(value_type).alias("value"),
                                      pl.lit(None, pl.String).alias("problem")))
            new = _without(new, valid.get_column("raw"))
        judged = [(value, *judge(value.strip())) for value in new.to_list()]  # marks_csv strips every value first
        if judged:
            parts.append(pl.DataFrame(judged, schema=schema, orient="row"))
        known = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
        self.verdicts[column] = known
        good = known.filter(pl.col("problem").is_null())
        self.unchanged[column] = value_type == pl.String and bool(
            (good.get_column("raw") == good.get_column("value")).all())
        return known

    def _mapped(self, frame: pl.DataFrame, column: str, judge, value_type) -> tuple[pl.Expr, pl.Expr | None]:
        """(the typed value, the problem or None) expressions for one column."""
        known = self._judge(column, frame.get_column(column).unique(), judge, value_type)
        if self.unchanged[column]:
            value = pl.col(column)  # nothing to normalise (the usual case): no lookup at all
        else:
            good = known.filter(pl.col("problem").is_null())
            value = pl.col(column).replace_strict(good.get_column("raw"), good.get_column("value"), default=None,
                                                  return_dtype=value_type)
        bad = known.filter(pl.col("problem").is_not_null())
        problem = (pl.col(column).replace_strict(bad.get_column("raw"), bad.get_column("problem"), default=None,
                                                 return_dtype=pl.String) if bad.height else None)
        return value, problem

    def check(self, frame: pl.DataFrame, shape: _Shape, name: str, width: int, budget: int | None):
        """(good rows, up to ``budget`` problems to list, how many problems in all, rejected lines)."""
        issues = _column_count_issues(frame, shape, name, width)
        rejected_lines = {issue.line for issue in issues}
        frame = frame.filter(~pl.col("line").is_in(list(rejected_lines)))
        checked, problems = self._checked(frame)
        problem_columns = {column: f"{column}_problem" for column in problems}
        if problem_columns:
            any_problem = pl.any_horizontal(pl.col(c).is_not_null() for c in problem_columns.values())
            bad = checked.filter(any_problem)
            checked = checked.filter(~any_problem)
        else:
            bad = checked.clear()
        total = len(issues) + sum(int(bad.get_column(c).is_not_null().sum()) for c in problem_columns.values())
        listed = bad if budget is None else bad.head(budget)
        for row in listed.select("line", *problem_columns, *problem_columns.values()).iter_rows(named=True):
            for column, problem in problem_columns.items():
                if row[problem] is not None:
                    issues.append(ImportIssue(name, row["line"], column, row[column].strip(), row[problem]))
        good = checked.select(
            pl.col("line").cast(pl.UInt32), pl.col("upn_value").alias("upn"),
            pl.col("school_value").alias("school_ref"), pl.col("date_value").alias("date"),
            pl.col("session_value").alias("session"), pl.col("code_value").alias("code"),
            pl.col("minutes_value").alias("minutes_late"), "comment")
        return good, issues, total, len(rejected_lines) + bad.height

    def _checked(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
        """Every value read into its typed column (``upn_value``, ``date_value``...), with a ``<column>_problem``
        column holding the message for each column that has any problem; and which columns have problems."""
        expressions, problems = {}, {}
        for column, judge, value_type in (("upn", rules.upn_verdict, pl.String),
                                          ("school", rules.school_ref_verdict, pl.String),
                                          ("date", rules.parse_date, pl.Date),
                                          ("session", lambda raw: _session_verdict(raw.upper()), pl.UInt8),
                                          ("minutes_late", rules.minutes_verdict, pl.Int16),
                                          ("code", rules.code_shape_verdict, pl.String)):
            expressions[column], problem = self._mapped(frame, column, judge, value_type)
            if problem is not None:
                problems[column] = problem
        checked = frame.with_columns(
            expressions["upn"].alias("upn_value"), expressions["school"].alias("school_value"),
            expressions["date"].alias("date_value"), expressions["session"].alias("session_value"),
            expressions["minutes_late"].alias("minutes_value"), expressions["code"].alias("code_key"),
            pl.col("comment").str.strip_chars(),
            *[problem.alias(f"{column}_problem") for column, problem in problems.items()])
        if self.codes is not None:
            checked, regime_problems = self._regime_codes(checked, "code" in problems)
            if regime_problems:
                problems["code"] = True
        else:
            checked = checked.with_columns(pl.col("code_key").alias("code_value"))
        return checked, problems

    def _regime_codes(self, checked: pl.DataFrame, has_shape_problems: bool) -> tuple[pl.DataFrame, bool]:
        """The code checked against the regime in force on its date (schools.attendance.codes.lookup): the canonical
        code, or the lookup's own message for the (few) rows where it is not a code that day."""
        from schools.attendance.codes import REGIME_CHANGE_DATE

        keys = checked.get_column("code_key").unique().to_list()
        canonical = {}
        for regime_day in (REGIME_CHANGE_DATE - datetime.timedelta(days=1), REGIME_CHANGE_DATE):
            canonical[regime_day] = {}
            for key in keys:
                if key and len(key) <= 2:
                    code, reason = rules.check_code(self.codes, key, regime_day)
                    if reason is None:
                        canonical[regime_day][key] = code
        old, new = canonical.values()
        newer = pl.col("date_value") >= REGIME_CHANGE_DATE
        checked = checked.with_columns(
            pl.when(newer).then(pl.col("code_key").replace_strict(new, default=None, return_dtype=pl.String))
            .otherwise(pl.col("code_key").replace_strict(old, default=None, return_dtype=pl.String))
            .alias("code_value"))
        shape_problem = pl.col("code_problem").is_not_null() if has_shape_problems else pl.lit(False)
        unknown = checked.filter(pl.col("code_value").is_null() & pl.col("date_value").is_not_null() & ~shape_problem)
        if unknown.is_empty():
            return checked, has_shape_problems
        messages = {(code, day): rules.check_code(self.codes, code, day)[1]
                    for code, day in unknown.select("code_key", "date_value").unique().iter_rows()}
        lines = pl.DataFrame([(line, messages[(code, day)]) for line, code, day
                              in unknown.select("line", "code_key", "date_value").iter_rows()],
                             schema={"line": pl.UInt32, "regime_problem": pl.String}, orient="row")
        checked = checked.join(lines, on="line", how="left").with_columns(
            (pl.coalesce("code_problem", "regime_problem") if has_shape_problems else pl.col("regime_problem"))
            .alias("code_problem")).drop("regime_problem")
        return checked, True


def valid_upns(values: pl.Series) -> pl.DataFrame:
    """(raw, UPN) for the values that are valid UPNs once stripped and upper-cased: a letter, eleven digits, then a
    digit or a check letter, the first letter being the check letter of the other twelve (validators.upn_check_letter,
    the DfE algorithm: each character's value times its position, 2 to 13, summed, modulo 23)."""
    letters = {letter: index for index, letter in enumerate(CHECK_LETTERS)}
    upn = pl.col("raw").str.strip_chars().str.to_uppercase()
    frame = pl.DataFrame({"raw": values}).with_columns(upn.alias("upn"))
    frame = frame.filter(pl.col("upn").str.contains(f"^[A-Z][0-9]{{11}}[0-9{CHECK_LETTERS}]$"))
    weighted = [pl.col("upn").str.slice(position, 1).cast(pl.Int64) * (position + 1) for position in range(1, 12)]
    last = pl.col("upn").str.slice(12, 1)
    last_value = (pl.when(last.str.contains("^[0-9]$")).then(last.cast(pl.Int64, strict=False))
                  .otherwise(last.replace_strict(letters, default=0, return_dtype=pl.Int64)))
    expected = ((pl.sum_horizontal(weighted) + last_value * 13) % 23).replace_strict(
        dict(enumerate(CHECK_LETTERS)), return_dtype=pl.String)
    return frame.filter(pl.col("upn").str.slice(0, 1) == expected).select("raw", "upn")


def _session_verdict(session: str) -> tuple[int | None, str | None]:
    if session in SESSION_NUMBER:
        return SESSION_NUMBER[session], None
    return None, "Session must be AM or PM." if session else "The session is missing: it must be AM or PM."


def duplicate_marks(frame: pl.DataFrame, keys: list[str], *,
                    name: str) -> tuple[set[int], set[int], list[ImportIssue]]:
    """(lines to leave out because another line is for the same session, those of them that are rejected, the
    problems to report), by the line reader's rule (marks_csv): the same mark twice is kept once silently (the
    repeat is left out but is not a bad row); two lines that differ in code, minutes late or comment are both left
    out and rejected, with a problem on the later line naming the earlier one.

    ``keys`` name the session: (upn, school_ref, date, session) for a parsed file, (enrolment_id, date, session) once
    rows are resolved. Only duplicated rows reach Python, so an ordinary file costs one hash pass."""
    duplicated = frame.filter(pl.struct(keys).is_duplicated())
    if duplicated.is_empty():
        return set(), set(), []
    drop: set[int] = set()
    rejected: set[int] = set()
    issues: list[ImportIssue] = []
    sessions: dict[tuple, list[dict]] = {}
    for row in duplicated.sort("line").iter_rows(named=True):
        sessions.setdefault(tuple(row[k] for k in keys), []).append(row)
    for lines in sessions.values():
        left_out, refused, problems = rules.session_duplicates(lines)
        drop |= left_out
        rejected |= refused
        issues += [ImportIssue(name, line, field, value, reason) for line, field, value, reason in problems]
    return drop, rejected, issues



def _column_count_issues(frame: pl.DataFrame, shape: _Shape, name: str, width: int) -> list[ImportIssue]:
    """Lines with more values than the header has columns, or cut short (the last line of a file that ends
    mid-line): each a problem for the whole line, as the line reader reports it."""
    issues: list[ImportIssue] = []
    extra = pl.any_horizontal(pl.col(f"_extra{i}") != "" for i in range(EXTRA_COLUMNS))
    cut_short = pl.lit(False)
    if shape.last_text is not None and shape.last_text.count(",") + 1 < width:
        cut_short = pl.col("line") == shape.last_line
    flagged = frame.filter(extra | cut_short)
    extras = [f"_extra{i}" for i in range(EXTRA_COLUMNS)]
    for line, *values in flagged.select("line", *shape.columns, *extras).iter_rows():
        if line == shape.last_line and shape.last_text is not None and values[width - 1] == "":
            text = shape.last_text
        else:
            text = ",".join(values).rstrip(",")
        if any(value.strip() for value in values[width:]):
            reason = (f"Line {line} has more values than the header has columns ({width}); put any comment "
                      f"containing commas in double quotes.")
        elif text.count(",") + 1 < width:
            reason = (f"Line {line} has {text.count(',') + 1} values but the header has {width} columns "
                      f"({', '.join(shape.columns)}); the line may have been cut short.")
        else:
            continue  # only whitespace past the last column: the line reader ignores it too
        issues.append(ImportIssue(name, line, None, text, reason))
    return issues
