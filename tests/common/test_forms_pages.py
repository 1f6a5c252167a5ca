"""Every page, as a role that may open it (the permission matrix's rows and targets): every POST form is novalidate,
so the browser never blocks with its own pop-ups; and every page holding a form, submitted empty, answers with the
GOV.UK error summary in words that say what to do, never Django's "This field is required." and never a 500."""

from __future__ import annotations

import re

import pytest
from _pytest.fixtures import FixtureFunctionDefinition

from tests import test_permission_matrix as matrix
from tests.matrix_support import ROLES

# The permission matrix's rows and its `targets` fixture, with every fixture that one needs (areas add theirs there).
MATRIX, _url = matrix.MATRIX, matrix._url
globals().update({name: value for name, value in vars(matrix).items()
                  if isinstance(value, FixtureFunctionDefinition)})

pytestmark = pytest.mark.django_db

FORM_TAG = re.compile(r"<form\b[^>]*>", re.I)
POST = re.compile(r"""method\s*=\s*["']?post""", re.I)


def _pages():
    """(URL name, a role that gets 200) for every page (not API) in the matrix."""
    for name in sorted(MATRIX):
        key, expected = MATRIX[name]
        if name.startswith("api") or "api-" in name:
            continue
        role = next((r for r in ROLES[:-1] if expected.get(r) == 200), None)
        if role:
            yield name, key, role


def _post_forms(html: str) -> list[str]:
    return [tag for tag in FORM_TAG.findall(html) if POST.search(tag)]


HIDDEN = re.compile(r"<input\b(?=[^>]*type=\"hidden\")[^>]*>", re.I)
NAME, VALUE = re.compile(r'name="([^"]*)"'), re.compile(r'value="([^"]*)"')


def _as_sent_empty(html: str) -> dict:
    """What a browser sends when nothing is filled in: the hidden fields (the record's version) and the button."""
    data = {"submit": "submit"}
    for tag in HIDDEN.findall(html):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            data[name.group(1)] = value.group(1) if value else ""
    return data


def test_every_post_form_on_every_page_is_novalidate(world, targets, client):
    without, pages_with_forms = [], 0
    for name, key, role in _pages():
        client.force_login(world.users[role])
        response = client.get(_url(name, key, targets))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        forms = _post_forms(response.content.decode())
        pages_with_forms += bool(forms)
        without += [f"{name} ({role}): {tag}" for tag in forms if "novalidate" not in tag]
    assert pages_with_forms > 40, "the walk should reach the pages with forms"
    assert not without, "POST forms the browser would validate:\n" + "\n".join(without)


def test_every_form_page_submitted_empty_says_what_to_do(world, targets, client):
    """A form page posting to itself (the form_page pattern), submitted with nothing filled in."""
    problems, summaries = [], 0
    for name, key, role in _pages():
        url = _url(name, key, targets)
        client.force_login(world.users[role])
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        self_posting = [tag for tag in _post_forms(html) if 'action=' not in tag or f'action="{url}"' in tag]
        if not self_posting:
            continue
        answer = client.post(url, _as_sent_empty(html))
        text = answer.content.decode() if answer.status_code == 200 else ""
        if answer.status_code >= 500:
            problems.append(f"{name} ({role}): {answer.status_code}")
        elif "This field is required." in text:
            problems.append(f"{name} ({role}): Django's 'This field is required.'")
        elif "govuk-form-group--error" in text and "govuk-error-summary" not in text:
            problems.append(f"{name} ({role}): field errors without the error summary")
        summaries += "govuk-error-summary" in text
    assert summaries > 30, "the walk should reach the form pages"
    assert not problems, "\n".join(problems)
