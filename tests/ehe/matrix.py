"""Elective home education (issue 21): this area's rows of the permission matrix, merged by test_permission_matrix.

The register is the LA's: every page needs VIEW_LA_REGISTERS (LA roles) or MANAGE_LA_REGISTERS (admin, manager,
officer), so school users get 403 before any record is read (a record is read through the LA-only scope, 404
otherwise). The s437(1) notice pages are legal's: WORK_LEGAL (manager, officer, legal officer).
"""

from __future__ import annotations

import datetime

import pytest

from legal.ehe import services as legal_ehe
from tests.ehe.fixtures import family_pupil, unsuitable_record
from tests.matrix_support import EDITORS, LA, ROLES, statuses

D = datetime.date
SCHOOLS = ["school_a", "school_b"]
WORKERS = ["la_manager", "la_officer", "legal_officer"]


def _only(ok, *, ok_status=200):
    return statuses(ok=ok, ok_status=ok_status, forbidden=[r for r in ROLES[:-1] if r not in ok])


def _editors_post_only():
    return statuses(ok=EDITORS, ok_status=405, forbidden=["legal_officer", *SCHOOLS])


def _api(ok_status=200):
    return statuses(ok=LA, ok_status=ok_status, forbidden=SCHOOLS, anonymous=401)


ROWS: dict = {
    "ehe_list": (None, statuses(ok=LA, forbidden=SCHOOLS)),
    "ehe_create": (None, _only(EDITORS)),
    "ehe_detail": ("ehe", statuses(ok=LA, forbidden=SCHOOLS)),
    "ehe_consent": ("ehe", _only(EDITORS)),
    "ehe_contact": ("ehe", _only(EDITORS)),
    "ehe_suitability": ("ehe", _only(EDITORS)),
    "ehe_enquiry": ("ehe", _only(EDITORS)),
    "ehe_enquiry_reply": ("ehe", _only(EDITORS)),
    "ehe_enquiry_letter": ("ehe", _only(EDITORS)),
    "ehe_return": ("ehe", _only(EDITORS)),
    "ehe_close": ("ehe", _only(EDITORS)),
    "ehe_cnis": ("ehe", _editors_post_only()),  # POST only (tests/ehe/test_cnis.py)
    "legal:ehe_notice": ("ehe", _only(WORKERS)),
    "legal:ehe_notice_letter": ("ehe_sao", _only(WORKERS)),
    "api-home-education-list": (None, _api()),
    "api-home-education-detail": ("ehe", _api()),
    # The record's steps are POST actions: a GET is 405 for LA roles, after the role check (403 for schools).
    "api-home-education-contacts": ("ehe", _api(405)),
    "api-home-education-consent": ("ehe", _api(405)),
    "api-home-education-suitability": ("ehe", _api(405)),
    "api-home-education-enquiry": ("ehe", _api(405)),
    "api-home-education-enquiry-reply": ("ehe", _api(405)),
    "api-home-education-return-to-school": ("ehe", _api(405)),
    "api-home-education-close": ("ehe", _api(405)),
}
KWARG_NAMES: dict = {"ehe": "pk", "ehe_sao": "pk"}


@pytest.fixture
def ehe_targets(world) -> dict:
    officer = world.users["la_officer"]
    record = unsuitable_record(officer, world.pupil_b)
    pupil, carer = family_pupil(world.school_b)
    served = unsuitable_record(officer, pupil)
    sao = legal_ehe.ehe_serve_notice(user=officer, record=served, carer=carer, notice_served_on=D(2026, 11, 20),
                                     notice_period_days=15)
    return {"ehe": record.pk, "ehe_sao": sao.pk}
