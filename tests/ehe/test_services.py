"""The EHE register's services: registration, consent, contacts, suitability, enquiry, return, CNIS."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from schools.ehe import rules, services
from schools.models import AuditEvent, HomeEducationRecord, Pupil, School
from tests.factories import EnrolmentFactory, PupilFactory, SchoolFactory

D = datetime.date
Record = HomeEducationRecord


@pytest.fixture
def officer(world):
    return world.users["la_officer"]


def test_register_infers_school_copies_sen_and_audits(world, officer):
    record = services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 2),
                                              source="parent", reasons=["bully", "SEN", "BULLY"],
                                              notes="Letter from mother")
    assert record.school == world.school_a
    assert record.reasons == ["BULLY", "SEN"]
    assert record.status == Record.Status.OPEN
    assert record.consent_decision == Record.Consent.NOT_NEEDED
    assert AuditEvent.objects.filter(object_type="schools.HomeEducationRecord", object_id=str(record.pk),
                                     action=AuditEvent.Action.CREATE, pupil_id=world.pupil_a.pk).exists()


def test_school_users_and_legal_officers_cannot_register(world):
    for who in ("school_a", "legal_officer"):
        with pytest.raises(PermissionDenied):
            services.register_home_education(user=world.users[who], pupil=world.pupil_a,
                                              notified_on=D(2026, 11, 2), source="parent")


def test_bad_input_is_refused_with_the_field(world, officer):
    with pytest.raises(ValidationError) as error:
        services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 12, 25),
                                          source="parent")
    assert "notified_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 2),
                                          source="parent", reasons=["XYZ"])
    assert "XYZ" in error.value.message_dict["reasons"][0]
    assert not Record.objects.exists()


def test_one_open_record_per_child(world, officer):
    services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 2), source="parent")
    with pytest.raises(ValidationError) as error:
        services.register_home_education(user=officer, pupil=world.pupil_a, notified_on=D(2026, 11, 3),
                                         source="parent")
    assert "already on the home education register" in error.value.message_dict["pupil"][0]


def test_ehcp_pupil_at_special_school_needs_consent(world, officer):
    special = SchoolFactory(name="Oak Special", phase=School.Phase.SPECIAL, school_type=School.SchoolType.SPECIAL)
    pupil = PupilFactory(sen_status=Pupil.SenStatus.EHCP)
    EnrolmentFactory(pupil=pupil, school=special)
    record = services.register_home_education(user=officer, pupil=pupil, notified_on=D(2026, 11, 2),
                                              source="parent")
    assert record.consent_required and record.consent_pending
    assert Record.objects.consent_needed().get() == record
    with pytest.raises(ValidationError) as error:
        services.ehe_record_consent(user=officer, record=record, decision="refused", decided_on=D(2026, 11, 5))
    assert "notes" in error.value.message_dict
    services.ehe_record_consent(user=officer, record=record, decision="given", decided_on=D(2026, 11, 5))
    record.refresh_from_db()
    assert record.consent_decision == Record.Consent.GIVEN and record.consent_decided_by == officer
    assert not Record.objects.consent_needed().exists()


def test_ehcp_at_mainstream_or_sen_support_at_special_needs_no_consent():
    assert rules.consent_required(sen_status="E", school_phase="primary", school_type="academy") is False
    assert rules.consent_required(sen_status="K", school_phase="special", school_type="special") is False
    assert rules.consent_required(sen_status="E", school_phase="special", school_type="academy") is True
