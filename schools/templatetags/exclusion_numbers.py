"""Numbers on the exclusion and provision pages: days and hours as people write them ("10", "2.5")."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value) -> str:
    """A Decimal without trailing zeros or exponent: 10.0 → "10" (``Decimal.normalize`` alone gives "1E+1")."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value).normalize():f}"
