"""Background jobs: a Job row records what a task does (status, progress, the file it made), and this module moves it
through its life. Every long-running write (imports, exports, letter batches, reports) starts as a Job queued here.

A job's task is published after commit; if the queue cannot be reached the job stays pending with no queued_at and
the page says it is waiting, and the periodic sweep (jobs_sweep, run by beat) publishes it again once the queue is
back. Tasks start by claiming their job with a conditional UPDATE (job_claim), so a second delivery of the same task,
from the sweep or a broker redelivery, does nothing. The claim names the worker's PostgreSQL connection: when that
connection is gone while the job is still running, the worker died (its transaction was rolled back by PostgreSQL),
so the job is shown failed and can be retried. README "Production" says the same for operators.

With no broker (the embedded default) Celery runs a task in-process. There a published job runs in this process's
one background thread (settings.JOBS_IN_BACKGROUND_THREAD), one job at a time in the order published, so the page
that started it returns at once and shows its progress; a task that stops with an error leaves its job failed, as a
worker's would. Tests turn the thread off (the task has run when the request returns) unless they turn it on.
"""

from __future__ import annotations

import datetime
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
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
    """Hand the job's task to the queue (with no broker: to the background thread, or run it here when that is off).
    False (the job stays pending, the page says so) if the queue is down."""
    from config.celery import app

    spec = Job.objects.values_list("params", flat=True).get(pk=job_id)["task"]
    task = _task(spec["name"])
    if app.conf.task_always_eager and settings.JOBS_IN_BACKGROUND_THREAD:
        # Marked queued before the thread can touch the job, so this process never writes it while the task does.
        Job.objects.filter(pk=job_id).update(queued_at=timezone.now())
        _background_submit(job_id, task, spec["args"])
        return True
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


BACKGROUND_FAILED_MESSAGE = "The job stopped with an error before it finished, so nothing from this run was saved: {}"

_background_lock = threading.Lock()
_background_executor: ThreadPoolExecutor | None = None
_background_futures: set[Future] = set()


def _background_submit(job_id: int, task, args: list) -> None:
    global _background_executor
    with _background_lock:
        if _background_executor is None:
            _background_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
        future = _background_executor.submit(_background_run, job_id, task, args)
        _background_futures.add(future)
    future.add_done_callback(_background_forget)


def _background_forget(future: Future) -> None:
    with _background_lock:
        _background_futures.discard(future)


def _background_run(job_id: int, task, args: list) -> None:
    """The background thread's work: the task, as the eager path runs it. The task marks its own job failed when its
    work raises; an error before that (or in that) leaves the job failed and retryable here rather than waiting for
    ever. The thread's database connections are closed after every job, as a worker's are after every task."""
    try:
        task.apply_async(args=args)
    except Exception as exc:
        logger.exception("Job %s (%s) failed in the background thread", job_id, task.name)
        try:
            Job.objects.filter(pk=job_id, status__in=[Job.Status.PENDING, Job.Status.RUNNING]).update(
                status=Job.Status.FAILED, finished_at=timezone.now(), retryable=True,
                message=BACKGROUND_FAILED_MESSAGE.format(exc)[:300])
        except Exception:
            logger.exception("Job %s could not be marked failed", job_id)
    finally:
        connections.close_all()


def background_jobs_wait(timeout: float | None = None) -> bool:
    """Wait until the jobs handed to the background thread so far have finished; False if ``timeout`` passed first.
    For tests and scripts: a request never waits for its job."""
    with _background_lock:
        pending = set(_background_futures)
    return not wait(pending, timeout=timeout).not_done


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
