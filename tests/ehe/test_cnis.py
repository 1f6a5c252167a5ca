"""Ready for the Children Not in School register (CWSA 2026 s38, behind CNIS_REGISTER_ENABLED): the EHE record
becomes a CNIS entry without re-keying, linked both ways, only while the register is in force."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from schools.ehe import services
from schools.exclusions.services import RegisterNotInForce
from schools.models import ChildNotInSchool
from tests.ehe.fixtures import family_pupil

D = datetime.date


@pytest.fixture
def record(world):
    pupil, _ = family_pupil(world.school_b, first="Nia", last="Reid")
    return services.register_home_education(user=world.users["la_officer"], pupil=pupil, notified_on=D(2026, 11, 2),
                                            source="parent")


def test_off_no_button_no_entry(settings, world, record, client):
    settings.CNIS_REGISTER_ENABLED = False
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("ehe_detail", args=[record.pk])).content.decode()
    assert 'data-testid="cnis-button"' not in page
    assert client.post(reverse("ehe_cnis", args=[record.pk])).status_code == 404
    with pytest.raises(RegisterNotInForce):
        services.ehe_make_cnis_entry(user=world.users["la_officer"], record=record)
    assert not ChildNotInSchool.objects.exists()
    record.refresh_from_db()
    assert record.cnis_entry_id is None


def test_on_button_makes_a_linked_entry_from_the_record(settings, world, record, client):
    settings.CNIS_REGISTER_ENABLED = True
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("ehe_detail", args=[record.pk])).content.decode()
    assert 'data-testid="cnis-button"' in page
    response = client.post(reverse("ehe_cnis", args=[record.pk]))
    assert response.status_code == 302
    entry = ChildNotInSchool.objects.get()
    record.refresh_from_db()
    assert record.cnis_entry == entry and entry.home_education_record == record
    assert entry.pupil == record.pupil and entry.category == ChildNotInSchool.Category.NOT_REGISTERED
    assert entry.parent_names == "Pat Reid" and entry.address.startswith("1 High Street")
    page = client.get(reverse("ehe_detail", args=[record.pk])).content.decode()
    assert 'data-testid="cnis-linked"' in page and 'data-testid="cnis-button"' not in page
    # Twice: refused with a message, nothing more made.
    client.post(reverse("ehe_cnis", args=[record.pk]))
    assert ChildNotInSchool.objects.count() == 1


def test_school_users_and_legal_officers_cannot(settings, world, record, client):
    settings.CNIS_REGISTER_ENABLED = True
    for who in ("school_b", "legal_officer"):
        client.force_login(world.users[who])
        assert client.post(reverse("ehe_cnis", args=[record.pk])).status_code == 403
    assert not ChildNotInSchool.objects.exists()
