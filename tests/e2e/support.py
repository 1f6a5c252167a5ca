"""Browser helpers for the e2e tests: the axe-core check, and a page wrapper that runs every check on every load.

Every page a test loads goes through ``Visit.goto``/``Visit.follow``, which check (after each load):
the HTTP status, axe-core (WCAG 2.0/2.1/2.2 A and AA rules), that GOV.UK Frontend's JavaScript ran, and that the
page raised no console errors, uncaught exceptions or failed asset loads (CSP violations show up as console errors).
A load that was not checked fails the test at teardown, so a new step cannot skip the checks by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, Response

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]

# resultTypes: only violations are wanted, so axe skips collecting every passing node (much faster).
_AXE_RUN = "async (tags) => await axe.run(document, {runOnly: tags, resultTypes: ['violations']})"


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the current document and return its violations (id, impact, help, nodes' targets)."""
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), (
        f"axe-core was not injected into {page.url}: open pages with the new_visit fixture")
    results = page.evaluate(_AXE_RUN, AXE_TAGS)
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "failureSummary": n.get("failureSummary", "")} for n in v["nodes"]],
        }
        for v in results["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found accessibility problems on {page.url}:\n{_format_violations(violations)}"


@dataclass
class Visit:
    """One signed-in (or not yet signed-in) browser context and page, with problem collection."""

    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)
    unchecked_loads: list[str] = field(default_factory=list)
    _expected_error_documents: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"uncaught exception on {self.page.url}: {error}"))
        self.page.on("response", self._on_response)
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("load", lambda page: self.unchecked_loads.append(page.url))

    # -- collection -------------------------------------------------------------------------------------------------

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and source in self._expected_error_documents:
            return  # the browser's own note about a page we asked for expecting a 4xx status
        self.problems.append(f"console error on {self.page.url}: {message.text} (from {source})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _on_request_failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            # Cancelled by the next navigation. A missing asset shows as a 4xx response, a CSP block in the console.
            return
        self.problems.append(f"request failed: {request.resource_type} {request.url}: {request.failure}")

    # -- navigation -------------------------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str, *, status: int = 200) -> Response:
        url = self.url(path)
        if status >= 400:
            self._expected_error_documents.add(url)
        response = self.page.goto(url)
        assert response is not None
        assert response.status == status, f"{url} answered {response.status}, expected {status}"
        self.check()
        return response

    def expect_error_page(self, path: str) -> None:
        """A page reached by redirects (not goto) that answers 4xx on purpose: the browser's console note about its
        status is not a problem."""
        self._expected_error_documents.add(self.url(path))

    def follow(self, locator: Locator, *, status: int = 200) -> Response:
        """Click a link or submit button that loads a new page, then check that page."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        assert response is not None
        assert response.status == status, f"{response.url} answered {response.status}, expected {status}"
        self.check()
        return response

    def check(self) -> None:
        """The checks every loaded page must pass."""
        self.page.wait_for_load_state("load")
        assert_accessible(self.page)
        assert self.page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')"), (
            f"GOV.UK Frontend's JavaScript (/assets/js/init.js) did not run on {self.page.url}")
        self.assert_no_problems()
        self.unchecked_loads.clear()

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "The browser reported problems:\n" + "\n".join(problems)

    # -- the service ------------------------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> None:
        self.goto("/sign-in/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"))
        assert re.fullmatch(re.escape(self.base_url) + "/?", self.page.url), f"sign-in ended at {self.page.url}"

    def sign_out(self) -> None:
        self.follow(self.page.get_by_role("button", name="Sign out"))
        assert self.page.url.startswith(self.url("/sign-in/")), self.page.url

    def main(self) -> Locator:
        return self.page.get_by_role("main")


# The data migrations' rows the pages rely on, each (app label, migration, function, a model it fills): an earlier
# transactional test's flush empties them, so every browser test puts back what is missing.
SEEDS = [
    ("interventions", "0002_seed_catalogue", "seed", "interventions.Intervention"),
    ("interventions", "0004_seed_traded_services", "seed", "interventions.TradedService"),
    ("legal", "0002_seed_checklist_and_letters", "seed", "legal.LetterTemplate"),
    ("reporting", "0002_national_figures", "load", "reporting.NationalFigure"),
    ("cases", "0006_seed_alert_rules", "seed", "cases.AlertRule"),
]


def reseed() -> None:
    import importlib

    from django.apps import apps

    for app, migration, function, model in SEEDS:
        if not apps.get_model(model).objects.exists():
            getattr(importlib.import_module(f"{app}.migrations.{migration}"), function)(apps, None)
