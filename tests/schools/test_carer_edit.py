"""The carer contact page (issue 20): officers set a parent's address, phone, email, preferred channel and "do not
contact" with its reason; reached from the pupil page and the case page's family section; GOV.UK error messages
saying what to do; audited; LA editors only (schools read the family record, they do not change it); what it saves
is what sending respects."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cases import services as case_services
from schools.carers import selectors, validators
from schools.models import AuditEvent, Carer
from tests.factories import CarerFactory, EnrolmentFactory, FamilyFactory, PupilFactory

pytestmark = pytest.mark.django_db


# --- Validators: worked examples ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("bn7 2aa", "BN7 2AA"), ("SW1A 1AA", "SW1A 1AA"), ("EC1A1BB", "EC1A 1BB"), ("M1 1AE", "M1 1AE"),
    ("B33 8TH", "B33 8TH"), ("CR2 6XH", "CR2 6XH"), ("DN55 1PT", "DN55 1PT"), ("W1A 0AX", "W1A 0AX"),
    (" gir 0aa ", "GIR 0AA"),
])
def test_uk_postcodes_are_accepted_and_written_the_royal_mail_way(typed, stored):
    assert validators.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["ZZ99 9ZZ", "BN7", "12345", "QA1 1AA", "BN7 2CA", "BN7 2AAA", "BN7 2", ""])
def test_things_that_are_not_uk_postcodes_are_refused(typed):
    with pytest.raises(ValidationError, match="not a UK postcode"):
        validators.normalise_postcode(typed)


@pytest.mark.parametrize(("typed", "stored", "mobile"), [
    ("01273 000000", "01273000000", False),
    ("(01273) 000-000", "01273000000", False),
    ("07700 900982", "07700900982", True),
    ("+44 7700 900982", "07700900982", True),
    ("+44 (0)7700 900982", "07700900982", True),
    ("0044 7700 900982", "07700900982", True),
    ("07624 123456", "07624123456", True),  # Isle of Man mobiles are 07624
    ("07000 123456", "07000123456", False),  # 070 is a personal number, not a mobile
    ("07624 12345", "0762412345", False),
    ("+33 1 23 45 67 89", "+33123456789", False),
])
def test_phone_numbers_and_which_are_uk_mobiles(typed, stored, mobile):
    assert validators.normalise_phone(typed) == stored
    assert validators.is_uk_mobile(typed) is mobile


@pytest.mark.parametrize("typed", ["12345", "phone me", "+44 12", "7700 900982", "0 1273", "+0 123 456 789"])
def test_things_that_are_not_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError, match="Enter a phone number with its area code"):
        validators.normalise_phone(typed)


@pytest.mark.parametrize(("typed", "ok"), [
    ("pat@example.org", True), ("pat.parent+school@mail.example.co.uk", True), ("pat at example", False),
    ("pat@localhost", False), ("pat@example..org", False), ("pat@@example.org", False),
])
def test_email_addresses(typed, ok):
    if ok:
        assert validators.validate_email_address(typed) == typed
    else:
        with pytest.raises(ValidationError, match="correct format, like name@example.com"):
            validators.validate_email_address(typed)


def test_addresses_need_two_to_six_lines_ending_with_the_postcode():
    assert validators.normalise_address("1 Station Road\nLewes\nbn7 2aa") == "1 Station Road, Lewes, BN7 2AA"
    assert validators.normalise_address("Flat 2, 1 Station Road,  Lewes, BN72AA ") == \
        "Flat 2, 1 Station Road, Lewes, BN7 2AA"
    assert validators.normalise_address("  ") == ""
    with pytest.raises(ValidationError, match="Enter the street or house and the postcode"):
        validators.normalise_address("BN7 2AA")
    with pytest.raises(ValidationError, match="at most 6 lines"):
        validators.normalise_address("a, b, c, d, e, f, BN7 2AA")
    with pytest.raises(ValidationError, match="End the address with its postcode: “Lewes”"):
        validators.normalise_address("1 Station Road, Lewes")


# --- The page ----------------------------------------------------------------------------------------------------

@pytest.fixture
def pat(world) -> Carer:
    return Carer.objects.get(full_name="Pat Parent")


def _url(carer, next_url=""):
    url = reverse("carer_edit", args=[carer.pk])
    return f"{url}?next={next_url}" if next_url else url


GOOD = {"address": "1 Station Road\nLewes\nbn7 2aa", "phone": "+44 7700 900982", "email": "pat@example.org",
        "preferred_channel": "sms", "contact_restriction": ""}


def test_the_pupil_page_lists_carers_with_a_link_to_change_their_contact_details(world, pat, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
    link = f'{_url(pat)}?next=/pupils/{world.pupil_b.pk}/'
    assert "Parents and carers" in page.text and "Pat Parent" in page.text and link in page.text

    form = client.get(link)
    assert form.status_code == 200 and "Contact details for Pat Parent" in form.text
    assert "novalidate" in form.text and f"/pupils/{world.pupil_b.pk}/" in form.text  # the way back
    assert AuditEvent.objects.filter(action="view", object_type="schools.Carer", object_id=str(pat.pk)).exists()

    saved = client.post(link, GOOD)
    assert saved.status_code == 302 and saved.url == f"/pupils/{world.pupil_b.pk}/"
    pat.refresh_from_db()
    assert (pat.address, pat.phone, pat.email, pat.preferred_channel) == (
        "1 Station Road, Lewes, BN7 2AA", "07700900982", "pat@example.org", "sms")
    event = AuditEvent.objects.get(action="update", object_type="schools.Carer", object_id=str(pat.pk))
    assert event.user == world.users["la_officer"] and event.changes["phone"] == ["", "07700900982"]
    page = client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
    assert "1 Station Road, Lewes, BN7 2AA" in page.text and "Text message as well as post" in page.text


def test_the_case_page_family_section_links_to_the_carer_page(world, pat, client):
    case = case_services.case_open(user=world.users["la_manager"], pupil=world.pupil_b, case_type="attendance",
                                   officer=world.users["la_officer"], summary="Absence.",
                                   opened_on=datetime.date(2026, 9, 1))
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 200
    assert f'{_url(pat)}?next=/cases/{case.pk}/' in page.text
    assert client.post(f"{_url(pat)}?next=/cases/{case.pk}/", GOOD).url == f"/cases/{case.pk}/"


def test_bad_input_is_refused_with_messages_that_say_what_to_do_and_nothing_is_saved(world, pat, client):
    client.force_login(world.users["la_officer"])
    before = Carer.objects.filter(pk=pat.pk).values().get()
    refused = client.post(_url(pat), {"address": "1 Station Road, Lewes, ZZ99 9ZZ", "phone": "01273 000000",
                                      "email": "pat at example", "preferred_channel": "sms",
                                      "do_not_contact": "on", "contact_restriction": "  "})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.text
    for words in ["End the address with its postcode: “ZZ99 9ZZ” is not a UK postcode",
                  "Text messages go only to UK mobile numbers",
                  "Enter an email address in the correct format, like name@example.com",
                  "Say why this person must not be contacted"]:
        assert words in refused.text
    assert "This field is required" not in refused.text
    refused = client.post(_url(pat), {"preferred_channel": "email", "phone": "phone me"})
    assert "Enter an email address, or choose post only" in refused.text
    assert "Enter a phone number with its area code" in refused.text
    refused = client.post(_url(pat), {"preferred_channel": ""})
    assert "Choose how they prefer to hear from us" in refused.text
    refused = client.post(_url(pat), {"preferred_channel": "sms"})
    assert "Enter a UK mobile number for text messages" in refused.text
    assert Carer.objects.filter(pk=pat.pk).values().get() == before
    assert not AuditEvent.objects.filter(action="update", object_type="schools.Carer").exists()


def test_do_not_contact_is_saved_with_its_reason_and_sending_respects_it(world, pat, client):
    from legal.messaging.services import check_may_contact

    client.force_login(world.users["la_manager"])
    assert client.post(_url(pat), {"preferred_channel": "post", "do_not_contact": "on",
                                   "contact_restriction": "Non-molestation order, 3 March 2026"}).status_code == 302
    pat.refresh_from_db()
    assert pat.do_not_contact and pat.contact_restriction == "Non-molestation order, 3 March 2026"
    with pytest.raises(ValidationError, match="may not be contacted"):
        check_may_contact(pat)
    page = client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
    assert "Do not contact" in page.text and "Non-molestation order, 3 March 2026" in page.text


def test_an_unsafe_next_goes_back_to_the_family_page(world, pat, client):
    client.force_login(world.users["la_officer"])
    answer = client.post(_url(pat, "https://evil.example/"), GOOD)
    assert answer.url == reverse("family_detail", args=[pat.family_id])
    answer = client.post(_url(pat, "//evil.example/"), GOOD)
    assert answer.url == reverse("family_detail", args=[pat.family_id])


def test_who_may_change_contact_details(world, pat, client):
    # School users and legal officers read the family record but do not change it (EDIT_PUPILS: LA editors).
    for role in ["school_b", "legal_officer"]:
        client.force_login(world.users[role])
        assert client.get(_url(pat)).status_code == 403
        assert client.post(_url(pat), GOOD).status_code == 403
        page = client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
        assert "Pat Parent" in page.text and reverse("carer_edit", args=[pat.pk]) not in page.text
    pat.refresh_from_db()
    assert pat.phone == ""
    client.force_login(world.users["la_officer"])
    assert client.get(reverse("carer_edit", args=[999999])).status_code == 404


def test_a_carer_is_reachable_only_through_a_family_the_user_can_see(world):
    family = FamilyFactory(name="B only")
    EnrolmentFactory(pupil=PupilFactory(family=family), school=world.school_b)
    carer = CarerFactory(family=family)
    assert selectors.carer_get(user=world.users["school_b"], pk=carer.pk) == carer
    assert selectors.carer_get(user=world.users["la_officer"], pk=carer.pk) == carer
    with pytest.raises(Http404):
        selectors.carer_get(user=world.users["school_a"], pk=carer.pk)
