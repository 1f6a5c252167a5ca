"""Payment files and the queue over the API: the same import (a bad file's row errors as a 400 body, nothing saved),
the queue's filters, the decisions (accept a suggestion, match by hand, reject with a reason) audited, and the roles
of the pages (school users 403; only payment roles import or decide)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from legal.models import Payment, PenaltyNotice
from legal.payments.models import PaymentFile, PaymentLine
from schools.models import AuditEvent
from tests.legal.test_payment_files import _csv, mixed_file, notices  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
FILES, LINES = "/api/legal/payment-files/", "/api/legal/payment-lines/"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upload(api, data: bytes, name="income.csv", method="card"):
    return api.post(FILES, {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "method": method},
                    format="multipart")


def test_upload_then_read_the_file_its_lines_and_the_queue(world, notices, mixed_file):  # noqa: F811
    api = _api(world.users["legal_officer"])
    response = _upload(api, mixed_file)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["line_count"], body["matched_count"], body["queued_count"]) == (6, 1, 5)
    batch = PaymentFile.objects.get()
    assert body["reference"] == batch.reference
    assert api.get(FILES).json()["results"][0]["id"] == batch.pk
    lines = api.get(f"{FILES}{batch.pk}/lines/").json()
    assert [r["line_number"] for r in lines["results"]] == [2, 3, 4, 5, 6, 7]
    assert lines["results"][0]["status"] == "matched"
    queue = api.get(LINES).json()  # the queue: lines waiting for a decision, oldest payment first
    assert queue["count"] == 5 and queue["results"][0]["line_number"] == 6  # paid 5 November
    overpaid = api.get(LINES, {"problem": "overpaid"}).json()["results"]
    assert [r["line_number"] for r in overpaid] == [5]
    assert overpaid[0]["suggestions"][0]["notice"] == notices["dan"].pk
    assert overpaid[0]["next_step"].startswith("Accept it against the notice")
    assert api.get(LINES, {"state": "all"}).json()["count"] == 6
    line = PaymentLine.objects.get(line_number=5)
    assert api.get(f"{LINES}{line.pk}/").json()["notice_reference"] == notices["dan"].reference
    assert AuditEvent.objects.filter(action="view", object_type="legal.PaymentLine", object_id=str(line.pk),
                                     pupil_id=notices["dan"].pupil_id).exists()


def test_a_bad_file_is_a_400_naming_each_row_and_field_and_nothing_is_saved(world, notices):  # noqa: F811
    data = _csv(f"2026-11-10,80.00,{notices['alice'].reference},A Smith",
                "31/02/2026,80.00,PN-000001,X",
                "2026-11-10,ten pounds,PN-000002,Y")
    response = _upload(_api(world.users["la_manager"]), data, name="bad.csv")
    assert response.status_code == 400
    body = response.json()
    assert "bad.csv was not imported: 2 problems" in body["file"][0]
    assert [(i["file"], i["line"], i["field"]) for i in body["issues"]] == [("bad.csv", 3, "date"),
                                                                            ("bad.csv", 4, "amount")]
    assert "not a date" in body["issues"][0]["reason"]
    assert not PaymentFile.objects.exists() and not PaymentLine.objects.exists() and not Payment.objects.exists()
    assert PenaltyNotice.objects.get(pk=notices["alice"].pk).status == "issued"
    # The page's form checks the upload itself: the same message for a file that is not a CSV.
    refused = _upload(_api(world.users["la_manager"]), b"x", name="income.xlsx")
    assert refused.status_code == 400 and "must be a CSV" in refused.json()["file"][0]
    assert _upload(_api(world.users["la_manager"]), b"x", method="cash?").status_code == 400


def test_decisions(world, notices, mixed_file):  # noqa: F811
    api = _api(world.users["legal_officer"])
    _upload(api, mixed_file)
    typo, over, late, no_ref = (PaymentLine.objects.get(line_number=n) for n in (3, 5, 6, 7))
    # Accept a suggestion: only one of the line's own suggestions.
    refused = api.post(f"{LINES}{typo.pk}/accept/", {"notice": notices["alice"].pk, "version": 1}, format="json")
    assert refused.status_code == 400 and "not one of this payment's suggestions" in refused.json()["notice"][0]
    done = api.post(f"{LINES}{typo.pk}/accept/", {"notice": notices["bob"].pk, "version": 1, "note": "Swapped digits"},
                    format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "accepted" and done.json()["decided_by"] == "legal_officer"
    assert PenaltyNotice.objects.get(pk=notices["bob"].pk).status == "paid_reduced"
    event = AuditEvent.objects.get(object_type="legal.PaymentLine", object_id=str(typo.pk), action="update")
    assert event.changes["status"] == ["queued", "accepted"]
    again = api.post(f"{LINES}{typo.pk}/reject/", {"reason": "x", "version": 2}, format="json")
    assert again.status_code == 400 and "already been dealt with" in again.json()["non_field_errors"][0]
    # The service's refusal, by field: an overpayment needs refund_excess.
    response = api.post(f"{LINES}{over.pk}/accept/", {"notice": notices["dan"].pk, "version": 1}, format="json")
    assert response.status_code == 400 and "more than the £80.00 due" in response.json()["notice"][0]
    response = api.post(f"{LINES}{over.pk}/accept/", {"notice": notices["dan"].pk, "version": 1,
                                                       "refund_excess": True}, format="json")
    assert response.status_code == 200 and response.json()["refund_amount"] == "20.00"
    # Match by hand, by reference.
    assert api.post(f"{LINES}{no_ref.pk}/match/", {"notice": "PN-999999", "version": 1},
                    format="json").json()["notice"][0].startswith("No penalty notice has the reference")
    response = api.post(f"{LINES}{no_ref.pk}/match/", {"notice": notices["fay"].reference.lower(), "version": 1},
                        format="json")
    assert response.status_code == 200 and response.json()["status"] == "matched_by_hand"
    # Reject with a reason; a stale version is refused.
    assert api.post(f"{LINES}{late.pk}/reject/", {"reason": " ", "version": 1},
                    format="json").json()["reason"][0].startswith("Say why")
    assert api.post(f"{LINES}{late.pk}/reject/", {"reason": "Late", "version": 7}, format="json").status_code == 400
    response = api.post(f"{LINES}{late.pk}/reject/", {"reason": "Paid late: refund £160.00.", "version": 1},
                        format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def test_roles_and_scoping(world, notices, mixed_file):  # noqa: F811
    _upload(_api(world.users["legal_officer"]), mixed_file)
    line = PaymentLine.objects.get(line_number=6)
    officer = _api(world.users["la_officer"])  # reads, may not import or decide
    assert officer.get(LINES).status_code == 200
    assert _upload(officer, mixed_file, name="again.csv").status_code == 403
    assert officer.post(f"{LINES}{line.pk}/reject/", {"reason": "x", "version": 1}, format="json").status_code == 403
    for role in ("school_a", "school_b"):
        school = _api(world.users[role])
        assert school.get(FILES).status_code == 403
        assert school.get(f"{LINES}{line.pk}/").status_code == 403
    assert PaymentLine.objects.get(pk=line.pk).status == "queued"
    manager = _api(world.users["la_manager"])
    assert manager.get(f"{LINES}{line.pk + 1000}/").status_code == 404
    assert manager.get(f"{FILES}99999/lines/").status_code == 404
