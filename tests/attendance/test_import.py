"""Importing register marks: counts, corrections, idempotence, bad rows under both policies, scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schools.attendance.services import attendance_import_start
from schools.models import AttendanceImport, AttendanceMarkChange, AttendanceSummary, Job
from tests.attendance.marks import stored_mark_count

pytestmark = pytest.mark.django_db
D = datetime.date
HEADER = "upn,school,date,session,code,minutes_late,comment\n"


def _csv(lines: list[str]) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def _import(user, content: bytes, *, bad_rows="keep_good", capture) -> AttendanceImport:
    upload = SimpleUploadedFile("marks.csv", content, content_type="text/csv")
    with capture(execute=True):
        started = attendance_import_start(user=user, uploaded_file=upload, kind="csv", bad_rows=bad_rows)
    return AttendanceImport.objects.select_related("job").get(pk=started.pk)


FIRST_MONDAY = D(2025, 9, 8)


def _week(world, upn_pupil, school, codes: str, start=FIRST_MONDAY) -> list[str]:
    """One row per session: codes is a string of AM/PM pairs for consecutive weekdays."""
    lines, day = [], start
    for i in range(0, len(codes), 2):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        for session, code in zip(("AM", "PM"), codes[i:i + 2], strict=True):
            lines.append(f"{upn_pupil.upn},{school.urn},{day.isoformat()},{session},{code},,")
        day += datetime.timedelta(days=1)
    return lines


def test_import_writes_marks_and_summaries(world, terms, django_capture_on_commit_callbacks):
    lines = _week(world, world.pupil_a, world.school_a, "/\\/\\NN/\\/\\")
    result = _import(world.users["la_officer"], _csv(lines), capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.SUCCEEDED, result.job.message
    assert (result.rows_read, result.marks_written, result.marks_changed, result.rows_rejected) == (10, 10, 0, 0)
    year = AttendanceSummary.objects.get(enrolment__pupil=world.pupil_a, term__isnull=True)
    assert (year.possible, year.present, year.unauthorised, year.pn_sessions) == (10, 8, 2, 2)
    assert year.is_persistent  # 2 of 10 = 20%


def test_reimporting_the_same_file_changes_nothing(world, terms, django_capture_on_commit_callbacks):
    content = _csv(_week(world, world.pupil_a, world.school_a, "/\\/\\/\\/\\/\\"))
    _import(world.users["la_officer"], content, capture=django_capture_on_commit_callbacks)
    again = _import(world.users["la_officer"], content, capture=django_capture_on_commit_callbacks)
    assert (again.marks_written, again.marks_changed, again.marks_unchanged) == (0, 0, 10)
    assert stored_mark_count() == 10


def test_a_later_file_corrects_marks_and_the_change_is_recorded(world, terms, django_capture_on_commit_callbacks):
    _import(world.users["la_officer"], _csv(_week(world, world.pupil_a, world.school_a, "/\\/\\/\\/\\/\\")),
            capture=django_capture_on_commit_callbacks)
    fix = _import(world.users["la_officer"], _csv(_week(world, world.pupil_a, world.school_a, "NN")),
                  capture=django_capture_on_commit_callbacks)
    assert (fix.marks_written, fix.marks_changed) == (0, 2)
    change = AttendanceMarkChange.objects.order_by("session").first()
    assert (change.old_code, change.new_code, change.source_id) == ("/", "N", fix.pk)
    year = AttendanceSummary.objects.get(enrolment__pupil=world.pupil_a, term__isnull=True)
    assert (year.present, year.unauthorised) == (8, 2)


BAD_ROWS = {
    "unknown code": "{upn},{urn},2025-09-08,AM,ZZ,,",
    "unknown upn": "A999999999999,{urn},2025-09-08,AM,/,,",
    "unknown school": "{upn},999999,2025-09-08,AM,/,,",
    "outside terms": "{upn},{urn},2025-08-20,AM,/,,",
    "weekend": "{upn},{urn},2025-09-13,AM,/,,",
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_bad_rows_are_reported_and_good_rows_kept(world, terms, kind, django_capture_on_commit_callbacks):
    good = _week(world, world.pupil_a, world.school_a, "/\\")
    bad = BAD_ROWS[kind].format(upn=world.pupil_a.upn, urn=world.school_a.urn)
    result = _import(world.users["la_officer"], _csv([*good, bad]), capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.SUCCEEDED
    assert (result.marks_written, result.rows_rejected) == (2, 1)
    report = result.issues_file.read().decode("utf-8-sig")
    assert "marks.csv,4," in report  # file and line of the bad row


def test_reject_whole_file_policy_writes_nothing(world, terms, django_capture_on_commit_callbacks):
    good = _week(world, world.pupil_a, world.school_a, "/\\/\\")
    bad = BAD_ROWS["unknown code"].format(upn=world.pupil_a.upn, urn=world.school_a.urn)
    result = _import(world.users["la_officer"], _csv([*good, bad]), bad_rows="reject_file",
                     capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.FAILED
    assert "Nothing was imported" in result.job.message
    assert stored_mark_count() == 0
    assert result.issues_file


def test_a_different_header_is_one_clear_issue(world, terms, django_capture_on_commit_callbacks):
    result = _import(world.users["la_officer"], b"pupil,when,mark\nx,y,z\n", capture=django_capture_on_commit_callbacks)
    report = result.issues_file.read().decode("utf-8-sig")
    assert "upn,school,date,session,code" in report
    assert stored_mark_count() == 0


def test_a_school_user_cannot_import_for_another_school(world, terms, django_capture_on_commit_callbacks):
    rows = _week(world, world.pupil_b, world.school_b, "/\\")
    result = _import(world.users["school_a"], _csv(rows), capture=django_capture_on_commit_callbacks)
    assert result.marks_written == 0 and result.rows_rejected == 2
    assert "your own school" in result.issues_file.read().decode("utf-8-sig")


def test_mid_year_move_gives_two_enrolments_their_own_summaries(world, terms, django_capture_on_commit_callbacks):
    """moved left A on 20 Jul 2024 and joined B: marks at A in 2025 are not on A's roll; at B they are."""
    at_b = _week(world, world.moved, world.school_b, "/\\NN")
    at_a = _week(world, world.moved, world.school_a, "/\\")
    result = _import(world.users["la_officer"], _csv([*at_b, *at_a]), capture=django_capture_on_commit_callbacks)
    assert (result.marks_written, result.rows_rejected) == (4, 2)
    summary = AttendanceSummary.objects.get(enrolment__school=world.school_b, enrolment__pupil=world.moved,
                                            term__isnull=True)
    assert (summary.possible, summary.unauthorised) == (4, 2)


