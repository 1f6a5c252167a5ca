"""Redis stopped: pages still work, a job started meanwhile waits (and says so), and runs exactly once when Redis is
back. gunicorn and a Celery worker with beat run as real processes against a private redis-server that the test
stops and starts again on the same port (the shared Redis is never touched)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from schools.models import AuditEvent, Job
from tests.faults import support

pytestmark = [pytest.mark.live_services, pytest.mark.django_db(transaction=True)]


def test_with_redis_stopped_pages_work_and_a_job_waits_then_runs_once(world, tmp_path):
    support.require_live_services()
    redis = support.RedisServer(tmp_path)
    redis.start()
    worker = web = None
    try:
        # The sweep every second, so the test need not wait the production minute.
        worker = support.start_worker(tmp_path, broker=redis.url, beat=True, JOB_SWEEP_SECONDS=1)
        web, base = support.start_web(tmp_path, broker=redis.url)
        browser = support.signed_in(world.users["la_officer"], base)

        redis.stop()
        for name in ("home", "pupil_list", "school_list", "cases:list", "exclusion_list"):
            response = browser.get(base + reverse(name), timeout=30)
            assert (response.status_code, response.url) == (200, base + reverse(name)), web.output()
        page = browser.get(base + reverse("pupil_list"), timeout=30).text
        response = browser.post(base + reverse("pupil_export"), data={"csrfmiddlewaretoken": support.csrf_token(page)},
                                headers={"Referer": base + reverse("pupil_list")}, timeout=60)
        assert response.status_code == 200, web.output()
        job = Job.objects.get(created_by=world.users["la_officer"], kind=Job.Kind.PUPIL_EXPORT)
        assert response.url.endswith(reverse("job_detail", args=[job.pk]))
        assert (job.status, job.queued_at) == (Job.Status.PENDING, None)
        assert "Waiting to start" in response.text
        assert "The job queue cannot be reached just now" in response.text

        redis.start()  # same port, empty: the message was never sent, so only the sweep can bring the job back
        support.wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, seconds=120, every=0.5,
                           what=f"the export to run once Redis was back\n{worker.output()}")
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.message
        assert job.attempts == 1
        assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(job.pk)).count() == 1
        assert "Download the CSV" in browser.get(base + reverse("job_detail", args=[job.pk]), timeout=30).text
    finally:
        for process in (web, worker):
            if process:
                process.stop()
        redis.stop()
