"""GOV.UK Notify's callbacks and a letter's posting date (issue 20), against the fake Notify (tests/notify_fake.py)
with the real client:

- the delivery receipt is read exactly as documented (id, reference, to, status, created_at, completed_at, sent_at,
  notification_type, template_id, template_version), each channel's statuses only, anything else refused with a
  400 that says what is wrong and nothing recorded;
- the returned-letter callback (notification_id, reference, date_sent, ...) records "returned-letter" and puts the
  letter on the failures worklist;
- a letter is posted on the day Notify reports it "received" (printed and dispatched), from that report's
  completed_at, not its sent_at (handed to the print provider); deemed receipt is the second working day after,
  worked by hand across a weekend and bank holidays.
"""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
import time_machine

from cases.models import ChronologyEntry
from legal import rules as legal_rules
from legal import services
from legal.messaging import rules
from legal.messaging import services as messaging
from legal.messaging.models import NotifyMessage, NotifyTemplate
from legal.models import LetterTemplate
from schools.models import Carer, Family
from tests.notify_fake import CALLBACK_TOKEN

D = datetime.date
pytestmark = pytest.mark.django_db
CALLBACK = "/legal/messages/notify/callback/"


@pytest.fixture
def parent(legal_world):
    Family.objects.filter(pk=legal_world.parent.family_id).update(address_line_1="1 Station Road", town="Lewes",
                                                                   postcode="BN7 2AA")
    legal_world.parent.refresh_from_db()
    LetterTemplate.objects.filter(kind="warning_letter").update(
        body="Dear {{ parent_name }},\n\n{{ child_name }} has missed school. Please call {{ officer_name }}.")
    return legal_world.parent


def _send(world, lw, carer, capture, *, kind="warning_letter", **about):
    with capture(execute=True):
        return services.letter_send(user=world.users["la_officer"], template=LetterTemplate.objects.get(kind=kind),
                                    pupil=world.pupil_b, carer=carer, case=lw.pathway.case, **about)


