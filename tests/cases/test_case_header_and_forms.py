"""The case header (who the child is, the case, and how to reach the family) and the case forms' GOV.UK behaviour:
messages that say what to do, the date input, and choices that reveal their follow-up questions."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from cases.models import ChronologyEntry, Referral
from schools.models import Carer, Pupil
from tests.factories import CarerFactory

pytestmark = pytest.mark.django_db


def _header(html: str) -> str:
    return html.split('data-testid="case-header"')[1].split("</section>")[0]


def test_case_header_names_the_child_the_case_and_the_family(world, cases_world, client):
    pupil = world.pupil_b  # born 5 January 2012: 14 on 23 November 2026; Year 9 at Beta Academy
    Pupil.objects.filter(pk=pupil.pk).update(sen_status=Pupil.SenStatus.EHCP, fsm_eligible=True, looked_after=True,
                                             cin_cp=Pupil.CinCp.CP)
    family = pupil.family
    family.address_line_1, family.town, family.postcode = "1 High Street", "Brighton", "BN1 1AA"
    family.save()
    Carer.objects.filter(family=family).update(relationship="mother", phone="07700 900123", email="pat@example.org",
                                               parental_responsibility=True)
    CarerFactory(family=family, full_name="Sam Stepfather", relationship="stepfather", parental_responsibility=False,
                 phone="07700 900999", do_not_contact=True, contact_restriction="Non-molestation order, May 2026")
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).content.decode()
    header = _header(page)
    # The family section points to the header rather than listing the carers a second time.
    assert 'data-testid="carers-in-header"' in page and 'data-testid="carer-contact"' not in page
    assert page.count("pat@example.org") == header.count("pat@example.org") == 2  # the mailto link and its text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", header))
    for fact in [pupil.display_name, f"UPN {pupil.upn}", "Date of birth 5 January 2012 (age 14)",
                 "School and year Beta Academy, Year 9", "Compulsory school age Of compulsory school age until",
                 "EHCP", "FSM", "Looked after", "CP plan", f"Case {cases_world.case_b.reference}, attendance",
                 f"Stage {cases_world.case_b.get_stage_display()}",
                 f"Officer {world.users['la_officer'].display_name}",
                 "Pat Parent (mother) Main contact", "Parental responsibility Yes",
                 "Address 1 High Street, Brighton, BN1 1AA", "Phone 07700 900123", "Email pat@example.org",
                 "Sam Stepfather (stepfather) Do not contact", "Parental responsibility No",
                 "Contact restriction Non-molestation order, May 2026"]:
        assert fact in text, fact
    assert 'href="tel:07700900123"' in header and 'href="mailto:pat@example.org"' in header
    # Nothing that would let someone reach a parent who must not be contacted.
    assert "07700 900999" not in header


def test_case_header_for_the_school_and_not_outside_scope(world, cases_world, client):
    client.force_login(world.users["school_b"])
    page = client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).content.decode()
    assert "Pat Parent" in _header(page)
    client.force_login(world.users["school_a"])
    assert client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).status_code == 404


def test_the_referral_form_submitted_empty_says_what_to_do(world, client):
    client.force_login(world.users["school_a"])
    page = client.post(reverse("cases:referral_create"), {"school": world.school_a.pk, "submit": "Send referral"})
    html = page.content.decode()
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert '<a href="#id_pupil">Enter the pupil&#x27;s UPN</a>' in summary
    assert '<a href="#id_case_type_1">Choose what the referral is about</a>' in summary
    assert '<a href="#id_concerns">Enter your concerns about the pupil</a>' in summary
    assert "This field is required" not in html
    assert re.search(r"<form[^>]*novalidate", html) and " required " not in html
    assert not Referral.objects.exists()


def test_chronology_entry_meeting_reveals_the_kind_of_meeting(world, cases_world, client):
    client.force_login(world.users["la_officer"])
    url = reverse("cases:entry_add", args=[cases_world.case_b.pk])
    html = client.get(url).content.decode()
    assert re.search(r"<form[^>]*novalidate", html) and 'type="date"' not in html
    reveal = html.split('data-testid="reveal-entry_type-meeting"')[1].split("</fieldset>")[0]
    assert 'name="meeting_type"' in reveal and "---------" not in html and "Not a meeting" not in html
    assert 'value="meeting" data-app-reveal="conditional-entry_type-6"' in html
    # A meeting with no kind chosen and a date that does not exist.
    answer = client.post(url, {"entry_type": "meeting", "occurred_on_0": "31", "occurred_on_1": "9",
                               "occurred_on_2": "2026", "summary": "TAF"}).content.decode()
    assert '<a href="#id_meeting_type_1">Choose the kind of meeting</a>' in answer
    assert '<a href="#id_occurred_on_0">The date it happened must be a real date</a>' in answer
    assert 'value="meeting" checked data-app-reveal' in answer  # the reveal opens again on the error page
    count = ChronologyEntry.objects.count()
    response = client.post(url, {"entry_type": "meeting", "meeting_type": "taf", "occurred_on_0": "30",
                                 "occurred_on_1": "9", "occurred_on_2": "2026", "summary": "TAF"})
    assert response.status_code == 302 and ChronologyEntry.objects.count() == count + 1
    entry = ChronologyEntry.objects.latest("pk")
    assert (entry.meeting_type, entry.occurred_on) == ("taf", datetime.date(2026, 9, 30))


def test_triage_reveals_stage_and_officer_on_accept_and_the_reason_on_decline(world, cases_world, client):
    client.force_login(world.users["la_manager"])
    url = reverse("cases:referral_triage", args=[cases_world.referral_b.pk])
    html = client.get(url).content.decode()
    accept = html.split('data-testid="reveal-decision-accept"')[1].split("govuk-radios__conditional")[0]
    decline = html.split('data-testid="reveal-decision-decline"')[1]
    assert 'name="stage"' in accept and 'name="officer"' in accept and 'name="decline_reason"' not in accept
    assert 'name="decline_reason"' in decline
    # A browser always sends the button (an empty POST body would read as a first visit).
    empty = client.post(url, {"version": cases_world.referral_b.version, "submit": "Save decision"}).content.decode()
    assert '<a href="#id_decision_1">Choose whether to accept or decline the referral</a>' in empty


def test_review_and_stage_forms_use_the_date_input_without_browser_validation(world, cases_world, client):
    client.force_login(world.users["la_officer"])
    for name in ("cases:review_add", "cases:stage", "cases:close", "cases:task_add"):
        html = client.get(reverse(name, args=[cases_world.case_b.pk])).content.decode()
        assert re.search(r"<form[^>]*novalidate", html), name
        assert 'class="govuk-date-input"' in html and 'type="date"' not in html, name
        assert not re.search(r"<(input|textarea|select)[^>]*\srequired[\s>]", html), name
    answer = client.post(reverse("cases:review_add", args=[cases_world.case_b.pk]),
                         {"held_on_0": "3", "held_on_2": "2026", "submit": "Record review"}).content.decode()
    assert "Date of the review must include a month" in answer
    assert "Enter the progress made since the last review" in answer and "Choose what the review decided" in answer
