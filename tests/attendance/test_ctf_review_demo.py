"""The demo CTF review queue: every reason and every status, through the real import and resolution services."""

from __future__ import annotations

import pytest

from schools.demo import load_demo
from schools.models import CtfReviewItem, Pupil

pytestmark = pytest.mark.django_db


def test_demo_queue_has_every_status_and_reason():
    load_demo(seed=2026, pupils=300)
    items = CtfReviewItem.objects.all()
    assert set(items.values_list("status", flat=True)) == set(CtfReviewItem.Status.values)
    pending = items.filter(status="pending")
    assert {"unknown_upn", "details_differ", "former_upn"} <= set(pending.values_list("reason", flat=True))
    created = items.get(status="created")
    assert created.marks_written + created.marks_unchanged + created.marks_changed > 0
    assert Pupil.objects.filter(upn=created.upn).exists()
    matched = items.get(status="matched")
    assert matched.pupil.upn == matched.upn and matched.pupil.former_upn
    # The school user follows the pupils held from the file they sent.
    assert CtfReviewItem.objects.visible_to(matched.attendance_import.uploaded_by).count() >= 5
