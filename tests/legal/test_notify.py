"""Letters, emails and texts through GOV.UK Notify (issue 20), against the fake Notify in tests/notify_fake.py over
HTTP with the real notifications-python-client: sending (once, whatever the retries), statuses by poll and callback,
a penalty notice served from Notify's posting date, the failures worklist, the print queue on the embedded default,
and every bad input the issue names, each refused with a clear message and nothing half-recorded."""

from __future__ import annotations

import datetime
import io
import json
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import ChronologyEntry
from legal import rules as legal_rules
from legal import services
from legal.messaging import letter_spec
from legal.messaging import services as messaging
from legal.messaging.admin import NotifyTemplateForm
from legal.messaging.models import NotifyMessage, NotifyTemplate
from legal.models import Letter, LetterTemplate, PenaltyNotice
from schools.common.pdf import html_to_pdf
from schools.models import AuditEvent, Carer, Family
from tests.notify_fake import BAD_EMAIL, BAD_POSTCODE, CALLBACK_TOKEN, NO_TEMPLATE

D = datetime.date
pytestmark = pytest.mark.django_db
CALLBACK = "/legal/messages/notify/callback/"


@pytest.fixture
def parent(legal_world):
    """Pat Parent, with a full postal address on the family record."""
    Family.objects.filter(pk=legal_world.parent.family_id).update(address_line_1="1 Station Road", town="Lewes",
                                                                   postcode="BN7 2AA")
    legal_world.parent.refresh_from_db()
    # A warning letter filled from the records alone (the seeded one also quotes attendance figures).
    LetterTemplate.objects.filter(kind="warning_letter").update(
        body="Dear {{ parent_name }},\n\n{{ child_name }} has missed school. Please call {{ officer_name }}.")
    return legal_world.parent


def _send(world, lw, carer, capture, *, kind="warning_letter", **about):
    with capture(execute=True):
        return services.letter_send(user=world.users["la_officer"], template=LetterTemplate.objects.get(kind=kind),
                                    pupil=world.pupil_b, carer=carer, case=lw.pathway.case, **about)


