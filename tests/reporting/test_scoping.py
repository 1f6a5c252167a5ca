"""Who is counted, per role: managers the LA, officers their schools, school users their own school only; on the
pages, in the downloads, through the API and in the PDF. Another school's figures, lists and reports are out of
reach (404), and LA-only sections stay out of what a school reads."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from reporting import selectors as s
from reporting import services
from reporting.models import ReportRun, SchoolLinkOfficer

pytestmark = pytest.mark.django_db


def test_each_role_counts_its_own_schools(report_world):
    world = report_world.world
    manager = s.scope_for(world.users["la_manager"])
    assert manager.kind == "la" and manager.school_ids is None
    school_a = s.scope_for(world.users["school_a"])
    assert school_a.school_ids == (world.school_a.pk,) and not school_a.la_audience
    period = s.report_period_for(None)
    assert s.attendance_total(school_a, period.current).enrolments == 2
    assert s.exclusions_total(school_a, period.start, period.end).suspensions == 1
    assert s.attendance_total(s.scope_for(world.users["school_b"]), period.current).enrolments == 3
    # A school user asking for another school's figures is refused as if it did not exist.
    with pytest.raises(s.Http404):
        s.scope_for(world.users["school_a"], school=world.school_b)


def test_an_officers_schools(report_world):
    """Link officer for a school, an open case there, or a TSM there this academic year."""
    world = report_world.world
    officer = world.users["la_officer"]
    # la_officer holds school B's open cases and its autumn TSM; school A's case was closed.
    assert s.officer_school_ids(officer) == [world.school_b.pk]
    SchoolLinkOfficer.objects.create(school=world.school_a, officer=officer)
    assert sorted(s.officer_school_ids(officer)) == sorted([world.school_a.pk, world.school_b.pk])
    mine = s.scope_for(officer)
    assert mine.kind == "mine" and mine.la_audience
    everything = s.scope_for(officer, mine=False)
    assert everything.kind == "la" and everything.school_ids is None


def test_link_officer_must_be_an_la_officer(report_world):
    from django.core.exceptions import ValidationError

    link = SchoolLinkOfficer(school=report_world.world.school_a, officer=report_world.users["la_manager"])
    with pytest.raises(ValidationError):
        link.full_clean()


def _page(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs.pop("kwargs", None)), kwargs)


def test_pages_show_each_role_its_scope(report_world, client):
    world = report_world.world
    a_page = _page(client, world.users["school_a"], "reporting:section", kwargs={"slug": "attendance"})
    assert a_page.status_code == 200
    body = a_page.content.decode()
    assert world.school_a.name in body and "Prosecutions laid" not in body
    # A school user cannot widen the scope, and another school's URN is 404.
    assert _page(client, world.users["school_a"], "reporting:dashboard", school=world.school_b.urn).status_code == 404
    wide = _page(client, world.users["school_a"], "reporting:dashboard", schools="all")
    assert "Schools counted: Alpha Primary" in wide.content.decode()
    officer = _page(client, world.users["la_officer"], "reporting:dashboard")
    assert "Schools counted: Your schools (1)" in officer.content.decode()
    assert _page(client, world.users["la_officer"], "reporting:section", kwargs={"slug": "traded-income"}
                 ).status_code == 403
    assert _page(client, world.users["school_a"], "reporting:section", kwargs={"slug": "no-such"}).status_code == 404


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_hold_the_scoped_figures(report_world, client):
    world = report_world.world
    response = _page(client, world.users["school_a"], "reporting:table_export",
                     kwargs={"table": "attendance_phase"}, format="csv")
    rows = _csv(response)
    assert rows[0] == ["Absence by phase, Autumn term 2026/27 to 23 November 2026"]
    assert rows[1][0].startswith("Period: Autumn term 2026/27 to 23 November 2026; Alpha Primary")
    body = {row[0]: row for row in rows[3:]}
    assert set(body) == {"Primary", "All pupils"} and body["All pupils"][1] == "2"
    manager = _csv(_page(client, world.users["la_manager"], "reporting:table_export",
                         kwargs={"table": "attendance_phase"}, format="csv"))
    assert {row[0]: row for row in manager[3:]}["All pupils"][1] == "5"
    assert _page(client, world.users["school_a"], "reporting:table_export", kwargs={"table": "traded_schools"},
                 format="csv").status_code == 404
    assert _page(client, world.users["school_a"], "reporting:table_export", kwargs={"table": "no_such_table"},
                 format="csv").status_code == 404


def test_drill_down_lists_stay_in_scope(report_world, client):
    world = report_world.world
    response = _page(client, world.users["school_a"], "reporting:drill_absence", show="all")
    names = {row.pupil.legal_last_name for row in response.context["page"].object_list}
    assert names == {"Able", "Extra"} and response.context["page"].paginator.count == 2
    ehcp = _page(client, world.users["la_manager"], "reporting:drill_absence", show="sa", dimension="sen",
                 group="ehcp")
    assert [row.pupil_id for row in ehcp.context["page"].object_list] == [report_world.pupils["pupil_b"].pk]
    exclusions = _page(client, world.users["school_b"], "reporting:drill_exclusions", dimension="sex", group="M")
    assert {e.school_id for e in exclusions.context["page"].object_list} == {world.school_b.pk}
    assert exclusions.context["page"].paginator.count == 4  # boys: two suspensions, a permanent and a lunchtime
    none_for_a = _page(client, world.users["school_a"], "reporting:drill_exclusions", dimension="sex", group="M")
    assert none_for_a.context["page"].paginator.count == 0
    # Opening a list of named pupils is recorded, like any pupil-identifying page.
    from schools.models import AuditEvent

    views = AuditEvent.objects.filter(action="view", object_id="list", path__startswith="/reports/")
    assert views.filter(user=world.users["school_a"], object_type="schools.Enrolment").count() == 1
    assert views.filter(object_type="schools.Exclusion").count() == 2


def test_api_metrics_are_scoped(report_world, client):
    world = report_world.world
    client.force_login(world.users["school_b"])
    body = client.get(reverse("api-report-metrics"), {"sections": "attendance,exclusions"}).json()
    assert body["scope"] == {"label": "Beta Academy", "kind": "own", "schools": [world.school_b.pk]}
    phase = next(t for t in body["sections"]["attendance"] if t["key"] == "attendance_phase")
    total = phase["rows"][-1]
    assert total[0] == "All pupils" and total[1] == 3
    assert client.get(reverse("api-report-metrics"), {"school": world.school_a.urn}).status_code == 404
    assert client.get(reverse("api-report-metrics"), {"sections": "traded"}).status_code == 403
    assert client.get(reverse("api-report-metrics"), {"sections": "bogus"}).status_code == 400


def test_reports_and_their_pdfs_are_scoped(report_world, client, django_capture_on_commit_callbacks):
    world = report_world.world
    with django_capture_on_commit_callbacks(execute=True):
        school_run = services.report_request(user=world.users["school_b"], term=report_world.this_autumn,
                                             school=world.school_b)
        la_run = services.report_request(user=world.users["la_manager"], term=report_world.this_autumn)
    for run in (school_run, la_run):
        run.refresh_from_db()
        assert run.job.status == "succeeded", run.job.message
    assert set(ReportRun.objects.visible_to(world.users["school_b"])) == {school_run}
    assert not ReportRun.objects.visible_to(world.users["school_a"]).exists()
    client.force_login(world.users["school_a"])
    assert client.get(reverse("reporting:report_download", args=[school_run.pk])).status_code == 404
    assert client.get(reverse("api-report-run-detail", args=[school_run.pk])).status_code == 404
    client.force_login(world.users["school_b"])
    assert client.get(reverse("reporting:report_download", args=[la_run.pk])).status_code == 404
    response = client.get(reverse("reporting:report_download", args=[school_run.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # A school's report leaves out the LA-only sections, even when LA staff make it.
    made_by_la = services.report_scope(ReportRun(term=report_world.this_autumn, school=world.school_b,
                                                 job=la_run.job))
    assert made_by_la.school_ids == (world.school_b.pk,) and not made_by_la.la_audience
    # School users may not make LA-wide reports; nor reports for another school.
    with pytest.raises(services.PermissionDenied):
        services.report_request(user=world.users["school_b"], term=report_world.this_autumn)
    with pytest.raises(services.Http404):
        services.report_request(user=world.users["school_b"], term=report_world.this_autumn,
                                school=world.school_a)


def test_school_audience_sees_only_its_own_requests_outcomes(report_world):
    world = report_world.world
    period = s.report_period_for(None)
    school = s.scope_for(world.users["school_b"])
    legal = s.legal_section(school, period)
    # The LA's own notices for pupil_b (not from a school request) stay with the LA.
    assert legal.notices_total.issued == 0 and legal.prosecutions == []
    assert legal.requests == [("Awaiting LA decision", 1)]
    la_view = s.legal_section(s.scope_for(world.users["la_manager"], school=world.school_b), period)
    assert la_view.notices_total.issued == 2
