"""The pages: forms post through to the services, bad input comes back at the field with nothing saved, a stale form
says so, and the lists filter and sort."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, ChronologyEntry, Referral, Review, StageChange, Task
from cases.uploads import MAX_ATTACHMENT_BYTES
from schools.stages import Stage
from tests.cases.fixtures import OPEN_DATE, pdf_upload

pytestmark = pytest.mark.django_db


def date_fields(name: str, value: datetime.date) -> dict:
    return {f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year}


def _referral_post(world, **overrides):
    data = {"pupil": world.pupil_a.upn, "school": world.school_a.pk, "case_type": "attendance",
            "reasons": ["irregular"], "concerns": "Absent most Mondays since October.",
            "tried_parent_contact": "Letters and a meeting."}
    data.update(overrides)
    return data


def test_school_user_refers_from_the_pupils_cases_tab(world, client):
    client.force_login(world.users["school_a"])
    tab = client.get(reverse("cases:pupil_cases", args=[world.pupil_a.pk])).content.decode()
    link = f'{reverse("cases:referral_create")}?pupil={world.pupil_a.pk}'
    assert link in tab
    form = client.get(link).content.decode()
    assert f'value="{world.pupil_a.upn}"' in form
    response = client.post(reverse("cases:referral_create"), {**_referral_post(world), "attachments": [pdf_upload()]})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:referral_detail",
                                                                            args=[referral.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting triage" in page and "letter.pdf" in page


@pytest.mark.parametrize("upn_of, message", [
    ("moved", "is not on Alpha Primary&#x27;s roll today"),
    ("pupil_b", "No pupil you can see has this UPN"),
])
def test_referral_page_refuses_a_pupil_not_on_the_roll(upn_of, message, world, client):
    client.force_login(world.users["school_a"])
    response = client.post(reverse("cases:referral_create"),
                           _referral_post(world, pupil=getattr(world, upn_of).upn))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "govuk-error-summary" in page
    assert not Referral.objects.exists()


@pytest.mark.parametrize("name, body, message", [
    ("huge.pdf", b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES, "10.0\xa0MB or smaller"),
    ("macro.exe", b"MZ\x90\x00", "is not an allowed type"),
])
def test_referral_page_refuses_a_bad_attachment(name, body, message, world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users["school_a"])
    response = client.post(reverse("cases:referral_create"),
                           {**_referral_post(world), "attachments": [SimpleUploadedFile(name, body)]})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Referral.objects.exists() and not any(tmp_path.rglob("*.*"))


def test_manager_declines_and_the_school_sees_why(world, client):
    client.force_login(world.users["school_a"])
    client.post(reverse("cases:referral_create"), _referral_post(world))
    referral = Referral.objects.get()
    client.force_login(world.users["la_manager"])
    triage = reverse("cases:referral_triage", args=[referral.pk])
    missing = client.post(triage, {"decision": "decline", "decline_reason": "", "version": referral.version})
    assert "Enter why the referral is declined" in missing.content.decode()
    client.post(triage, {"decision": "decline", "decline_reason": "Continue stage 1 actions first.",
                         "version": referral.version})
    client.force_login(world.users["school_a"])
    page = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert "Declined" in page and "Continue stage 1 actions first." in page
    my_work = client.get(reverse("cases:my_work")).content.decode()
    assert "Continue stage 1 actions first." in my_work


def test_manager_accepts_and_allocates_in_one_step(world, client):
    client.force_login(world.users["school_a"])
    client.post(reverse("cases:referral_create"), _referral_post(world))
    referral = Referral.objects.get()
    client.force_login(world.users["la_manager"])
    response = client.post(reverse("cases:referral_triage", args=[referral.pk]), {
        "decision": "accept", "stage": Stage.EARLY_INTERVENTION, "officer": world.users["la_officer"].pk,
        "version": referral.version})
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.officer == world.users["la_officer"] and case.status == Case.Status.OPEN


def test_stale_form_says_so_and_saves_nothing(cases_world, world, client):
    case = cases_world.case_b
    client.force_login(world.users["la_officer"])
    form = client.get(reverse("cases:stage", args=[case.pk])).content.decode()
    assert f'name="version" value="{case.version}"' in form
    # Meanwhile the manager reallocates the case, saving a new version.
    client.force_login(world.users["la_manager"])
    client.post(reverse("cases:edit", args=[case.pk]), {
        "summary": "Manager's wording", "lead_practitioner": "la", "review_interval_weeks": 4,
        "version": case.version})
    client.force_login(world.users["la_officer"])
    changes = StageChange.objects.count()
    response = client.post(reverse("cases:stage", args=[case.pk]), {
        "stage": Stage.TARGETED_SUPPORT, "reason": "Below 80%", "version": case.version,
        **date_fields("changed_on", datetime.date(2026, 11, 20))}, follow=True)
    page = response.content.decode()
    assert "Someone else saved changes to this case while you were editing it" in page
    case.refresh_from_db()
    assert case.stage == Stage.EARLY_INTERVENTION and case.summary == "Manager's wording"
    assert StageChange.objects.count() == changes


def test_allocating_to_a_non_officer_is_refused_at_the_field(cases_world, world, client):
    case = cases_world.case_b
    client.force_login(world.users["la_manager"])
    form = client.get(reverse("cases:allocate", args=[case.pk])).content.decode()
    assert "of 20 cases" in form
    response = client.post(reverse("cases:allocate", args=[case.pk]), {
        "officer": world.users["legal_officer"].pk, "version": case.version})
    assert "legal_officer is not an LA officer, so cannot hold cases" in response.content.decode()
    case.refresh_from_db()
    assert case.officer == world.users["la_officer"]


def test_review_before_the_case_opened_is_refused_on_the_page(cases_world, world, client):
    case = cases_world.case_a
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("cases:review_add", args=[case.pk]), {
        **date_fields("held_on", OPEN_DATE - datetime.timedelta(days=10)), "progress": "x", "decision": "continue"})
    assert "The review date cannot be before the case opened on 14 September 2026." in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_officer_adds_a_restricted_note_with_an_attachment(cases_world, world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = cases_world.case_a
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("cases:entry_add", args=[case.pk]), {
        "entry_type": "home_visit", "meeting_type": "", **date_fields("occurred_on", datetime.date(2026, 11, 18)),
        "summary": "Home visit: no answer", "restriction": "medical", "attachments": [pdf_upload("card.pdf")]})
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(summary="Home visit: no answer")
    assert entry.restriction == "medical" and entry.attachments.get().original_name == "card.pdf"
    download = client.get(reverse("cases:attachment", args=[entry.attachments.get().pk]))
    assert download["Content-Disposition"].startswith("attachment;") and download["X-Content-Type-Options"] == \
        "nosniff"
    client.force_login(world.users["school_a"])
    assert "Home visit: no answer" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_officer_of_another_case_cannot_open_its_forms(cases_world, world, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="la_officer"))
    for name in ("cases:stage", "cases:entry_add", "cases:close", "interventions:plan_add"):
        assert client.get(reverse(name, args=[cases_world.case_b.pk])).status_code == 403, name
    assert client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).status_code == 200


def test_task_marked_done_from_my_work(cases_world, world, client):
    task = cases_world.task_b
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:my_work")).content.decode()
    assert "Visit home" in page and reverse("cases:task_complete", args=[task.pk]) in page
    response = client.post(reverse("cases:task_complete", args=[task.pk]), {"next": reverse("cases:my_work")})
    assert response["Location"] == reverse("cases:my_work")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    client.force_login(world.users["school_a"])
    assert client.post(reverse("cases:task_complete", args=[task.pk])).status_code == 404


def test_case_list_filters_sorts_and_shows_selected_filters(cases_world, world, client):
    client.force_login(world.users["la_manager"])
    filtered = client.get(reverse("cases:list"), {"school": world.school_b.pk}).content.decode()
    assert cases_world.case_b.reference in filtered and cases_world.case_a.reference not in filtered
    assert "Remove this filter" in filtered and "Beta Academy" in filtered
    by_name = client.get(reverse("cases:list"), {"sort": "name"}).content.decode()
    assert 'aria-sort="ascending"' in by_name
    by_ref = client.get(reverse("cases:list"), {"q": cases_world.case_a.reference}).content.decode()
    assert cases_world.case_a.reference in by_ref and cases_world.case_b.reference not in by_ref
    overdue = client.get(reverse("cases:list"), {"overdue": "true"}).content.decode()
    # case_a's first review (26 October) passed without one; case_b was reviewed on 2 November.
    assert cases_world.case_a.reference in overdue and cases_world.case_b.reference not in overdue
    api = client.get("/api/cases/", {"stage": Stage.EARLY_INTERVENTION, "sort": "-opened"}).json()
    assert {row["reference"] for row in api["results"]} == {cases_world.case_a.reference,
                                                              cases_world.case_b.reference}


def test_team_view_warns_when_an_officer_is_over_the_limit(cases_world, world, client):
    from cases.models import CaseworkPolicy

    CaseworkPolicy.objects.create(caseload_limit=1)
    client.force_login(world.users["la_manager"])
    page = client.get(reverse("cases:team")).content.decode()
    assert "Over limit" in page and cases_world.referral_b.reference in page
    assert "The LA caseload limit is 1 open cases" in page
    response = client.post(reverse("cases:allocate", args=[cases_world.case_b.pk]), {
        "officer": world.users["la_officer"].pk, "version": cases_world.case_b.version})
    assert "already allocated" in response.content.decode()


def test_pupil_profile_has_a_cases_tab(world, client):
    client.force_login(world.users["school_a"])
    page = client.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert f'href="{reverse("cases:pupil_cases", args=[world.pupil_a.pk])}"' in page


def test_siblings_show_on_the_case_with_a_link_to_open_a_linked_case(cases_world, world, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("cases:detail", args=[cases_world.case_a.pk])).content.decode()
    assert "Ben Able" in page and "Beta Academy" in page and cases_world.case_b.reference in page
    link = f'{reverse("cases:open")}?pupil={world.pupil_b.pk}&amp;linked={cases_world.case_a.pk}'
    assert link in page
    response = client.post(link.replace("&amp;", "&"), {
        "case_type": "behaviour", "stage": Stage.EARLY_INTERVENTION, "summary": "Sibling also struggling",
        "lead_practitioner": "school", **date_fields("opened_on", datetime.date(2026, 11, 2))})
    new = Case.objects.get(pupil=world.pupil_b, case_type="behaviour")
    assert response["Location"] == reverse("cases:detail", args=[new.pk])
    assert list(new.linked_cases.all()) == [cases_world.case_a] and new.officer == world.users["la_officer"]
    assert "was opened for Ben Able" in client.get(response["Location"]).content.decode()  # the message is shown
    client.force_login(world.users["school_a"])
    school_view = client.get(reverse("cases:detail", args=[cases_world.case_a.pk])).content.decode()
    assert "Ben Able" not in school_view and new.reference not in school_view


@pytest.mark.parametrize("params", [{"pupil": "²"}, {"pupil": "1" * 5000}, {"pupil": "١"}, {"pupil": "-1"},
                                    {"pupil": "PUPIL", "linked": "²"}, {"pupil": "PUPIL", "linked": "1e3"}])
def test_case_open_treats_a_malformed_id_as_missing(params, cases_world, world, client):
    client.force_login(world.users["la_manager"])
    params = {k: str(world.pupil_b.pk) if v == "PUPIL" else v for k, v in params.items()}
    response = client.get(reverse("cases:open"), params)
    if "linked" in params:
        assert response.status_code == 200 and b"Linked to" not in response.content
    else:
        assert response.status_code == 302 and response["Location"] == reverse("pupil_list")


@pytest.mark.parametrize("value", ["²", "1" * 5000, "1e3"])
def test_malformed_ids_in_links_are_not_server_errors(value, cases_world, world, client):
    client.force_login(world.users["school_b"])
    assert client.get(reverse("cases:referral_create"), {"pupil": value}).status_code == 200
    client.force_login(world.users["la_officer"])
    plan_add = reverse("interventions:plan_add", args=[cases_world.case_b.pk])
    assert client.get(plan_add, {"intervention": value}).status_code == 200
    for url in (reverse("cases:list"), "/api/cases/"):
        assert client.get(url, {"q": f"CASE-{value}"}).status_code == 200
