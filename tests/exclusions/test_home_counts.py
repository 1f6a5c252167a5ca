"""The home page's exclusions and provision panel (schools.home): each count is the list it links to, for the LA and
for a school user (their own school's only), on the demo's records."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from schools import home
from schools.demo import load_demo
from schools.models import Exclusion, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    load_demo(seed=2026, pupils=600)


def _listed(client, href: str) -> int:
    page = client.get(href).content.decode()
    return int(re.search(r'data-testid="result-count">([\d,]+) record', page).group(1).replace(",", ""))


@pytest.mark.parametrize("username", ["officer", "school"])
def test_each_count_is_the_list_it_links_to(demo, client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    panel = home.exclusions_panel(user, timezone.localdate())
    links = {item.label: item for item in panel.items}
    labels = ["Exclusions with no provision from day 6", "Part-time timetables with a review overdue"]
    if user.role != "school_user":
        labels.append("Children missing education with enquiries overdue")
    else:
        assert "Children missing education with enquiries overdue" not in links  # the LA's register
    for label in labels:
        item = links[label]
        assert item.count == _listed(client, item.href), label
    assert links["Exclusions with no provision from day 6"].count > 0  # the demo has some at each kind of user
    if user.role == "school_user":
        others = Exclusion.objects.missing_day6_provision().exclude(school__in=user.schools.all())
        assert others.exists()  # ... and the school's count leaves them out, as its list does


def test_a_school_users_persistent_absence_count_is_its_list(demo, client):
    user = User.objects.get(username="school")
    client.force_login(user)
    panel = home.threshold_panel(user, timezone.localdate())
    [item] = [item for item in panel.items if item.label.startswith("Persistently absent")]
    page = client.get(item.href).content.decode()
    listed = int(re.search(r'data-testid="result-count">([\d,]+)', page).group(1).replace(",", ""))
    assert item.count == listed
