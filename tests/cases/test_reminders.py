"""Daily casework reminders (issue 4: "Reviews ... and tasks with due dates; My work"): the Celery beat task writes a
reminder for each case review and task due within CaseworkPolicy.reminder_days (3) or overdue, once per person, item
and due date; My work shows the ones that still hold; recording the review or finishing the task ends them.

The fixture (tests/cases/fixtures.py), on Monday 23 November 2026: case_a's first review was due 26 October (overdue);
case_b was reviewed on 2 November, next due 14 December; case_b's task "Visit home" is due 30 November and the TSM's
"Send attendance letters" 1 December, both for la_officer.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseReminder, CaseworkPolicy
from cases.tasks import send_casework_reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
MONDAY = D(2026, 11, 23)


def _open(user=None):
    reminders = CaseReminder.objects.filter(resolved_on__isnull=True)
    if user is not None:
        reminders = reminders.filter(user=user)
    return sorted((r.kind, r.due, r.message) for r in reminders)


def test_reviews_and_tasks_due_soon_or_overdue_are_reminded_once(cases_world, world):
    officer = world.users["la_officer"]
    first = services.casework_reminders_refresh(today=MONDAY)
    again = services.casework_reminders_refresh(today=MONDAY)
    expected = [("review", D(2026, 10, 26),
                 f"Review of {cases_world.case_a.reference} (Amy Able) due 26 October 2026")]
    assert _open(officer) == expected
    assert (first["open"], again["open"], again["created"]) == (1, 1, 0)
    # Friday 27 Nov: "Visit home" (Mon 30 Nov) comes within three days; the TSM task (1 Dec) does not yet.
    services.casework_reminders_refresh(today=D(2026, 11, 27))
    assert [r[2] for r in _open(officer)][1:] == [
        f"Task “Visit home” on {cases_world.case_b.reference} (Ben Able) due 30 November 2026"]
    services.casework_reminders_refresh(today=D(2026, 11, 28))
    tsm_task = [r for r in _open(officer) if "Send attendance letters" in r[2]]
    assert len(tsm_task) == 1 and "on the autumn TSM with Beta Academy due 1 December 2026" in tsm_task[0][2]


def test_the_window_is_the_policys(cases_world, world):
    policy = CaseworkPolicy.current()
    policy.reminder_days = 7
    policy.save()
    services.casework_reminders_refresh(today=MONDAY)
    assert {r[0] for r in _open(world.users["la_officer"])} == {"review", "task"}  # 30 Nov and 1 Dec are in


def test_recording_the_review_or_finishing_the_task_ends_the_reminder(cases_world, world, client):
    officer = world.users["la_officer"]
    services.casework_reminders_refresh(today=D(2026, 11, 27))
    client.force_login(officer)
    page = client.get(reverse("cases:my_work")).content.decode()
    assert 'data-testid="reminders"' in page
    assert f"Review of {cases_world.case_a.reference} (Amy Able) due 26 October 2026" in page
    assert "Overdue" in page and "Visit home" in page
    services.review_add(user=officer, case=cases_world.case_a, held_on=MONDAY, progress="Seen at home",
                        decision="continue")
    services.task_complete(user=officer, task=cases_world.task_b)
    # My work drops them at once, before the next morning's run marks them resolved.
    page = client.get(reverse("cases:my_work")).content.decode()
    assert 'data-testid="reminders"' not in page
    result = services.casework_reminders_refresh(today=D(2026, 11, 27))
    assert result["resolved"] == 2 and _open(officer) == []


def test_reallocation_moves_the_review_reminder_to_the_new_officer(cases_world, world):
    services.casework_reminders_refresh(today=MONDAY)
    newcomer = UserFactory(role="la_officer", first_name="New", last_name="Comer")
    case = cases_world.case_a
    services.case_allocate(user=world.users["la_manager"], case=case, officer=newcomer, expected_version=case.version)
    services.casework_reminders_refresh(today=MONDAY)
    assert _open(world.users["la_officer"]) == []
    assert [r[0] for r in _open(newcomer)] == ["review"]


def test_closed_cases_and_old_items_are_not_reminded(cases_world, world):
    officer = world.users["la_officer"]
    # 60 days after case_a's review date it is on My work's lists but no longer reminded each morning.
    services.casework_reminders_refresh(today=D(2026, 12, 26))
    assert all(r[1] != D(2026, 10, 26) for r in _open(officer))
    case = cases_world.case_a
    services.case_close(user=officer, case=case, outcome="improved", expected_version=case.version,
                        closed_on=MONDAY)
    services.casework_reminders_refresh(today=MONDAY)
    assert all(cases_world.case_a.reference not in r[2] for r in _open(officer))


def test_a_school_user_sees_reminders_of_tasks_for_them_and_nothing_else(cases_world, world, client):
    lead = world.users["school_b"]
    services.task_add(user=world.users["la_officer"], case=cases_world.case_b, title="Send the register extract",
                      assigned_to=lead, due_date=D(2026, 11, 24))
    services.casework_reminders_refresh(today=MONDAY)
    assert [r[0] for r in _open(lead)] == ["task"]
    client.force_login(lead)
    page = client.get(reverse("cases:my_work")).content.decode()
    assert "Send the register extract" in page and cases_world.case_a.reference not in page
    client.force_login(world.users["school_a"])
    assert "Send the register extract" not in client.get(reverse("cases:my_work")).content.decode()


def test_the_daily_task_is_scheduled_and_runs_twice_safely(cases_world, world, settings, monkeypatch):
    from django.utils import timezone

    from config.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE["casework-reminders"]
    assert schedule["task"] == "cases.tasks.send_casework_reminders" and schedule["task"] in app.tasks
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)
    send_casework_reminders.delay()
    send_casework_reminders.delay()
    assert CaseReminder.objects.count() == 1


def test_reminders_on_my_work_cost_one_query(cases_world, world, client, django_assert_max_num_queries):
    from cases.selectors import reminders_for

    officer = world.users["la_officer"]
    for n in range(8):
        services.task_add(user=officer, case=cases_world.case_b, title=f"Call {n}", assigned_to=officer,
                          due_date=D(2026, 11, 20 + n % 3))
    services.casework_reminders_refresh(today=MONDAY)
    with django_assert_max_num_queries(1):
        rows = reminders_for(user=officer)
        assert len(rows) == 9 and all(r.case.pupil.display_name for r in rows)
