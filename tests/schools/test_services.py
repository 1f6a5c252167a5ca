"""Writes: validation at the field, nothing half-saved, every write audited with before/after."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schools import services
from schools.models import AuditEvent, Enrolment, Pupil
from schools.validators import upn_check_letter

pytestmark = pytest.mark.django_db

BODY = "845400125999"
VALID_UPN = upn_check_letter(BODY) + BODY
WRONG_LETTER = ("A" if VALID_UPN[0] != "A" else "B") + BODY


def _pupil_fields(**overrides):
    fields = dict(upn=VALID_UPN, legal_first_name="Cara", legal_last_name="Case",
                  date_of_birth=datetime.date(2014, 6, 1), sex="F")
    fields.update(overrides)
    return fields


def test_create_pupil_with_enrolment_is_audited(world):
    officer = world.users["la_officer"]
    pupil = services.pupil_create(user=officer, school=world.school_a, start_date=datetime.date(2025, 9, 3),
                                  nc_year=7, **_pupil_fields())
    events = AuditEvent.objects.filter(pupil_id=pupil.pk).order_by("pk")
    assert [(e.action, e.object_type) for e in events] == [("create", "schools.Pupil"),
                                                          ("create", "schools.Enrolment")]
    assert events[0].changes["upn"] == [None, VALID_UPN]
    assert events[0].username == "la_officer"


@pytest.mark.parametrize("overrides, field, words", [
    ({"upn": WRONG_LETTER}, "upn", "check letter"),
    ({"date_of_birth": datetime.date.today() + datetime.timedelta(days=1)}, "date_of_birth", "past"),
])
def test_bad_pupil_input_is_refused_at_the_field_and_nothing_saved(world, overrides, field, words):
    before = Pupil.objects.count()
    with pytest.raises(ValidationError) as error:
        services.pupil_create(user=world.users["la_officer"], school=world.school_a,
                              start_date=datetime.date(2025, 9, 3), nc_year=7, **_pupil_fields(**overrides))
    assert words in " ".join(error.value.message_dict[field])
    assert Pupil.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_duplicate_upn_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.pupil_create(user=world.users["la_officer"], **_pupil_fields(upn=world.pupil_a.upn))
    assert "upn" in error.value.message_dict


def test_bad_enrolment_rolls_back_the_new_pupil(world):
    """A pupil whose first enrolment is invalid is not left behind without one."""
    before = Pupil.objects.count()
    with pytest.raises(ValidationError):
        services.pupil_create(user=world.users["la_officer"], school=world.school_a, start_date=None, nc_year=7,
                              **_pupil_fields())
    assert Pupil.objects.count() == before


def test_overlapping_enrolment_at_the_same_school_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.enrolment_create(user=world.users["la_officer"], pupil=world.pupil_a, school=world.school_a,
                                  start_date=datetime.date(2025, 1, 6), nc_year=6)
    assert "overlaps" in error.value.message_dict["start_date"][0]
    assert Enrolment.objects.filter(pupil=world.pupil_a).count() == 1


def test_a_new_enrolment_after_the_last_ended_is_fine(world):
    enrolment = services.enrolment_create(user=world.users["la_officer"], pupil=world.moved, school=world.school_a,
                                          start_date=datetime.date(2024, 7, 21), end_date=datetime.date(2024, 8, 1),
                                          nc_year=6)
    assert enrolment.pk


def test_update_records_before_and_after(world):
    services.pupil_update(user=world.users["la_manager"], pupil=world.pupil_a, fsm_eligible=True)
    event = AuditEvent.objects.get(action="update")
    assert event.changes == {"fsm_eligible": [False, True]}


def test_roles_without_the_capability_cannot_write(world):
    with pytest.raises(PermissionDenied):
        services.pupil_update(user=world.users["legal_officer"], pupil=world.pupil_a, fsm_eligible=True)
    with pytest.raises(PermissionDenied):
        services.pupil_update(user=world.users["school_a"], pupil=world.pupil_a, fsm_eligible=True)


def test_family_and_carer_writes_are_audited(world):
    family = services.family_create(user=world.users["la_officer"], name="New family", children=[world.moved])
    services.carer_create(user=world.users["la_officer"], family=family, full_name="Sam Carer", relationship="father")
    types = list(AuditEvent.objects.order_by("pk").values_list("object_type", "action"))
    assert types == [("schools.Family", "create"), ("schools.Pupil", "update"), ("schools.Carer", "create")]


def test_form_shows_the_upn_error_at_the_field_and_saves_nothing(world, client):
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("pupil_create"), {
        "upn": WRONG_LETTER, "legal_first_name": "Cara", "legal_last_name": "Case",
        "date_of_birth_0": "1", "date_of_birth_1": "6", "date_of_birth_2": "2014", "sex": "F",
        "ethnicity": "WBRI", "sen_status": "N", "cin_cp": "", "school": world.school_a.pk,
        "start_date_0": "3", "start_date_1": "9", "start_date_2": "2025", "nc_year": "7",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "check letter is wrong" in page
    assert 'id="id_upn-error"' in page or "govuk-form-group--error" in page
    assert not Pupil.objects.filter(legal_first_name="Cara").exists()


def test_form_shows_overlap_error_at_the_start_date(world, client):
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("enrolment_add", args=[world.pupil_a.pk]), {
        "school": world.school_a.pk, "start_date_0": "6", "start_date_1": "1", "start_date_2": "2025",
        "nc_year": "6",
    })
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert Enrolment.objects.filter(pupil=world.pupil_a).count() == 1


def test_profile_views_are_audited(world, client):
    client.force_login(world.users["school_a"])
    client.get(reverse("pupil_detail", args=[world.pupil_a.pk]))
    event = AuditEvent.objects.get(action="view")
    assert (event.username, event.pupil_id, event.object_type) == ("school_a", world.pupil_a.pk, "schools.Pupil")


def test_out_of_scope_views_are_not_audited_as_views(world, client):
    client.force_login(world.users["school_a"])
    assert client.get(reverse("pupil_detail", args=[world.pupil_b.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_audit_list_filters_by_user_pupil_and_date(world, client):
    for role in ("school_a", "la_officer"):
        client.force_login(world.users[role])
        client.get(reverse("pupil_detail", args=[world.pupil_a.pk]))
    client.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
    client.force_login(world.users["la_manager"])
    url = reverse("audit_list")
    assert client.get(url, {"pupil": world.pupil_a.pk}).context["page"].paginator.count == 2
    assert client.get(url, {"user": world.users["school_a"].pk}).context["page"].paginator.count == 1
    today = datetime.date.today().isoformat()
    assert client.get(url, {"date_from": today, "date_to": today}).context["page"].paginator.count == 3
    assert client.get(url, {"date_to": "2000-01-01"}).context["page"].paginator.count == 0
