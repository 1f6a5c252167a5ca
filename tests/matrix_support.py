"""The roles the permission matrix walks and the helper that spells out the status each expects."""

from __future__ import annotations

ROLES = ["la_admin", "la_manager", "la_officer", "legal_officer", "school_a", "school_b", "anonymous"]
LA = ["la_admin", "la_manager", "la_officer", "legal_officer"]
EDITORS = ["la_admin", "la_manager", "la_officer"]
AUDITORS = ["la_admin", "la_manager"]


def statuses(ok=ROLES[:-1], *, ok_status=200, forbidden=(), not_found=(), anonymous=302, others=None):
    """Expected status per role: ok roles get ok_status, listed roles 403/404, anonymous 302 (page) or 401 (API)."""
    result = {}
    for role in ROLES[:-1]:
        if role in ok:
            result[role] = ok_status
        elif role in forbidden:
            result[role] = 403
        elif role in not_found:
            result[role] = 404
        else:
            result[role] = others
    result["anonymous"] = anonymous
    return result
