"""Reads of early-warning alerts. Every selector takes the user and starts from ``Alert.objects.visible_to(user)``
(schools.scoping through cases.models.AlertQuerySet): a school user reaches the alerts about its own pupils raised at
its own school, and anything else is a 404."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404

from cases.models import Alert, AlertRule, Case, Team
from schools.roles import Role


def alert_list(*, user):
    """The alerts the user may see, with what a row shows joined (one query a page) and the pupil's latest open case
    the user may see (the row's next step: the case if there is one, else the pupil)."""
    cases = Case.objects.visible_to(user).open().filter(pupil=OuterRef("pupil_id")).order_by("-opened_on", "-pk")
    alerts = Alert.objects.visible_to(user)
    if user.role == Role.SCHOOL_USER:
        # The scope above already limits a school user to their schools' alerts, through a subquery PostgreSQL cannot
        # estimate, so it joined every alert in the LA before filtering (65 ms at 50,000 pupils). The same schools
        # as literal ids let it read just theirs from alert_school_idx (4 ms); the rows are the same.
        alerts = alerts.filter(school_id__in=list(user.schools.values_list("pk", flat=True)))
    return (alerts.select_related("rule", "pupil", "school", "assigned_to", "team", "done_by")
            .annotate(case_pk=Subquery(cases.values("pk")[:1])))


def alert_get(*, user, pk: int) -> Alert:
    return get_object_or_404(alert_list(user=user), pk=pk)


def user_team_ids(user) -> list[int]:
    """The teams whose inbox is the user's: an officer's own team, the teams a manager manages."""
    if not (user and user.is_authenticated):
        return []
    return list(Team.objects.filter(Q(memberships__officer_id=user.pk) | Q(manager_id=user.pk))
                .order_by("pk").values_list("pk", flat=True).distinct())


def open_alert_count(*, user) -> int:
    """My work's figure: alerts to do that are the user's (assigned to them), or, for a school user, every alert to do
    about their pupils."""
    alerts = Alert.objects.visible_to(user).to_do()
    if user.role != Role.SCHOOL_USER:
        alerts = alerts.filter(assigned_to=user)
    return alerts.count()


def active_rules():
    return AlertRule.objects.filter(active=True).order_by("name")
