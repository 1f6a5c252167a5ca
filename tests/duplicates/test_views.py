"""The pages as an LA officer uses them: the review list (filters, sorting, CSV), "Not the same child", the pupil's
Possible duplicates tab, the merge preview and confirmation with GOV.UK errors, Undo merge, and the pupil list's
"sounds like" search."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from schools.models import AuditEvent, DuplicateDismissal, ExportedPupil, Pupil, PupilMerge
from tests.factories import CaseFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def kat_and_cat(world):
    kat = PupilFactory(legal_first_name="Katherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    cat = PupilFactory(legal_first_name="Catherine", legal_last_name="Smith", date_of_birth=D(2014, 6, 1))
    return kat, cat


def test_the_review_list_shows_each_pair_with_why_and_what_next(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("duplicates:list")).content.decode()
    assert "1 possible duplicate" in page
    assert "Same date of birth, similar name" in page and "Katherine / Catherine sound alike" in page
    assert f"{reverse('duplicates:merge', args=[kat.pk])}?other={cat.pk}" in page
    assert "Not the same child" in page
    assert 'aria-sort="none"' in page
    filtered = client.get(reverse("duplicates:list"), {"rule": "former_upn"}).content.decode()
    assert "No possible duplicates match these filters." in filtered
    assert client.get(reverse("duplicates:list"), {"rule": "nonsense", "sort": "x"}).status_code == 200


def test_the_csv_lists_the_pairs_and_is_audited(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    client.force_login(world.users["la_officer"])
    response = client.get(reverse("duplicates:list"), {"format": "csv"})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Katherine Smith" in body and "Catherine Smith" in body and body.splitlines()[1].startswith("96,")
    event = AuditEvent.objects.get(action="export", username="la_officer")
    assert set(ExportedPupil.objects.filter(event=event).values_list("pupil_id", flat=True)) == {kat.pk, cat.pk}


def test_not_the_same_child(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("duplicates:dismiss"), {"a": cat.pk, "b": kat.pk, "next": "/duplicates/"})
    assert response.status_code == 302 and response["Location"] == "/duplicates/"
    assert DuplicateDismissal.objects.filter(pupil_low=min(kat.pk, cat.pk), pupil_high=max(kat.pk, cat.pk)).exists()
    assert AuditEvent.objects.filter(object_type="schools.DuplicateDismissal", pupil_id=kat.pk).exists()
    assert "0 possible duplicates" in client.get(reverse("duplicates:list")).content.decode()
    assert "1 possible duplicate" in client.get(reverse("duplicates:list"), {"dismissed": "show"}).content.decode()
    # A link elsewhere is not followed; a bad id is not found.
    response = client.post(reverse("duplicates:dismiss"), {"a": cat.pk, "b": kat.pk, "next": "https://evil.example"})
    assert response["Location"] == reverse("duplicates:list")
    assert client.post(reverse("duplicates:dismiss"), {"a": "x", "b": kat.pk}).status_code == 404


def test_the_pupil_tab_and_merging_by_upn(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    client.force_login(world.users["la_officer"])
    tab = client.get(reverse("duplicates:pupil", args=[kat.pk])).content.decode()
    assert "Possible duplicates" in tab and cat.upn in tab
    assert "Possible duplicates" in client.get(reverse("pupil_detail", args=[kat.pk])).content.decode()
    choose = client.get(reverse("duplicates:merge", args=[kat.pk]), {"other": "Z999999999999"}).content.decode()
    assert "There is a problem" in choose and "No pupil has that UPN" in choose
    same = client.get(reverse("duplicates:merge", args=[kat.pk]), {"other": kat.upn}).content.decode()
    assert "Enter the UPN of a different pupil" in same
    preview = client.get(reverse("duplicates:merge", args=[kat.pk]), {"other": cat.upn.lower()})
    assert "Check what moves before you merge" in preview.content.decode()


def test_school_users_do_not_get_the_tab(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert reverse("duplicates:pupil", args=[world.pupil_a.pk]) not in page


def test_merge_confirm_undo_in_the_browser(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    case = CaseFactory(pupil=cat)
    client.force_login(world.users["la_manager"])
    url = f"{reverse('duplicates:merge', args=[kat.pk])}?other={cat.pk}"
    preview = client.get(url).content.decode()
    assert "Cases" in preview and "1 record moves" in preview and "Former UPN" in preview
    refused = client.post(url, {"reason": ""}).content.decode()
    assert "There is a problem" in refused
    assert "Enter how you know these records are the same child" in refused
    assert "Confirm you have checked these are the same child" in refused
    assert "This field is required" not in refused
    assert Pupil.objects.filter(pk=cat.pk).exists()

    response = client.post(url, {"reason": "Parent confirmed.", "confirm": "on"})
    merge = PupilMerge.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("duplicates:merge_detail", args=[merge.pk])
    assert not Pupil.objects.filter(pk=cat.pk).exists()
    case.refresh_from_db()
    assert case.pupil_id == kat.pk
    detail = client.get(response["Location"]).content.decode()
    assert "Undo merge" in detail and "Parent confirmed." in detail
    assert "Can be undone" in client.get(reverse("duplicates:merges")).content.decode()

    undone = client.post(reverse("duplicates:merge_undo", args=[merge.pk]))
    assert undone.status_code == 302 and undone["Location"] == reverse("pupil_detail", args=[cat.pk])
    case.refresh_from_db()
    assert case.pupil_id == cat.pk
    again = client.post(reverse("duplicates:merge_undo", args=[merge.pk]), follow=True).content.decode()
    assert "already been undone" in again


def test_a_conflict_is_shown_not_a_server_error(world, client, kat_and_cat):
    kat, cat = kat_and_cat
    CaseFactory(pupil=kat)
    CaseFactory(pupil=cat)
    client.force_login(world.users["la_manager"])
    url = f"{reverse('duplicates:merge', args=[kat.pk])}?other={cat.pk}"
    page = client.get(url).content.decode()
    assert "These records cannot be merged yet" in page and "Merge these records" not in page
    response = client.post(url, {"reason": "Same.", "confirm": "on"})
    assert response.status_code == 200
    assert "only one is allowed" in response.content.decode()
    assert Pupil.objects.filter(pk=cat.pk).exists()


@pytest.mark.parametrize(("sounds_like", "found"), [("", False), ("yes", True)])
def test_sounds_like_search_on_the_pupil_list(world, client, kat_and_cat, sounds_like, found):
    kat, cat = kat_and_cat
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("pupil_list"), {"q": "Kathryn Smyth", "sounds_like": sounds_like}).content.decode()
    assert (reverse("pupil_detail", args=[kat.pk]) in page) is found
    assert "Include names that sound alike" in page


def test_sounds_like_search_stays_in_scope(world, client):
    twin_b = PupilFactory(legal_first_name="Benn", legal_last_name="Abel")
    client.force_login(world.users["school_a"])
    page = client.get(reverse("pupil_list"), {"q": "Ben", "sounds_like": "yes"}).content.decode()
    assert reverse("pupil_detail", args=[world.pupil_b.pk]) not in page
    assert reverse("pupil_detail", args=[twin_b.pk]) not in page


def test_the_scan_is_kept_for_a_few_minutes_and_can_be_run_again(world, client, kat_and_cat):
    client.force_login(world.users["la_officer"])
    assert "1 possible duplicate" in client.get(reverse("duplicates:list")).content.decode()
    PupilFactory(legal_first_name="Jon", legal_last_name="Smith", date_of_birth=D(2014, 6, 2))
    PupilFactory(legal_first_name="John", legal_last_name="Smith", date_of_birth=D(2014, 6, 2))
    assert "1 possible duplicate" in client.get(reverse("duplicates:list")).content.decode()  # the kept scan
    response = client.get(reverse("duplicates:list"), {"refresh": "1", "rule": "dob_name"})
    assert response.status_code == 302 and "refresh" not in response["Location"]
    assert "2 possible duplicates" in client.get(response["Location"]).content.decode()