@pytest.mark.parametrize("slice_weeks", [250_000, 3, 1])
def test_summaries_kept_up_by_imports_match_a_full_recompute(world, terms, django_capture_on_commit_callbacks,
                                                            monkeypatch, slice_weeks):
    """Imports add their changes to the summaries (attendance_engine.apply_deltas); after new weeks, corrections
    (present to absent and back), a second term, a second pupil, a file across two terms and a file that adds to
    some summaries and creates others, the summaries are what rebuilding them from the week rows gives, however many
    weeks the writer merges at a time."""
    from schools.attendance import engine as attendance_engine
    from schools.attendance import writer as attendance_writer

    monkeypatch.setattr(attendance_writer, "WRITE_SLICE", slice_weeks)

    officer = world.users["la_officer"]
    files = [
        _week(world, world.pupil_a, world.school_a, "/\\/\\NN/\\/\\"),
        _week(world, world.pupil_a, world.school_a, "NNLL"),  # corrects Monday and Tuesday
        _week(world, world.pupil_a, world.school_a, "/\\", start=D(2025, 9, 15)),
        _week(world, world.pupil_a, world.school_a, "/\\I\\", start=D(2026, 1, 5)),  # spring term
        _week(world, world.moved, world.school_b, "/\\GG", start=D(2025, 9, 8)),
        _week(world, world.pupil_a, world.school_a, "/\\"),  # and back again
        # One file across two terms for one pupil (the year's change is the sum of both terms' changes), beside a
        # pupil with one term's marks in it.
        [*_week(world, world.pupil_a, world.school_a, "/\\NN", start=D(2025, 12, 15)),
         *_week(world, world.pupil_a, world.school_a, "N\\", start=D(2026, 1, 19)),
         *_week(world, world.moved, world.school_b, "/\\", start=D(2025, 12, 15))],
        # One file for two pupils, one whose spring summaries exist and one whose do not yet (only some are added
        # to; the rest are created).
        [*_week(world, world.pupil_a, world.school_a, "/\\N\\", start=D(2026, 1, 12)),
         *_week(world, world.moved, world.school_b, "/\\OO", start=D(2026, 1, 12))],
    ]
    for lines in files:
        _import(officer, _csv(lines), capture=django_capture_on_commit_callbacks)
    fields = ["enrolment_id", "academic_year_id", "term_id", "possible", "present", "aea", "authorised",
              "unauthorised", "not_counted", "late", "pn_sessions", "is_persistent", "is_severe"]
    kept = sorted(AttendanceSummary.objects.values_list(*fields), key=str)
    attendance_engine.recompute_all()
    assert kept == sorted(AttendanceSummary.objects.values_list(*fields), key=str)
    assert len(kept) == 6  # pupil_a: autumn, spring and the year; the moved pupil at school B: both terms and the year


