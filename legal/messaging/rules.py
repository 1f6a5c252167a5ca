"""GOV.UK Notify as data: the statuses Notify reports (with what each means for the officer and the next step when a
message failed), and the precompiled letter specification our PDFs are checked against before sending.

Sources:
- Statuses: GOV.UK Notify API documentation, "Status - email", "Status - text message", "Status - letter" and
  "Status - precompiled letter" (docs.notifications.service.gov.uk/python.html#get-message-status).
- Letter specification: GOV.UK Notify "Letter specification" guidance and the constants Notify itself checks
  precompiled letters with (alphagov/notifications-template-preview, app/precompiled.py): A4 portrait; everything
  printed inside a border 15 mm from the left and right edges and 5 mm from the top and bottom; on page 1 the
  address inside the block 24.6 mm to 120 mm from the left and 39.5 mm to 66.3 mm from the top, and the body
  starting 95 mm from the top; at most 10 pages (notifications-utils LETTER_MAX_PAGE_COUNT); fonts embedded.
- Returned letters: Notify learns of them from the print provider and tells us only by its returned-letter callback
  (a separate callback type, set up on the same API integration page) and its returned-letters report. We record
  them as "returned-letter", Notify's own name for the state (alphagov/notifications-api app/constants.py
  NOTIFICATION_RETURNED_LETTER; its API's "get a notification" shows such a letter as "received", so the poll never
  sees a return).
- Callbacks: GOV.UK Notify API documentation, "Callbacks": the delivery receipt's fields (DELIVERY_RECEIPT_FIELDS
  below) and the returned-letter callback's (RETURNED_LETTER_FIELDS, as Notify's send_returned_letter_to_service
  builds it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Route(models.TextChoices):
    NOTIFY = "notify", "GOV.UK Notify"
    PRINT = "print", "Print queue (posted by hand)"


# Kinds of status: still on its way, arrived/handed over, or failed (a failure goes on the failures worklist).
WAITING, DONE, FAILED = "waiting", "done", "failed"


@dataclass(frozen=True)
class Status:
    code: str
    label: str
    kind: str
    next_step: str = ""


STATUSES: tuple[Status, ...] = (
    # Ours: before Notify has it, and the print queue.
    Status("queued", "Waiting to go to GOV.UK Notify", WAITING),
    Status("print-queue", "In the print queue: to post by hand", WAITING),
    Status("posted-by-hand", "Posted by hand", DONE),
    # Notify: email and text messages.
    Status("created", "Sent to GOV.UK Notify", WAITING),
    Status("sending", "Sending", WAITING),
    Status("pending", "Waiting for the phone network", WAITING),
    Status("delivered", "Delivered", DONE),
    Status("permanent-failure", "Permanent failure", FAILED,
           "The address, email address or phone number was refused or does not exist: check it with the family "
           "and the school, correct the record, then send again or deliver by hand."),
    Status("temporary-failure", "Temporary failure", FAILED,
           "The inbox was full or the phone was off for 72 hours: send again later, or by post or by hand."),
    Status("technical-failure", "Technical failure", FAILED,
           "GOV.UK Notify had a problem and did not send it: send again; if it fails twice, send by hand."),
    # Notify: letters (precompiled).
    Status("pending-virus-check", "Being checked by GOV.UK Notify", WAITING),
    Status("virus-scan-failed", "Refused by GOV.UK Notify's virus check", FAILED,
           "The PDF was refused: tell the system administrator, and post the letter by hand meanwhile."),
    Status("validation-failed", "Refused: outside the letter specification", FAILED,
           "GOV.UK Notify could not print the PDF as it is laid out: post it by hand and tell the system "
           "administrator."),
    Status("accepted", "Accepted: GOV.UK Notify is printing it", WAITING),
    Status("received", "Posted by GOV.UK Notify's print provider", DONE),
    Status("cancelled", "Cancelled before printing", FAILED,
           "The letter was cancelled before it was posted: send it again if it is still needed."),
    Status("returned-letter", "Returned: not delivered", FAILED,
           "Royal Mail returned it: check the address with the family and the school, correct it, then send again "
           "or deliver by hand."),
)

BY_CODE = {status.code: status for status in STATUSES}
CHOICES = [(status.code, status.label) for status in STATUSES]
FAILED_CODES = frozenset(s.code for s in STATUSES if s.kind == FAILED)
DONE_CODES = frozenset(s.code for s in STATUSES if s.kind == DONE)
#: Statuses Notify may still change: the poll asks about these (letters in "received" may still come back
#: returned, which Notify tells us by callback).
NOTIFY_OPEN_CODES = frozenset({"created", "sending", "pending", "pending-virus-check", "accepted"})
#: Notify's own status strings we accept from the API and the callback.
NOTIFY_CODES = frozenset(BY_CODE) - {"queued", "print-queue", "posted-by-hand"}


#: The statuses each kind of message can have in Notify's API ("Status - email", "Status - text message", "Status -
#: letter" and "Status - precompiled letter"), plus a returned letter. A report of a status that is not one of its
#: channel's is refused (400), not recorded.
CHANNEL_CODES = {
    "email": frozenset({"created", "sending", "delivered", "permanent-failure", "temporary-failure",
                        "technical-failure"}),
    "sms": frozenset({"created", "sending", "pending", "delivered", "permanent-failure", "temporary-failure",
                      "technical-failure"}),
    "letter": frozenset({"pending-virus-check", "virus-scan-failed", "validation-failed", "accepted", "received",
                         "cancelled", "technical-failure", "permanent-failure", "returned-letter"}),
}

#: Notify's delivery receipts carry its internal status, which for letters differs from what its API shows (the
#: documentation lists receipts for emails and texts only; should one come for a letter, it is read as Notify's own
#: API reads it: notifications-api Notification.get_letter_status).
LETTER_INTERNAL_CODES = {"created": "accepted", "sending": "accepted", "delivered": "received"}

#: The delivery receipt ("Callbacks" in Notify's API documentation): every key is always sent; all strings (or null
#: where the documentation says so) apart from template_version, a number.
DELIVERY_RECEIPT_FIELDS = ("id", "reference", "to", "status", "created_at", "completed_at", "sent_at",
                           "notification_type", "template_id", "template_version")
#: The returned-letter callback: Notify's id, our reference (null for letters not sent through the API), the day it
#: was sent to Notify, who sent it, and the template and upload details Notify's returned-letters report also shows.
RETURNED_LETTER_FIELDS = ("notification_id", "reference", "date_sent", "sent_by", "template_name", "template_id",
                          "template_version", "spreadsheet_file_name", "spreadsheet_row_number",
                          "upload_letter_file_name")
RETURNED_LETTER_REQUIRED = ("notification_id", "reference", "date_sent")


def callback_status(notification_type: str, status: str) -> str:
    """The status a delivery receipt reports, in the API's words (a letter's internal names translated)."""
    if notification_type == "letter":
        return LETTER_INTERNAL_CODES.get(status, status)
    return status


# --- A letter's posting date ----------------------------------------------------------------------------------------
#
# Notify's letter statuses ("Status - letter"): "accepted" means Notify has sent the letter to its print provider to be
# printed (the moment its ``sent_at`` is stamped: notifications-api update_letter_to_sending), and "received" means
# "the provider has printed and dispatched the letter". So a letter is posted when it becomes "received", not at
# ``sent_at``: a letter handed over after the day's print deadline is printed and posted the next working day, and a
# deemed receipt counted from ``sent_at`` would fall a day early. The posting date is the day (UK time) of the
# "received" report's ``completed_at`` (Notify's time of that last status change); when a report gives none, the day
# we first learn of it, which is never before the letter went. It is never before the day the letter went to Notify
# (a clock that disagrees must not make a notice deemed received early) nor after today. Deemed receipt is then the
# second working day after (legal.rules.received_on: Interpretation Act 1978 s7).

def letter_posted_on(*, status: str, completed_at: str | None, today: datetime.date,
                     earliest: datetime.date | None = None) -> datetime.date | None:
    """The day a letter was posted, from a Notify status report; None while it is not yet "received"."""
    if status != "received":
        return None
    when = parse_timestamp(completed_at)
    posted = min(timezone.localdate(when), today) if when else today
    return max(posted, earliest) if earliest else posted


def parse_timestamp(value) -> datetime.datetime | None:
    """Notify's timestamps, e.g. "2017-05-14T12:15:30.000000Z" (UTC); None for null or anything unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=datetime.UTC)


