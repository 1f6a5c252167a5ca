"""Building small Common Transfer Files for tests, and importing them through the real service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from schools.attendance.services import attendance_import_start
from schools.models import AttendanceImport

FIRST_MONDAY = datetime.date(2025, 9, 8)


@dataclass
class CtfPupilSpec:
    upn: str
    surname: str
    forename: str
    dob: str
    school: object  # a School: its LAESTAB places the marks
    marks: str = "/\\/\\NN/\\/\\"  # Monday to Friday from FIRST_MONDAY: AM then PM
    former_upn: str = ""
    sex: str = "F"
    nc_year: str = "6"


def ctf_xml(pupils: list[CtfPupilSpec], *, start: datetime.date = FIRST_MONDAY) -> bytes:
    blocks = []
    for p in pupils:
        former = f"<FormerUPN>{p.former_upn}</FormerUPN>" if p.former_upn else ""
        blocks.append(f"""
    <Pupil>
      <UPN>{p.upn}</UPN>
      <Surname>{p.surname}</Surname>
      <Forename>{p.forename}</Forename>
      <DOB>{p.dob}</DOB>
      <Sex>{p.sex}</Sex>
      <BasicDetails>{former}<NCyearActual>{p.nc_year}</NCyearActual><Ethnicity>WBRI</Ethnicity></BasicDetails>
      <Attendance>
        <YearData>
          <Year>2025</Year>
          <LEA>{p.school.laestab[:3]}</LEA>
          <Estab>{p.school.laestab[3:]}</Estab>
          <AttendSessions>
            <AttendanceStartDate>{start.isoformat()}</AttendanceStartDate>
            <AttendanceMarks>{p.marks}</AttendanceMarks>
          </AttendSessions>
        </YearData>
      </Attendance>
    </Pupil>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>25.0</CTFversion>
    <DateTime>2025-09-20T10:00:00</DateTime>
    <DocumentQualifier>partial</DocumentQualifier>
    <SourceSchool><LEA>845</LEA><Estab>9999</Estab><SchoolName>Sender</SchoolName><AcademicYear>2025</AcademicYear></SourceSchool>
    <DestSchool><LEA>845</LEA><Estab>0000</Estab></DestSchool>
  </Header>
  <CTFpupilData>{"".join(blocks)}
  </CTFpupilData>
</CTfile>
""".encode()


def import_ctf(user, content: bytes, *, capture, bad_rows="keep_good", name="transfer.xml") -> AttendanceImport:
    upload = SimpleUploadedFile(name, content, content_type="text/xml")
    with capture(execute=True):
        started = attendance_import_start(user=user, uploaded_file=upload, kind="ctf", bad_rows=bad_rows)
    return AttendanceImport.objects.select_related("job").get(pk=started.pk)


def import_csv(user, lines: list[str], *, capture, bad_rows="keep_good", name="marks.csv") -> AttendanceImport:
    content = ("upn,school,date,session,code\n" + "\n".join(lines) + "\n").encode()
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    with capture(execute=True):
        started = attendance_import_start(user=user, uploaded_file=upload, kind="csv", bad_rows=bad_rows)
    return AttendanceImport.objects.select_related("job").get(pk=started.pk)


def week_lines(pupil, school, codes: str, start: datetime.date = FIRST_MONDAY) -> list[str]:
    """CSV rows: ``codes`` is AM/PM pairs for consecutive weekdays from ``start``."""
    lines, day = [], start
    for i in range(0, len(codes), 2):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        for session, code in zip(("AM", "PM"), codes[i:i + 2], strict=True):
            lines.append(f"{pupil.upn},{school.urn},{day.isoformat()},{session},{code}")
        day += datetime.timedelta(days=1)
    return lines
