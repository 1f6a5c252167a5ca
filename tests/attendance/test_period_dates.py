"""Pages with a period take custom dates as the GOV.UK date input (day, month and year boxes); links carrying one ISO
date keep working; a date that is not real is ignored and the page names the period it shows instead."""

from __future__ import annotations

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from schools.common.web import query_date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query, expected", [
    ("start_0=1&start_1=9&start_2=2025", datetime.date(2025, 9, 1)),
    ("start=2025-09-01", datetime.date(2025, 9, 1)),
    ("start_0=01&start_1=09&start_2=2025&start=2024-01-01", datetime.date(2025, 9, 1)),  # the boxes win
    ("start_0=31&start_1=2&start_2=2025", None),  # not a real date
    ("start_0=1&start_1=&start_2=2025", None),  # a part missing
    ("start_0=1&start_1=9&start_2=25", None),  # a two-digit year
    ("start=tomorrow", None),
    ("", None),
])
def test_query_date_reads_the_boxes_or_one_iso_value(query, expected):
    assert query_date(QueryDict(query), "start") == expected


def test_the_attendance_period_picker_takes_the_boxes(world, terms, client):
    client.force_login(world.users["la_officer"])
    boxes = {"start_0": "1", "start_1": "9", "start_2": "2025", "end_0": "19", "end_1": "12", "end_2": "2025"}
    page = client.get(reverse("attendance_overview"), boxes).content.decode()
    assert "Figures for: 01 September 2025 to 19 December 2025" in page
    assert 'name="start_0"' in page and 'type="date"' not in page
    assert 'id="period-start-day" name="start_0" type="text" inputmode="numeric" value="1"' in page
    iso = client.get(reverse("attendance_overview"), {"start": "2025-09-01", "end": "2025-12-19"}).content.decode()
    assert "Figures for: 01 September 2025 to 19 December 2025" in iso
    wrong = client.get(reverse("attendance_overview"), {**boxes, "start_0": "31", "start_1": "2"}).content.decode()
    assert "Figures for: 01 September 2025" not in wrong and "Figures for: " in wrong


def test_the_legal_figures_page_takes_the_boxes(world, client):
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("legal:figures"), {"start_0": "1", "start_1": "9", "start_2": "2025"}).content.decode()
    assert 'id="start-day" name="start_0" type="text" inputmode="numeric" value="1"' in page
    assert 'type="date"' not in page
