"""Reading a payments file from the council's income system. Never raises on bad input: returns the lines it could
read and every problem, each naming the file, the line (the header is line 1, as a spreadsheet shows it), the column
and the value (schools.attendance.imports.errors.ImportIssue). The service saves nothing unless there are none."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from legal.payments import rules
from schools.attendance.imports.errors import ImportIssue, IssueCollector


@dataclass(frozen=True)
class Line:
    line: int
    paid_on: datetime.date
    amount: Decimal
    reference: str
    payer: str


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _column(name: str) -> str:
    key = " ".join((name or "").strip().lower().replace("_", " ").split())
    return rules.COLUMN_ALIASES.get(key, key)


def _amount(text: str) -> tuple[Decimal | None, str]:
    cleaned = text.replace("£", "").replace(",", "").strip()
    if not cleaned:
        return None, "Enter the amount paid, like 80.00."
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None, "This is not an amount of money: write it like 80.00."
    if not amount.is_finite() or amount <= 0:
        return None, "The amount must be more than zero (refunds and reversals are not payments)."
    if amount != amount.quantize(Decimal("0.01")):
        return None, "The amount must be in pounds and pence, like 80.00."
    if amount > rules.MAX_AMOUNT:
        return None, f"The amount is over £{rules.MAX_AMOUNT:,}: check the line (no penalty notice costs this much)."
    return amount.quantize(Decimal("0.01")), ""


def _date(text: str, today: datetime.date) -> tuple[datetime.date | None, str]:
    if not text:
        return None, "Enter the date the payment was made."
    day = rules.parse_date(text)
    if day is None:
        return None, "This is not a date: write it like 2026-10-22 or 22/10/2026."
    if day > today:
        return None, "The payment date is in the future: check the line."
    return day, ""


def read_payment_file(name: str, data: bytes, *, today: datetime.date) -> tuple[list[Line], list[ImportIssue]]:
    issues = IssueCollector(name, limit=rules.MAX_LISTED_ISSUES)
    text = _decode(data)
    if text is None or "\x00" in (text or ""):
        issues.add(None, None, None, "The file is not a text (CSV) file. Save it from the income system as CSV.")
        return [], issues.finish()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        issues.add(1, None, None, f"The header row cannot be read as CSV ({error}).")
        return [], issues.finish()
    if not header or not any(cell.strip() for cell in header):
        issues.add(1, None, None, "The file is empty: it needs a header row (date, amount, reference, payer) and "
                                  "one line per payment.")
        return [], issues.finish()
    columns = [_column(cell) for cell in header]
    missing = [c for c in rules.REQUIRED_COLUMNS if c not in columns]
    for column in missing:
        issues.add(1, column, None, f"The “{column}” column is missing: the header row must name the columns "
                                    f"{', '.join(rules.REQUIRED_COLUMNS)}.")
    if missing:
        return [], issues.finish()
    index = {c: columns.index(c) for c in rules.REQUIRED_COLUMNS}
    lines: list[Line] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            line = _read_line(reader.line_num, cells, index, issues, today)
            if line is not None:
                lines.append(line)
    except csv.Error as error:
        issues.add(reader.line_num, None, None, f"This line cannot be read as CSV ({error}).")
    if not lines and not issues:
        issues.add(None, None, None, "The file has a header row but no payment lines.")
    return lines, issues.finish()


def _read_line(number: int, cells: list[str], index: dict[str, int], issues: IssueCollector,
               today: datetime.date) -> Line | None:
    values = {}
    ok = True
    for column, position in index.items():
        if position >= len(cells):
            issues.add(number, column, None, f"The “{column}” value is missing: the line has {len(cells)} "
                                             f"column{'s' if len(cells) != 1 else ''}, fewer than the header.")
            ok = False
            continue
        values[column] = cells[position].strip()
    if not ok:
        return None
    paid_on, problem = _date(values["date"], today)
    if problem:
        issues.add(number, "date", values["date"], problem)
    amount, amount_problem = _amount(values["amount"])
    if amount_problem:
        issues.add(number, "amount", values["amount"], amount_problem)
    if len(values["reference"]) > 60:
        issues.add(number, "reference", values["reference"], "The reference is longer than 60 characters.")
        ok = False
    if len(values["payer"]) > 120:
        issues.add(number, "payer", values["payer"], "The payer's name is longer than 120 characters.")
        ok = False
    if problem or amount_problem or not ok:
        return None
    return Line(number, paid_on, amount, values["reference"], values["payer"])


__all__ = ["ImportIssue", "Line", "read_payment_file"]
