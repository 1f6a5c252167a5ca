"""Payment files from the income system: matching through payment_record, the queue with suggestions, decisions
(audited), all-or-nothing refusal of bad files, and no double payment on re-import.

Worked by hand (today is Monday 23 November 2026 in the tests). Notices issued and served by hand on Mon 2 Nov 2026
are received that day (day 0): £80 to day 21 (Mon 23 Nov), £160 to day 28 (Mon 30 Nov). The late notice was served
on Thu 1 Oct 2026: its period ended on day 28, Thu 29 Oct; a payment on 5 Nov is day 35.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legal import services as legal_services
from legal.models import Payment, PenaltyNotice
from legal.payments import rules, services
from legal.payments.models import PaymentFile, PaymentLine
from legal.payments.parse import read_payment_file
from schools.models import AuditEvent
from tests.factories import CarerFactory, EnrolmentFactory, FamilyFactory, PupilFactory

D = datetime.date
NOV_2 = D(2026, 11, 2)


def _notice(world, name: str, issued=NOV_2):
    family = FamilyFactory(name=name)
    carer = CarerFactory(family=family, full_name=name)
    pupil = PupilFactory(family=family, date_of_birth=D(2014, 3, 1))
    EnrolmentFactory(pupil=pupil, school=world.school_b, start_date=D(2024, 9, 2))
    return legal_services.notice_issue(
        user=world.users["la_officer"], pupil=pupil, carer=carer, notice_type="term_time_leave",
        period_start=issued - datetime.timedelta(days=7), period_end=issued - datetime.timedelta(days=3),
        issued_on=issued, served_on=issued, service_method="hand")


def _typo(notice: PenaltyNotice) -> str:
    """A reference one digit away from the notice's that names no notice (the payer's slip)."""
    digits = f"{notice.pk:06d}"
    for position in range(5, -1, -1):
        for digit in "9876543210":
            candidate = digits[:position] + digit + digits[position + 1:]
            if candidate != digits and not PenaltyNotice.objects.filter(pk=int(candidate)).exists():
                return f"PN-{candidate}"
    raise AssertionError("no free reference")


@pytest.fixture
def notices(world):
    return {
        "alice": _notice(world, "Alice Smith"),
        "bob": _notice(world, "Bob Jones"),
        "carol": _notice(world, "Carol White"),
        "dan": _notice(world, "Dan Green"),
        "erin": _notice(world, "Erin Black", issued=D(2026, 10, 1)),
        "fay": _notice(world, "Fay Brown"),
    }


def _csv(*lines: str, header: str = "date,amount,reference,payer") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def mixed_file(notices):
    n = notices
    return _csv(
        f"2026-11-10,80.00,{n['alice'].reference},MRS A SMITH",  # line 2: exact, day 8 -> paid
        f"10/11/2026,80.00,{_typo(n['bob'])},Mr B Jones",  # line 3: typo -> queue, suggest Bob
        f"2026-11-10,40.00,{n['carol'].reference},Carol White",  # line 4: part payment
        f"2026-11-10,£100.00,{n['dan'].reference},D Green",  # line 5: £20 too much
        f"2026-11-05,160.00,{n['erin'].reference},Erin Black",  # line 6: after the period
        "2026-11-12,80.00,,Carol White",  # line 7: no reference -> suggest Carol by name
    )


def _import(world, data: bytes, name="income-2026-11-13.csv", user="legal_officer"):
    return services.payment_file_import(user=world.users[user], name=name, data=data, method="card")


def test_a_mixed_file_pays_what_it_can_and_queues_the_rest(world, notices, mixed_file):
    batch = _import(world, mixed_file)
    lines = {line.line_number: line for line in batch.lines.all()}
    assert (batch.line_count, batch.matched_count, batch.queued_count, batch.duplicate_count) == (6, 1, 5, 0)
    assert batch.total_amount == Decimal("540.00")
    assert lines[2].status == "matched"
    alice = PenaltyNotice.objects.get(pk=notices["alice"].pk)
    assert (alice.status, alice.paid_on, alice.paid_amount) == ("paid_reduced", D(2026, 11, 10), Decimal("80.00"))
    assert lines[2].payment.transaction_reference == f"PF-{batch.pk:05d}/2"
    assert [lines[n].problem for n in (3, 4, 5, 6, 7)] == ["unmatched", "underpaid", "overpaid", "late", "unmatched"]
    assert "£40.00 less than the £80.00 due" in lines[4].problem_detail
    assert "£20.00 more than the £80.00 due" in lines[5].problem_detail
    assert "ended on 29 October 2026" in lines[6].problem_detail
    bob = lines[3].suggestions[0]
    assert bob["notice"] == notices["bob"].pk and "Similar reference" in bob["why"] and "same parent name" in bob["why"]
    assert lines[7].suggestions[0]["notice"] == notices["carol"].pk
    assert "Same parent name (Carol White)" in lines[7].suggestions[0]["why"]
    assert lines[5].suggestions[0] == {"notice": notices["dan"].pk, "reference": notices["dan"].reference,
                                       "why": "Its reference names this notice; same parent name (Dan Green)",
                                       "distance": 0}
    # Nothing held was paid: only Alice's notice changed.
    assert set(PenaltyNotice.objects.filter(status__in=["paid_reduced", "paid_full"]).values_list("pk", flat=True)) \
        == {notices["alice"].pk}
    assert AuditEvent.objects.filter(object_type="legal.PaymentFile", object_id=str(batch.pk), action="create").exists()


def test_bad_rows_refuse_the_whole_file_naming_file_row_and_field(world, notices):
    data = _csv(f"2026-11-10,80.00,{notices['alice'].reference},A Smith",
                "31/02/2026,80.00,PN-000001,X",
                "2026-11-10,ten pounds,PN-000002,Y",
                "2026-11-10,80.00")
    with pytest.raises(services.PaymentFileRefused) as refused:
        _import(world, data, name="bad.csv")
    found = [(i.file, i.line, i.field) for i in refused.value.issues]
    assert found == [("bad.csv", 3, "date"), ("bad.csv", 4, "amount"), ("bad.csv", 5, "reference"),
                     ("bad.csv", 5, "payer")]
    assert "not a date" in refused.value.issues[0].reason
    assert PaymentFile.objects.count() == 0 and PaymentLine.objects.count() == 0
    assert Payment.objects.count() == 0  # the good first line was not paid either
    assert PenaltyNotice.objects.get(pk=notices["alice"].pk).status == "issued"


def test_a_missing_column_is_named(world):
    with pytest.raises(services.PaymentFileRefused) as refused:
        _import(world, _csv("2026-11-10,80.00,PN-000001", header="Payment Date,Amount,Reference"))
    assert [(i.line, i.field) for i in refused.value.issues] == [(1, "payer")]
    assert "“payer” column is missing" in refused.value.issues[0].reason


def test_the_same_file_twice_pays_nothing_twice(world, notices, mixed_file):
    first = _import(world, mixed_file)
    payments = Payment.objects.count()
    with pytest.raises(services.PaymentFileRefused) as refused:
        _import(world, mixed_file, name="copy.csv")
    assert f"already imported as {first.reference}" in refused.value.issues[0].reason
    assert PaymentFile.objects.count() == 1 and Payment.objects.count() == payments
    # Another export with the same lines re-ordered and one new line: the seen lines are duplicates, not paid again.
    again = _csv(f"2026-11-12,80.00,{notices['fay'].reference},Fay Brown",
                 f"2026-11-10,80.00,{notices['alice'].reference},MRS A SMITH",
                 f"2026-11-10,40.00,{notices['carol'].reference},Carol White")
    second = _import(world, again, name="income-2026-11-14.csv")
    assert (second.matched_count, second.queued_count, second.duplicate_count) == (1, 0, 2)
    duplicate = second.lines.get(line_number=3)
    assert duplicate.status == "duplicate" and duplicate.duplicate_of.file_id == first.pk
    assert Payment.objects.count() == payments + 1  # only Fay's
    assert Payment.objects.filter(notice=notices["alice"]).count() == 1


def test_accepting_a_suggestion_pays_the_notice_and_is_audited(world, notices, mixed_file):
    batch = _import(world, mixed_file)
    line = batch.lines.get(line_number=3)
    done = services.line_match(user=world.users["legal_officer"], line=line, notice=notices["bob"],
                               expected_version=line.version, note="Payer swapped two digits.")
    assert done.status == "accepted" and done.payment.notice_id == notices["bob"].pk
    assert PenaltyNotice.objects.get(pk=notices["bob"].pk).status == "paid_reduced"
    event = AuditEvent.objects.get(object_type="legal.PaymentLine", object_id=str(line.pk), action="update")
    assert event.username == "legal_officer" and event.changes["status"] == ["queued", "accepted"]
    with pytest.raises(ValidationError, match="already been dealt with"):
        services.line_reject(user=world.users["legal_officer"], line=done, reason="x", expected_version=done.version)


def test_an_overpayment_is_paid_at_the_amount_due_with_the_excess_to_refund(world, notices, mixed_file):
    batch = _import(world, mixed_file)
    line = batch.lines.get(line_number=5)
    with pytest.raises(ValidationError, match="more than the £80.00 due"):
        services.line_match(user=world.users["la_manager"], line=line, notice=notices["dan"],
                            expected_version=line.version)
    line.refresh_from_db()
    assert line.status == "queued" and line.version == 1  # nothing saved
    done = services.line_match(user=world.users["la_manager"], line=line, notice=notices["dan"],
                               expected_version=line.version, refund_excess=True)
    assert (done.payment.amount, done.refund_amount, done.status) == (Decimal("80.00"), Decimal("20.00"), "accepted")


def test_matching_by_hand_and_rejecting(world, notices, mixed_file):
    batch = _import(world, mixed_file)
    no_ref = batch.lines.get(line_number=7)  # £80 on 12 Nov; suggestions name Carol, the officer knows it is Fay's
    done = services.line_match(user=world.users["legal_officer"], line=no_ref, notice=notices["fay"],
                               expected_version=no_ref.version, note="Fay Brown rang to say she paid without one.")
    assert done.status == "matched_by_hand"
    late = batch.lines.get(line_number=6)
    with pytest.raises(ValidationError, match="payment period"):
        services.line_match(user=world.users["legal_officer"], line=late, notice=notices["erin"],
                            expected_version=late.version)
    with pytest.raises(ValidationError, match="Say why"):
        services.line_reject(user=world.users["legal_officer"], line=late, reason="  ", expected_version=late.version)
    rejected = services.line_reject(user=world.users["legal_officer"], line=late,
                                    reason="Paid after the period: refund £160.00.", expected_version=late.version)
    assert rejected.status == "rejected" and rejected.decided_by == world.users["legal_officer"]
    assert AuditEvent.objects.filter(object_type="legal.PaymentLine", object_id=str(late.pk)).count() == 1
    stale = batch.lines.get(line_number=4)
    with pytest.raises(ValidationError) as error:
        services.line_reject(user=world.users["legal_officer"], line=stale, reason="Part payment",
                             expected_version=stale.version + 5)
    assert error.value.code == "stale"


def test_only_payment_roles_import_or_decide(world, mixed_file):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(world, mixed_file, user="la_officer")
    assert PaymentFile.objects.count() == 0


def test_pages(client_for, world, notices, mixed_file):
    client = client_for(world.users["legal_officer"])
    upload = SimpleUploadedFile("income.csv", mixed_file, content_type="text/csv")
    response = client.post(reverse("legal:payment_file_upload"), {"file": upload, "method": "card"})
    batch = PaymentFile.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("legal:payment_file", args=[batch.pk])
    queue = client.get(reverse("legal:payment_queue")).content.decode()
    assert queue.count('data-testid="payment-line"') == 5
    assert client.get(reverse("legal:payment_queue") + "?problem=overpaid").content.decode().count(
        'data-testid="payment-line"') == 1
    export = client.get(reverse("legal:payment_queue") + "?format=csv")
    assert export.status_code == 200 and notices["dan"].reference in export.content.decode("utf-8-sig")
    line = batch.lines.get(line_number=3)
    detail = client.get(reverse("legal:payment_line", args=[line.pk])).content.decode()
    assert notices["bob"].reference in detail and "Accept" in detail
    match_url = reverse("legal:payment_line_match", args=[line.pk])
    form = client.get(match_url + f"?notice={notices['bob'].pk}").content.decode()
    assert f'value="{notices["bob"].reference}"' in form
    response = client.post(match_url, {"notice": notices["bob"].reference, "version": line.version})
    assert response.status_code == 302
    assert PenaltyNotice.objects.get(pk=notices["bob"].pk).status == "paid_reduced"
    # A bad file: the page lists each problem with its line and column, and nothing was saved.
    bad = SimpleUploadedFile("bad.csv", _csv("2026-13-40,80.00,PN-1,X"), content_type="text/csv")
    page = client.post(reverse("legal:payment_file_upload"), {"file": bad, "method": "card"})
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert 'data-testid="file-issue"' in page.content.decode() and "not a date" in page.content.decode()
    assert PaymentFile.objects.count() == 1
    officer = client_for(world.users["la_officer"])
    assert officer.get(reverse("legal:payment_queue")).status_code == 200
    assert officer.get(reverse("legal:payment_file_upload")).status_code == 403
    school = client_for(world.users["school_b"])
    assert school.get(reverse("legal:payment_queue")).status_code == 403
    assert school.get(reverse("legal:payment_line", args=[line.pk])).status_code == 403


def test_parser_reads_income_system_forms():
    data = "Payment Date,Amount Paid,Ref,Payer Name\r\n22/10/2026,£80.00,pn 000123,Mrs P Parent\r\n".encode("cp1252")
    lines, issues = read_payment_file("x.csv", data, today=D(2026, 11, 23))
    assert issues == []
    assert (lines[0].paid_on, lines[0].amount, lines[0].reference) == (D(2026, 10, 22), Decimal("80.00"),
                                                                       "pn 000123")
    assert rules.reference_key("pn 000123") == "PN000123"
    assert rules.name_parts("MRS P. PARENT") == ("p", "parent")
    assert rules.levenshtein("PN000123", "PN000132") == 2
    _, issues = read_payment_file("x.csv", b"date,amount,reference,payer\n2026-12-25,80,PN-1,X\n",
                                  today=D(2026, 11, 23))
    assert issues[0].field == "date" and "future" in issues[0].reason
