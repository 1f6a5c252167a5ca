"""A termly report asked for on the embedded default (no broker, tasks in-process) with the job thread on
(settings.JOBS_IN_BACKGROUND_THREAD): the request returns at once to the report's page while the job is still running,
and the job is finished in the background thread, or failed there as a worker would leave it. The page follows the job
through the API's copy of the run (status and progress), which only those who may see the run can read."""

from __future__ import annotations

import threading
import time

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import ReportRun
from schools.common import jobs
from schools.models import Job
from tests.e2e.support import reseed

# How long a test waits for the background thread before it fails (it never waits this long when all is well).
PATIENCE = 60


@pytest.fixture
def committed(transactional_db):
    """Committed data (the background thread reads what the request committed), with the data migrations' rows an
    earlier transactional test's flush emptied. Asked for before report_world, which builds on them."""
    reseed()


@pytest.fixture
def held_report(monkeypatch):
    """The report-making service held until the test lets it go: (started, release). Held too long (the request itself
    running the job, so the test cannot let it go) it fails rather than hangs."""
    started, release = threading.Event(), threading.Event()
    make = services.report_generate

    def held(*, run):
        started.set()
        if not release.wait(timeout=20):
            raise AssertionError("the report was never let go: did the request itself run the job?")
        return make(run=run)

    monkeypatch.setattr(services, "report_generate", held)
    yield started, release
    release.set()
    assert jobs.background_jobs_wait(timeout=PATIENCE)


def ask(client, report_world):
    client.force_login(report_world.users["la_manager"])
    return client.post(reverse("reporting:report_create"), {
        "term": report_world.this_autumn.pk, "scope": "la", "suppress_small_numbers": "on"})


def test_a_report_asked_for_returns_at_once_and_is_made_in_the_background(committed, report_world, client, settings,
                                                                          held_report):
    settings.JOBS_IN_BACKGROUND_THREAD = True
    started, release = held_report
    begun = time.monotonic()
    response = ask(client, report_world)
    took = time.monotonic() - begun
    run = ReportRun.objects.select_related("job").get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:report_detail", args=[run.pk])
    assert took < 5, f"the request took {took:.1f}s"
    # The thread has the job, and is held: the request returned before the report was made.
    assert started.wait(timeout=PATIENCE)
    run.job.refresh_from_db()
    assert run.job.status == Job.Status.RUNNING and run.job.queued_at and not run.file
    page = client.get(response["Location"]).content.decode()
    assert 'data-app-job="' + reverse("api-report-run-detail", args=[run.pk]) + '"' in page
    assert "Running" in page and 'aria-live="polite"' in page and "Check again" in page
    assert client.get(reverse("api-report-run-detail", args=[run.pk])).json()["status"] == "running"

    release.set()
    assert jobs.background_jobs_wait(timeout=PATIENCE)
    run.refresh_from_db()
    run.job.refresh_from_db()
    assert (run.job.status, run.job.percent, run.job.attempts) == (Job.Status.SUCCEEDED, 100, 1)
    with run.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    page = client.get(response["Location"]).content.decode()
    assert "Download the report (PDF)" in page and "data-app-job=" not in page and "Check again" not in page


def test_a_report_that_fails_in_the_background_is_failed_with_retry(committed, report_world, client, settings,
                                                                     monkeypatch):
    settings.JOBS_IN_BACKGROUND_THREAD = True

    def broken(*, run):
        raise RuntimeError("the fonts are missing")

    monkeypatch.setattr(services, "report_generate", broken)
    assert ask(client, report_world).status_code == 302
    assert jobs.background_jobs_wait(timeout=PATIENCE)
    job = ReportRun.objects.select_related("job").get().job
    assert (job.status, job.retryable, job.can_retry) == (Job.Status.FAILED, True, True)
    assert job.message == "The report could not be made and nothing was kept: the fonts are missing"


def test_a_task_that_fails_before_it_starts_leaves_its_job_failed_not_waiting(committed, world, settings):
    """The task cannot find its report (gone before the thread ran it). Run in the request, the error would reach the
    page; in the thread nobody would see it, so the job says it failed instead of waiting for ever."""
    job = Job.objects.create(kind=services.JOB_KIND_REPORT, created_by=world.users["la_manager"], params={
        "task": {"name": "reporting.tasks.generate_report", "args": [987654]}})
    settings.JOBS_IN_BACKGROUND_THREAD = True
    assert jobs.job_publish(job.pk)
    assert jobs.background_jobs_wait(timeout=PATIENCE)
    job.refresh_from_db()
    assert (job.status, job.retryable, job.finished_at is not None) == (Job.Status.FAILED, True, True)
    assert job.message.startswith("The job stopped with an error before it finished")


@pytest.mark.django_db
def test_under_tests_the_job_thread_is_off_and_the_request_makes_the_report(report_world, client,
                                                                           django_capture_on_commit_callbacks):
    from django.conf import settings

    assert settings.JOBS_IN_BACKGROUND_THREAD is False
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, report_world)
    run = ReportRun.objects.select_related("job").get()
    assert response.status_code == 302 and run.job.status == Job.Status.SUCCEEDED and run.file


@pytest.mark.django_db
def test_the_status_the_page_follows_is_the_jobs_and_only_for_those_who_may_see_the_run(
        report_world, client, django_capture_on_commit_callbacks):
    school_b = report_world.world.school_b
    with django_capture_on_commit_callbacks(execute=False):  # asked for, not yet run
        run = services.report_request(user=report_world.users["la_manager"], term=report_world.this_autumn,
                                      school=school_b)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.RUNNING, total=8, done=3)
    url = reverse("api-report-run-detail", args=[run.pk])
    for reader in ("la_manager", "la_officer", "school_b"):  # the LA, and the school the report is for
        client.force_login(report_world.users[reader])
        body = client.get(url, HTTP_ACCEPT="application/json").json()
        assert (body["status"], body["progress"], body["download"]) == ("running", 37, None), reader
        page = client.get(reverse("reporting:report_detail", args=[run.pk])).content.decode()
        assert f'data-app-job="{url}"' in page and 'value="37"' in page and "Progress: 37% (3 of 8 steps)" in page
        assert "data-app-job-labels=" in page and "&quot;running&quot;: &quot;Running&quot;" in page
    client.force_login(report_world.users["school_a"])  # another school's user: no such report, as the page says
    assert client.get(url).status_code == 404
    assert client.get(reverse("reporting:report_detail", args=[run.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code in (401, 403)

    Job.objects.filter(pk=run.job_id).update(status=Job.Status.SUCCEEDED, done=8)
    client.force_login(report_world.users["la_manager"])
    assert client.get(url).json()["status"] == "succeeded"
    page = client.get(reverse("reporting:report_detail", args=[run.pk])).content.decode()
    assert "data-app-job=" not in page and "aria-live" not in page  # finished: nothing left to follow
