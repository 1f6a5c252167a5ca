"""Reads about messages to families, always from what the user may see (NotifyMessage.objects.visible_to: LA roles
only; anything else is 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min
from django.shortcuts import get_object_or_404

from legal.messaging import rules
from legal.messaging.models import NotifyMessage


def message_list(*, user):
    return NotifyMessage.objects.visible_to(user).select_related("pupil", "carer", "letter", "case")


def failure_list(*, user):
    """The failures worklist: messages that failed or letters that came back, with what happened next."""
    return message_list(user=user).failures().select_related("resolved_by")


def message_get(*, user, pk: int) -> NotifyMessage:
    return get_object_or_404(message_list(user=user), pk=pk)


def pupil_messages(*, user, pupil) -> list[NotifyMessage]:
    return list(message_list(user=user).filter(pupil=pupil).order_by("-created_at", "-pk"))


@dataclass
class PrintGroup:
    """Letters to post together: a batch's (one PDF for the lot), or one letter made on its own."""

    key: str
    title: str
    count: int
    made_on: object
    batch_id: int | None
    letter_id: int | None
    message_id: int | None
    download_url: str


def print_queue(*, user) -> list[PrintGroup]:
    from django.urls import reverse

    waiting = NotifyMessage.objects.visible_to(user).filter(status="print-queue", channel=rules.Channel.LETTER)
    groups = []
    for row in (waiting.filter(batch__isnull=False).values("batch_id", "batch__description", "batch__job__status")
                .annotate(count=Count("pk"), made=Min("created_at")).order_by("made")):
        groups.append(PrintGroup(key=f"batch-{row['batch_id']}", title=row["batch__description"], count=row["count"],
                                 made_on=row["made"], batch_id=row["batch_id"], letter_id=None, message_id=None,
                                 download_url=reverse("legal:print_batch_pdf", args=[row["batch_id"]])))
    for message in waiting.filter(batch__isnull=True).select_related("letter", "carer", "pupil").order_by("created_at"):
        groups.append(PrintGroup(key=f"message-{message.pk}", count=1, made_on=message.created_at,
                                 title=f"{message.letter.get_kind_display()} {message.letter.reference} to "
                                       f"{message.carer.full_name} about {message.pupil.display_name}",
                                 batch_id=None, letter_id=message.letter_id, message_id=message.pk,
                                 download_url=reverse("legal:letter", args=[message.letter_id])))
    return groups


def print_group_messages(*, user, batch_id: int | None = None, message_id: int | None = None):
    waiting = NotifyMessage.objects.visible_to(user).filter(status="print-queue")
    return waiting.filter(batch_id=batch_id) if batch_id is not None else waiting.filter(pk=message_id)