def _callback(client, fake, message, token=CALLBACK_TOKEN):
    return client.post(CALLBACK, data=fake.callback_payload(str(message.notify_id)), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def _post(client, payload, token=CALLBACK_TOKEN):
    return client.post(CALLBACK, data=json.dumps(payload), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


def _receipt(fake, message, **changes) -> dict:
    """The delivery receipt Notify would send for this message as it stands, with some fields changed."""
    return {**json.loads(fake.callback_payload(str(message.notify_id))), **changes}


def _chronology(lw) -> list[str]:
    return list(ChronologyEntry.objects.filter(case=lw.pathway.case).values_list("summary", flat=True))


def test_a_letter_goes_through_notify_once_and_its_statuses_come_back(world, legal_world, parent, notify, client,
                                                                      django_capture_on_commit_callbacks):
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    assert (message.channel, message.route, message.status) == ("letter", "notify", "pending-virus-check")
    sent = notify.sent("letter")
    assert len(sent) == 1 and sent[0]["reference"] == message.reference and str(message.notify_id) == sent[0]["id"]
    assert sent[0]["postage"] == "first" and sent[0]["to"] == "BN7 2AA"
    assert message.recipient == "Pat Parent, 1 Station Road, Lewes, BN7 2AA"
    # The access log: the pupil's details went to Notify, recorded against the pupil.
    assert AuditEvent.objects.filter(action="export", object_type="legal.NotifyMessage", pupil=world.pupil_b,
                                     path__startswith="GOV.UK Notify letter").exists()
    assert any("by post through GOV.UK Notify" in s for s in _chronology(legal_world))

    # A second delivery of the task sends nothing.
    from legal.messaging.tasks import send_message

    send_message.delay(message.pk)
    assert notify.posts_for(message.reference) == 1

    # Letters' statuses come by the poll (Notify's delivery receipts are for emails and texts).
    notify.set_status(message.notify_id, "accepted")  # handed to the print provider: not yet posted
    assert messaging.messages_poll() == 1
    message.refresh_from_db()
    assert message.status == "accepted" and message.posted_on is None
    notify.set_status(message.notify_id, "received", at="2026-11-23T15:20:00.000000Z")
    assert messaging.messages_poll() == 1
    message.refresh_from_db()
    assert message.status == "received" and message.posted_on == D(2026, 11, 23)
    # Royal Mail returns it: Notify's API goes on saying "received"; its returned-letter callback tells us.
    notify.set_status(message.notify_id, "returned-letter")
    assert notify.get_status(message.notify_id) == "received"
    payload = json.loads(notify.callback_payload(message.notify_id))
    assert set(payload) == {"notification_id", "reference", "date_sent", "sent_by", "template_name", "template_id",
                            "template_version", "spreadsheet_file_name", "spreadsheet_row_number",
                            "upload_letter_file_name"}
    answer = _callback(client, notify, message)
    assert answer.status_code == 200 and answer.json()["recorded"] == "returned-letter"
    message.refresh_from_db()
    assert message.status == "returned-letter" and message.posted_on == D(2026, 11, 23)
    assert "sent to Notify on 23 November 2026" in message.status_detail
    summaries = _chronology(legal_world)
    assert any(s.endswith(": posted by gov.uk notify's print provider") for s in summaries)
    assert any(s.endswith(": returned: not delivered") for s in summaries)
    # Notify retries a callback it thinks failed: the repeat changes nothing. A late receipt of an earlier stage
    # ("sending" is a letter's "accepted" in Notify's internal words) or the poll's "received" does not undo it.
    assert _callback(client, notify, message).status_code == 200
    late = _receipt(notify, message, status="sending")
    assert _post(client, late).status_code == 200
    assert messaging.status_record(message=message, status="received") is False
    message.refresh_from_db()
    assert message.status == "returned-letter"
    assert ChronologyEntry.objects.filter(case=legal_world.pathway.case, summary__endswith="returned: not delivered"
                                          ).count() == 1

    client.force_login(world.users["la_officer"])
    page = client.get(reverse("legal:message_failures"))
    assert page.status_code == 200 and "Returned: not delivered" in page.text and "check the address" in page.text
    pupil_page = client.get(reverse("legal:pupil", args=[world.pupil_b.pk]))
    assert message.reference in pupil_page.text and str(message.notify_id) in pupil_page.text


def test_a_penalty_notice_posted_by_notify_is_deemed_received_two_working_days_later(
        world, legal_world, parent, notify, client, django_capture_on_commit_callbacks):
    notice = services.notice_issue(user=world.users["la_officer"], pupil=world.pupil_b, carer=parent,
                                   notice_type="term_time_leave", period_start=D(2026, 11, 2),
                                   period_end=D(2026, 11, 6), issued_on=D(2026, 11, 19),
                                   pathway=legal_world.pathway)
    assert notice.received_on is None
    with time_machine.travel(datetime.datetime(2026, 11, 19, 14, 0, tzinfo=datetime.UTC), tick=True):
        letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks, kind="penalty_notice",
                       notice=notice)
    message = NotifyMessage.objects.get(letter=letter)
    # Notify hands it to the print provider on Thursday evening (its sent_at); the provider prints and posts it on
    # Friday 20 November ("received", completed_at): the posting date is Friday, not Thursday.
    notify.set_status(message.notify_id, "accepted")
    notify.notifications[str(message.notify_id)]["sent_at"] = "2026-11-19T17:45:00.000000Z"
    notify.set_status(message.notify_id, "received", at="2026-11-20T16:10:00.000000Z")
    assert messaging.messages_poll() == 1
    notice.refresh_from_db()
    assert (notice.served_on, notice.service_method) == (D(2026, 11, 20), "post")
    assert notice.received_on == legal_rules.received_on(D(2026, 11, 20), "post") == D(2026, 11, 24)
    assert notice.full_due_on == D(2026, 12, 22)  # 28 days from deemed receipt (a second notice: no reduction)
    assert any(f"Penalty notice {notice.reference} posted through GOV.UK Notify" in s for s in _chronology(legal_world))


def test_retries_on_429_and_5xx_then_sends_once(world, legal_world, parent, notify,
                                                django_capture_on_commit_callbacks):
    notify.fail_next[:] = [(503, {"errors": [{"error": "ServiceUnavailable", "message": "Try later"}]}),
                           (429, {"errors": [{"error": "RateLimitError", "message": "Exceeded rate limit"}]})]
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    assert message.status == "pending-virus-check" and message.attempts == 3 and message.status_detail == ""
    assert len(notify.sent("letter")) == 1


def test_a_send_whose_answer_was_lost_is_not_sent_again(world, legal_world, parent, notify,
                                                        django_capture_on_commit_callbacks):
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    notify_id = message.notify_id
    # The worker died after Notify took it and before we recorded that: the row is as it was mid-send.
    NotifyMessage.objects.filter(pk=message.pk).update(status="queued", notify_id=None, claimed_at=None)
    assert messaging.message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.notify_id == notify_id and message.status == "pending-virus-check"
    assert notify.posts_for(message.reference) == 1


def test_an_address_notify_rejects_is_a_permanent_failure_with_its_words(world, legal_world, parent, notify,
                                                                          django_capture_on_commit_callbacks):
    Family.objects.filter(pk=parent.family_id).update(postcode="ZZ99 9ZZ")
    parent.refresh_from_db()
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    assert message.status == "permanent-failure" and message.notify_id is None
    assert BAD_POSTCODE in message.status_detail and "(400)" in message.status_detail
    assert NotifyMessage.objects.failures().filter(pk=message.pk).exists()
    assert any("permanent failure" in s for s in _chronology(legal_world))


def test_a_wrong_api_key_is_refused_by_notify_and_recorded(world, legal_world, parent, notify, settings,
                                                           django_capture_on_commit_callbacks):
    settings.NOTIFY_API_KEY = settings.NOTIFY_API_KEY[:-36] + str(uuid.uuid4())  # right service, wrong secret
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    assert message.status == "permanent-failure" and "(403)" in message.status_detail
    assert not notify.sent()


def test_a_carer_without_a_postal_address_gets_no_letter(world, legal_world, notify,
                                                         django_capture_on_commit_callbacks):
    Family.objects.filter(pk=legal_world.parent.family_id).update(address_line_1="", town="", postcode="")
    carer = Carer.objects.get(pk=legal_world.parent.pk)
    before = Letter.objects.count()
    with pytest.raises(ValidationError, match="has no postal address"):
        _send(world, legal_world, carer, django_capture_on_commit_callbacks)
    assert Letter.objects.count() == before and not NotifyMessage.objects.exists() and not notify.sent()


def test_a_do_not_contact_carer_gets_nothing_and_a_batch_names_them(world, legal_world, parent, notify,
                                                                    django_capture_on_commit_callbacks):
    Carer.objects.filter(pk=parent.pk).update(do_not_contact=True,
                                              contact_restriction="Non-molestation order, 3 March 2026")
    parent.refresh_from_db()
    with pytest.raises(ValidationError, match="may not be contacted"):
        _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    assert not NotifyMessage.objects.exists() and not notify.sent()


def test_an_invalid_email_is_refused_before_anything_is_recorded(world, legal_world, parent, notify,
                                                                 django_capture_on_commit_callbacks):
    template_id = notify.add_template("email", ["child_name"])
    NotifyTemplate.objects.create(name="Warning email", channel="email", letter_kind="warning_letter",
                                  template_id=template_id, personalisation={"child_name": "child_name"})
    Carer.objects.filter(pk=parent.pk).update(preferred_channel="email", email="pat at example")
    parent.refresh_from_db()
    with pytest.raises(ValidationError, match="is not one an email can go to"):
        _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    assert not NotifyMessage.objects.exists() and not Letter.objects.filter(carer=parent).exists()


def test_email_and_text_go_with_the_letter_and_notify_refusals_are_recorded(world, legal_world, parent, notify,
                                                                            django_capture_on_commit_callbacks):
    email_id = notify.add_template("email", ["child_name", "officer"])
    NotifyTemplate.objects.create(name="Warning email", channel="email", letter_kind="warning_letter",
                                  template_id=email_id,
                                  personalisation={"child_name": "child_name", "officer": "officer_name"})
    Carer.objects.filter(pk=parent.pk).update(preferred_channel="email", email="pat@example.org")
    parent.refresh_from_db()
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    email = NotifyMessage.objects.get(letter=letter, channel="email")
    assert email.status == "created" and notify.sent("email")[0]["to"] == "pat@example.org"
    assert notify.sent("email")[0]["personalisation"]["child_name"] == world.pupil_b.legal_name
    notify.set_status(email.notify_id, "delivered")
    assert messaging.messages_poll() >= 1
    email.refresh_from_db()
    assert email.status == "delivered"

    # A landline cannot be texted (Notify: "Not a UK mobile number"): refused before anything is recorded.
    sms_id = notify.add_template("sms", ["child_name"])
    NotifyTemplate.objects.create(name="Warning text", channel="sms", letter_kind="warning_letter",
                                  template_id=sms_id, personalisation={"child_name": "child_name"})
    second = legal_world.second_parent
    Carer.objects.filter(pk=second.pk).update(preferred_channel="sms", phone="01273 000000")
    Family.objects.filter(pk=second.family_id).update(address_line_1="1 Station Road")
    second.refresh_from_db()
    before = NotifyMessage.objects.count()
    with pytest.raises(ValidationError, match="is not a UK mobile number a text message can go to"):
        _send(world, legal_world, second, django_capture_on_commit_callbacks)
    assert NotifyMessage.objects.count() == before and not Letter.objects.filter(carer=second).exists()
    Carer.objects.filter(pk=second.pk).update(phone="+44 7700 900123")
    second.refresh_from_db()
    letter = _send(world, legal_world, second, django_capture_on_commit_callbacks)
    sms = NotifyMessage.objects.get(letter=letter, channel="sms")
    assert sms.status == "created" and sms.recipient == "07700900123" and notify.sent("sms")[0]["to"] == "07700900123"

    # An unknown template id: Notify's "Template not found", recorded; the admin form refuses such an id up front.
    NotifyTemplate.objects.filter(channel="sms").update(template_id=uuid.uuid4())
    letter = _send(world, legal_world, second, django_capture_on_commit_callbacks)
    assert NO_TEMPLATE in NotifyMessage.objects.get(letter=letter, channel="sms").status_detail
    form = NotifyTemplateForm(data={"name": "x", "letter_kind": "notice_to_improve", "channel": "sms",
                                    "template_id": str(uuid.uuid4()), "personalisation": "{}", "is_active": "on"})
    assert not form.is_valid() and "has no template with this id" in str(form.errors["template_id"])
    form = NotifyTemplateForm(data={"name": "x", "letter_kind": "notice_to_improve", "channel": "sms",
                                    "template_id": email_id, "personalisation": "{}", "is_active": "on"})
    assert not form.is_valid() and "email template" in str(form.errors["channel"])
    assert BAD_EMAIL  # (the fake's wording for a bad address, used by the browser test)


def test_a_letter_outside_the_letter_specification_is_not_sent(world, legal_world, parent, notify,
                                                               django_capture_on_commit_callbacks):
    template = LetterTemplate.objects.get(kind="warning_letter")
    template.body = "\n\n".join(["A long paragraph that repeats itself. " * 40] * 60)
    template.save()
    with pytest.raises(ValidationError, match="GOV.UK Notify posts letters of up to 10 pages"):
        _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    assert not Letter.objects.filter(carer=parent).exists() and not NotifyMessage.objects.exists()
    assert not notify.sent()


def test_the_letter_check_refuses_the_wrong_page_size_and_a_misplaced_address():
    letter_size = html_to_pdf("<html lang='en'><head><title>x</title><style>@page { size: letter }</style></head>"
                              "<body><p>Hello</p></body></html>")
    with pytest.raises(letter_spec.LetterSpecError, match="A4 portrait"):
        letter_spec.check(letter_size)
    no_address = html_to_pdf("<html lang='en'><head><title>x</title><style>@page { size: A4; margin: 20mm }"
                             "</style></head><body><p>Dear parent</p></body></html>")
    with pytest.raises(letter_spec.LetterSpecError, match="address block"):
        letter_spec.check(no_address)
    with pytest.raises(letter_spec.LetterSpecError, match="could not be read"):
        letter_spec.check(b"%PDF-1.4 not really")
    assert io


def test_callbacks_with_a_bad_token_or_an_unknown_id_change_nothing(world, legal_world, parent, notify, client,
                                                                    django_capture_on_commit_callbacks):
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks)
    message = NotifyMessage.objects.get(letter=letter)
    notify.set_status(message.notify_id, "received")
    payload = notify.callback_payload(str(message.notify_id))
    assert client.post(CALLBACK, data=payload, content_type="application/json").status_code == 401
    answer = _callback(client, notify, message, token="not-the-token")
    assert answer.status_code == 403 and "bearer token" in answer.json()["error"]
    unknown = payload.replace(str(message.notify_id), str(uuid.uuid4())).replace(message.reference, "someone-else")
    answer = client.post(CALLBACK, data=unknown, content_type="application/json",
                         headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert answer.status_code == 404 and "No message here" in answer.json()["error"]
    answer = client.post(CALLBACK, data="{not json", content_type="application/json",
                         headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert answer.status_code == 400
    answer = client.post(CALLBACK, data=payload.replace('"delivered"', '"exploded"'),
                         content_type="application/json", headers={"Authorization": f"Bearer {CALLBACK_TOKEN}"})
    assert answer.status_code == 400 and "not a GOV.UK Notify status" in answer.json()["error"]
    message.refresh_from_db()
    assert message.status == "pending-virus-check"
    assert client.get(CALLBACK).status_code == 405


def test_print_queue_on_the_embedded_default(world, legal_world, parent, client, django_capture_on_commit_callbacks):
    notice = services.notice_issue(user=world.users["la_officer"], pupil=world.pupil_b, carer=parent,
                                   notice_type="term_time_leave", period_start=D(2026, 11, 2),
                                   period_end=D(2026, 11, 6), issued_on=D(2026, 11, 19),
                                   pathway=legal_world.pathway)
    letter = _send(world, legal_world, parent, django_capture_on_commit_callbacks, kind="penalty_notice",
                   notice=notice)
    message = NotifyMessage.objects.get(letter=letter)
    assert (message.route, message.status, message.notify_id) == ("print", "print-queue", None)
    assert any("in the print queue" in s for s in _chronology(legal_world))
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("legal:print_queue"))
    assert page.status_code == 200 and letter.reference in page.text
    url = reverse("legal:print_message_posted", args=[message.pk])
    refused = client.post(url, {"posted_on_0": "1", "posted_on_1": "12", "posted_on_2": "2026"})
    assert "cannot be in the future" in refused.text
    assert client.post(url, {"posted_on_0": "23", "posted_on_1": "11", "posted_on_2": "2026"}).status_code == 302
    message.refresh_from_db()
    notice.refresh_from_db()
    assert (message.status, message.posted_on, message.posted_by) == ("posted-by-hand", D(2026, 11, 23),
                                                                       world.users["la_officer"])
    assert (notice.served_on, notice.service_method, notice.received_on) == (D(2026, 11, 23), "post",
                                                                               D(2026, 11, 25))
    posted = {"posted_on_0": "23", "posted_on_1": "11", "posted_on_2": "2026"}
    assert client.post(url, posted).status_code == 404  # no longer in the queue


def test_failures_worklist_filters_exports_and_records_what_was_done(world, legal_world, parent, notify, client,
                                                                    django_capture_on_commit_callbacks):
    Family.objects.filter(pk=parent.family_id).update(postcode="ZZ99 9ZZ")
    parent.refresh_from_db()
    message = NotifyMessage.objects.get(letter=_send(world, legal_world, parent, django_capture_on_commit_callbacks))
    client.force_login(world.users["la_officer"])
    url = reverse("legal:message_failures")
    assert client.get(url, {"channel": "email"}).context["page"].paginator.count == 0
    assert client.get(url, {"sort": "-when"}).context["page"].paginator.count == 1
    export = client.get(url, {"format": "csv"})
    assert export.status_code == 200 and BAD_POSTCODE in export.content.decode()
    event = AuditEvent.objects.filter(action="export", object_type="legal.NotifyMessage", object_id="list").get()
    assert list(event.exported_pupils.values_list("pupil_id", flat=True)) == [world.pupil_b.pk]
    resolve = reverse("legal:message_resolve", args=[message.pk])
    assert "Say what was done" in client.post(resolve, {"resolution": ""}).text
    assert client.post(resolve, {"resolution": "Address checked with the school; delivered by hand."}) \
        .status_code == 302
    assert client.get(url).context["page"].paginator.count == 0
    assert client.get(url, {"state": "done"}).context["page"].paginator.count == 1
    client.force_login(world.users["school_b"])
    assert client.get(url).status_code == 403
    assert client.get(resolve).status_code == 403


def test_notice_posted_keeps_a_notice_already_served(world, legal_world):
    assert legal_world.notice.served_on is not None
    assert messaging.notice_posted(notice=legal_world.notice, posted_on=D(2026, 11, 23), how="by hand") is None
    assert PenaltyNotice.objects.get(pk=legal_world.notice.pk).service_method == "hand"


def test_the_carer_form_records_preferred_contact_and_a_restriction_with_its_reason(world, client):
    client.force_login(world.users["la_officer"])
    url = reverse("carer_add", args=[world.pupil_b.family_id])
    base = {"full_name": "Chris Parent", "relationship": "father", "parental_responsibility": "on"}
    refused = client.post(url, {**base, "do_not_contact": "on", "preferred_channel": "sms"})
    assert "Say why this person may not be contacted" in refused.text and "Enter a mobile number" in refused.text
    assert client.post(url, {**base, "do_not_contact": "on", "preferred_channel": "post",
                             "contact_restriction": "Non-molestation order, 3 March 2026"}).status_code == 302
    carer = Carer.objects.get(full_name="Chris Parent")
    assert carer.do_not_contact and carer.contact_restriction.startswith("Non-molestation")
