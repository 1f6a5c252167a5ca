"""Money and time rules for traded services, written down once and tested against worked examples
(tests/traded/test_rules.py). Pure functions on Decimals: no database, no floats.

Rounding rules
--------------
1. Money is ``Decimal`` in pounds with two places (pence). Every rounding is to the penny, half up
   (``ROUND_HALF_UP``: 0.005 -> 0.01), the convention finance systems and HMRC's VAT guidance use (VAT Notice 700
   section 17.5 allows rounding half up on each line).
2. Part units. Seed 000 prices a half day separately (Officer: £225 a day, £125 a half day), so a day-priced service
   delivered for 1.5 days is charged 1 day + 1 half day (£350), never 1.5 x the day rate (£337.50). Day-priced
   services come in steps of half a day; half-day, session and package services in whole units.
3. Reduced rates (tiers) apply to advance purchases of several days: annual packages. The discount is taken off the
   package's net price and rounded to the penny: 7 Adviser days at 5% off = £2,380.00 x 0.95 = £2,261.00.
4. VAT is worked out on each line's net and rounded to the penny (a credit note reverses a line exactly).
   Exempt, zero-rated and outside-the-scope lines carry no VAT.
5. Late cancellation charges the configured share of the booking's net price, rounded to the penny.
6. The 7/12 + 5/12 schedule (Buckinghamshire's SLA, shared/reference/peers.md): the first instalment is 7/12 of the
   package's net and of its VAT, each rounded to the penny; the second is the remainder, so the two invoices always
   add up to exactly the price the school was quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
HALF = Decimal("0.5")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

# The 7/12 + 5/12 schedule: September to March (seven months of the academic year, invoiced in the autumn) and
# April to August (five months, invoiced from April, the council's new financial year). Source: Buckinghamshire
# traded services SLA (shared/reference/peers.md, traded services).
FIRST_INSTALMENT = Decimal(7) / Decimal(12)


def pence(amount: Decimal) -> Decimal:
    """Round to the penny, half up."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def is_half_step(value: Decimal) -> bool:
    return (Decimal(value) * 2) == (Decimal(value) * 2).to_integral_value()


def floor_half(value: Decimal) -> Decimal:
    """Round down to a half (working days at 0.8 FTE over 58 days = 46.4 -> 46.0)."""
    return (Decimal(value) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2


def ceil_half(value: Decimal) -> Decimal:
    return (Decimal(value) * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def units_price(*, units: Decimal, unit_price: Decimal, half_unit_price: Decimal | None = None) -> Decimal:
    """Net price of ``units`` at ``unit_price``; a trailing half unit (1.5 days) at ``half_unit_price`` (rule 2).

    Raises ValueError for a part unit that cannot be priced (a half unit with no half-unit price, or a step finer
    than a half)."""
    units = Decimal(units)
    whole = units.to_integral_value(rounding=ROUND_FLOOR)
    part = units - whole
    if part == 0:
        return pence(whole * unit_price)
    if part == HALF and half_unit_price is not None:
        return pence(whole * unit_price + half_unit_price)
    raise ValueError(f"{units} units cannot be priced: this unit is sold whole")


def discounted(net: Decimal, percent: Decimal) -> Decimal:
    """Net after a percentage discount, to the penny (rule 3)."""
    return pence(Decimal(net) * (HUNDRED - Decimal(percent)) / HUNDRED)


def share(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` of an amount, to the penny (rule 5)."""
    return pence(Decimal(amount) * Decimal(percent) / HUNDRED)


def vat_on(net: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT on a line's net at ``rate_percent`` (0 for exempt, zero-rated or outside-the-scope lines), rule 4."""
    return pence(Decimal(net) * Decimal(rate_percent) / HUNDRED)


@dataclass(frozen=True)
class Money:
    net: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    def __neg__(self) -> Money:
        return Money(-self.net, -self.vat)


def with_vat(net: Decimal, rate_percent: Decimal) -> Money:
    net = pence(net)
    return Money(net, vat_on(net, rate_percent))


def instalments(price: Money) -> tuple[Money, Money]:
    """The 7/12 and 5/12 instalments of an annual package (rule 6): the second is the remainder."""
    first = Money(pence(price.net * FIRST_INSTALMENT), pence(price.vat * FIRST_INSTALMENT))
    return first, Money(price.net - first.net, price.vat - first.vat)


def tier_for(days: Decimal, tiers) -> Decimal:
    """The discount percent for an advance purchase of ``days``: the highest tier whose threshold it reaches.
    ``tiers`` are (min_days, percent) pairs in any order; no tier reached means no discount."""
    best = Decimal(0)
    for min_days, percent in tiers:
        if Decimal(days) >= Decimal(min_days) and Decimal(percent) > best:
            best = Decimal(percent)
    return best


def late_package_days(days: Decimal, percent: Decimal) -> Decimal:
    """Package days a late cancellation uses up: ``percent`` of the booked days, rounded UP to a half day (the
    officer's time was held; a part day cannot be resold)."""
    if Decimal(percent) <= 0:
        return Decimal("0.0")
    return ceil_half(Decimal(days) * Decimal(percent) / HUNDRED)
