"""Cases (issue 4): rows of the permission matrix for URLs added since the area's first build, merged by
tests/test_permission_matrix.py (the earlier case rows are in that file). Targets: ``case_targets``
(tests/cases/fixtures.py), school B's open case allocated to la_officer."""

from __future__ import annotations

from tests.matrix_support import AUDITORS, LA, statuses

KWARG_NAMES = {"early_warning_alert": "pk"}

ROWS: dict = {
    # The target case is open, so a manager is sent back to it; reopening a closed one is in tests/cases/test_reopen.
    "cases:reopen": ("case", statuses(ok=AUDITORS, ok_status=302, forbidden=["la_officer", "legal_officer", "school_a",
                                                                             "school_b"])),
    # Early-warning alerts (issue 15): every role has the list (a school its own pupils' alerts); the target alert is
    # about school B's pupil. Marking it dealt with is a POST on the same URL (tests/cases/test_alerts_pages.py).
    "cases:alerts": (None, statuses()),
    "cases:alert_detail": ("early_warning_alert", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
}
