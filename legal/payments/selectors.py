"""Reads for payment files and the payment queue. Every read starts from the user's scope (LA staff only)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from legal import services as legal_services
from legal.models import PenaltyNotice
from legal.payments.models import PaymentFile, PaymentLine


def file_list(*, user) -> QuerySet:
    return PaymentFile.objects.visible_to(user).select_related("uploaded_by")


def file_get(*, user, pk: int) -> PaymentFile:
    return get_object_or_404(file_list(user=user), pk=pk)


def line_list(*, user) -> QuerySet:
    return PaymentLine.objects.visible_to(user).select_related("file", "notice", "notice__carer", "decided_by")


def line_get(*, user, pk: int) -> PaymentLine:
    return get_object_or_404(line_list(user=user).select_related("payment", "notice__pupil"), pk=pk)


def open_count(*, user) -> int:
    return PaymentLine.objects.visible_to(user).filter(status=PaymentLine.Status.QUEUED).count()


@dataclass(frozen=True)
class Suggestion:
    notice: PenaltyNotice
    why: str
    due: Decimal | None  # what discharges the notice on the day the line was paid; None when nothing can

    @property
    def amount_fits(self) -> bool:
        return self.due is not None


def suggestions(*, user, line: PaymentLine) -> list[Suggestion]:
    """The line's suggested notices as they stand now (one query), each with what was due on the day it was paid."""
    wanted = [s["notice"] for s in line.suggestions if isinstance(s, dict) and s.get("notice")]
    notices = PenaltyNotice.objects.visible_to(user).select_related("pupil", "carer").in_bulk(wanted)
    result = []
    for item in line.suggestions:
        notice = notices.get(item.get("notice"))
        if notice is not None:
            result.append(Suggestion(notice, item.get("why", ""), legal_services.amount_due(notice, line.paid_on)))
    return result
