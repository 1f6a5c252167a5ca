"""Identifiers used by the DfE: UPN (with its check letter), URN and LAESTAB.

Source: DfE "Unique pupil numbers (UPN): guidance for schools and local authorities" (check-letter algorithm),
Get Information About Schools (URN is 6 digits; LAESTAB is the 3-digit LA code followed by a 4-digit establishment
number).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Remainder (mod 23) → check letter. I, O and S are never used because they look like 1, 0 and 5.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_PATTERN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


def upn_check_letter(body: str) -> str:
    """Check letter for the 12 characters after it. A temporary UPN ends in a letter, valued by CHECK_LETTERS."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * weight
    return CHECK_LETTERS[total % 23]


def validate_upn(value: str) -> None:
    upn = (value or "").strip().upper()
    if len(upn) != 13:
        raise ValidationError("A UPN has 13 characters: a check letter then 12 digits (the last may be a letter).",
                              code="upn_length")
    if not UPN_PATTERN.match(upn) or (upn[-1].isalpha() and upn[-1] not in CHECK_LETTERS):
        raise ValidationError("A UPN is a check letter, 11 digits, then a digit or letter (not I, O or S).",
                              code="upn_format")
    expected = upn_check_letter(upn[1:])
    if upn[0] != expected:
        raise ValidationError(f"The UPN check letter is wrong: for these digits it should be {expected}.",
                              code="upn_check_letter")


def validate_urn(value: str) -> None:
    if not re.fullmatch(r"[1-9][0-9]{5}", (value or "").strip()):
        raise ValidationError("A URN is 6 digits, for example 114580.", code="urn_format")


def validate_laestab(value: str) -> None:
    if not re.fullmatch(r"[0-9]{3}[0-9]{4}", (value or "").strip()):
        raise ValidationError("A LAESTAB is 7 digits: the 3-digit LA code then the 4-digit establishment number, "
                              "for example 8454012.", code="laestab_format")


def validate_la_code(value: str) -> None:
    if not re.fullmatch(r"[0-9]{3}", (value or "").strip()):
        raise ValidationError("A DfE LA code is 3 digits, for example 845.", code="la_code_format")
