"""Writes for reporting: asking for a termly report, the end-of-term report the beat schedule makes, and making a
report's PDF (the background job's work). Keyword-only arguments, validation before anything is saved, every write
audited; the PDF goes through Django's storage so an LA can keep it on shared storage."""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from reporting import selectors
from reporting.models import ReportRun
from schools import school_days
from schools.audit import record_change
from schools.common import jobs
from schools.models import AuditEvent, Job, Partnership, School, Term, User
from schools.roles import Capability, Role

logger = logging.getLogger(__name__)

#: schools.Job.kind of a report (the Job model's own kinds are the schools app's; legal's letter batches do the same).
JOB_KIND_REPORT = Job.Kind.TERMLY_REPORT
#: The report's steps for the progress bar: each section's figures, then the page layout, then the PDF.
LAYOUT_STEPS = 2


def _today() -> datetime.date:
    return timezone.localdate()


def scheduled_report_owner() -> User | None:
    """Who an end-of-term report's job is filed under (a Job needs an owner): the first active LA manager, else the
    first active LA admin. Every LA role reads the report whoever that is."""
    active = User.objects.filter(is_active=True).order_by("pk")
    return active.filter(role=Role.LA_MANAGER).first() or active.filter(role=Role.LA_ADMIN).first()


def _check_term(term: Term, today: datetime.date) -> None:
    if term.school_id is not None:
        raise ValidationError({"term": "Choose one of the LA's terms (not a school's own term dates)."})
    if term.start_date > today:
        raise ValidationError({"term": f"The {term} term has not started yet: there is nothing to report."})


def _check_scope(user, school: School | None, partnership: Partnership | None) -> None:
    if school is not None and partnership is not None:
        raise ValidationError("A report is for the LA, one partnership or one school, not a school and a partnership.")
    if school is not None:
        if not user.can(Capability.GENERATE_SCHOOL_REPORTS):
            raise PermissionDenied("You may not make termly reports.")
        if not School.objects.visible_to(user).filter(pk=school.pk).exists():
            raise Http404
    elif not user.can(Capability.GENERATE_LA_REPORTS):
        raise PermissionDenied("Only LA managers and admins make LA-wide and partnership reports.")


@transaction.atomic
def report_request(*, user, term: Term, school: School | None = None, partnership: Partnership | None = None,
                   suppress_small_numbers: bool = False, internal: bool = False) -> ReportRun:
    """Ask for a termly report now: a Job the user can follow, made in the background. A term still running is
    reported up to today (and says so)."""
    today = _today()
    _check_term(term, today)
    _check_scope(user, school, partnership)
    job = Job.objects.create(kind=JOB_KIND_REPORT, created_by=user,
                             params={"term": term.pk, "school": school.pk if school else None,
                                     "partnership": partnership.pk if partnership else None})
    run = ReportRun(term=term, school=school, partnership=partnership, trigger=ReportRun.Trigger.ON_DEMAND,
                    requested_by=user, job=job, suppress_small_numbers=bool(suppress_small_numbers),
                    internal=bool(internal),
                    figures_to=min(term.end_date, today))
    run.full_clean()
    run.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=run)
    _queue(run)
    return run


def _queue(run: ReportRun) -> None:
    # Published after commit; with the queue down the job waits (the page says so) and the sweep sends it later.
    jobs.job_enqueue(run.job, "reporting.tasks.generate_report", run.pk)


def last_ended_term(today: datetime.date | None = None) -> Term | None:
    today = today or _today()
    return (school_days.la_terms().filter(end_date__lt=today).order_by("-end_date").first())


def report_schedule_term_end(*, today: datetime.date | None = None) -> ReportRun | None:
    """The beat task's work, run every night: once an LA term has ended, make its LA-wide report (with small numbers
    suppressed, as a committee paper is public). Idempotent: one such report per term, however often it runs (a
    database constraint holds it against two workers at once). Returns the new run, or None."""
    term = last_ended_term(today)
    if term is None or ReportRun.objects.filter(term=term, trigger=ReportRun.Trigger.SCHEDULED, school__isnull=True,
                                                partnership__isnull=True).exists():
        return None
    owner = scheduled_report_owner()
    if owner is None:
        logger.warning("No active LA manager or admin to file the %s report under; it was not made.", term)
        return None
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=JOB_KIND_REPORT, created_by=owner,
                                     params={"term": term.pk, "scheduled": True})
            run = ReportRun.objects.create(term=term, trigger=ReportRun.Trigger.SCHEDULED, job=job,
                                           suppress_small_numbers=True, figures_to=term.end_date)
            record_change(user=None, action=AuditEvent.Action.CREATE, instance=run, path="end-of-term report")
            _queue(run)
    except IntegrityError:
        return None  # another worker made it a moment ago
    return run


def report_scope(run: ReportRun) -> selectors.Scope:
    """The scope a report's figures are counted in: what its requester (or, for an end-of-term report, its owner)
    may see, narrowed to the report's school or partnership. A school's report is read by the school, so it leaves
    out the LA-only sections whoever made it."""
    user = run.job.created_by
    scope = selectors.scope_for(user, school=run.school, partnership=run.partnership, mine=False)
    return dataclasses.replace(scope, la_audience=run.is_la_audience and scope.la_audience)


def report_period(run: ReportRun) -> selectors.ReportPeriod:
    return selectors.term_period(run.term, on=run.figures_to)


def report_generate(*, run: ReportRun) -> ReportRun:
    """Count every section's figures, lay the report out and write its PDF, moving the job's progress bar after each
    step. Run by the background task; a failure marks the job failed with the reason and keeps nothing."""
    from reporting import pdf
    from schools.common.pdf import html_to_pdf_with_pages

    job = run.job
    scope, period = report_scope(run), report_period(run)
    steps = len(selectors.SECTION_KEYS) + LAYOUT_STEPS
    jobs.job_mark_running(job, total=steps)
    report = selectors.report_figures(scope, period, progress=lambda done, _total: jobs.job_progress(
        job, done=done))
    html = pdf.report_html(report, suppress=run.suppress_small_numbers, run=run, internal=run.internal)
    jobs.job_progress(job, done=steps - 1)
    content, pages = html_to_pdf_with_pages(html)
    run.file.save(run.filename, ContentFile(content), save=False)
    run.pages = pages
    run.save(update_fields=["file", "pages"])
    jobs.job_progress(job, done=steps)
    jobs.job_finish(job, status=Job.Status.SUCCEEDED,
                            message=f"{pages} page{'s' if pages != 1 else ''}, figures to {run.figures_to:%-d %B %Y}.")
    return run


def report_failed(*, run: ReportRun, error: Exception) -> None:
    jobs.job_finish(run.job, status=Job.Status.FAILED, retryable=True,
                            message=f"The report could not be made and nothing was kept: {error}")
