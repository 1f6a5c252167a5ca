"""Data protection (issue 9): this area's rows of the permission matrix, merged by test_permission_matrix.py.

The access report and the subject access export are for LA managers and admins (READ_AUDIT, RUN_SUBJECT_ACCESS):
everyone else gets 403 before any pupil is looked up. An export belongs to whoever asked for it (the manager here),
so even an admin gets 404 for someone else's.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from schools.models import Job
from tests.matrix_support import AUDITORS, statuses

NOT_AUDITORS = ["la_officer", "legal_officer", "school_a", "school_b"]

ROWS: dict = {
    "data_protection:access_report": ("pupil", statuses(ok=AUDITORS, forbidden=NOT_AUDITORS)),
    "data_protection:subject_access": ("pupil", statuses(ok=AUDITORS, forbidden=NOT_AUDITORS)),
    "data_protection:sar_detail": ("sar_job", statuses(ok=["la_manager"], not_found=["la_admin"],
                                                       forbidden=NOT_AUDITORS)),
    "data_protection:sar_download": ("sar_job", statuses(ok=["la_manager"], not_found=["la_admin"],
                                                         forbidden=NOT_AUDITORS)),
    "data_protection:retention": (None, statuses(ok=AUDITORS, forbidden=NOT_AUDITORS)),
}
KWARG_NAMES: dict = {"sar_job": "pk"}


@pytest.fixture
def data_protection_targets(world) -> dict:
    job = Job.objects.create(kind=Job.Kind.SUBJECT_ACCESS, created_by=world.users["la_manager"],
                             status=Job.Status.SUCCEEDED, params={"pupil_id": world.pupil_b.pk})
    job.result_file.save("matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    return {"sar_job": job.pk}
