"""Children missing education: "enquiries overdue" (schools.exclusions.rules.CME_ENQUIRY_INTERVAL_SCHOOL_DAYS) worked
by hand on the LA calendar: an open case whose last enquiry, or referral with none, is more than ten school days
back. Today is this package's Monday 23 November 2026 (tests/exclusions/conftest.py); counting today, ten school days
back is Tuesday 10 November (no bank holiday between; half term was 26-30 October)."""

from __future__ import annotations

import datetime

import pytest

from schools.exclusions.filters import CMEFilterSet
from schools.exclusions.selectors import cme_list
from schools.models import AcademicYear, CMEEnquiry, CMERecord, Term

pytestmark = pytest.mark.django_db
D = datetime.date


def _record(name, referred_on, enquiries=(), outcome=CMERecord.Outcome.OPEN):
    record = CMERecord.objects.create(child_name=name, referred_on=referred_on, reason=CMERecord.Reason.ARRIVED,
                                      outcome=outcome)
    for day in enquiries:
        CMEEnquiry.objects.create(record=record, made_on=day, method=CMEEnquiry.Method.PHONE, result="No answer")
    return record


def test_enquiries_overdue_by_school_days(world, frozen_today):
    year = AcademicYear.objects.create(name="2026/27", start_date=D(2026, 9, 1), end_date=D(2027, 8, 31))
    Term.objects.create(academic_year=year, name="autumn", start_date=D(2026, 9, 3), end_date=D(2026, 12, 18),
                        half_term_start=D(2026, 10, 26), half_term_end=D(2026, 10, 30))
    late = _record("Referred, nothing since", D(2026, 11, 2))
    _record("Referred on the boundary", D(2026, 11, 10))  # ten school days back: not yet overdue
    _record("Old referral, recent enquiry", D(2026, 10, 1), [D(2026, 10, 8), D(2026, 11, 19)])
    stale = _record("Old enquiries only", D(2026, 10, 1), [D(2026, 10, 8), D(2026, 11, 9)])
    _record("Found", D(2026, 10, 1), outcome=CMERecord.Outcome.ON_ROLL)
    rows = CMEFilterSet({"enquiries": "overdue"}, queryset=cme_list(user=world.users["la_officer"])).qs
    assert set(rows.values_list("pk", flat=True)) == {late.pk, stale.pk}
