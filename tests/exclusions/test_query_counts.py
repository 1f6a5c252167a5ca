"""Exclusion and provision lists, the day-6 dashboard, the pupil's Exclusions tab and an exclusion's page issue a
fixed number of queries however many rows they show."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.exclusions import services
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow(world, n: int, start: int = 0) -> None:
    lead, officer = world.users["school_a"], world.users["la_officer"]
    provider = services.ap_provider_create(user=officer, name=f"Provider {start}", places_commissioned=Decimal(10))
    for i in range(start, start + n):
        pupil = PupilFactory()
        EnrolmentFactory(pupil=pupil, school=world.school_a, start_date=D(2025, 9, 1))
        exclusion = services.exclusion_record(user=lead, pupil=pupil, school=world.school_a,
                                              kind="permanent" if i % 2 else "suspension", start_date=D(2026, 11, 9),
                                              length_sessions=None if i % 2 else 12, reasons=["PA", "DB"])
        services.placement_record(user=officer, pupil=pupil, exclusion=exclusion, arranged_by="la",
                                  provider_kind="ap", ap_provider=provider, hours_per_week=Decimal(20),
                                  start_date=D(2026, 11, 18))
        services.part_time_record(user=lead, pupil=pupil, school=world.school_a, start_date=D(2026, 9, 7),
                                  planned_end_date=D(2026, 11, 13), hours_per_week=Decimal(10), reason="health",
                                  parent_agreed_on=D(2026, 9, 7))
        services.managed_move_record(user=lead, pupil=pupil, from_school=world.school_a, to_school=world.school_b,
                                     agreed_on=D(2026, 9, 14), start_date=D(2026, 9, 14))
        services.fair_access_refer(user=officer, pupil=pupil, category="excluded", referred_on=D(2026, 9, 7),
                                   out_of_school_since=D(2026, 9, 7))
        record = services.cme_record(user=officer, pupil=pupil, reason="absent_10", referred_on=D(2026, 10, 5))
        services.cme_enquiry_add(user=officer, record=record, made_on=D(2026, 10, 6), method="phone", result="None")
    services.exclusion_reminders_refresh(today=D(2026, 11, 23))


LISTS = ["exclusion_list", "exclusion_reminders", "day6_dashboard", "placement_list", "part_time_list",
         "managed_move_list", "ap_provider_list", "fair_access_list", "cme_list"]


LA_REGISTERS = {"ap_provider_list", "fair_access_list", "cme_list"}  # school users are refused these


@pytest.mark.parametrize("role, name", [("la_officer", name) for name in LISTS]
                         + [("school_a", name) for name in LISTS if name not in LA_REGISTERS])
def test_lists_do_not_grow_with_rows(calendar, client, role, name):
    _grow(calendar, 2)
    client.force_login(calendar.users[role])
    url = reverse(name)
    before = _queries(client, url)
    _grow(calendar, 8, start=2)
    after = _queries(client, url)
    assert after == before, f"{name}: {before} queries with few rows, {after} with more"
    assert after <= 16, f"{name} runs {after} queries"


@pytest.mark.parametrize("role", ["la_officer", "school_a"])
def test_pupil_exclusions_tab_and_exclusion_page(calendar, client, record, role):
    pupil = calendar.pupil_a
    first = record(start_date=D(2025, 11, 3), length_sessions=12)
    client.force_login(calendar.users[role])
    tab, page = reverse("pupil_exclusions", args=[pupil.pk]), reverse("exclusion_detail", args=[first.pk])
    before_tab, before_page = _queries(client, tab), _queries(client, page)
    officer = calendar.users["la_officer"]
    for week in range(5):
        e = record(start_date=D(2026, 1, 5) + datetime.timedelta(days=7 * week), length_sessions=2)
        services.placement_record(user=officer, pupil=pupil, exclusion=first if week % 2 else e, arranged_by="la",
                                  provider_kind="other", provider_name="Tuition", hours_per_week=Decimal(25),
                                  start_date=D(2026, 1, 6) + datetime.timedelta(days=7 * week))
        services.part_time_record(user=calendar.users["school_a"], pupil=pupil, school=calendar.school_a,
                                  start_date=D(2026, 4, 13) + datetime.timedelta(days=7 * week),
                                  planned_end_date=D(2026, 4, 16) + datetime.timedelta(days=7 * week),
                                  hours_per_week=Decimal(10), reason="health",
                                  parent_agreed_on=D(2026, 4, 13))
    assert _queries(client, tab) == before_tab <= 22
    assert _queries(client, page) == before_page <= 20



def _met_reminders(world, record, n: int, day6_missed_on: datetime.date) -> None:
    """n permanent exclusions from 11 Dec 2025 whose day-6 reminder (due 18 Dec) is written, then met by provision."""
    officer = world.users["la_officer"]
    exclusions = []
    for _ in range(n):
        pupil = PupilFactory()
        EnrolmentFactory(pupil=pupil, school=world.school_a, start_date=D(2025, 9, 1))
        exclusions.append(record(pupil=pupil, kind="permanent", start_date=D(2025, 12, 11), length_sessions=None))
    services.exclusion_reminders_refresh(today=day6_missed_on)
    for exclusion in exclusions:
        services.placement_record(user=officer, pupil=exclusion.pupil, exclusion=exclusion, arranged_by="la",
                                  provider_kind="other", provider_name="Tuition", hours_per_week=Decimal(25),
                                  start_date=D(2025, 12, 17))


def _refresh_queries(today) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.exclusion_reminders_refresh(today=today)
    return len(captured)


def test_resolving_reminders_does_not_grow_with_rows(calendar, record):
    """Reminders met since the last run are resolved in one statement, not one save each."""
    from schools.models import ExclusionReminder

    _met_reminders(calendar, record, 1, D(2025, 12, 16))
    one = _refresh_queries(D(2025, 12, 17))
    _met_reminders(calendar, record, 5, D(2025, 12, 17))
    five = _refresh_queries(D(2025, 12, 18))
    assert ExclusionReminder.objects.filter(resolved_on__isnull=False).count() == 6
    assert five == one, f"{one} queries to resolve one reminder, {five} to resolve five"
