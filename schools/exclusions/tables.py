"""Column definitions for the exclusion and provision lists: one definition draws the HTML table and writes the CSV
and XLSX exports, so what is exported is exactly what the list shows. Every exported cell goes through
schools.exports.safe_cell (formula injection)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.urls import reverse

from schools.exclusions import rules
from schools.exports import safe_cell, xlsx_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Cell:
    text: str = ""
    href: str = ""
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def export_text(self) -> str:
        return "; ".join(p for p in [self.text, *(label for label, _ in self.tags)] if p)


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable  # (row, context) -> str | Cell


@dataclass
class Table:
    columns: list[Column]
    context: dict = field(default_factory=dict)

    def cells(self, row) -> list[Cell]:
        result = []
        for column in self.columns:
            value = column.value(row, self.context)
            result.append(value if isinstance(value, Cell) else Cell(text=_text(value)))
        return result

    def rows(self, objects: Iterable) -> list[list[Cell]]:
        return [self.cells(row) for row in objects]

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def export_response(table: Table, objects: Iterable, *, fmt: str, filename: str) -> HttpResponse:
    rows = [[safe_cell(cell.export_text) for cell in cells] for cells in table.rows(objects)]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append(table.headers)
        for row in rows:
            sheet.append([xlsx_cell(cell) for cell in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(table.headers)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# ---------------------------------------------------------------------------------------------------------------
# Cells shared by several lists


def pupil_cell(pupil) -> Cell:
    return Cell(text=f"{pupil.legal_last_name}, {pupil.legal_first_name} ({pupil.upn})",
                href=reverse("pupil_exclusions", args=[pupil.pk]))


def status_tag(deadline: rules.Deadline, context) -> tuple[str, str]:
    return rules.STATUS_LABELS[deadline.status(today=context["today"], soon=context["soon"])]


def due_cell(deadline: rules.Deadline | None, context) -> Cell:
    if deadline is None:
        return Cell(text="–")
    if deadline.due is None:
        return Cell(text="–", tags=(status_tag(deadline, context),))
    return Cell(text=_text(deadline.due), tags=(status_tag(deadline, context),))


def _deadline(exclusion, key):
    return next((d for d in exclusion.deadlines() if d.key == key), None)


def exclusion_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Pupil", lambda e, c: pupil_cell(e.pupil)),
        Column("School", lambda e, c: e.school.name),
        Column("Type", lambda e, c: Cell(text=e.get_kind_display(), href=reverse("exclusion_detail", args=[e.pk]),
                                        tags=(("Cancelled", "grey"),) if e.is_cancelled else ())),
        Column("Start", lambda e, c: f"{e.start_date:%-d %b %Y} {e.get_start_session_display().lower()}"),
        Column("Length", lambda e, c: e.length_display),
        Column("Reasons", lambda e, c: ", ".join(e.reasons)),
        Column("LA notified", lambda e, c: e.la_notified_on or "Not yet"),
        Column("Board by", lambda e, c: due_cell(_deadline(e, "board"), c)),
        Column("Day 6", lambda e, c: due_cell(_deadline(e, "day6"), c)),
        Column("Independent review", lambda e, c: due_cell(
            _deadline(e, "irp_meeting") if e.irp_applied_on else _deadline(e, "irp_application"), c)),
    ])


def day6_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Pupil", lambda e, c: pupil_cell(e.pupil)),
        Column("School", lambda e, c: e.school.name),
        Column("Exclusion", lambda e, c: Cell(text=f"{e.get_kind_display()} from {e.start_date:%-d %b %Y}",
                                             href=reverse("exclusion_detail", args=[e.pk]))),
        Column("Who arranges", lambda e, c: e.get_day6_duty_display()),
        Column("6th school day", lambda e, c: due_cell(_deadline(e, "day6"), c)),
        Column("Provision from", lambda e, c: e.provision_from or "None recorded"),
    ])


def placement_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Pupil", lambda p, c: pupil_cell(p.pupil)),
        Column("Provider", lambda p, c: p.provider_display),
        Column("Arranged by", lambda p, c: p.commissioning_school.name if p.commissioning_school_id
               else p.get_arranged_by_display()),
        Column("Hours a week", lambda p, c: Cell(text=f"{p.hours_per_week.normalize():f}",
                                                tags=() if p.is_full_time else (("Part time", "orange"),))),
        Column("From", lambda p, c: p.start_date),
        Column("To", lambda p, c: p.end_date or "Open"),
        Column("For", lambda p, c: Cell(text=str(p.exclusion), href=reverse("exclusion_detail", args=[p.exclusion_id]))
               if p.exclusion_id else ""),
    ])


def part_time_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Pupil", lambda t, c: pupil_cell(t.pupil)),
        Column("School", lambda t, c: t.school.name),
        Column("From", lambda t, c: Cell(text=_text(t.start_date), href=reverse("part_time_detail", args=[t.pk]))),
        Column("Planned end", lambda t, c: t.planned_end_date),
        Column("Hours a week", lambda t, c: f"{t.hours_per_week.normalize():f}"),
        Column("Reason", lambda t, c: t.get_reason_display()),
        Column("Parent agreed", lambda t, c: t.parent_agreed_on),
        Column("Next review", lambda t, c: "–" if t.ended_on else t.next_review_date),
        Column("Flags", lambda t, c: Cell(tags=tuple(c["flags"].for_timetable(t)))),
    ])


def managed_move_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Pupil", lambda m, c: pupil_cell(m.pupil)),
        Column("From", lambda m, c: m.from_school.name),
        Column("To", lambda m, c: m.to_school.name),
        Column("Started", lambda m, c: m.start_date),
        Column("Review", lambda m, c: m.review_date or "–"),
        Column("Outcome", lambda m, c: Cell(text=m.get_outcome_display(),
                                           href=reverse("managed_move_outcome", args=[m.pk])
                                           if c.get("can_edit") and m.outcome == "in_progress" else "")),
    ])


def ap_provider_table(context: dict) -> Table:
    def used(p, c):
        over = p.places_used > p.places_commissioned
        return Cell(text=f"{p.places_used:.1f} ({p.pupils_placed} pupil{'s' if p.pupils_placed != 1 else ''})",
                    tags=(("Over capacity", "red"),) if over else ())

    return Table(context=context, columns=[
        Column("Provider", lambda p, c: Cell(text=p.name, tags=() if p.registered else (("Unregistered", "orange"),))),
        Column("Places commissioned (fte)", lambda p, c: f"{p.places_commissioned.normalize():f}"),
        Column("Places used today (fte)", used),
        Column("Active", lambda p, c: p.is_active),
        Column("Contact", lambda p, c: p.contact),
    ])


def fair_access_table(context: dict) -> Table:
    def days(r, c):
        n = c["days"].get(r.pk)
        band = rules.fair_access_band(n)
        colour = {"100+": "red", "69+": "orange", "38+": "yellow"}.get(band, "grey")
        return Cell(text="–" if n is None else str(n), tags=((band, colour),) if band else ())

    return Table(context=context, columns=[
        Column("Pupil", lambda r, c: Cell(text=f"{r.pupil.legal_last_name}, {r.pupil.legal_first_name} "
                                               f"({r.pupil.upn})", href=reverse("fair_access_update", args=[r.pk]))),
        Column("Panel", lambda r, c: r.panel.name if r.panel_id else "–"),
        Column("Category", lambda r, c: r.get_category_display()),
        Column("Referred", lambda r, c: r.referred_on),
        Column("Out of school since", lambda r, c: r.out_of_school_since),
        Column("Days without a placement", days),
        Column("Place due by", lambda r, c: Cell(
            text=_text(r.allocation_due),
            tags=(("Overdue", "red"),) if not r.allocated_on and r.allocation_due and r.allocation_due < c["today"]
            else ())),
        Column("Allocated", lambda r, c: f"{r.allocated_school.name}, {r.allocated_on:%-d %b %Y}"
               if r.allocated_school_id else "Not yet"),
        Column("Placed", lambda r, c: r.placed_on or "Not yet"),
    ])


def cme_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Child", lambda r, c: Cell(text=r.display_name, href=reverse("cme_detail", args=[r.pk]))),
        Column("UPN", lambda r, c: r.pupil.upn if r.pupil_id else "–"),
        Column("Referred", lambda r, c: r.referred_on),
        Column("By", lambda r, c: r.referring_school.name if r.referring_school_id else r.referral_source),
        Column("Reason", lambda r, c: r.get_reason_display()),
        Column("Enquiries", lambda r, c: r.enquiry_count),
        Column("Officer", lambda r, c: r.officer.display_name if r.officer_id else "–"),
        Column("Outcome", lambda r, c: Cell(text=r.get_outcome_display(),
                                           tags=(("Open", "blue"),) if r.outcome == "open" else ())),
    ])


def cnis_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Child", lambda r, c: r.display_name),
        Column("Date of birth", lambda r, c: r.date_of_birth or (r.pupil.date_of_birth if r.pupil_id else "")),
        Column("Category", lambda r, c: r.get_category_display()),
        Column("Parents", lambda r, c: r.parent_names),
        Column("Registered", lambda r, c: r.registered_on),
        Column("Home visit requested", lambda r, c: r.home_visit_requested_on or "–"),
    ])


def reminder_table(context: dict) -> Table:
    return Table(context=context, columns=[
        Column("Due", lambda r, c: Cell(text=_text(r.due), tags=(("Overdue", "red"),)
                                        if not r.resolved_on and r.due < c["today"] else ())),
        Column("Deadline", lambda r, c: r.get_kind_display()),
        Column("Reminder", lambda r, c: Cell(text=r.message, href=reverse("exclusion_detail",
                                                                          args=[r.exclusion_id]))),
        Column("Status", lambda r, c: f"Resolved {r.resolved_on:%-d %b %Y}" if r.resolved_on else "Open"),
    ])
