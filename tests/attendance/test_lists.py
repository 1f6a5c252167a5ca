"""Every attendance list as page, CSV, XLSX and API: the same FilterSet, the period named, each role's own rows only,
formula-looking text neutralised, and a fixed number of queries however many rows."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from schools.models import AuditEvent, Enrolment, Pupil
from tests.attendance.ctf_support import CtfPupilSpec, ctf_xml, import_csv, import_ctf, week_lines
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-09-01", "end": "2025-12-19"}
LABEL = "01 September 2025 to 19 December 2025"


@pytest.fixture
def registers(world, terms, django_capture_on_commit_callbacks):
    """Two weeks: Amy (school A) absent (N) every afternoon, 50%; Ben (school B) absent all Monday, 10%."""
    officer = world.users["la_officer"]
    lines = week_lines(world.pupil_a, world.school_a, "/N" * 10)
    lines += week_lines(world.pupil_b, world.school_b, "NN" + "/\\" * 9)
    result = import_csv(officer, lines, capture=django_capture_on_commit_callbacks)
    assert result.marks_written == 40, result.job.message
    return terms


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


LISTS = {
    "school": lambda w: reverse("school_attendance", args=[w.school_a.urn]),
    "drilldown": lambda w: reverse("attendance_pupil_list"),
    "overview": lambda w: reverse("attendance_overview"),
    "pn": lambda w: reverse("pn_threshold_list"),
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_list_downloads_as_csv_and_xlsx_with_its_period(world, registers, client, name):
    client.force_login(world.users["la_officer"])
    url = LISTS[name](world)
    query = {**PERIOD, "show": "all"}
    csv_response = client.get(url, {**query, "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert f"Period: {LABEL}" in text
    xlsx = client.get(url, {**query, "format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx_rows(xlsx)
    assert rows[1][0] == f"Period: {LABEL}"
    assert AuditEvent.objects.filter(action="export", username="la_officer").count() == 2
    if name != "overview":
        assert world.pupil_a.upn in text and any(world.pupil_a.upn in row for row in rows)


def test_school_list_export_holds_exactly_the_filtered_rows_and_numbers(world, registers, client):
    client.force_login(world.users["la_officer"])
    url = reverse("school_attendance", args=[world.school_a.urn])
    rows = _xlsx_rows(client.get(url, {**PERIOD, "show": "sa", "format": "xlsx"}))
    header, data = rows[2], rows[3:]
    assert len(data) == 1
    record = dict(zip(header, data[0], strict=True))
    assert (record["UPN"], record["Possible sessions"], record["Absence rate"]) == (world.pupil_a.upn, 20, "50.0%")
    assert record["Suggested stage"] == "Stage 3: Targeted support"


def test_exports_neutralise_formula_text(world, registers, client):
    Pupil.objects.filter(pk=world.pupil_a.pk).update(legal_last_name="=HYPERLINK(\"http://x\")")
    client.force_login(world.users["la_officer"])
    url = reverse("attendance_pupil_list")
    text = client.get(url, {**PERIOD, "show": "all", "format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    rows = _xlsx_rows(client.get(url, {**PERIOD, "show": "all", "format": "xlsx"}))
    assert any(cell == "'=HYPERLINK(\"http://x\")" for row in rows for cell in row)


def test_pn_export_lists_the_sessions_that_met_the_threshold(world, registers, client):
    client.force_login(world.users["la_officer"])
    text = client.get(reverse("pn_threshold_list"), {**PERIOD, "format": "csv"}).content.decode("utf-8-sig")
    assert world.pupil_a.upn in text and "2025-09-08 PM N" in text and world.pupil_b.upn not in text


# --- Scope -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role, own, other", [("school_a", "pupil_a", "pupil_b"), ("school_b", "pupil_b", "pupil_a")])
def test_a_school_user_sees_only_their_schools_rows_everywhere(world, registers, client, role, own, other):
    client.force_login(world.users[role])
    own_upn, other_upn = getattr(world, own).upn, getattr(world, other).upn
    query = {**PERIOD, "show": "all"}
    for url in (reverse("attendance_pupil_list"), reverse("pn_threshold_list")):
        for extra in ({}, {"format": "csv"}, {"format": "xlsx"}):
            body = client.get(url, {**query, **extra}).content
            assert other_upn.encode() not in body, (url, extra)
    drill = client.get(reverse("attendance_pupil_list"), {**query, "format": "csv"}).content.decode("utf-8-sig")
    assert own_upn in drill
    api = client.get("/api/attendance/pupils/", query).json()
    assert [r["upn"] for r in api["results"]] == [own_upn]
    overview = client.get("/api/attendance/overview/", PERIOD).json()
    other_school = world.school_b if role == "school_a" else world.school_a
    assert other_school.urn not in {row["urn"] for row in overview["results"]}
    pn = client.get("/api/attendance/penalty-notice-threshold/", PERIOD).json()
    assert other_upn not in {r["upn"] for r in pn["results"]}
    other_enrolment = Enrolment.objects.get(pupil=getattr(world, other))
    assert client.get(f"/api/attendance/penalty-notice-threshold/{other_enrolment.pk}/", PERIOD).status_code == 404
    # Asking for the other school by URN is the same as asking for a school that does not exist.
    assert client.get("/api/attendance/pupils/", {"school": other_school.urn}).status_code == 400
    assert client.get(reverse("pn_threshold_list"), {"school": other_school.urn}).status_code == 404


# --- API: the period, the FilterSets ----------------------------------------------------------------------------------


def test_api_takes_the_period_as_the_pages_do_and_names_it(world, registers, client):
    client.force_login(world.users["la_manager"])
    pupils = client.get("/api/attendance/pupils/", {**PERIOD, "show": "pa"}).json()
    assert pupils["period"] == {"key": "custom", "label": LABEL, "start": "2025-09-01", "end": "2025-12-19"}
    assert {r["upn"]: r["absence_rate"] for r in pupils["results"]} == {world.pupil_a.upn: "50.0",
                                                                         world.pupil_b.upn: "10.0"}
    term = f"term-{registers['autumn'].pk}"
    by_term = client.get("/api/attendance/pupils/", {"period": term, "show": "sa"}).json()
    assert by_term["period"]["label"] == "Autumn term 2025/26" and by_term["count"] == 1
    overview = client.get("/api/attendance/overview/", {**PERIOD, "group": "phase"}).json()
    assert overview["group"] == "phase" and overview["period"]["label"] == LABEL
    assert {row["label"] for row in overview["results"]} == {"Primary", "Secondary"}
    assert overview["totals"]["possible"] == 40 and overview["totals"]["persistent_pupils"] == 2
    narrowed = client.get("/api/attendance/overview/", {**PERIOD, "phase": "secondary"}).json()
    assert [row["urn"] for row in narrowed["results"]] == [world.school_b.urn]
    pn = client.get("/api/attendance/penalty-notice-threshold/", PERIOD).json()
    assert pn["count"] == 1 and pn["results"][0]["sessions_in_window"] == 10
    enrolment = Enrolment.objects.get(pupil=world.pupil_a)
    detail = client.get(f"/api/attendance/penalty-notice-threshold/{enrolment.pk}/", PERIOD).json()
    assert len(detail["sessions"]) == 10 and detail["sessions"][0] == {"date": "2025-09-08", "session": "PM",
                                                                       "code": "N"}


def test_the_overview_drills_down_to_the_pupils_behind_each_figure(world, registers, client):
    client.force_login(world.users["la_officer"])
    page = client.get(reverse("attendance_overview"), {**PERIOD, "group": "partnership"}).content.decode()
    partnership = world.school_b.partnership
    link = f"partnership={partnership.pk}&amp;show=pa"
    assert link in page
    drill = client.get(reverse("attendance_pupil_list"), {**PERIOD, "partnership": partnership.pk, "show": "pa"})
    body = drill.content.decode()
    assert world.pupil_b.upn not in body  # the page lists names, not UPNs
    assert "Able, Ben" in body and "Able, Amy" not in body
    assert f"Partnership: <strong>{partnership.name}</strong>" in body


# --- Query counts -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["attendance_pupil_list", "school_attendance", "attendance_import_list",
                                      "ctf_review_list", "api-attendance-pupil-list", "api-attendance-import-list",
                                      "api-ctf-review-list", "api-pn-threshold-list"])
@pytest.mark.parametrize("role", ["la_officer", "school_a"])
def test_query_counts_do_not_grow_with_rows(world, registers, client, url_name, role,
                                            django_capture_on_commit_callbacks):
    client.force_login(world.users[role])
    url = reverse(url_name, args=[world.school_a.urn] if url_name == "school_attendance" else None)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            query = {**PERIOD, "show": "all", **({"status": "all"} if "ctf" in url_name else {})}
            assert client.get(url, query).status_code == 200
        return len(captured)

    def grow(n: int) -> None:
        """n more pupils with marks at school A, and n more unknown pupils held from a CTF."""
        lines, held = [], []
        for _ in range(n):
            pupil = PupilFactory()
            EnrolmentFactory(pupil=pupil, school=world.school_a)
            lines += week_lines(pupil, world.school_a, "NN/\\")
            stranger = PupilFactory.build()
            held.append(CtfPupilSpec(upn=stranger.upn, surname="Unknown", forename="Una", dob="2015-05-05",
                                     school=world.school_a))
            # ...and one the rules point at a pupil for (a candidate the serializer checks the scope of).
            held.append(CtfPupilSpec(upn=pupil.upn, surname="Other", forename="Olly", dob="2014-01-01",
                                     school=world.school_a))
        # Uploaded by the school, so its user sees the imports and the held pupils too.
        import_csv(world.users["school_a"], lines, capture=django_capture_on_commit_callbacks)
        import_ctf(world.users["school_a"], ctf_xml(held), capture=django_capture_on_commit_callbacks)

    grow(1)
    before = count()
    grow(4)
    assert count() == before
