"""The demo casework (interventions.demo, loaded by schools.demo.load_demo): what the demo promises is there, and it is
deterministic."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import (
    Case,
    CaseReminder,
    ChronologyEntry,
    OfficerCaseloadLimit,
    Referral,
    StageChange,
    TargetingSupportMeeting,
    Task,
    Team,
)
from interventions.models import InterventionPlan
from schools.demo import load_demo
from schools.models import School, User
from schools.stages import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo(seed=2026, pupils=600)


def test_demo_casework_covers_the_journey(demo):
    today = timezone.localdate()
    open_cases = Case.objects.filter(status=Case.Status.OPEN)
    assert set(open_cases.values_list("stage", flat=True)) == set(Stage.values)
    assert Case.objects.filter(status=Case.Status.CLOSED).exclude(outcome="").exists()
    assert Case.objects.filter(status=Case.Status.REFERRED, officer__isnull=True).exists()
    assert Case.objects.review_overdue(today).exists()
    assert Task.objects.filter(status="open", due_date__lt=today).exists()
    assert set(Referral.objects.values_list("status", flat=True)) == {"submitted", "accepted", "declined"}
    assert ChronologyEntry.objects.exclude(restriction="").exists()
    assert InterventionPlan.objects.filter(status="active").exists()
    assert StageChange.objects.exclude(from_stage="").exists()
    assert Case.objects.filter(linked_cases__isnull=False).exists()
    # Every legal-stage case tried support first.
    assert not Case.objects.filter(stage=Stage.LEGAL, plans__isnull=True).exists()
    # A TSM for every open school this term.
    assert TargetingSupportMeeting.objects.count() == School.objects.filter(is_open=True).count()
    # Every demo officer holds cases; the school users' schools have cases to see.
    held = dict(User.objects.filter(username__startswith="officer").annotate(n=Count("allocated_cases"))
                .values_list("username", "n"))
    assert all(held.values()), held
    school_user = User.objects.get(username="school")
    assert Case.objects.visible_to(school_user).exists()
    assert Referral.objects.visible_to(school_user).filter(status="declined").exists()
    assert not Case.objects.filter(opened_on__gt=today).exists()
    assert not ChronologyEntry.objects.filter(occurred_on__gt=today).exists()
    assert Case.objects.filter(opened_on__gte=today - datetime.timedelta(days=400)).count() == Case.objects.count()
    # Teams of officers with a manager, a part-time officer's own caseload limit, a reopened case and reminders.
    assert Team.objects.count() >= 2 and not User.objects.filter(role="la_officer", team_membership__isnull=True)
    assert OfficerCaseloadLimit.objects.exists()
    assert Case.objects.filter(closures__reopened_at__isnull=False).exclude(status="closed").exists()
    assert CaseReminder.objects.filter(resolved_on__isnull=True, kind="review").exists()
    assert CaseReminder.objects.filter(resolved_on__isnull=True, kind="task").exists()


def test_sibling_pool_reads_the_families_in_two_queries(demo, django_assert_num_queries):
    from interventions.demo import CaseworkLoader

    loader = CaseworkLoader(2026, None)
    with django_assert_num_queries(2):  # the families, then all their current enrolments (not one per family)
        pairs = loader.siblings_pool(limit=1000)
    assert pairs and all(len(pair) == 2 and pair[0][0].family_id == pair[1][0].family_id for pair in pairs)
