"""Template helpers for traded services: money, days, and "may this user" checks for the navigation."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(value) -> str:
    """£1,234.50; a credit as −£250.00; a dash for nothing."""
    if value is None or value == "":
        return "–"
    amount = Decimal(str(value))
    text = f"£{abs(amount):,.2f}"
    return f"−{text}" if amount < 0 else text


@register.filter
def days(value) -> str:
    """1 day, 1.5 days, 0.5 days."""
    if value is None or value == "":
        return "–"
    amount = Decimal(str(value)).quantize(Decimal("0.1")).normalize()
    return f"{amount:f} day" + ("" if amount == 1 else "s")


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "–"
    return f"{Decimal(str(value)).normalize():f}"


@register.filter
def can(user, capability: str) -> bool:
    return bool(user and user.is_authenticated and user.can(capability))
