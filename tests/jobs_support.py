"""Retry as an owner meets it, for the tests of each kind of job that offers it."""

from __future__ import annotations

from django.urls import reverse

from schools.models import Job


def retry_from_its_page(client, user, job_id: int, page_url: str, capture_on_commit) -> None:
    """Leave the job as the sweep leaves one whose worker died (failed, retryable), check its page offers Retry,
    press it (the task runs in-process once the retry commits) and check the owner is sent back to that page."""
    Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, retryable=True, message="interrupted")
    client.force_login(user)
    assert 'data-testid="job-retry"' in client.get(page_url).content.decode()
    with capture_on_commit(execute=True):
        response = client.post(reverse("job_retry", args=[job_id]))
    assert response.status_code == 302 and response["Location"] == page_url
