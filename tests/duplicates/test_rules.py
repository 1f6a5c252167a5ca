"""How names are compared and when two records count as likely duplicates, on worked examples computed by hand."""

from __future__ import annotations

import datetime

import pytest

from schools.duplicates import rules
from schools.duplicates.phonetics import compare, name_key, plain_letters
from schools.duplicates.selectors import compare as compare_records
from schools.duplicates.selectors import prepare

D = datetime.date


def test_names_are_reduced_to_their_letters():
    assert plain_letters("Zoë O'Neil-Smith") == "ZOEONEILSMITH"
    assert plain_letters(" 42 ") == ""
    assert name_key("") == "" and name_key("--") == ""


@pytest.mark.parametrize(("left", "right", "key"), [
    ("Catherine", "Katherine", "K0RN"),  # C before A sounds K; TH is 0
    ("Jon", "John", "JN"),  # the silent H
    ("Smith", "Smyth", "SM0"),  # Y as a vowel
    ("Stephen", "Steven", "STFN"),  # PH sounds F
])
def test_names_that_sound_alike_share_a_key(left, right, key):
    assert name_key(left) == name_key(right) == key


def test_jaro_winkler_worked_example():
    # MARTHA / MARHTA: 6 matching letters, TH/HT one transposition (2 out of order / 2), so
    # Jaro = (6/6 + 6/6 + (6 - 1)/6) / 3 = 0.9444; common prefix MAR (3 letters), so
    # Jaro-Winkler = 0.9444 + 3 x 0.1 x (1 - 0.9444) = 0.9611.
    match = compare("Martha", "Marhta")
    assert round(match.similarity, 4) == 0.9611
    assert match.edits == 1  # one swap of neighbours (Damerau-Levenshtein)
    assert rules.same_name(match)


def test_when_two_spellings_count_as_one_name():
    assert rules.same_name(compare("Jon", "John"))  # sound alike
    assert rules.same_name(compare("Smiht", "Smith"))  # one swap in a five-letter name
    # SEAN / SHAUN: keys SN and XN differ; Jaro-Winkler 0.805 < 0.88; two edits.
    sean = compare("Sean", "Shaun")
    assert not sean.same_sound and round(sean.similarity, 3) == 0.805 and sean.edits == 2
    assert not rules.same_name(sean)
    # BEN / BEA: Jaro (2/3 + 2/3 + 2/2) / 3 = 0.7778, prefix BE: 0.7778 + 2 x 0.1 x 0.2222 = 0.8222; one edit, but
    # in a three-letter name one edit is a different name.
    ben = compare("Ben", "Bea")
    assert round(ben.similarity, 4) == 0.8222 and ben.edits == 1
    assert not rules.same_name(ben)


def _row(pk, first, last, dob, *, upn="", former="", postcode="", line="", preferred=""):
    return prepare({"pk": pk, "upn": upn or f"A{pk:012d}", "former_upn": former, "legal_first_name": first,
                    "legal_last_name": last, "preferred_first_name": preferred, "preferred_last_name": "",
                    "date_of_birth": dob, "postcode_key": postcode, "address_line": line, "family_id": None,
                    "first_name_key": name_key(first), "last_name_key": name_key(last)})


def test_same_date_of_birth_and_similar_names_scores_the_average_similarity():
    # KATHERINE / CATHERINE: 8 of 9 letters match in place, no transpositions, no common prefix:
    # Jaro-Winkler = (8/9 + 8/9 + 8/8) / 3 = 0.9259. Surnames identical (1.0). Score = (0.9259 + 1) x 50 = 96.
    matches = compare_records(_row(1, "Katherine", "Smith", D(2015, 3, 27)), _row(2, "Catherine", "Smith",
                                                                                   D(2015, 3, 27)))
    assert [(m.rule.code, m.score) for m in matches] == [("dob_name", 96)]
    assert "Katherine / Catherine sound alike" in matches[0].detail
    assert "surnames Smith the same" in matches[0].detail


def test_a_preferred_name_counts():
    matches = compare_records(_row(1, "Robert", "Jones", D(2014, 1, 2), preferred="Bobby"),
                              _row(2, "Bobby", "Jones", D(2014, 1, 2)))
    assert [m.rule.code for m in matches] == ["dob_name"]


def test_twins_with_different_first_names_are_not_a_pair():
    assert compare_records(_row(1, "Amy", "Able", D(2015, 3, 27)), _row(2, "Ben", "Able", D(2015, 3, 27))) == []


def test_former_upn_matches():
    a = _row(1, "Ann", "Lee", D(2014, 1, 2), upn="A123456789012")
    b = _row(2, "Zed", "Kay", D(2013, 5, 6), upn="B123456789012", former="A123456789012")
    assert [(m.rule.code, m.score) for m in compare_records(a, b)] == [("former_upn", 100)]
    c = _row(3, "Ann", "Lee", D(2014, 1, 2), upn="C123456789012", former="A123456789012")
    assert [(m.rule.code, m.score) for m in compare_records(b, c)] == [("former_upn", 95)]  # and one is A's UPN


def test_same_address_and_surname_needs_a_similar_first_name():
    # JAYDEN / JADEN: 5 of 6 letters match, no transpositions: Jaro (5/6 + 5/5 + 5/5) / 3 = 0.9444; prefix JA:
    # Jaro-Winkler 0.9444 + 2 x 0.1 x 0.0556 = 0.9556. Surname identical, so score = (0.9556 + 1) x 50 = 98.
    home = {"postcode": "BN71AA", "line": "12 High Street"}
    jayden = _row(1, "Jayden", "Brown", D(2014, 1, 2), **home)
    jaden = _row(2, "Jaden", "Brown", D(2014, 2, 1), **home)
    matches = compare_records(jayden, jaden)
    assert [(m.rule.code, m.score) for m in matches] == [("address_surname", 98)]
    sister = _row(3, "Chloe", "Brown", D(2016, 7, 8), **home)
    assert compare_records(jayden, sister) == []  # a sibling: same address and surname, another name
    elsewhere = _row(4, "Jaden", "Brown", D(2014, 2, 1), postcode="BN71AA", line="14 High Street")
    assert compare_records(jayden, elsewhere) == []
