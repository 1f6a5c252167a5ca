"""Data protection in a real browser, with the axe-core, console and asset checks on every page load: a manager
opens a pupil's Record access tab (who viewed it), makes the subject access export and downloads the ZIP, then reads
the retention dry run from the audit page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_manager_reads_record_access_and_downloads_the_subject_access_export(new_visit, e2e_world):
    pupil = e2e_world.pupil_b
    officer = new_visit("la_officer")
    officer.goto(f"/pupils/{pupil.pk}/")  # a view the report must show

    visit = new_visit("la_manager")
    page = visit.page
    visit.goto(f"/pupils/{pupil.pk}/")
    visit.follow(page.get_by_role("navigation", name="Pupil record").get_by_role("link", name="Record access"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has viewed this record")
    expect(visit.main().get_by_role("table")).to_contain_text("la_officer")
    visit.follow(page.get_by_role("link", name="Subject access export of everything held on this pupil"))
    visit.follow(page.get_by_role("button", name="Make the export"))
    expect(page.get_by_test_id("job-status")).to_have_text("Finished")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the export (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(archive.read("subject-access.json"))["pupil_id"] == pupil.pk
    assert archive.read("subject-access.pdf").startswith(b"%PDF-")

    visit.goto("/audit/")
    visit.follow(page.get_by_role("link", name="Retention and anonymisation"))
    expect(page.get_by_test_id("due-count")).to_have_text("0 pupils")
