"""The home page's casework panel (cases.home): each role's counts, through their scope."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases import home, services
from cases.models import Case, OfficerCaseloadLimit

TODAY = datetime.date(2026, 12, 2)  # a Wednesday: the week ends on Sunday 6 December


def counts(user):
    made = home.panel(user, TODAY)
    return None if made is None else {item.label: item.count for item in made.items}


def test_an_officer_sees_their_cases_reviews_due_this_week_and_overdue_tasks(world, cases_world):
    officer = world.users["la_officer"]
    Case.objects.filter(pk=cases_world.case_a.pk).update(next_review_due=datetime.date(2026, 12, 6))  # Sunday
    Case.objects.filter(pk=cases_world.case_b.pk).update(next_review_due=datetime.date(2026, 12, 7))  # next week
    mine = counts(officer)
    assert mine["Your open cases"] == 2
    assert mine["Your case reviews due this week or overdue"] == 1
    # "Visit home" was due 30 November; the TSM's task is due 1 December: both overdue on the 2nd.
    assert mine["Your tasks overdue"] == 2
    assert "Referrals waiting for triage" not in mine  # officers do not triage


def test_a_manager_sees_referrals_to_triage_and_officers_over_their_limit(world, cases_world):
    manager, officer = world.users["la_manager"], world.users["la_officer"]
    before = counts(manager)
    assert before["Referrals waiting for triage"] == 1 and before["Officers over their caseload limit"] == 0
    OfficerCaseloadLimit.objects.create(officer=officer, caseload_limit=1, reason="Part-time")
    assert counts(manager)["Officers over their caseload limit"] == 1  # two open cases against a limit of one
    services.referral_create(user=world.users["school_a"], pupil=world.pupil_a, school=world.school_a,
                             case_type="behaviour", concerns="Absent most Mondays.", tried_class_teacher="Calls home.")
    assert counts(manager)["Referrals waiting for triage"] == 2


def test_a_school_user_counts_only_their_own_schools_referrals_and_cases(world, cases_world):
    school_b, school_a = counts(world.users["school_b"]), counts(world.users["school_a"])
    assert school_b == {"Your referrals waiting for the LA's decision": 1, "Open cases for your pupils": 1}
    assert school_a == {"Your referrals waiting for the LA's decision": 0, "Open cases for your pupils": 1}


def test_legal_officers_have_no_casework_panel_and_the_page_shows_it_to_officers(world, cases_world, client_for):
    assert counts(world.users["legal_officer"]) is None
    page = client_for(world.users["la_officer"]).get(reverse("home")).content.decode()
    assert "Casework" in page and "Your case reviews due this week or overdue" in page
