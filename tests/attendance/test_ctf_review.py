"""The CTF review queue: which pupils are held and why, each way of resolving them, who may see and resolve what, and
that a held pupil's marks are never lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schools.attendance.review import services
from schools.models import AttendanceSummary, AuditEvent, CtfReviewItem, Enrolment, Job, Pupil
from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml, import_ctf
from tests.factories import PupilFactory, spare_upn

pytestmark = pytest.mark.django_db
D = datetime.date
NEW_UPN = spare_upn(4321)
R = CtfReviewItem.Reason


def _amy(world, **changes) -> CtfPupilSpec:
    """pupil_a (Amy Able, born 27 Mar 2015, at school A) as a CTF describes her."""
    spec = CtfPupilSpec(upn=world.pupil_a.upn, surname="Able", forename="Amy", dob="2015-03-27",
                        school=world.school_a)
    for name, value in changes.items():
        setattr(spec, name, value)
    return spec


def _year(pupil):
    return AttendanceSummary.objects.filter(enrolment__pupil=pupil, term__isnull=True).first()


# --- Matching rules ------------------------------------------------------------------------------------------------


def test_a_pupil_whose_upn_and_details_agree_is_imported_not_held(world, terms, django_capture_on_commit_callbacks):
    # Accents, case, hyphens and a preferred name do not make a difference.
    spec = _amy(world, surname="ABLE", forename="amy")
    result = import_ctf(world.users["la_officer"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    assert result.marks_written == 10 and not CtfReviewItem.objects.exists()
    assert _year(world.pupil_a).unauthorised == 2


@pytest.mark.parametrize("changes, differing", [
    ({"dob": "2015-04-27"}, ["Date of birth"]),
    ({"surname": "Baker"}, ["Surname"]),
    ({"forename": "Zoe", "surname": "Zed"}, ["Surname", "Forename"]),
])
def test_a_known_upn_with_a_different_name_or_birth_date_is_held(world, terms, changes, differing,
                                                                   django_capture_on_commit_callbacks):
    result = import_ctf(world.users["la_officer"], ctf_xml([_amy(world, **changes)]),
                        capture=django_capture_on_commit_callbacks)
    item = CtfReviewItem.objects.get()
    assert (item.reason, item.candidate, item.status) == (R.DETAILS_DIFFER, world.pupil_a, "pending")
    assert [d["field"] for d in item.differences] == differing
    # Held, not written and not rejected: the pupil's summaries are untouched.
    assert (result.marks_written, result.rows_rejected, item.mark_count) == (0, 0, 10)
    assert _year(world.pupil_a) is None
    assert result.job.status == Job.Status.SUCCEEDED


def test_an_unknown_upn_is_held_with_every_mark(world, terms, django_capture_on_commit_callbacks):
    spec = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_a)
    import_ctf(world.users["la_officer"], ctf_xml([spec, _amy(world)]), capture=django_capture_on_commit_callbacks)
    item = CtfReviewItem.objects.get()
    assert (item.reason, item.candidate_id, item.upn, item.school) == (R.UNKNOWN_UPN, None, NEW_UPN, world.school_a)
    assert item.marks[4:6] == [[world.school_a.laestab, "2025-09-10", "AM", "N"],
                               [world.school_a.laestab, "2025-09-10", "PM", "N"]]
    assert (item.first_date, item.last_date) == (D(2025, 9, 8), D(2025, 9, 12))
    assert _year(world.pupil_a).possible == 10  # the matching pupil in the same file was imported


def test_matching_through_a_former_upn_is_never_automatic(world, terms, django_capture_on_commit_callbacks):
    old_upn = spare_upn(4400)
    Pupil.objects.filter(pk=world.pupil_a.pk).update(former_upn=old_upn)
    # The file's UPN is Amy's former UPN...
    import_ctf(world.users["la_officer"], ctf_xml([_amy(world, upn=old_upn)]),
               capture=django_capture_on_commit_callbacks)
    # ...or the file's former UPN is Amy's current UPN (the school gave her a new one).
    import_ctf(world.users["la_officer"], ctf_xml([_amy(world, upn=NEW_UPN, former_upn=world.pupil_a.upn)]),
               capture=django_capture_on_commit_callbacks)
    items = list(CtfReviewItem.objects.order_by("pk"))
    assert [(i.reason, i.candidate_id) for i in items] == [(R.FORMER_UPN, world.pupil_a.pk)] * 2
    assert _year(world.pupil_a) is None


def test_upn_and_former_upn_of_different_pupils_conflict(world, terms, django_capture_on_commit_callbacks):
    spec = _amy(world, former_upn=world.pupil_b.upn)
    import_ctf(world.users["la_officer"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    item = CtfReviewItem.objects.get()
    assert (item.reason, item.candidate) == (R.CONFLICTING_UPNS, world.pupil_a)


def test_marks_for_a_school_the_uploader_may_not_import_for_are_reported_not_held(
        world, terms, django_capture_on_commit_callbacks):
    spec = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_b)
    result = import_ctf(world.users["school_a"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    assert not CtfReviewItem.objects.exists()
    assert result.rows_rejected == 1
    assert "your own school" in result.issues_file.read().decode("utf-8-sig")


def test_import_nothing_policy_counts_an_unmatched_pupil_as_a_bad_row(world, terms,
                                                                      django_capture_on_commit_callbacks):
    spec = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_a)
    result = import_ctf(world.users["la_officer"], ctf_xml([_amy(world), spec]), bad_rows="reject_file",
                        capture=django_capture_on_commit_callbacks)
    assert result.job.status == Job.Status.FAILED and result.marks_written == 0
    assert not CtfReviewItem.objects.exists() and _year(world.pupil_a) is None
    report = result.issues_file.read().decode("utf-8-sig")
    assert NEW_UPN in report and "UPN not known" in report


def test_a_later_file_replaces_the_earlier_pending_item_and_keeps_its_marks(world, terms,
                                                                            django_capture_on_commit_callbacks):
    officer = world.users["la_officer"]
    first = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_a,
                         marks="NN/\\")  # Mon N N, Tue present
    later = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_a,
                         marks="/\\##L\\")  # Mon corrected to present, Tue not given, Wed late
    import_ctf(officer, ctf_xml([first]), capture=django_capture_on_commit_callbacks)
    import_ctf(officer, ctf_xml([later]), capture=django_capture_on_commit_callbacks)
    old, new = CtfReviewItem.objects.order_by("pk")
    assert (old.status, old.superseded_by_id, new.status) == ("superseded", new.pk, "pending")
    codes = {(day, session): code for _, day, session, code in new.marks}
    assert codes == {("2025-09-08", "AM"): "/", ("2025-09-08", "PM"): "\\", ("2025-09-09", "AM"): "/",
                     ("2025-09-09", "PM"): "\\", ("2025-09-10", "AM"): "L", ("2025-09-10", "PM"): "\\"}
    assert CtfReviewItem.objects.pending().count() == 1


# --- Resolving -----------------------------------------------------------------------------------------------------


@pytest.fixture
def held_new(world, terms, django_capture_on_commit_callbacks):
    spec = CtfPupilSpec(upn=NEW_UPN, surname="New", forename="Nia", dob="2015-01-02", school=world.school_a,
                        nc_year="5")
    import_ctf(world.users["school_a"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    return CtfReviewItem.objects.get()


def test_create_makes_the_pupil_and_enrolment_and_imports_the_held_marks(world, held_new):
    officer = world.users["la_officer"]
    defaults = services.create_defaults(held_new)
    assert (defaults["nc_year"], defaults["start_date"], defaults["sex"]) == (5, D(2025, 9, 8), "F")
    item = services.review_create(
        user=officer, item=held_new, version=held_new.version, start_date=D(2025, 9, 3), nc_year=5,
        **{k: defaults[k] for k in services.PUPIL_FIELDS_FROM_FORM})
    pupil = Pupil.objects.get(upn=NEW_UPN)
    assert (item.status, item.pupil, item.resolved_by, item.marks_written) == ("created", pupil, officer, 10)
    assert Enrolment.objects.get(pupil=pupil).school == world.school_a
    assert _year(pupil).unauthorised == 2
    assert held_new.attendance_import.__class__.objects.get(pk=held_new.attendance_import_id).marks_written == 10
    assert AuditEvent.objects.filter(object_type="schools.CtfReviewItem", object_id=str(item.pk),
                                     action="update", pupil_id=pupil.pk).exists()


def test_match_can_take_the_files_upn_and_add_the_enrolment(world, held_new):
    officer = world.users["la_officer"]
    moved = world.moved  # left school A in 2024: not on its roll in 2025
    old_upn = moved.upn
    with pytest.raises(ValidationError, match="None of the held marks could be imported"):
        services.review_match(user=officer, item=held_new, version=held_new.version, pupil=moved)
    item = services.review_match(user=officer, item=held_new, version=held_new.version, pupil=moved,
                                 take_file_upn=True, add_enrolment=True, start_date=D(2025, 9, 3), nc_year=5,
                                 note="Same child: the school issued a new UPN.")
    moved.refresh_from_db()
    assert (moved.upn, moved.former_upn) == (NEW_UPN, old_upn)
    assert (item.status, item.pupil, item.marks_written) == ("matched", moved, 10)
    assert _year(moved).possible == 10


def test_reject_needs_a_reason_keeps_the_marks_and_imports_nothing(world, held_new):
    officer = world.users["la_officer"]
    with pytest.raises(ValidationError):
        services.review_reject(user=officer, item=held_new, version=held_new.version, note=" ")
    item = services.review_reject(user=officer, item=held_new, version=held_new.version, note="Not our pupil.")
    assert (item.status, item.mark_count, item.marks_written) == ("rejected", 10, 0)
    assert not Pupil.objects.filter(upn=NEW_UPN).exists()


def test_a_stale_or_already_resolved_item_is_refused(world, held_new):
    officer = world.users["la_officer"]
    with pytest.raises(ValidationError, match="changed this item"):
        services.review_reject(user=officer, item=held_new, version=held_new.version + 1, note="x")
    services.review_reject(user=officer, item=held_new, version=held_new.version, note="x")
    with pytest.raises(ValidationError, match="already been dealt with"):
        services.review_match(user=officer, item=held_new, version=held_new.version, pupil=world.pupil_a)


def test_school_users_and_legal_officers_cannot_resolve(world, held_new):
    for role in ("school_a", "legal_officer"):
        with pytest.raises(PermissionDenied):
            services.review_reject(user=world.users[role], item=held_new, version=held_new.version, note="x")
    assert CtfReviewItem.objects.get().is_pending


def test_creating_a_pupil_whose_upn_exists_is_refused(world, held_new):
    PupilFactory(upn=NEW_UPN)
    with pytest.raises(ValidationError, match="match the item to that pupil"):
        services.review_create(user=world.users["la_officer"], item=held_new, version=held_new.version,
                               start_date=D(2025, 9, 3), nc_year=5, legal_first_name="Nia",
                               legal_last_name="New", date_of_birth=D(2015, 1, 2), sex="F")


# --- Pages: scope, audit and the forms ---------------------------------------------------------------------------


def test_school_user_sees_their_own_uploads_items_read_only(world, held_new, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("ctf_review_list")).content.decode()
    assert "New, Nia" in page and "an LA officer matches them" in page
    detail = client.get(reverse("ctf_review_detail", args=[held_new.pk])).content.decode()
    assert "Waiting for an LA officer" in detail and "Match to a pupil" not in detail
    assert client.get(reverse("ctf_review_match", args=[held_new.pk])).status_code == 403
    client.force_login(world.users["school_b"])
    assert "New, Nia" not in client.get(reverse("ctf_review_list")).content.decode()
    assert client.get(reverse("ctf_review_detail", args=[held_new.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="view", object_type="schools.CtfReviewItem",
                                     username="school_a").exists()


def test_a_school_user_never_sees_the_candidate_of_another_school(world, terms, client,
                                                                   django_capture_on_commit_callbacks):
    # School A sends a file naming Ben (school B's pupil) under his UPN with other details.
    spec = CtfPupilSpec(upn=world.pupil_b.upn, surname="Other", forename="Olly", dob="2014-02-02",
                        school=world.school_a)
    import_ctf(world.users["school_a"], ctf_xml([spec]), capture=django_capture_on_commit_callbacks)
    item = CtfReviewItem.objects.get()
    client.force_login(world.users["school_a"])
    page = client.get(reverse("ctf_review_detail", args=[item.pk])).content.decode()
    assert "Ben" not in page and "2012" not in page and 'data-testid="candidate"' not in page
    api = client.get(f"/api/attendance/ctf-review/{item.pk}/").json()
    assert api["candidate"] is None and api["differences"] == []
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("ctf_review_detail", args=[item.pk])).content.decode()
    assert "Ben" in page and 'data-testid="candidate"' in page


def test_officer_resolves_through_the_pages(world, held_new, client):
    client.force_login(world.users["la_officer"])
    match = client.get(reverse("ctf_review_match", args=[held_new.pk]), {"q": "Able"}).content.decode()
    assert "Able, Amy" in match and "Able, Ben" in match
    response = client.post(reverse("ctf_review_match", args=[held_new.pk]) + "?q=Able",
                           {"version": held_new.version, "pupil": world.pupil_a.pk, "note": ""})
    assert response.status_code == 302
    item = CtfReviewItem.objects.get()
    assert (item.status, item.pupil_id, item.marks_written) == ("matched", world.pupil_a.pk, 10)
    detail = client.get(response["Location"]).content.decode()
    assert "10 written" in detail


def test_the_create_form_is_prefilled_from_the_file_and_shows_service_errors(world, held_new, client):
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("ctf_review_create", args=[held_new.pk])).content.decode()
    assert 'value="Nia"' in page and 'value="New"' in page
    response = client.post(reverse("ctf_review_create", args=[held_new.pk]), {
        "version": held_new.version, "legal_first_name": "Nia", "legal_last_name": "New",
        "date_of_birth_0": "2", "date_of_birth_1": "1", "date_of_birth_2": "2015", "sex": "F", "ethnicity": "WBRI",
        "sen_status": "N", "start_date_0": "3", "start_date_1": "9", "start_date_2": "2025", "nc_year": "5"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CtfReviewItem.objects.get().status == "created"


def test_reject_form_requires_a_reason(world, held_new, client):
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("ctf_review_reject", args=[held_new.pk]), {"version": held_new.version})
    assert response.status_code == 200 and "Say why this pupil is rejected" in response.content.decode()
    assert CtfReviewItem.objects.get().is_pending


def test_the_import_page_lists_the_held_pupils(world, held_new, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("attendance_import_detail", args=[held_new.attendance_import_id])).content.decode()
    assert 'data-testid="held-count">1 pupil' in page and "New, Nia" in page


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_lists_and_resolves_with_the_version(world, held_new, client):
    client.force_login(world.users["la_officer"])
    listed = client.get("/api/attendance/ctf-review/").json()
    assert [row["upn"] for row in listed["results"]] == [NEW_UPN]
    url = f"/api/attendance/ctf-review/{held_new.pk}/"
    stale = client.post(url + "reject/", {"version": 99, "note": "x"}, content_type="application/json")
    assert stale.status_code == 400
    created = client.post(url + "create-pupil/", {"version": held_new.version, "start_date": "2025-09-03"},
                          content_type="application/json")
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["status"] == "created" and body["marks_written"] == 10
    assert client.get("/api/attendance/ctf-review/").json()["results"] == []  # pending only by default
    assert len(client.get("/api/attendance/ctf-review/", {"status": "all"}).json()["results"]) == 1


def test_api_refuses_resolution_to_school_users_and_hides_other_schools_items(world, held_new, client):
    client.force_login(world.users["school_a"])
    url = f"/api/attendance/ctf-review/{held_new.pk}/"
    assert client.get(url).status_code == 200
    assert client.post(url + "reject/", {"version": 1, "note": "x"},
                       content_type="application/json").status_code == 403
    client.force_login(world.users["school_b"])
    assert client.get(url).status_code == 404
    assert client.get("/api/attendance/ctf-review/").json()["results"] == []
