"""The duplicate-pupil API: the same pairs and reasons as the page (paginated), "not the same child", a merge with
its conflicts refused as a 400 naming them (nothing changed), undo, and the roles and scoping of the pages."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from schools.duplicates import selectors
from schools.models import AuditEvent, DuplicateDismissal, Enrolment, ExportedPupil, Pupil, PupilMerge
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def kat_and_cat(world):
    kat = PupilFactory(legal_first_name="Katherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    cat = PupilFactory(legal_first_name="Catherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    return kat, cat


def test_the_list_is_the_pages_pairs_with_their_reasons(world, kat_and_cat):
    kat, cat = kat_and_cat
    officer = world.users["la_officer"]
    body = _api(officer).get("/api/duplicates/").json()
    page = selectors.find_candidates(user=officer).candidates
    assert body["count"] == len(page) == 1
    row = body["results"][0]
    assert (row["a"], row["b"], row["score"]) == (min(kat.pk, cat.pk), max(kat.pk, cat.pk), 96)
    assert [m["rule"] for m in row["matches"]] == ["dob_name"]
    assert "Katherine / Catherine sound alike" in row["matches"][0]["detail"]
    assert {r["id"] for r in row["records"]} == {kat.pk, cat.pk}
    assert _api(officer).get("/api/duplicates/", {"rule": "former_upn"}).json()["count"] == 0
    assert _api(officer).get("/api/duplicates/", {"rule": "nonsense", "sort": "x"}).json()["count"] == 1
    # Like the page's CSV, the pupils a machine-readable list named are recorded.
    event = AuditEvent.objects.filter(action="export", username="la_officer").first()
    assert set(ExportedPupil.objects.filter(event=event).values_list("pupil_id", flat=True)) == {kat.pk, cat.pk}


def test_only_la_editors_reach_it(world, kat_and_cat):
    kat, cat = kat_and_cat
    for role in ("legal_officer", "school_a", "school_b"):
        api = _api(world.users[role])
        assert api.get("/api/duplicates/").status_code == 403
        assert api.post("/api/duplicates/dismiss/", {"a": kat.pk, "b": cat.pk}, format="json").status_code == 403
    assert not DuplicateDismissal.objects.exists()
    assert APIClient().get("/api/duplicates/").status_code == 401


def test_not_the_same_child(world, kat_and_cat):
    kat, cat = kat_and_cat
    api = _api(world.users["la_officer"])
    response = api.post("/api/duplicates/dismiss/", {"a": cat.pk, "b": kat.pk, "note": "Twins"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["a"], response.json()["b"]) == (min(kat.pk, cat.pk), max(kat.pk, cat.pk))
    assert api.get("/api/duplicates/").json()["count"] == 0
    shown = api.get("/api/duplicates/", {"dismissed": "show"}).json()["results"]
    assert [r["dismissed"] for r in shown] == [True]
    assert api.post("/api/duplicates/dismiss/", {"a": kat.pk, "b": 99999999}, format="json").status_code == 404
    assert api.post("/api/duplicates/dismiss/", {"a": kat.pk, "b": kat.pk}, format="json").status_code == 400
    assert api.post("/api/duplicates/dismiss/", {"a": "x"}, format="json").status_code == 400


def test_merge_preview_merge_and_undo(world, kat_and_cat):
    kat, cat = kat_and_cat
    EnrolmentFactory(pupil=cat, school=world.school_b, start_date=D(2024, 9, 2))
    api = _api(world.users["la_manager"])
    preview = api.get("/api/duplicates/preview/", {"keep": kat.pk, "remove": cat.pk}).json()
    assert preview["conflicts"] == [] and preview["moved_count"] >= 1
    assert {"model": "schools.Enrolment", "count": 1}.items() <= next(
        m for m in preview["moves"] if m["model"] == "schools.Enrolment").items()
    assert api.post("/api/duplicates/merge/", {"keep": kat.pk, "remove": cat.pk}, format="json").json() == {
        "reason": ["Enter how you know these records are the same child."]}
    response = api.post("/api/duplicates/merge/", {"keep": kat.pk, "remove": cat.pk,
                                                   "reason": "The school confirmed it."}, format="json")
    assert response.status_code == 201, response.json()
    merge = response.json()
    assert merge["kept"] == kat.pk and merge["undoable"] and merge["moved"]["schools.Enrolment"] == 1
    assert not Pupil.objects.filter(pk=cat.pk).exists() and Enrolment.objects.filter(pupil=kat).count() == 1
    detail = api.get(f"/api/duplicate-merges/{merge['id']}/")
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="schools.PupilMerge", pupil_id=kat.pk).exists()
    undone = api.post(f"/api/duplicate-merges/{merge['id']}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_by"] == "la_manager"
    assert Enrolment.objects.get(pupil_id=cat.pk)
    again = api.post(f"/api/duplicate-merges/{merge['id']}/undo/")
    assert again.status_code == 400 and again.json()["non_field_errors"]


def test_a_merge_conflict_is_a_400_with_the_reasons_and_nothing_moves(world, kat_and_cat):
    kat, cat = kat_and_cat
    EnrolmentFactory(pupil=kat, school=world.school_b, start_date=D(2024, 9, 2))
    EnrolmentFactory(pupil=cat, school=world.school_b, start_date=D(2025, 1, 6))
    api = _api(world.users["la_officer"])
    preview = api.get("/api/duplicates/preview/", {"keep": kat.pk, "remove": cat.pk}).json()
    assert len(preview["conflicts"]) == 1 and "overlapping dates" in preview["conflicts"][0]
    response = api.post("/api/duplicates/merge/", {"keep": kat.pk, "remove": cat.pk, "reason": "Same child"},
                        format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": preview["conflicts"]}
    assert Pupil.objects.filter(pk=cat.pk).exists() and not PupilMerge.objects.exists()
    assert Enrolment.objects.filter(pupil=cat).count() == 1


def test_a_merge_record_out_of_reach_is_404(world, kat_and_cat):
    kat, cat = kat_and_cat
    api = _api(world.users["la_officer"])
    assert api.get("/api/duplicate-merges/123456/").status_code == 404
    assert api.get("/api/duplicate-merges/99999999999999999999999/").status_code == 404
    assert api.get("/api/duplicates/preview/", {"keep": kat.pk, "remove": 2**62}).status_code == 404
