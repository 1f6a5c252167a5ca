"""Attendance on case pages comes from the attendance engine through cases.selectors.attendance_figures: the pupil's
and siblings' figures for the year to date, and the TSM pack's persistently and severely absent pupils."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.selectors import attendance_figures
from schools.models import AttendanceSummary, Enrolment
from schools.stages import Stage
from tests.factories import AcademicYearFactory, EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _summary(pupil, school, *, possible, present, authorised=0, unauthorised=0):
    enrolment = Enrolment.objects.get(pupil=pupil, school=school, end_date__isnull=True)
    return AttendanceSummary.objects.create(enrolment=enrolment, academic_year=AcademicYearFactory(), term=None,
                                            possible=possible, present=present, authorised=authorised,
                                            unauthorised=unauthorised)


@pytest.fixture
def marks(cases_world, world):
    _summary(world.pupil_b, world.school_b, possible=200, present=140, authorised=20, unauthorised=40)  # 70%: PA
    _summary(world.pupil_a, world.school_a, possible=200, present=190, authorised=10)  # 95%
    severe = PupilFactory(legal_first_name="Sam", legal_last_name="Severe")
    EnrolmentFactory(pupil=severe, school=world.school_b)
    _summary(severe, world.school_b, possible=200, present=80, unauthorised=120)  # 40%: SA, no case
    return severe


def test_figures_are_scoped_and_flag_pa_and_sa(marks, world):
    officer = world.users["la_officer"]
    figures = attendance_figures(user=officer, pupil_ids=[world.pupil_a.pk, world.pupil_b.pk, marks.pk])
    assert {pk: str(f.percent) for pk, f in figures.items()} == {
        world.pupil_a.pk: "95.0", world.pupil_b.pk: "70.0", marks.pk: "40.0"}
    b = figures[world.pupil_b.pk]
    assert (b.persistent, b.severe, b.suggested_stage) == (True, False, Stage.TARGETED_SUPPORT)
    assert figures[world.pupil_a.pk].suggested_stage == Stage.PREVENTION
    assert b.period == "2026/27 year to date"
    # A school reads its own registers only.
    school_a = attendance_figures(user=world.users["school_a"], pupil_ids=[world.pupil_a.pk, world.pupil_b.pk])
    assert set(school_a) == {world.pupil_a.pk}
    pa_at_b = attendance_figures(user=officer, school=world.school_b)
    assert set(pa_at_b) == {world.pupil_b.pk, marks.pk} and pa_at_b[marks.pk].severe


def test_case_page_shows_the_pupils_and_siblings_attendance(marks, cases_world, world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:detail", args=[cases_world.case_a.pk])).content.decode()
    assert "95.0%" in page and "70.0%" in page  # Amy's own, and her brother Ben's at another school
    page_b = client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).content.decode()
    assert "Persistent absence" in page_b and "suggests stage 3: targeted support" in page_b
    client.force_login(world.users["school_a"])
    school_view = client.get(reverse("cases:detail", args=[cases_world.case_a.pk])).content.decode()
    assert "95.0%" in school_view and "70.0%" not in school_view


def test_tsm_pack_lists_the_schools_pa_and_sa_pupils(marks, cases_world, world, client, monkeypatch):
    rendered = []
    monkeypatch.setattr("cases.views.html_to_pdf", lambda html: rendered.append(html) or b"%PDF-")
    client.force_login(world.users["school_b"])
    client.get(reverse("cases:tsm_pack", args=[cases_world.tsm_b.pk]))
    html = rendered[0]
    assert "Severe, Sam" in html and "40.0% (SA)" in html and "No open case" in html
    assert "70.0% (PA)" in html and cases_world.case_b.reference in html
    assert "2026/27 year to date" in html


def test_tsm_pack_says_how_fresh_the_schools_registers_are(marks, cases_world, world, client, monkeypatch):
    """The pack's figures rest on the school's registers: it says the last day received and, when the school is
    behind (schools.attendance.freshness: three school days), that the figures may be out of date. On Monday 23
    November 2026 with registers last on Monday 16th: Tuesday 17th to Friday 20th, four school days."""
    import datetime

    import time_machine

    from schools.models import AcademicYear, SchoolRegisterStatus, Term

    D = datetime.date
    year = AcademicYear.objects.filter(start_date__lte=D(2026, 11, 23), end_date__gte=D(2026, 11, 23)).first() \
        or AcademicYear.objects.create(name="2026/27", start_date=D(2026, 9, 1), end_date=D(2027, 8, 31))
    Term.objects.create(academic_year=year, name="autumn", start_date=D(2026, 9, 3), end_date=D(2026, 12, 18))
    SchoolRegisterStatus.objects.create(school=world.school_b, last_register_date=D(2026, 11, 16))
    rendered = []
    monkeypatch.setattr("cases.views.html_to_pdf", lambda html: rendered.append(html) or b"%PDF-")
    client.force_login(world.users["school_b"])
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, tzinfo=datetime.UTC), tick=False):
        client.get(reverse("cases:tsm_pack", args=[cases_world.tsm_b.pk]))
    assert ("Registers: the last day received is Monday 16 November 2026, 4 school days without registers since"
            in rendered[0])
    assert "The figures below may be out of date" in rendered[0]
