"""EHE rules worked by hand: the informal enquiry's reply date, the s437(1) notice's expiry, the annual contact,
the LA-consent rule and the next action in the order the law puts it."""

from __future__ import annotations

import datetime

from legal import rules as legal_rules
from schools.ehe import rules

D = datetime.date


def test_the_s437_period_agrees_with_legal():
    # schools may not import legal, so the figure is repeated once: the two must agree.
    assert rules.S437_NOTICE_MIN_DAYS == legal_rules.SAO_NOTICE_MIN_DAYS == 15


def test_dates_by_hand():
    # 1 March + 15 days = 16 March; across a month end: 20 Nov + 15 = 5 Dec.
    assert rules.enquiry_response_due(D(2026, 3, 1)) == D(2026, 3, 16)
    assert rules.enquiry_response_due(D(2026, 11, 20)) == D(2026, 12, 5)
    assert rules.s437_notice_expiry(D(2026, 11, 20)) == D(2026, 12, 5)
    assert rules.s437_notice_expiry(D(2026, 11, 20), 21) == D(2026, 12, 11)
    assert rules.annual_contact_due(D(2026, 3, 10)) == D(2027, 3, 10)
    assert rules.annual_contact_due(D(2028, 2, 29)) == D(2029, 2, 28)


def _next(**overrides):
    fields = {"status": "open", "consent_pending": False, "suitability": "not_known", "assessed_on": None,
              "enquiry_sent_on": None, "enquiry_due": None, "enquiry_replied_on": None, "notice_expiry": None,
              "contacts": 0, "today": D(2026, 11, 23)}
    fields.update(overrides)
    return rules.next_action(**fields)


def test_next_action_in_order():
    assert _next(status="returned").text.startswith("None")
    assert _next(consent_pending=True, notice_expiry=D(2026, 12, 1)).text.startswith("Decide whether the LA "
                                                                                     "consents")
    waiting = _next(notice_expiry=D(2026, 12, 5))
    assert waiting.text.startswith("Wait for the parent's answer") and not waiting.urgent
    expired = _next(notice_expiry=D(2026, 11, 22))
    assert expired.urgent and expired.due == D(2026, 11, 22)
    overdue = _next(suitability="not_suitable", enquiry_sent_on=D(2026, 11, 2), enquiry_due=D(2026, 11, 17))
    assert overdue.urgent and "s437(1)" in overdue.text
    # Due today is not yet overdue.
    assert not _next(suitability="not_suitable", enquiry_sent_on=D(2026, 11, 8), enquiry_due=D(2026, 11, 23)).urgent
    assert _next(suitability="not_suitable").text == "Send an informal enquiry to the parent"
    assert _next(suitability="not_suitable", enquiry_sent_on=D(2026, 11, 2), enquiry_due=D(2026, 11, 17),
                 enquiry_replied_on=D(2026, 11, 10)).text.startswith("Consider the reply")
    annual = _next(suitability="suitable", assessed_on=D(2025, 11, 1))
    assert annual.due == D(2026, 11, 1) and annual.urgent
    assert _next().text == "Contact the family"
    assert _next(contacts=1).text == "Assess whether the education is suitable"
