"""Parse a DfE Common Transfer File (CTF) XML into typed pupils and decoded attendance marks. No database access.

What is read (element names as in CTF 17–25; statutory-rules.md §7.1 and open-source MIS code; XML namespaces, if any,
are ignored and unknown elements are skipped):

- Header: ``CTFversion``, ``DateTime``, ``DocumentQualifier``, ``SourceSchool`` (``LEA``, ``Estab``, ``URN``,
  ``SchoolName``, ``AcademicYear``) and ``DestSchool`` (``LEA``, ``Estab``; may be ``MMM``/``MMMM``/``XXXX`` when the
  destination is unknown — kept as text).
- Per ``CTFpupilData/Pupil``: ``UPN``, ``Surname``, ``Forename``, ``DOB``, ``Sex`` (CTF 25) or ``Gender`` (earlier);
  from ``BasicDetails``: ``FormerUPN``, ``PreferredSurname``, ``PreferredForename``, ``NCyearActual``, ``Ethnicity``;
  ``SENhistory/SEN`` (``StartDate``, ``SENprovision`` — the latest by start date); ``FSMhistory`` (``FSMreviewDate``
  and each ``FSMinstance`` with ``FSMstartDate``, ``FSMendDate``, ``UKcountry``); ``SchoolHistory/School`` (``LEA``,
  ``Estab``, ``SchoolName``, ``EntryDate``, ``LeavingDate``, ``LeavingReason``); and ``Attendance/YearData`` (``Year``,
  ``LEA``, ``Estab``, ``SchoolName``, ``SessionsPossible``/``Authorised``/``Attended``/``Unauthorised`` and
  ``AttendSessions`` with ``AttendanceStartDate`` and ``AttendanceMarks``).

Decoding ``AttendanceMarks`` (``decode_attendance_marks``):

- The string runs from ``AttendanceStartDate``, two sessions per **calendar** day (AM then PM), weekends and holidays
  included (an MIS writes ``##`` for a day not in session). This follows the reference (§7.1) and the one open-source
  exporter it cites (Follett Aspen writes one entry per calendar date, ``##`` when not in session, ``/`` ``\\`` when
  present). The DfE specification text itself could not be retrieved, so two checks guard against a file that counts
  school days only or uses a different width: a mark other than ``#`` on a Saturday or Sunday, or a PM-only ``\\`` in
  a morning slot, means the string is not laid out as assumed; those marks are not returned and an issue says why.
- ``#`` means "no session" and produces no mark. Leading/trailing whitespace (XML indentation) is ignored; line
  breaks or tabs inside the string are refused (they would shift every later date).
- Codes: pre-2024 strings have one character per session. The 2024 two-character codes (``C1``, ``C2``, ``J1``,
  ``Y1``–``Y7``: statutory-rules.md §2.1) cannot fit one character; the reference could not confirm how CTF 24/25
  carries them, so the decoder reads a letter immediately followed by a digit as one session's code. That is
  unambiguous because no single-character code is a digit, so older strings decode exactly as before. A stray digit
  (not after a letter) is refused. A fixed two-characters-per-session layout (e.g. ``"/ \\ C1N "``) is NOT supported;
  the ``\\`` check above catches it rather than importing shifted dates.
- Each mark is checked against ``schools.attendance.codes.lookup`` for its own date when that module is present
  (``-``, meaning no mark recorded, and MIS-internal marks such as ``@`` fail there). Unknown marks are left out and
  reported once per YearData with a count and the first date.
- An odd number of sessions (a day with a morning mark only) is reported; the marks that were there are kept.

Problems never raise: malformed XML gives one issue with the parser's line and column; a pupil with a missing or
invalid UPN is reported by position and surname and skipped while other pupils are kept (the importer decides what to
do with partial files). The file is read in chunks through expat, and each pupil's elements are discarded once read.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, NamedTuple
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from django.core.exceptions import ValidationError

from schools.attendance.imports.errors import ImportIssue, IssueCollector
from schools.attendance.imports.marks_csv import (
    DEFAULT_MAX_ISSUES,
    CodeTable,
    check_code,
    file_name_of,
    load_code_table,
)
from schools.validators import validate_upn

DEFAULT_MAX_PUPILS = 50_000
#: The longest text a CTF element holds: a year's AttendanceMarks is under 800 characters, a name under 100. Text past
#: this is refused as not a CTF (a 60 MB surname would otherwise be carried into memory and onto the review page).
MAX_TEXT_CHARS = 20_000
#: Names and other text kept from the file are cut to the length of the pupil field they fill.
NAME_CHARS = 80
CHUNK_BYTES = 64 * 1024
NO_SESSION = "#"
AM, PM = "AM", "PM"

# defusedxml is not installed, so the stdlib parser is used with document type declarations refused outright. A DTD
# is how "billion laughs" (nested entities expanding to gigabytes) and XXE (external entities reading local files or
# URLs) attacks get in, and a genuine CTF never has one. Refused twice: a byte scan of each chunk before it reaches the
# parser (held back across chunk boundaries), and expat handlers that stop at any DOCTYPE or entity declaration the
# scan could miss (e.g. in a UTF-16 file).
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_FORBIDDEN_PATTERN = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_HOLD_BACK = max(len(marker) for marker in _FORBIDDEN) - 1
_WHITESPACE_INSIDE = re.compile(r"[\r\n\t]")


class CtfMark(NamedTuple):
    """One decoded session mark; compares equal to a plain ``(date, session, code)`` tuple."""

    date: datetime.date
    session: str
    code: str


@dataclass(frozen=True)
class CtfHeader:
    document_name: str | None = None
    ctf_version: str | None = None
    date_time: datetime.datetime | None = None
    document_qualifier: str | None = None  # "full" or "partial"
    source_la: str | None = None
    source_estab: str | None = None
    source_urn: str | None = None
    source_school_name: str | None = None
    academic_year: str | None = None
    dest_la: str | None = None
    dest_estab: str | None = None

    @property
    def source_laestab(self) -> str | None:
        return self.source_la + self.source_estab if self.source_la and self.source_estab else None

    @property
    def dest_laestab(self) -> str | None:
        return self.dest_la + self.dest_estab if self.dest_la and self.dest_estab else None


@dataclass(frozen=True)
class FsmPeriod:
    start_date: datetime.date | None
    end_date: datetime.date | None
    uk_country: str | None


@dataclass(frozen=True)
class CtfSchoolHistory:
    la: str | None
    estab: str | None
    school_name: str | None
    entry_date: datetime.date | None
    leaving_date: datetime.date | None
    leaving_reason: str | None


@dataclass(frozen=True)
class CtfYearData:
    year: str | None
    la: str | None
    estab: str | None
    school_name: str | None
    sessions_possible: int | None
    sessions_authorised: int | None
    sessions_attended: int | None
    sessions_unauthorised: int | None
    attendance_start_date: datetime.date | None
    attendance_marks: str | None  # the raw string as in the file (stripped)
    marks: tuple[CtfMark, ...] = ()


@dataclass(frozen=True)
class CtfPupil:
    position: int  # 1-based order of the <Pupil> in the file
    line: int  # line of the <Pupil> start tag
    upn: str
    former_upn: str | None
    surname: str | None
    forename: str | None
    preferred_surname: str | None
    preferred_forename: str | None
    date_of_birth: datetime.date | None
    sex: str | None
    ethnicity: str | None
    nc_year: str | None
    sen_provision: str | None
    sen_start_date: datetime.date | None
    fsm_review_date: datetime.date | None
    fsm_periods: tuple[FsmPeriod, ...] = ()
    school_history: tuple[CtfSchoolHistory, ...] = ()
    attendance: tuple[CtfYearData, ...] = ()

    @property
    def attendance_marks(self) -> list[CtfMark]:
        """Every decoded mark from every YearData, in file order."""
        return [mark for year in self.attendance for mark in year.marks]


@dataclass
class ParsedCtf:
    header: CtfHeader | None
    pupils: list[CtfPupil]
    issues: list[ImportIssue] = field(default_factory=list)


class _Refused(Exception):
    pass


class _Stop(Exception):
    def __init__(self, line: int | None, field: str | None, value: str | None, reason: str):
        super().__init__(reason)
        self.line, self.field, self.value, self.reason = line, field, value, reason


# --- AttendanceMarks --------------------------------------------------------------------------------------------------


def tokenise_marks(marks: str) -> tuple[list[str], str | None]:
    """Split an AttendanceMarks string into one code per session: a letter followed by a digit is one 2024 code
    (``C1``, ``Y7``); every other character is one code. Returns (tokens, None) or ([], reason)."""
    tokens: list[str] = []
    index = 0
    while index < len(marks):
        char = marks[index]
        if not char.isascii() or not char.isprintable():
            return [], f"character {char!r} at position {index + 1} is not an attendance mark"
        if char.isdigit():
            return [], (f"the digit {char!r} at position {index + 1} does not follow a letter, so the string does not "
                        f"split into one code per session")
        if char.isalpha() and index + 1 < len(marks) and marks[index + 1].isascii() and marks[index + 1].isdigit():
            tokens.append(marks[index: index + 2].upper())
            index += 2
            continue
        tokens.append(char.upper())
        index += 1
    return tokens, None


def decode_attendance_marks(start: datetime.date, marks: str) -> tuple[list[CtfMark], list[str]]:
    """Decode an AttendanceMarks string from ``start`` (two sessions per calendar day, AM then PM; ``#`` = no
    session) into marks, plus reasons for anything that could not be decoded. See the module docstring."""
    text = marks.strip()
    if _WHITESPACE_INSIDE.search(text):
        return [], ["the marks contain a line break or tab, so the dates after it cannot be worked out; none of this "
                    "year's marks were read"]
    tokens, reason = tokenise_marks(text)
    if reason:
        return [], [reason + "; none of this year's marks were read"]
    problems: list[str] = []
    decoded: list[CtfMark] = []
    weekend_days: list[datetime.date] = []
    misplaced_pm: list[datetime.date] = []
    for index, code in enumerate(tokens):
        day = start + datetime.timedelta(days=index // 2)
        session = AM if index % 2 == 0 else PM
        if code == NO_SESSION:
            continue
        if day.weekday() >= 5 and (not weekend_days or weekend_days[-1] != day):
            weekend_days.append(day)
        if code == "\\" and session == AM:
            misplaced_pm.append(day)
        decoded.append(CtfMark(day, session, code))
    if misplaced_pm:
        return [], [f"the afternoon mark '\\' falls in a morning slot on {len(misplaced_pm)} day(s) (first "
                    f"{misplaced_pm[0].isoformat()}), so the string is not one mark per session from the start date; "
                    f"none of this year's marks were read"]
    if weekend_days:
        return [], [f"there are marks on {len(weekend_days)} Saturday(s) or Sunday(s) (first "
                    f"{weekend_days[0].isoformat()}); a CTF gives '##' for days not in session, so this file may "
                    f"count school days only and the dates cannot be trusted; none of this year's marks were read"]
    if len(tokens) % 2:
        last = start + datetime.timedelta(days=len(tokens) // 2)
        problems.append(f"the marks end part-way through {last.isoformat()} (a morning mark with no afternoon mark)")
    return decoded, problems


# --- Streaming XML ---------------------------------------------------------------------------------------------------


def _local(name: str) -> str:
    """Element name without any namespace (expat is created with ' ' as the namespace separator)."""
    return name.rsplit(" ", 1)[-1]


class _Reader:
    """Drives expat and hands each complete <Header> and <Pupil> element, with its start line, to callbacks."""

    def __init__(self, on_header, on_pupil):
        self.on_header = on_header
        self.on_pupil = on_pupil
        self.path: list[str] = []
        self.builder: TreeBuilder | None = None
        self.capture_depth = 0
        self.capture_line = 0
        self.lines: dict[int, int] = {}
        self.root: str | None = None
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        parser.ExternalEntityRefHandler = self._refuse
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        self.parser = parser

    def _refuse(self, *args) -> None:
        raise _Refused

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        self.path.append(local)
        self.text_chars = 0
        if self.root is None:
            self.root = local
            if local != "CTfile":
                raise _Stop(self.parser.CurrentLineNumber, None, local,
                            f"This is not a Common Transfer File: it starts with <{local}> instead of <CTfile>.")
        if self.builder is None and self.path in (["CTfile", "Header"], ["CTfile", "CTFpupilData", "Pupil"]):
            self.builder = TreeBuilder()
            self.capture_depth = len(self.path)
            self.capture_line = self.parser.CurrentLineNumber
            self.lines = {}
        if self.builder is not None:
            element = self.builder.start(local, {})
            self.lines[id(element)] = self.parser.CurrentLineNumber

    def _end(self, name: str) -> None:
        if self.builder is not None:
            self.builder.end(_local(name))
            if len(self.path) == self.capture_depth:
                element = self.builder.close()
                self.builder = None
                lines, self.lines = self.lines, {}
                if element.tag == "Header":
                    self.on_header(element, self.capture_line)
                else:
                    self.on_pupil(element, self.capture_line, lines)
        self.path.pop()

    def _data(self, data: str) -> None:
        self.text_chars = getattr(self, "text_chars", 0) + len(data)
        if self.text_chars > MAX_TEXT_CHARS:
            element = self.path[-1] if self.path else None
            raise _Stop(self.parser.CurrentLineNumber, element, None,
                        f"The <{element}> element holds more than {MAX_TEXT_CHARS:,} characters of text: no field of a "
                        f"Common Transfer File is that long, so the file was not read. Export the CTF again from the "
                        f"school's system.")
        if self.builder is not None:
            self.builder.data(data)

    def feed(self, stream: IO[bytes]) -> None:
        held = b""
        while True:
            chunk = stream.read(CHUNK_BYTES)
            data = held + (chunk or b"")
            if _FORBIDDEN_PATTERN.search(data):
                raise _Refused
            if not chunk:
                self.parser.Parse(data, True)
                return
            cut = max(len(data) - _HOLD_BACK, 0)
            held = data[cut:]
            self.parser.Parse(data[:cut], False)


# --- Element helpers --------------------------------------------------------------------------------------------------


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if child.tag == name:
            return child
    return None


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [child for child in element if child.tag == name]


def _text(element: Element | None, *path: str) -> str | None:
    for name in path:
        element = _child(element, name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


class _PupilContext:
    """Reports problems for one pupil with the line of the element concerned."""

    def __init__(self, issues: IssueCollector, lines: dict[int, int], fallback_line: int, who: str):
        self.issues, self.lines, self.fallback_line, self.who = issues, lines, fallback_line, who

    def line_of(self, element: Element | None) -> int:
        return self.lines.get(id(element), self.fallback_line) if element is not None else self.fallback_line

    def add(self, element: Element | None, field_name: str, value: str | None, reason: str) -> None:
        self.issues.add(self.line_of(element), field_name, value, f"{self.who}: {reason}")

    def date(self, parent: Element | None, name: str) -> datetime.date | None:
        raw = _text(parent, name)
        if raw is None:
            return None
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self.add(_child(parent, name), name, raw, f"{name} must be a date written YYYY-MM-DD.")
            return None

    def count(self, parent: Element | None, name: str) -> int | None:
        raw = _text(parent, name)
        if raw is None:
            return None
        if raw.isascii() and raw.isdigit() and len(raw) <= 4:
            return int(raw)
        self.add(_child(parent, name), name, raw, f"{name} must be a whole number of sessions.")
        return None


# --- Parsing ----------------------------------------------------------------------------------------------------------


def parse_ctf(stream: IO[bytes], *, filename: str | None = None, max_pupils: int | None = DEFAULT_MAX_PUPILS,
              max_issues: int | None = DEFAULT_MAX_ISSUES, check_codes: bool = True) -> ParsedCtf:
    """Read a CTF from a binary file-like object. Never raises on bad content; the stream is left open."""
    name = file_name_of(stream, filename)
    issues = IssueCollector(name, max_issues)
    codes = load_code_table() if check_codes else None
    result = ParsedCtf(header=None, pupils=[])
    position = 0

    def on_header(element: Element, line: int) -> None:
        result.header = _header(element, issues, line)

    def on_pupil(element: Element, line: int, lines: dict[int, int]) -> None:
        nonlocal position
        position += 1
        if max_pupils is not None and position > max_pupils:
            raise _Stop(line, None, None, f"The file has more than {max_pupils:,} pupils; split it into smaller files. "
                                          f"Nothing from this file was imported.")
        pupil = _pupil(element, position, line, lines, issues, codes)
        if pupil is not None:
            result.pupils.append(pupil)
        element.clear()

    reader = _Reader(on_header, on_pupil)
    try:
        reader.feed(stream)
    except _Refused:
        return _failed(issues, None, None, "The file contains a document type or entity declaration (<!DOCTYPE or "
                                           "<!ENTITY). A Common Transfer File never needs one, and they can be used "
                                           "to attack the system, so the file was refused.")
    except _Stop as stop:
        return _failed(issues, stop.line, stop.value, stop.reason)
    except (LookupError, UnicodeError, ValueError) as exc:
        # expat hands an encoding it does not know itself (anything but UTF-8, UTF-16, ISO-8859-1 and ASCII) to
        # Python's codecs, which raise for a name that is not a codec ("A"), is not a text codec ("base64"), or is
        # multi-byte ("utf-32"). Our own element handlers raise only _Stop and _Refused, so these mean the file's
        # XML declaration names an encoding that cannot be read.
        if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError) and "encoding" not in str(exc):
            raise
        return _failed(issues, 1, None, "The file's XML declaration names a character encoding that cannot be read "
                                        "(a CTF is UTF-8). Export the CTF again.")
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] and reader.root is None:
            return _failed(issues, None, None, "The file is empty or has no XML elements, so it is not a Common "
                                               "Transfer File.")
        message = expat.errors.messages.get(exc.code, str(exc))
        return _failed(issues, exc.lineno, None,
                       f"The file is not well-formed XML ({message} at line {exc.lineno}, column {exc.offset + 1}); "
                       f"it may be damaged or cut short. Export the CTF again.")
    if result.header is None:
        issues.add(None, "Header", None, "The file has no <Header>, so the sending school is not known.")
    result.issues = issues.finish()
    return result


def _failed(issues: IssueCollector, line: int | None, value: str | None, reason: str) -> ParsedCtf:
    issues.add(line, None, value, reason)
    return ParsedCtf(header=None, pupils=[], issues=issues.finish())


def _header(element: Element, issues: IssueCollector, line: int) -> CtfHeader:
    raw_time = _text(element, "DateTime")
    date_time = None
    if raw_time:
        try:
            date_time = datetime.datetime.fromisoformat(raw_time)
        except ValueError:
            issues.add(line, "DateTime", raw_time, "The header DateTime must be written YYYY-MM-DDThh:mm:ss.")
    return CtfHeader(
        document_name=_text(element, "DocumentName"),
        ctf_version=_text(element, "CTFversion"),
        date_time=date_time,
        document_qualifier=_text(element, "DocumentQualifier"),
        source_la=_text(element, "SourceSchool", "LEA"),
        source_estab=_text(element, "SourceSchool", "Estab"),
        source_urn=_text(element, "SourceSchool", "URN"),
        source_school_name=_text(element, "SourceSchool", "SchoolName"),
        academic_year=_text(element, "SourceSchool", "AcademicYear"),
        dest_la=_text(element, "DestSchool", "LEA"),
        dest_estab=_text(element, "DestSchool", "Estab"),
    )


def _name(value: str | None) -> str | None:
    return value[:NAME_CHARS] if value else value


def _pupil(element: Element, position: int, line: int, lines: dict[int, int], issues: IssueCollector,
           codes: CodeTable | None) -> CtfPupil | None:
    surname = _name(_text(element, "Surname"))
    who = f"Pupil {position} in the file (surname {surname or 'not given'})"
    context = _PupilContext(issues, lines, line, who)
    upn = (_text(element, "UPN") or "").upper()
    if not upn:
        context.add(_child(element, "UPN"), "UPN", None, "has no UPN, so this pupil was skipped.")
        return None
    try:
        validate_upn(upn)
    except ValidationError as exc:
        context.add(_child(element, "UPN"), "UPN", upn,
                    f"has an invalid UPN ({' '.join(exc.messages)}), so this pupil was skipped.")
        return None

    basic = _child(element, "BasicDetails")

    def detail(name: str) -> str | None:
        # BasicDetails in CTF 17–25; some exporters put these items directly under <Pupil>.
        return _text(basic, name) or _text(element, name)

    former_upn = detail("FormerUPN")
    if former_upn:
        former_upn = former_upn.upper()
        try:
            validate_upn(former_upn)
        except ValidationError as exc:
            former = _child(basic, "FormerUPN")
            context.add(former if former is not None else _child(element, "FormerUPN"), "FormerUPN", former_upn,
                        f"the former UPN is invalid ({' '.join(exc.messages)}) and was not kept.")
            former_upn = None

    sen = _latest_sen(element, context)
    fsm_history = _child(element, "FSMhistory")
    return CtfPupil(
        position=position,
        line=line,
        upn=upn,
        former_upn=former_upn,
        surname=surname,
        forename=_name(_text(element, "Forename")),
        preferred_surname=_name(detail("PreferredSurname")),
        preferred_forename=_name(detail("PreferredForename")),
        date_of_birth=context.date(element, "DOB"),
        sex=_text(element, "Sex") or _text(element, "Gender"),
        ethnicity=detail("Ethnicity"),
        nc_year=detail("NCyearActual"),
        sen_provision=sen[1],
        sen_start_date=sen[0],
        fsm_review_date=context.date(fsm_history, "FSMreviewDate"),
        fsm_periods=tuple(
            FsmPeriod(context.date(instance, "FSMstartDate"), context.date(instance, "FSMendDate"),
                      _text(instance, "UKcountry"))
            for instance in _children(fsm_history, "FSMinstance")
        ),
        school_history=tuple(
            CtfSchoolHistory(_text(school, "LEA"), _text(school, "Estab"), _text(school, "SchoolName"),
                             context.date(school, "EntryDate"), context.date(school, "LeavingDate"),
                             _text(school, "LeavingReason"))
            for school in _children(_child(element, "SchoolHistory"), "School")
        ),
        attendance=tuple(
            _year_data(year, context, codes) for year in _children(_child(element, "Attendance"), "YearData")
        ),
    )


def _latest_sen(element: Element, context: _PupilContext) -> tuple[datetime.date | None, str | None]:
    """(start date, provision) of the SEN entry with the latest start date (the last one on a tie or no dates)."""
    entries = [(context.date(sen, "StartDate"), _text(sen, "SENprovision"))
               for sen in _children(_child(element, "SENhistory"), "SEN")]
    if not entries:
        return None, None
    _, latest = max(enumerate(entries), key=lambda pair: (pair[1][0] or datetime.date.min, pair[0]))
    return latest


def _year_data(year: Element, context: _PupilContext, codes: CodeTable | None) -> CtfYearData:
    sessions = _child(year, "AttendSessions")
    start = context.date(sessions, "AttendanceStartDate")
    raw_marks = _text(sessions, "AttendanceMarks")
    label = f"AttendanceMarks for {_text(year, 'Year') or 'an unnamed year'}"
    marks_element = _child(sessions, "AttendanceMarks")
    marks: list[CtfMark] = []
    if raw_marks:
        if start is None:
            context.add(marks_element, "AttendanceStartDate", None,
                        f"{label} have no valid AttendanceStartDate, so their dates are unknown and none were read.")
        else:
            marks, problems = decode_attendance_marks(start, raw_marks)
            for problem in problems:
                context.add(marks_element, "AttendanceMarks", raw_marks, f"{label}: {problem}.")
            if codes is not None:
                marks = _known_codes(marks, codes, context, marks_element, label)
    return CtfYearData(
        year=_text(year, "Year"),
        la=_text(year, "LEA"),
        estab=_text(year, "Estab"),
        school_name=_text(year, "SchoolName"),
        sessions_possible=context.count(year, "SessionsPossible"),
        sessions_authorised=context.count(year, "SessionsAuthorised"),
        sessions_attended=context.count(year, "SessionsAttended"),
        sessions_unauthorised=context.count(year, "SessionsUnauthorised"),
        attendance_start_date=start,
        attendance_marks=raw_marks,
        marks=tuple(marks),
    )


def _known_codes(marks: list[CtfMark], codes: CodeTable, context: _PupilContext, element: Element | None,
                 label: str) -> list[CtfMark]:
    kept: list[CtfMark] = []
    unknown: Counter[str] = Counter()
    first: dict[str, CtfMark] = {}
    reasons: dict[str, str] = {}
    for mark in marks:
        code, reason = check_code(codes, mark.code, mark.date)
        if reason is None:
            kept.append(mark._replace(code=code))
            continue
        unknown[mark.code] += 1
        first.setdefault(mark.code, mark)
        reasons.setdefault(mark.code, reason)
    for code, count in unknown.items():
        mark = first[code]
        context.add(element, "AttendanceMarks", code,
                    f"{label}: the mark {code!r} appears {count} time(s), first on {mark.date.isoformat()} "
                    f"{mark.session}, and was left out. {reasons[code]}")
    return kept
