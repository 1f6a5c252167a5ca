"""Cases (issue 4): rows of the permission matrix for URLs added since the area's first build, merged by
tests/test_permission_matrix.py (the earlier case rows are in that file). Targets: ``case_targets``
(tests/cases/fixtures.py), school B's open case allocated to la_officer."""

from __future__ import annotations

from tests.matrix_support import AUDITORS, statuses

ROWS: dict = {
    # The target case is open, so a manager is sent back to it; reopening a closed one is in tests/cases/test_reopen.
    "cases:reopen": ("case", statuses(ok=AUDITORS, ok_status=302, forbidden=["la_officer", "legal_officer", "school_a",
                                                                             "school_b"])),
}
