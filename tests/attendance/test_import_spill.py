"""A large file's partial weeks go to disk in runs of enrolments (writer.SPILL_FROM_WEEKS) so an LA-wide year keeps
memory flat. Forced here on small files, one line per chunk and one enrolment per run, the spilled path must give
exactly what the in-memory path gives: marks, corrections, duplicates left out and reported, and summaries equal to
a full recompute."""

from __future__ import annotations

import datetime

import pytest

from schools.models import AttendanceMarkChange, AttendanceSummary, Job
from tests.attendance.marks import stored_mark_count
from tests.attendance.test_import import _csv, _import, _week

pytestmark = pytest.mark.django_db
D = datetime.date
SUMMARY_FIELDS = ["enrolment_id", "academic_year_id", "term_id", "possible", "present", "aea", "authorised",
                  "unauthorised", "not_counted", "late", "pn_sessions", "is_persistent", "is_severe"]


@pytest.fixture(params=["in memory", "spilled"])
def spill(request, monkeypatch):
    from schools.attendance import writer
    from schools.attendance.imports import marks_fast

    if request.param == "spilled":
        monkeypatch.setattr(writer, "SPILL_FROM_WEEKS", 1)
        monkeypatch.setattr(writer, "SPILL_BUCKET_BITS", 0)  # every enrolment its own run
        monkeypatch.setattr(marks_fast, "CHUNK_BYTES", 64)  # about a line per chunk: many partials per week
    return request.param


def test_a_year_of_files_gives_the_same_marks_and_summaries_either_way(world, terms, spill,
                                                                      django_capture_on_commit_callbacks):
    from schools.attendance import engine as attendance_engine

    officer = world.users["la_officer"]
    first = _import(officer, _csv([*_week(world, world.pupil_a, world.school_a, "/\\/\\NN/\\/\\"),
                                   *_week(world, world.moved, world.school_b, "/\\GG", start=D(2025, 9, 8)),
                                   *_week(world, world.pupil_a, world.school_a, "/\\I\\", start=D(2026, 1, 5))]),
                    capture=django_capture_on_commit_callbacks)
    assert first.job.status == Job.Status.SUCCEEDED, first.job.message
    assert (first.rows_read, first.marks_written, first.rows_rejected) == (18, 18, 0)
    correction = _import(officer, _csv(_week(world, world.pupil_a, world.school_a, "NNLL")),
                         capture=django_capture_on_commit_callbacks)
    assert (correction.marks_written, correction.marks_changed, correction.marks_unchanged) == (0, 4, 0)
    assert AttendanceMarkChange.objects.count() == 4
    assert stored_mark_count() == 18
    year = AttendanceSummary.objects.get(enrolment__pupil=world.pupil_a, term__isnull=True)
    # Autumn week: N N L L N N / \ / \ (4 unauthorised, 2 late counted present); spring: / \ I \ (1 authorised).
    assert (year.possible, year.present, year.unauthorised, year.authorised, year.late) == (14, 9, 4, 1, 2)
    kept = sorted(AttendanceSummary.objects.values_list(*SUMMARY_FIELDS), key=str)
    attendance_engine.recompute_all()
    assert kept == sorted(AttendanceSummary.objects.values_list(*SUMMARY_FIELDS), key=str)


def test_two_lines_for_one_session_that_disagree_are_both_left_out_and_reported(
        world, terms, spill, django_capture_on_commit_callbacks):
    good = _week(world, world.pupil_a, world.school_a, "/\\/\\")
    other = _week(world, world.moved, world.school_b, "/\\")
    clash = good[0].replace(",AM,/,", ",AM,N,")
    result = _import(world.users["la_officer"], _csv([*good, *other, clash, good[1]]),
                     capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.SUCCEEDED, result.job.message
    # Monday AM is given twice with different codes: both lines out (2 rejected); the repeated Monday PM is kept
    # once silently; the other pupil's week is untouched.
    assert (result.rows_read, result.marks_written, result.rows_rejected) == (8, 5, 2)
    assert stored_mark_count() == 5
    report = result.issues_file.read().decode("utf-8-sig")
    assert "marks.csv,8," in report, report
