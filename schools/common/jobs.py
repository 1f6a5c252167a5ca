"""Background jobs: a Job row records what a task does (status, progress, the file it made), and this module moves it
through its life. Every long-running write (imports, exports, letter batches, reports) starts as a Job queued here.

A job's task is published after commit; if the queue cannot be reached the job stays pending with no queued_at and
the page says it is waiting, and the periodic sweep (jobs_sweep, run by beat) publishes it again once the queue is
back. Tasks start by claiming their job with a conditional UPDATE (job_claim), so a second delivery of the same task,
from the sweep or a broker redelivery, does nothing. The claim names the worker's PostgreSQL connection: when that
connection is gone while the job is still running, the worker died (its transaction was rolled back by PostgreSQL),
so the job is shown failed and can be retried. README "Production" says the same for operators.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from schools.audit import record_change, snapshot
from schools.models import AuditEvent, Job

logger = logging.getLogger(__name__)


def job_mark_running(job: Job, *, total: int) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(), total=total, done=0)


def job_progress(job: Job, *, done: int) -> None:
    Job.objects.filter(pk=job.pk).update(done=done)


def job_finish(job: Job, *, status: str, message: str = "", retryable: bool = False) -> None:
    """``retryable``: the failure was a crash, not a verdict on the input, so the page offers Retry."""
    Job.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), message=message[:300],
                                         retryable=retryable)


REQUEUE_UNQUEUED_AFTER = datetime.timedelta(seconds=30)  # a publish still in flight after commit is not re-sent
REQUEUE_QUEUED_AFTER = datetime.timedelta(minutes=30)  # queued but never claimed: the message was lost with Redis
INTERRUPTED_MESSAGE = ("The worker running this job stopped before it finished, so nothing from this run was saved. "
                       "Use Retry to run it again.")


def job_enqueue(job: Job, task_name: str, *args) -> None:
    """Record which task runs the job (so the sweep and Retry can publish it again) and publish it after commit.

    ``task_name`` is the Celery task's registered name, stored with the job: a task that moves module keeps its name
    (``@shared_task(name=...)``) so that jobs stored before the move still run."""
    job.params = {**job.params, "task": {"name": task_name, "args": list(args)}}
    Job.objects.filter(pk=job.pk).update(params=job.params)
    transaction.on_commit(lambda: job_publish(job.pk))


def _task(name: str):
    """The task registered under ``name``, looked up in the Celery app's registry (loading every app's ``tasks``
    module first if this process has not yet)."""
    from config.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def job_publish(job_id: int) -> bool:
    """Hand the job's task to the queue. False (the job stays pending, the page says so) if the queue is down."""
    from config.celery import app

    spec = Job.objects.values_list("params", flat=True).get(pk=job_id)["task"]
    task = _task(spec["name"])
    if app.conf.task_always_eager:
        task.apply_async(args=spec["args"])  # in-process: the task's own errors belong to the caller
    else:
        try:
            task.apply_async(args=spec["args"])
        except Exception:  # kombu raises OperationalError (or OSError) when Redis is unreachable
            logger.warning("Job %s could not be queued; it stays pending until the queue is back", job_id,
                           exc_info=True)
            return False
    Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
    return True


def connection_id() -> str:
    """This process's PostgreSQL connection (pid and start time, so a reused pid is not mistaken for it)."""
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(_ALIVE_SQL + " WHERE pid = pg_backend_pid()")
        return cursor.fetchone()[0]


_ALIVE_SQL = ("SELECT 'pg:' || pid || ':' || (extract(epoch FROM backend_start) * 1000000)::bigint "
              "FROM pg_stat_activity")


def job_claim(job_id: int) -> bool:
    """Move a pending job to running for this worker; False if it was already claimed or finished (a duplicate)."""
    return bool(Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), finished_at=None, done=0, message="",
        retryable=False, claimed_by=connection_id(), attempts=F("attempts") + 1))


def jobs_fail_stale(*, job_ids=None) -> int:
    """Running jobs whose claiming worker connection has gone: failed, retryable. Only PostgreSQL can tell."""
    if connection.vendor != "postgresql":
        return 0
    running = Job.objects.filter(status=Job.Status.RUNNING).exclude(claimed_by="")
    if job_ids is not None:
        running = running.filter(pk__in=job_ids)
    claims = dict(running.values_list("pk", "claimed_by"))
    if not claims:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_ALIVE_SQL + " WHERE datname = current_database()")
        alive = {row[0] for row in cursor.fetchall()}
    failed = 0
    for pk, claimant in claims.items():
        if claimant not in alive:
            failed += Job.objects.filter(pk=pk, status=Job.Status.RUNNING, claimed_by=claimant).update(
                status=Job.Status.FAILED, finished_at=timezone.now(), retryable=True, message=INTERRUPTED_MESSAGE)
    return failed


def jobs_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Periodic (beat): fail jobs whose worker died, and publish pending jobs the queue never got."""
    now = now or timezone.now()
    failed = jobs_fail_stale()
    waiting = Job.objects.filter(status=Job.Status.PENDING, params__has_key="task").filter(
        Q(queued_at__isnull=True, created_at__lt=now - REQUEUE_UNQUEUED_AFTER)
        | Q(queued_at__lt=now - REQUEUE_QUEUED_AFTER))
    requeued = sum(job_publish(pk) for pk in waiting.values_list("pk", flat=True))
    return {"failed": failed, "requeued": requeued}


@transaction.atomic
def job_retry(*, user, job: Job) -> Job:
    """Run a failed job again (its owner only). Safe because each task is all-or-nothing and claims its job."""
    if job.created_by_id != user.pk:
        raise PermissionDenied(f"{user.username} did not start job {job.pk}.")
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED or not job.retryable or "task" not in job.params:
        raise ValidationError("Only a job that was interrupted or stopped with an error can be run again.")
    before = snapshot(job)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.PENDING, queued_at=None, finished_at=None, done=0,
                                         message="", retryable=False)
    job.refresh_from_db()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=job, before=before, path="retried")
    transaction.on_commit(lambda: job_publish(job.pk))
    return job
