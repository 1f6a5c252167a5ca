"""schools.scoping.visibility_key: figures kept in a cache are keyed on what the reader may see, so two readers share
kept figures only when every ``visible_to`` gives them the same rows."""

from __future__ import annotations

import pytest

from schools.models import Enrolment, User
from schools.scoping import visibility_key

pytestmark = pytest.mark.django_db


def test_readers_share_a_key_only_when_they_see_the_same_pupils(world):
    users = world.users
    assert visibility_key(users["la_officer"]) == visibility_key(users["la_manager"]) == "la"
    colleague = User.objects.create(username="second-lead-b", role="school_user")
    colleague.schools.set([world.school_b])
    assert visibility_key(colleague) == visibility_key(users["school_b"])
    assert visibility_key(users["school_a"]) != visibility_key(users["school_b"])
    # Equal keys, equal rows; different keys, different rows.
    seen = {name: set(Enrolment.objects.visible_to(users[name]).values_list("pk", flat=True))
            for name in ("school_a", "school_b", "la_officer")}
    assert set(Enrolment.objects.visible_to(colleague).values_list("pk", flat=True)) == seen["school_b"]
    assert seen["school_a"] != seen["school_b"] and seen["school_a"] < seen["la_officer"]
    colleague.is_active = False
    assert visibility_key(colleague) == "none"
