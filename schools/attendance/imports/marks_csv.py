"""Parse an uploaded register-marks CSV into typed rows plus precise, plain-English problems. No database access.

Layout (the LA's documented upload format; the reference found no authoritative SIMS/Arbor/Bromcom export layout,
statutory-rules.md §7.2, so this is ours)::

    upn,school,date,session,code[,minutes_late][,comment]
    A123456789012,114580,2024-09-16,AM,/
    A123456789012,8454012,16/09/2024,pm,L,12,"Bus late, mum phoned"

- Header: the first non-blank line. Column names are matched case-insensitively with surrounding spaces ignored; the
  five required columns must come first and in this order, optionally followed by ``minutes_late`` and/or ``comment``
  (in that order). Any other header is one issue naming the expected and the found header, and no rows are returned.
- ``upn``: 13 characters with a correct check letter (``schools.validators.validate_upn``); stored upper case.
- ``school``: a 6-digit URN or a 7-digit LAESTAB (``845/4012`` is accepted and stored as ``8454012``). ``school_ref``
  keeps the digits; a 6-digit value is a URN, a 7-digit value a LAESTAB.
- ``date``: ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (one-digit day or month allowed, as Excel writes them), years 2000–2099.
- ``session``: ``AM`` or ``PM``, any case.
- ``code``: one or two characters, upper-cased (``c1`` → ``C1``). When ``schools.attendance.codes`` provides
  ``lookup(code, day)``/``UnknownCode`` (imported lazily), the code must be a code of the regime in force on that date
  (so ``H`` is refused after 18 August 2024 and ``C1`` before 19 August 2024); ``-`` (no mark) is refused there too.
  Pass ``check_codes=False`` to skip the code table (e.g. to normalise MIS-internal codes first).
- ``minutes_late``: empty, or a whole number 0–300. ``comment``: free text (may contain commas/newlines if quoted).

Rules:

- Every bad value on a line is reported (not just the first) and the line is not returned.
- Blank lines (and lines of only commas, as Excel writes) are skipped. Extra *empty* trailing values are ignored; a
  line with too few values (e.g. a truncated last line) or extra non-empty values is reported with its line number.
- Two lines for the same pupil, school, date and session: identical → kept once, silently; different in code (or in
  minutes late or comment) → an issue on the later line naming the earlier one, and *neither* line is returned.
- Encoding: UTF-8, with or without a byte-order mark. If the file is not valid UTF-8 and the stream is seekable, it is
  re-read as Windows-1252 (what Excel's plain "CSV" gives on English Windows); ``ParsedMarks.encoding`` says which was
  used. If neither works (or the stream cannot be re-read), one issue says the file must be saved as CSV UTF-8, and no
  rows are returned. UTF-16 ("Unicode text") files get their own message.
- Streaming: the binary stream is read through ``io.TextIOWrapper`` one line at a time (a line longer than
  ``MAX_LINE_CHARS`` stops the read), so a 2 GB upload is never held in memory as text; the returned rows are, so
  ``max_rows`` (default 1,000,000) refuses larger files with one issue and no rows. Past ``max_issues`` problems are
  counted, not listed.

Line numbers are physical lines as a text editor shows them (the header is line 1); a quoted comment spanning lines
is reported at its first line.
"""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError

from schools.attendance.imports.errors import ImportIssue, IssueCollector
from schools.validators import validate_laestab, validate_upn, validate_urn

REQUIRED_COLUMNS = ("upn", "school", "date", "session", "code")
OPTIONAL_COLUMNS = ("minutes_late", "comment")
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_ISSUES = 1_000
MAX_LINE_CHARS = 10_000
MAX_MINUTES_LATE = 300
SESSIONS = ("AM", "PM")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_LAESTAB_WITH_SLASH = re.compile(r"([0-9]{3})/([0-9]{4})")
_MINUTES = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True)
class MarkRow:
    line: int
    upn: str
    school_ref: str  # 6 digits: URN; 7 digits: LAESTAB
    date: datetime.date
    session: str  # "AM" or "PM"
    code: str
    minutes_late: int | None
    comment: str

    @property
    def key(self) -> tuple[str, str, datetime.date, str]:
        return (self.upn, self.school_ref, self.date, self.session)


@dataclass
class ParsedMarks:
    rows: list[MarkRow]
    issues: list[ImportIssue]
    rows_read: int  # non-blank lines after the header, good or bad
    encoding: str | None = field(default=None)  # "utf-8" or "cp1252"; None if the file could not be decoded


class CodeTable(NamedTuple):
    lookup: Callable[[str, datetime.date], object]
    unknown_code: type[Exception]


