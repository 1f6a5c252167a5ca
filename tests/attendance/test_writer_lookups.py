"""The register writer's reads at LA scale (schools.attendance.writer): a whole LA's file reads every pupil's UPNs
and every enrolment in one go (one text value on PostgreSQL) instead of asking for each; both ways resolve the same
rows to the same pupils, former UPNs included, and refuse the same unknown UPN."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from schools.attendance import writer
from schools.models import AttendanceWeek, Pupil
from tests.attendance.ctf_support import import_csv, week_lines
from tests.factories import spare_upn

pytestmark = pytest.mark.django_db


# How the file is cut into chunks: at once, about a line a chunk, or the header and the first line (29 and 37 bytes)
# and then the rest, as every file's small first chunk is read (at 64 bytes that chunk would be the header alone).
CHUNKINGS = pytest.mark.parametrize("chunking", ["one", "lines", "first line"],
                                    ids=["one chunk", "a line a chunk", "a first line, then the rest"])


def read_in_chunks(monkeypatch, chunking: str) -> None:
    from schools.attendance.imports import marks_fast

    if chunking == "lines":
        monkeypatch.setattr(marks_fast, "CHUNK_BYTES", 64)
    elif chunking == "first line":
        monkeypatch.setattr(marks_fast, "FIRST_CHUNK_BYTES", 100)


def test_a_query_comes_back_as_typed_columns_with_its_nulls(world):
    Pupil.objects.filter(pk=world.pupil_a.pk).update(former_upn=spare_upn(990_001))
    frame = writer.query_frame(
        f"SELECT p.id, p.upn, p.former_upn, e.start_date, e.end_date FROM {Pupil._meta.db_table} p "
        f"JOIN schools_enrolment e ON e.pupil_id = p.id WHERE p.id IN (%s, %s) ORDER BY p.id",
        (world.pupil_a.pk, world.pupil_b.pk),
        {"id": pl.Int64, "upn": pl.String, "former_upn": pl.String, "start_date": pl.Date, "end_date": pl.Date})
    rows = {row["id"]: row for row in frame.iter_rows(named=True)}
    assert rows[world.pupil_a.pk]["former_upn"] == spare_upn(990_001)
    assert rows[world.pupil_b.pk]["upn"] == world.pupil_b.upn
    assert rows[world.pupil_b.pk]["former_upn"] in (None, "")  # no former UPN: NULL, or the empty default
    assert all(isinstance(row["start_date"], datetime.date) for row in rows.values())
    empty = writer.query_frame(f"SELECT id FROM {Pupil._meta.db_table} WHERE id < 0", (), {"id": pl.Int64})
    assert empty.is_empty() and empty.schema == {"id": pl.Int64}


@CHUNKINGS
@pytest.mark.parametrize("whole_table", [False, True], ids=["value by value", "whole tables"])
def test_both_ways_resolve_the_same_pupils(world, terms, monkeypatch, django_capture_on_commit_callbacks,
                                           whole_table, chunking):
    """Pupils and enrolments are looked up for each chunk's own rows (nothing per pupil is kept across chunks), so a
    file read a line at a time, or a small first chunk and then the rest (as every file is read), must resolve
    exactly as one read at once."""
    if whole_table:
        monkeypatch.setattr(writer, "WHOLE_TABLE_FROM", 0)  # every file counts as a whole LA's
    read_in_chunks(monkeypatch, chunking)
    former = spare_upn(990_002)  # Amy's UPN before her school corrected it
    Pupil.objects.filter(pk=world.pupil_a.pk).update(former_upn=former)
    unknown = spare_upn(990_003)  # a well-formed UPN (its check letter is right) that no pupil has
    lines = week_lines(world.pupil_b, world.school_b, "/\\" * 5)
    lines += [line.replace(world.pupil_a.upn, former) for line in week_lines(world.pupil_a, world.school_a, "NN")]
    lines += [f"{unknown},{world.school_a.urn},2025-09-09,AM,/"]
    result = import_csv(world.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert result.job.status == "succeeded", result.job.message
    assert (result.marks_written, result.rows_rejected) == (12, 1)
    weeks = dict(AttendanceWeek.objects.values_list("enrolment__pupil_id", "marks"))
    assert weeks[world.pupil_a.pk].startswith("N N ") and weeks[world.pupil_b.pk].startswith("/ \\ / \\ ")
    issues = result.issues_file.read().decode("utf-8-sig")
    assert unknown in issues and "No pupil with this UPN is known to the authority." in issues


def test_a_stray_comma_or_line_break_in_a_value_shifts_no_column(world):
    """A former UPN written straight to the database, past its validator: the whole-table read keeps it whole."""
    Pupil.objects.filter(pk=world.pupil_a.pk).update(former_upn="A1,2\n3")
    frame = writer.query_frame(f"SELECT id, former_upn FROM {Pupil._meta.db_table} WHERE id IN (%s, %s) ORDER BY id",
                               (world.pupil_a.pk, world.pupil_b.pk), {"id": pl.Int64, "former_upn": pl.String})
    assert frame.height == 2
    assert dict(frame.iter_rows())[world.pupil_a.pk] == "A1,2\n3"


@CHUNKINGS
def test_a_pupil_who_left_and_came_back_gets_each_mark_on_the_enrolment_of_its_day(
        world, terms, monkeypatch, django_capture_on_commit_callbacks, chunking):
    """Two enrolments at one school: each row goes to the enrolment covering its date, and a day between them is
    refused as not on roll, whether the rows arrive together, a line at a time or a first line and then the rest."""
    from tests.factories import EnrolmentFactory, PupilFactory

    read_in_chunks(monkeypatch, chunking)
    returner = PupilFactory(legal_first_name="Rae", legal_last_name="Returner")
    first = EnrolmentFactory(pupil=returner, school=world.school_a, start_date=datetime.date(2025, 9, 1),
                             end_date=datetime.date(2025, 10, 10))
    second = EnrolmentFactory(pupil=returner, school=world.school_a, start_date=datetime.date(2025, 11, 3))
    urn = world.school_a.urn
    lines = [f"{returner.upn},{urn},2025-09-09,AM,/", f"{returner.upn},{urn},2025-10-14,AM,/",
             f"{returner.upn},{urn},2025-11-04,AM,N"]
    result = import_csv(world.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert result.job.status == "succeeded", result.job.message
    assert (result.marks_written, result.rows_rejected) == (2, 1)
    weeks = dict(AttendanceWeek.objects.filter(enrolment__pupil=returner).values_list("enrolment_id", "marks"))
    assert weeks[first.pk][4:6] == "/ " and weeks[second.pk][4:6] == "N "  # Tuesday AM: slot 2, two characters a slot
    issues = result.issues_file.read().decode("utf-8-sig")
    assert "2025-10-14" in issues and "was not on Alpha Primary's roll on this date" in issues


def test_a_value_over_a_line_break_many_chunks_in_hands_the_file_to_the_line_reader(
        world, terms, monkeypatch, caplog, django_capture_on_commit_callbacks):
    """The vectorised reader reads the next chunk in a second thread while the import resolves this one
    (marks_fast.read_ahead). A problem only the line reader handles, found there on the file's last line (a comment
    quoted over a line break), still reaches the import, which reads the whole file again line by line: every mark
    is written once and the comment is kept whole."""
    import logging

    from django.core.files.uploadedfile import SimpleUploadedFile

    from schools.attendance.imports import marks_fast
    from schools.attendance.services import attendance_import_start
    from schools.models import AttendanceImport, AttendanceMarkDetail

    monkeypatch.setattr(marks_fast, "CHUNK_BYTES", 64)  # about a line per chunk: the last line is chunks in
    lines = [f"{line},," for line in week_lines(world.pupil_b, world.school_b, "/\\" * 5)]
    lines[-1] += '"Left at 2pm:\nappointment"'
    content = ("upn,school,date,session,code,minutes_late,comment\n" + "\n".join(lines) + "\n").encode()
    services_log = logging.getLogger("schools.attendance.services")  # the settings stop it propagating to the root
    services_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger=services_log.name), \
                django_capture_on_commit_callbacks(execute=True):
            started = attendance_import_start(user=world.users["la_officer"], kind="csv", bad_rows="keep_good",
                                              uploaded_file=SimpleUploadedFile("marks.csv", content, "text/csv"))
    finally:
        services_log.removeHandler(caplog.handler)
    result = AttendanceImport.objects.select_related("job").get(pk=started.pk)
    assert result.job.status == "succeeded", result.job.message
    assert "read line by line" in caplog.text
    assert (result.rows_read, result.marks_written, result.rows_rejected) == (10, 10, 0), result.issues_file.read()
    assert AttendanceWeek.objects.get(enrolment__pupil=world.pupil_b).marks.startswith("/ \\ / \\ / \\ / \\ / \\ ")
    assert list(AttendanceMarkDetail.objects.values_list("comment", flat=True)) == ["Left at 2pm:\nappointment"]
