"""Shared fixtures: a small LA with two schools, a pupil at each, a family spanning both, and a user per role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine

from schools.models import Pupil, School, User
from schools.roles import Role
from tests.factories import (
    CarerFactory,
    EnrolmentFactory,
    FamilyFactory,
    LocalAuthorityFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

# The fixtures describe the 2026/27 autumn term as it stood on this day (a Monday); every test runs on this clock so
# "overdue", "due soon" and "year to date" mean the same whenever the suite runs. The clock ticks on from here.
TEST_TODAY = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True, scope="session")
def _fixed_clock():
    with time_machine.travel(TEST_TODAY, tick=True):
        yield


@dataclass
class World:
    school_a: School
    school_b: School
    pupil_a: Pupil  # on school A's roll now
    pupil_b: Pupil  # on school B's roll now, sibling of pupil_a
    moved: Pupil  # was at A, now at B: A still sees them (history), B sees them too
    users: dict[str, User]


@pytest.fixture
def world(db) -> World:
    LocalAuthorityFactory()
    school_a = SchoolFactory(name="Alpha Primary")
    school_b = SchoolFactory(name="Beta Academy", phase=School.Phase.SECONDARY)
    family = FamilyFactory(name="Sibling family")
    CarerFactory(family=family, full_name="Pat Parent", is_main_contact=True)
    pupil_a = PupilFactory(legal_first_name="Amy", legal_last_name="Able", family=family)
    pupil_b = PupilFactory(legal_first_name="Ben", legal_last_name="Able", family=family,
                           date_of_birth=datetime.date(2012, 1, 5))
    moved = PupilFactory(legal_first_name="Mo", legal_last_name="Mover")
    EnrolmentFactory(pupil=pupil_a, school=school_a)
    EnrolmentFactory(pupil=pupil_b, school=school_b, nc_year=9)
    EnrolmentFactory(pupil=moved, school=school_a, start_date=datetime.date(2022, 9, 1),
                     end_date=datetime.date(2024, 7, 20))
    EnrolmentFactory(pupil=moved, school=school_b, start_date=datetime.date(2024, 9, 2), nc_year=7)
    users = {role: UserFactory(username=role, role=role) for role in Role.values if role != Role.SCHOOL_USER}
    users[Role.LA_ADMIN].is_staff = users[Role.LA_ADMIN].is_superuser = True
    users[Role.LA_ADMIN].save()
    users["school_a"] = UserFactory(username="school_a", role=Role.SCHOOL_USER, schools=[school_a])
    users["school_b"] = UserFactory(username="school_b", role=Role.SCHOOL_USER, schools=[school_b])
    return World(school_a, school_b, pupil_a, pupil_b, moved, users)


@pytest.fixture
def client_for(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """The in-memory cache holds API throttle counts (schools.accounts.api): cleared per test, as the database is
    rolled back, so one test's requests never throttle another's. A shared cache (REDIS_CACHE_URL) is left alone."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_process_unless_live(request):
    """Unit tests run Celery tasks in-process; tests marked live_services use the real broker and a worker."""
    from config.celery import app

    eager = request.node.get_closest_marker("live_services") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager or not app.conf.broker_url
    yield
    app.conf.task_always_eager = previous
