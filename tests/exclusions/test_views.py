"""The pages and API as a user meets them: forms put the rules' messages at the field and save nothing on error,
the pupil's Exclusions tab, deadlines on the detail page, the LA registers, CNIS behind its setting."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from schools.exclusions import services
from schools.models import AuditEvent, Exclusion

pytestmark = pytest.mark.django_db
D = datetime.date


def _date(prefix: str, day: datetime.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _form(calendar, **overrides) -> dict:
    data = {"school": calendar.school_a.pk, "kind": "suspension", **_date("start_date", D(2025, 11, 3)),
            "start_session": "am", "length_sessions": 4, "reasons": ["PA"], "description": "Hit a teacher."}
    data.update(overrides)
    return data


def test_school_lead_records_a_suspension_and_sees_its_deadlines(calendar, client):
    client.force_login(calendar.users["school_a"])
    response = client.post(reverse("exclusion_create", args=[calendar.pupil_a.pk]),
                           _form(calendar, length_sessions=12, **_date("la_notified_on", D(2025, 11, 3))))
    exclusion = Exclusion.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exclusion_detail", args=[exclusion.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Full-time education from the 6th school day (school arranges)" in page
    assert "Monday 10 November 2025" in page  # 3-7 Nov are days 1-5: the 6th school day is Monday 10 Nov
    assert exclusion.la_notified_on == D(2025, 11, 3)


@pytest.mark.parametrize("overrides, field_id, message", [
    ({"start_date_0": 8}, "start_date", "Saturday 8 November 2025 is not a school day"),
    ({"reasons": ["PA", "VA", "DB", "DM"]}, "reasons", "Choose up to 3 reasons"),
    ({"length_sessions": ""}, "length_sessions", "Enter the length in sessions"),
])
def test_bad_input_is_shown_at_the_field_and_nothing_saved(calendar, client, overrides, field_id, message):
    client.force_login(calendar.users["school_a"])
    response = client.post(reverse("exclusion_create", args=[calendar.pupil_a.pk]), _form(calendar, **overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field_id}' in page  # the error summary links to the field
    assert not Exclusion.objects.exists() and not AuditEvent.objects.filter(action="create").exists()


def test_overlap_and_the_cap_through_the_form(calendar, client, record):
    record(start_date=D(2025, 11, 3), length_sessions=60)
    record(start_date=D(2026, 1, 5), length_sessions=28)
    client.force_login(calendar.users["school_a"])
    overlap = client.post(reverse("exclusion_create", args=[calendar.pupil_a.pk]), _form(calendar))
    assert "This overlaps the pupil&#x27;s suspension from 3 November 2025" in overlap.content.decode()
    over_cap = client.post(reverse("exclusion_create", args=[calendar.pupil_a.pk]),
                           _form(calendar, **_date("start_date", D(2026, 3, 2)), length_sessions=4))
    assert "the limit is 45 school days in a school year" in over_cap.content.decode()
    assert Exclusion.objects.count() == 2
    # 44 days: the next one that fits is recorded, with a warning that the limit is near.
    ok = client.post(reverse("exclusion_create", args=[calendar.pupil_a.pk]),
                     _form(calendar, **_date("start_date", D(2026, 3, 2)), length_sessions=2), follow=True)
    assert "has been suspended for 45 school days in 2025/26" in ok.content.decode()


def test_pupil_tab_lists_exclusions_and_the_years_total(calendar, client, record):
    record(start_date=D(2026, 9, 7), length_sessions=6, reasons=["VA", "DB"])
    client.force_login(calendar.users["la_officer"])
    page = client.get(reverse("pupil_exclusions", args=[calendar.pupil_a.pk])).content.decode()
    assert 'aria-current="page">Exclusions</a>' in page
    assert "Suspended for <strong>3</strong> of 45 school days in 2026/27" in page
    assert "VA, DB" in page and "Refer to Fair Access" in page


def test_cancel_and_review_pages(calendar, client, record):
    e = record(kind="permanent", start_date=D(2025, 12, 11), length_sessions=None)
    client.force_login(calendar.users["school_a"])
    response = client.post(reverse("exclusion_review", args=[e.pk]), {
        **_date("board_met_on", D(2026, 1, 14)), "board_decision": "upheld",
        **_date("board_decision_notified_on", D(2026, 1, 19))})
    assert response.status_code == 302
    page = client.get(reverse("exclusion_detail", args=[e.pk])).content.decode()
    assert "Monday 9 February 2026" in page  # the parents' 15 school days to apply
    # The board has met: cancelling is no longer offered, and refused if tried.
    assert reverse("exclusion_cancel", args=[e.pk]) not in page
    refused = client.post(reverse("exclusion_cancel", args=[e.pk]), {**_date("cancelled_on", D(2026, 1, 20)),
                                                                      "reason": "Rethink"})
    assert "before the governing board meets" in refused.content.decode()


def test_day6_dashboard_lists_missing_provision_then_provision_is_recorded(calendar, client, record):
    e = record(kind="permanent", start_date=D(2026, 11, 10), length_sessions=None)
    client.force_login(calendar.users["la_officer"])
    page = client.get(reverse("day6_dashboard")).content.decode()
    missed = page.split('data-testid="day6-missed"')[1].split("</table>")[0]
    assert calendar.pupil_a.upn in missed  # day 6 was 17 Nov 2026; "today" is later
    response = client.post(reverse("placement_create", args=[calendar.pupil_a.pk]) + f"?exclusion={e.pk}", {
        "arranged_by": "la", "provider_kind": "other", "provider_name": "Tuition service", "hours_per_week": "25",
        **_date("start_date", D(2026, 11, 17))})
    assert response.status_code == 302
    page = client.get(reverse("day6_dashboard")).content.decode()
    in_place = page.split('data-testid="day6-in-place"')[1].split("</table>")[0]
    assert calendar.pupil_a.upn in in_place


def test_api_records_an_exclusion_and_answers_bad_input_at_the_field(calendar, client):
    client.force_login(calendar.users["school_a"])
    payload = {"pupil": calendar.pupil_a.pk, "school": calendar.school_a.pk, "kind": "suspension",
               "start_date": "2025-11-03", "length_sessions": 2, "reasons": ["PA"]}
    created = client.post("/api/exclusions/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert {d["key"] for d in created.json()["deadlines"]} == set()
    bad = client.post("/api/exclusions/", {**payload, "start_date": "2025-11-04", "reasons": ["PA", "VA", "DB", "TH"]},
                      content_type="application/json")
    assert bad.status_code == 400 and "Choose up to 3 reasons" in bad.json()["reasons"][0]
    other = client.post("/api/exclusions/", {**payload, "pupil": calendar.pupil_b.pk},
                        content_type="application/json")
    assert other.status_code == 400 and "pupil" in other.json()  # out of scope: "does not exist"
    assert Exclusion.objects.count() == 1
    assert client.post("/api/exclusions/", payload, content_type="application/json").status_code == 400


def test_legal_officers_read_but_do_not_record(calendar, client):
    client.force_login(calendar.users["legal_officer"])
    response = client.post("/api/exclusions/", {}, content_type="application/json")
    assert response.status_code == 403


def test_cnis_register_pages_appear_when_enabled(calendar, client, settings):
    client.force_login(calendar.users["la_officer"])
    assert client.get(reverse("cnis_list")).status_code == 404
    settings.CNIS_REGISTER_ENABLED = True
    assert "Children not in school" in client.get(reverse("exclusion_list")).content.decode()
    response = client.post(reverse("cnis_create"), {
        "child_name": "Robin Home", "category": "not_registered", "parent_names": "Sam Home",
        **_date("registered_on", D(2026, 9, 1))})
    assert response.status_code == 302
    assert "Robin Home" in client.get(reverse("cnis_list")).content.decode()


def test_cme_register_flow(calendar, client):
    client.force_login(calendar.users["la_officer"])
    response = client.post(reverse("cme_create"), {"upn": calendar.pupil_b.upn, "reason": "absent_10",
                                                   **_date("referred_on", D(2026, 10, 5))})
    assert response.status_code == 302
    detail = response["Location"]
    client.post(detail, {**_date("made_on", D(2026, 10, 6)), "method": "home_visit", "result": "Seen at home."})
    page = client.get(detail).content.decode()
    assert "Seen at home." in page and calendar.pupil_b.upn in page


def test_fair_access_list_bands_days_without_a_placement(calendar, client):
    officer = calendar.users["la_officer"]
    services.fair_access_refer(user=officer, pupil=calendar.pupil_b, category="no_place", referred_on=D(2026, 6, 1),
                               out_of_school_since=D(2026, 5, 11))
    client.force_login(officer)
    page = client.get(reverse("fair_access_list")).content.decode()
    # 11 May-22 Jul 2026: 48 school days (half term 25-29 May); 2 Sep-23 Nov 2026 ("today"): 54 (half term
    # 26-30 Oct). 102 in all.
    assert '102 <strong class="govuk-tag govuk-tag--red">100+</strong>' in page
    services.fair_access_refer(user=officer, pupil=calendar.pupil_a, category="excluded", referred_on=D(2026, 11, 2),
                               out_of_school_since=D(2026, 9, 21))  # 21 Sep-23 Nov: 41 school days
    banded = client.get(reverse("fair_access_list"), {"band": "100"}).content.decode()
    assert calendar.pupil_b.upn in banded and calendar.pupil_a.upn not in banded
    banded = client.get(reverse("fair_access_list"), {"band": "38"}).content.decode()
    assert calendar.pupil_b.upn in banded and calendar.pupil_a.upn in banded
    assert '41 <strong class="govuk-tag govuk-tag--yellow">38+</strong>' in banded


@pytest.mark.parametrize("value", ["abc", "1.5", "-", "99999999999999999999999"])
def test_placement_page_answers_404_for_a_malformed_exclusion_id(calendar, client, value):
    client.force_login(calendar.users["la_officer"])
    response = client.get(reverse("placement_create", args=[calendar.pupil_a.pk]), {"exclusion": value})
    assert response.status_code == 404


def test_a_cancelled_exclusion_takes_no_reintegration_plan(calendar, client, record):
    e = record()
    services.exclusion_cancel(user=calendar.users["school_a"], exclusion=e, cancelled_on=D(2025, 11, 3),
                              reason="Entered in error")
    client.force_login(calendar.users["school_a"])
    url = reverse("exclusion_reintegration", args=[e.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"plan": "Phased return"}).status_code == 404
    assert Exclusion.objects.get(pk=e.pk).reintegration_plan == ""


def test_a_managed_moves_outcome_is_recorded_once(calendar, client):
    from schools.models import ManagedMove

    lead = calendar.users["school_a"]
    move = services.managed_move_record(user=lead, pupil=calendar.pupil_a, from_school=calendar.school_a,
                                        to_school=calendar.school_b, agreed_on=D(2026, 9, 14),
                                        start_date=D(2026, 9, 14))
    client.force_login(lead)
    url = reverse("managed_move_outcome", args=[move.pk])
    assert client.post(url, {"outcome": "transferred", **_date("outcome_on", D(2026, 11, 2))}).status_code == 302
    again = client.post(url, {"outcome": "broke_down", **_date("outcome_on", D(2026, 11, 3))})
    assert again.status_code == 404
    assert ManagedMove.objects.get(pk=move.pk).outcome == "transferred"
