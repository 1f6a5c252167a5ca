"""Contact details as GOV.UK Notify will take them: UK postcodes, UK phone numbers (a UK mobile for text messages)
and email addresses. Checked when an officer saves them, so a letter, email or text is not refused later.

Sources:
- Postcodes: ONS / Royal Mail postcode format (outward code: area, district, optional sub-district letter; inward
  code: sector digit and two unit letters, never C, I, K, M, O or V); GIR 0AA is Girobank's. Notify reads the last
  line of a letter's address as its postcode ("Last line of address must be a real UK postcode or another
  country").
- Phone numbers: Ofcom's UK numbering plan (national numbers are 0 and 9 or 10 more digits; mobiles are 07 and 9
  digits, not 070 personal numbers or 076 pagers except 07624 on the Isle of Man), written +44 7..., 0044 7... or
  07...; Notify's text messages go only to UK mobiles unless the service has international text messages switched on.
- Address lines: Notify's letter rules, 3 to 7 lines with the name (so 2 to 6 below it), the last the postcode.
- Email: Django's validator, plus what Notify also refuses (no dot in the domain, two dots in a row).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as django_validate_email

POSTCODE = re.compile(
    r"^(?:GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$")
UK_MOBILE = re.compile(r"^07(?:[1-57-9][0-9]{8}|624[0-9]{6})$")
UK_NUMBER = re.compile(r"^0[1-9][0-9]{8,9}$")
INTERNATIONAL = re.compile(r"^\+[1-9][0-9]{7,14}$")
#: Lines under the name on a posted letter (Notify: 3 to 7 lines including the name).
MIN_ADDRESS_LINES, MAX_ADDRESS_LINES = 2, 6

PHONE_EXAMPLE = "like 01632 960 001, 07700 900 982 or +44 808 157 0192"
MOBILE_EXAMPLE = "like 07700 900 982"


def normalise_postcode(value: str) -> str:
    """'bn72aa' -> 'BN7 2AA'; raises ValidationError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not POSTCODE.fullmatch(compact):
        raise ValidationError(f"“{value.strip()}” is not a UK postcode: enter a real postcode, like BN7 2AA.",
                              code="postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def _digits(value: str) -> str:
    """The number as typed without spaces, brackets, dots or dashes; +44 / 0044 become a leading 0."""
    compact = re.sub(r"[\s().-]", "", value or "")
    if compact.startswith("0044"):
        compact = "+44" + compact[4:]
    if compact.startswith("+44"):
        rest = compact[3:]
        compact = "0" + (rest[1:] if rest.startswith("0") else rest)  # +44 (0)7700... is written too
    return compact


def normalise_phone(value: str) -> str:
    """A UK number as 0... digits, or an international one as +digits; raises ValidationError otherwise."""
    number = _digits(value)
    if UK_NUMBER.fullmatch(number) or INTERNATIONAL.fullmatch(number):
        return number
    raise ValidationError(f"Enter a phone number with its area code, {PHONE_EXAMPLE}.", code="phone")


def is_uk_mobile(value: str) -> bool:
    return bool(UK_MOBILE.fullmatch(_digits(value)))


def validate_email_address(value: str) -> str:
    email = (value or "").strip()
    try:
        django_validate_email(email)
    except ValidationError:
        raise ValidationError("Enter an email address in the correct format, like name@example.com.",
                              code="email") from None
    domain = email.rsplit("@", 1)[-1]
    if "." not in domain or ".." in email:
        raise ValidationError("Enter an email address in the correct format, like name@example.com.", code="email")
    return email


def normalise_address(value: str) -> str:
    """A postal address typed as lines (one a line, or separated by commas), returned as 'line, line, POSTCODE'
    with the postcode checked and written the Royal Mail way. Raises ValidationError saying what to change."""
    lines = [part.strip() for part in re.split(r"[,\n]", value or "") if part.strip()]
    if not lines:
        return ""
    if len(lines) < MIN_ADDRESS_LINES:
        raise ValidationError("Enter the street or house and the postcode, each on its own line or separated by "
                              "commas, like 1 Station Road, Lewes, BN7 2AA.", code="address_lines")
    if len(lines) > MAX_ADDRESS_LINES:
        raise ValidationError(f"A posted letter's address can have at most {MAX_ADDRESS_LINES} lines (with the "
                              "postcode): join some lines together.", code="address_lines")
    try:
        lines[-1] = normalise_postcode(lines[-1])
    except ValidationError:
        raise ValidationError(f"End the address with its postcode: “{lines[-1]}” is not a UK postcode (like "
                              "1 Station Road, Lewes, BN7 2AA).", code="address_postcode") from None
    return ", ".join(lines)
