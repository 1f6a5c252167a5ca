"""Every PDF the service makes comes from schools.common.pdf, which tags it (PDF/UA-1) and refuses remote fetches."""

from __future__ import annotations

import pathlib
import re

import pytest

from schools.common.pdf import RemoteFetchRefused, html_to_pdf, htmls_to_one_pdf
from tests.pdf_support import assert_tagged_pdf

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ('<html lang="en-GB"><head><title>{title}</title></head><body><h1>{title}</h1><h2>Figures</h2>'
        '<table><caption>Sessions</caption><thead><tr><th scope="col">Week</th><th scope="col">Absent</th></tr>'
        '</thead><tbody><tr><td>1</td><td>3</td></tr></tbody></table><ul><li>One</li></ul></body></html>')


def test_only_the_one_pdf_entry_uses_weasyprint():
    users = [str(path.relative_to(ROOT)) for app in ("schools", "cases", "interventions", "legal", "reporting",
                                                      "config")
             for path in (ROOT / app).rglob("*.py")
             if re.search(r"^\s*(from|import) weasyprint", path.read_text(), re.M)]
    assert users == ["schools/common/pdf.py"]


def test_a_pdf_is_tagged_with_its_title_language_headings_tables_and_lists():
    facts = assert_tagged_pdf(html_to_pdf(PAGE.format(title="Warning letter")), title="Warning letter",
                              roles={"H1", "H2", "Table", "TH", "TD", "L", "LI"})
    assert facts["lang"] == "en-GB"


def test_a_batch_of_letters_is_one_tagged_pdf():
    content = htmls_to_one_pdf([PAGE.format(title="Letter one"), PAGE.format(title="Letter two")])
    assert_tagged_pdf(content, title="Letter one")


def test_a_template_asking_for_a_remote_resource_is_refused():
    with pytest.raises(RemoteFetchRefused, match="may not load external resources"):
        html_to_pdf('<html lang="en"><head><title>x</title></head><body>'
                    '<img src="http://example.invalid/logo.png" alt=""></body></html>')
