"""Reads for the elective home education register, always through the user's scope (LA roles only)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from schools.ehe import rules
from schools.models import HomeEducationRecord

#: The s437(1) notice is a legal.SchoolAttendanceOrder pointing back here (related name school_attendance_orders);
#: its stage "notice" means it is still waiting for the parent. Named as text: schools never imports legal.
_LIVE_NOTICE = Q(school_attendance_orders__stage="notice")


def today() -> datetime.date:
    return timezone.localdate()


def ehe_list(*, user):
    return (HomeEducationRecord.objects.visible_to(user)
            .select_related("pupil", "school", "officer", "return_school")
            .annotate(contact_count=Count("contacts", distinct=True),
                      notice_expiry=Max("school_attendance_orders__response_due_on", filter=_LIVE_NOTICE),
                      last_contact=Max("contacts__contact_on")))


def ehe_get(*, user, pk: int) -> HomeEducationRecord:
    """One record, or 404 for anyone who may not see it (school users see none)."""
    return get_object_or_404(ehe_list(user=user), pk=pk)


def next_action(record, on: datetime.date | None = None) -> rules.NextAction:
    """The next step for a record from ``ehe_list`` (which annotates the contacts and any live notice)."""
    return rules.next_action(
        status=record.status, consent_pending=record.consent_pending, suitability=record.suitability,
        assessed_on=record.suitability_assessed_on, enquiry_sent_on=record.enquiry_sent_on,
        enquiry_due=record.enquiry_response_due, enquiry_replied_on=record.enquiry_response_on,
        notice_expiry=getattr(record, "notice_expiry", None), contacts=getattr(record, "contact_count", 0),
        today=on or today())


def counts(*, user) -> dict:
    """The register's headline figures for the list page."""
    records = HomeEducationRecord.objects.visible_to(user)
    return {
        "open": records.open().count(),
        "consent_needed": records.consent_needed().count(),
        "enquiry_overdue": records.enquiry_overdue(today()).count(),
        "not_suitable": records.open().filter(suitability=HomeEducationRecord.Suitability.NOT_SUITABLE).count(),
    }