def load_code_table() -> CodeTable | None:
    """``schools.attendance.codes.lookup``/``UnknownCode`` if that module exists, else None (codes then unchecked)."""
    try:
        module = importlib.import_module("schools.attendance.codes")
    except ModuleNotFoundError as exc:
        if exc.name == "schools.attendance.codes":
            return None
        raise
    lookup = getattr(module, "lookup", None)
    unknown = getattr(module, "UnknownCode", None)
    if not callable(lookup) or not (isinstance(unknown, type) and issubclass(unknown, Exception)):
        return None
    return CodeTable(lookup, unknown)


def check_code(table: CodeTable, code: str, day: datetime.date) -> tuple[str, str | None]:
    """(canonical code, None) if the table knows ``code`` on ``day``, else (code, reason)."""
    try:
        meaning = table.lookup(code, day)
    except table.unknown_code as exc:
        reason = str(exc).rstrip(".") or f"{code!r} is not an attendance code on {day.isoformat()}"
        return code, reason + "."
    canonical = getattr(meaning, "code", None)
    return (canonical if isinstance(canonical, str) else code), None


def file_name_of(stream: object, filename: str | None) -> str:
    if filename:
        return filename
    name = getattr(stream, "name", None)
    if isinstance(name, str) and name:
        return os.path.basename(name)
    return "upload"


class _Undecodable(Exception):
    pass


class _FileLevelProblem(Exception):
    def __init__(self, line: int | None, field: str | None, value: str | None, reason: str):
        super().__init__(reason)
        self.line, self.field, self.value, self.reason = line, field, value, reason


class _LineCounter:
    """Feeds csv.reader one physical line at a time, refusing absurdly long lines before they fill memory."""

    def __init__(self, text: IO[str]):
        self.text = text
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self.text.readline(MAX_LINE_CHARS + 1)
            if not line:
                return
            self.count += 1
            if len(line) > MAX_LINE_CHARS and line[-1] not in "\r\n":
                raise _FileLevelProblem(self.count, None, line[:40],
                                        f"Line {self.count} is longer than {MAX_LINE_CHARS:,} characters, so this is "
                                        f"not a register-marks CSV file (or a quote mark is missing).")
            yield line


def parse_lines_of(stream: IO[bytes], name: str, max_rows: int | None, max_issues: int | None,
                    check_codes: bool) -> ParsedMarks:
    """The line reader: every file the vectorised reader leaves to it (not UTF-8, stray carriage returns, quoted
    values over several lines, or a stream that cannot be re-read)."""
    codes = load_code_table() if check_codes else None
    start = stream_position(stream)
    try:
        return _parse_text(stream, "utf-8-sig", name, max_rows, max_issues, codes)
    except _Undecodable:
        pass
    if start is None:
        return _undecodable(name, None, "")
    stream.seek(start)
    prefix = stream.read(3)
    if prefix[:2] in _UTF16_BOMS:
        return _undecodable(name, None, " It looks like UTF-16 ('Unicode text'); save it as 'CSV UTF-8' instead.")
    stream.seek(start + (3 if prefix == _UTF8_BOM else 0))
    try:
        return _parse_text(stream, "cp1252", name, max_rows, max_issues, codes)
    except _Undecodable:
        return _undecodable(name, _first_bad_line(stream, start, "cp1252"), "")


