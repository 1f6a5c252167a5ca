"""Object-level rules for case work, on top of the role capabilities in schools.roles and the row scope in
schools.scoping. A case a user cannot see answers 404 (the selectors); one they can see but not change answers 403.

The row rule (issue 4, "officers edit cases allocated to them or their team; managers all"): an LA officer works the
cases allocated to them or to another member of their team (cases.models.Team); LA managers and admins work every
case. Nobody works a closed case until a manager reopens it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from schools.roles import Capability, Role

#: Roles that work every case; officers work the cases allocated to them or to their team.
CASE_SUPERVISORS = frozenset({Role.LA_ADMIN, Role.LA_MANAGER})


def team_officer_ids(user) -> frozenset[int]:
    """The officers whose cases ``user`` works as a team member: themselves and their team's other members.

    Worked out once per user object (one query) and kept on it, so a page checking many rows (tasks, entries) does
    not query per row. Request users are fresh on every request, so a change of team shows on the next page.
    """
    cached = getattr(user, "_team_officer_ids", None)
    if cached is None:
        from cases.models import TeamMember

        their_team = TeamMember.objects.filter(officer_id=user.pk).values("team_id")
        cached = frozenset(TeamMember.objects.filter(team_id__in=their_team).values_list("officer_id", flat=True))
        cached |= {user.pk}
        user._team_officer_ids = cached
    return cached


def can_work_case(user, case) -> bool:
    if not (user and user.is_authenticated and user.can(Capability.WORK_CASES)):
        return False
    if case.is_closed:
        return False
    if user.role in CASE_SUPERVISORS:
        return True
    return case.officer_id is not None and case.officer_id in team_officer_ids(user)


def require_work_case(user, case) -> None:
    if not can_work_case(user, case):
        raise PermissionDenied("Only the allocated officer, a member of their team or a manager can change this case.")


def can_reopen_case(user, case) -> bool:
    """Managers reopen closed cases (with a reason); officers ask a manager."""
    return bool(user and user.is_authenticated and case.is_closed and user.can(Capability.TRIAGE_REFERRALS))


def can_edit_entry(user, entry, case) -> bool:
    """Authors correct their own entries; managers any. Service-written events are never edited."""
    if entry.entry_type == "event" or not can_work_case(user, case):
        return False
    return user.role in CASE_SUPERVISORS or entry.created_by_id == user.pk