def test_an_upload_over_the_size_limit_is_refused_at_the_field_and_nothing_saved(world, terms, client, settings):
    """The limit (ATTENDANCE_UPLOAD_MAX_MB, 100 MB by default) is set low here so a 2 MB file stands for a large one."""
    from django.urls import reverse

    settings.ATTENDANCE_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("marks.csv", HEADER.encode() + b"x" * (2 * 1024 * 1024), content_type="text/csv")
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("attendance_import_list"), {"file": big, "kind": "csv", "bad_rows": "keep_good"})
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert not AttendanceImport.objects.exists() and not Job.objects.exists()


def test_a_full_recompute_repairs_summaries_that_are_wrong_missing_or_left_over(
        world, terms, django_capture_on_commit_callbacks):
    """The nightly rebuild writes only what differs from the marks: here a changed count, a wrong flag, a deleted row
    and a row with no marks behind it are each put right, and the rest left as they were."""
    from schools.attendance import engine as attendance_engine
    from schools.models import Term

    officer = world.users["la_officer"]
    for lines in [_week(world, world.pupil_a, world.school_a, "/\\/\\NN/\\/\\"),
                  _week(world, world.pupil_a, world.school_a, "/\\I\\", start=D(2026, 1, 5)),
                  _week(world, world.moved, world.school_b, "/\\GG", start=D(2025, 9, 8))]:
        _import(officer, _csv(lines), capture=django_capture_on_commit_callbacks)
    fields = ["enrolment_id", "academic_year_id", "term_id", "possible", "present", "aea", "authorised",
              "unauthorised", "not_counted", "late", "pn_sessions", "is_persistent", "is_severe"]
    right = sorted(AttendanceSummary.objects.values_list(*fields), key=str)
    term_rows = AttendanceSummary.objects.filter(term__isnull=False).order_by("pk")
    AttendanceSummary.objects.filter(pk=term_rows[0].pk).update(present=99, possible=1)
    AttendanceSummary.objects.filter(pk=term_rows[1].pk).update(is_persistent=True, is_severe=True)
    AttendanceSummary.objects.filter(term__isnull=True).order_by("pk").first().delete()
    left_over = AttendanceSummary.objects.get(pk=term_rows[2].pk)
    AttendanceSummary.objects.create(**{name: getattr(left_over, name) for name in fields if name != "term_id"},
                                     term=Term.objects.filter(academic_year_id=left_over.academic_year_id)
                                     .exclude(pk__in=AttendanceSummary.objects.filter(
                                         enrolment_id=left_over.enrolment_id, term__isnull=False).values("term"))
                                     .first())
    attendance_engine.recompute_all()
    assert sorted(AttendanceSummary.objects.values_list(*fields), key=str) == right


def _valid_unknown_upn(body: str = "845200100017") -> str:
    from schools.validators import upn_check_letter

    return upn_check_letter(body) + body


