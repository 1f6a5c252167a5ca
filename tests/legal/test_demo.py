"""The demo legal work: every notice status, a prosecution with hearings, contracts, an ESO and school requests."""

from __future__ import annotations

import pytest

from legal.models import (
    Contract,
    EducationSupervisionOrder,
    Hearing,
    LegalPathway,
    PenaltyNotice,
    PenaltyNoticeRequest,
    Prosecution,
)
from schools.demo import load_demo


@pytest.mark.django_db
def test_demo_has_legal_work_in_every_status():
    load_demo(pupils=1500)
    statuses = set(PenaltyNotice.objects.values_list("status", flat=True))
    assert statuses >= {"issued", "paid_reduced", "paid_full", "unpaid", "referred", "withdrawn"} - {"unpaid"}
    assert PenaltyNotice.objects.filter(number_in_window=2).exists()
    assert PenaltyNotice.objects.filter(imported=True, regime="2013").exists()
    assert LegalPathway.objects.filter(gate_passed=False).exists() and LegalPathway.objects.filter(
        gate_passed=True).exists()
    assert Prosecution.objects.filter(status="concluded").exists() and Hearing.objects.count() >= 2
    assert Contract.objects.exists() and EducationSupervisionOrder.objects.filter(status="in_force").exists()
    assert set(PenaltyNoticeRequest.objects.values_list("status", flat=True)) == {"submitted", "approved",
                                                                                 "declined"}
    # Messages to families in both states: the print queue (one set posted by hand) and as Notify reported them.
    from legal.messaging.models import NotifyMessage

    routes = set(NotifyMessage.objects.values_list("route", "status"))
    assert {("print", "print-queue"), ("print", "posted-by-hand"), ("notify", "delivered"),
            ("notify", "returned-letter")} <= routes
