"""The home page's casework panel (schools.home, ``home`` step): the user's cases, reviews and tasks, and for those
who triage, the referrals waiting and the officers over their caseload limit; for a school user, their referrals.
Each count is one query through the user's scope and links to the page where the work is done."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases.models import Case, Referral, Task
from cases.selectors import officer_caseloads, referral_list
from schools.roles import Capability, Role


def panel(user, today: datetime.date):
    from schools.home import Item, Panel

    my_work = reverse("cases:my_work")
    if user.role == Role.SCHOOL_USER:
        referrals = referral_list(user=user)
        return Panel("Referrals and cases", [
            Item("Your referrals waiting for the LA's decision", referrals.filter(
                status=Referral.Status.SUBMITTED).count(), my_work),
            Item("Open cases for your pupils", Case.objects.visible_to(user).open().count(), my_work),
        ], order=15)
    if not user.can(Capability.WORK_CASES):
        return None
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    mine = Case.objects.visible_to(user).open().filter(officer=user)
    items = [
        Item("Your open cases", mine.count(), my_work),
        Item("Your case reviews due this week or overdue",
             mine.filter(status=Case.Status.OPEN, next_review_due__lte=week_end).count(), my_work, urgent=True),
        Item("Your tasks overdue", Task.objects.visible_to(user).open().filter(assigned_to=user, due_date__lt=today)
             .exclude(case__status=Case.Status.CLOSED).count(), my_work, urgent=True),
    ]
    if user.can(Capability.TRIAGE_REFERRALS):
        team = reverse("cases:team")
        items += [
            Item("Referrals waiting for triage", referral_list(user=user).filter(
                status=Referral.Status.SUBMITTED).count(), team, urgent=True),
            Item("Officers over their caseload limit", officer_caseloads(today=today).filter(over_limit=True).count(),
                 team, urgent=True),
        ]
    return Panel("Casework", items, order=15)
