"""The penalty-notice rules against the worked examples of the issue and statutory-rules.md §3-§4."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from legal import rules
from legal.rules import PriorNotice, RuleError

D = datetime.date


def test_2024_first_notice_21st_day_is_reduced_22nd_is_full():
    amounts = rules.amounts_for("non_attendance", D(2026, 10, 1), is_repeat=False)
    received = D(2026, 10, 1)
    assert amounts.due_on(received, received + datetime.timedelta(days=21)) == Decimal("80.00")
    assert amounts.due_on(received, received + datetime.timedelta(days=22)) == Decimal("160.00")
    assert amounts.due_on(received, received + datetime.timedelta(days=28)) == Decimal("160.00")
    assert amounts.due_on(received, received + datetime.timedelta(days=29)) is None
    assert amounts.due_dates(received) == (D(2026, 10, 22), D(2026, 10, 29))


def test_second_notice_is_160_flat_with_no_reduction():
    amounts = rules.amounts_for("term_time_leave", D(2026, 10, 1), is_repeat=True)
    assert amounts.reduced_amount is None and amounts.full_amount == Decimal("160.00")
    assert amounts.due_on(D(2026, 10, 1), D(2026, 10, 2)) == Decimal("160.00")


@pytest.mark.parametrize("issued, reduced, full, days", [
    (D(2010, 5, 1), "50.00", "100.00", (28, 42)),
    (D(2013, 1, 10), "60.00", "120.00", (28, 42)),
    (D(2024, 8, 18), "60.00", "120.00", (21, 28)),
    (D(2024, 8, 19), "80.00", "160.00", (21, 28)),
])
def test_earlier_regimes_for_imported_history(issued, reduced, full, days):
    amounts = rules.amounts_for("non_attendance", issued, is_repeat=False)
    assert (amounts.reduced_amount, amounts.full_amount) == (Decimal(reduced), Decimal(full))
    assert (amounts.reduced_days, amounts.full_days) == days


def test_excluded_pupil_notices_keep_60_120_after_2024():
    amounts = rules.amounts_for("excluded_public_place", D(2026, 3, 1), is_repeat=False)
    assert (amounts.reduced_amount, amounts.full_amount) == (Decimal("60.00"), Decimal("120.00"))
    earlier = [PriorNotice(D(2026, 1, 1), "excluded_public_place", False)] * 3
    assert rules.check_limit("excluded_public_place", D(2026, 3, 1), earlier) is None


def test_no_notice_before_2004():
    with pytest.raises(RuleError, match="27 February 2004"):
        rules.regime_for("non_attendance", D(2003, 12, 1))


def _prior(*days, withdrawn=()):
    return [PriorNotice(day, "non_attendance", day in withdrawn) for day in days]


def test_second_within_three_years_third_refused_with_alternatives():
    first, second = D(2024, 10, 1), D(2025, 3, 1)
    assert rules.check_limit("non_attendance", D(2025, 1, 1), _prior(first)).number_in_window == 2
    with pytest.raises(RuleError) as error:
        rules.check_limit("term_time_leave", D(2026, 1, 1), _prior(first, second), parent="Pat", child="Ben")
    message = str(error.value)
    assert "Pat has already had 2 penalty notices for Ben" in message
    assert "before 1 October 2027" in message
    for alternative in rules.ALTERNATIVE_ACTIONS:
        assert alternative in message


def test_three_year_window_edges():
    first, second = D(2024, 10, 1), D(2025, 3, 1)
    # The last day "within 3 years" of 1 October 2024 is 30 September 2027; 1 October 2027 starts a new window.
    with pytest.raises(RuleError):
        rules.check_limit("non_attendance", D(2027, 9, 30), _prior(first, second))
    fresh = rules.check_limit("non_attendance", D(2027, 10, 1), _prior(first, second))
    assert fresh.number_in_window == 1 and not fresh.is_repeat
    assert rules.check_limit("non_attendance", D(2027, 9, 30), _prior(first)).number_in_window == 2
    assert rules.check_limit("non_attendance", D(2027, 10, 1), _prior(first)).number_in_window == 1


def test_withdrawn_notices_do_not_count():
    first, second = D(2024, 10, 1), D(2025, 3, 1)
    check = rules.check_limit("non_attendance", D(2026, 1, 1), _prior(first, second, withdrawn={second}))
    assert check.number_in_window == 2
    assert rules.check_limit("non_attendance", D(2026, 1, 1), _prior(first, withdrawn={first})).number_in_window == 1


def test_notices_before_the_2024_framework_never_count():
    check = rules.check_limit("non_attendance", D(2025, 1, 1), _prior(D(2023, 5, 1), D(2024, 6, 1)))
    assert check.number_in_window == 1


def test_postal_service_is_received_on_the_second_working_day():
    assert rules.received_on(D(2026, 11, 20), "post") == D(2026, 11, 24)  # Friday -> Tuesday
    assert rules.received_on(D(2026, 12, 24), "post") == D(2026, 12, 30)  # 25 and 28 Dec are bank holidays
    assert rules.received_on(D(2026, 11, 20), "hand") == D(2026, 11, 20)


def test_working_days_skip_weekends_and_bank_holidays():
    assert rules.add_working_days(D(2026, 11, 23), 10) == D(2026, 12, 7)
    assert rules.add_working_days(D(2026, 12, 21), 10) == D(2027, 1, 7)  # 25, 28 Dec and 1 Jan are holidays


def test_information_deadline_is_six_calendar_months():
    assert rules.information_deadline(D(2026, 5, 15)) == D(2026, 11, 15)
    assert rules.information_deadline(D(2026, 8, 31)) == D(2027, 2, 28)


def test_eso_lasts_one_year():
    assert rules.eso_expiry(D(2026, 1, 10)) == D(2027, 1, 9)
