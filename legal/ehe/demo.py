"""Demo s437(1) notice (issue 21): served on the parent of the home-educated child whose informal enquiry went
unanswered longest (schools.ehe.demo), as a school attendance order at its notice stage."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError

from legal.ehe import services
from legal.selectors import pupil_carers
from schools.models import HomeEducationRecord, User


def load(*, seed: int, stdout=None) -> dict:
    officer = User.objects.get(username="officer")
    record = (HomeEducationRecord.objects.filter(status="open", suitability="not_suitable",
                                                 enquiry_response_on__isnull=True,
                                                 enquiry_response_due__lt=datetime.date(2026, 11, 10))
              .order_by("enquiry_response_due", "pk").first())
    if record is None:
        return {}
    carer = pupil_carers(record.pupil).filter(do_not_contact=False).first()
    if carer is None:
        return {}
    try:
        sao = services.ehe_serve_notice(user=officer, record=record, carer=carer,
                                        notice_served_on=record.enquiry_response_due + datetime.timedelta(days=3),
                                        notice_period_days=15)
    except ValidationError:
        return {}
    if stdout is not None:
        stdout.write(f"  s437(1) notice {sao.reference} on {record.reference}")
    return {"s437_notices": 1}