@pytest.mark.parametrize("kind", ["valid UPN nobody has", "leaver after leaving", "mark before admission"])
@pytest.mark.parametrize("writer_path", ["chunks", "rows"])
def test_rows_no_enrolment_covers_are_bad_rows_on_a_day_good_rows_use(
        world, terms, kind, writer_path, django_capture_on_commit_callbacks, monkeypatch):
    """Keep the good rows: a well-formed row whose pupil the LA does not have, or who was not on that school's roll
    that day, on a school and day that good rows also use, is a reported bad row (line, field, value, reason) and
    every good row is imported. ``rows`` reads through the line reader (the path a CTF and held marks take)."""
    from schools.attendance.imports import marks_fast
    from tests.factories import EnrolmentFactory, PupilFactory

    if writer_path == "rows":
        monkeypatch.setattr(marks_fast, "open_fast", lambda path, name: None)
    day = "2025-09-08"
    if kind == "valid UPN nobody has":
        bad = f"{_valid_unknown_upn()},{world.school_a.urn},{day},AM,N,,"
    elif kind == "leaver after leaving":
        leaver = PupilFactory(upn=_valid_unknown_upn("845200100018"))
        EnrolmentFactory(pupil=leaver, school=world.school_a, start_date=D(2021, 9, 1), end_date=D(2025, 7, 22))
        bad = f"{leaver.upn},{world.school_a.urn},{day},AM,N,,"
    else:
        joiner = PupilFactory(upn=_valid_unknown_upn("845200100019"))
        EnrolmentFactory(pupil=joiner, school=world.school_a, start_date=D(2025, 9, 15))
        bad = f"{joiner.upn},{world.school_a.urn},{day},AM,N,,"
    good = _week(world, world.pupil_a, world.school_a, "/\\/\\")  # Monday 8 and Tuesday 9 September at school A
    result = _import(world.users["la_officer"], _csv([good[0], bad, *good[1:]]),
                     capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.SUCCEEDED, result.job.message
    assert (result.marks_written, result.rows_rejected) == (4, 1)
    assert stored_mark_count() == 4
    report = result.issues_file.read().decode("utf-8-sig")
    field = "upn" if kind == "valid UPN nobody has" else "date"
    assert f"marks.csv,3,{field}," in report, report


@pytest.mark.parametrize("writer_path", ["chunks", "rows"])
def test_identical_repeated_lines_are_kept_once_silently(world, terms, writer_path, django_capture_on_commit_callbacks,
                                                        monkeypatch, client):
    from django.urls import reverse

    from schools.attendance.imports import marks_fast

    if writer_path == "rows":
        monkeypatch.setattr(marks_fast, "open_fast", lambda path, name: None)
    good = _week(world, world.pupil_a, world.school_a, "/\\/\\")
    result = _import(world.users["la_officer"], _csv([*good, good[0], good[2]]),
                     capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.SUCCEEDED, result.job.message
    assert (result.rows_read, result.marks_written, result.rows_rejected) == (6, 4, 0)
    assert not result.issues_file
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("attendance_import_detail", args=[result.pk])).content.decode()
    assert "no row had a problem" in page and "error report" not in page.lower()


def test_adding_to_the_summaries_leaves_the_planner_settings_as_it_found_them():
    """PostgreSQL: apply_deltas turns hash and merge joins off for its own statements only (transaction-local), and
    puts back what the transaction had, so whatever the import runs afterwards is planned as usual."""
    from django.db import connection, transaction

    from schools.attendance import engine as attendance_engine

    if connection.vendor != "postgresql":
        pytest.skip("the settings are PostgreSQL's planner's")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_mergejoin = off")  # something the transaction set before: kept
        attendance_engine.create_delta_table(cursor)
        attendance_engine.apply_deltas()
        cursor.execute("SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin')")
        assert cursor.fetchone() == ("on", "off")


@pytest.mark.parametrize(("codes", "weeks", "by_week"), [
    ("/\\/\\", [FIRST_MONDAY], True),  # a day's or a week's registers, over weeks already stored
    ("/\\/\\", [FIRST_MONDAY, D(2025, 9, 15), D(2025, 9, 22)], False),  # three weeks: a range of the primary key
])
def test_stored_weeks_of_a_day_are_read_by_week_and_the_settings_put_back(
        world, terms, django_capture_on_commit_callbacks, codes, weeks, by_week):
    """PostgreSQL: a file of one or two weeks reads and updates its stored weeks with plain index scans off (the
    week_start index finds one week's rows; a range of the primary key would walk every week its enrolments have),
    a longer file as the planner chooses; JIT is off for the whole write; and every setting is put back after."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the settings are PostgreSQL's planner's")
    officer = world.users["la_officer"]
    lines = [line for monday in weeks for line in _week(world, world.pupil_a, world.school_a, codes, start=monday)]
    _import(officer, _csv(lines), capture=django_capture_on_commit_callbacks)  # the weeks now exist
    seen: list[tuple[str, str, str]] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('jit')")
        before = cursor.fetchone()

    def record(execute, sql, params, many, context):
        if sql.startswith(("SELECT string_agg", "UPDATE schools_attendanceweek")) and "week_start" in sql:
            with connection.connection.cursor() as raw:  # the same session, past Django's wrappers
                raw.execute("SELECT current_setting('enable_indexscan'), current_setting('jit')")
                seen.append((sql.split()[0], *raw.fetchone()))
        return execute(sql, params, many, context)

    changed = [line.replace(",/,", ",N,") for line in lines]
    with connection.execute_wrapper(record):
        _import(officer, _csv(changed), capture=django_capture_on_commit_callbacks)
    indexscan = "off" if by_week else before[0]
    assert sorted(set(seen)) == [("SELECT", indexscan, "off"), ("UPDATE", indexscan, "off")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('jit')")
        assert cursor.fetchone() == before


def test_a_statement_failing_under_planner_settings_raises_its_own_error():
    """PostgreSQL: when a statement inside planner_settings aborts the transaction, the error raised is that
    statement's (here division by zero), not the aborted transaction's refusal of the statement that puts the settings
    back; and settings put back after a Python error leave the transaction as it was."""
    from django.db import DataError, connection, transaction

    from schools.attendance import engine as attendance_engine

    if connection.vendor != "postgresql":
        pytest.skip("the settings are PostgreSQL's planner's")
    with pytest.raises(DataError, match="division by zero"), transaction.atomic(), connection.cursor() as cursor:
        with attendance_engine.planner_settings(enable_indexscan="off"):
            cursor.execute("SELECT 1 / 0")
    with transaction.atomic(), connection.cursor() as cursor:
        with pytest.raises(ValueError), attendance_engine.planner_settings(enable_indexscan="off"):
            raise ValueError("not the database's")
        cursor.execute("SELECT current_setting('enable_indexscan')")
        assert cursor.fetchone() == ("on",)
