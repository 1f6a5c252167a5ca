"""Security (issue 9): this area's rows of the permission matrix, merged by test_permission_matrix.py.

The code step of sign-in and turning two-factor off have nothing to show without a pending sign-in or a device, so
they send every role on (302); set-up is for LA roles only. Council sign-in's rows are explained below.
"""

from __future__ import annotations

from tests.matrix_support import LA, statuses

ROWS: dict = {
    "login_code": (None, statuses(ok=(), others=302, anonymous=302)),
    "account": (None, statuses()),
    "password_change": (None, statuses()),
    "two_factor_setup": (None, statuses(ok=LA, forbidden=["school_a", "school_b"])),
    "two_factor_remove": (None, statuses(ok=(), others=302)),
    "api_token_revoke": (None, statuses(ok=(), others=405)),  # POST only; the revoke itself: tests/accounts
    "api_token_issue": (None, statuses(ok=(), others=405)),  # POST only: tests/accounts/test_council_sign_in.py
    # Council sign-in is not configured here: its two addresses are not found for anyone (configured, they are
    # tested against a real provider in tests/accounts/test_council_sign_in.py). The refused page with no refusal
    # in the session sends everyone to sign in.
    "oidc_sign_in": (None, statuses(ok=(), others=404, anonymous=404)),
    "oidc_callback": (None, statuses(ok=(), others=404, anonymous=404)),
    "sign_in_refused": (None, statuses(ok=(), others=302, anonymous=302)),
}
