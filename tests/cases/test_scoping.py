"""Each role sees only its own rows in every case list, export, PDF and API endpoint, and restricted (safeguarding,
medical) entries never reach a school user anywhere: page, API, PDF, export, or a list's "last action"."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import services
from schools.models import AuditEvent
from tests.cases.fixtures import SAFEGUARDING_TEXT
from tests.pdf_support import assert_tagged_pdf

pytestmark = pytest.mark.django_db

LA = ["la_admin", "la_manager", "la_officer", "legal_officer"]
ROLES = [*LA, "school_a", "school_b"]
# Which of the fixture's cases each role sees: case_a is pupil_a's (school A), case_b pupil_b's (school B).
EXPECTED_CASES = {**{r: {"case_a", "case_b"} for r in LA}, "school_a": {"case_a"}, "school_b": {"case_b"}}
LATEST_RESTRICTED = "Medical: hospital letter about the diagnosis"


@pytest.fixture
def latest_restricted(cases_world, world):
    """A restricted entry dated today: the newest thing on case_b, so any "last action" would pick it."""
    return services.entry_add(user=world.users["la_officer"], case=cases_world.case_b, entry_type="letter",
                              restriction="medical", occurred_on=timezone.localdate(), summary=LATEST_RESTRICTED)


def _refs(cases_world, names):
    return {getattr(cases_world, name).reference for name in names}


@pytest.mark.parametrize("role", ROLES)
def test_case_list_page_and_api_are_scoped(role, cases_world, world, client):
    client.force_login(world.users[role])
    page = client.get(reverse("cases:list")).content.decode()
    for name in ("case_a", "case_b"):
        case = getattr(cases_world, name)
        assert (f'href="{reverse("cases:detail", args=[case.pk])}"' in page) == (name in EXPECTED_CASES[role])
    api = client.get("/api/cases/").json()
    assert {row["reference"] for row in api["results"]} == _refs(cases_world, EXPECTED_CASES[role])


@pytest.mark.parametrize("role", ROLES)
def test_exports_hold_exactly_the_visible_cases(role, cases_world, world, client, latest_restricted):
    client.force_login(world.users[role])
    response = client.get(reverse("cases:export"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["Case"] for row in rows} == _refs(cases_world, EXPECTED_CASES[role])
    xlsx = client.get(reverse("cases:export"), {"format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    table = [["" if v is None else v for v in row]
             for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)]
    assert table[0][0] == "Case" and {row[0] for row in table[1:]} == _refs(cases_world, EXPECTED_CASES[role])
    everything = response.content.decode() + repr(table)
    assert (LATEST_RESTRICTED in everything) == (role in LA)
    assert AuditEvent.objects.filter(username=world.users[role].username, action="export",
                                     object_type="cases.Case").count() == 2


def test_export_keeps_the_filters(cases_world, world, client):
    client.force_login(world.users["la_manager"])
    response = client.get(reverse("cases:export"), {"format": "csv", "school": world.school_a.pk})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Case"] for row in rows] == [cases_world.case_a.reference]


@pytest.mark.parametrize("role", ROLES)
def test_case_page_and_api_never_show_restricted_entries_to_schools(role, cases_world, world, client):
    case = cases_world.case_b
    client.force_login(world.users[role])
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if role == "school_a":
        assert response.status_code == 404
        return
    page = response.content.decode()
    sees_restricted = role in LA
    assert (SAFEGUARDING_TEXT in page) == sees_restricted
    assert "Called mother about mornings" in page
    restricted_link = reverse("cases:attachment", args=[cases_world.restricted_attachment_b.pk])
    assert (restricted_link in page) == sees_restricted
    assert reverse("cases:attachment", args=[cases_world.attachment_b.pk]) in page
    listed = client.get("/api/chronology/", {"case": case.pk}).json()["results"]
    assert (SAFEGUARDING_TEXT in {row["summary"] for row in listed}) == sees_restricted
    detail = client.get(f"/api/chronology/{cases_world.restricted_b.pk}/")
    assert detail.status_code == (200 if sees_restricted else 404)
    download = client.get(restricted_link)
    assert download.status_code == (200 if sees_restricted else 404)


@pytest.mark.parametrize("role", ["la_officer", "school_b"])
def test_last_action_skips_restricted_entries_for_schools(role, cases_world, world, client, latest_restricted):
    client.force_login(world.users[role])
    case_list = client.get(reverse("cases:list")).content.decode()
    my_work = client.get(reverse("cases:my_work")).content.decode()
    api = client.get(f"/api/cases/{cases_world.case_b.pk}/").json()
    shown = LATEST_RESTRICTED[:40]
    for text in (case_list, my_work, api["last_action_summary"]):
        assert (shown in text) == (role == "la_officer")


@pytest.mark.parametrize("role", ["legal_officer", "school_b"])
def test_pdfs_leave_out_restricted_entries_for_schools(role, cases_world, world, client, monkeypatch,
                                                       latest_restricted):
    rendered = []

    def capture(html):
        rendered.append(html)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("cases.views.html_to_pdf", capture)
    client.force_login(world.users[role])
    chronology = client.get(reverse("cases:chronology_pdf", args=[cases_world.case_b.pk]))
    pack = client.get(reverse("cases:tsm_pack", args=[cases_world.tsm_b.pk]))
    assert chronology.status_code == pack.status_code == 200
    assert chronology["Content-Type"] == "application/pdf"
    chronology_html, pack_html = rendered
    sees = role == "legal_officer"
    assert (SAFEGUARDING_TEXT in chronology_html) == sees
    assert (LATEST_RESTRICTED in chronology_html) == sees
    assert (LATEST_RESTRICTED in pack_html) == sees
    assert "Called mother about mornings" in chronology_html
    assert world.pupil_b.upn in pack_html and cases_world.case_b.reference in pack_html


def test_tsm_pack_is_a_real_pdf(cases_world, world, client):
    client.force_login(world.users["la_officer"])
    response = client.get(reverse("cases:tsm_pack", args=[cases_world.tsm_b.pk]))
    assert response.content.startswith(b"%PDF-") and len(response.content) > 2000
    assert_tagged_pdf(response.content, title="TSM pack", roles={"H1", "Table", "TH"})


@pytest.mark.parametrize("role", ROLES)
def test_referrals_tasks_tsms_and_plans_are_scoped(role, cases_world, world, client):
    client.force_login(world.users[role])
    sees_b = role in LA or role == "school_b"
    referrals = {row["id"] for row in client.get("/api/referrals/").json()["results"]}
    assert referrals == ({cases_world.referral_b.pk} if sees_b else set())
    tsms = {row["id"] for row in client.get("/api/tsms/").json()["results"]}
    assert tsms == ({cases_world.tsm_b.pk} if sees_b else set())
    plans = {row["id"] for row in client.get("/api/plans/").json()["results"]}
    assert plans == ({cases_world.plan_b.pk} if sees_b else set())
    tasks = {row["title"] for row in client.get("/api/tasks/").json()["results"]}
    assert tasks == ({"Visit home", "Send attendance letters"} if sees_b else set())
    referral_page = client.get(reverse("cases:referral_list")).content.decode()
    assert (cases_world.referral_b.reference in referral_page) == sees_b
    tsm_page = client.get(reverse("cases:tsm_list")).content.decode()
    assert (reverse("cases:tsm_detail", args=[cases_world.tsm_b.pk]) in tsm_page) == sees_b


def test_a_school_does_not_read_another_schools_referral_about_a_shared_pupil(cases_world, world, client):
    """moved was at A and is now at B: B refers them; A still sees the pupil but not B's referral."""
    referral = services.referral_create(user=world.users["school_b"], pupil=world.moved, school=world.school_b,
                                        case_type="attendance", concerns="Confidential to B",
                                        tried_parent_contact="Calls")
    client.force_login(world.users["school_a"])
    assert client.get(reverse("cases:referral_detail", args=[referral.pk])).status_code == 404
    assert client.get(f"/api/referrals/{referral.pk}/").status_code == 404
    assert "Confidential to B" not in client.get(reverse("cases:pupil_cases", args=[world.moved.pk])).content.decode()


