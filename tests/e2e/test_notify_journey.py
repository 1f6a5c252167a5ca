"""Letters through GOV.UK Notify in the browser (issue 20), against the fake Notify (tests/notify_fake.py): the
officer ticks a pupil on the penalty-notice threshold worklist and sends the warning letters; the fake Notify takes
them; its statuses come back by callback (one letter posted, one returned, an email delivered); the case chronology
shows each, the pupil's Legal tab lists them and the returned letter is on the failures worklist. Then the embedded
default (no Notify): the same batch goes into the print queue and the officer records the posting. axe and the
console checks run on every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from legal.messaging.models import NotifyMessage, NotifyTemplate
from tests.e2e.test_attendance import _register_csv, autumn  # noqa: F401  (fixture)
from tests.factories import CarerFactory
from tests.notify_fake import notify, notify_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e
PERIOD = "?start=2025-09-01&end=2025-12-19"
CALLBACK = "/legal/messages/notify/callback/"


def _threshold_and_case(world, new_visit):
    """pupil_a over the threshold (a school imports the register), with an open case, and a second parent."""
    officer = world.users["la_officer"]
    officer.job_title, officer.phone = "Attendance officer", "01273 000000"
    officer.save()
    case = case_services.case_open(user=world.users["la_manager"], pupil=world.pupil_a, case_type="attendance",
                                   officer=officer, summary="Afternoon absence.", opened_on=datetime.date(2026, 9, 1))
    CarerFactory(family=world.pupil_a.family, full_name="Sam Parent", relationship="father",
                 address="2 Hill Road, Lewes, BN7 3BB")
    school = new_visit("school_a")
    school.goto("/attendance/imports/")
    school.page.get_by_label("Register file").set_input_files(
        files=[{"name": "autumn.csv", "mimeType": "text/csv", "buffer": _register_csv(world)}])
    school.page.get_by_label("Import the good rows and report the bad ones").check()
    school.follow(school.page.get_by_role("button", name="Upload and import"))
    expect(school.page.get_by_test_id("job-message")).to_contain_text("1 rows rejected")
    return case


def _send_from_worklist(visit):
    visit.goto(f"/attendance/penalty-notice-threshold/{PERIOD}")
    visit.page.get_by_label("Select Amy Able").check()
    visit.follow(visit.page.get_by_test_id("bulk-letters"))
    expect(visit.page.get_by_test_id("job-status")).to_have_text("Finished")


def test_warning_letters_through_notify_with_statuses_on_the_record(new_visit, e2e_world, autumn, notify,  # noqa: F811
                                                                   live_server):
    world = e2e_world
    email_template = notify.add_template("email", ["child_name"])
    NotifyTemplate.objects.create(name="Warning email", channel="email", letter_kind="warning_letter",
                                  template_id=email_template, personalisation={"child_name": "child_name"})
    world.pupil_a.family.carers.filter(full_name="Pat Parent").update(preferred_channel="email",
                                                                      email="pat@example.org")
    case = _threshold_and_case(world, new_visit)

    visit = new_visit("la_officer")
    _send_from_worklist(visit)
    letters = {m.carer.full_name: m for m in NotifyMessage.objects.filter(channel="letter").select_related("carer")}
    email = NotifyMessage.objects.get(channel="email")
    assert set(letters) == {"Pat Parent", "Sam Parent"} and all(m.notify_id for m in letters.values())
    assert len(notify.sent("letter")) == 2 and len(notify.sent("email")) == 1

    # Notify reports back: Sam's letter posted, Pat's returned, Pat's email delivered.
    for message, status in ((letters["Sam Parent"], "received"), (letters["Pat Parent"], "returned-letter"),
                            (email, "delivered")):
        notify.set_status(message.notify_id, status)
        assert notify.callback(message.notify_id, live_server.url + CALLBACK).status_code == 200

    visit.goto(f"/cases/{case.pk}/")
    main = visit.main()
    expect(main).to_contain_text("Warning letter sent to Pat Parent")
    expect(main).to_contain_text("to Sam Parent: posted by gov.uk notify's print provider")
    expect(main).to_contain_text("to Pat Parent: returned: not delivered")
    expect(main).to_contain_text("Email")
    visit.goto(f"/legal/pupils/{world.pupil_a.pk}/")
    expect(visit.page.get_by_test_id("pupil-message")).to_have_count(3)
    visit.goto("/legal/messages/failures/")
    row = visit.page.get_by_test_id("failure-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pat Parent")
    expect(row.get_by_test_id("next-step")).to_contain_text("check the address")
    visit.follow(row.get_by_role("link", name="Record what was done"))
    visit.follow(visit.page.get_by_role("button", name="Record what was done"))
    expect(visit.page.locator(".govuk-error-summary")).to_contain_text("Say what was done")
    visit.page.get_by_label("What was done?").fill("Address checked with the school; delivered by hand.")
    visit.follow(visit.page.get_by_role("button", name="Record what was done"))
    expect(visit.page.get_by_test_id("failure-row")).to_have_count(0)


def test_print_queue_on_the_embedded_default(new_visit, e2e_world, autumn):  # noqa: F811
    world = e2e_world
    _threshold_and_case(world, new_visit)
    visit = new_visit("la_officer")
    _send_from_worklist(visit)
    assert set(NotifyMessage.objects.values_list("route", "status")) == {("print", "print-queue")}
    visit.goto("/legal/messages/print-queue/")
    expect(visit.page.get_by_test_id("print-queue-explainer")).to_be_visible()
    group = visit.page.get_by_test_id("print-group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("2")
    visit.follow(group.get_by_role("link", name="Record the posting"))
    posted = visit.page.get_by_role("group", name="Posted on")
    posted.get_by_label("Day").fill("23")
    posted.get_by_label("Month").fill("11")
    posted.get_by_label("Year").fill("2026")
    visit.follow(visit.page.get_by_role("button", name="Record the posting"))
    expect(visit.page.locator(".govuk-notification-banner")).to_contain_text("2 letters recorded as posted")
    expect(visit.page.get_by_test_id("print-queue-empty")).to_be_visible()
    assert set(NotifyMessage.objects.values_list("status", "posted_on")) == {
        ("posted-by-hand", datetime.date(2026, 11, 23))}
