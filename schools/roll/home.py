"""The home page's roll notifications panel (a ``home`` step, schools.common.providers): the LA's triage queue; a
school's pupils who left or joined with no notice. Each count is one query on the list it links to."""

from __future__ import annotations

from django.urls import reverse

from schools.home import Item, Panel
from schools.roles import Capability
from schools.roll import selectors


def panel(user, today) -> Panel | None:
    if not (user.is_la_staff or user.can(Capability.SEND_ROLL_NOTIFICATIONS)):
        return None
    url = reverse("roll:list")
    if user.is_la_staff:
        waiting = selectors.notification_list(user=user).to_triage().count()
        items = [Item("Roll notifications to triage", waiting, url, urgent=True),
                 Item("Roll notifications overdue by school", None, reverse("roll:overdue"))]
    else:
        left = selectors.deletions_without_notice(user=user, on=today).count()
        joined = selectors.admissions_without_notice(user=user, on=today).count()
        missing = reverse("roll:missing")
        items = [Item("Pupils who left with no deletion notice to the LA", left, f"{missing}?kind=deletion",
                      urgent=True),
                 Item("Pupils who joined with no admission notice to the LA", joined, f"{missing}?kind=admission",
                      urgent=True),
                 Item("Notices sent to the LA", None, url)]
    return Panel("Roll notifications", items, order=22)
