"""Duplicate pupils (issue 21): this area's rows of the permission matrix, merged by test_permission_matrix.py.

Reviewing duplicates and merging records is LA editors' work (EDIT_PUPILS: admin, manager, officer): legal officers
and school users get 403 before any pupil is looked up. "Not the same child" and "Undo merge" are POST only.
"""

from __future__ import annotations

import pytest

from schools.duplicates import services
from tests.factories import PupilFactory
from tests.matrix_support import EDITORS, statuses

NOT_EDITORS = ["legal_officer", "school_a", "school_b"]

ROWS: dict = {
    "duplicates:list": (None, statuses(ok=EDITORS, forbidden=NOT_EDITORS)),
    "duplicates:dismiss": (None, statuses(ok=(), others=405)),
    "duplicates:pupil": ("pupil", statuses(ok=EDITORS, forbidden=NOT_EDITORS)),
    "duplicates:merge": ("pupil", statuses(ok=EDITORS, forbidden=NOT_EDITORS)),
    "duplicates:merges": (None, statuses(ok=EDITORS, forbidden=NOT_EDITORS)),
    "duplicates:merge_detail": ("pupil_merge", statuses(ok=EDITORS, forbidden=NOT_EDITORS)),
    "duplicates:merge_undo": ("pupil_merge", statuses(ok=(), others=405)),
    # The API (schools/duplicates/api.py): the same roles; POST-only actions answer a GET from an editor with 405.
    "api-duplicate-list": (None, statuses(ok=EDITORS, forbidden=NOT_EDITORS, anonymous=401)),
    "api-duplicate-preview": (None, statuses(ok=EDITORS, ok_status=400, forbidden=NOT_EDITORS, anonymous=401)),
    "api-duplicate-dismiss": (None, statuses(ok=EDITORS, ok_status=405, forbidden=NOT_EDITORS, anonymous=401)),
    "api-duplicate-merge": (None, statuses(ok=EDITORS, ok_status=405, forbidden=NOT_EDITORS, anonymous=401)),
    "api-pupil-merge-list": (None, statuses(ok=EDITORS, forbidden=NOT_EDITORS, anonymous=401)),
    "api-pupil-merge-detail": ("pupil_merge", statuses(ok=EDITORS, forbidden=NOT_EDITORS, anonymous=401)),
    "api-pupil-merge-undo": ("pupil_merge", statuses(ok=EDITORS, ok_status=405, forbidden=NOT_EDITORS,
                                                     anonymous=401)),
}
KWARG_NAMES: dict = {"pupil_merge": "pk"}


@pytest.fixture
def duplicates_targets(world) -> dict:
    """A second record of pupil B's, merged into pupil B. It holds nothing to move: an enrolment moved onto pupil B
    would change what the other areas' rows see."""
    second = PupilFactory(legal_first_name=world.pupil_b.legal_first_name, legal_last_name="Abel",
                          date_of_birth=world.pupil_b.date_of_birth)
    merge = services.pupil_merge(user=world.users["la_manager"], keep=world.pupil_b, remove=second,
                                 reason="The school confirmed it added Ben twice.")
    return {"pupil_merge": merge.pk}
