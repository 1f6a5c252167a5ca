"""Exclusions and provision (issue 5): rows of the permission matrix for URLs added since the area's first build,
merged by tests/test_permission_matrix.py (the earlier rows are in that file). Targets: ``exclusion_targets``
(tests/exclusions/fixtures.py), school B's records for pupil_b."""

from __future__ import annotations

from tests.matrix_support import statuses

ROWS: dict = {
    # POST-only actions (GET is not allowed); their writes and scoping are in tests/exclusions/test_api_actions.py.
    "api-exclusion-cancel": ("exclusion", statuses(ok=(), others=405, anonymous=401)),
    "api-exclusion-review": ("exclusion", statuses(ok=(), others=405, anonymous=401)),
    "api-exclusion-reintegration": ("exclusion", statuses(ok=(), others=405, anonymous=401)),
    "api-part-time-timetable-review": ("part_time", statuses(ok=(), others=405, anonymous=401)),
    "api-managed-move-outcome": ("managed_move", statuses(ok=(), others=405, anonymous=401)),
    # Scoped to the exclusions the user may see (tests/exclusions/test_api_actions.py).
    "api-exclusion-reminders": (None, statuses(anonymous=401)),
    # Without ?pupil= the request is incomplete (400) for everyone signed in; scoping by pupil is tested alongside.
    "api-exclusion-suspension-days": (None, statuses(ok=(), others=400, anonymous=401)),
}
