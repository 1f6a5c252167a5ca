"""The demo's exclusions and provision (schools.exclusions.demo): records in every state the issue names, including
back-to-back suspensions with a day-6 duty and a suspension over the summer counted in both school years."""

from __future__ import annotations

import pytest

from schools.demo import load_demo
from schools.models import (
    APProvider,
    CMERecord,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    PartTimeTimetable,
    Placement,
    User,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo(seed=2026, pupils=600)


def test_demo_exclusions_cover_the_issue(demo):
    assert set(Exclusion.objects.values_list("kind", flat=True)) == {"suspension", "permanent", "lunchtime"}
    assert Exclusion.objects.missing_day6_provision().filter(day6_duty="la").exists()
    assert Exclusion.objects.missing_day6_provision().filter(day6_duty="school").exists()
    assert Placement.objects.filter(exclusion__isnull=False).exists()
    assert ExclusionReminder.objects.filter(resolved_on__isnull=True).exists()
    # Back-to-back suspensions: one run still without provision, at the school user's school.
    lead = User.objects.get(username="school")
    runs = Exclusion.objects.filter(run_start_date__isnull=False, day6_duty="school")
    assert runs.missing_day6_provision().filter(school__in=lead.schools.all()).exists()
    assert runs.exclude(pk__in=Exclusion.objects.missing_day6_provision()).exists()
    # A suspension over the summer: some of its days count in each school year.
    summer = Exclusion.objects.get(start_date="2026-07-20", kind="suspension")
    assert 0 < summer.start_year_days < summer.days
    assert PartTimeTimetable.objects.exists() and ManagedMove.objects.exclude(outcome="in_progress").exists()
    assert APProvider.objects.filter(places_commissioned=23).exists()
    assert FairAccessReferral.objects.exists() and CMERecord.objects.exclude(outcome="open").exists()
