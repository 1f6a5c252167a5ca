"""Upgrading a database that holds marks one row per session (schools 0005) to week rows (0006) keeps every mark."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from schools.attendance.weeks import decode

BEFORE = [("schools", "0005_exclusion_followups")]
AFTER = [("schools", "0006_attendance_weeks")]
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_marks_become_week_rows_with_their_counts():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    year = old.get_model("schools", "AcademicYear").objects.create(name="2025/26", start_date=D(2025, 9, 1),
                                                                     end_date=D(2026, 8, 31))
    term = old.get_model("schools", "Term").objects.create(academic_year=year, name="autumn", start_date=D(2025, 9, 3),
                                                           end_date=D(2025, 12, 19))
    school = old.get_model("schools", "School").objects.create(urn="114580", laestab="8454012", name="A",
                                                               phase="primary", school_type="academy")
    pupil = old.get_model("schools", "Pupil").objects.create(upn="B845244825448", legal_first_name="A",
                                                             legal_last_name="B", date_of_birth=D(2015, 1, 1))
    enrolment = old.get_model("schools", "Enrolment").objects.create(pupil=pupil, school=school,
                                                                     start_date=D(2025, 9, 1), nc_year=5)
    Mark = old.get_model("schools", "AttendanceMark")
    monday = D(2025, 9, 8)
    rows = [  # Monday present then late (12 minutes), Wednesday AM unauthorised, Friday a planned closure then
        # authorised absence (these are 2025 marks, so C is authorised leave)
        (monday, 0, "/", "present", False, False, None),
        (monday, 1, "L", "present", False, True, 12),
        (monday + datetime.timedelta(days=2), 0, "N", "unauthorised", False, False, None),
        (monday + datetime.timedelta(days=4), 0, "#", "not_counted", False, False, None),
        (monday + datetime.timedelta(days=4), 1, "C", "authorised", False, False, None),
    ]
    Mark.objects.bulk_create([Mark(enrolment=enrolment, date=day, session=session, code=code, category=category,
                                   counts_pn=pn, is_late=late, minutes_late=minutes, week_start=monday,
                                   academic_year=year, term=term) for day, session, code, category, pn, late, minutes
                              in rows])
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    week = new.get_model("schools", "AttendanceWeek").objects.get()
    assert week.marks == "/ L ----N ------# C "
    assert (week.possible, week.present, week.unauthorised, week.authorised, week.not_counted, week.late,
            week.sessions) == (4, 2, 1, 1, 1, 1, 4)
    assert [(m.date, m.session, m.code) for m in decode(week.enrolment_id, week.week_start, week.marks)] == [
        (day, session, code) for day, session, code, *_ in rows]
    detail = new.get_model("schools", "AttendanceMarkDetail").objects.get()
    assert (detail.date, detail.session, detail.minutes_late) == (monday, 1, 12)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
