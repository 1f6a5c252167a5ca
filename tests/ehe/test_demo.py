"""The demo's home education register (schools.ehe.demo and legal.ehe.demo): records in the states the pages show,
and one s437(1) notice served from an overdue enquiry."""

from __future__ import annotations

import pytest

from legal.models import SchoolAttendanceOrder
from schools.demo import load_demo
from schools.models import HomeEducationRecord

pytestmark = pytest.mark.django_db


def test_demo_register(db):
    load_demo(seed=2026, pupils=600)
    records = HomeEducationRecord.objects.all()
    assert records.count() >= 7
    assert set(records.values_list("status", flat=True)) == {"open", "returned", "closed"}
    assert set(records.values_list("suitability", flat=True)) >= {"not_known", "suitable", "not_suitable"}
    assert records.filter(source="school_deletion").exists()
    sao = SchoolAttendanceOrder.objects.get(home_education_record__isnull=False)
    assert sao.stage == "notice" and sao.notice_period_days == 15
    assert records.filter(enquiry_response_on__isnull=True, enquiry_sent_on__isnull=False).count() >= 2
