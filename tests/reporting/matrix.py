"""Reporting (issue 8): this area's rows of the permission matrix, merged by test_permission_matrix.py.

ROWS: URL name -> (target key or None, expected statuses per role); KWARG_NAMES: target key -> URL kwarg name;
``reporting_targets``: the objects the rows point at. The termly report is school B's own, so school A gets 404 for
it; every role reads the dashboards (each its own scope) and the glossary; only GET-less writes answer 405.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from reporting.models import NationalFigure, ReportRun
from schools.models import Job, Term
from tests.matrix_support import LA, statuses


def _school_b_run():
    return statuses(ok=[*LA, "school_b"], not_found=["school_a"])


ROWS: dict = {
    "reporting:dashboard": (None, statuses()),
    "reporting:section": ("report_section", statuses()),
    "reporting:table_export": ("report_table", statuses()),
    "reporting:drill_absence": (None, statuses()),
    "reporting:drill_exclusions": (None, statuses()),
    "reporting:glossary": (None, statuses()),
    "reporting:report_list": (None, statuses()),
    "reporting:report_create": (None, statuses(ok=(), others=405)),
    "reporting:report_detail": ("report_run", _school_b_run()),
    "reporting:report_download": ("report_run", _school_b_run()),
    "api-report-metrics": (None, statuses(anonymous=401)),
    "api-report-run-list": (None, statuses(anonymous=401)),
    "api-report-run-detail": ("report_run", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-national-figure-list": (None, statuses(anonymous=401)),
    "api-national-figure-detail": ("national_figure", statuses(anonymous=401)),
}
KWARG_NAMES: dict = {"report_run": "pk", "report_section": "slug", "report_table": "table",
                     "national_figure": "pk"}


@pytest.fixture
def reporting_targets(world, attendance_targets) -> dict:
    """School B's termly report for the autumn term attendance_targets sets up (made, its PDF kept)."""
    term = Term.objects.get(name="autumn", school__isnull=True, academic_year__name="2026/27")
    officer = world.users["la_officer"]
    job = Job.objects.create(kind="termly_report", created_by=officer, status=Job.Status.SUCCEEDED)
    run = ReportRun.objects.create(term=term, school=world.school_b, requested_by=officer, job=job,
                                   figures_to=term.start_date)
    run.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"report_run": run.pk, "report_section": "attendance", "report_table": "attendance_headline",
            "national_figure": NationalFigure.objects.order_by("pk").first().pk}
