"""The termly report: asked for on a page or through the API, made by the Celery task with a Job moving its progress
bar, kept as a PDF through storage and listed; made by itself once at each term's end (beat), however often the
task runs; readable (sections, charts, footnotes, suppression) and rendered for real by WeasyPrint."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from reporting import pdf, presentation, services, tasks
from reporting import selectors as s
from reporting.models import ReportRun
from schools.common.pdf import html_to_pdf_with_pages
from schools.models import AuditEvent, Job
from tests.jobs_support import retry_from_its_page
from tests.pdf_support import assert_tagged_pdf

pytestmark = pytest.mark.django_db


def make(report_world, django_capture_on_commit_callbacks, **kwargs) -> ReportRun:
    kwargs.setdefault("user", report_world.users["la_manager"])
    kwargs.setdefault("term", report_world.this_autumn)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(**kwargs)
    run.refresh_from_db()
    return run


def test_a_report_on_request_is_a_job_with_progress_and_a_kept_pdf(report_world,
                                                                   django_capture_on_commit_callbacks):
    run = make(report_world, django_capture_on_commit_callbacks, suppress_small_numbers=True)
    job = run.job
    assert (job.kind, job.status, job.done, job.total, job.percent) == (
        services.JOB_KIND_REPORT, Job.Status.SUCCEEDED, 8, 8, 100)
    assert job.created_by == report_world.users["la_manager"] and job.started_at and job.finished_at
    assert run.file.name.startswith("reports/2026-27/") and run.file.name.endswith(".pdf")
    with run.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert run.pages and run.pages >= 8 and str(run.pages) in job.message
    assert run.figures_to == datetime.date(2026, 11, 23)  # the term is still running
    assert AuditEvent.objects.filter(object_type="reporting.ReportRun", action="create").count() == 1


def test_the_task_is_idempotent(report_world, django_capture_on_commit_callbacks):
    run = make(report_world, django_capture_on_commit_callbacks)
    name, finished = run.file.name, run.job.finished_at
    assert tasks.generate_report.delay(run.pk).get() == Job.Status.SUCCEEDED  # redelivered: nothing done again
    run.refresh_from_db()
    assert (run.file.name, run.job.finished_at) == (name, finished)


def test_a_failed_report_offers_retry_and_the_retry_makes_it(report_world, client, django_capture_on_commit_callbacks):
    run = make(report_world, django_capture_on_commit_callbacks)
    assert run.job.params["task"] == {"name": "reporting.tasks.generate_report", "args": [run.pk]}
    # As the sweep leaves a report whose worker died: failed, retryable, no file kept.
    run.file.storage.delete(run.file.name)
    ReportRun.objects.filter(pk=run.pk).update(file="", pages=None)
    retry_from_its_page(client, report_world.users["la_manager"], run.job_id,
                        reverse("reporting:report_detail", args=[run.pk]), django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert (run.job.status, run.job.attempts) == (Job.Status.SUCCEEDED, 2)
    with run.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"


def test_the_term_end_report_is_made_once(report_world, django_capture_on_commit_callbacks):
    assert tasks.make_term_end_reports.delay().get() is not None  # summer 2026 ended: its report is made
    assert tasks.make_term_end_reports.delay().get() is None
    summer = ReportRun.objects.get()
    assert (summer.term.name, summer.trigger, summer.requested_by, summer.suppress_small_numbers) == (
        "summer", "scheduled", None, True)
    with time_machine.travel(datetime.datetime(2026, 12, 21, 3, 30, tzinfo=datetime.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            autumn_id = tasks.make_term_end_reports()
            again = tasks.make_term_end_reports()
    assert autumn_id and again is None
    autumn = ReportRun.objects.get(pk=autumn_id)
    assert autumn.term == report_world.this_autumn and autumn.figures_to == datetime.date(2026, 12, 18)
    assert autumn.job.status == Job.Status.SUCCEEDED and autumn.job.created_by == report_world.users["la_manager"]
    assert ReportRun.objects.filter(trigger="scheduled").count() == 2


def test_asking_for_a_report_on_the_page(report_world, client, django_capture_on_commit_callbacks):
    manager = report_world.users["la_manager"]
    client.force_login(manager)
    listing = client.get(reverse("reporting:report_list"))
    assert listing.status_code == 200 and "Make a report" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:report_create"), {
            "term": report_world.this_autumn.pk, "scope": f"school-{report_world.world.school_b.pk}",
            "suppress_small_numbers": "on"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:report_detail",
                                                                           args=[run.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Finished" in detail and "Download the report (PDF)" in detail and "Progress: 100%" in detail
    listing = client.get(reverse("reporting:report_list")).content.decode()
    assert "Beta Academy" in listing and reverse("reporting:report_download", args=[run.pk]) in listing
    # A term that has not started is refused at the field, and nothing is made.
    spring = report_world.this_autumn.academic_year.terms.get(name="spring", school__isnull=True)
    bad = client.post(reverse("reporting:report_create"), {"term": spring.pk, "scope": "la"})
    assert bad.status_code == 400 and ReportRun.objects.count() == 1
    # Roles without the capability: an officer may not make the LA's report; a legal officer none at all.
    client.force_login(report_world.users["legal_officer"])
    assert client.post(reverse("reporting:report_create"), {"term": report_world.this_autumn.pk,
                                                            "scope": "la"}).status_code == 403
    client.force_login(report_world.users["la_officer"])
    refused = client.post(reverse("reporting:report_create"), {"term": report_world.this_autumn.pk, "scope": "la"})
    assert refused.status_code == 400 and ReportRun.objects.count() == 1


def test_asking_for_a_report_through_the_api(report_world, client, django_capture_on_commit_callbacks):
    client.force_login(report_world.users["school_b"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api-report-run-list"), {
            "term": report_world.this_autumn.pk, "school": report_world.world.school_b.urn})
    assert response.status_code == 201, response.content
    body = client.get(reverse("api-report-run-detail", args=[response.json()["id"]])).json()
    assert body["status"] == "succeeded" and body["progress"] == 100 and body["download"].endswith("report.pdf")
    assert client.post(reverse("api-report-run-list"), {"term": report_world.this_autumn.pk}).status_code == 403
    assert client.post(reverse("api-report-run-list"), {
        "term": report_world.this_autumn.pk, "school": report_world.world.school_a.urn}).status_code == 400


def test_the_pdf_reads_as_a_committee_paper(report_world):
    scope = s.scope_for(report_world.users["la_manager"])
    report = s.report_figures(scope, s.report_period_for(None))
    html = pdf.report_html(report, suppress=True)
    for heading in ["Headlines", "Attendance and absence", "Suspensions and permanent exclusions",
                    "Legal interventions", "Casework", "Provision: day 6", "Definitions and sources",
                    "Absence by phase, Autumn term 2026/27 to 23 November 2026",
                    "Suspensions and permanent exclusions by phase", "Exclusions over the years",
                    "England, autumn term 2023/24"]:
        assert heading in html, heading
    assert html.count('class="fn"') >= 10  # definitions and sources as footnotes, each once
    assert html.count("<svg") >= 5  # weekly, phase, groups, exclusions, stages (others need more data)
    content, pages = html_to_pdf_with_pages(html)
    assert content.startswith(b"%PDF-") and pages >= 8
    assert_tagged_pdf(content, title="Termly report", roles={"H1", "H2", "Table", "TH", "Figure"})
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
        assert "termly report" in text and "Definitions and sources" in text and "Page 1 of" in text


def test_small_numbers_are_suppressed_in_tables_pdf_exports_and_api(report_world, client):
    scope = s.scope_for(report_world.users["la_manager"])
    report = s.report_figures(scope, s.report_period_for(None), sections=["exclusions"])
    phase = next(t for t in presentation.tables_for(report, "exclusions", None) if t.key == "exclusions_phase")
    total = phase.rows[-1]
    assert [presentation.display(v, True) for v in total[:4]] == ["Total", "5", "x", "x"]  # 3 suspensions, 3/5
    assert [presentation.display(v, False) for v in total[:4]] == ["Total", "5", "3", "60.00%"]
    assert presentation.display(0, True) == "0"
    client.force_login(report_world.users["la_manager"])
    csv_body = client.get(reverse("reporting:table_export", args=["exclusions_phase"]),
                          {"format": "csv", "suppress": "1"}).content.decode("utf-8-sig")
    assert "Total,5,x,x" in csv_body
    api = client.get(reverse("api-report-metrics"), {"sections": "exclusions", "suppress": "1"}).json()
    table = next(t for t in api["sections"]["exclusions"] if t["key"] == "exclusions_phase")
    assert table["rows"][-1][:4] == ["Total", 5, "x", "x"]
    full = client.get(reverse("api-report-metrics"), {"sections": "exclusions"}).json()
    row = next(t for t in full["sections"]["exclusions"] if t["key"] == "exclusions_phase")["rows"][-1]
    assert row[2] == 3 and row[3] == {"percent": "60.00", "numerator": 3, "denominator": 5}
    page = client.get(reverse("reporting:section", args=["suspensions-and-exclusions"]), {"suppress": "1"})
    assert ">x<" in page.content.decode() and ">60.00%<" not in page.content.decode()


def test_exports_neutralise_formulas_and_keep_numbers(report_world, client):
    import io

    from openpyxl import load_workbook

    from schools.models import APProvider

    APProvider.objects.update(name="=HYPERLINK(\"http://example.com\")")
    client.force_login(report_world.users["la_manager"])
    response = client.get(reverse("reporting:table_export", args=["provision_ap"]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2] == ["Provider", "Places commissioned (fte)", "Places used (fte)", "Pupils placed"]
    assert values[3][0] == "'=HYPERLINK(\"http://example.com\")" and values[3][3] == 1
    csv_body = client.get(reverse("reporting:table_export", args=["provision_ap"]), {"format": "csv"})
    assert "'=HYPERLINK" in csv_body.content.decode("utf-8-sig")
    sexes = load_workbook(io.BytesIO(client.get(reverse("reporting:table_export", args=["attendance_sex"]),
                                                {"format": "xlsx"}).content)).active
    rows = [[cell.value for cell in row] for row in sexes.iter_rows()]
    assert rows[2][:2] == ["Sex", "Enrolments"] and isinstance(rows[3][1], int)


def test_the_glossary_defines_every_figure_with_its_source(report_world, client):
    from reporting.definitions import DEFINITIONS

    client.force_login(report_world.users["school_a"])
    body = client.get(reverse("reporting:glossary")).content.decode()
    from django.utils.html import escape

    for definition in DEFINITIONS:
        assert f'id="{definition.key}"' in body and escape(definition.source) in body
    assert "DfE, Suspensions and permanent exclusions in England 2023/24" in body  # the England figures' sources
    tables = [t for key in s.SECTION_KEYS for t in presentation.tables_for(
        s.report_figures(s.scope_for(report_world.users["la_manager"]), s.report_period_for(None)), key, None)]
    assert all(t.definition in {d.key for d in DEFINITIONS} for t in tables)


def test_a_paper_for_publication_names_no_staff_and_an_internal_one_says_so_on_every_page(report_world):
    """Caseloads by anonymised officer in the published paper; the internal version names them and every page says
    "Not for publication"."""
    import io

    from pypdf import PdfReader

    manager = report_world.users["la_manager"]
    report = s.report_figures(s.scope_for(manager), s.report_period_for(None))
    officers = [row.officer for row in report.casework.caseloads]
    assert officers, "the fixture's cases have an officer"
    published = pdf.report_html(report, suppress=True)
    assert "Officer A" in published and not any(name in published for name in officers)
    assert manager.display_name not in published
    internal = pdf.report_html(report, suppress=True, internal=True)
    assert all(name in internal for name in officers) and "Officer A" not in internal
    content, pages = html_to_pdf_with_pages(internal)
    page_texts = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    assert len(page_texts) == pages and all("Not for publication" in text for text in page_texts)
    published_pdf, _ = html_to_pdf_with_pages(published)
    assert not any("Not for publication" in page.extract_text() for page in PdfReader(io.BytesIO(published_pdf)).pages)
