"""A school user whose account is not yet linked to a school gets clear pages, never a 500: the reports count nothing
(the scope is empty, which Django refuses to turn into SQL) and the home page says why there is nothing to show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting import selectors as s
from reporting.presentation import SECTION_SLUGS
from schools.roles import Role
from tests.factories import UserFactory

SECTIONS = [slug for key, slug in SECTION_SLUGS.items() if key != "traded"]  # traded: LA staff only


@pytest.fixture
def unlinked(report_world):
    return UserFactory(username="new_school_lead", role=Role.SCHOOL_USER, schools=[])


def test_the_figures_of_an_empty_scope_are_zero(unlinked):
    period = s.report_period_for(None)
    total, by = s.attendance_breakdown(s.scope_for(unlinked), period.current, ["phase", "sex"])
    assert (total.enrolments, total.figures.possible, total.pa) == (0, 0, 0)
    assert by == {"phase": [], "sex": []}


@pytest.mark.parametrize("path", ["/reports/"] + [f"/reports/{slug}/" for slug in SECTIONS])
def test_every_report_page_is_a_page(unlinked, client_for, path):
    assert client_for(unlinked).get(path).status_code == 200


def test_home_says_the_account_is_not_linked_to_a_school(unlinked, world, client_for):
    page = client_for(unlinked).get(reverse("home")).content.decode()
    assert "Your account is not linked to a school yet" in page
    linked = client_for(world.users["school_a"]).get(reverse("home")).content.decode()
    assert "not linked to a school" not in linked
