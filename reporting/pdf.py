"""The termly report as a PDF: an HTML template (templates/reporting/report_pdf.html, its own styles, no remote
resources) laid out by WeasyPrint through schools.common.pdf, A4 portrait for a committee paper, with the
definitions and sources of the figures as footnotes on the page a figure is first used."""

from __future__ import annotations

from django.template.loader import render_to_string

from reporting import definitions, presentation
from reporting import selectors as s

# Definitions the section introductions already footnote, so their tables do not repeat them.
INTRO_FOOTNOTES = {"attendance": ["overall_absence", "persistent_absence"], "exclusions": ["suspensions"],
                   "legal": ["notices"], "casework": ["referral_time"], "provision": ["day6"],
                   "traded": ["traded_income"]}


def report_context(report: s.Report, *, suppress: bool, run=None, internal: bool = False) -> dict:
    """What the report's template needs. A version for publication (``internal`` False) names no member of staff:
    the caseload figures call the officers Officer A, Officer B... An internal version names them and says "Not for
    publication" on every page."""
    from schools.models import LocalAuthority

    if not internal:
        report = presentation.without_staff_names(report)
    sections, used = [], {"national", "scope"}
    for key in s.SECTION_KEYS:
        tables = presentation.tables_for(report, key, None)
        if not tables:
            continue
        used.update(INTRO_FOOTNOTES[key])
        entries = []
        for table in tables:
            first = table.definition and table.definition not in used
            used.add(table.definition)
            entries.append({"table": table, "footnote": definitions.BY_KEY.get(table.definition) if first else None})
        sections.append({"key": key, "tables": entries})
    return {
        "la": LocalAuthority.current(), "report": report, "run": run, "suppress": suppress, "sections": sections,
        "internal": internal,
        "charts": presentation.charts_for(report, suppress), "cards": presentation.headline_cards(report, None),
        "definitions": definitions.by_section(), "by_key": definitions.BY_KEY,
        "national": s.national_figures_used(report),
    }


def report_html(report: s.Report, *, suppress: bool, run=None, internal: bool = False) -> str:
    return render_to_string("reporting/report_pdf.html", report_context(report, suppress=suppress, run=run,
                                                                        internal=internal))