def next_step(code: str) -> str:
    status = BY_CODE.get(code)
    return status.next_step if status else ""


def label(code: str) -> str:
    status = BY_CODE.get(code)
    return status.label if status else code


# --- Sending: retries ---------------------------------------------------------------------------------------------

#: HTTP statuses worth trying again (Notify: 429 rate or daily limit; 5xx its own fault). 400 and 403 are
#: permanent: the request or the key is wrong and sending it again will not help.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_SEND_ATTEMPTS = 6
#: Seconds before attempt n+1 (1 minute, doubling, capped at an hour).
def retry_delay(attempts: int) -> int:
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


#: A send claimed this long ago and never finished (the worker died) may be claimed again; the reference check then
#: stops it from being sent twice.
CLAIM_EXPIRES_SECONDS = 600
#: Notify keeps a message's status for 7 days (its default data retention); the poll stops asking after that.
POLL_DAYS = 7


# --- The precompiled letter specification --------------------------------------------------------------------------

MM = 72 / 25.4  # PDF points per millimetre
A4_WIDTH_MM, A4_HEIGHT_MM = 210.0, 297.0
PAGE_TOLERANCE_MM = 1.0
BORDER_SIDE_MM, BORDER_TOP_BOTTOM_MM = 15.0, 5.0
ADDRESS_LEFT_MM, ADDRESS_RIGHT_MM = 24.6, 120.0
ADDRESS_TOP_MM, ADDRESS_BOTTOM_MM = 39.5, 66.3
BODY_TOP_MM = 95.0
MAX_PAGES = 10
#: Notify's address rules: 3 to 7 lines (the name counts), the last a UK postcode or a country.
MIN_ADDRESS_LINES, MAX_ADDRESS_LINES = 3, 7
#: Larger uploads are refused by Notify's API (precompiled letters: "the file must be smaller than 5MB").
MAX_PDF_BYTES = 5 * 1024 * 1024
#: First class for formal notices: the deemed-service rule (legal.rules.received_on) assumes first-class post.
POSTAGE = "first"
