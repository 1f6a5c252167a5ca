"""Hostile uploads against every importer: arbitrary bytes and files that are nearly right.

Each importer must answer a bad file in one of two ways: problems tied to the file, line, field and value with a
plain reason, or a refusal of the whole file with a clear message. It must never raise, and a refused file must leave
the database as it was. Readers covered: the register CSV line reader (``marks_csv``), the vectorised reader the
import itself uses (``marks_fast``), and the Common Transfer File reader (``ctf``), each alone and through the import
service (``run_import``) as a school's upload goes.
"""

from __future__ import annotations

import codecs
import datetime
import io
import tempfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.attendance.imports import marks_fast
from schools.attendance.imports.ctf import parse_ctf
from schools.attendance.imports.errors import ImportIssue
from schools.attendance.imports.marks import parse_marks_csv
from schools.attendance.imports.marks_csv import MarkRow
from schools.attendance.services import run_import
from schools.models import (
    AcademicYear,
    AttendanceImport,
    AttendanceMarkChange,
    AttendanceSummary,
    AttendanceWeek,
    CtfReviewItem,
    Job,
    Pupil,
    Term,
)
from schools.validators import upn_check_letter

NAME = "hostile.csv"
PARSER_EXAMPLES = 150
SERVICE_EXAMPLES = 30
FUZZ = settings(max_examples=PARSER_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_DB = settings(max_examples=SERVICE_EXAMPLES, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

UPN = upn_check_letter("123456789012") + "123456789012"
HEADERS = ["upn,school,date,session,code", "upn,school,date,session,code,minutes_late,comment",
           "UPN , School,DATE,Session,Code,minutes_late", "school,upn,date,session,code",
           "upn;school;date;session;code", "", "upn,school,date,session,code,extra"]
GOOD_VALUES = {0: [UPN, UPN.lower(), "A12345678901Z", ""], 1: ["114580", "845/4012", "8454012", "99", ""],
               2: ["2025-09-08", "08/09/2025", "2025-02-30", "31/13/2025", "1899-01-01", ""],
               3: ["AM", "pm", "XX", ""], 4: ["/", "\\", "N", "C1", "H", "ZZ", "-", "@", ""],
               5: ["", "12", "301", "-1", "1e3", "99999999999999999999"], 6: ["", "Bus late, mum phoned", "=1+1"]}
# Text that has broken parsers before: NULs, lone surrogates once encoded, quotes, carriage returns, formulas.
NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "\r", "\"", "\"\"", "\"a\nb\"", "\ufeff", "\u2028", "=cmd|' /C calc'!A0", "\t", ",,,,",
                     "\U0001f600", "Ã©", "\x1a", "NaN", "null", "%s%s%n", "' OR 1=1 --"]),
    st.builds(lambda n: "x" * n, st.sampled_from([5_000, 10_001, 70_000])),
)


@st.composite
def register_csvs(draw) -> bytes:
    """A file shaped like a register CSV, wrong in the ways a spreadsheet or an MIS gets it wrong."""
    header = draw(st.sampled_from(HEADERS + [draw(st.text(max_size=60))]))
    lines = [header]
    for _ in range(draw(st.integers(0, 8))):
        width = draw(st.integers(0, 9))
        fields = [draw(st.one_of(st.sampled_from(GOOD_VALUES.get(i, [""])), NASTY_TEXT)) for i in range(width)]
        if draw(st.booleans()):
            fields = [f'"{value}"' if "," in value or "\n" in value else value for value in fields]
        lines.append(",".join(fields))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        prefix = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00", b"PK\x03\x04", b"MZ\x90\x00"]))
        data = prefix + data
    return data


CSV_INPUTS = st.one_of(st.binary(max_size=3000), register_csvs())


def _check_issues(issues, *, line_limit: int | None) -> None:
    for issue in issues:
        assert isinstance(issue, ImportIssue)
        assert issue.file == NAME
        assert isinstance(issue.reason, str) and len(issue.reason) > 10, issue
        assert issue.line is None or (isinstance(issue.line, int) and issue.line >= 1), issue
        if line_limit is not None and issue.line is not None:
            assert issue.line <= line_limit, issue
        assert issue.value is None or len(issue.value) <= 100


def _physical_lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


def _check_rows(rows) -> None:
    for row in rows:
        assert isinstance(row, MarkRow)
        assert row.session in {"AM", "PM"}
        assert len(row.upn) == 13 and isinstance(row.date, datetime.date)
        assert 2000 <= row.date.year <= 2099
        assert row.minutes_late is None or 0 <= row.minutes_late <= 300