def _post(client, payload, token=CALLBACK_TOKEN):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(CALLBACK, data=body, content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def _receipt(fake, message, **changes) -> dict:
    return {**json.loads(fake.callback_payload(str(message.notify_id))), **changes}


@pytest.fixture
def sent(world, legal_world, parent, notify, django_capture_on_commit_callbacks):
    """A warning letter to Pat Parent through Notify, with the email of their preferred channel."""
    template_id = notify.add_template("email", ["child_name"])
    NotifyTemplate.objects.create(name="Warning email", channel="email", letter_kind="warning_letter",
                                  template_id=template_id, personalisation={"child_name": "child_name"})
    Carer.objects.filter(pk=parent.pk).update(preferred_channel="email", email="pat@example.org")
    parent.refresh_from_db()
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    return (NotifyMessage.objects.get(letter=letter, channel="letter"),
            NotifyMessage.objects.get(letter=letter, channel="email"))


# --- The posting date and deemed receipt: worked examples -----------------------------------------------------------

@pytest.mark.parametrize(("completed_at", "posted", "deemed"), [
    # Thursday: Friday is the 1st working day after, the weekend does not count, Monday is the 2nd.
    ("2026-11-19T15:00:00.000000Z", D(2026, 11, 19), D(2026, 11, 23)),
    # Friday: Monday 1st, Tuesday 2nd.
    ("2026-11-20T16:10:00.000000Z", D(2026, 11, 20), D(2026, 11, 24)),
    # 23:30 UTC on Thursday 27 August is 00:30 on Friday 28 August in London (BST): posted Friday; Monday 31
    # August is the summer bank holiday, so Tuesday 1 September is the 1st working day and Wednesday the 2nd.
    ("2026-08-27T23:30:00.000000Z", D(2026, 8, 28), D(2026, 9, 2)),
    # Wednesday 23 December: Thursday 24th is the 1st; Christmas Day (Friday), the weekend and Boxing Day's
    # substitute (Monday 28th, Boxing Day being a Saturday) do not count; Tuesday 29th is the 2nd.
    ("2026-12-23T17:40:00.000000Z", D(2026, 12, 23), D(2026, 12, 29)),
])
def test_posting_date_is_the_received_report_and_deemed_receipt_two_working_days_after(completed_at, posted, deemed):
    today = D(2027, 1, 4)
    assert rules.letter_posted_on(status="received", completed_at=completed_at, today=today) == posted
    assert legal_rules.received_on(posted, legal_rules.ServiceMethod.POST) == deemed


def test_posting_date_needs_received_and_never_runs_early():
    today = D(2026, 11, 23)
    # "accepted" is the letter handed to the print provider (Notify's sent_at): not posted yet.
    assert rules.letter_posted_on(status="accepted", completed_at="2026-11-20T16:10:00Z", today=today) is None
    # No completed_at: the day we learn of it. A time after today (a wrong clock): today.
    assert rules.letter_posted_on(status="received", completed_at=None, today=today) == today
    assert rules.letter_posted_on(status="received", completed_at="2026-11-30T10:00:00Z", today=today) == today
    # Never before the letter went to Notify.
    assert rules.letter_posted_on(status="received", completed_at="2026-11-20T16:10:00Z", today=today,
                                  earliest=D(2026, 11, 21)) == D(2026, 11, 21)


def test_a_penalty_notice_posted_by_notify_before_christmas_is_deemed_received_on_29_december(
        world, legal_world, parent, notify, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime.datetime(2026, 12, 23, 9, 0, tzinfo=datetime.UTC), tick=True):
        notice = services.notice_issue(user=world.users["la_officer"], pupil=world.pupil_b, carer=parent,
                                       notice_type="term_time_leave", period_start=D(2026, 11, 2),
                                       period_end=D(2026, 11, 6), issued_on=D(2026, 12, 23),
                                       pathway=legal_world.pathway)
        letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks, kind="penalty_notice",
                       notice=notice)
        message = NotifyMessage.objects.get(letter=letter)
        notify.set_status(message.notify_id, "accepted")
        assert messaging.messages_poll() == 1
        notice.refresh_from_db()
        assert notice.served_on is None  # with the printer, not yet posted
    with time_machine.travel(datetime.datetime(2026, 12, 24, 8, 0, tzinfo=datetime.UTC), tick=True):
        notify.set_status(message.notify_id, "received", at="2026-12-23T17:40:00.000000Z")
        assert messaging.messages_poll() == 1
    message.refresh_from_db()
    notice.refresh_from_db()
    assert message.posted_on == D(2026, 12, 23)
    assert (notice.served_on, notice.service_method, notice.received_on) == (D(2026, 12, 23), "post",
                                                                               D(2026, 12, 29))
    assert notice.full_due_on == D(2027, 1, 26)  # 28 days from deemed receipt (a second notice: no reduction)


# --- Delivery receipts ----------------------------------------------------------------------------------------------

def test_an_email_receipt_as_documented_is_recorded_and_a_failure_goes_on_the_worklist(sent, notify, client):
    _letter, email = sent
    notify.set_status(email.notify_id, "permanent-failure", at="2026-11-23T11:00:00.000000Z")
    payload = _receipt(notify, email)
    assert set(payload) == set(rules.DELIVERY_RECEIPT_FIELDS)
    assert payload["notification_type"] == "email" and isinstance(payload["template_version"], int)
    answer = _post(client, payload)
    assert answer.status_code == 200 and answer.json()["recorded"] == "permanent-failure"
    assert NotifyMessage.objects.failures().filter(pk=email.pk).exists()
    assert _post(client, payload).status_code == 200  # Notify's retry: changes nothing


@pytest.mark.parametrize(("change", "words"), [
    ({"template_version": "1"}, "“template_version” should be a number"),
    ({"created_at": "yesterday"}, "“created_at” is not a time"),
    ({"id": "not-a-uuid"}, "not a GOV.UK Notify notification id"),
    ({"notification_type": "letter"}, "The receipt is for a letter, but notification"),
    ({"notification_type": "fax"}, "not a GOV.UK Notify notification type"),
    ({"status": "received"}, "“received” is not a GOV.UK Notify status for an email"),
    ({"status": "returned-letter"}, "is not a GOV.UK Notify status"),
    ({"to": 7700900123}, "“to” should be text or null"),
])
def test_a_receipt_that_is_not_as_documented_is_refused_and_changes_nothing(sent, notify, client, change, words):
    _letter, email = sent
    notify.set_status(email.notify_id, "delivered")
    answer = _post(client, _receipt(notify, email, **change))
    assert answer.status_code == 400 and words in answer.json()["error"]
    email.refresh_from_db()
    assert email.status == "created"


