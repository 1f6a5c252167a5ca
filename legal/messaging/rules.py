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
- Returned letters: Notify reports them in its returned-letters report and callback; we record them as the status
  "returned-letter" [INFERRED name: Notify has no API status string for it].
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


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
