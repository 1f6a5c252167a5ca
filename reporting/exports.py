"""Downloads of the dashboard tables: one FigureTable (reporting.presentation) as CSV or XLSX through the attendance
lists' writer (schools.attendance.exports), so the file is headed by its period and the schools it counts, whole
numbers stay numbers, small numbers are x when the page suppresses them, and every cell a spreadsheet would run as a
formula is neutralised (schools.exports.safe_cell)."""

from __future__ import annotations

from django.http import HttpResponse

from reporting import presentation
from reporting import selectors as s
from schools.attendance.exports import Table, download


def table_download(table: presentation.FigureTable, *, period: s.ReportPeriod, scope: s.Scope, fmt: str,
                   suppress: bool) -> HttpResponse:
    def column(index: int):
        return lambda row: presentation.export_value(row[index], suppress)

    columns = [(header, column(index)) for index, header in enumerate(table.headers)]
    return download(Table(table.title, f"{period.label}; {scope.label}", columns, table.rows), fmt,
                    f"{table.key}-{period.key}")
