"""Object-level rules for case work, on top of the role capabilities in schools.roles and the row scope in
schools.scoping. A case a user cannot see answers 404 (the selectors); one they can see but not change answers 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from schools.roles import Capability, Role

#: Roles that work every case; officers work the cases allocated to them.
CASE_SUPERVISORS = frozenset({Role.LA_ADMIN, Role.LA_MANAGER})


def can_work_case(user, case) -> bool:
    if not (user and user.is_authenticated and user.can(Capability.WORK_CASES)):
        return False
    if case.is_closed:
        return False
    return user.role in CASE_SUPERVISORS or case.officer_id == user.pk


def require_work_case(user, case) -> None:
    if not can_work_case(user, case):
        raise PermissionDenied("Only the allocated officer or a manager can change this case.")


def can_edit_entry(user, entry, case) -> bool:
    """Authors correct their own entries; managers any. Service-written events are never edited."""
    if entry.entry_type == "event" or not can_work_case(user, case):
        return False
    return user.role in CASE_SUPERVISORS or entry.created_by_id == user.pk
