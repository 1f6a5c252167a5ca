"""DfE attendance codes (both regimes) and the pure rate helpers, checked against the reference and exact arithmetic.

The code lists below are transcribed by hand from /work/shared/reference/statutory-rules.md §2.1 and §2.2, so they are
an independent copy of what schools/attendance/codes.py should contain.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schools.attendance.codes import (
    CODES,
    DEFAULT_STAGE_THRESHOLDS,
    MISSING_MARK,
    PERSISTENT_ABSENCE_RATE,
    PN_THRESHOLD_SESSIONS,
    PN_THRESHOLD_WINDOW_SCHOOL_WEEKS,
    REGIME_CHANGE_DATE,
    SEVERE_ABSENCE_RATE,
    AttendanceCode,
    Category,
    Regime,
    Stage,
    StageBand,
    UnknownCode,
    absence_rate,
    attendance_rate,
    code_set,
    is_persistent,
    is_severe,
    lookup,
    regime_for,
    suggested_stage,
    summarise,
)

D = datetime.date
OLD_DAY = D(2024, 8, 18)  # last day of the 2006 codes
NEW_DAY = D(2024, 8, 19)  # first day of the 2024 codes
NEW, OLD = Regime.FROM_2024_08_19, Regime.PRE_2024

# Ref §2.1, by category as the table gives "Possible?" and category.
REF_2024 = {
    Category.PRESENT: {"/", "\\", "L"},
    Category.AEA: {"K", "V", "P", "W", "B"},
    Category.AUTHORISED: {"C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"},
    Category.UNAUTHORISED: {"G", "N", "O", "U"},
    Category.NOT_COUNTED: {"D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"},
}
# Ref §2.2.
REF_PRE_2024 = {
    Category.PRESENT: {"/", "\\", "L"},
    Category.AEA: {"B", "J", "P", "V", "W"},
    Category.AUTHORISED: {"C", "E", "F", "H", "I", "M", "R", "S", "T"},
    Category.UNAUTHORISED: {"G", "N", "O", "U"},
    Category.NOT_COUNTED: {"D", "X", "Y", "Z", "#"},
}
REFERENCE = {NEW: REF_2024, OLD: REF_PRE_2024}
ALL_ROWS = [(regime, code) for regime, table in CODES.items() for code in table.values()]


def marks(day: datetime.date, *codes: str) -> list[tuple[datetime.date, str]]:
    return [(day, code) for code in codes]


# --- The tables ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("regime, code", ALL_ROWS, ids=[f"{r.value}:{c.code}" for r, c in ALL_ROWS])
def test_every_code_is_complete(regime, code):
    assert CODES[regime][code.code] is code
    assert isinstance(code.category, Category)
    assert code.meaning.strip() and code.source.strip()
    assert 1 <= len(code.code) <= 2
    assert code.counts_as_possible == (code.category != Category.NOT_COUNTED)
    assert code.counts_as_attendance == (code.category in {Category.PRESENT, Category.AEA})
    assert not code.counts_as_attendance or code.counts_as_possible
    if code.unconfirmed:
        assert code.note.strip()


@pytest.mark.parametrize("regime", [NEW, OLD])
def test_tables_match_the_reference_exactly(regime):
    by_category = {category: set() for category in Category}
    for code in CODES[regime].values():
        by_category[code.category].add(code.code)
    assert by_category == REFERENCE[regime]


def test_table_sizes():
    assert len(CODES[NEW]) == 34
    assert len(CODES[OLD]) == 26


def test_new_2024_codes_and_retired_codes():
    new_codes = {"K", "C1", "C2", "J1", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}  # ASCL: "12 new codes"
    assert new_codes <= CODES[NEW].keys()
    assert not new_codes & CODES[OLD].keys()
    retired = {"H", "J", "Y", "F"}
    assert retired <= CODES[OLD].keys()
    assert not retired & CODES[NEW].keys()


def test_j_moved_from_attendance_to_authorised_absence():
    # Reference "Surprises" 2: the same interview counted as attendance before 19 August 2024 and absence after.
    assert lookup("J", OLD_DAY).category == Category.AEA
    assert lookup("J", OLD_DAY).counts_as_attendance
    assert lookup("J1", NEW_DAY).category == Category.AUTHORISED
    assert not lookup("J1", NEW_DAY).counts_as_attendance


def test_only_g_n_o_u_count_toward_the_penalty_notice_threshold():
    assert code_set(NEW, lambda c: c.pn_threshold) == {"G", "N", "O", "U"}
    # No national threshold existed before 19 August 2024 (see the module's note on pre-2024 G/N/O/U).
    assert code_set(OLD, lambda c: c.pn_threshold) == set()
    assert PN_THRESHOLD_SESSIONS == 10
    assert PN_THRESHOLD_WINDOW_SCHOOL_WEEKS == 10


@pytest.mark.parametrize("regime", [NEW, OLD])
def test_late_codes(regime):
    assert code_set(regime, lambda c: c.is_late) == {"L", "U"}
    assert CODES[regime]["L"].counts_as_attendance
    assert CODES[regime]["U"].category == Category.UNAUTHORISED


@pytest.mark.parametrize("day", [OLD_DAY, NEW_DAY])
@pytest.mark.parametrize("code", ["X", "Z", "#", "D"])
def test_x_z_hash_and_d_are_not_possible_sessions_in_either_regime(day, code):
    meaning = lookup(code, day)
    assert meaning.category == Category.NOT_COUNTED
    assert not meaning.counts_as_possible


def test_unconfirmed_codes_are_the_ones_the_reference_flags():
    assert code_set(NEW, lambda c: c.unconfirmed) == {"D", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}
    assert code_set(OLD, lambda c: c.unconfirmed) == {"D"}
    for code in ("Q", "Y1", "Y7"):
        assert "DfE dashboard" in CODES[NEW][code].note


def test_tables_and_codes_are_read_only():
    with pytest.raises(TypeError):
        CODES[NEW]["N"] = CODES[NEW]["O"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CODES[NEW]["N"].category = Category.AUTHORISED


def test_a_bad_row_is_refused():
    with pytest.raises(ValueError, match="only unauthorised"):
        AttendanceCode("I", "Illness", Category.AUTHORISED, "test", pn_threshold=True)
    with pytest.raises(ValueError, match="no note"):
        AttendanceCode("Q", "Access", Category.NOT_COUNTED, "test", unconfirmed=True)
    with pytest.raises(ValueError, match="upper case"):
        AttendanceCode("n", "No reason", Category.UNAUTHORISED, "test")


# --- Regime and lookup -----------------------------------------------------------------------------------------------


def test_regime_switches_on_19_august_2024():
    assert REGIME_CHANGE_DATE == NEW_DAY
    assert regime_for(OLD_DAY) == OLD
    assert regime_for(NEW_DAY) == NEW
    assert regime_for(D(2006, 9, 1)) == OLD
    assert regime_for(D(2026, 1, 5)) == NEW
    with pytest.raises(TypeError):
        regime_for(datetime.datetime(2024, 8, 19, 9, 0))


def test_lookup_uses_the_regime_of_the_marks_date():
    assert lookup("H", OLD_DAY).category == Category.AUTHORISED
    with pytest.raises(UnknownCode):
        lookup("H", NEW_DAY)
    assert lookup("C1", NEW_DAY).category == Category.AUTHORISED
    with pytest.raises(UnknownCode):
        lookup("C1", OLD_DAY)
    assert lookup("Y", OLD_DAY).category == Category.NOT_COUNTED
    with pytest.raises(UnknownCode):
        lookup("Y", NEW_DAY)
    # Same letter, different meaning either side of the change.
    assert lookup("C", OLD_DAY) is CODES[OLD]["C"]
    assert lookup("C", NEW_DAY) is CODES[NEW]["C"]


@pytest.mark.parametrize("given_code, expected", [("n", "N"), ("c1", "C1"), ("y7", "Y7"), ("l", "L"), ("/", "/"),
                                                  ("\\", "\\"), ("#", "#")])
def test_lower_case_letters_are_upper_cased(given_code, expected):
    assert lookup(given_code, NEW_DAY).code == expected


@pytest.mark.parametrize("bad", ["ZZ", "", " N", "N ", "Y8", "C3", "@", "X01", MISSING_MARK, "ñ", "NN"])
def test_unknown_codes_raise_naming_code_date_and_regime(bad):
    day = D(2025, 1, 6)
    with pytest.raises(UnknownCode) as caught:
        lookup(bad, day)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.code, error.day, error.regime) == (bad, day, NEW)
    message = str(error)
    assert repr(bad) in message
    assert "2025-01-06" in message
    assert "19 August 2024" in message
    assert len(message) < 300  # names the problem; does not list every code


def test_unknown_code_message_points_to_the_other_regime_and_the_missing_mark():
    assert "other regime" in str(pytest.raises(UnknownCode, lookup, "h", NEW_DAY).value)
    assert "no mark was recorded" in str(pytest.raises(UnknownCode, lookup, "-", NEW_DAY).value)
    assert "other regime" not in str(pytest.raises(UnknownCode, lookup, "ZZ", NEW_DAY).value)


def test_lookup_refuses_non_strings():
    with pytest.raises(TypeError):
        lookup(None, NEW_DAY)


# --- Rates: worked examples ------------------------------------------------------------------------------------------


def test_exactly_ten_percent_is_persistent():
    # 19 days (38 sessions) of a 190-day year: PA for the full year (ref §1.4, DRET staff guide).
    assert absence_rate(380, 38) == Decimal("0.1")
    assert is_persistent(380, 38)
    assert not is_persistent(380, 37)
    assert is_persistent(10_000, 1_000)
    assert not is_persistent(10_000, 999)  # 9.99%
    assert PERSISTENT_ABSENCE_RATE == Decimal("0.10")


def test_exactly_fifty_percent_is_severe():
    assert is_severe(380, 190)
    assert not is_severe(380, 189)
    assert is_severe(3, 2)
    assert not is_severe(3, 1)
    assert SEVERE_ABSENCE_RATE == Decimal("0.50")


def test_no_possible_sessions():
    assert absence_rate(0, 0) is None
    assert attendance_rate(0, 0) is None
    assert not is_persistent(0, 0)
    assert not is_severe(0, 0)
    assert suggested_stage(0, 0) is None


@pytest.mark.parametrize("possible, part", [(-1, 0), (10, -1), (10, 11)])
def test_impossible_counts_are_refused(possible, part):
    for helper in (absence_rate, attendance_rate, is_persistent, is_severe, suggested_stage):
        with pytest.raises(ValueError):
            helper(possible, part)


def test_attendance_and_absence_rates_add_up():
    summary = summarise(marks(NEW_DAY, "/", "\\", "L", "B", "I", "N", "X", "#"))
    assert (summary.possible, summary.attended, summary.absent) == (6, 4, 2)
    assert attendance_rate(summary.possible, summary.attended) + absence_rate(summary.possible, summary.absent) == 1


@pytest.mark.parametrize("possible, attended, stage", [
    (100, 100, Stage.PREVENTION),
    (100, 91, Stage.PREVENTION),
    (10_000, 9_099, Stage.EARLY_INTERVENTION),  # 90.99%: not yet 91%
    (10_000, 9_050, Stage.EARLY_INTERVENTION),  # 90.5% is not rounded up
    (100, 90, Stage.EARLY_INTERVENTION),
    (100, 81, Stage.EARLY_INTERVENTION),
    (10_000, 8_099, Stage.TARGETED_SUPPORT),  # 80.99%
    (10_000, 8_050, Stage.TARGETED_SUPPORT),  # 80.5%, in the seed's gap between "below 80%" and "81%"
    (100, 80, Stage.TARGETED_SUPPORT),  # 80% itself is in no seed band; the lower stage gets it
    (100, 0, Stage.TARGETED_SUPPORT),
])
def test_default_stage_bands(possible, attended, stage):
    assert suggested_stage(possible, attended) == stage


def test_configured_stage_bands():
    two_bands = (StageBand(Stage.PREVENTION, Decimal("0.95")), StageBand(Stage.TARGETED_SUPPORT, Decimal("0")))
    assert suggested_stage(100, 95, two_bands) == Stage.PREVENTION
    assert suggested_stage(100, 94, two_bands) == Stage.TARGETED_SUPPORT
    with pytest.raises(ValueError, match="band starting at 0"):
        suggested_stage(100, 94, DEFAULT_STAGE_THRESHOLDS[:2])
    with pytest.raises(ValueError, match="at most 1"):
        suggested_stage(100, 94, (StageBand(Stage.PREVENTION, Decimal("91")), DEFAULT_STAGE_THRESHOLDS[-1]))


# --- summarise -------------------------------------------------------------------------------------------------------


def test_summarise_a_mixed_week_across_the_regime_change():
    week = (marks(D(2024, 7, 15), "/", "\\", "H", "H", "J", "D", "L", "U")
            + marks(D(2024, 9, 2), "J1", "C2", "K", "Y1", "Q", "G", "n", "#"))
    summary = summarise(week)
    assert summary.present == 3  # / \ L
    assert summary.aea == 2  # J (2024-07) and K
    assert summary.authorised == 4  # H H J1 C2
    assert summary.unauthorised == 3  # U G N
    assert summary.not_counted == 4  # D Y1 Q #
    assert summary.possible == 12
    assert summary.late == 2
    assert summary.per_code["H"] == 2
    assert summary.per_code["N"] == 1  # normalised from "n"
    assert sum(summary.per_code.values()) == len(week)


@pytest.mark.parametrize("day, code", [(NEW_DAY, c) for c in sorted(code_set(NEW, lambda c: not c.counts_as_possible))]
                         + [(OLD_DAY, c) for c in sorted(code_set(OLD, lambda c: not c.counts_as_possible))])
def test_a_not_counted_code_leaves_possible_sessions_unchanged(day, code):
    base = marks(day, "/", "\\", "I", "N")
    before, after = summarise(base), summarise(base + [(day, code)])
    assert after.possible == before.possible == 4
    assert (after.attended, after.absent) == (before.attended, before.absent)
    assert after.not_counted == before.not_counted + 1


def test_summarise_rejects_unknown_codes():
    with pytest.raises(UnknownCode):
        summarise(marks(NEW_DAY, "/", "H"))


# --- Properties against Fraction arithmetic --------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=100_000).flatmap(
    lambda possible: st.tuples(st.just(possible), st.integers(min_value=0, max_value=possible)))


@given(counts)
def test_persistent_and_severe_match_fraction_arithmetic(pair):
    possible, absent = pair
    if possible == 0:
        assert not is_persistent(possible, absent) and not is_severe(possible, absent)
        return
    share = Fraction(absent, possible)
    assert is_persistent(possible, absent) == (share >= Fraction(1, 10))
    assert is_severe(possible, absent) == (share >= Fraction(1, 2))
    # The Decimal rate is for display, but it must sit on the right side of the threshold too (or on it exactly).
    assert abs(Fraction(absence_rate(possible, absent)) - share) < Fraction(1, 10**20)


@given(counts)
def test_suggested_stage_matches_fraction_arithmetic(pair):
    possible, attended = pair
    if possible == 0:
        assert suggested_stage(possible, attended) is None
        return
    share = Fraction(attended, possible)
    expected = (Stage.PREVENTION if share >= Fraction(91, 100)
                else Stage.EARLY_INTERVENTION if share >= Fraction(81, 100) else Stage.TARGETED_SUPPORT)
    assert suggested_stage(possible, attended) == expected
    # The comment's restatement: truncate to a whole percent, then 91–100 / 81–90 / 0–80.
    whole_percent = attended * 100 // possible
    assert expected == (Stage.PREVENTION if whole_percent >= 91
                        else Stage.EARLY_INTERVENTION if whole_percent >= 81 else Stage.TARGETED_SUPPORT)


days = st.dates(min_value=D(2023, 9, 1), max_value=D(2025, 7, 31))
valid_marks = days.flatmap(lambda day: st.tuples(st.just(day), st.sampled_from(sorted(CODES[regime_for(day)]))))


@given(st.lists(valid_marks, max_size=60))
def test_summary_categories_add_up(mark_list):
    summary = summarise(mark_list)
    assert summary.present + summary.aea + summary.authorised + summary.unauthorised == summary.possible
    assert summary.possible + summary.not_counted == len(mark_list)
    assert sum(summary.per_code.values()) == len(mark_list)
    assert summary.late == summary.per_code["L"] + summary.per_code["U"]
