"""Elective home education (EHE) rules as data: sources, reason codes, the LA-consent rule and the s437 dates.

Sources (shared/reference/statutory-rules.md §4.2 and §8):
- EA1996 s7 (the parent's duty: efficient full-time education suitable to age, ability, aptitude and SEN, "either by
  regular attendance at school or otherwise") and s437(1) (the notice when it appears a child is not receiving
  suitable education: the parent has "not less than 15 days" to satisfy the LA; the number lives once, in
  legal.rules.SAO_NOTICE_MIN_DAYS, and is repeated here only as the figure schools may read without importing legal).
- School Attendance (Pupil Registration) (England) Regulations 2024, SI 2024/208 (the "Pupil Registration
  Regulations 2024"), reg 9: a pupil is deleted from the admission register when the parent has told the school in
  writing that the pupil is receiving education otherwise than at school; where the pupil holds a place at a special
  school arranged by the LA (in practice an EHCP naming the school), the deletion needs the LA's consent.
- DfE, "Elective home education: departmental guidance for local authorities" (April 2019), §§6.9-6.15 on informal
  enquiries before any s437(1) notice; the guidance sets no fixed period for the reply: we use 15 days, matching the
  statutory notice, and say so on the letter.
- Children's Wellbeing and Schools Act 2026 s38 (EA1996 ss436B-436G, Children Not in School registers: not yet
  commenced; behind the CNIS_REGISTER_ENABLED setting).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

#: EA1996 s437(1): "not less than 15 days" for the parent to satisfy the LA. Must equal legal.rules.SAO_NOTICE_MIN_DAYS
#: (tests/ehe check they agree; schools may not import legal).
S437_NOTICE_MIN_DAYS = 15

#: Informal enquiry (EHE guidance 2019 §6.13): the LA's own period for a reply; 15 calendar days, as the s437 notice.
INFORMAL_ENQUIRY_RESPONSE_DAYS = 15

#: How long after the s437(1) notice expires the record shows "decide whether to make an order" before it is overdue.
S437_DECISION_GRACE_DAYS = 0

CONSENT_REGULATION = ("School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208), reg 9: "
                      "a pupil at a special school under arrangements made by the local authority may not be "
                      "deleted for home education without the LA's consent")


@dataclass(frozen=True)
class Reason:
    code: str
    label: str


REASON_SOURCE = ("Reasons parents give for choosing home education, as coded in the DfE Elective Home Education "
                 "survey (2022 onwards) and LA returns to the ADCS EHE survey.")

REASONS: dict[str, Reason] = {r.code: r for r in [
    Reason("PHIL", "Philosophical or preferential reasons"),
    Reason("HEALTH", "Physical or mental health of the child"),
    Reason("SEN", "Special educational needs not met at school"),
    Reason("DISSAT", "Dissatisfaction with the school"),
    Reason("BULLY", "Bullying"),
    Reason("EXCL", "To avoid exclusion or a dispute with the school"),
    Reason("PLACE", "Did not get a place at the preferred school"),
    Reason("RELIG", "Religious or cultural beliefs"),
    Reason("LIFE", "Lifestyle choice"),
    Reason("SHORT", "Short-term intervention (intends to return)"),
    Reason("ATTEND", "Attendance difficulties or legal action"),
    Reason("NONE", "No reason given"),
    Reason("OTHER", "Other (see the free text)"),
]}
REASON_CHOICES = [(r.code, r.label) for r in REASONS.values()]


def consent_required(*, sen_status: str, school_phase: str | None, school_type: str | None) -> bool:
    """An EHCP pupil at a special school: the LA must consent to deregistration (reg 9, SI 2024/208)."""
    at_special = school_phase == "special" or school_type == "special"
    return sen_status == "E" and at_special


def enquiry_response_due(sent_on: datetime.date) -> datetime.date:
    """Reply date for the informal enquiry: sent 1 March -> due 16 March (15 days)."""
    return sent_on + datetime.timedelta(days=INFORMAL_ENQUIRY_RESPONSE_DAYS)


def s437_notice_expiry(served_on: datetime.date, period_days: int = S437_NOTICE_MIN_DAYS) -> datetime.date:
    """The last day the parent has to satisfy the LA: served 1 March with 15 days -> 16 March."""
    return served_on + datetime.timedelta(days=period_days)


#: EHE guidance 2019 §6.8: LAs should make contact with home-educating parents at least annually.
ANNUAL_CONTACT_MONTHS = 12


def annual_contact_due(last: datetime.date) -> datetime.date:
    """A year after the last assessment: 29 Feb 2028 -> 28 Feb 2029."""
    try:
        return last.replace(year=last.year + 1)
    except ValueError:
        return last.replace(year=last.year + 1, day=28)


@dataclass(frozen=True)
class NextAction:
    text: str
    due: datetime.date | None = None
    urgent: bool = False


def next_action(*, status: str, consent_pending: bool, suitability: str, assessed_on: datetime.date | None,
                enquiry_sent_on: datetime.date | None, enquiry_due: datetime.date | None,
                enquiry_replied_on: datetime.date | None, notice_expiry: datetime.date | None,
                contacts: int, today: datetime.date) -> NextAction:
    """What the officer does next with an EHE record, in the order the law puts it: the LA's consent (if needed),
    any live s437(1) notice, the informal enquiry, then the suitability assessment and the annual contact.
    ``notice_expiry`` is the end of a s437(1) notice still waiting for the parent (None if there is none)."""
    if status != "open":
        return NextAction("None: the record is closed")
    if consent_pending:
        return NextAction("Decide whether the LA consents to deregistration", urgent=True)
    if notice_expiry is not None:
        if today > notice_expiry:
            return NextAction("s437(1) notice expired: decide whether the parent satisfied the LA or to make an "
                              "order", notice_expiry, urgent=True)
        return NextAction("Wait for the parent's answer to the s437(1) notice", notice_expiry)
    if enquiry_sent_on and not enquiry_replied_on:
        if enquiry_due and today > enquiry_due:
            return NextAction("No reply to the informal enquiry: consider serving the s437(1) notice", enquiry_due,
                              urgent=True)
        return NextAction("Wait for the reply to the informal enquiry", enquiry_due)
    if suitability == "not_suitable":
        if enquiry_replied_on:
            return NextAction("Consider the reply: assess again, or serve the s437(1) notice")
        return NextAction("Send an informal enquiry to the parent")
    if suitability == "suitable" and assessed_on:
        due = annual_contact_due(assessed_on)
        return NextAction("Annual contact with the family", due, urgent=today > due)
    if contacts == 0:
        return NextAction("Contact the family")
    return NextAction("Assess whether the education is suitable")
