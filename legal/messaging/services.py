"""Every write about messages to families: recording a letter for posting (through GOV.UK Notify, or the print queue
when Notify is not configured) with any matching email or text, sending one message (the task calls this), recording
the statuses Notify reports (poll and callback), recording a print-queue posting, and dealing with a failure.

A letter's posting date feeds a penalty notice's service (legal.services.notice_posted: deemed receipt on the second
working day after posting), so a notice posted through Notify or by hand has its payment periods without anyone
keying the date twice.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.services import record_event
from legal import rules as legal_rules
from legal.messaging import letter_spec, notify, rules
from legal.messaging.models import NotifyMessage, NotifyTemplate
from schools.audit import record_change, record_view, snapshot
from schools.carers import validators
from schools.models import AuditEvent, Carer
from schools.roles import Capability, require

logger = logging.getLogger(__name__)

Channel, Route = rules.Channel, rules.Route


def _now():
    return timezone.now()


# --- Who may be written to, and at what address --------------------------------------------------------------------

def check_may_contact(carer: Carer, field: str = "carer") -> None:
    """A parent or carer marked "do not contact" gets nothing about the child (e.g. a non-molestation order: they
    must not learn the other parent's address, or that the child is at this school)."""
    if carer.do_not_contact:
        raise ValidationError({field: f"{carer.full_name} may not be contacted (see the family record): nothing was "
                                      "sent to them."})


def address_lines(carer: Carer) -> list[str]:
    """The postal address a letter goes to: the carer's own, else the family's, one line per comma."""
    address = carer.address or (carer.family.address if carer.family_id else "")
    return [line.strip() for line in (address or "").split(",") if line.strip()]


def check_postal_address(carer: Carer, field: str = "carer") -> list[str]:
    lines = address_lines(carer)
    if not lines:
        raise ValidationError({field: f"{carer.full_name} has no postal address on the family record: add it, then "
                                      "send the letter."})
    if len(lines) + 1 < rules.MIN_ADDRESS_LINES or len(lines) + 1 > rules.MAX_ADDRESS_LINES:
        plural = "s" if len(lines) != 1 else ""
        raise ValidationError({field: f"{carer.full_name}'s address has {len(lines)} line{plural}"
                                      f": a posted letter needs 2 to {rules.MAX_ADDRESS_LINES - 1} lines under the "
                                      "name (street or town, and the postcode). Correct it on the family record."})
    return lines


def _check_email(carer: Carer) -> str:
    try:
        return validators.validate_email_address(carer.email)
    except ValidationError:
        raise ValidationError({"carer": f"{carer.full_name}'s email address “{carer.email}” is not one an email can "
                                        "go to: correct it on the family record, or set their preferred contact to "
                                        "post only."}) from None


def _check_phone(carer: Carer) -> str:
    """A UK mobile (GOV.UK Notify texts only those unless international texts are switched on), as 07... digits."""
    phone = (carer.phone or "").strip()
    try:
        number = validators.normalise_phone(phone)
    except ValidationError:
        number = ""
    if not validators.is_uk_mobile(number):
        raise ValidationError({"carer": f"{carer.full_name}'s phone number “{phone}” is not a UK mobile number a text "
                                        "message can go to: correct it on the family record, or set their preferred "
                                        "contact to post only."})
    return number


# --- Recording a letter for posting --------------------------------------------------------------------------------

def _companion(carer: Carer, letter_kind: str) -> tuple[str, NotifyTemplate, str] | None:
    """The email or text sent with a letter: the carer's preferred channel, where the LA has a Notify template for
    this kind of letter. Only through Notify (the print queue is paper)."""
    channel = {Carer.PreferredChannel.EMAIL: Channel.EMAIL, Carer.PreferredChannel.SMS: Channel.SMS}.get(
        carer.preferred_channel)
    if channel is None or not notify.configured():
        return None
    template = NotifyTemplate.objects.filter(letter_kind=letter_kind, channel=channel, is_active=True).first()
    if template is None:
        return None
    recipient = _check_email(carer) if channel == Channel.EMAIL else _check_phone(carer)
    return channel, template, recipient


def _personalisation(template: NotifyTemplate, values: dict) -> dict:
    missing = [ours for ours in template.personalisation.values() if not values.get(ours)]
    if missing:
        names = ", ".join(f"{{{{ {name} }}}}" for name in missing)
        raise ValidationError({"template": f"The GOV.UK Notify template “{template.name}” is filled with {names}, "
                                           "which this letter has no value for: change the template's fields in the "
                                           "admin site, or choose a letter about the right record."})
    return {field: values[ours] for field, ours in template.personalisation.items()}


def letter_dispatch(*, user, letter, pdf: bytes, values: dict) -> list[NotifyMessage]:
    """Record a letter just made (legal.services.letter_send, inside its transaction) for posting: through Notify when
    it is configured (checked against the letter specification first, and sent after commit), else into the print
    queue. With it, the email or text of the carer's preferred channel where a Notify template is set up. Any
    refusal raises ValidationError and, the caller being atomic, nothing of the letter is kept."""
    carer = letter.carer
    check_may_contact(carer)
    lines = check_postal_address(carer)
    companion = _companion(carer, letter.kind)
    via_notify = notify.configured()
    if via_notify:
        try:
            letter_spec.check(pdf)
        except letter_spec.LetterSpecError as error:
            raise ValidationError({"template": f"{error} Nothing was sent."}) from None
    made = [NotifyMessage(
        channel=Channel.LETTER, route=Route.NOTIFY if via_notify else Route.PRINT, pupil_id=letter.pupil_id,
        carer=carer, case_id=letter.case_id, letter=letter, batch_id=letter.batch_id, created_by=user,
        recipient=", ".join([carer.full_name, *lines])[:300], status="queued" if via_notify else "print-queue",
        status_at=_now())]
    if companion:
        channel, template, recipient = companion
        made.append(NotifyMessage(
            channel=channel, route=Route.NOTIFY, pupil_id=letter.pupil_id, carer=carer, case_id=letter.case_id,
            letter=letter, batch_id=letter.batch_id, notify_template=template, recipient=recipient,
            personalisation=_personalisation(template, values), status="queued", status_at=_now(),
            created_by=user))
    for message in made:
        message.full_clean()
        message.save()
        record_change(user=user, action=AuditEvent.Action.CREATE, instance=message, pupil_id=letter.pupil_id)
        if message.route == Route.NOTIFY:
            _enqueue(message.pk)
    return made


SEND_TASK = "legal.messaging.tasks.send_message"


def _send_task():
    """The send task from the Celery app's registry (by name, so this module and the task module do not import
    each other)."""
    from config.celery import app

    if SEND_TASK not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[SEND_TASK]


def _enqueue(message_id: int) -> None:
    # robust: a queue that is down must not undo or fail the officer's request; the poll sends what never left.
    transaction.on_commit(lambda: _send_task().delay(message_id), robust=True)


def route_label() -> str:
    return "by post through GOV.UK Notify" if notify.configured() else "in the print queue, to post by hand"


# --- Sending one message (the task) ----------------------------------------------------------------------------------

def _claim(message_id: int) -> bool:
    """Take the message for this worker: one conditional UPDATE, so two deliveries of the task cannot both send."""
    stale = _now() - datetime.timedelta(seconds=rules.CLAIM_EXPIRES_SECONDS)
    return bool(NotifyMessage.objects.filter(pk=message_id, status="queued", route=Route.NOTIFY)
                .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
                .update(claimed_at=_now(), attempts=F("attempts") + 1))


def _already_at_notify(api, message: NotifyMessage) -> dict | None:
    """After an attempt whose outcome we never recorded (the worker died mid-send), ask Notify by our reference
    before sending again: a retried task must never send twice."""
    found = api.get_all_notifications(reference=message.reference).get("notifications") or []
    return found[0] if found else None


def _post(api, message: NotifyMessage) -> dict:
    if message.channel == Channel.LETTER:
        with message.letter.file.open("rb") as pdf:
            content = pdf.read()
        letter_spec.check(content)  # the stored file, as sent: a changed or damaged file is not posted
        import io

        return api.send_precompiled_letter_notification(reference=message.reference, pdf_file=io.BytesIO(content),
                                                        postage=rules.POSTAGE)
    if message.channel == Channel.EMAIL:
        return api.send_email_notification(email_address=message.recipient,
                                           template_id=str(message.notify_template.template_id),
                                           personalisation=message.personalisation, reference=message.reference)
    return api.send_sms_notification(phone_number=message.recipient,
                                     template_id=str(message.notify_template.template_id),
                                     personalisation=message.personalisation, reference=message.reference)


def message_send(*, message_id: int) -> int | None:
    """Send one queued message to Notify. Returns seconds to wait before trying again (429 or 5xx), else None.

    Idempotent: only a claimed, still-queued message is sent; an attempt after one whose result was lost asks Notify
    for our reference first. Notify's 400/403 (a rejected address, number or template, a wrong key) are recorded as
    a permanent failure with Notify's words, and the message goes on the failures worklist."""
    from notifications_python_client.errors import APIError

    if not notify.configured() or not _claim(message_id):
        return None
    message = NotifyMessage.objects.select_related("letter", "notify_template", "carer").get(pk=message_id)
    api = notify.client()
    try:
        answer = _already_at_notify(api, message) if message.attempts > 1 else None
        answer = answer or _post(api, message)
    except letter_spec.LetterSpecError as error:
        _record_not_sent(message, "permanent-failure", f"Not sent: {error}")
        return None
    except APIError as error:
        failure = notify.failure_of(error)
        if failure.retryable and message.attempts < rules.MAX_SEND_ATTEMPTS:
            NotifyMessage.objects.filter(pk=message.pk).update(
                claimed_at=None, status_detail=f"GOV.UK Notify answered {failure.status_code}: trying again "
                                               f"({failure.message})"[:500])
            logger.warning("Notify answered %s for message %s; retrying", failure.status_code, message.pk)
            return rules.retry_delay(message.attempts)
        status = "permanent-failure" if failure.status_code in (400, 403) else "technical-failure"
        _record_not_sent(message, status, f"GOV.UK Notify refused it ({failure.status_code}): {failure.message}")
        return None
    _record_sent(message, answer)
    return None


@transaction.atomic
def _record_sent(message: NotifyMessage, answer: dict) -> None:
    message = NotifyMessage.objects.select_for_update(of=("self",)).get(pk=message.pk)
    before = snapshot(message)
    message.notify_id = answer.get("id")
    message.status = "pending-virus-check" if message.channel == Channel.LETTER else "created"
    message.status_detail, message.sent_at, message.status_at, message.claimed_at = "", _now(), _now(), None
    message.save()
    record_change(user=None, action=AuditEvent.Action.UPDATE, instance=message, before=before)
    # The access log: the pupil's details (name, and for a letter the whole letter) went to GOV.UK Notify.
    record_view(user=message.created_by, instance=message, action=AuditEvent.Action.EXPORT,
                path=f"GOV.UK Notify {message.get_channel_display().lower()} {message.reference}")


@transaction.atomic
def _record_not_sent(message: NotifyMessage, status: str, detail: str) -> None:
    message = NotifyMessage.objects.select_for_update(of=("self",)).select_related("carer", "case").get(pk=message.pk)
    before = snapshot(message)
    message.status, message.status_detail, message.status_at, message.claimed_at = status, detail[:500], _now(), None
    message.save()
    record_change(user=None, action=AuditEvent.Action.UPDATE, instance=message, before=before)
    _chronology(message)


# --- Statuses from Notify (poll and callback) ----------------------------------------------------------------------

def _kind(code: str) -> str:
    status = rules.BY_CODE.get(code)
    return status.kind if status else rules.WAITING


RETURNED = "returned-letter"


@transaction.atomic
def status_record(*, message: NotifyMessage, status: str, completed_at: str | None = None, detail: str = "",
                  source: str = "poll") -> bool:
    """Record a status Notify reported; True if it changed anything. A late report of an earlier stage (callbacks
    may arrive out of order) does not undo a final one, and a returned letter stays returned (Notify's API goes on
    calling it "received"). A letter reported "received" is posted on the day of that report's ``completed_at``
    (rules.letter_posted_on says why not ``sent_at``)."""
    if status not in rules.NOTIFY_CODES:
        raise ValidationError({"status": f"“{status}” is not a GOV.UK Notify status."})
    message = (NotifyMessage.objects.select_for_update(of=("self",)).select_related("letter", "carer", "case")
               .get(pk=message.pk))
    if status == message.status or message.status == RETURNED \
            or (_kind(message.status) != rules.WAITING and _kind(status) == rules.WAITING):
        return False
    before = snapshot(message)
    message.status, message.status_at = status, _now()
    message.status_detail = (detail or "")[:500]
    if message.channel == Channel.LETTER and message.posted_on is None:
        message.posted_on = rules.letter_posted_on(
            status=status, completed_at=completed_at, today=timezone.localdate(),
            earliest=timezone.localdate(message.sent_at or message.created_at))
    message.save()
    record_change(user=None, action=AuditEvent.Action.UPDATE, instance=message, before=before,
                  path=f"GOV.UK Notify {source}")
    _chronology(message)
    if message.posted_on and before.get("posted_on") is None:
        _notice_posted(message, how="through GOV.UK Notify")
    return True


def _chronology(message: NotifyMessage) -> None:
    """Arrivals and failures go on the case chronology (the steps in between would only be noise)."""
    if message.case_id is None or _kind(message.status) == rules.WAITING:
        return
    what = f"{message.get_channel_display()} {message.letter.reference} to {message.carer.full_name}"
    summary = f"{what}: {rules.label(message.status).lower()}"
    returned_notice = message.status == RETURNED and message.letter.penalty_notice is not None
    details = "\n".join(filter(None, [
        f"Posted on {message.posted_on:%-d %B %Y}." if message.posted_on else "",
        message.status_detail, message.next_step,
        "This penalty notice came back undelivered, so this letter did not serve it: deemed receipt by post does "
        "not stand against proof that it was not delivered (Interpretation Act 1978 s7). Serve it again, by hand "
        "or to a corrected address, before relying on its payment periods." if returned_notice else "",
        f"GOV.UK Notify notification {message.notify_id}, our reference {message.reference}."
        if message.notify_id else f"Our reference {message.reference}."]))
    record_event(user=message.created_by, case=message.case, summary=summary, details=details,
                 on=timezone.localdate())


def _notice_posted(message: NotifyMessage, *, how: str) -> None:
    notice = message.letter.penalty_notice
    if notice is not None:
        notice_posted(notice=notice, posted_on=message.posted_on, how=how, by=message.posted_by or None)


@transaction.atomic
def notice_posted(*, notice, posted_on: datetime.date, how: str, by=None):
    """A penalty notice's letter was posted (by GOV.UK Notify's print provider, or by hand from the print queue):
    its service is first-class post on that day, so deemed receipt is the second working day after and the payment
    periods run from there (legal.rules.service_dates, as for a service keyed by hand). ``by`` is the officer who
    recorded a hand posting; None when Notify reported it. A notice already served, or no longer awaiting payment,
    keeps what it has: None."""
    from legal.models import PenaltyNotice

    notice = PenaltyNotice.objects.select_for_update(of=("self",)).select_related("case").get(pk=notice.pk)
    if notice.served_on is not None or notice.status != PenaltyNotice.Status.ISSUED or notice.payments.exists() \
            or posted_on < notice.issued_on:
        return None
    before = snapshot(notice)
    notice.served_on, notice.service_method = posted_on, legal_rules.ServiceMethod.POST
    notice.received_on, notice.reduced_due_on, notice.full_due_on = legal_rules.service_dates(
        notice_type=notice.notice_type, issued_on=notice.issued_on, is_repeat=notice.reduced_amount is None,
        served_on=posted_on, method=legal_rules.ServiceMethod.POST)
    notice.version += 1
    notice.full_clean()
    notice.save()
    record_change(user=by, action=AuditEvent.Action.UPDATE, instance=notice, before=before, pupil_id=notice.pupil_id)
    if notice.case is not None:
        record_event(user=by or notice.issued_by, case=notice.case,
                     summary=f"Penalty notice {notice.reference} posted {how}",
                     details=f"Posted on {posted_on:%-d %B %Y}; deemed received on {notice.received_on:%-d %B %Y}. "
                             f"Pay by {notice.full_due_on:%-d %B %Y}.", on=min(posted_on, timezone.localdate()))
    return notice


class UnknownNotification(LookupError):
    """Notify told us about a notification we have no record of."""


def _problem(message: str) -> ValidationError:
    return ValidationError(message, code="callback")


def _uuid(value, key: str) -> uuid.UUID:
    try:
        return uuid.UUID(value if isinstance(value, str) else "")
    except ValueError:
        raise _problem(f"The “{key}” is not a GOV.UK Notify notification id (a UUID).") from None


def _check_fields(payload: dict, *, required, strings, nullable, times, what: str) -> None:
    missing = [key for key in required if key not in payload]
    if missing:
        raise _problem(f"The {what} has no {', '.join(missing)}: GOV.UK Notify always sends "
                       f"{', '.join(required)}.")
    for key in strings:
        if not isinstance(payload.get(key), str) or not payload[key]:
            raise _problem(f"The {what}'s “{key}” should be text.")
    for key in nullable:
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise _problem(f"The {what}'s “{key}” should be text or null.")
    for key in times:
        if payload.get(key) is not None and rules.parse_timestamp(payload[key]) is None:
            raise _problem(f"The {what}'s “{key}” is not a time like 2017-05-14T12:15:30.000000Z.")


def _a(kind: str) -> str:
    return {"email": "an email", "sms": "a text message", "letter": "a letter"}.get(kind, kind)


def _find(*, notify_id, reference) -> NotifyMessage:
    """By Notify's id, or by our reference (a callback can arrive before the task has saved the id)."""
    message = NotifyMessage.objects.filter(notify_id=notify_id).first()
    if message is None and isinstance(reference, str) and reference:
        message = NotifyMessage.objects.filter(reference=reference, route=Route.NOTIFY).first()
        if message is not None and message.notify_id is None:
            NotifyMessage.objects.filter(pk=message.pk, notify_id__isnull=True).update(notify_id=notify_id)
    if message is None:
        raise UnknownNotification(str(notify_id))
    return message


def _delivery_receipt(payload: dict) -> NotifyMessage:
    _check_fields(payload, required=rules.DELIVERY_RECEIPT_FIELDS, what="delivery receipt",
                  strings=("id", "status", "notification_type", "created_at"),
                  nullable=("reference", "to", "completed_at", "sent_at", "template_id"),
                  times=("created_at", "completed_at", "sent_at"))
    version = payload["template_version"]
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise _problem("The delivery receipt's “template_version” should be a number.")
    kind = payload["notification_type"]
    if kind not in rules.CHANNEL_CODES:
        raise _problem(f"“{kind}” is not a GOV.UK Notify notification type (email, sms or letter).")
    message = _find(notify_id=_uuid(payload["id"], "id"), reference=payload["reference"])
    if message.channel != kind:
        raise _problem(f"The receipt is for {_a(kind)}, but notification {payload['id']} was {_a(message.channel)}.")
    status = rules.callback_status(kind, payload["status"])
    if status not in rules.CHANNEL_CODES[kind] or status == RETURNED:
        raise _problem(f"“{payload['status']}” is not a GOV.UK Notify status for {_a(kind)}.")
    status_record(message=message, status=status, completed_at=payload["completed_at"], source="callback")
    return message


def _returned_letter(payload: dict) -> NotifyMessage:
    _check_fields(payload, required=rules.RETURNED_LETTER_REQUIRED, what="returned-letter callback",
                  strings=("notification_id", "date_sent"), nullable=("reference",), times=("date_sent",))
    message = _find(notify_id=_uuid(payload["notification_id"], "notification_id"), reference=payload["reference"])
    if message.channel != Channel.LETTER:
        raise _problem(f"Notification {payload['notification_id']} was {_a(message.channel)}, not a letter: it "
                       "cannot have been returned.")
    sent = rules.parse_timestamp(payload["date_sent"])
    status_record(message=message, status=RETURNED, source="returned-letter callback",
                  detail=f"GOV.UK Notify's print provider had it back from Royal Mail (the letter was sent to Notify "
                         f"on {timezone.localdate(sent):%-d %B %Y}).")
    return message


def callback_record(*, payload: dict) -> NotifyMessage:
    """One of GOV.UK Notify's callbacks, checked against its documented fields: a delivery receipt
    (rules.DELIVERY_RECEIPT_FIELDS: a status for an email or text, or a letter's) or a returned-letter callback
    (rules.RETURNED_LETTER_FIELDS: "returned-letter", and the message goes on the failures worklist). Notify may send
    both to one address; they are told apart by their keys. ValidationError for a body that is not one of them or
    a status not of the message's kind; UnknownNotification for an id (and reference) we have no record of."""
    if not isinstance(payload, dict):
        raise _problem("The body should be a JSON object: a GOV.UK Notify delivery receipt or returned-letter "
                       "callback.")
    if "notification_id" in payload and "id" not in payload:
        message = _returned_letter(payload)
    else:
        message = _delivery_receipt(payload)
    message.refresh_from_db()
    return message


def messages_poll(*, now: datetime.datetime | None = None) -> int:
    """Ask Notify about every message it may still change (sent in its 7 days of data), and queue again any that
    never left (a queue that was down when it was made). Returns how many changed."""
    from notifications_python_client.errors import APIError

    if not notify.configured():
        return 0
    now = now or _now()
    stuck = NotifyMessage.objects.filter(route=Route.NOTIFY, status="queued", created_at__lt=now - datetime.timedelta(
        minutes=5)).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - datetime.timedelta(
            seconds=rules.CLAIM_EXPIRES_SECONDS)))
    for message_id in stuck.values_list("pk", flat=True)[:500]:
        _send_task().delay(message_id)
    api, changed = notify.client(), 0
    open_ = NotifyMessage.objects.filter(route=Route.NOTIFY, status__in=rules.NOTIFY_OPEN_CODES,
                                         notify_id__isnull=False,
                                         sent_at__gte=now - datetime.timedelta(days=rules.POLL_DAYS))
    for message in open_.order_by("sent_at")[:2000]:
        try:
            answer = api.get_notification_by_id(str(message.notify_id))
        except APIError as error:
            logger.warning("Notify status of message %s not read: %s", message.pk, notify.failure_of(error).status_code)
            continue
        if answer.get("status") in rules.CHANNEL_CODES.get(message.channel, ()):
            changed += status_record(message=message, status=answer["status"],
                                     completed_at=answer.get("completed_at"))
    return changed


