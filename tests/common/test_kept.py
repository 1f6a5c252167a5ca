"""schools.common.kept: figures worked out once, kept under a key naming what they rest on, worked out again on
request, and a zero kept like any other figure."""

import pytest
from django.core.cache import cache

from schools.common.kept import KEEP_MINUTES, KEEP_SECONDS, kept, kept_key


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def counter(values):
    calls = []

    def work_out():
        calls.append(1)
        return values[len(calls) - 1]

    return work_out, calls


def test_worked_out_once_then_kept():
    work_out, calls = counter([41, 42])
    key = kept_key("count", "la", "2026/27")
    assert kept(key, work_out) == (41, False)
    assert kept(key, work_out) == (41, True)
    assert len(calls) == 1


def test_again_works_them_out_and_keeps_the_new_ones():
    work_out, calls = counter([1, 2])
    key = kept_key("count", "la")
    kept(key, work_out)
    assert kept(key, work_out, again=True) == (2, False)
    assert kept(key, work_out) == (2, True) and len(calls) == 2


def test_a_zero_is_kept_like_any_other_figure():
    work_out, calls = counter([0, 99])
    key = kept_key("count", "school:7")
    kept(key, work_out)
    assert kept(key, work_out) == (0, True) and len(calls) == 1


def test_keys_differ_with_any_part_and_agree_on_the_same_parts():
    base = kept_key("count", "la", "2026/27", "2026-11-23T09:00:00")
    assert base == kept_key("count", "la", "2026/27", "2026-11-23T09:00:00")
    assert base.startswith("count:") and len(base) == len("count:") + 40
    assert base != kept_key("count", "la", "2026/27", "2026-11-23T09:05:00")  # a later import
    assert base != kept_key("count", "3,4", "2026/27", "2026-11-23T09:00:00")  # another reader's scope
    assert base != kept_key("other", "la", "2026/27", "2026-11-23T09:00:00")
    # Moving text across a boundary, separator and all, names other figures.
    assert kept_key("count", "ab", "c") != kept_key("count", "a", "bc")
    assert kept_key("count", "a|b", "c") != kept_key("count", "a", "b|c")
    assert kept_key("count", 'a", "b', "c") != kept_key("count", "a", 'b", "c')


def test_kept_for_five_minutes():
    assert KEEP_SECONDS == 300 and KEEP_MINUTES == 5
