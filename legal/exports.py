"""CSV and XLSX exports of the statutory record of notices and of the legal figures. Rows are exactly the filtered,
scoped list on screen; cells a spreadsheet would run as formulas are neutralised (schools.exports.safe_cell)."""

from __future__ import annotations

import csv
import io

from legal import selectors
from schools.exports import safe_cell

NOTICE_COLUMNS = [
    ("Notice", lambda n: n.reference),
    ("Kind", lambda n: n.get_notice_type_display()),
    ("Regime", lambda n: n.regime),
    ("UPN", lambda n: n.pupil.upn),
    ("Child", lambda n: n.pupil.legal_name),
    ("Parent", lambda n: n.carer.full_name),
    ("School", lambda n: n.school.name if n.school else ""),
    ("Absence from", lambda n: n.period_start.isoformat()),
    ("Absence to", lambda n: n.period_end.isoformat()),
    ("Issued", lambda n: n.issued_on.isoformat()),
    ("Served", lambda n: n.served_on.isoformat() if n.served_on else ""),
    ("Reduced amount", lambda n: n.reduced_amount if n.reduced_amount is not None else ""),
    ("Full amount", lambda n: n.full_amount),
    ("Pay by", lambda n: n.full_due_on.isoformat() if n.full_due_on else ""),
    ("Status", lambda n: n.get_status_display()),
    ("Paid on", lambda n: n.paid_on.isoformat() if n.paid_on else ""),
    ("Amount paid", lambda n: n.paid_amount if n.paid_amount is not None else ""),
    ("Withdrawn on", lambda n: n.withdrawn_on.isoformat() if n.withdrawn_on else ""),
    ("Withdrawal grounds", lambda n: n.get_withdrawal_ground_display()),
    ("Prosecuted", lambda n: "yes" if n.prosecuted else "no"),
    ("From a school request", lambda n: n.request.reference if n.request_id else ""),
]


def _rows(notices):
    for notice in notices.iterator(chunk_size=2000):
        yield [getter(notice) for _, getter in NOTICE_COLUMNS]


def _csv(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def notices_csv(notices) -> bytes:
    return _csv([title for title, _ in NOTICE_COLUMNS], _rows(notices))


def _sheet(workbook, title, header, rows):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)) for value in row])


def notices_xlsx(notices) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _sheet(workbook, "Penalty notices", [title for title, _ in NOTICE_COLUMNS], _rows(notices))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def figure_tables(*, user, start=None, end=None) -> list[tuple[str, list[str], list[list]]]:
    """The three figure tables as (title, header, rows), from the statutory selectors."""
    by_type = selectors.notice_figures_by_type_school_outcome(user=user, start=start, end=end)
    payments = selectors.payment_rate_figures(user=user, start=start, end=end)
    prosecutions = selectors.prosecution_figures(user=user, start=start, end=end)
    return [
        ("Notices by type school outcome", ["Kind", "School", "Outcome", "Notices"],
         [[r["notice_type"], r["school"], r["status"], r["notices"]] for r in by_type]),
        ("Payment rates", ["Kind", "Issued", "Withdrawn", "Paid reduced", "Paid full", "Unpaid", "Running",
                           "Collected", "Payment rate %"],
         [[r["notice_type"], r["issued"], r["withdrawn"], r["paid_reduced"], r["paid_full"], r["unpaid"],
           r["running"], r["collected"], "" if r["payment_rate"] is None else r["payment_rate"]] for r in payments]),
        ("Prosecutions", ["Offence", "Status", "Outcome", "Prosecutions", "Fines", "Costs"],
         [[r["offence"], r["status"], r["outcome"], r["prosecutions"], r["fines"], r["costs"]]
          for r in prosecutions]),
    ]


def tables_csv(tables) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, header, rows in tables:
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
        writer.writerow([])
    return buffer.getvalue().encode("utf-8-sig")


def tables_xlsx(tables) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in tables:
        _sheet(workbook, title, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
