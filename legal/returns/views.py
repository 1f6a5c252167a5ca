"""Pages of the parental responsibility measures return: the year's figures (and their CSV in the DfE's field names)
and, behind each figure, the records it counted. LA staff only (Capability.VIEW_LEGAL): school users get 403."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from legal.returns import rules, selectors
from legal.returns.rules import AcademicYear
from schools.attendance.exports import Table, download
from schools.audit import record_export
from schools.common.web import capability_required, export_format, paginate
from schools.exports import safe_cell
from schools.models import LocalAuthority
from schools.roles import Capability

#: How many years back the year chooser offers (the records go back to imported history).
YEARS_OFFERED = 6


def _year(request) -> AcademicYear:
    return rules.parse_year(request.GET.get("year")) or rules.year_containing(timezone.localdate())


def _years(chosen: AcademicYear) -> list[AcademicYear]:
    latest = rules.year_containing(timezone.localdate()).start_year
    years = [AcademicYear(latest - n) for n in range(YEARS_OFFERED)]
    return years if chosen in years else [chosen, *years]


@capability_required(Capability.VIEW_LEGAL)
def return_page(request):
    year = _year(request)
    figures = selectors.return_figures(user=request.user, year=year)
    groups: dict[str, list] = {}
    for figure in figures:
        groups.setdefault(figure.field.group, []).append(figure)
    values = {f.field.name: f.value for f in figures}
    return render(request, "legal/returns/return.html", {
        "year": year, "years": _years(year), "groups": groups, "today": timezone.localdate(),
        "adds_up": sum(values[n] for n in rules.OUTCOME_FIELDS) == values["pn_issued"],
        "by_reason_adds_up": sum(f.value for f in groups[rules.BY_REASON]) == values["pn_issued"]})


def return_csv(*, la, year: AcademicYear, values: dict[str, int]) -> bytes:
    """One row in the EES open-data layout: the identifying columns, then every field of the return."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*rules.ID_COLUMNS, *rules.FIELD_NAMES])
    ids = [year.time_period, rules.TIME_IDENTIFIER, rules.GEOGRAPHIC_LEVEL, rules.COUNTRY_CODE, rules.COUNTRY_NAME,
           la.la_code if la else "", la.name if la else ""]
    writer.writerow([safe_cell(str(v)) for v in ids] + [values[name] for name in rules.FIELD_NAMES])
    return buffer.getvalue().encode("utf-8")


@capability_required(Capability.VIEW_LEGAL)
def return_export(request):
    year = _year(request)
    values = selectors.figure_values(user=request.user, year=year)
    record_export(user=request.user, object_type="legal.ParentalResponsibilityReturn", rows=1, fmt="csv",
                  path=request.get_full_path())
    response = HttpResponse(return_csv(la=LocalAuthority.current(), year=year, values=values),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="parental-responsibility-measures-{year.slug}.csv"'
    return response


def _notice_paid(notice) -> str:
    if not notice.paid_on:
        return ""
    day = notice.pay_day.days if notice.pay_day is not None else None
    return f"{notice.paid_on:%-d %b %Y}" + (f" (day {day})" if day is not None else "")


#: Columns of the rows page and its download, per kind of record: (heading, value).
COLUMNS = {
    selectors.NOTICES: [
        ("Reference", lambda n: n.reference), ("Pupil", lambda n: n.pupil.display_name),
        ("Parent", lambda n: n.carer.full_name), ("Kind", lambda n: n.get_notice_type_display()),
        ("Issued", lambda n: f"{n.issued_on:%-d %b %Y}"),
        ("Received", lambda n: f"{n.received_on:%-d %b %Y}" if n.received_on else "Not recorded"),
        ("Paid", _notice_paid), ("Status", lambda n: n.get_status_display()),
        ("Prosecuted", lambda n: "Yes" if n.prosecuted else "No")],
    selectors.CONTRACTS: [
        ("Reference", lambda c: c.reference), ("Pupil", lambda c: c.pupil.display_name),
        ("Parent", lambda c: c.carer.full_name), ("Kind", lambda c: c.get_kind_display()),
        ("Agreed", lambda c: f"{c.agreed_on:%-d %b %Y}"), ("Status", lambda c: c.get_status_display())],
    selectors.OFFER_LETTERS: [
        ("Reference", lambda m: m.reference), ("Pupil", lambda m: m.pupil.display_name),
        ("Parent", lambda m: m.carer.full_name), ("Sent", lambda m: f"{m.sent_on:%-d %b %Y}"),
        ("Subject", lambda m: m.subject)],
    selectors.PARENTING_ORDERS: [
        ("Reference", lambda o: o.reference), ("Pupil", lambda o: o.pupil.display_name),
        ("Parent", lambda o: o.carer.full_name), ("Basis", lambda o: o.get_basis_display()),
        ("Made", lambda o: f"{o.made_on:%-d %b %Y}"), ("Court", lambda o: o.court)],
    selectors.ESOS: [
        ("Reference", lambda o: o.reference), ("Pupil", lambda o: o.pupil.display_name),
        ("Applied for", lambda o: f"{o.applied_on:%-d %b %Y}"),
        ("Made", lambda o: f"{o.made_on:%-d %b %Y}" if o.made_on else ""),
        ("Status", lambda o: o.get_status_display())],
    selectors.CASES: [
        ("Reference", lambda c: f"Case {c.pk}"), ("Pupil", lambda c: c.pupil.display_name),
        ("School", lambda c: c.school.name if c.school else ""), ("Kind", lambda c: c.get_case_type_display()),
        ("Opened", lambda c: f"{c.opened_on:%-d %b %Y}"), ("Status", lambda c: c.get_status_display())],
}

#: Where each kind of record opens (URL name and which id).
LINKS = {
    selectors.NOTICES: ("legal:notice", "pk"), selectors.CONTRACTS: ("legal:contract", "pk"),
    selectors.OFFER_LETTERS: ("legal:letter", "pk"), selectors.PARENTING_ORDERS: ("legal:pathway", "pathway_id"),
    selectors.ESOS: ("legal:pathway", "pathway_id"), selectors.CASES: ("cases:detail", "pk")}


@capability_required(Capability.VIEW_LEGAL)
def return_rows(request, name: str):
    """The records behind one figure (``?year=2025-26``, ``?part=`` for a figure of several parts)."""
    chosen = _year(request) if "year" not in request.GET else rules.parse_year(request.GET["year"])
    if chosen is None:
        raise Http404
    field, part, parts = selectors.figure_part(year=chosen, name=name, part_key=request.GET.get("part"))
    rows = selectors.figure_rows(user=request.user, year=chosen, part=part)
    columns = COLUMNS[part.source]
    fmt = export_format(request)
    if fmt:
        record_export(user=request.user, object_type=f"legal.return.{field.name}", rows=rows.count(), fmt=fmt,
                      path=request.get_full_path(), pupils=rows)
        return download(Table(f"{field.label} ({part.label}), {chosen.label}", f"academic year {chosen.label}",
                              columns, rows.iterator(chunk_size=2000)), fmt,
                        f"{field.name}-{part.key}-{chosen.slug}")
    page, query = paginate(request, rows)
    url_name, id_attr = LINKS[part.source]
    return render(request, "legal/returns/rows.html", {
        "year": chosen, "field": field, "part": part, "parts": parts if len(parts) > 1 else [],
        "headings": [h for h, _ in columns[1:]], "page": page, "query": query,
        "rows": [{"ref": columns[0][1](r), "url_name": url_name, "id": getattr(r, id_attr),
                  "cells": [get(r) for _, get in columns[1:]]} for r in page.object_list]})
