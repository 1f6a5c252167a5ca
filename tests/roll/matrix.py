"""Roll notifications (issue 21): this area's rows of the permission matrix, merged by test_permission_matrix.py.

The target is school B's deletion notice about pupil_b, so school A must get 404. Schools and LA editors send notices
(SEND_ROLL_NOTIFICATIONS: not legal officers); LA editors match and triage (TRIAGE_ROLL_NOTIFICATIONS)."""

from __future__ import annotations

import datetime

import pytest

from schools.models import Term
from schools.roll import services
from tests.exclusions.fixtures import build_calendar
from tests.matrix_support import EDITORS, LA, statuses

SENDERS = [*EDITORS, "school_a", "school_b"]

ROWS: dict = {
    "roll:list": (None, statuses()),
    "roll:admission_new": (None, statuses(ok=SENDERS, forbidden=["legal_officer"])),
    "roll:deletion_new": (None, statuses(ok=SENDERS, forbidden=["legal_officer"])),
    "roll:upload": (None, statuses(ok=SENDERS, forbidden=["legal_officer"])),
    "roll:upload_template": (None, statuses(ok=SENDERS, forbidden=["legal_officer"])),
    "roll:overdue": (None, statuses()),
    "roll:missing": (None, statuses()),
    "roll:pupil": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "roll:detail": ("roll_notice", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "roll:match": ("roll_notice", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "roll:triage": ("roll_notice", statuses(ok=(), others=405)),  # POST only: tests/roll/test_pages.py
    "api-roll-notification-list": (None, statuses(anonymous=401)),
    "api-roll-notification-detail": ("roll_notice", statuses(ok=[*LA, "school_b"], not_found=["school_a"],
                                                             anonymous=401)),
    "api-roll-notification-triage": ("roll_notice", statuses(ok=(), others=405, anonymous=401)),
}
KWARG_NAMES: dict = {"roll_notice": "pk"}


@pytest.fixture
def roll_targets(world) -> dict:
    if not Term.objects.exists():
        build_calendar(world)
    pupil = world.pupil_b
    notice = services.notification_submit(
        user=world.users["school_b"], school=world.school_b, kind="deletion", upn=pupil.upn,
        first_name=pupil.legal_first_name, last_name=pupil.legal_last_name, date_of_birth=pupil.date_of_birth,
        event_date=datetime.date(2026, 11, 20), ground="g")
    return {"roll_notice": notice.pk}
