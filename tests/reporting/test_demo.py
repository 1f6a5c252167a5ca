"""The demo's reporting: every school has a link officer, and the end-of-term report the beat schedule would have
made for the last term before the demo's "today" is made and kept."""

from __future__ import annotations

import pytest

from reporting.models import ReportRun, SchoolLinkOfficer
from schools.demo import load_demo
from schools.models import AttendanceSummary, School


@pytest.mark.django_db
def test_demo_has_link_officers_and_a_past_termly_report(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(pupils=1500)
    assert SchoolLinkOfficer.objects.count() == School.objects.count()
    run = ReportRun.objects.get()
    assert (run.trigger, run.term.name, run.term.academic_year.name) == ("scheduled", "summer", "2025/26")
    assert run.job.status == "succeeded" and run.pages and run.file.name.endswith(".pdf")
    # The report's term has register marks for every enrolment on roll, so its attendance section has figures.
    term_summaries = AttendanceSummary.objects.filter(term=run.term)
    assert term_summaries.filter(possible__gt=0).count() > 1000
