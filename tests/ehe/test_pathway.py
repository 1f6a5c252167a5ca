"""The s437 pathway: suitability, the informal enquiry, then the s437(1) notice served from legal as a school
attendance order at its notice stage, linked back to the EHE record, with its dates and letters."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import Case
from legal.ehe import services as legal_ehe
from legal.models import LegalPathway, SchoolAttendanceOrder
from schools.ehe import selectors, services
from schools.models import AuditEvent, HomeEducationRecord
from tests.ehe.fixtures import family_pupil, unsuitable_record

D = datetime.date


@pytest.fixture
def officer(world):
    return world.users["la_officer"]


@pytest.fixture
def ready(world, officer):
    pupil, carer = family_pupil(world.school_b)
    return unsuitable_record(officer, pupil), carer


def test_enquiry_sets_the_reply_date_and_overdue(ready):
    record, _ = ready
    assert record.enquiry_response_due == D(2026, 11, 17)  # sent 2 Nov + 15 days
    assert HomeEducationRecord.objects.enquiry_overdue(D(2026, 11, 23)).filter(pk=record.pk).exists()
    assert not HomeEducationRecord.objects.enquiry_overdue(D(2026, 11, 17)).exists()


def test_a_second_enquiry_waits_for_the_reply(ready, officer):
    record, _ = ready
    with pytest.raises(ValidationError) as error:
        services.ehe_send_enquiry(user=officer, record=record, sent_on=D(2026, 11, 20))
    assert "record the reply first" in error.value.message_dict["sent_on"][0]


def test_serving_the_notice_opens_a_cme_case_and_pathway_and_links_back(ready, officer):
    record, carer = ready
    sao = legal_ehe.ehe_serve_notice(user=officer, record=record, carer=carer, notice_served_on=D(2026, 11, 20),
                                     notice_period_days=15)
    assert sao.stage == SchoolAttendanceOrder.Stage.NOTICE
    assert sao.response_due_on == D(2026, 12, 5)  # 20 Nov + 15 days
    assert sao.home_education_record == record
    case = Case.objects.get(pupil=record.pupil)
    assert case.case_type == Case.CaseType.CME
    pathway = LegalPathway.objects.get(case=case)
    assert pathway.gate_passed and "Informal enquiry" in pathway.evidence[1]["item"]
    assert AuditEvent.objects.filter(object_type="legal.SchoolAttendanceOrder", object_id=str(sao.pk)).count() == 2
    listed = selectors.ehe_list(user=officer).get(pk=record.pk)
    assert listed.notice_expiry == D(2026, 12, 5)
    assert "Wait for the parent's answer" in selectors.next_action(listed, D(2026, 11, 23)).text
    assert "decide" in selectors.next_action(listed, D(2026, 12, 6)).text
    # A second notice while the first is waiting is refused.
    with pytest.raises(ValidationError):
        legal_ehe.ehe_serve_notice(user=officer, record=record, carer=carer, notice_served_on=D(2026, 11, 21),
                                   notice_period_days=15)


def test_notice_rules(world, officer, ready):
    record, carer = ready
    with pytest.raises(ValidationError) as error:
        legal_ehe.ehe_serve_notice(user=officer, record=record, carer=carer, notice_served_on=D(2026, 11, 20),
                                   notice_period_days=14)
    assert "at least 15 days" in error.value.message_dict["notice_period_days"][0]
    with pytest.raises(ValidationError) as error:  # still inside the enquiry's reply period
        legal_ehe.ehe_serve_notice(user=officer, record=record, carer=carer, notice_served_on=D(2026, 11, 10),
                                   notice_period_days=15)
    assert "17 November 2026" in error.value.message_dict["notice_served_on"][0]
    with pytest.raises(PermissionDenied):
        legal_ehe.ehe_serve_notice(user=world.users["school_b"], record=record, carer=carer,
                                   notice_served_on=D(2026, 11, 20), notice_period_days=15)
    assert not SchoolAttendanceOrder.objects.exists() and not Case.objects.exists()
    pupil, carer2 = family_pupil(world.school_b, first="Sam", last="Suit")
    plain = services.register_home_education(user=officer, pupil=pupil, notified_on=D(2026, 10, 1), source="parent")
    with pytest.raises(ValidationError) as error:
        legal_ehe.ehe_serve_notice(user=officer, record=plain, carer=carer2, notice_served_on=D(2026, 11, 20),
                                   notice_period_days=15)
    assert "appears not to be suitable" in error.value.messages[0]


def test_pages_show_the_pathway_and_make_the_letters(ready, officer, client):
    record, carer = ready
    client.force_login(officer)
    page = client.get(reverse("ehe_detail", args=[record.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "reply due 17 November 2026" in text and "Overdue" in text
    assert reverse("legal:ehe_notice", args=[record.pk]) in text
    letter = client.get(reverse("ehe_enquiry_letter", args=[record.pk]))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    form = client.get(reverse("legal:ehe_notice", args=[record.pk]))
    assert form.status_code == 200 and "novalidate" in form.content.decode()
    bad = client.post(reverse("legal:ehe_notice", args=[record.pk]), {
        "carer": carer.pk, "notice_served_on_0": "20", "notice_served_on_1": "11", "notice_served_on_2": "2026",
        "notice_period_days": "10"})
    assert bad.status_code == 200 and "at least 15 days" in bad.content.decode()
    done = client.post(reverse("legal:ehe_notice", args=[record.pk]), {
        "carer": carer.pk, "notice_served_on_0": "20", "notice_served_on_1": "11", "notice_served_on_2": "2026",
        "notice_period_days": "15"})
    assert done.status_code == 302
    sao = SchoolAttendanceOrder.objects.get()
    text = client.get(reverse("ehe_detail", args=[record.pk])).content.decode()
    assert "expires 5 December 2026" in text and sao.reference in text
    pdf = client.get(reverse("legal:ehe_notice_letter", args=[sao.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_notice_page_sends_back_when_not_ready(world, officer, client):
    pupil, _ = family_pupil(world.school_b)
    record = services.register_home_education(user=officer, pupil=pupil, notified_on=D(2026, 10, 1),
                                              source="parent")
    client.force_login(officer)
    response = client.get(reverse("legal:ehe_notice", args=[record.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("ehe_detail", args=[record.pk])
