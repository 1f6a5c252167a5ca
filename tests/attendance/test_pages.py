"""Attendance pages: figures shown with their period, scope per role, drill-down, exports, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.models import Enrolment
from tests.attendance.marks import store_marks
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD = {"start": "2025-09-01", "end": "2025-12-19"}


def _fill(enrolment, term, code_for_day, days=25):
    """Marks on the first `days` school days from 8 Sep 2025 (half term skipped)."""
    rows, day, written = [], D(2025, 9, 8), 0
    while written < days:
        if day.weekday() < 5 and not (D(2025, 10, 27) <= day <= D(2025, 10, 31)):
            rows += [(day, session, code_for_day(written, session)) for session in (0, 1)]
            written += 1
        day += datetime.timedelta(days=1)
    store_marks(enrolment, term, rows)


@pytest.fixture
def registers(world, terms):
    autumn = terms["autumn"]
    # pupil_a at A: absent (N) every afternoon → 50% absence, severe, and past the PN threshold.
    _fill(Enrolment.objects.get(pupil=world.pupil_a), autumn, lambda i, s: "N" if s else "/")
    # pupil_b at B: always present.
    _fill(Enrolment.objects.get(pupil=world.pupil_b), autumn, lambda i, s: "/")
    return terms


def test_pupil_tab_shows_figures_register_and_chart(world, registers, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("pupil_attendance", args=[world.pupil_a.pk]), PERIOD).content.decode()
    assert "Figures for: 01 September 2025 to 19 December 2025" in page
    assert 'data-testid="attendance-rate">50.0%' in page
    assert "Severe" in page and "Targeted support" in page
    assert 'data-testid="register"' in page and "<svg" in page


def test_school_page_lists_pa_pupils_and_exports_them(world, registers, client):
    client.force_login(world.users["school_a"])
    url = reverse("school_attendance", args=[world.school_a.urn])
    page = client.get(url, {**PERIOD, "show": "sa"}).content.decode()
    assert 'data-testid="overall-absence">50.0%' in page
    assert reverse("pupil_attendance", args=[world.pupil_a.pk]) in page
    csv_text = client.get(url, {**PERIOD, "show": "pa", "format": "csv"}).content.decode("utf-8-sig")
    assert world.pupil_a.upn in csv_text and "Period: 01 September 2025 to 19 December 2025" in csv_text
    assert client.get(reverse("school_attendance", args=[world.school_b.urn]), PERIOD).status_code == 404


def test_la_overview_is_scoped_and_groups(world, registers, client):
    client.force_login(world.users["la_manager"])
    for group in ("school", "phase", "partnership"):
        page = client.get(reverse("attendance_overview"), {**PERIOD, "group": group}).content.decode()
        assert 'data-testid="overview-table"' in page
    page = client.get(reverse("attendance_overview"), PERIOD).content.decode()
    assert world.school_a.name in page and world.school_b.name in page
    assert 'data-testid="overall-absence">25.0%' in page  # 25 absent of 100 possible across both pupils
    client.force_login(world.users["school_b"])
    page = client.get(reverse("attendance_overview"), PERIOD).content.decode()
    assert world.school_a.name not in page and 'data-testid="overall-absence">0.0%' in page


def test_penalty_notice_list_shows_sessions_and_respects_scope(world, registers, client):
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("pn_threshold_list"), {**PERIOD, "enrolment": enrolment.pk}).content.decode()
    assert "1 pupil met the threshold" in page and "Sessions that met the threshold" in page
    client.force_login(world.users["school_b"])
    page = client.get(reverse("pn_threshold_list"), PERIOD).content.decode()
    assert "0 pupils met the threshold" in page
    assert client.get(reverse("pn_threshold_list"), {"school": world.school_a.urn}).status_code == 404


@pytest.mark.parametrize("name, arg", [("school_attendance", "school"), ("pupil_attendance", "pupil"),
                                       ("attendance_overview", None), ("pn_threshold_list", None)])
def test_query_counts_do_not_grow_with_pupils(world, registers, client, name, arg):
    client.force_login(world.users["la_officer"])
    args = {"school": [world.school_a.urn], "pupil": [world.pupil_a.pk], None: None}[arg]
    url = reverse(name, args=args)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {**PERIOD, "show": "all"}).status_code == 200
        return len(captured)

    if name == "pn_threshold_list":
        client.get(url, {**PERIOD, "show": "all"})  # the worklist's run is made on first request, then kept
    before = count()
    for _ in range(5):
        enrolment = EnrolmentFactory(pupil=PupilFactory(), school=world.school_a)
        _fill(enrolment, registers["autumn"], lambda i, s: "G")
    if name == "pn_threshold_list":  # marks written outside an import: bring the kept run up to date by hand
        from schools.attendance import threshold

        threshold.refresh_schools([world.school_a.pk])
    assert count() == before