def stream_position(stream: IO[bytes]) -> int | None:
    """Where a stream stands, or None when it cannot be re-read from there."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def _undecodable(name: str, line: int | None, extra: str) -> ParsedMarks:
    where = f" (the first unreadable character is on line {line})" if line else ""
    reason = (f"The file must be saved as UTF-8 text (in Excel: Save As 'CSV UTF-8'); it contains characters that "
              f"are not UTF-8 or Windows-1252{where}.{extra}")
    return ParsedMarks(rows=[], issues=[ImportIssue(name, line, None, None, reason)], rows_read=0, encoding=None)


def _first_bad_line(stream: IO[bytes], start: int, encoding: str) -> int | None:
    """Line number of the first byte that does not decode, found by re-reading the (seekable) stream in binary."""
    try:
        stream.seek(start)
        for number, raw in enumerate(iter(lambda: stream.readline(1 << 16), b""), start=1):
            try:
                raw.decode(encoding)
            except UnicodeDecodeError:
                return number
    except (OSError, ValueError):
        return None
    return None


def _parse_text(stream: IO[bytes], encoding: str, name: str, max_rows: int | None, max_issues: int | None,
                codes: CodeTable | None) -> ParsedMarks:
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        parsed = _parse_lines(_LineCounter(text), name, max_rows, max_issues, codes)
    except UnicodeDecodeError as exc:
        raise _Undecodable from exc
    finally:
        try:
            text.detach()  # hand the caller's stream back open
        except ValueError:
            pass
    parsed.encoding = "utf-8" if encoding.startswith("utf-8") else encoding
    return parsed


def _parse_lines(lines: _LineCounter, name: str, max_rows: int | None, max_issues: int | None,
                 codes: CodeTable | None) -> ParsedMarks:
    issues = IssueCollector(name, max_issues)
    reader = csv.reader(lines)
    columns: tuple[str, ...] | None = None
    seen: dict[tuple[str, str, datetime.date, str], list[MarkRow]] = {}
    rows_read = 0
    previous = 0  # physical lines consumed before the current record
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.add(previous + 1, None, None, f"Line {previous + 1} could not be read as CSV ({exc}).")
            previous = lines.count
            continue
        except _FileLevelProblem as problem:
            return _file_level(issues, problem, rows_read)
        line = previous + 1
        previous = lines.count
        if all(not value.strip() for value in fields):
            continue
        if columns is None:
            columns = header_columns(fields)
            if columns is None:
                issues.add(line, "header", ",".join(fields),
                           f"The first line must be the column names {','.join(REQUIRED_COLUMNS)} (optionally "
                           f"followed by {','.join(OPTIONAL_COLUMNS)}), but this file starts with "
                           f"{','.join(value.strip() for value in fields)}.")
                return ParsedMarks(rows=[], issues=issues.finish(), rows_read=0)
            continue
        rows_read += 1
        if max_rows is not None and rows_read > max_rows:
            return _file_level(issues, _FileLevelProblem(
                line, None, None, f"The file has more than {max_rows:,} rows; split it into smaller files and upload "
                                  f"each one. Nothing from this file was imported."), rows_read - 1)
        row = _row(fields, columns, line, issues, codes)
        if row is not None:
            seen.setdefault(row.key, []).append(row)
    if columns is None:
        issues.add(None, None, None, "The file is empty: it needs a header line and at least one row of marks.")
    rows = []
    for same_session in seen.values():
        if len(same_session) == 1:
            rows.append(same_session[0])
            continue
        drop, _rejected, problems = session_duplicates([
            {"line": r.line, "code": r.code, "minutes_late": r.minutes_late, "comment": r.comment}
            for r in same_session])
        rows += [r for r in same_session if r.line not in drop]
        for line, issue_field, value, reason in problems:
            issues.add(line, issue_field, value, reason)
    rows.sort(key=lambda r: r.line)
    # In line order, as the vectorised reader gives them (conflicts between lines are found after every line is read).
    issues.issues.sort(key=lambda issue: (issue.line is None, issue.line or 0))
    return ParsedMarks(rows=rows, issues=issues.finish(), rows_read=rows_read)


FIELD_NAMES = {"code": "codes", "minutes_late": "minutes late", "comment": "comments"}


def _difference(first: dict, later: dict) -> tuple[str, str, str] | None:
    """The first field two lines for one session differ in: (field, this line's value, the other's)."""
    def text(value) -> str:
        return "" if value is None else str(value)

    for column in ("code", "minutes_late", "comment"):
        if text(first.get(column)) != text(later.get(column)):
            return column, text(later.get(column)), text(first.get(column))
    return None


def session_duplicates(lines: list[dict]) -> tuple[set[int], set[int], list[tuple[int, str, str, str]]]:
    """Several lines for one session (dicts of line, code, minutes_late, comment, in line order): (lines to leave
    out, lines rejected, problems as (line, field, value, reason)). The same mark again is kept once, silently: the
    repeat is left out but is not a bad row. Lines that disagree are all left out and rejected, each reported
    against a line it differs from. Both readers apply this one rule."""
    first = lines[0]
    if all(_difference(first, later) is None for later in lines[1:]):
        return {later["line"] for later in lines[1:]}, set(), []
    problems = []
    for row in lines:
        other = next(o for o in lines if o is not row and _difference(o, row) is not None)
        issue_field, here, there = _difference(other, row)
        problems.append((row["line"], issue_field, here, (
            f"This line and line {other['line']} are for the same pupil, school, date and session but give "
            f"different {FIELD_NAMES[issue_field]} ({here or 'blank'} here, {there or 'blank'} on line "
            f"{other['line']}). Neither line was imported: keep the right one and upload again.")))
    every = {row["line"] for row in lines}
    return every, every, problems


def _file_level(issues: IssueCollector, problem: _FileLevelProblem, rows_read: int) -> ParsedMarks:
    issues.add(problem.line, problem.field, problem.value, problem.reason)
    return ParsedMarks(rows=[], issues=issues.finish(), rows_read=rows_read)


def header_columns(fields: list[str]) -> tuple[str, ...] | None:
    """The column names a header line gives, or None when it is not a register-marks header."""
    names = tuple(value.strip().lower() for value in fields)
    while names and not names[-1]:
        names = names[:-1]  # trailing empty columns, as Excel sometimes writes
    if names[: len(REQUIRED_COLUMNS)] != REQUIRED_COLUMNS:
        return None
    optional = names[len(REQUIRED_COLUMNS):]
    if optional not in ((), ("minutes_late",), ("comment",), OPTIONAL_COLUMNS):
        return None
    return names


def _row(fields: list[str], columns: tuple[str, ...], line: int, issues: IssueCollector,
         codes: CodeTable | None) -> MarkRow | None:
    if len(fields) < len(columns):
        issues.add(line, None, ",".join(fields),
                   f"Line {line} has {len(fields)} values but the header has {len(columns)} columns "
                   f"({', '.join(columns)}); the line may have been cut short.")
        return None
    if any(value.strip() for value in fields[len(columns):]):
        issues.add(line, None, ",".join(fields),
                   f"Line {line} has {len(fields)} values but the header has {len(columns)} columns; put any comment "
                   f"containing commas in double quotes.")
        return None
    values = {column: fields[index].strip() for index, column in enumerate(columns)}
    problems = 0

    def problem(column: str, reason: str) -> None:
        nonlocal problems
        problems += 1
        issues.add(line, column, values[column], reason)

    upn, reason = upn_verdict(values["upn"])
    if reason:
        problem("upn", reason)

    school_ref, reason = school_ref_verdict(values["school"])
    if reason:
        problem("school", reason)

    day, reason = parse_date(values["date"])
    if reason:
        problem("date", reason)

    session = values["session"].upper()
    if session not in SESSIONS:
        problem("session", "Session must be AM or PM." if session else "The session is missing: it must be AM or PM.")

    code, reason = code_shape_verdict(values["code"])
    if not reason and codes is not None and day is not None:
        code, reason = check_code(codes, code, day)
    if reason:
        problem("code", reason)

    minutes_late, reason = minutes_verdict(values.get("minutes_late", ""))
    if reason:
        problem("minutes_late", reason)

    if problems:
        return None
    assert day is not None  # for type checkers: no problems means the date parsed
    return MarkRow(line=line, upn=upn, school_ref=school_ref, date=day, session=session, code=code,
                   minutes_late=minutes_late, comment=values.get("comment", ""))


def school_ref_verdict(raw: str) -> tuple[str, str | None]:
    """(the school as a URN or LAESTAB, the problem with it or None)."""
    value = raw
    match = _LAESTAB_WITH_SLASH.fullmatch(value)
    if match:
        value = match.group(1) + match.group(2)
    try:
        if len(value) == 6:
            validate_urn(value)
            return value, None
        if len(value) == 7:
            validate_laestab(value)
            return value, None
    except ValidationError as exc:
        return value, " ".join(exc.messages)
    if not value:
        return value, "The school is missing: give its 6-digit URN or 7-digit LAESTAB."
    return value, ("School must be the 6-digit URN or the 7-digit LAESTAB (LA code then establishment number), for "
                   "example 114580 or 8454012.")


def parse_date(raw: str) -> tuple[datetime.date | None, str | None]:
    """(date, None) for ``YYYY-MM-DD`` or ``DD/MM/YYYY``; (None, reason) otherwise."""
    if not raw:
        return None, "The date is missing."
    iso = _ISO_DATE.fullmatch(raw)
    uk = _UK_DATE.fullmatch(raw)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        return None, "Date must be written as YYYY-MM-DD or DD/MM/YYYY, for example 2024-09-16 or 16/09/2024."
    try:
        value = datetime.date(year, month, day)
    except ValueError:
        return None, "This date does not exist; check the day and month (dates are DD/MM/YYYY or YYYY-MM-DD)."
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return None, f"The year {value.year} looks wrong: marks must be dated {EARLIEST_YEAR}–{LATEST_YEAR}."
    return value, None


def upn_verdict(upn_raw: str) -> tuple[str, str | None]:
    """(the UPN upper-cased, the problem with it or None). Each verdict here is one rule both readers apply."""
    upn = upn_raw.upper()
    if not upn:
        return upn, "The UPN is missing."
    try:
        validate_upn(upn)
    except ValidationError as exc:
        return upn, " ".join(exc.messages)
    return upn, None


def minutes_verdict(raw: str) -> tuple[int | None, str | None]:
    """(minutes late, or None when left empty; the problem or None)."""
    if not raw:
        return None, None
    if _MINUTES.fullmatch(raw) and int(raw) <= MAX_MINUTES_LATE:
        return int(raw), None
    return None, f"Minutes late must be a whole number from 0 to {MAX_MINUTES_LATE}, or left empty."


def code_shape_verdict(raw: str) -> tuple[str, str | None]:
    """The code as written, upper-cased when ASCII (schools.attendance.codes.normalise); its regime is checked
    afterwards."""
    code = raw.upper() if raw.isascii() else raw
    if not code:
        return code, "The attendance code is missing."
    if len(code) > 2:
        return code, "An attendance code is one or two characters, for example N or C1."
    return code, None
