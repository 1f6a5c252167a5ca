"""The review list's pairs: found by blocks in SQL (no comparison of every pupil with every other), each with the
rule and score that matched; dismissed pairs stay hidden; school users see nothing."""

from __future__ import annotations

import datetime

import pytest

from schools.duplicates import selectors, services
from schools.models import Pupil
from tests.factories import FamilyFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _pairs(user, **kwargs):
    return {(c.low, c.high): c for c in selectors.find_candidates(user=user, **kwargs).candidates}


def _key(a, b):
    return tuple(sorted((a.pk, b.pk)))


def test_name_keys_are_kept_on_save():
    pupil = PupilFactory(legal_first_name="Katherine", legal_last_name="Smyth")
    assert (pupil.first_name_key, pupil.last_name_key) == ("K0RN", "SM0")
    pupil.legal_last_name = "Jones"
    pupil.save(update_fields=["legal_last_name"])
    assert Pupil.objects.values_list("last_name_key", flat=True).get(pk=pupil.pk) == "JNS"


def test_each_rule_finds_its_pair(world):
    officer = world.users["la_officer"]
    kat = PupilFactory(legal_first_name="Katherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    cat = PupilFactory(legal_first_name="Catherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    old = PupilFactory(legal_first_name="Noor", legal_last_name="Ali", date_of_birth=D(2013, 2, 2))
    new = PupilFactory(legal_first_name="Nour", legal_last_name="Aly", date_of_birth=D(2013, 2, 20),
                       former_upn=old.upn)
    home = dict(address_line_1="12 High Street", postcode="BN7 1AA")
    jayden = PupilFactory(legal_first_name="Jayden", legal_last_name="Brown", date_of_birth=D(2012, 1, 2),
                          family=FamilyFactory(**home))
    jaden = PupilFactory(legal_first_name="Jaden", legal_last_name="Brown", date_of_birth=D(2012, 2, 1),
                         family=FamilyFactory(address_line_1="12 high street", postcode="bn71aa"))
    pairs = _pairs(officer)
    assert pairs[_key(kat, cat)].rule_codes == {"dob_name"}
    assert pairs[_key(kat, cat)].score == 96
    assert pairs[_key(old, new)].rule_codes == {"former_upn"}
    assert pairs[_key(jayden, jaden)].rule_codes == {"address_surname"}
    # The world's siblings (same family, same surname, different first names) and Amy / Mo (same date of birth,
    # different names) are not pairs.
    assert _key(world.pupil_a, world.pupil_b) not in pairs
    assert _key(world.pupil_a, world.moved) not in pairs
    assert set(pairs) == {_key(kat, cat), _key(old, new), _key(jayden, jaden)}


def test_a_dismissed_pair_is_not_offered_again(world):
    officer = world.users["la_officer"]
    a = PupilFactory(legal_first_name="Jon", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    b = PupilFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    assert _key(a, b) in _pairs(officer)
    services.dismiss_pair(user=officer, a=b, b=a, note="Cousins, checked with the school.")
    assert _key(a, b) not in _pairs(officer)
    shown = _pairs(officer, include_dismissed=True)[_key(a, b)]
    assert shown.dismissed
    # Saying it twice is harmless.
    services.dismiss_pair(user=officer, a=a, b=b)
    assert selectors.candidates_for_pupil(user=officer, pupil=a)[0].dismissed


def test_school_users_and_legal_officers_find_nothing_and_cannot_dismiss(world):
    PupilFactory(legal_first_name="Jon", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    PupilFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    assert _pairs(world.users["school_a"]) == {}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.dismiss_pair(user=world.users["legal_officer"], a=world.pupil_a, b=world.pupil_b)


def test_the_scan_costs_the_same_queries_however_many_pupils(world, django_assert_max_num_queries):
    for n in range(30):
        PupilFactory(legal_first_name=f"Name{n}", legal_last_name="Smith", date_of_birth=D(2014, 6, 1 + n % 3))
    PupilFactory(legal_first_name="Jon", legal_last_name="Smith", date_of_birth=D(2010, 6, 1))
    PupilFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=D(2010, 6, 1))
    with django_assert_max_num_queries(6):
        scan = selectors.find_candidates(user=world.users["la_officer"])
    assert len(scan.candidates) >= 1


def test_a_placeholder_date_of_birth_is_reported_not_compared(world, monkeypatch):
    monkeypatch.setattr("schools.duplicates.rules.MAX_BLOCK", 3)
    for n in range(4):
        PupilFactory(legal_first_name=f"Unknown{n}", legal_last_name="Child", date_of_birth=D(2000, 1, 1))
    scan = selectors.find_candidates(user=world.users["la_officer"])
    assert scan.candidates == []
    assert any("4 records share the date of birth 1 January 2000" in text for text in scan.oversized_blocks)


def test_a_pupils_own_duplicates(world):
    officer = world.users["la_officer"]
    twin = PupilFactory(legal_first_name="Aimee", legal_last_name="Able", date_of_birth=world.pupil_a.date_of_birth)
    found = selectors.candidates_for_pupil(user=officer, pupil=world.pupil_a)
    assert [(c.low, c.high) for c in found] == [_key(world.pupil_a, twin)]
    assert selectors.candidates_for_pupil(user=world.users["school_a"], pupil=world.pupil_a) == []


def test_a_pupils_own_duplicates_at_the_same_address(world):
    jayden = PupilFactory(legal_first_name="Jayden", legal_last_name="Brown", date_of_birth=D(2012, 1, 2),
                          family=FamilyFactory(address_line_1="12 High Street", postcode="BN7 1AA"))
    jaden = PupilFactory(legal_first_name="Jaden", legal_last_name="Brown", date_of_birth=D(2012, 2, 1),
                         family=FamilyFactory(address_line_1="12 high street", postcode="bn71aa"))
    found = selectors.candidates_for_pupil(user=world.users["la_officer"], pupil=jayden)
    assert [(c.low, c.high, c.rule_codes) for c in found] == [(*_key(jayden, jaden), {"address_surname"})]
