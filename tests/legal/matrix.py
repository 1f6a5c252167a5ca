"""Legal interventions (issue 6): this area's rows of the permission matrix, merged by test_permission_matrix.py.

ROWS: URL name -> (target key or None, expected statuses per role); KWARG_NAMES: target key -> URL kwarg name;
``legal_targets``: the objects the rows point at, all on school B's side so school A must get 404.
"""

from __future__ import annotations

import pytest

from tests.matrix_support import AUDITORS, EDITORS, LA, statuses  # noqa: F401  (for the rows below)

ROWS: dict = {}
KWARG_NAMES: dict = {}


@pytest.fixture
def legal_targets(world) -> dict:
    return {}
