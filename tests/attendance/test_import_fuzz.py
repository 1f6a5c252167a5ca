"""The register writer fuzzed, not only its parsers: random mixes of good rows with every kind of bad row, in a
"keep the good rows" import, on the database the suite runs on (SQLite, and PostgreSQL in CI). Whatever the mix, the
import succeeds, every good row's mark is stored, every bad row is reported (and counted) and nothing else is."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schools.attendance.services import attendance_import_start
from schools.models import AttendanceImport, AttendanceSummary, AttendanceWeek, Job
from schools.validators import upn_check_letter
from tests.attendance.marks import stored_mark_count
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = "upn,school,date,session,code,minutes_late,comment\n"
SCHOOL_DAYS = [day for day in (D(2025, 9, 8) + datetime.timedelta(days=n) for n in range(12)) if day.weekday() < 5]
GOOD_CODES = ["/", "\\", "N", "L", "I", "G", "M", "U"]


def _upn(body: str) -> str:
    return upn_check_letter(body) + body


@pytest.fixture
def cast(world, terms):
    leaver = PupilFactory(upn=_upn("845200100018"))
    EnrolmentFactory(pupil=leaver, school=world.school_a, start_date=D(2021, 9, 1), end_date=D(2025, 7, 22))
    joiner = PupilFactory(upn=_upn("845200100019"))
    EnrolmentFactory(pupil=joiner, school=world.school_a, start_date=D(2025, 9, 22))
    return {"pupil": world.pupil_a.upn, "urn": world.school_a.urn, "leaver": leaver.upn, "joiner": joiner.upn,
            "stranger": _upn("845200100017")}


# Each bad kind is a row that passes the parser (right shape, valid check letter) and fails a later check.
BAD_KINDS = {
    "valid UPN nobody has": lambda c, day, s: f"{c['stranger']},{c['urn']},{day},{s},N,,",
    "leaver after leaving": lambda c, day, s: f"{c['leaver']},{c['urn']},{day},{s},N,,",
    "mark before admission": lambda c, day, s: f"{c['joiner']},{c['urn']},{day},{s},N,,",
    "school not in the authority": lambda c, day, s: f"{c['pupil']},999998,{day},{s},N,,",
    "half term": lambda c, day, s: f"{c['pupil']},{c['urn']},2025-10-29,{s},N,,",
    "weekend": lambda c, day, s: f"{c['pupil']},{c['urn']},2025-09-13,{s},N,,",
    "unknown code": lambda c, day, s: f"{c['pupil']},{c['urn']},{day},{s},ZZ,,",
    "wrong check letter": lambda c, day, s: f"A{c['stranger'][1:]},{c['urn']},{day},{s},N,,",
}

rows = st.lists(st.one_of(
    st.tuples(st.just("good"), st.sampled_from(SCHOOL_DAYS), st.sampled_from(["AM", "PM"]),
              st.sampled_from(GOOD_CODES)),
    st.tuples(st.sampled_from(sorted(BAD_KINDS)), st.sampled_from(SCHOOL_DAYS), st.sampled_from(["AM", "PM"]),
              st.just("")),
), min_size=1, max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(mix=rows, repeat_first=st.booleans())
def test_good_rows_in_bad_rows_reported_no_exception(world, cast, mix, repeat_first,
                                                      django_capture_on_commit_callbacks):
    AttendanceWeek.objects.all().delete()
    AttendanceSummary.objects.all().delete()
    lines, bad_lines, sessions = [], set(), {}
    for kind, day, session, code in mix:
        line_number = len(lines) + 2  # the header is line 1
        if kind == "good":
            lines.append(f"{cast['pupil']},{cast['urn']},{day.isoformat()},{session},{code},,")
            sessions.setdefault((day, session), []).append((line_number, code))
        else:
            lines.append(BAD_KINDS[kind](cast, day.isoformat(), session))
            bad_lines.add(line_number)
    if repeat_first:
        lines.append(lines[0])  # an identical repeat is kept once, silently
        if mix[0][0] == "good":
            sessions[(mix[0][1], mix[0][2])].append((len(lines) + 1, mix[0][3]))
        else:
            bad_lines.add(len(lines) + 1)
    kept = {key for key, marks in sessions.items() if len({code for _, code in marks}) == 1}
    conflicting = {line for key, marks in sessions.items() if key not in kept for line, _ in marks}
    upload = SimpleUploadedFile("fuzz.csv", (HEADER + "\n".join(lines) + "\n").encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        started = attendance_import_start(user=world.users["la_officer"], uploaded_file=upload, kind="csv",
                                          bad_rows="keep_good")
    result = AttendanceImport.objects.select_related("job").get(pk=started.pk)
    assert result.job.status == Job.Status.SUCCEEDED, result.job.message
    assert stored_mark_count() == result.marks_written == len(kept)
    assert result.rows_rejected == len(bad_lines | conflicting)
    if bad_lines | conflicting:
        report = result.issues_file.read().decode("utf-8-sig")
        assert all(f"fuzz.csv,{line}," in report for line in bad_lines | conflicting)
    else:
        assert not result.issues_file
