"""Every URL name × every role → the status each must get. A URL missing from the matrix fails the test.

Areas built later keep their rows in their own module (tests/<area>/matrix.py: ROWS, KWARG_NAMES and a
``<area>_targets`` fixture) and are merged here.

Out-of-scope objects answer 404; a role lacking a capability gets 403; anonymous users are sent to sign in (pages)
or told 401 (API).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from schools.models import AttendanceImport, Enrolment, Job
from tests.attendance.fixtures import attendance_targets  # noqa: F401  (fixture used by `targets`)
from tests.cases import matrix as cases_matrix
from tests.cases.fixtures import case_targets, cases_world  # noqa: F401  (fixtures used by `targets`)
from tests.data_protection import matrix as data_protection_matrix
from tests.data_protection.matrix import data_protection_targets  # noqa: F401  (fixture used by `targets`)
from tests.duplicates import matrix as duplicates_matrix
from tests.duplicates.matrix import duplicates_targets  # noqa: F401  (fixture used by `targets`)
from tests.ehe import matrix as ehe_matrix
from tests.ehe.matrix import ehe_targets  # noqa: F401  (fixture used by `targets`)
from tests.exclusions import matrix as exclusions_matrix
from tests.exclusions.fixtures import exclusion_targets  # noqa: F401  (fixture used by `targets`)
from tests.factories import CarerFactory, EnrolmentFactory, FamilyFactory, PupilFactory
from tests.legal import matrix as legal_matrix
from tests.legal.matrix import legal_targets  # noqa: F401  (fixture used by `targets`)
from tests.matrix_support import AUDITORS, EDITORS, LA, ROLES, statuses
from tests.reporting import matrix as reporting_matrix
from tests.reporting.matrix import reporting_targets  # noqa: F401  (fixture used by `targets`)
from tests.roll import matrix as roll_matrix
from tests.roll.matrix import roll_targets  # noqa: F401  (fixture used by `targets`)
from tests.security import matrix as security_matrix
from tests.traded import matrix as traded_matrix
from tests.traded.matrix import traded_targets  # noqa: F401  (fixture used by `targets`)


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue  # the admin site has its own test below
            names |= _all_url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


@pytest.fixture
def targets(world, case_targets, exclusion_targets, legal_targets, traded_targets,  # noqa: F811 (imported above)
            attendance_targets, reporting_targets, data_protection_targets, ehe_targets,  # noqa: F811
            duplicates_targets, roll_targets):  # noqa: F811
    only_b = PupilFactory(legal_first_name="Bea", legal_last_name="Only", family=FamilyFactory(name="B only"))
    EnrolmentFactory(pupil=only_b, school=world.school_b)
    enrolment_b = Enrolment.objects.get(pupil=world.pupil_b)
    job = Job.objects.create(kind=Job.Kind.PUPIL_EXPORT, created_by=world.users["la_officer"],
                             status=Job.Status.SUCCEEDED, finished_at=datetime.datetime.now(datetime.UTC))
    job.result_file.save("matrix.csv", ContentFile(b"UPN\n"), save=True)
    upload_job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=world.users["la_officer"])
    attendance_import = AttendanceImport(kind="csv", original_name="marks.csv", uploaded_by=world.users["la_officer"],
                                         job=upload_job)
    attendance_import.file.save("marks.csv", ContentFile(b"upn,school,date,session,code\n"), save=False)
    attendance_import.issues_file.save("problems.csv", ContentFile(b"file,line\n"), save=False)
    attendance_import.save()
    areas = [duplicates_targets, roll_targets,
             case_targets, exclusion_targets, legal_targets, traded_targets, attendance_targets, reporting_targets,
             data_protection_targets, ehe_targets, {"pupil": world.pupil_b.pk, "school": world.school_b.urn,
                                        "family": only_b.family_id, "enrolment": enrolment_b.pk, "job": job.pk,
                                        "carer": CarerFactory(family=only_b.family).pk,
                                        "import": attendance_import.pk}]
    merged: dict = {}
    for area in areas:
        # Two areas naming different objects by one key would silently point a row at the wrong object (cases'
        # early-warning alert and legal's alert were both "alert", and the row passed only while their pks agreed).
        clashes = {key for key in area if key in merged and merged[key] != area[key]}
        assert not clashes, f"target keys used by two areas: {sorted(clashes)}"
        merged.update(area)
    return merged


# name -> (kwargs key or None, expected statuses). Pages redirect anonymous users; API views answer 401.
MATRIX = {
    "home": (None, statuses()),
    "login": (None, statuses(anonymous=200)),
    "healthz": (None, statuses(ok=ROLES[:-1], anonymous=200)),
    "logout": (None, statuses(ok=(), others=405)),
    "pupil_list": (None, statuses()),
    "pupil_create": (None, statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "pupil_export": (None, statuses(ok=(), others=405)),
    "pupil_detail": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "pupil_edit": ("pupil", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "enrolment_add": ("pupil", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "enrolment_end": ("enrolment", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "school_list": (None, statuses()),
    "school_detail": ("school", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "family_list": (None, statuses()),
    "family_create": (None, statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "family_detail": ("family", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "family_edit": ("family", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "carer_add": ("family", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    # A carer in school B's "B only" family: LA editors change contact details; other roles lack EDIT_PUPILS.
    "carer_edit": ("carer", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "pupil_attendance": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "school_attendance": ("school", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "attendance_overview": (None, statuses()),
    "pn_threshold_list": (None, statuses()),
    "attendance_import_list": (None, statuses(ok=[*EDITORS, "school_a", "school_b"], forbidden=["legal_officer"])),
    "attendance_import_detail": ("import", statuses(ok=LA, not_found=["school_a", "school_b"])),
    "attendance_import_issues": ("import", statuses(ok=LA, not_found=["school_a", "school_b"])),
    # Issue 3 lists and the CTF review queue (targets: tests/attendance/fixtures.py, school B's side). A school user
    # reads the items held from their own uploads; resolving needs EDIT_PUPILS (LA editors).
    "attendance_pupil_list": (None, statuses()),
    "ctf_review_list": (None, statuses()),
    "ctf_review_detail": ("review_item", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "ctf_review_match": ("review_item", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "ctf_review_create": ("review_item", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "ctf_review_reject": ("review_item", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "api-attendance-pupil-list": (None, statuses(anonymous=401)),
    "api-attendance-overview-list": (None, statuses(anonymous=401)),
    "api-pn-threshold-list": (None, statuses(anonymous=401)),
    "api-pn-threshold-detail": ("pn_enrolment", statuses(ok=[*LA, "school_b"], not_found=["school_a"],
                                                         anonymous=401)),
    "api-attendance-import-list": (None, statuses(ok=[*EDITORS, "school_a", "school_b"], forbidden=["legal_officer"],
                                                  anonymous=401)),
    "api-attendance-import-detail": ("import", statuses(ok=LA, not_found=["school_a", "school_b"], anonymous=401)),
    "api-attendance-import-problems": ("import", statuses(ok=LA, not_found=["school_a", "school_b"], anonymous=401)),
    "api-ctf-review-list": (None, statuses(anonymous=401)),
    "api-ctf-review-detail": ("review_item", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    # POST-only resolutions (GET is not allowed); the writes and their scoping are in tests/attendance/test_ctf_review.
    "api-ctf-review-match": ("review_item", statuses(ok=(), others=405, anonymous=401)),
    "api-ctf-review-create-pupil": ("review_item", statuses(ok=(), others=405, anonymous=401)),
    "api-ctf-review-reject": ("review_item", statuses(ok=(), others=405, anonymous=401)),
    "audit_list": (None, statuses(ok=AUDITORS, forbidden=["la_officer", "legal_officer", "school_a", "school_b"])),
    "job_detail": ("job", statuses(ok=["la_officer"], not_found=[r for r in ROLES[:-1] if r != "la_officer"])),
    "job_download": ("job", statuses(ok=["la_officer"], not_found=[r for r in ROLES[:-1] if r != "la_officer"])),
    "job_retry": ("job", statuses(ok=(), others=405)),  # POST only; the retry itself: tests/faults/test_jobs.py
    "api-root": (None, statuses(anonymous=401)),
    "api_token": (None, statuses(ok=(), others=405, anonymous=405)),
    "api_schema": (None, statuses(anonymous=401)),
    "api_docs": (None, statuses(anonymous=401)),
    "api-school-list": (None, statuses(anonymous=401)),
    "api-school-detail": ("school", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-pupil-list": (None, statuses(anonymous=401)),
    "api-pupil-detail": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-enrolment-list": (None, statuses(anonymous=401)),
    "api-enrolment-detail": ("enrolment", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    # Cases and interventions (issue 4): the targets are school B's case (allocated to la_officer), its entry,
    # attachment, plan and task, a referral awaiting triage, and school B's TSM.
    "cases:list": (None, statuses()),
    "cases:export": (None, statuses()),
    "cases:my_work": (None, statuses()),
    "cases:team": (None, statuses(ok=AUDITORS, forbidden=["la_officer", "legal_officer", "school_a", "school_b"])),
    "cases:stage_guide": (None, statuses()),
    "cases:open": (None, statuses(ok=EDITORS, ok_status=302, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:detail": ("case", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:edit": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:stage": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:allocate": ("case", statuses(ok=AUDITORS, forbidden=["la_officer", "legal_officer", "school_a",
                                                                "school_b"])),
    "cases:close": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:entry_add": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:chronology_pdf": ("case", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:review_add": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:task_add": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:entry_edit": ("entry", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:attachment": ("attachment", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:task_complete": ("task", statuses(ok=(), others=405)),
    "cases:pupil_cases": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:referral_list": (None, statuses()),
    "cases:referral_create": (None, statuses(ok=["school_a", "school_b"], forbidden=LA)),
    "cases:referral_detail": ("referral", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:referral_triage": ("referral", statuses(ok=AUDITORS, forbidden=["la_officer", "legal_officer", "school_a",
                                                                          "school_b"])),
    "cases:tsm_list": (None, statuses()),
    "cases:tsm_create": (None, statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:tsm_detail": ("tsm", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "cases:tsm_edit": ("tsm", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:tsm_discussed_add": ("tsm", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:tsm_task_add": ("tsm", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cases:tsm_pack": ("tsm", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "interventions:list": (None, statuses()),
    "interventions:detail": ("intervention", statuses()),
    "interventions:plan_add": ("case", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "interventions:plan_edit": ("plan", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "interventions:plan_end": ("plan", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "api-case-list": (None, statuses(anonymous=401)),
    "api-case-detail": ("case", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-referral-list": (None, statuses(anonymous=401)),
    "api-referral-detail": ("referral", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-chronology-list": (None, statuses(anonymous=401)),
    "api-chronology-detail": ("entry", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-task-list": (None, statuses(anonymous=401)),
    "api-task-detail": ("task", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-tsm-list": (None, statuses(anonymous=401)),
    "api-tsm-detail": ("tsm", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-intervention-list": (None, statuses(anonymous=401)),
    "api-intervention-detail": ("intervention", statuses(anonymous=401)),
    "api-plan-list": (None, statuses(anonymous=401)),
    "api-plan-detail": ("plan", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    # Exclusions and provision (issue 5): the targets are school B's records for pupil_b (tests/exclusions/fixtures).
    "exclusion_list": (None, statuses()),
    "exclusion_reminders": (None, statuses()),
    "pupil_exclusions": ("pupil", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "exclusion_create": ("pupil", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                           not_found=["school_a"])),
    "exclusion_detail": ("exclusion", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "exclusion_edit": ("exclusion", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                             not_found=["school_a"])),
    "exclusion_review": ("exclusion", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                               not_found=["school_a"])),
    "exclusion_cancel": ("exclusion", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                               not_found=["school_a"])),
    "exclusion_reintegration": ("exclusion", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                                      not_found=["school_a"])),
    "day6_dashboard": (None, statuses()),
    "placement_list": (None, statuses()),
    "placement_create": ("pupil", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                           not_found=["school_a"])),
    "placement_end": ("placement", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                            not_found=["school_a"])),
    "part_time_list": (None, statuses()),
    "part_time_create": ("pupil", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                           not_found=["school_a"])),
    "part_time_detail": ("part_time", statuses(ok=[*LA, "school_b"], not_found=["school_a"])),
    "part_time_review": ("part_time", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                               not_found=["school_a"])),
    "managed_move_list": (None, statuses()),
    "managed_move_create": ("pupil", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                              not_found=["school_a"])),
    # The move is from B to A, but pupil_b was never on A's roll, so A cannot see it.
    "managed_move_outcome": ("managed_move", statuses(ok=[*EDITORS, "school_b"], forbidden=["legal_officer"],
                                                      not_found=["school_a"])),
    "ap_provider_list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"])),
    "ap_provider_create": (None, statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "fair_access_list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"])),
    "fair_access_create": ("pupil", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "fair_access_update": ("fair_access", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cme_list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"])),
    "cme_create": (None, statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "cme_detail": ("cme", statuses(ok=LA, forbidden=["school_a", "school_b"])),
    "cme_close": ("cme", statuses(ok=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    # Not yet commenced (CNIS_REGISTER_ENABLED is off): 404 for the roles that could otherwise use it.
    "cnis_list": (None, statuses(ok=(), not_found=LA, forbidden=["school_a", "school_b"])),
    "cnis_create": (None, statuses(ok=(), not_found=EDITORS, forbidden=["legal_officer", "school_a", "school_b"])),
    "api-exclusion-list": (None, statuses(anonymous=401)),
    "api-exclusion-detail": ("exclusion", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-placement-list": (None, statuses(anonymous=401)),
    "api-placement-detail": ("placement", statuses(ok=[*LA, "school_b"], not_found=["school_a"], anonymous=401)),
    "api-part-time-timetable-list": (None, statuses(anonymous=401)),
    "api-part-time-timetable-detail": ("part_time", statuses(ok=[*LA, "school_b"], not_found=["school_a"],
                                                             anonymous=401)),
    "api-managed-move-list": (None, statuses(anonymous=401)),
    "api-managed-move-detail": ("managed_move", statuses(ok=[*LA, "school_b"], not_found=["school_a"],
                                                         anonymous=401)),
    "api-ap-provider-list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
    "api-ap-provider-detail": ("ap_provider", statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
    "api-fair-access-list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
    "api-fair-access-detail": ("fair_access", statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
    "api-cme-record-list": (None, statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
    "api-cme-record-detail": ("cme", statuses(ok=LA, forbidden=["school_a", "school_b"], anonymous=401)),
}

KWARG_NAMES = {"pupil": "pk", "family": "pk", "enrolment": "pk", "job": "pk", "school": "urn", "import": "pk",
               "review_item": "pk", "pn_enrolment": "pk", "carer": "pk"}
KWARG_NAMES.update(dict.fromkeys(["case", "entry", "attachment", "referral", "tsm", "plan", "task",
                                  "intervention"], "pk"))
KWARG_NAMES.update(dict.fromkeys(["exclusion", "placement", "part_time", "managed_move", "ap_provider",
                                  "fair_access", "cme"], "pk"))
KWARG_NAMES.update(legal_matrix.KWARG_NAMES)
KWARG_NAMES.update(traded_matrix.KWARG_NAMES)
MATRIX.update(legal_matrix.ROWS)
MATRIX.update(traded_matrix.ROWS)
MATRIX.update(cases_matrix.ROWS)
KWARG_NAMES.update(cases_matrix.KWARG_NAMES)
MATRIX.update(exclusions_matrix.ROWS)
KWARG_NAMES.update(reporting_matrix.KWARG_NAMES)
MATRIX.update(reporting_matrix.ROWS)
KWARG_NAMES.update(data_protection_matrix.KWARG_NAMES)
MATRIX.update(data_protection_matrix.ROWS)
MATRIX.update(security_matrix.ROWS)
MATRIX.update(roll_matrix.ROWS)
KWARG_NAMES.update(roll_matrix.KWARG_NAMES)
MATRIX.update(duplicates_matrix.ROWS)
KWARG_NAMES.update(duplicates_matrix.KWARG_NAMES)
MATRIX.update(ehe_matrix.ROWS)
KWARG_NAMES.update(ehe_matrix.KWARG_NAMES)
API_LOOKUPS = {"school": "urn"}


def test_every_url_name_is_in_the_matrix():
    missing = _all_url_names() - set(MATRIX)
    assert not missing, f"URL names with no row in the permission matrix: {sorted(missing)}"
    stale = set(MATRIX) - _all_url_names()
    assert not stale, f"Matrix rows for URL names that no longer exist: {sorted(stale)}"


def _url(name, key, targets):
    if key is None:
        return reverse(name)
    kwarg = KWARG_NAMES[key]
    return reverse(name, kwargs={kwarg: targets[key]})


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(name, world, targets, client):
    key, expected = MATRIX[name]
    url = _url(name, key, targets)
    got = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        got[role] = client.get(url).status_code
    assert got == expected, f"{name} ({url})"


def test_admin_site_is_for_la_admins_only(world, client):
    client.force_login(world.users["la_admin"])
    assert client.get(reverse("admin:index")).status_code == 200
    for role in ["la_manager", "la_officer", "legal_officer", "school_a"]:
        client.force_login(world.users[role])
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
