"""The part-time timetable register's flags (overdue reviews, long-running) and alternative provision's places
commissioned against places used, on the pages and in the API ("today" is Monday 23 November 2026)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from schools.exclusions import services
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _pupil_at(school, name):
    pupil = PupilFactory(legal_first_name=name, legal_last_name="Register")
    EnrolmentFactory(pupil=pupil, school=school, start_date=D(2025, 9, 1))
    return pupil


def test_part_time_flags_overdue_reviews_and_long_running_timetables(calendar, client):
    lead, school = calendar.users["school_a"], calendar.school_a
    common = {"user": lead, "school": school, "hours_per_week": Decimal(15), "reason": "mental_health",
              "la_notified_on": D(2026, 9, 7)}
    # From 7 Sep, reviewed by 5 Oct at the latest and not since: overdue, and over six school weeks old.
    services.part_time_record(pupil=_pupil_at(school, "Old"), start_date=D(2026, 9, 7),
                              planned_end_date=D(2026, 12, 18), parent_agreed_on=D(2026, 9, 4),
                              next_review_date=D(2026, 10, 5), **common)
    # From 16 Nov, first review in December: no flags.
    services.part_time_record(pupil=_pupil_at(school, "New"), start_date=D(2026, 11, 16),
                              planned_end_date=D(2026, 12, 18), parent_agreed_on=D(2026, 11, 13),
                              next_review_date=D(2026, 12, 14), **common)
    client.force_login(calendar.users["la_officer"])
    page = client.get(reverse("part_time_list")).content.decode()
    old_row = page[page.index("Register, Old"):]
    old_row = old_row[:old_row.index("</tr>")]
    new_row = page[page.index("Register, New"):]
    new_row = new_row[:new_row.index("</tr>")]
    assert "Review overdue" in old_row and "Long-running" in old_row
    assert "Review overdue" not in new_row and "Long-running" not in new_row
    api = {row["pupil"]: row["flags"] for row in client.get("/api/part-time-timetables/").json()["results"]}
    assert sorted(map(sorted, api.values())) == [[], ["Long-running", "Review overdue"]]


def test_ap_places_commissioned_against_places_used_today(calendar, client):
    officer = calendar.users["la_officer"]
    provider = services.ap_provider_create(user=officer, name="Aspire Academy AP", places_commissioned=Decimal(2))
    for name, hours, start, end in [("Full", 25, D(2026, 9, 7), None), ("Half", 12.5, D(2026, 11, 2), None),
                                    ("Ended", 25, D(2026, 9, 7), D(2026, 10, 23)),
                                    ("Later", 25, D(2026, 12, 1), None)]:
        services.placement_record(user=officer, pupil=_pupil_at(calendar.school_a, name), arranged_by="la",
                                  provider_kind="ap", ap_provider=provider, hours_per_week=Decimal(hours),
                                  start_date=start, end_date=end)
    client.force_login(officer)
    row = client.get("/api/ap-providers/").json()["results"][0]
    assert (row["places_commissioned"], row["pupils_placed"], row["places_used"]) == ("2.0", 2, "1.5")
    page = client.get(reverse("ap_provider_list")).content.decode()
    assert "1.5 (2 pupils)" in page and "Over capacity" not in page
    services.placement_record(user=officer, pupil=_pupil_at(calendar.school_a, "Extra"), arranged_by="la",
                              provider_kind="ap", ap_provider=provider, hours_per_week=Decimal(25),
                              start_date=D(2026, 11, 16))
    assert "Over capacity" in client.get(reverse("ap_provider_list")).content.decode()
