"""The alert list and the alert page (issue 15): scope (a school sees its own pupils' alerts, 404 for another
school's), filters, marking an alert dealt with (GOV.UK error summary; audited), the download (pupils recorded),
My work's count, constant queries, and the rules and link officers in the admin site."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Alert, AlertRule, SchoolLinkOfficer, Team, TeamMember
from schools.models import AuditEvent, ExportedPupil
from tests.factories import CaseFactory, EnrolmentFactory, PupilFactory

TODAY = datetime.date(2026, 11, 23)


def _alert(rule_key, pupil, school, *, assigned_to=None, team=None, **fields):
    return Alert.objects.create(rule=AlertRule.objects.get(key=rule_key), pupil=pupil, school=school,
                                opened_on=TODAY, assigned_to=assigned_to, team=team,
                                evidence={"key": "term-1", "term": "Autumn term 2026/27", "possible": 20, "absent": 2,
                                          "percent": "10.0"}, **fields)


@pytest.fixture
def alerts(world):
    officer = world.users["la_officer"]
    return {
        "a": _alert("persistent-absence-term", world.pupil_a, world.school_a, assigned_to=officer),
        "b": _alert("persistent-absence-term", world.pupil_b, world.school_b),
        # The pupil who moved from A to B: A still sees the pupil (history) but not B's alert about them.
        "moved": _alert("severe-absence-term", world.moved, world.school_b, assigned_to=officer),
    }


def _rows(response) -> int:
    return response.content.decode().count('data-testid="alert-row"')


def test_la_staff_see_every_alert_and_schools_their_own_pupils(world, alerts, client_for):
    for role in ("la_officer", "la_manager", "legal_officer"):
        assert _rows(client_for(world.users[role]).get(reverse("cases:alerts"))) == 3, role
    page = client_for(world.users["school_a"]).get(reverse("cases:alerts")).content.decode()
    assert page.count('data-testid="alert-row"') == 1 and world.pupil_a.upn in page
    assert world.moved.upn not in page and world.pupil_b.upn not in page
    school_b = client_for(world.users["school_b"]).get(reverse("cases:alerts")).content.decode()
    assert school_b.count('data-testid="alert-row"') == 2 and world.pupil_a.upn not in school_b
    assert 'name="assigned"' not in school_b  # alerts go to LA staff: no "assigned to" filter for schools


def test_an_alert_outside_the_scope_is_404(world, alerts, client_for):
    school_a = client_for(world.users["school_a"])
    assert school_a.get(reverse("cases:alert_detail", args=[alerts["b"].pk])).status_code == 404
    assert school_a.get(reverse("cases:alert_detail", args=[alerts["moved"].pk])).status_code == 404
    assert school_a.post(reverse("cases:alert_detail", args=[alerts["b"].pk]),
                         {"note": "x"}).status_code == 404
    page = school_a.get(reverse("cases:alert_detail", args=[alerts["a"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Persistent absence this term" in text and "DfE persistent absence" in text  # the rule, explained
    assert "Autumn term 2026/27: absent 2 of 20 possible sessions (10.0%)" in text
    assert AuditEvent.objects.filter(object_type="cases.Alert", object_id=str(alerts["a"].pk),
                                     action=AuditEvent.Action.VIEW, pupil_id=world.pupil_a.pk).exists()


def test_filters_assigned_to_me_my_team_status_and_rule(world, alerts, client_for):
    officer = world.users["la_officer"]
    team = Team.objects.create(name="North", manager=world.users["la_manager"])
    TeamMember.objects.create(team=team, officer=officer)
    Alert.objects.filter(pk=alerts["b"].pk).update(team=team)  # school B's alert waits in North's inbox
    client = client_for(officer)
    url = reverse("cases:alerts")
    assert _rows(client.get(url, {"assigned": "me"})) == 2
    assert _rows(client.get(url, {"assigned": "team"})) == 3  # the inbox and the team's officers' alerts
    assert _rows(client.get(url, {"assigned": "nobody"})) == 1
    assert _rows(client_for(world.users["la_manager"]).get(url, {"assigned": "team"})) == 3  # the team's manager
    assert _rows(client.get(url, {"rule": AlertRule.objects.get(key="severe-absence-term").pk})) == 1
    Alert.objects.filter(pk=alerts["a"].pk).update(status="done", done_by=officer, done_at="2026-11-23T10:00Z")
    assert _rows(client.get(url)) == 2  # the list starts on the alerts still to do
    assert _rows(client.get(url, {"status": "done"})) == 1
    assert _rows(client.get(url, {"status": "any"})) == 3
    Alert.objects.filter(pk=alerts["b"].pk).update(cleared_on=TODAY)
    assert _rows(client.get(url, {"holds": "no"})) == 1


def test_each_row_leads_to_the_case_or_the_pupil(world, alerts, client_for):
    case = CaseFactory(pupil=world.pupil_b, school=world.school_b, officer=world.users["la_officer"])
    page = client_for(world.users["la_officer"]).get(reverse("cases:alerts")).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in page
    assert reverse("pupil_detail", args=[world.pupil_a.pk]) in page
    assert page.count("Mark dealt with</span>") >= 3 or page.count(">Mark dealt with<") >= 3


def test_marking_an_alert_dealt_with(world, alerts, client_for):
    url = reverse("cases:alert_detail", args=[alerts["a"].pk])
    school_a = client_for(world.users["school_a"])
    empty = school_a.post(url, {"note": "  "})
    assert empty.status_code == 200
    text = empty.content.decode()
    assert "There is a problem" in text and "Say what was done about the alert" in text and "novalidate" in text
    back = reverse("cases:alerts") + "?rule=1"
    done = school_a.post(url, {"note": "Called mother: ill, register corrected to I", "next": back})
    assert done.status_code == 302 and done["Location"] == back
    alert = Alert.objects.get(pk=alerts["a"].pk)
    assert (alert.status, alert.done_by, alert.done_note) == ("done", world.users["school_a"],
                                                              "Called mother: ill, register corrected to I")
    event = AuditEvent.objects.get(object_type="cases.Alert", object_id=str(alert.pk),
                                   action=AuditEvent.Action.UPDATE)
    assert event.changes["status"] == ["open", "done"] and event.pupil_id == world.pupil_a.pk
    again = school_a.post(url, {"note": "Again"}, follow=True)
    assert "already marked this alert dealt with" in again.content.decode()
    # Legal officers read alerts but do not close them; off-site "next" targets are ignored.
    legal = client_for(world.users["legal_officer"])
    assert legal.post(reverse("cases:alert_detail", args=[alerts["b"].pk]), {"note": "x"}).status_code == 403
    officer = client_for(world.users["la_officer"])
    elsewhere = officer.post(reverse("cases:alert_detail", args=[alerts["b"].pk]),
                             {"note": "Spoke to the school", "next": "//evil.example/"})
    assert elsewhere["Location"] == reverse("cases:alerts")


def test_the_download_is_the_filtered_list_and_records_its_pupils(world, alerts, client_for):
    response = client_for(world.users["school_b"]).get(reverse("cases:alerts"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Early-warning alerts"] and rows[1][:4] == ["UPN", "Pupil", "School", "Rule"]
    assert sorted(row[0] for row in rows[2:]) == sorted([world.pupil_b.upn, world.moved.upn])
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="cases.Alert")
    assert set(ExportedPupil.objects.filter(event=event).values_list("pupil_id", flat=True)) == {
        world.pupil_b.pk, world.moved.pk}
    xlsx = client_for(world.users["la_officer"]).get(reverse("cases:alerts"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_my_work_counts_the_users_alerts_to_do(world, alerts, client_for):
    page = client_for(world.users["la_officer"]).get(reverse("cases:my_work")).content.decode()
    assert 'data-testid="count-alerts"' in page and "?assigned=me\">2<" in page
    school = client_for(world.users["school_b"]).get(reverse("cases:my_work")).content.decode()
    assert f'{reverse("cases:alerts")}">2</a>' in school


def test_the_list_costs_the_same_queries_however_many_alerts(world, alerts, client_for):
    client = client_for(world.users["la_officer"])
    client.get(reverse("cases:alerts"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:alerts"))
    for _ in range(12):
        pupil = PupilFactory()
        EnrolmentFactory(pupil=pupil, school=world.school_b)
        _alert("attendance-fall", pupil, world.school_b, assigned_to=world.users["la_officer"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cases:alerts"))
    assert _rows(response) == 15
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_case_list_links_to_the_alerts(world, client_for):
    page = client_for(world.users["la_officer"]).get(reverse("cases:list")).content.decode()
    assert reverse("cases:alerts") in page


def test_la_admins_edit_rules_and_link_officers_in_the_admin_site(world, client_for):
    admin = client_for(world.users["la_admin"])
    rule = AlertRule.objects.get(key="unexplained-in-a-row")
    assert admin.get(reverse("admin:cases_alertrule_changelist")).status_code == 200
    page = admin.get(reverse("admin:cases_alertrule_change", args=[rule.pk]))
    assert page.status_code == 200
    data = {field: getattr(rule, field) for field in ("key", "name", "kind", "condition", "goes_to", "source")}
    data.update(sessions=4, weeks=2, points="", active="on")
    response = admin.post(reverse("admin:cases_alertrule_change", args=[rule.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.sessions == 4
    assert AuditEvent.objects.filter(object_type="cases.AlertRule", object_id=str(rule.pk),
                                     action=AuditEvent.Action.UPDATE).exists()
    data.update(points=5)
    refused = admin.post(reverse("admin:cases_alertrule_change", args=[rule.pk]), data)
    assert refused.status_code == 200 and "this kind of rule does not use it" in refused.content.decode()
    assert admin.get(reverse("admin:cases_schoollinkofficer_changelist")).status_code == 200
    assert admin.get(reverse("admin:cases_alert_changelist")).status_code == 200


def test_link_officers_are_provided_to_the_attendance_pages(world):
    from schools.common import providers

    officer = world.users["la_officer"]
    SchoolLinkOfficer.objects.create(school=world.school_b, officer=officer)
    assert providers.provider("attendance.link_school_ids")(officer) == [world.school_b.pk]
    assert providers.provider("attendance.link_school_ids")(world.users["la_manager"]) == []


def test_the_home_page_leads_with_the_users_alerts(world, alerts, client_for):
    officer_home = client_for(world.users["la_officer"]).get(reverse("home")).content.decode()
    assert "Early-warning alerts" in officer_home and f'{reverse("cases:alerts")}?assigned=me' in officer_home
    school_home = client_for(world.users["school_b"]).get(reverse("home")).content.decode()
    assert "About your pupils, to deal with" in school_home
    assert "Early-warning alerts" not in client_for(world.users["legal_officer"]).get(reverse("home")).content.decode()