def test_case_and_pupil_views_are_logged(cases_world, world, client):
    client.force_login(world.users["school_b"])
    client.get(reverse("cases:detail", args=[cases_world.case_b.pk]))
    client.get(reverse("cases:pupil_cases", args=[world.pupil_b.pk]))
    client.get(f"/api/cases/{cases_world.case_b.pk}/")
    client.get(reverse("cases:tsm_detail", args=[cases_world.tsm_b.pk]))
    views = AuditEvent.objects.filter(username="school_b", action="view")
    assert views.filter(object_type="cases.Case", pupil_id=world.pupil_b.pk).count() == 2
    assert views.filter(object_type="cases.TargetingSupportMeeting", object_id=str(cases_world.tsm_b.pk)).exists()
    assert views.filter(object_type="schools.Pupil", object_id=str(world.pupil_b.pk)).count() == 1


def test_school_user_cannot_refer_through_the_api_for_another_school(cases_world, world, client):
    client.force_login(world.users["school_a"])
    response = client.post("/api/referrals/", {"pupil": world.pupil_b.pk, "school": world.school_b.pk,
                                               "case_type": "attendance", "concerns": "x",
                                               "tried_parent_contact": "y"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "pupil" in body and "school" in body  # both out of scope: "does not exist", as for any unknown id
    ok = client.post("/api/referrals/", {"pupil": world.pupil_a.pk, "school": world.school_a.pk,
                                         "case_type": "behaviour", "concerns": "Absent Mondays",
                                         "reasons": ["irregular"], "tried_parent_contact": "Letters"},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["status"] == "submitted"
    again = client.post("/api/referrals/", {"pupil": world.pupil_a.pk, "school": world.school_a.pk,
                                            "case_type": "attendance", "concerns": "x", "tried_parent_contact": "y"},
                        content_type="application/json")
    assert again.status_code == 400 and "already has an open Attendance case" in again.json()["case_type"][0]
    client.force_login(world.users["la_officer"])
    assert client.post("/api/referrals/", {}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("role", ["la_officer", "school_b"])
def test_lifting_a_restriction_does_not_show_schools_the_restricted_wording(role, cases_world, world, client):
    """A correction keeps the earlier wording under the entry; wording written while the entry was restricted stays
    LA-only after the restriction is lifted."""
    officer = world.users["la_officer"]
    entry = cases_world.restricted_b
    services.entry_update(user=officer, entry=entry, expected_version=entry.version, reason="Only the gist is shared",
                          restriction="", summary="Concern shared with social care", details="Support in place.")
    entry.refresh_from_db()
    services.entry_update(user=officer, entry=entry, expected_version=entry.version, reason="Typo",
                          details="Support now in place.")
    client.force_login(world.users[role])
    page = client.get(reverse("cases:detail", args=[cases_world.case_b.pk])).content.decode()
    assert "Concern shared with social care" in page and "Support now in place." in page
    assert "Before, details: Support in place." in page  # the correction after the lift is everyone's
    sees = role == "la_officer"
    assert (SAFEGUARDING_TEXT in page) == sees
    assert ("Referred to children&#x27;s social care." in page) == sees


def test_exports_neutralise_formulas_and_control_characters(cases_world, world, client):
    services.entry_add(user=world.users["la_officer"], case=cases_world.case_a, entry_type="note",
                       occurred_on=timezone.localdate(), summary="=HYPERLINK(\"http://x\")\x0b tab")
    client.force_login(world.users["la_manager"])
    rows = list(csv.DictReader(io.StringIO(
        client.get(reverse("cases:export"), {"format": "csv"}).content.decode("utf-8-sig"))))
    assert {row["Last action"] for row in rows if row["Case"] == cases_world.case_a.reference} == {
        "'=HYPERLINK(\"http://x\")\x0b tab"}
    xlsx = client.get(reverse("cases:export"), {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("Last action")] for row in sheet.iter_rows(min_row=2)
             if row[0].value == cases_world.case_a.reference]
    assert [(c.value, c.data_type) for c in cells] == [("'=HYPERLINK(\"http://x\") tab", "s")]
