"""A hand-checked calendar for the exclusion tests: the LA's 2025/26 terms and the 2026/27 autumn term (for a year
end), an LA INSET day, and an INSET day of Alpha Primary's own (world.school_a)."""

from __future__ import annotations

import datetime

import pytest

from schools.exclusions import services
from tests.exclusions.fixtures import build_calendar

D = datetime.date


@pytest.fixture
def calendar(world):
    build_calendar(world)
    return world


@pytest.fixture
def record(calendar):
    """Record an exclusion as school_a's lead, with sensible defaults."""

    def make(**overrides):
        fields = {"user": calendar.users["school_a"], "pupil": calendar.pupil_a, "school": calendar.school_a,
                  "kind": "suspension", "start_date": D(2025, 11, 3), "start_session": "am", "length_sessions": 2,
                  "reasons": ["PA"]}
        fields.update(overrides)
        return services.exclusion_record(**fields)

    return make


#: The tests' "today": statuses (missed, due soon), day counts and "not in the future" checks are worked out from it.
TODAY = D(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
