"""Secondary suppression: no hidden count can be worked out again from what a table shows (a total, a difference, a
percentage, an amount of money). Each table is solved from its visible cells, as someone reading the paper could,
with the sums reporting.suppression declares for it; every hidden count must stay undetermined."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from reporting import presentation, suppression
from reporting import selectors as s
from reporting.presentation import Cell, FigureTable, Money

pytestmark = pytest.mark.django_db


def _raw(value):
    return value.value if isinstance(value, Cell) else value


def recoverable(table: FigureTable) -> list[tuple[int, int]]:
    """The hidden counts a reader could work out from the table's visible cells and the sums it shows: each sum is a
    linear equation over the hidden counts; a hidden count is determined when its unit vector lies in the span of
    the equations (Gaussian elimination over the rationals)."""
    relations = suppression.relations_for(table.key)
    if relations is None:
        return []
    shown = {(r, c): not presentation.is_hidden(value, True)
             for r, row in enumerate(table.rows) for c, value in enumerate(row)}
    unknowns = sorted(cell for cell, visible in shown.items() if not visible
                      and isinstance(_raw(table.rows[cell[0]][cell[1]]), int))
    index = {cell: i for i, cell in enumerate(unknowns)}
    equations = []
    for parts, total in suppression.sum_groups(relations, len(table.rows), table.total_row):
        members = [(part, 1) for part in parts] + ([(total, -1)] if total is not None else [])
        coefficients = [Fraction(0)] * len(unknowns)
        constant = Fraction(0)
        for (r, c), sign in members:
            value = _raw(table.rows[r][c])
            if (r, c) in index:
                coefficients[index[(r, c)]] += sign
            elif isinstance(value, int):
                constant -= sign * value
        if total is None:  # published elsewhere: known to the reader, unless small and so x there too
            published = sum(_raw(table.rows[r][c]) or 0 for r, c in parts)
            if presentation.is_small(published):
                continue
            constant += published
        if any(coefficients):
            equations.append(coefficients + [constant])
    found = []
    for cell, i in index.items():
        target = [Fraction(int(j == i)) for j in range(len(unknowns))]
        if _in_span(target, [e[:-1] for e in equations]):
            found.append(cell)
    return found


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [list(row) for row in rows]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _in_span(vector, rows) -> bool:
    return bool(rows) and _rank(rows + [vector]) == _rank(rows)


def leaks_through_derived_cells(table: FigureTable) -> list[tuple[int, int]]:
    """Visible rates, shares, averages or money worked out from a hidden count in the same row."""
    relations = suppression.relations_for(table.key)
    if relations is None:
        return []
    return [(r, column) for r, row in enumerate(table.rows) for column, sources in relations.derived
            if not presentation.is_hidden(row[column], True)
            and any(presentation.is_hidden(row[source], True) for source in sources)]


def test_a_total_with_one_visible_part_and_two_small_ones_hides_enough():
    """Issued 10 = 7 paid + 2 withdrawn + 1 unpaid: the 2 and the 1 are small (x). 10 - 7 = 3 says only that the two
    x add to 3, so neither is recoverable, and nothing more is hidden. With one small part only (10 = 7 + 3 + 0 ...),
    3 = 10 - 7 - 0 would be recoverable: the 7 is hidden with it."""
    def notices(paid, withdrawn, unpaid):
        issued = paid + withdrawn + unpaid
        return FigureTable("legal_notices", "Notices", ["Kind", "Issued", "Reduced", "Full", "Withdrawn", "Unpaid",
                                                         "Running", "Rate", "Collected"],
                           [["Leave", issued, paid, 0, withdrawn, unpaid, 0, s.Rate(paid, issued),
                             Money(Decimal(80) * paid)]])

    two_small = presentation.protect([notices(7, 2, 1)])[0]
    assert [presentation.display(v, True) for v in two_small.rows[0]] == [
        "Leave", "10", "7", "0", "x", "x", "0", "70.0%", "£560.00"]
    one_small = presentation.protect([notices(7, 3, 0)])[0]
    shown = [presentation.display(v, True) for v in one_small.rows[0]]
    assert shown[4] == "x" and "x" in (shown[3], shown[5], shown[6], shown[2])
    assert recoverable(one_small) == [] and recoverable(two_small) == []
    # £240 collected at £80 a notice would give the 3 reduced-rate payments: the amount is hidden with them.
    money = presentation.protect([notices(3, 0, 9)])[0]
    assert presentation.display(money.rows[0][8], True) == "x" and presentation.display(money.rows[0][7], True) == "x"
    assert leaks_through_derived_cells(money) == []


def test_the_solver_finds_a_count_left_recoverable():
    """The check itself: without complementary suppression, 10 - 7 - 0 - 0 - 0 gives the hidden 3."""
    table = FigureTable("legal_notices", "Notices", ["Kind", "Issued", "Reduced", "Full", "Withdrawn", "Unpaid",
                                                      "Running", "Rate", "Collected"],
                        [["Leave", 10, 7, 0, 3, 0, 0, s.Rate(7, 10), Money(Decimal(560))]])
    assert recoverable(table) == [(0, 4)]


@pytest.mark.parametrize("scope_of", ["la", "school"])
def test_no_hidden_count_in_the_demo_termly_report_can_be_worked_out(scope_of):
    from schools.demo import load_demo
    from schools.models import School, User

    load_demo(pupils=1500)
    manager = User.objects.get(username="manager")
    school = School.objects.filter(users__username="school").first() if scope_of == "school" else None
    report = s.report_figures(s.scope_for(manager, school=school), s.report_period_for(None))
    checked = hidden = 0
    for section in s.SECTION_KEYS:
        for table in presentation.tables_for(report, section, None):
            assert recoverable(table) == [], table.key
            assert leaks_through_derived_cells(table) == [], table.key
            checked += 1
            hidden += sum(presentation.is_hidden(v, True) for row in table.rows for v in row)
    assert checked >= 15 and hidden > 0  # the demo has small numbers to protect
