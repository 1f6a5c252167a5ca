"""Demo messages to families, showing both states the issue asks for: letters in the print queue (the embedded
default has no GOV.UK Notify key) with one set recorded as posted by hand, and letters as GOV.UK Notify reported them
on an authority that has it set up (delivered, posted, returned), the returned one on the failures worklist.

The Notify-state rows are written as Notify would have reported them (its notification ids are made up here, and
say so): the demo sends nothing anywhere."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case
from legal import services
from legal.messaging import services as messaging
from legal.messaging.models import NotifyMessage
from legal.models import LetterTemplate
from schools.models import Carer, User

#: How the demo's Notify-era letters ended, in order: the last comes back returned (the failures worklist).
NOTIFY_OUTCOMES = ("delivered", "received", "returned-letter")


def load(*, seed: int, stdout=None) -> None:
    officer = User.objects.filter(username="officer").first()
    template = LetterTemplate.objects.filter(kind="warning_letter", is_active=True).first()
    if officer is None or template is None:
        return
    made = []
    for case in (Case.objects.filter(status="open", pupil__family__isnull=False).select_related("pupil")
                 .order_by("pk")[:40]):
        carer = (Carer.objects.filter(family_id=case.pupil.family_id, parental_responsibility=True,
                                      do_not_contact=False).exclude(address="", family__postcode="").first())
        if carer is None:
            continue
        try:
            made.append(services.letter_send(user=officer, template=template, pupil=case.pupil, carer=carer,
                                             case=case))
        except ValidationError:
            continue  # a pupil outside school age, a family without an address: the demo moves on
        if len(made) == 6:
            break
    if not made:
        return
    today = timezone.localdate()
    # Print queue: the first set posted by hand yesterday; the next two still waiting.
    messaging.print_posted(user=officer, messages=list(NotifyMessage.objects.filter(letter=made[0])),
                           posted_on=max(today - datetime.timedelta(days=1), made[0].sent_on))
    # Notify: as an authority with a key would see them.
    for letter, outcome in zip(made[3:], NOTIFY_OUTCOMES, strict=False):
        NotifyMessage.objects.filter(letter=letter).update(
            route="notify", status=outcome, notify_id=uuid.uuid4(), sent_at=timezone.now(), status_at=timezone.now(),
            posted_on=letter.sent_on if outcome in ("received", "returned-letter") else None,
            status_detail="Demo: as GOV.UK Notify would report it (no message was sent).")
    if stdout is not None:
        stdout.write(f"Messages to families: {len(made)} warning letters, in the print queue and as GOV.UK Notify "
                     "reported them\n")
