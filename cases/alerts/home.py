"""The home page's early-warning panel (schools.home, ``home`` step): the alerts waiting for the user, each count a
link to the alert list filtered to them."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse

from cases.alerts.selectors import user_team_ids
from cases.models import Alert
from schools.roles import Role


def panel(user, today: datetime.date):
    from schools.home import Item, Panel

    url = reverse("cases:alerts")
    alerts = Alert.objects.visible_to(user).to_do()
    if user.role == Role.SCHOOL_USER:
        return Panel("Early-warning alerts", [Item("About your pupils, to deal with", alerts.count(), url,
                                                   urgent=True)], order=25)
    if user.role == Role.LEGAL_OFFICER:
        return None  # legal officers read alerts; they do not deal with them
    items = [Item("Assigned to you", alerts.filter(assigned_to=user).count(), f"{url}?assigned=me", urgent=True)]
    teams = user_team_ids(user)
    if teams:
        team = alerts.filter(Q(team_id__in=teams) | Q(assigned_to__team_membership__team_id__in=teams)).count()
        items.append(Item("Your team's (its inbox and its officers')", team, f"{url}?assigned=team"))
    return Panel("Early-warning alerts", items, order=25)
