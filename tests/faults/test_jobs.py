"""Job delivery on both databases (tasks in-process): the claim, the sweep, Retry and what the job page says.

The live versions, with Redis really stopped and a worker really killed, are test_redis_down.py and
test_worker_killed.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from schools import services
from schools.attendance.services import attendance_import_start
from schools.common import jobs
from schools.models import AttendanceWeek, AuditEvent, Job
from schools.tasks import run_attendance_import, run_pupil_export
from tests.attendance.conftest import terms  # noqa: F401  (fixture)


def _export_job(user, **state) -> Job:
    """A pupil export as job_enqueue records it, in the given state (what a failed publish or a crash leaves)."""
    job = Job.objects.create(kind=Job.Kind.PUPIL_EXPORT, created_by=user,
                             params={"query": {}, "task": {"name": "schools.tasks.run_pupil_export", "args": []}},
                             **state)
    job.params["task"]["args"] = [job.pk]
    job.save(update_fields=["params"])
    return job


def _exports_of(job: Job) -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(job.pk)).count()


@pytest.mark.django_db
def test_an_export_delivered_twice_runs_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.pupil_export_start(user=world.users["la_officer"], query={})
    job.refresh_from_db()
    assert (job.status, job.attempts, _exports_of(job)) == (Job.Status.SUCCEEDED, 1, 1)
    assert job.queued_at is not None
    assert run_pupil_export.apply(args=[job.pk]).get() == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert (job.attempts, _exports_of(job)) == (1, 1)


@pytest.mark.django_db
def test_an_import_delivered_twice_changes_nothing(world, terms, django_capture_on_commit_callbacks):  # noqa: F811
    day = datetime.date(2025, 9, 8)
    body = f"upn,school,date,session,code\n{world.pupil_a.upn},{world.school_a.urn},{day},AM,/\n"
    with django_capture_on_commit_callbacks(execute=True):
        started = attendance_import_start(user=world.users["la_officer"], kind="csv", bad_rows="keep_good",
                                          uploaded_file=SimpleUploadedFile("marks.csv", body.encode()))
    started.job.refresh_from_db()
    assert started.job.status == Job.Status.SUCCEEDED, started.job.message
    weeks = list(AttendanceWeek.objects.values_list("enrolment_id", "week_start", "marks", "source_id"))
    audits = AuditEvent.objects.count()
    assert run_attendance_import.apply(args=[started.pk]).get() == Job.Status.SUCCEEDED
    assert list(AttendanceWeek.objects.values_list("enrolment_id", "week_start", "marks", "source_id")) == weeks
    assert AuditEvent.objects.count() == audits
    started.job.refresh_from_db()
    assert started.job.attempts == 1


@pytest.mark.django_db
def test_a_job_the_queue_never_got_says_so_and_the_sweep_runs_it_once(world, client_for):
    user = world.users["la_officer"]
    job = _export_job(user)  # pending with no queued_at: what pupil_export_start leaves when Redis is down
    page = client_for(user).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "Waiting to start" in page and "The job queue cannot be reached just now" in page
    assert jobs.jobs_sweep(now=timezone.now())["requeued"] == 0  # a publish may still be on its way
    result = jobs.jobs_sweep(now=timezone.now() + jobs.REQUEUE_UNQUEUED_AFTER)
    job.refresh_from_db()
    assert (result["requeued"], job.status, job.attempts, _exports_of(job)) == (1, Job.Status.SUCCEEDED, 1, 1)
    assert jobs.jobs_sweep(now=timezone.now() + datetime.timedelta(days=1))["requeued"] == 0  # finished


@pytest.mark.django_db
def test_a_queued_job_waiting_for_a_worker_says_that_instead(world, client_for):
    job = _export_job(world.users["la_officer"], queued_at=timezone.now())
    page = client_for(world.users["la_officer"]).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "it will run when a worker is free" in page and "cannot be reached" not in page


@pytest.mark.django_db
def test_retry_runs_an_interrupted_job_again_for_its_owner_only(world, client_for,
                                                                django_capture_on_commit_callbacks):
    owner = world.users["la_officer"]
    job = _export_job(owner, status=Job.Status.FAILED, retryable=True, message=jobs.INTERRUPTED_MESSAGE,
                      attempts=1)
    page = client_for(owner).get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-retry"' in page and "Use Retry to run it again" in page
    other = client_for(world.users["la_manager"]).post(reverse("job_retry", args=[job.pk]))
    assert other.status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(reverse("job_retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.attempts, job.retryable, _exports_of(job)) == (Job.Status.SUCCEEDED, 2, False, 1)
    assert AuditEvent.objects.filter(object_id=str(job.pk), action=AuditEvent.Action.UPDATE, path="retried").exists()


@pytest.mark.django_db
def test_a_verdict_on_the_input_is_not_retried(world, client_for):
    owner = world.users["la_officer"]
    job = _export_job(owner, status=Job.Status.FAILED, message="Nothing was imported: bad rows.")
    assert 'data-testid="job-retry"' not in client_for(owner).get(reverse("job_detail", args=[job.pk])).content.decode()
    response = client_for(owner).post(reverse("job_retry", args=[job.pk]), follow=True)
    assert "Only a job that was interrupted" in response.content.decode()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


@pytest.mark.django_db
def test_a_running_job_whose_worker_connection_is_gone_is_shown_failed(world, client_for):
    if connection.vendor != "postgresql":
        pytest.skip("Only PostgreSQL says which worker connections are alive.")
    owner = world.users["la_officer"]
    alive = _export_job(owner, status=Job.Status.RUNNING, claimed_by=jobs.connection_id())
    gone = _export_job(owner, status=Job.Status.RUNNING, claimed_by="pg:1:1")
    page = client_for(owner).get(reverse("job_detail", args=[gone.pk])).content.decode()
    assert "Failed" in page and 'data-testid="job-retry"' in page
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING


@pytest.mark.django_db
def test_a_job_stored_before_its_task_moved_module_is_retried(world, client_for, settings, tmp_path,
                                                                django_capture_on_commit_callbacks):
    """Jobs keep the task's registered name. The subject access task moved from schools/data_protection_tasks.py to
    schools/data_protection/tasks.py keeping its name, so a job stored before the move still runs on Retry, and the
    sweep still publishes one the queue never got."""
    from schools.data_protection.tasks import apply_retention, run_subject_access

    assert run_subject_access.name == "schools.data_protection_tasks.run_subject_access"
    assert apply_retention.name == settings.CELERY_BEAT_SCHEDULE["data-protection-retention"]["task"]
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = world.users["la_manager"]
    stored = {"pupil_id": world.pupil_a.pk, "task": {"name": "schools.data_protection_tasks.run_subject_access",
                                                     "args": []}}
    job = Job.objects.create(kind=Job.Kind.SUBJECT_ACCESS, created_by=owner, params=stored, status=Job.Status.FAILED,
                             retryable=True, message=jobs.INTERRUPTED_MESSAGE, attempts=1)
    job.params["task"]["args"] = [job.pk]
    job.save(update_fields=["params"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(owner).post(reverse("job_retry", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2), job.message
    assert job.result_file
    waiting = Job.objects.create(kind=Job.Kind.SUBJECT_ACCESS, created_by=owner, params={**stored, "task": {
        "name": "schools.data_protection_tasks.run_subject_access", "args": []}})
    waiting.params["task"]["args"] = [waiting.pk]
    waiting.save(update_fields=["params"])
    assert jobs.jobs_sweep(now=timezone.now() + jobs.REQUEUE_UNQUEUED_AFTER)["requeued"] == 1
    waiting.refresh_from_db()
    assert waiting.status == Job.Status.SUCCEEDED, waiting.message
