"""Pure parsers for uploaded register-marks CSV files and Common Transfer Files (no database)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.attendance.imports import ctf as ctf_module
from schools.attendance.imports.ctf import CtfMark, decode_attendance_marks, parse_ctf, tokenise_marks
from schools.attendance.imports.errors import ImportIssue, issues_to_csv
from schools.attendance.imports.marks import parse_marks_csv
from schools.attendance.imports.marks_csv import MarkRow, ParsedMarks
from schools.validators import upn_check_letter

D = datetime.date


def make_upn(digits: str) -> str:
    """A valid permanent UPN from 12 digits."""
    assert len(digits) == 12
    return upn_check_letter(digits) + digits


UPN1 = make_upn("123456789012")
UPN2 = make_upn("845401224001")
HEADER = "upn,school,date,session,code,minutes_late,comment\n"


def parse(text: str | bytes, **kwargs) -> ParsedMarks:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_marks_csv(io.BytesIO(data), filename="marks.csv", **kwargs)


def only_issue(result) -> ImportIssue:
    assert len(result.issues) == 1, result.issues
    return result.issues[0]


# --- Marks CSV: happy path ------------------------------------------------------------------------------------------


def test_happy_path_reads_typed_rows():
    result = parse(
        HEADER
        + f"{UPN1},114580,2024-09-16,AM,/,,\n"
        + f"{UPN1.lower()}, 845/4012 ,16/09/2024,pm,l,12,\"Bus late, mum phoned\"\n"
        + f"{UPN2},8454012,17/09/2024,AM,c1,,\n"
    )
    assert result.issues == []
    assert result.rows_read == 3
    assert result.encoding == "utf-8"
    assert result.rows == [
        MarkRow(2, UPN1, "114580", D(2024, 9, 16), "AM", "/", None, ""),
        MarkRow(3, UPN1, "8454012", D(2024, 9, 16), "PM", "L", 12, "Bus late, mum phoned"),
        MarkRow(4, UPN2, "8454012", D(2024, 9, 17), "AM", "C1", None, ""),
    ]


def test_optional_columns_may_be_left_out_and_header_is_case_and_space_insensitive():
    result = parse(f" UPN , School,DATE,Session,Code\n{UPN1},114580,2024-09-16,AM,N\n")
    assert result.issues == []
    assert result.rows == [MarkRow(2, UPN1, "114580", D(2024, 9, 16), "AM", "N", None, "")]


def test_byte_order_mark_is_allowed():
    result = parse(b"\xef\xbb\xbf" + f"upn,school,date,session,code\n{UPN1},114580,2024-09-16,AM,/\n".encode())
    assert result.issues == []
    assert len(result.rows) == 1


def test_blank_lines_are_skipped_and_line_numbers_stay_physical():
    result = parse(f"\n{HEADER}\n{UPN1},114580,2024-09-16,AM,/,,\n\n,,,,,,\n   \n{UPN1},114580,2024-09-16,PM,X,,\n")
    assert result.issues == []
    assert result.rows_read == 2
    assert [row.line for row in result.rows] == [4, 8]


def test_multi_line_comment_is_reported_at_its_first_line():
    result = parse(HEADER + f'{UPN1},114580,2024-09-16,AM,/,,"two\nlines"\n{UPN1},114580,2024-09-16,PM,Q,,\n')
    assert result.issues == []
    assert [(row.line, row.comment) for row in result.rows] == [(2, "two\nlines"), (4, "")]


def test_stream_is_left_open():
    stream = io.BytesIO((HEADER + f"{UPN1},114580,2024-09-16,AM,/,,\n").encode())
    parse_marks_csv(stream)
    assert not stream.closed


# --- Marks CSV: bad files and rows ----------------------------------------------------------------------------------


def test_different_header_is_one_issue_naming_expected_and_found_and_no_rows():
    result = parse(f"UPN,URN,Date,AM/PM,Mark\n{UPN1},114580,2024-09-16,AM,/\n")
    issue = only_issue(result)
    assert result.rows == []
    assert (issue.file, issue.line, issue.field) == ("marks.csv", 1, "header")
    assert "upn,school,date,session,code" in issue.reason
    assert "UPN,URN,Date,AM/PM,Mark" in issue.reason


def test_header_with_columns_in_the_wrong_order_is_refused():
    result = parse(f"school,upn,date,session,code\n114580,{UPN1},2024-09-16,AM,/\n")
    assert result.rows == [] and only_issue(result).field == "header"


@pytest.mark.parametrize("session", ["AMX", "morning", "A", "1"])
def test_invalid_session(session):
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,{session},/,,\n")
    issue = only_issue(result)
    assert result.rows == []
    assert (issue.line, issue.field, issue.value, issue.reason) == (2, "session", session, "Session must be AM or PM.")


@pytest.mark.parametrize("value", ["2024-9-16", "16-09-2024", "09/31/2024", "31/02/2024", "2024-02-30", "16/09/24",
                                   "1924-09-16", "tomorrow"])
def test_bad_date(value):
    result = parse(HEADER + f"{UPN1},114580,{value},AM,/,,\n")
    issue = only_issue(result)
    assert result.rows == []
    assert (issue.line, issue.field, issue.value) == (2, "date", value)


def test_bad_upn_check_letter():
    wrong = ("B" if UPN1[0] != "B" else "C") + UPN1[1:]
    result = parse(HEADER + f"{wrong},114580,2024-09-16,AM,/,,\n")
    issue = only_issue(result)
    assert result.rows == []
    assert (issue.line, issue.field, issue.value) == (2, "upn", wrong)
    assert f"should be {UPN1[0]}" in issue.reason


@pytest.mark.parametrize("school", ["12345", "012345", "84540123", "845-4012", "URN114580", ""])
def test_bad_school_ref(school):
    result = parse(HEADER + f"{UPN1},{school},2024-09-16,AM,/,,\n")
    issue = only_issue(result)
    assert result.rows == []
    assert (issue.line, issue.field) == (2, "school")


@pytest.mark.parametrize("minutes", ["301", "-1", "5.5", "ten", "1000"])
def test_minutes_late_out_of_range(minutes):
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,L,{minutes},\n")
    issue = only_issue(result)
    assert (issue.line, issue.field, issue.value) == (2, "minutes_late", minutes)
    assert "0 to 300" in issue.reason


def test_minutes_late_bounds_accepted():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,L,0,\n{UPN1},114580,2024-09-17,AM,U,300,\n")
    assert result.issues == []
    assert [row.minutes_late for row in result.rows] == [0, 300]


def test_every_bad_value_on_a_line_is_reported():
    result = parse(HEADER + "X1,999,2024-13-01,noon,,abc,\n")
    assert {issue.field for issue in result.issues} == {"upn", "school", "date", "session", "code", "minutes_late"}
    assert {issue.line for issue in result.issues} == {2}


def test_code_must_be_one_or_two_characters():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,ABC,,\n{UPN1},114580,2024-09-16,PM,,,\n")
    assert [(issue.line, issue.field) for issue in result.issues] == [(2, "code"), (3, "code")]


def test_code_is_checked_against_the_regime_in_force_on_the_date():
    result = parse(HEADER
                   + f"{UPN1},114580,2024-09-16,AM,H,,\n"  # H retired 19 August 2024
                   + f"{UPN1},114580,2024-07-15,AM,H,,\n"
                   + f"{UPN1},114580,2024-07-15,PM,C1,,\n"  # C1 only from 19 August 2024
                   + f"{UPN1},114580,2024-09-16,PM,-,,\n")  # no mark recorded is not a code
    assert [(issue.line, issue.field, issue.value) for issue in result.issues] == [
        (2, "code", "H"), (4, "code", "C1"), (5, "code", "-")]
    assert [row.line for row in result.rows] == [3]
    assert parse(HEADER + f"{UPN1},114580,2024-09-16,AM,H,,\n", check_codes=False).issues == []


def test_duplicate_with_different_code_reports_both_lines_naming_each_other_and_keeps_neither():
    """Neither line is imported, so each is a bad row in the report (and counted), each naming the other."""
    result = parse(HEADER
                   + f"{UPN1},114580,2024-09-16,AM,/,,\n"
                   + f"{UPN2},114580,2024-09-16,AM,/,,\n"
                   + f"{UPN1},114580,16/09/2024,am,N,,\n")
    issues = sorted(result.issues, key=lambda issue: issue.line)
    assert [(i.line, i.field, i.value) for i in issues] == [(2, "code", "/"), (4, "code", "N")]
    assert "line 4" in issues[0].reason and "line 2" in issues[1].reason
    assert [row.upn for row in result.rows] == [UPN2]


def test_duplicate_with_different_minutes_late_is_a_conflict_too():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,L,5,\n{UPN1},114580,2024-09-16,AM,L,10,\n")
    assert sorted((i.line, i.field) for i in result.issues) == [(2, "minutes_late"), (3, "minutes_late")]
    assert result.rows == []


def test_exact_duplicate_is_kept_once_without_an_issue():
    line = f"{UPN1},114580,2024-09-16,AM,/,,\n"
    result = parse(HEADER + line + line + f"{UPN1},114580,16/09/2024,am,/,,\n")
    assert result.issues == []
    assert result.rows_read == 3
    assert [row.line for row in result.rows] == [2]


def test_truncated_final_line_is_reported_with_its_line_number():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,/,,\n{UPN2},114580,2024-09")
    issue = only_issue(result)
    assert issue.line == 3
    assert "cut short" in issue.reason
    assert [row.line for row in result.rows] == [2]


def test_extra_values_are_reported_but_trailing_empty_ones_ignored():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,L,5,late,bus\n{UPN1},114580,2024-09-17,AM,/,,,,\n")
    issue = only_issue(result)
    assert issue.line == 2
    assert [row.line for row in result.rows] == [3]


def test_non_utf8_bytes_give_a_single_issue_saying_the_file_must_be_utf8():
    # 0x81 and 0x9D are undefined in Windows-1252 too, so no fallback can read them.
    data = (HEADER + f"{UPN1},114580,2024-09-16,AM,/,,ok\n").encode() + f"{UPN1},114580,2024-09-17,AM,/,,".encode() \
        + b"bad \x81\x9d\n"
    result = parse(data)
    issue = only_issue(result)
    assert result.rows == [] and result.encoding is None
    assert "UTF-8" in issue.reason
    assert issue.line == 3


def test_non_utf8_bytes_on_an_unseekable_stream_give_a_single_issue():
    class Unseekable(io.BytesIO):
        def seekable(self):
            return False

    data = (HEADER + f"{UPN1},114580,2024-09-16,AM,/,,caf").encode() + b"\xe9\n"
    result = parse_marks_csv(Unseekable(data))
    assert result.rows == []
    assert "UTF-8" in only_issue(result).reason


def test_windows_1252_file_is_read_by_fallback():
    data = b"\xef\xbb\xbf" + (HEADER + f"{UPN1},114580,2024-09-16,AM,/,,caf").encode() + b"\xe9 \x93quoted\x94\n"
    result = parse(data)
    assert result.issues == []
    assert result.encoding == "cp1252"
    assert result.rows[0].comment == "café \u201cquoted\u201d"


def test_utf16_file_is_named():
    result = parse(("upn,school,date,session,code\n").encode("utf-16"))
    assert "UTF-16" in only_issue(result).reason


def test_empty_file():
    assert "empty" in only_issue(parse(b"")).reason
    assert "empty" in only_issue(parse(b"\n\n  \n")).reason


def test_max_rows_guard_refuses_the_whole_file():
    rows = "".join(f"{UPN1},114580,2024-09-{day:02d},AM,/,,\n" for day in range(1, 6))
    result = parse(HEADER + rows, max_rows=3)
    issue = only_issue(result)
    assert result.rows == []
    assert issue.line == 5
    assert "more than 3 rows" in issue.reason
    assert len(parse(HEADER + rows, max_rows=5).rows) == 5


def test_very_long_line_stops_the_read():
    result = parse(HEADER + f"{UPN1},114580,2024-09-16,AM,/,," + "x" * 20_000 + "\n")
    issue = only_issue(result)
    assert result.rows == [] and issue.line == 2


def test_issue_listing_is_capped():
    rows = "".join(f"{UPN1},114580,2024-09-16,XX{n},/,,\n" for n in range(10))
    result = parse(HEADER + rows, max_issues=3)
    assert len(result.issues) == 4
    assert "7 more problems" in result.issues[-1].reason


# --- Issue report CSV -----------------------------------------------------------------------------------------------


def test_issue_value_is_truncated_to_100_characters():
    issue = ImportIssue("f.csv", 2, "comment", "x" * 500, "Too long.")
    assert len(issue.value) == 100


def test_issues_csv_neutralises_formula_injection():
    issues = [
        ImportIssue("=evil.csv", 2, "upn", "=HYPERLINK(\"http://x\")", "Bad."),
        ImportIssue("f.csv", None, "+field", "-2+3", "@SUM(A1)"),
        ImportIssue("f.csv", 3, None, "\tTAB", "\rCR"),
        ImportIssue("f.csv", 4, "code", "N", "Fine, with a comma."),
    ]
    rows = list(csv.reader(io.StringIO(issues_to_csv(issues), newline="")))
    assert rows[0] == ["file", "line", "field", "value", "reason"]
    assert rows[1] == ["'=evil.csv", "2", "upn", "'=HYPERLINK(\"http://x\")", "Bad."]
    assert rows[2] == ["f.csv", "", "'+field", "'-2+3", "'@SUM(A1)"]
    assert rows[3] == ["f.csv", "3", "", "'\tTAB", "'\rCR"]
    assert rows[4] == ["f.csv", "4", "code", "N", "Fine, with a comma."]


# --- Marks CSV: properties ------------------------------------------------------------------------------------------

_CODES = ["/", "\\", "L", "I", "M", "N", "O", "U", "G", "R", "#"]  # codes of both regimes, so any date is valid


@st.composite
def mark_rows(draw):
    digits = draw(st.text(alphabet="0123456789", min_size=11, max_size=11))
    last = draw(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUVWXYZ"))
    body = digits + last
    school = draw(st.one_of(st.integers(100000, 999999).map(str), st.integers(1000000, 9999999).map(str)))
    pieces = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6) | st.sampled_from(
        ["\n", "\r\n", "\r", ",", '"', "=SUM(A1)"])
    comment = draw(st.lists(pieces, max_size=6).map("".join)).strip()
    return MarkRow(
        line=0,
        upn=upn_check_letter(body) + body,
        school_ref=school,
        date=draw(st.dates(D(2000, 1, 1), D(2099, 12, 31))),
        session=draw(st.sampled_from(["AM", "PM"])),
        code=draw(st.sampled_from(_CODES)),
        minutes_late=draw(st.none() | st.integers(0, 300)),
        comment=comment,
    )


def _physical_lines(text: str) -> int:
    return len(io.StringIO(text, newline="").readlines())


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(mark_rows(), max_size=25, unique_by=lambda row: row.key), uk_dates=st.booleans(),
       crlf=st.booleans(), bom=st.booleans())
def test_property_parse_of_written_rows_round_trips(rows, uk_dates, crlf, bom):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["upn", "school", "date", "session", "code", "minutes_late", "comment"])
    expected = []
    line = 2
    for row in rows:
        chunk = io.StringIO(newline="")
        # With "\n" line endings Python's writer leaves a lone "\r" unquoted (a real line break), so quote everything.
        csv.writer(chunk, lineterminator="\r\n" if crlf else "\n",
                   quoting=csv.QUOTE_MINIMAL if crlf else csv.QUOTE_ALL).writerow([
            row.upn.lower() if uk_dates else row.upn,
            row.school_ref,
            row.date.strftime("%d/%m/%Y") if uk_dates else row.date.isoformat(),
            row.session.lower() if crlf else row.session,
            row.code,
            "" if row.minutes_late is None else row.minutes_late,
            row.comment,
        ])
        out.write(chunk.getvalue())
        expected.append(MarkRow(line, row.upn, row.school_ref, row.date, row.session, row.code, row.minutes_late,
                                row.comment))
        line += _physical_lines(chunk.getvalue())
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")
    result = parse(data)
    assert result.issues == []
    assert result.rows == expected
    assert result.rows_read == len(rows)


@settings(max_examples=300)
@given(data=st.binary(max_size=400))
def test_property_random_bytes_never_raise(data):
    result = parse(data)
    assert isinstance(result, ParsedMarks)
    assert result.issues or result.rows


@settings(max_examples=200)
@given(tail=st.binary(max_size=200))
def test_property_random_bytes_after_a_valid_header_never_raise(tail):
    result = parse(HEADER.encode() + tail)
    assert isinstance(result, ParsedMarks)
    assert result.issues or result.rows or result.rows_read == 0


# --- CTF -------------------------------------------------------------------------------------------------------------

GOOD3 = make_upn("111111111111")
BAD3 = ("A" if GOOD3[0] != "A" else "B") + GOOD3[1:]

CTF_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>25.0</CTFversion>
    <DateTime>2025-09-12T04:26:45</DateTime>
    <DocumentQualifier>full</DocumentQualifier>
    <SupplierID>Example MIS</SupplierID>
    <SourceSchool>
      <LEA>845</LEA>
      <Estab>4012</Estab>
      <URN>114580</URN>
      <SchoolName>Alpha Primary School</SchoolName>
      <AcademicYear>2025</AcademicYear>
    </SourceSchool>
    <DestSchool>
      <LEA>845</LEA>
      <Estab>4001</Estab>
    </DestSchool>
    <SomethingNew>ignored</SomethingNew>
  </Header>
  <CTFpupilData>
    <Pupil>
      <UPN>{UPN1}</UPN>
      <UniqueLearnerNumber>1234567890</UniqueLearnerNumber>
      <Surname>Able</Surname>
      <Forename>Amy</Forename>
      <DOB>2013-05-01</DOB>
      <Sex>F</Sex>
      <BasicDetails>
        <FormerUPN>{UPN2}</FormerUPN>
        <PreferredSurname>Able-Smith</PreferredSurname>
        <PreferredForename>Ames</PreferredForename>
        <NCyearActual>6</NCyearActual>
        <Ethnicity>WBRI</Ethnicity>
        <EthnicitySource>C</EthnicitySource>
        <Languages><Type><LanguageType>F</LanguageType><Language>ENG</Language></Type></Languages>
      </BasicDetails>
      <FSMhistory>
        <FSMreviewDate>2025-03-01</FSMreviewDate>
        <FSMinstance>
          <FSMstartDate>2022-01-10</FSMstartDate>
          <FSMendDate>2023-07-21</FSMendDate>
          <UKcountry>ENG</UKcountry>
        </FSMinstance>
        <FSMinstance>
          <FSMstartDate>2024-09-02</FSMstartDate>
          <UKcountry>ENG</UKcountry>
        </FSMinstance>
      </FSMhistory>
      <SENhistory>
        <SEN>
          <StartDate>2021-09-01</StartDate>
          <SENprovision>K</SENprovision>
        </SEN>
        <SEN>
          <StartDate>2024-01-15</StartDate>
          <SENprovision>E</SENprovision>
        </SEN>
      </SENhistory>
      <Attendance>
        <YearData>
          <Year>2024</Year>
          <LEA>845</LEA>
          <Estab>4012</Estab>
          <SchoolName>Alpha Primary School</SchoolName>
          <SessionsPossible>8</SessionsPossible>
          <SessionsAuthorised>2</SessionsAuthorised>
          <SessionsAttended>5</SessionsAttended>
          <SessionsUnauthorised>1</SessionsUnauthorised>
          <AttendSessions>
            <AttendanceStartDate>2024-09-05</AttendanceStartDate>
            <AttendanceMarks>
              /\\NC1#####\\LI
            </AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
      <SchoolHistory>
        <School>
          <LEA>845</LEA>
          <Estab>2001</Estab>
          <SchoolName>Infant School</SchoolName>
          <EntryDate>2017-09-04</EntryDate>
          <LeavingDate>2020-07-22</LeavingDate>
          <LeavingReason>TRA</LeavingReason>
        </School>
      </SchoolHistory>
    </Pupil>
    <Pupil>
      <UPN>{UPN2}</UPN>
      <Surname>Baker</Surname>
      <Forename>Ben</Forename>
      <DOB>2012-11-30</DOB>
      <Gender>M</Gender>
      <Attendance>
        <YearData>
          <Year>2023</Year>
          <AttendSessions>
            <AttendanceStartDate>2024-07-18</AttendanceStartDate>
            <AttendanceMarks>/\\HH####/\\</AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
    </Pupil>
    <Pupil>
      <UPN>{BAD3}</UPN>
      <Surname>Carter</Surname>
      <Forename>Cal</Forename>
    </Pupil>
  </CTFpupilData>
</CTfile>
"""


