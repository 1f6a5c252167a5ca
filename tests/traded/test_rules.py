"""The money rules of interventions.traded.rules against worked examples, and a property test of the 7/12 + 5/12
split."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interventions.traded import rules


def test_rounding_is_to_the_penny_half_up():
    assert rules.pence(D("21.875")) == D("21.88")  # 17.5% of £125: half up, not banker's rounding
    assert rules.pence(D("0.005")) == D("0.01")
    assert rules.pence(D("0.0049")) == D("0.00")
    assert rules.pence(D("12.345")) == D("12.35")


@pytest.mark.parametrize(("units", "expected"), [
    (D("1"), D("225.00")),  # seed 000: Officer £225 a day
    (D("0.5"), D("125.00")),  # a half day at the half-day rate, not half the day rate
    (D("1.5"), D("350.00")),  # 1 day + 1 half day, not 1.5 x £225 = £337.50
    (D("3"), D("675.00")),
    (D("2.5"), D("575.00")),
])
def test_part_units_take_the_half_day_rate(units, expected):
    assert rules.units_price(units=units, unit_price=D("225.00"), half_unit_price=D("125.00")) == expected


def test_units_sold_whole_refuse_a_half():
    with pytest.raises(ValueError, match="sold whole"):
        rules.units_price(units=D("1.5"), unit_price=D("125.00"))
    with pytest.raises(ValueError):
        rules.units_price(units=D("1.25"), unit_price=D("225.00"), half_unit_price=D("125.00"))


def test_vat_per_line():
    assert rules.with_vat(D("250.00"), D("20.00")) == rules.Money(D("250.00"), D("50.00"))
    assert rules.with_vat(D("125.00"), D("17.50")).vat == D("21.88")
    assert rules.with_vat(D("41.25"), D("20.00")).vat == D("8.25")
    assert rules.with_vat(D("190.00"), D("0.00")) == rules.Money(D("190.00"), D("0.00"))  # exempt or outside scope
    assert rules.with_vat(D("62.50"), D("20.00")).total == D("75.00")


def test_tier_discounts():
    tiers = [(D("5"), D("5")), (D("10"), D("10")), (D("20"), D("15"))]
    assert rules.tier_for(D("4.5"), tiers) == 0
    assert rules.tier_for(D("5"), tiers) == 5
    assert rules.tier_for(D("19.5"), tiers) == 10
    assert rules.tier_for(D("25"), tiers) == 15
    # 7 Adviser days: 7 x £340 = £2,380.00, 5% off = £2,261.00
    assert rules.discounted(D("2380.00"), D("5")) == D("2261.00")
    # 10.5 Officer days: 10 x £225 + £125 = £2,375.00, 10% off = £2,137.50
    assert rules.discounted(rules.units_price(units=D("10.5"), unit_price=D("225"), half_unit_price=D("125")),
                            D("10")) == D("2137.50")
    # A discount that leaves part pennies rounds half up: £190 less 15% = £161.50; £125 less 12.5% = £109.375
    assert rules.discounted(D("125.00"), D("12.5")) == D("109.38")


def test_late_cancellation_shares():
    assert rules.share(D("350.00"), D("50")) == D("175.00")
    assert rules.share(D("125.00"), D("33")) == D("41.25")
    assert rules.share(D("190.00"), D("33.33")) == D("63.33")  # 63.327 -> 63.33
    assert rules.late_package_days(D("2"), D("50")) == D("1.0")
    assert rules.late_package_days(D("1.5"), D("50")) == D("1.0")  # 0.75 of a day rounds up to 1.0
    assert rules.late_package_days(D("0.5"), D("50")) == D("0.5")
    assert rules.late_package_days(D("3"), D("0")) == D("0.0")


def test_seven_twelfths_and_five_twelfths():
    # 7 Adviser days at 5% off: £2,261.00 + VAT £452.20 = £2,713.20
    price = rules.with_vat(D("2261.00"), D("20.00"))
    first, second = rules.instalments(price)
    assert first == rules.Money(D("1318.92"), D("263.78"))  # 2261 x 7/12 = 1318.9166..., 452.20 x 7/12 = 263.7833...
    assert second == rules.Money(D("942.08"), D("188.42"))  # the remainder
    assert first.total + second.total == D("2713.20")
    # 10 Officer days at 10% off: £2,025.00 splits exactly
    first, second = rules.instalments(rules.with_vat(D("2025.00"), D("20.00")))
    assert (first.net, second.net, first.vat, second.vat) == (D("1181.25"), D("843.75"), D("236.25"), D("168.75"))


@given(st.integers(min_value=0, max_value=10_000_000))
def test_instalments_always_add_up_to_the_price(pennies):
    net = D(pennies) / 100
    price = rules.with_vat(net, D("20.00"))
    first, second = rules.instalments(price)
    assert first.net + second.net == price.net and first.vat + second.vat == price.vat
    assert abs(first.net - price.net * 7 / 12) <= D("0.005")
    assert second.net >= 0 and second.vat >= 0


def test_floor_and_ceil_half():
    assert rules.floor_half(D("46.4")) == D("46.0")
    assert rules.floor_half(D("29.5")) == D("29.5")
    assert rules.floor_half(D("29.9")) == D("29.5")
    assert rules.ceil_half(D("0.75")) == D("1.0")
    assert rules.is_half_step(D("1.5")) and not rules.is_half_step(D("1.25"))