def test_a_receipt_missing_documented_fields_is_refused(sent, notify, client):
    _letter, email = sent
    payload = _receipt(notify, email)
    del payload["template_id"], payload["template_version"]
    answer = _post(client, payload)
    assert answer.status_code == 400 and "has no template_id, template_version" in answer.json()["error"]
    assert _post(client, "[1, 2]").status_code == 400
    email.refresh_from_db()
    assert email.status == "created"


def test_a_letter_receipt_in_notifys_internal_words_posts_it_on_the_completed_day(sent, notify, client):
    letter, _email = sent
    notify.set_status(letter.notify_id, "received", at="2026-11-23T09:15:00.000000Z")
    payload = _receipt(notify, letter)
    assert payload["status"] == "delivered"  # a letter's "received", as Notify's receipts word it
    answer = _post(client, payload)
    assert answer.status_code == 200 and answer.json()["recorded"] == "received"
    letter.refresh_from_db()
    assert letter.posted_on == D(2026, 11, 23)


# --- Returned letters -----------------------------------------------------------------------------------------------

def test_a_returned_letter_callback_records_it_and_the_worklist_shows_it(sent, notify, client, world, legal_world):
    letter, email = sent
    notify.set_status(letter.notify_id, "received", at="2026-11-23T09:15:00.000000Z")
    assert messaging.messages_poll() == 1
    notify.set_status(letter.notify_id, "returned-letter")
    returned = json.loads(notify.callback_payload(letter.notify_id))
    # Found by our reference when Notify's id is one we have not saved (the callback came first).
    NotifyMessage.objects.filter(pk=letter.pk).update(notify_id=None)
    answer = _post(client, {**returned, "notification_id": str(uuid.uuid4())})
    assert answer.status_code == 200 and answer.json() == {"recorded": "returned-letter",
                                                           "label": "Returned: not delivered"}
    letter.refresh_from_db()
    assert letter.status == "returned-letter" and letter.posted_on == D(2026, 11, 23)
    client.force_login(world.users["la_officer"])
    page = client.get("/legal/messages/failures/")
    assert [m.pk for m in page.context["page"].object_list] == [letter.pk]
    assert "Returned: not delivered" in page.text and "check the address" in page.text
    entry = ChronologyEntry.objects.filter(case=legal_world.pathway.case, summary__endswith="returned: not delivered")
    assert entry.count() == 1 and "check the address" in entry.get().details

    # An email cannot come back; an id and reference we do not know; a callback without its date.
    email_returned = {**returned, "notification_id": str(email.notify_id), "reference": email.reference}
    answer = _post(client, email_returned)
    assert answer.status_code == 400 and "not a letter" in answer.json()["error"]
    answer = _post(client, {**returned, "notification_id": str(uuid.uuid4()), "reference": "someone-else"})
    assert answer.status_code == 404
    incomplete = {k: v for k, v in returned.items() if k != "date_sent"}
    answer = _post(client, incomplete)
    assert answer.status_code == 400 and "has no date_sent" in answer.json()["error"]
    assert _post(client, returned, token="not-the-token").status_code == 403
    email.refresh_from_db()
    assert email.status == "created"


def test_a_returned_penalty_notice_says_it_was_not_served(world, legal_world, parent, notify, client,
                                                          django_capture_on_commit_callbacks):
    notice = services.notice_issue(user=world.users["la_officer"], pupil=world.pupil_b, carer=parent,
                                   notice_type="term_time_leave", period_start=D(2026, 11, 2),
                                   period_end=D(2026, 11, 6), issued_on=D(2026, 11, 23),
                                   pathway=legal_world.pathway)
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks, kind="penalty_notice",
                   notice=notice)
    message = NotifyMessage.objects.get(letter=letter)
    notify.set_status(message.notify_id, "received", at="2026-11-23T16:00:00.000000Z")
    messaging.messages_poll()
    notify.set_status(message.notify_id, "returned-letter")
    assert _post(client, notify.callback_payload(message.notify_id)).status_code == 200
    entry = ChronologyEntry.objects.get(case=legal_world.pathway.case, summary__endswith="returned: not delivered")
    assert "did not serve it" in entry.details and "Interpretation Act 1978 s7" in entry.details