def parse_xml(text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_ctf(io.BytesIO(data), filename="pupils.xml", **kwargs)


def test_ctf_header_and_pupils():
    result = parse_xml(CTF_XML)
    header = result.header
    assert header.ctf_version == "25.0"
    assert header.date_time == datetime.datetime(2025, 9, 12, 4, 26, 45)
    assert header.document_qualifier == "full"
    assert (header.source_la, header.source_estab, header.source_laestab) == ("845", "4012", "8454012")
    assert header.source_urn == "114580"
    assert header.source_school_name == "Alpha Primary School"
    assert header.academic_year == "2025"
    assert header.dest_laestab == "8454001"

    assert [pupil.upn for pupil in result.pupils] == [UPN1, UPN2]
    amy, ben = result.pupils
    assert (amy.position, amy.surname, amy.forename, amy.preferred_surname, amy.preferred_forename) == (
        1, "Able", "Amy", "Able-Smith", "Ames")
    assert amy.former_upn == UPN2
    assert amy.date_of_birth == D(2013, 5, 1)
    assert (amy.sex, amy.ethnicity, amy.nc_year) == ("F", "WBRI", "6")
    assert (amy.sen_provision, amy.sen_start_date) == ("E", D(2024, 1, 15))
    assert amy.fsm_review_date == D(2025, 3, 1)
    assert [(p.start_date, p.end_date, p.uk_country) for p in amy.fsm_periods] == [
        (D(2022, 1, 10), D(2023, 7, 21), "ENG"), (D(2024, 9, 2), None, "ENG")]
    assert [(s.estab, s.entry_date, s.leaving_date, s.leaving_reason) for s in amy.school_history] == [
        ("2001", D(2017, 9, 4), D(2020, 7, 22), "TRA")]
    year = amy.attendance[0]
    assert (year.year, year.la, year.estab, year.attendance_start_date) == ("2024", "845", "4012", D(2024, 9, 5))
    assert (year.sessions_possible, year.sessions_authorised, year.sessions_attended,
            year.sessions_unauthorised) == (8, 2, 5, 1)
    assert ben.sex == "M"  # <Gender> before CTF 25
    assert ben.line > amy.line


def test_ctf_marks_decode_across_a_weekend_and_no_session():
    amy, ben = parse_xml(CTF_XML).pupils
    # Thursday 5 September 2024: "/\", Friday "N" + "C1", Saturday and Sunday "##", Monday "#\" (morning closed),
    # Tuesday "LI".
    assert amy.attendance_marks == [
        (D(2024, 9, 5), "AM", "/"),
        (D(2024, 9, 5), "PM", "\\"),
        (D(2024, 9, 6), "AM", "N"),
        (D(2024, 9, 6), "PM", "C1"),
        (D(2024, 9, 9), "PM", "\\"),
        (D(2024, 9, 10), "AM", "L"),
        (D(2024, 9, 10), "PM", "I"),
    ]
    # Pre-2024 single-character codes (H was a code until 18 August 2024); Thursday 18 July 2024 to Monday 22 July.
    assert ben.attendance_marks == [
        CtfMark(D(2024, 7, 18), "AM", "/"), CtfMark(D(2024, 7, 18), "PM", "\\"),
        CtfMark(D(2024, 7, 19), "AM", "H"), CtfMark(D(2024, 7, 19), "PM", "H"),
        CtfMark(D(2024, 7, 22), "AM", "/"), CtfMark(D(2024, 7, 22), "PM", "\\"),
    ]


def test_ctf_pupil_with_bad_upn_is_reported_and_skipped_others_kept():
    result = parse_xml(CTF_XML)
    issue = only_issue(result)
    assert len(result.pupils) == 2
    assert issue.file == "pupils.xml"
    assert issue.field == "UPN" and issue.value == BAD3
    assert "Pupil 3" in issue.reason and "Carter" in issue.reason and "skipped" in issue.reason
    assert issue.line == CTF_XML.splitlines().index(f"      <UPN>{BAD3}</UPN>") + 1


def test_ctf_pupil_with_missing_upn_is_reported():
    xml = CTF_XML.replace(f"<UPN>{UPN2}</UPN>", "<UPN> </UPN>")
    result = parse_xml(xml)
    assert [pupil.upn for pupil in result.pupils] == [UPN1]
    reasons = [issue.reason for issue in result.issues]
    assert any("Pupil 2" in reason and "Baker" in reason and "no UPN" in reason for reason in reasons)


def test_ctf_malformed_xml_gives_one_issue_with_the_line():
    broken = CTF_XML.replace("</Forename>\n      <DOB>2012", "</Forname>\n      <DOB>2012")
    result = parse_xml(broken)
    issue = only_issue(result)
    assert result.pupils == []
    assert issue.line == broken.splitlines().index("      <Forename>Ben</Forname>") + 1
    assert "not well-formed XML" in issue.reason


def test_ctf_cut_short_is_malformed():
    result = parse_xml(CTF_XML[: len(CTF_XML) // 2])
    assert result.pupils == [] and "not well-formed" in only_issue(result).reason


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CTfile><CTFpupilData><Pupil><UPN>&lol3;</UPN></Pupil></CTFpupilData></CTfile>
"""


def test_ctf_doctype_is_refused():
    result = parse_xml(BILLION_LAUGHS)
    assert result.pupils == [] and result.header is None
    assert "<!DOCTYPE" in only_issue(result).reason


def test_ctf_doctype_split_across_chunks_is_refused(monkeypatch):
    monkeypatch.setattr(ctf_module, "CHUNK_BYTES", 5)
    result = parse_xml(BILLION_LAUGHS)
    assert result.pupils == [] and "refused" in only_issue(result).reason
    assert [p.upn for p in parse_xml(CTF_XML).pupils] == [UPN1, UPN2]  # small chunks still parse normally


def test_ctf_doctype_in_utf16_is_refused_by_the_parser():
    xxe = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' \
          "<CTfile><Header><DocumentName>&e;</DocumentName></Header></CTfile>"
    result = parse_xml(xxe.encode("utf-16"))
    assert result.pupils == [] and "refused" in only_issue(result).reason


def test_ctf_not_a_ctf():
    result = parse_xml("<?xml version='1.0'?><html><body/></html>")
    assert "<CTfile>" in only_issue(result).reason
    assert "empty" in only_issue(parse_xml(b"")).reason


def test_ctf_namespaces_and_unknown_elements_are_tolerated():
    xml = CTF_XML.replace("<CTfile>", '<CTfile xmlns="http://example.org/ctf">', 1)
    result = parse_xml(xml)
    assert [p.upn for p in result.pupils] == [UPN1, UPN2]
    assert result.header.source_urn == "114580"


def test_ctf_unknown_codes_are_left_out_and_reported_once():
    xml = CTF_XML.replace("/\\NC1#####\\LI", "/HHN#####\\L-")
    result = parse_xml(xml)
    amy = result.pupils[0]
    assert (D(2024, 9, 5), "PM", "H") not in amy.attendance_marks
    assert [m for m in amy.attendance_marks if m.date == D(2024, 9, 5)] == [(D(2024, 9, 5), "AM", "/")]
    marks_issues = [issue for issue in result.issues if issue.field == "AttendanceMarks"]
    assert sorted(issue.value for issue in marks_issues) == ["-", "H"]
    h_issue = next(issue for issue in marks_issues if issue.value == "H")
    assert "2 time(s)" in h_issue.reason and "2024-09-05 PM" in h_issue.reason and "Pupil 1" in h_issue.reason


def test_ctf_bad_dates_and_counts_are_reported_but_pupil_kept():
    xml = CTF_XML.replace("<DOB>2013-05-01</DOB>", "<DOB>01/05/2013</DOB>").replace(
        "<SessionsPossible>8</SessionsPossible>", "<SessionsPossible>eight</SessionsPossible>")
    result = parse_xml(xml)
    amy = result.pupils[0]
    assert amy.date_of_birth is None and amy.attendance[0].sessions_possible is None
    assert {issue.field for issue in result.issues} >= {"DOB", "SessionsPossible"}


def test_ctf_max_pupils_guard():
    result = parse_xml(CTF_XML, max_pupils=1)
    assert result.pupils == [] and "more than 1 pupils" in only_issue(result).reason


# --- AttendanceMarks decoding ---------------------------------------------------------------------------------------


def test_tokenise_handles_single_and_two_character_codes():
    assert tokenise_marks("/\\C1Y7##N\\") == (["/", "\\", "C1", "Y7", "#", "#", "N", "\\"], None)
    assert tokenise_marks("/\\") == (["/", "\\"], None)
    tokens, reason = tokenise_marks("/1")
    assert tokens == [] and "digit" in reason


def test_decode_refuses_marks_on_weekends():
    # Friday 6 September 2024, then Saturday given a mark: the string counts school days, not calendar days.
    marks, problems = decode_attendance_marks(D(2024, 9, 6), "/\\/\\")
    assert marks == [] and "Saturday" in problems[0]


def test_decode_refuses_misaligned_strings():
    # A fixed two-characters-per-session layout puts the afternoon "\" in a morning slot.
    marks, problems = decode_attendance_marks(D(2024, 9, 2), "/ \\ ")
    assert marks == [] and "morning slot" in problems[0]


def test_decode_reports_odd_number_of_sessions_but_keeps_marks():
    marks, problems = decode_attendance_marks(D(2024, 9, 2), "/\\/")
    assert marks == [(D(2024, 9, 2), "AM", "/"), (D(2024, 9, 2), "PM", "\\"), (D(2024, 9, 3), "AM", "/")]
    assert "2024-09-03" in problems[0]


def test_decode_refuses_line_breaks_inside():
    marks, problems = decode_attendance_marks(D(2024, 9, 2), "/\\\n/\\")
    assert marks == [] and "line break" in problems[0]


def test_decode_whole_weeks_of_hashes():
    marks, problems = decode_attendance_marks(D(2024, 9, 2), "##" * 14 + "/\\")
    assert problems == [] and marks == [(D(2024, 9, 16), "AM", "/"), (D(2024, 9, 16), "PM", "\\")]


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600))
def test_property_ctf_random_bytes_never_raise(data):
    result = parse_xml(data)
    assert result.issues or result.pupils or result.header is not None


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(marks=st.text(max_size=60), start=st.dates(D(2000, 1, 1), D(2099, 1, 1)))
def test_property_ctf_random_marks_never_raise(marks, start):
    xml = CTF_XML.replace("2024-09-05", start.isoformat()).replace(
        "/\\NC1#####\\LI", marks.replace("&", "&amp;").replace("<", "&lt;"))
    try:
        xml.encode("utf-8")
    except UnicodeEncodeError:
        return
    result = parse_xml(xml)
    assert isinstance(result.pupils, list)


def test_ctf_without_header_is_reported_but_pupils_kept():
    start, end = CTF_XML.index("  <Header>"), CTF_XML.index("</Header>") + len("</Header>\n")
    result = parse_xml(CTF_XML[:start] + CTF_XML[end:])
    assert result.header is None and len(result.pupils) == 2
    assert any(issue.field == "Header" for issue in result.issues)


# --- Marks CSV: the vectorised reader agrees with the line reader ---------------------------------------------------

_VALUES = {
    "upn": [UPN1, UPN2, UPN1.lower(), " " + UPN2, "A12345678901X", "", "Z" + UPN1[1:]],
    "school": ["114580", "8454012", "845/4012", "12345", "", "ABCDEF"],
    "date": ["2024-09-16", "16/09/2024", "2024-02-30", "2024/09/16", "", "1/9/2025", "2101-01-01"],
    "session": ["AM", "pm", "Am", "XX", ""],
    "code": ["/", "\\", "n", "C1", "H", "ZZ", "", "Ü", "#", "ABC"],
    "minutes_late": ["", "0", "12", "300", "301", "-1", "x"],
    "comment": ["", "ok", "Bus late", "=SUM(A1)"],
}


@st.composite
def csv_lines(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["", "   ", ",,,,,,", "  ,  ,"]))
    fields = [draw(st.sampled_from(_VALUES[column])) for column in
              ("upn", "school", "date", "session", "code", "minutes_late", "comment")]
    extra = draw(st.sampled_from(["", "", "", ",", ",,", ",x", ", ,y"]))
    return ",".join(fields) + extra


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(csv_lines(), min_size=1, max_size=30), duplicate=st.booleans(), crlf=st.booleans())
def test_vectorised_reader_agrees_with_the_line_reader(tmp_path_factory, lines, duplicate, crlf):
    from pathlib import Path

    from schools.attendance.imports import marks_csv, marks_fast

    if duplicate:
        lines = lines + lines[:3]
    ending = "\r\n" if crlf else "\n"
    data = (HEADER.rstrip("\n") + ending + ending.join(lines) + ending).encode()
    path = Path(tmp_path_factory.mktemp("csv")) / "marks.csv"
    path.write_bytes(data)
    assert marks_fast.open_fast(path, name="marks.csv") is not None, "the vectorised reader should take this file"
    fast = parse(data)
    lines_read = marks_csv.parse_lines_of(io.BytesIO(data), "marks.csv", None, 1000, True)
    assert fast.rows == lines_read.rows
    assert fast.rows_read == lines_read.rows_read
    # Problems with a value are worded identically; a line's shape (too few or extra values) may be worded
    # differently (see marks_fast's docstring), so only its line is compared.
    assert [(i.line, i.field, i.value, i.reason) for i in fast.issues if i.field] == [
        (i.line, i.field, i.value, i.reason) for i in lines_read.issues if i.field]
    assert sorted(i.line for i in fast.issues if not i.field) == sorted(i.line for i in lines_read.issues
                                                                         if not i.field)


def test_reading_ahead_keeps_the_chunks_in_order_and_reads_one_ahead_at_most():
    """marks_fast.read_ahead: the same chunks in the same order, a problem raised while reading reaches the caller at
    the chunk it was found in, and a caller that stops leaves no more than one chunk read ahead."""
    import polars as pl

    from schools.attendance.imports.marks_fast import Unreadable, read_ahead

    made: list[int] = []

    def chunks(fail_at=None):
        for number in range(5):
            if number == fail_at:
                raise Unreadable("a quoted value over a line break")
            made.append(number)
            yield pl.DataFrame({"number": [number]})

    assert [chunk["number"][0] for chunk in read_ahead(chunks())] == [0, 1, 2, 3, 4]
    made.clear()
    for _chunk in read_ahead(chunks()):
        break
    assert made == [0, 1]
    received = []
    with pytest.raises(Unreadable):
        for chunk in read_ahead(chunks(fail_at=3)):
            received.append(chunk["number"][0])
    assert received == [0, 1, 2]


@st.composite
def upn_like(draw):
    body = draw(st.text(alphabet="0123456789", min_size=11, max_size=11)) + draw(
        st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUVWXYZIOS"))
    valid = body[-1] not in "IOS" and draw(st.booleans())
    first = upn_check_letter(body) if valid else draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    value = first + body
    return draw(st.sampled_from([value, value.lower(), f" {value} ", value[:-1], value + "1", "x" + value[1:]]))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(upn_like(), max_size=40, unique=True))
def test_vectorised_upn_check_agrees_with_the_validator(values):
    import polars as pl

    from schools.attendance.imports.marks_csv import upn_verdict
    from schools.attendance.imports.marks_fast import valid_upns

    fast = dict(valid_upns(pl.Series(values, dtype=pl.String)).iter_rows())
    one_by_one = {value: upn_verdict(value.strip())[0] for value in values if upn_verdict(value.strip())[1] is None}
    assert fast == one_by_one
