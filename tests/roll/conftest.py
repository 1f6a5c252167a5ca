"""Roll notification tests: the 2026/27 calendar of the exclusion tests (autumn 2 September to 18 December 2026, half
term 26-30 October) and helpers to send notices. "Today" is Monday 23 November 2026 (tests/conftest.py)."""

from __future__ import annotations

import datetime

import pytest

from schools.models import Term
from schools.roll import services
from tests.exclusions.fixtures import build_calendar
from tests.factories import spare_upn

D = datetime.date


@pytest.fixture
def calendar(world):
    if not Term.objects.exists():
        build_calendar(world)
    return world


@pytest.fixture
def send(calendar):
    """Send a notice as school B's lead (pupil_b's details) unless told otherwise."""

    def make(kind="deletion", user=None, school=None, **overrides):
        pupil = overrides.pop("pupil", calendar.pupil_b)
        fields = {"upn": pupil.upn, "first_name": pupil.legal_first_name, "last_name": pupil.legal_last_name,
                  "date_of_birth": pupil.date_of_birth, "event_date": D(2026, 11, 20)}
        if kind == "deletion":
            fields["ground"] = "f"
        fields.update(overrides)
        return services.notification_submit(user=user or calendar.users["school_b"], kind=kind,
                                            school=school or calendar.school_b, **fields)

    return make


@pytest.fixture
def new_upn():
    counter = iter(range(900, 999))
    return lambda: spare_upn(next(counter))