# --- The print queue and failures ----------------------------------------------------------------------------------

@transaction.atomic
def print_posted(*, user, messages, posted_on: datetime.date) -> int:
    """The officer posted these print-queue letters on ``posted_on``: each is recorded as posted by hand, and a
    penalty notice among them is served by post from that day (deemed receipt two working days later)."""
    require(user, Capability.WORK_LEGAL)
    if posted_on is None:
        raise ValidationError({"posted_on": "Enter the date the letters were posted."})
    if posted_on > timezone.localdate():
        raise ValidationError({"posted_on": "The posting date cannot be in the future."})
    rows = list(NotifyMessage.objects.visible_to(user).select_for_update(of=("self",)).filter(
        pk__in=[m.pk for m in messages], status="print-queue").select_related("letter", "carer", "case"))
    if not rows:
        raise ValidationError({"posted_on": "These letters are no longer in the print queue."})
    earliest = min(row.letter.sent_on for row in rows)
    if posted_on < earliest:
        raise ValidationError({"posted_on": f"The letters were made on {earliest:%-d %B %Y}: they cannot have been "
                                            "posted before that."})
    for message in rows:
        before = snapshot(message)
        message.status, message.status_at = "posted-by-hand", _now()
        message.posted_on, message.posted_by = posted_on, user
        message.save()
        record_change(user=user, action=AuditEvent.Action.UPDATE, instance=message, before=before)
        _chronology(message)
        _notice_posted(message, how="by hand from the print queue")
    return len(rows)


@transaction.atomic
def failure_resolve(*, user, message: NotifyMessage, resolution: str) -> NotifyMessage:
    """Record what was done about a failed message (address checked, sent by hand...): it leaves the worklist."""
    require(user, Capability.WORK_LEGAL)
    if not NotifyMessage.objects.visible_to(user).filter(pk=message.pk).exists():
        raise PermissionDenied("message out of scope")
    if not message.is_failed:
        raise ValidationError("This message did not fail.")
    if message.resolved_at is not None:
        raise ValidationError("Someone has already recorded what was done about this message.")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Say what was done, e.g. “Address corrected and letter sent again”."})
    before = snapshot(message)
    message.resolved_at, message.resolved_by, message.resolution = _now(), user, resolution[:500]
    message.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=message, before=before)
    if message.case_id:
        record_event(user=user, case=message.case, summary=f"Failed {message.get_channel_display().lower()} "
                     f"{message.letter.reference} to {message.carer.full_name}: dealt with", details=resolution)
    return message
