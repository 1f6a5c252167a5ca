"""The rules as data, with worked examples (Pupil Registration Regulations 2024 regs 9 and 13)."""

from __future__ import annotations

import datetime

from schools.roll import rules
from schools.roll.rules import Step

D = datetime.date


def test_every_reg_9_1_ground_a_to_o_is_listed_once_in_order():
    assert list(rules.GROUNDS) == list("abcdefghijklmno")
    assert rules.GROUNDS["f"].regulation == "reg 9(1)(f)"
    assert rules.GROUND_CHOICES[14] == ("o", "reg 9(1)(o): Permanently excluded")


def test_the_ground_decides_the_next_step():
    assert rules.next_step("f", destination_known=False) == Step.EHE  # home education
    assert rules.next_step("e", destination_known=True) == Step.EHE  # SAO revoked: education otherwise
    assert rules.next_step("i", destination_known=False) == Step.CME  # 20 days, whereabouts unknown
    assert rules.next_step("h", destination_known=True) == Step.CME
    assert rules.next_step("o", destination_known=False) == Step.EXCLUSION
    assert rules.next_step("a", destination_known=True) == Step.MOVE
    assert rules.next_step("k", destination_known=False) == Step.RECORD  # died
    # Moved away: the new school known -> check the move; not known -> children missing education.
    assert rules.next_step("g", destination_known=True) == Step.MOVE
    assert rules.next_step("g", destination_known=False) == Step.CME


def test_cme_reason_for_ground_i_is_the_20_day_rule():
    assert rules.cme_reason("i") == "deletion_20"
    assert rules.cme_reason("g") == "no_destination"


def test_standard_transition_points_need_no_notice():
    assert rules.is_standard_leaving(phase="primary", nc_year=6, left_on=D(2026, 7, 22))
    assert not rules.is_standard_leaving(phase="primary", nc_year=4, left_on=D(2026, 7, 22))
    assert not rules.is_standard_leaving(phase="primary", nc_year=6, left_on=D(2026, 3, 3))
    assert rules.is_standard_leaving(phase="secondary", nc_year=11, left_on=D(2026, 8, 31))
    assert rules.is_standard_joining(phase="primary", nc_year=0, started_on=D(2026, 9, 3))
    assert not rules.is_standard_joining(phase="primary", nc_year=3, started_on=D(2026, 9, 3))
    assert not rules.is_standard_joining(phase="primary", nc_year=0, started_on=D(2027, 1, 5))
    assert rules.is_standard_joining(phase="secondary", nc_year=7, started_on=D(2026, 9, 14))
    assert not rules.is_standard_joining(phase="secondary", nc_year=7, started_on=D(2026, 9, 15))
