"""A school user's attendance page is framed for their school (issue 17): "Attendance at <school>", no CTF review
queue and no API link; LA staff keep the authority's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_school_user_sees_attendance_at_their_school(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("attendance_overview")).content.decode()
    assert f"Attendance at {world.school_a.name}" in page
    assert "Attendance across the authority" not in page
    assert reverse("ctf_review_list") not in page
    assert f'href="{reverse("api_docs")}"' not in page


def test_la_staff_see_the_authority(world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("attendance_overview")).content.decode()
    assert "Attendance across the authority" in page
    assert reverse("ctf_review_list") in page
    assert f'href="{reverse("api_docs")}"' in page
