"""Issue 5 through the API for each role: record (bad input at the field, nothing saved), cancel with a reason, the
board and independent review, the reintegration plan (opening a case), reminders, a pupil's suspended days against
the 45-day limit, part-time timetable reviews and flags, and a managed move's outcome. Out-of-scope rows are 404,
a role without the capability 403."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Case
from schools.exclusions import services
from schools.models import AuditEvent, Exclusion, ManagedMove, PartTimeReview
from tests.exclusions.fixtures import make_school_b_records

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def b_records(calendar):
    return make_school_b_records(calendar)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("user, change, field, words", [
    # The LA may record for any school, but not for a pupil who is not on that school's roll.
    ("la_officer", {"pupil": "pupil_a"}, "start_date", "Amy Able was not on Beta Academy's roll on 23 November 2026"),
    ("school_b", {"start_date": "2026-11-07"}, "start_date", "Saturday 7 November 2026 is not a school day"),
    ("school_b", {"start_date": "2026-11-10"}, "start_date", "overlaps the pupil's suspension from 9 November 2026"),
    ("school_b", {"reasons": ["PA", "VA", "DB", "TH"]}, "reasons", "Choose up to 3 reasons"),
    ("school_b", {"length_sessions": 80}, "length_sessions", "the limit is 45 school days in a school year"),
])
def test_bad_input_through_the_api_is_answered_at_the_field_and_nothing_saved(user, change, field, words, b_records,
                                                                             calendar, client):
    payload = {"pupil": calendar.pupil_b.pk, "school": calendar.school_b.pk, "kind": "suspension",
               "start_date": "2026-11-23", "length_sessions": 2, "reasons": ["PA"], **change}
    if payload["pupil"] == "pupil_a":
        payload["pupil"] = calendar.pupil_a.pk
    counts = (Exclusion.objects.count(), AuditEvent.objects.count())
    client.force_login(calendar.users[user])
    response = _post(client, "/api/exclusions/", payload)
    assert response.status_code == 400, response.content
    assert words in " ".join(response.json()[field])
    assert (Exclusion.objects.count(), AuditEvent.objects.count()) == counts


def test_cancel_with_a_reason_through_the_api(b_records, calendar, client):
    exclusion = b_records["exclusion"]
    url = f"/api/exclusions/{exclusion.pk}/cancel/"
    client.force_login(calendar.users["school_a"])
    assert _post(client, url, {"cancelled_on": "2026-11-20", "reason": "x"}).status_code == 404
    client.force_login(calendar.users["legal_officer"])
    assert _post(client, url, {"cancelled_on": "2026-11-20", "reason": "x"}).status_code == 403
    client.force_login(calendar.users["school_b"])
    audits = AuditEvent.objects.count()
    refused = _post(client, url, {"cancelled_on": "2026-11-20", "reason": "  "})
    assert refused.status_code == 400 and "Say why the exclusion is cancelled" in refused.json()["reason"][0]
    assert AuditEvent.objects.count() == audits and not Exclusion.objects.get(pk=exclusion.pk).is_cancelled
    done = _post(client, url, {"cancelled_on": "2026-11-20", "reason": "Head reconsidered the evidence"})
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["cancelled_on"], body["cancellation_reason"], body["deadlines"]) == (
        "2026-11-20", "Head reconsidered the evidence", [])
    assert AuditEvent.objects.filter(object_type="schools.Exclusion", object_id=str(exclusion.pk), action="update",
                                     username="school_b").exists()


def test_board_and_independent_review_through_the_api(calendar, client):
    client.force_login(calendar.users["school_a"])
    created = _post(client, "/api/exclusions/", {
        "pupil": calendar.pupil_a.pk, "school": calendar.school_a.pk, "kind": "permanent",
        "start_date": "2025-12-11", "reasons": ["PA"]}).json()
    url = f"/api/exclusions/{created['id']}/review/"
    early = _post(client, url, {"irp_applied_on": "2026-01-20"})
    assert early.status_code == 400 and "once the board declines to reinstate" in early.json()["irp_applied_on"][0]
    board = _post(client, url, {"board_met_on": "2026-01-14", "board_decision": "upheld",
                                "board_decision_notified_on": "2026-01-19"})
    assert board.status_code == 200, board.content
    deadlines = {d["key"]: d for d in board.json()["deadlines"]}
    assert deadlines["board"]["status"] == "done"
    assert deadlines["irp_application"]["due"] == "2026-02-09"  # 15 school days from 19 Jan (test_deadlines)
    applied = _post(client, url, {"irp_applied_on": "2026-02-06"}).json()
    assert applied["irp_meeting_due"] == "2026-03-06" and applied["board_met_on"] == "2026-01-14"


def test_reintegration_plan_through_the_api_opens_a_case(b_records, calendar, client):
    exclusion = b_records["exclusion"]
    client.force_login(calendar.users["school_b"])
    url = f"/api/exclusions/{exclusion.pk}/reintegration/"
    assert _post(client, url, {"plan": " "}).json()["plan"] == ["Describe the reintegration plan."]
    response = _post(client, url, {"plan": "Phased return with a mentor", "meeting_on": "2026-11-17"})
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=response.json()["reintegration_case_id"])
    assert (case.pupil, case.case_type, case.status) == (calendar.pupil_b, "reintegration", "referred")


@pytest.mark.parametrize("role, sees", [("la_officer", True), ("school_b", True), ("school_a", False)])
def test_reminders_through_the_api_are_scoped(role, sees, b_records, calendar, client):
    services.exclusion_record(user=calendar.users["school_b"], pupil=calendar.pupil_b, school=calendar.school_b,
                              kind="permanent", start_date=D(2026, 11, 17), reasons=["PA"])
    services.exclusion_reminders_refresh(today=D(2026, 11, 23))
    client.force_login(calendar.users[role])
    rows = client.get("/api/exclusions/reminders/", {"status": "open"}).json()["results"]
    assert bool(rows) == sees
    if sees:
        assert {r["kind"] for r in rows} == {"day6"} and rows[0]["pupil"] == calendar.pupil_b.pk
    assert client.get("/api/exclusions/reminders/", {"status": "nonsense"}).status_code == 400


def test_suspension_days_through_the_api(b_records, calendar, client):
    client.force_login(calendar.users["school_b"])
    body = client.get("/api/exclusions/suspension-days/", {"pupil": calendar.pupil_b.pk}).json()
    assert body == {"pupil": calendar.pupil_b.pk, "school_year": "2026/27", "days": "6", "limit": 45,
                    "remaining": "39", "state": "ok"}
    assert AuditEvent.objects.filter(username="school_b", action="view", object_type="schools.Pupil",
                                     object_id=str(calendar.pupil_b.pk)).exists()
    last_year = client.get("/api/exclusions/suspension-days/", {"pupil": calendar.pupil_b.pk, "on": "2026-01-05"})
    assert last_year.json()["days"] == "0" and last_year.json()["school_year"] == "2025/26"
    assert client.get("/api/exclusions/suspension-days/", {"pupil": "abc"}).status_code == 400
    assert client.get("/api/exclusions/suspension-days/", {"pupil": calendar.pupil_b.pk,
                                                           "on": "23/11/2026"}).status_code == 400
    client.force_login(calendar.users["school_a"])
    assert client.get("/api/exclusions/suspension-days/", {"pupil": calendar.pupil_b.pk}).status_code == 404


def test_part_time_review_and_flags_through_the_api(b_records, calendar, client):
    timetable = b_records["part_time"]  # 7 Sep to 16 Oct 2026: past its planned end by 23 Nov
    client.force_login(calendar.users["school_b"])
    listed = client.get("/api/part-time-timetables/").json()["results"]
    assert "Past planned end" in listed[0]["flags"] and "LA not notified" in listed[0]["flags"]
    url = f"/api/part-time-timetables/{timetable.pk}/review/"
    bad = _post(client, url, {"reviewed_on": "2026-11-20", "outcome": "continue"})
    assert bad.status_code == 400 and "Set the next review date" in bad.json()["next_review_date"][0]
    assert not PartTimeReview.objects.exists()
    ended = _post(client, url, {"reviewed_on": "2026-11-20", "outcome": "end", "notes": "Back full time"})
    assert ended.status_code == 200, ended.content
    assert ended.json()["ended_on"] == "2026-11-20" and ended.json()["flags"] == ["Ended"]
    client.force_login(calendar.users["school_a"])
    assert _post(client, url, {"reviewed_on": "2026-11-20", "outcome": "end"}).status_code == 404


def test_managed_move_outcome_through_the_api_is_recorded_once(b_records, calendar, client):
    move = b_records["managed_move"]
    client.force_login(calendar.users["school_b"])
    url = f"/api/managed-moves/{move.pk}/outcome/"
    done = _post(client, url, {"outcome": "transferred", "outcome_on": "2026-11-20"})
    assert done.status_code == 200, done.content
    again = _post(client, url, {"outcome": "returned", "outcome_on": "2026-11-21"})
    assert again.status_code == 400 and "already recorded" in again.json()["outcome"][0]
    assert ManagedMove.objects.get(pk=move.pk).outcome == "transferred"