class _NotSeekable(io.RawIOBase):
    """An upload stream that cannot be re-read: forces the line reader without a second try as Windows-1252."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@FUZZ
@given(data=CSV_INPUTS)
def test_marks_csv_reader_answers_every_file_with_rows_or_issues(data):
    parsed = parse_marks_csv(io.BytesIO(data), filename=NAME)
    _check_issues(parsed.issues, line_limit=_physical_lines(data))
    _check_rows(parsed.rows)
    if not parsed.rows and parsed.rows_read and data.strip():
        assert parsed.issues, "rows were read, none kept, and nothing says why"


@FUZZ
@given(data=CSV_INPUTS)
def test_marks_csv_line_reader_on_a_stream_that_cannot_be_reread(data):
    parsed = parse_marks_csv(io.BufferedReader(_NotSeekable(data)), filename=NAME)
    _check_issues(parsed.issues, line_limit=_physical_lines(data))
    _check_rows(parsed.rows)


@FUZZ
@given(data=CSV_INPUTS)
def test_vectorised_reader_answers_every_file_or_hands_it_to_the_line_reader(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAME
        path.write_bytes(data)
        opened = marks_fast.open_fast(path, name=NAME)
        if opened is None:
            return  # the line reader's case, fuzzed above
        shape, report = opened
        if shape is not None:
            try:
                for chunk in marks_fast.read_chunks(path, shape, report, max_rows=None, max_issues=1000):
                    assert set(chunk.columns) == set(marks_fast.ROW_SCHEMA)
            except marks_fast.Unreadable:
                return  # documented hand-over to the line reader; nothing written yet
        _check_issues(report.issues, line_limit=_physical_lines(data))


# --- Common Transfer Files ------------------------------------------------------------------------------------------

CTF_PUPIL = """<Pupil><UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>Amy</Forename><DOB>{dob}</DOB>
<Sex>F</Sex><BasicDetails><NCyearActual>{year}</NCyearActual></BasicDetails>
<Attendance><YearData><Year>2025</Year><LEA>845</LEA><Estab>4012</Estab>
<AttendSessions><AttendanceStartDate>{start}</AttendanceStartDate><AttendanceMarks>{marks}</AttendanceMarks>
</AttendSessions><SessionsPossible>{count}</SessionsPossible></YearData></Attendance></Pupil>"""
CTF_FRAME = """<?xml version="1.0" encoding="UTF-8"?>{prolog}
<CTfile{namespace}><Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion>
<DateTime>{stamp}</DateTime><DocumentQualifier>partial</DocumentQualifier>
<SourceSchool><LEA>845</LEA><Estab>9999</Estab><SchoolName{attribute}>Sender</SchoolName></SourceSchool>
</Header><CTFpupilData>{pupils}</CTFpupilData></CTfile>"""
BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
XXE = '<!DOCTYPE CTfile [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAMETER_ENTITY = '<!DOCTYPE CTfile [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'
ATTACKS = {"billion laughs": (BILLION_LAUGHS, "&lol3;"), "external entity": (XXE, "&xxe;"),
           "parameter entity": (PARAMETER_ENTITY, "Able")}


def _field(draw, good: list[str]) -> str:
    return draw(st.one_of(st.sampled_from(good), st.text(alphabet=st.characters(exclude_categories=["Cs"]),
                                                         max_size=30)))


@st.composite
def ctf_files(draw) -> bytes:
    """A CTF that parses as XML (mostly), with wrong namespaces, odd values, huge attributes or cut short."""
    from xml.sax.saxutils import escape

    pupils = []
    for _ in range(draw(st.integers(0, 4))):
        pupils.append(CTF_PUPIL.format(
            upn=escape(_field(draw, [UPN, "A12345678901Z", ""])),
            surname=escape(_field(draw, ["Able", "=HYPERLINK(\"http://x\")", "x" * 5000])),
            dob=escape(_field(draw, ["2014-03-01", "2014-02-30", "01/03/2014"])),
            year=escape(_field(draw, ["6", "R", "-1", "999999999999"])),
            start=escape(_field(draw, ["2025-09-08", "2025-09-13", "9999-12-31", "0001-01-01"])),
            marks=escape(_field(draw, ["/\\/\\NN/\\/\\", "##/\\", "C1/\\", "/", "\t/\\", "1/\\", "/" * 3000])),
            count=escape(_field(draw, ["10", "-5", "1" * 40]))))
    text = CTF_FRAME.format(
        prolog="", pupils="".join(pupils),
        namespace=draw(st.sampled_from(["", ' xmlns="urn:wrong"', ' xmlns:x="urn:x"', ' xmlns=""'])),
        stamp=escape(_field(draw, ["2025-09-20T10:00:00", "yesterday", "2025-13-45T99:99:99"])),
        attribute=draw(st.sampled_from(["", ' a="' + "x" * 200_000 + '"', ' a="1" a="2"', " &bad;"])))
    declared = draw(st.sampled_from(["UTF-8", "UTF-8", "utf-16", "utf-32", "utf-7", "base64", "rot13", "idna", "A",
                                     "windows-1252", "iso-8859-1", ""]))
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"')
    data = text.encode("utf-8")
    cut = draw(st.sampled_from([None, None, 0.5, 0.9]))
    if cut is not None:
        data = data[: int(len(data) * cut)]
    return data


CTF_INPUTS = st.one_of(st.binary(max_size=3000), ctf_files())


def _check_ctf(parsed, data: bytes) -> None:
    _check_issues(parsed.issues, line_limit=None)
    for pupil in parsed.pupils:
        assert len(pupil.upn) == 13
    if not parsed.pupils and data.strip():
        assert parsed.issues or b"CTFpupilData" in data, "an unreadable file with nothing to say why"


@FUZZ
@given(data=CTF_INPUTS)
def test_ctf_reader_answers_every_file_with_pupils_or_issues(data):
    _check_ctf(parse_ctf(io.BytesIO(data), filename=NAME), data)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_ctf_entity_attacks_are_refused_before_any_expansion(attack, encoding):
    prolog, surname = ATTACKS[attack]
    text = CTF_FRAME.format(prolog=prolog, namespace="", stamp="2025-09-20T10:00:00", attribute="",
                            pupils=CTF_PUPIL.format(upn=UPN, surname=surname, dob="2014-03-01", year="6",
                                                    start="2025-09-08", marks="/\\", count="2"))
    if encoding == "utf-16":
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parsed = parse_ctf(io.BytesIO(text.encode(encoding)), filename=NAME)
    assert parsed.pupils == []
    (issue,) = parsed.issues
    assert issue.file == NAME
    assert "DOCTYPE" in issue.reason or "entit" in issue.reason.lower()
    assert "root:" not in repr(parsed) and "lollol" not in repr(parsed)


@pytest.mark.parametrize("declared", ["A", "utf-32", "utf-7", "base64", "rot13", "zlib", "hex", "idna", "mbcs"])
def test_ctf_with_an_unreadable_declared_encoding_is_refused_not_a_crash(declared):
    # Found by fuzzing: expat hands unknown encodings to Python's codecs, which raised out of the reader.
    data = f'<?xml version="1.0" encoding="{declared}"?><CTfile><Header/></CTfile>'.encode()
    parsed = parse_ctf(io.BytesIO(data), filename=NAME)
    (issue,) = parsed.issues
    assert parsed.pupils == [] and "encoding" in issue.reason and issue.file == NAME


# --- Through the import service: a refused file changes nothing ----------------------------------------------------


def _database_state() -> tuple:
    return (AttendanceWeek.objects.count(), AttendanceSummary.objects.count(), AttendanceMarkChange.objects.count(),
            CtfReviewItem.objects.count(), Pupil.objects.count(),
            sorted(AttendanceWeek.objects.values_list("enrolment_id", "week_start", "marks")))


@pytest.fixture
def register_year(world):
    year = AcademicYear.objects.create(name="2025/26", start_date=datetime.date(2025, 9, 1),
                                       end_date=datetime.date(2026, 8, 31))
    Term.objects.create(academic_year=year, name="autumn", start_date=datetime.date(2025, 9, 3),
                        end_date=datetime.date(2025, 12, 19))
    return year


def _run(user, kind: str, content: bytes, bad_rows: str) -> AttendanceImport:
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user)
    attendance_import = AttendanceImport(kind=kind, original_name=NAME, uploaded_by=user, job=job, bad_rows=bad_rows)
    attendance_import.file.save(NAME, ContentFile(content), save=False)
    attendance_import.save()
    run_import(attendance_import)  # raises if the importer crashes: that is the failure this test looks for
    attendance_import.refresh_from_db()
    attendance_import.job.refresh_from_db()
    return attendance_import


def _check_service(world, kind: str, content: bytes, bad_rows: str) -> None:
    before = _database_state()
    done = _run(world.users["school_a"], kind, content, bad_rows)
    assert done.job.status in {Job.Status.SUCCEEDED, Job.Status.FAILED}
    assert done.job.message and "stopped with an error" not in done.job.message
    if done.job.status == Job.Status.FAILED:
        assert done.job.message.startswith("Nothing was imported"), done.job.message
        assert _database_state() == before, "a refused file changed the database"
        assert done.marks_written == done.marks_changed == 0


@pytest.mark.django_db
@FUZZ_DB
@given(content=st.one_of(st.binary(max_size=2000), register_csvs()),
       bad_rows=st.sampled_from(AttendanceImport.BadRows.values))
def test_register_import_service_refuses_hostile_csv_cleanly(world, register_year, content, bad_rows):
    _check_service(world, AttendanceImport.Kind.CSV, content, bad_rows)


@pytest.mark.django_db
@FUZZ_DB
@given(content=CTF_INPUTS, bad_rows=st.sampled_from(AttendanceImport.BadRows.values))
def test_ctf_import_service_refuses_hostile_files_cleanly(world, register_year, content, bad_rows):
    _check_service(world, AttendanceImport.Kind.CTF, content, bad_rows)


@pytest.mark.django_db
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_ctf_entity_attack_through_the_service_saves_nothing(world, register_year, attack):
    prolog, surname = ATTACKS[attack]
    text = CTF_FRAME.format(prolog=prolog, namespace="", stamp="2025-09-20T10:00:00", attribute="",
                            pupils=CTF_PUPIL.format(upn=world.pupil_a.upn, surname=surname, dob="2014-03-01",
                                                    year="6", start="2025-09-08", marks="/\\", count="2"))
    before = _database_state()
    done = _run(world.users["school_a"], AttendanceImport.Kind.CTF, text.encode(), "keep_good")
    assert done.job.status == Job.Status.FAILED
    assert "DOCTYPE" in done.job.message or "entit" in done.job.message.lower()
    assert _database_state() == before
