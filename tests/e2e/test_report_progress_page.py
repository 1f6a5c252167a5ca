"""A termly report's page follows its job by itself in a real browser (static/js/init.js, data-app-job): the status tag,
the percentage and the progress bar move as the job does, a new status is announced, and the page loads itself again
when the job has finished, so the download shows. axe-core passes on the page as it changes. The job is moved here
by the test, as the background thread or a worker would move it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from reporting import services
from reporting.models import ReportRun
from schools.models import Job
from tests.cases.fixtures import cases_world  # noqa: F401  (report_world builds on it)
from tests.e2e.support import assert_accessible
from tests.reporting.conftest import report_world  # noqa: F401  (the fixture LA)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def seeded(e2e_world):
    """e2e_world first (it puts back the data migrations' rows an earlier test's flush removed)."""


def test_the_report_page_moves_with_its_job_and_reloads_when_it_has_finished(new_visit, report_world):  # noqa: F811
    manager = report_world.users["la_manager"]
    job = Job.objects.create(kind=services.JOB_KIND_REPORT, created_by=manager, queued_at=timezone.now(),
                             params={"task": {"name": "reporting.tasks.generate_report", "args": []}})
    run = ReportRun.objects.create(term=report_world.this_autumn, trigger=ReportRun.Trigger.ON_DEMAND,
                                   requested_by=manager, job=job, figures_to=timezone.localdate())
    visit = new_visit("la_manager")
    page = visit.page
    visit.goto(f"/reports/termly/{run.pk}/")
    main = visit.main()
    status, bar = page.get_by_test_id("job-status"), page.locator("#job-progress")
    expect(status).to_have_text("Waiting to start")
    expect(main.get_by_text("This page updates by itself")).to_be_visible()
    expect(main.get_by_role("link", name="Check again")).to_be_hidden()

    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), total=8, done=2)
    expect(status).to_have_text("Running")
    expect(page.locator("[data-app-job-announce]")).to_have_text("Status: Running")
    expect(page.get_by_test_id("job-waiting")).to_be_hidden()
    expect(bar).to_have_js_property("value", 25)
    expect(page.get_by_text("Progress: 25%")).to_be_visible()

    Job.objects.filter(pk=job.pk).update(done=6)
    expect(bar).to_have_js_property("value", 75)
    expect(page.get_by_label("Progress: 75%")).to_be_visible()
    assert_accessible(page)
    visit.assert_no_problems()
    assert not visit.unchecked_loads, "the page loaded itself again while the job was running"

    run.file.save(run.filename, ContentFile(b"%PDF-1.7\n"), save=False)
    run.pages = 1
    run.save(update_fields=["file", "pages"])
    with page.expect_navigation():
        Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, done=8, finished_at=timezone.now(),
                                             message="1 page.")
    visit.check()
    expect(status).to_have_text("Finished")
    expect(main.get_by_role("link", name="Download the report (PDF)")).to_be_visible()
    expect(main.get_by_text("This page updates by itself")).to_have_count(0)
