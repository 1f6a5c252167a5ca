"""A pupil (world.pupil_b) with something in every area: the fixtures the permission matrix builds on school B's side
(cases with a restricted entry and attachments, exclusions and provision, legal records, a register, traded
bookings), plus a traded booking naming the pupil."""

from __future__ import annotations

import pytest

from interventions.models import Booking, BookingPupil
from tests.attendance.fixtures import attendance_targets  # noqa: F401  (fixtures used below)
from tests.cases.fixtures import case_targets, cases_world  # noqa: F401
from tests.exclusions.fixtures import exclusion_targets  # noqa: F401
from tests.legal.matrix import legal_targets  # noqa: F401
from tests.traded.matrix import traded_targets  # noqa: F401


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Exports, attachments and their deletion happen in a folder of this test's own.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def full_record(world, cases_world, exclusion_targets, legal_targets, traded_targets,  # noqa: F811
                attendance_targets):  # noqa: F811
    booking = Booking.objects.get(pk=traded_targets["traded_booking_confirmed"])
    BookingPupil.objects.create(booking=booking, pupil=world.pupil_b)
    return {"cases": cases_world, "booking": booking, **exclusion_targets, **legal_targets}
