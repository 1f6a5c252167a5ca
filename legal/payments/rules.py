"""Payment files as data: the columns the council's income system sends, the dates and amounts it may write, why a
line is held for an officer, and how matches are suggested. Payment periods and amounts are legal.rules' (PN2007 as
amended by PN2024); a line is paid to its notice only through legal.services.payment_record, which applies them.
"""

from __future__ import annotations

import datetime

from django.db import models

#: The columns every file must have (header row, any order, any case; spaces and underscores alike). [Local: the
#: income system's export as the brief describes it: date, amount, reference, payer.]
REQUIRED_COLUMNS = ("date", "amount", "reference", "payer")
#: Other names income systems use for the same columns.
COLUMN_ALIASES = {
    "payment date": "date", "date paid": "date", "transaction date": "date",
    "amount paid": "amount", "value": "amount",
    "payment reference": "reference", "ref": "reference", "notice reference": "reference",
    "payer name": "payer", "name": "payer",
}

#: Dates as income systems write them: ISO first, then UK day-first forms. Never US month-first.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
#: The largest single payment a line may carry: two of the highest notice amount would already be a mistake.
MAX_AMOUNT = 10_000
#: Uploads bigger than this are refused before they are read.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: The most problems listed for one file (the rest are counted).
MAX_LISTED_ISSUES = 200

#: Suggestions: at most this many per line; a reference within this edit distance of the file's counts as similar.
MAX_SUGGESTIONS = 5
MAX_REFERENCE_DISTANCE = 2
#: Words dropped from a payer's name before comparing it with a parent's.
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "rev"})


class Problem(models.TextChoices):
    """Why a line was not paid to a notice straight away, and what the officer does next (``NEXT_STEP``)."""

    UNMATCHED = "unmatched", "No notice has this reference"
    UNDERPAID = "underpaid", "Less than the amount due"
    OVERPAID = "overpaid", "More than the amount due"
    LATE = "late", "Paid after the payment period"
    ALREADY_PAID = "already_paid", "The notice was already paid"
    WITHDRAWN = "withdrawn", "The notice was withdrawn"
    NOT_SERVED = "not_served", "The notice's service is not recorded"
    REFUSED = "refused", "Refused for another reason"


NEXT_STEP = {
    Problem.UNMATCHED: "Accept a suggested notice or match it by hand; reject it for a refund if it is not a penalty "
                       "notice payment.",
    Problem.UNDERPAID: "A part payment cannot discharge a notice: reject it with a reason so it is refunded.",
    Problem.OVERPAID: "Accept it against the notice, recording the amount due and refunding the excess, or reject it.",
    Problem.LATE: "A payment after the period cannot discharge the notice: reject it with a reason so it is refunded; "
                  "the LA prosecutes or withdraws the notice.",
    Problem.ALREADY_PAID: "Probably a second payment: check the notice, then reject it for a refund or match it to "
                          "the right notice.",
    Problem.WITHDRAWN: "A withdrawn notice cannot be paid: reject it for a refund, or match it to the right notice.",
    Problem.NOT_SERVED: "Record how and when the notice was served, then accept the payment against it.",
    Problem.REFUSED: "Read the reason, then match it to the right notice or reject it.",
}


def parse_date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def reference_key(text: str) -> str:
    """A reference as compared: upper case, no spaces, dashes, slashes or dots ("pn 000123" -> "PN000123")."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:60]


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions), the textbook dynamic programme over two short strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def name_parts(name: str) -> tuple[str, str]:
    """(first initial, surname) of a payer or parent, titles dropped: "MRS P. PARENT" -> ("p", "parent")."""
    words = ["".join(ch for ch in w if ch.isalpha() or ch in "-'") for w in (name or "").lower().split()]
    words = [w for w in words if w and w not in TITLES]
    if not words:
        return "", ""
    return (words[0][0] if len(words) > 1 else ""), words[-1]
