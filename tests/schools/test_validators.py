"""UPN, URN and LAESTAB validation against the DfE check-letter method."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from schools.validators import CHECK_LETTERS, upn_check_letter, validate_laestab, validate_upn, validate_urn


def test_worked_example_from_the_dfe_method():
    # Body 820200101001: weights 2..13 give 0*2+... = sum; worked by hand:
    # 8*2 + 2*3 + 0*4 + 2*5 + 0*6 + 0*7 + 1*8 + 0*9 + 1*10 + 0*11 + 0*12 + 1*13 = 16+6+10+8+10+13 = 63; 63 % 23 = 17 → U
    assert upn_check_letter("820200101001") == "U"
    validate_upn("U820200101001")


def test_temporary_upn_ending_in_a_letter():
    body = "82020010100A"
    validate_upn(upn_check_letter(body) + body)


@pytest.mark.parametrize("bad, code", [
    ("A82020010100", "upn_length"),
    ("A820200101001", "upn_check_letter"),
    ("U82020010100I", "upn_format"),
    ("1820200101001", "upn_format"),
])
def test_bad_upns_say_what_is_wrong(bad, code):
    with pytest.raises(ValidationError) as error:
        validate_upn(bad)
    assert error.value.code == code


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_body_with_its_check_letter_validates(body):
    validate_upn(upn_check_letter(body) + body)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.sampled_from(CHECK_LETTERS))
def test_any_other_letter_is_rejected(body, letter):
    if letter == upn_check_letter(body):
        return
    with pytest.raises(ValidationError):
        validate_upn(letter + body)


@pytest.mark.parametrize("value", ["12345", "012345", "1234567", "12345a"])
def test_bad_urns(value):
    with pytest.raises(ValidationError):
        validate_urn(value)


@pytest.mark.parametrize("value", ["845401", "84540123", "845-4012"])
def test_bad_laestabs(value):
    with pytest.raises(ValidationError):
        validate_laestab(value)
