"""The home page's "N pupils you can see": counted on every visit for a school user and at a small LA; at a large LA,
LA staff share one count for a few minutes, counted again at once when a pupil is added, and the page says when it
was counted."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from schools.models import Pupil
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db


def _count(page: str) -> int:
    return int(re.search(r'data-testid="pupil-count">([\d,]+) pupils you can see', page).group(1).replace(",", ""))


@pytest.fixture
def large_la(settings, world):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 1  # the generated LA is "large"
    cache.clear()
    yield world
    cache.clear()


def test_a_small_la_counts_every_visit_and_says_nothing_of_when(world, client_for, settings):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 10 ** 9
    client = client_for(world.users["la_officer"])
    page = client.get(reverse("home")).content.decode()
    assert _count(page) == Pupil.objects.count() and "pupils-counted-at" not in page
    Pupil.objects.filter(pk=world.pupil_b.pk).delete()
    assert _count(client.get(reverse("home")).content.decode()) == Pupil.objects.count()


def test_la_staff_at_a_large_la_share_a_count_that_says_when_and_follows_a_new_pupil(large_la, client_for):
    officer, manager = large_la.users["la_officer"], large_la.users["la_manager"]
    page = client_for(officer).get(reverse("home")).content.decode()
    everyone = Pupil.objects.count()
    assert _count(page) == everyone and 'data-testid="pupils-counted-at">(pupils counted at ' in page
    # A pupil erased (not the newest, whose id names the count) shows once the count is no longer kept: another LA
    # user reads the same kept count, with the same time, rather than counting again.
    Pupil.objects.filter(pk=Pupil.objects.order_by("pk").values("pk")[:1]).delete()
    again = client_for(manager).get(reverse("home")).content.decode()
    assert _count(again) == everyone
    assert re.search(r"counted at \d\d:\d\d", again).group() == re.search(r"counted at \d\d:\d\d", page).group()
    # Pupils added name a new count at once, which is the whole LA's as it stands (one erased, two added).
    for _ in range(2):
        EnrolmentFactory(pupil=PupilFactory(), school=large_la.school_b)
    assert _count(client_for(officer).get(reverse("home")).content.decode()) == Pupil.objects.count() == everyone + 1


def test_a_school_user_at_a_large_la_is_counted_on_every_visit(large_la, client_for):
    client = client_for(large_la.users["school_a"])
    page = client.get(reverse("home")).content.decode()
    own = Pupil.objects.filter(enrolments__school=large_la.school_a).distinct().count()
    assert _count(page) == own and "pupils-counted-at" not in page
    EnrolmentFactory(pupil=PupilFactory(), school=large_la.school_a)
    assert _count(client.get(reverse("home")).content.decode()) == own + 1
