"""The dashboards, their sections, the drill-down lists and the report list cost the same number of queries however
many pupils, marks, exclusions and cases there are: every figure is one GROUP BY or aggregate."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services as case_services
from schools.exclusions import services as exclusions
from tests.factories import EnrolmentFactory, PupilFactory
from tests.reporting.conftest import write

pytestmark = pytest.mark.django_db
D = datetime.date

PAGES = [
    ("reporting:dashboard", {}, {}),
    ("reporting:section", {"slug": "attendance"}, {}),
    ("reporting:section", {"slug": "suspensions-and-exclusions"}, {}),
    ("reporting:section", {"slug": "legal"}, {}),
    ("reporting:section", {"slug": "casework"}, {}),
    ("reporting:section", {"slug": "day-6-and-provision"}, {}),
    ("reporting:drill_absence", {}, {"show": "all", "dimension": "sen", "group": "none"}),
    ("reporting:drill_exclusions", {}, {"dimension": "phase", "group": "secondary"}),
    ("reporting:report_list", {}, {}),
]


def _counts(client, user) -> dict:
    client.force_login(user)
    result = {}
    for name, kwargs, params in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name, kwargs=kwargs or None), params)
        assert response.status_code == 200, name
        result[f"{name} {kwargs}"] = len(queries)
    return result


def _grow(report_world, n: int = 6) -> None:
    """More pupils at both schools, each with marks, a suspension and a case."""
    world = report_world.world
    for index in range(n):
        school = world.school_a if index % 2 else world.school_b
        pupil = PupilFactory(sex="M" if index % 3 else "F", sen_status="K" if index % 2 else "N")
        enrolment = EnrolmentFactory(pupil=pupil, school=school, nc_year=9 if school == world.school_b else 5)
        write(enrolment, report_world.this_autumn, "/" * 16 + "NNII")
        write(enrolment, report_world.last_autumn, "/" * 20)
        lead = world.users["school_b" if school == world.school_b else "school_a"]
        exclusions.exclusion_record(user=lead, pupil=pupil, school=school, kind="suspension",
                                    start_date=D(2026, 10, 13) + datetime.timedelta(days=index % 3),
                                    length_sessions=2, reasons=["DB"])
        case_services.case_open(user=world.users["la_manager"], pupil=pupil, case_type="attendance",
                                officer=world.users["la_officer"], summary="More absence.", opened_on=D(2026, 10, 1))


@pytest.mark.parametrize("role", ["la_manager", "la_officer", "school_b"])
def test_query_counts_do_not_grow_with_the_records(report_world, client, role):
    before = _counts(client, report_world.users[role])
    _grow(report_world)
    after = _counts(client, report_world.users[role])
    assert after == before
    assert max(before.values()) <= 80
