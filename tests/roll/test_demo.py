"""The demo's roll notifications (schools.roll.demo): the LA's triage queue holds a notice for each next step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schools.demo import load_demo
from schools.models import RollNotification, User
from schools.roll import services

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_triage_queue(db, client):
    load_demo(seed=2026, pupils=600)
    queue = RollNotification.objects.to_triage()
    planned = {n.planned_step for n in queue if n.is_deletion}
    assert {"ehe", "cme", "exclusion", "move"} <= planned
    assert queue.filter(pupil__isnull=True).exists()  # a UPN new to the LA waits to be matched
    assert RollNotification.objects.filter(status="done", step="cme", cme_record__isnull=False).exists()
    assert RollNotification.objects.filter(kind="admission", late=True).exists()
    lead = User.objects.get(username="school")
    assert RollNotification.objects.filter(school__in=lead.schools.all(), submitted_by=lead).exists()
    # One move confirmed by the new school's admission notice, one not yet.
    moves = [n for n in queue if n.planned_step == "move"]
    confirmed = [n for n in moves if "move" in services.allowed_steps(n)
                 and RollNotification.objects.filter(kind="admission", school=n.new_school, upn=n.upn).exists()]
    assert len(moves) == 2 and len(confirmed) == 1
    client.force_login(User.objects.get(username="officer"))
    page = client.get(reverse("roll:list")).content.decode()
    assert "Admission confirmed by" in page and "No admission notice yet" in page and "step-ehe" in page
