"""Secondary suppression: with small numbers (1 to 4) shown as x, no hidden cell may be worked out again from what a
table still shows: a total, a difference, a percentage or a money amount.

The practice (ONS, "Disclosure control guidance for tables produced from administrative sources", 2014, and the
DfE's statistics disclosure control, which the EES publications follow): a small count is hidden (primary
suppression); wherever a hidden count could be recovered by subtraction from a total it adds up to, a second cell of
the same sum is hidden too (complementary suppression), the smallest that will do; and a rate, share, average or
amount of money worked out from a hidden count is hidden with it.

What each table adds up to is declared here, once, as data (``RELATIONS``): the suppression uses it, and the test
(tests/reporting/test_suppression.py) solves every table of the demo's termly report from its visible cells with the
same declarations and finds no hidden count.
"""

from __future__ import annotations

from dataclasses import dataclass

Address = tuple[int, int]  # (row, column) in a FigureTable's rows
#: Counts from 1 to this minus one are small (reporting.presentation.is_small: seed 000's "less than 5").
SMALL = 5


@dataclass(frozen=True)
class Relations:
    """How a table's cells depend on each other.

    - ``total_columns``: with ``total_row``, the columns whose last row adds up the rows above it.
    - ``row_totals``: (total column, part columns) that hold in every row (issued = paid + withdrawn + ...).
    - ``published_column_totals``: columns whose sum is shown elsewhere in the paper (a headline or another table):
      the sum is known, so one hidden cell of the column would be recoverable.
    - ``derived``: (column, count columns it is worked out from), in the same row: hidden whenever one of them is.
    - ``mirrors``: (other table's key, ((column here, column there), ...)): rows with the same label hide together
      (a share of suspensions by phase is hidden where that phase's count is).
    """

    total_columns: tuple[int, ...] = ()
    row_totals: tuple[tuple[int, tuple[int, ...]], ...] = ()
    published_column_totals: tuple[int, ...] = ()
    derived: tuple[tuple[int, tuple[int, ...]], ...] = ()
    mirrors: tuple[str, tuple[tuple[int, int], ...]] | None = None


# Attendance by group: 1 enrolments, 2-4 absence rates (sessions, about the group's enrolments), 5 persistently
# absent, 6 persistent absence (5 of 1), 7 severely absent, 8 severe absence (7 of 1).
_ATTENDANCE_GROUP = Relations(published_column_totals=(1, 5, 7),
                              derived=((2, (1,)), (3, (1,)), (4, (1,)), (6, (5, 1)), (8, (7, 1))))
# Exclusions by group: 1 population, 2 suspensions, 3 share of suspensions, 4 suspension rate, 5 permanent,
# 6 share of permanent exclusions.
_EXCLUSION_GROUP = Relations(published_column_totals=(1, 2, 5), derived=((3, (2,)), (4, (2, 1)), (6, (5,))))

RELATIONS: dict[str, Relations] = {
    "attendance_phase": Relations(total_columns=(1, 5, 7),
                                  derived=((2, (1,)), (3, (1,)), (4, (1,)), (6, (5, 1)), (8, (7, 1)))),
    # 1 population, 2 suspensions, 3 rate, 4 pupils suspended, 5 rate, 6 permanent, 7 rate, 8 average length.
    "exclusions_phase": Relations(total_columns=(1, 2, 4, 6),
                                  derived=((3, (2, 1)), (5, (4, 1)), (7, (6, 1)), (8, (2,)))),
    "exclusions_distribution": Relations(mirrors=("exclusions_phase", ((1, 2), (2, 6)))),
    "exclusions_reasons": Relations(derived=((2, (1,)), (4, (3,)))),
    # 1 issued, 2 paid at the reduced rate, 3 paid in full, 4 withdrawn, 5 unpaid, 6 running, 7 payment rate,
    # 8 collected (£60 or £80 a reduced payment, £120 or £160 a full one: a count times a known amount).
    "legal_notices": Relations(total_columns=(1, 2, 3, 4, 5, 6), row_totals=((1, (2, 3, 4, 5, 6)),),
                               derived=((7, (2, 3, 1)), (8, (2, 3)))),
    # 3 prosecutions; 4 fines and 5 costs are amounts for those prosecutions.
    "legal_prosecutions": Relations(derived=((4, (3,)), (5, (3,)))),
    # The open-cases headline card adds these up; cases closed (the flow table) adds up the outcomes.
    "casework_stages": Relations(published_column_totals=(1,)),
    "casework_outcomes": Relations(published_column_totals=(1,)),
    # 1 needed = 2 met + 3 late + 4 none; 5 the share met.
    "provision_day6": Relations(total_columns=(1, 2, 3, 4), row_totals=((1, (2, 3, 4)),), derived=((5, (2, 1)),)),
    "provision_ap": Relations(total_columns=(3,)),
}
#: Tables made per pupil group (their keys end in the group's name).
RELATION_PREFIXES = {"attendance_": _ATTENDANCE_GROUP, "exclusions_": _EXCLUSION_GROUP}
#: Tables with those prefixes that are not group tables.
NOT_GROUP_TABLES = {"attendance_headline", "attendance_weeks", "attendance_england_phase", "exclusions_headline",
                    "exclusions_trend", "exclusions_england_phase"}


def relations_for(key: str) -> Relations | None:
    if key in RELATIONS:
        return RELATIONS[key]
    if key in NOT_GROUP_TABLES:
        return None
    return next((relations for prefix, relations in RELATION_PREFIXES.items() if key.startswith(prefix)), None)


def sum_groups(relations: Relations, rows: int, total_row: bool) -> list[tuple[list[Address], Address | None]]:
    """Every sum the table shows, as (parts, total cell); a total of None is one published elsewhere."""
    groups: list[tuple[list[Address], Address | None]] = []
    if total_row and rows:
        groups += [([(r, c) for r in range(rows - 1)], (rows - 1, c)) for c in relations.total_columns]
    groups += [([(r, c) for r in range(rows)], None) for c in relations.published_column_totals]
    groups += [([(r, part) for part in parts], (r, total))
               for r in range(rows) for total, parts in relations.row_totals]
    return groups


def complementary(counts: dict[Address, int | None], hidden: set[Address],
                  groups: list[tuple[list[Address], Address | None]]) -> set[Address]:
    """The hidden cells after complementary suppression: while any sum has exactly one hidden member (so it could be
    worked out from the rest), hide its smallest visible part (a zero only when nothing else is left), else its
    total. Repeated until no sum changes, since each new hidden cell can expose another sum."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for parts, total in groups:
            members = parts + ([total] if total is not None else [])
            if sum(member in hidden for member in members) != 1:
                continue
            if total is None and 0 < sum(counts.get(part) or 0 for part in parts) < SMALL:
                continue  # a small published total is itself x wherever it is shown: nothing to subtract from
            visible = [part for part in parts if part not in hidden and counts.get(part) is not None]
            visible.sort(key=lambda part: (counts[part] == 0, counts[part]))
            if visible:
                hidden.add(visible[0])
            elif total is not None and total not in hidden:
                hidden.add(total)
            else:
                continue
            changed = True
    return hidden


def with_derived(hidden: set[Address], relations: Relations, rows: int) -> set[Address]:
    hidden = set(hidden)
    for r in range(rows):
        for column, sources in relations.derived:
            if any((r, source) in hidden for source in sources):
                hidden.add((r, column))
    return hidden
