"""The admin site passes the same axe-core rules as the service's pages (WCAG 2.0/2.1/2.2 A and AA), for an LA admin.

The data is the demo authority at a small size, so every registered model has rows (the demo's academic years have
their terms, its teams their officers). An LA admin visits the admin index, every registered model's list, its add
page (where the admin offers one), one change page (and its history) of every model with a row, and the other pages
an admin reaches from them (a filtered search, a delete confirmation, the password change); an academic year's
terms get a new row, and each list with editable fields is checked as drawn. On each page: the status, axe-core and
the browser's console and asset loads, as tests.e2e.support.Visit.check does for the service's pages, without its
check that GOV.UK Frontend ran (the admin site is Django's, not GOV.UK Frontend's).

One allowance, about the checking tool and not the page: axe-core re-reads a stylesheet that has an @import rule
(the admin's forms.css imports widgets.css) by adding a <style> element, which the CSP (style-src 'self') blocks, so
the browser logs a violation "from axe.min.js". A browser without axe loads the same page with no violation. The
allowance is limited to that message, from axe-core's own script, on pages whose stylesheets do use @import.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import expect

from schools.demo import load_demo
from schools.models import AcademicYear, Closure, StagePolicy, User
from tests.e2e.support import AXE_PATH, Visit, _format_violations, axe_violations, reseed
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

ADMIN_LOGIN = "admin"  # the demo's LA admin (staff and superuser)
_USES_IMPORT = """() => Array.from(document.styleSheets).some((sheet) => {
  try { return Array.from(sheet.cssRules).some((rule) => rule instanceof CSSImportRule); } catch { return false; }
})"""
_AXE_OWN_STYLE = "Applying inline style violates the following Content Security Policy directive"


@pytest.fixture
def e2e_world(transactional_db, settings):
    """The demo authority, small, instead of the shared world (as tests/e2e/test_list_layout.py); its LA admin takes
    the tests' password."""
    settings.CNIS_REGISTER_ENABLED = True
    reseed()
    load_demo(pupils=200)
    user = User.objects.get(username=ADMIN_LOGIN)
    user.set_password(TEST_PASSWORD)
    user.save(update_fields=["password"])
    return user


def _page_findings(visit: Visit) -> list[str]:
    """Visit.check's checks, except GOV.UK Frontend's, returned rather than asserted so one run lists every page."""
    page = visit.page
    page.wait_for_load_state("load")
    findings = []
    violations = axe_violations(page)
    if violations:
        findings.append(f"axe-core on {page.url}:\n{_format_violations(violations)}")
    problems, visit.problems = visit.problems, []
    if any(_AXE_OWN_STYLE in problem for problem in problems) and page.evaluate(_USES_IMPORT):
        problems = [p for p in problems if not (_AXE_OWN_STYLE in p and p.endswith(f"(from {AXE_PATH})"))]
    findings += [f"browser on {page.url}: {problem}" for problem in problems]
    visit.unchecked_loads.clear()
    return findings


def _open(visit: Visit, path: str) -> list[str]:
    response = visit.page.goto(visit.url(path))
    assert response is not None
    if response.status != 200:
        visit.unchecked_loads.clear()
        return [f"{path} answered {response.status}"]
    return _page_findings(visit)


def _admin_pages(user: User) -> tuple[list[str], set[str]]:
    """Every registered model's list, add page (where offered) and first row's change and history pages; and the
    models with inlines whose change page is among them."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths, with_inlines = ["/admin/"], set()
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        paths.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            paths.append(reverse(f"{name}_add"))
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            paths += [reverse(f"{name}_change", args=[row.pk]), reverse(f"{name}_history", args=[row.pk])]
            if model_admin.get_inline_instances(request, row):
                with_inlines.add(opts.label)
    return paths, with_inlines


def test_every_admin_page_passes_axe(new_visit, e2e_world):
    user = e2e_world
    visit = new_visit(ADMIN_LOGIN)
    page = visit.page
    paths, with_inlines = _admin_pages(user)
    # The models with inlines, each with a row to show: an academic year's terms above all.
    assert {"schools.AcademicYear", "cases.Team"} <= with_inlines, with_inlines
    closure = Closure.objects.order_by("pk").first()
    paths += [
        "/admin/schools/auditevent/?q=&action__exact=update",
        "/admin/schools/school/?q=Primary",
        reverse("admin:schools_closure_delete", args=[closure.pk]),
        reverse("admin:password_change"),
    ]

    findings = []
    for path in paths:
        findings += _open(visit, path)

    # A new term row (the inline's "Add another"), drawn by the admin's script from its empty template row.
    year = AcademicYear.objects.filter(terms__isnull=False).order_by("pk").first()
    findings += _open(visit, reverse("admin:schools_academicyear_change", args=[year.pk]))
    terms = page.locator("#terms-group")
    before = terms.locator("tr.form-row:not(.empty-form)").count()
    terms.get_by_role("button", name="Add another Term").click()
    expect(terms.locator("tr.form-row:not(.empty-form)")).to_have_count(before + 1)
    findings += _page_findings(visit)
    if not terms.locator("tr.form-row:not(.empty-form)").last.get_by_label("Start date, new term").is_visible():
        findings.append("the new term row's start date has no label 'Start date, new term'")

    # The filter_horizontal widget (drawn by script): its filter boxes are named.
    findings += _open(visit, reverse("admin:schools_user_change", args=[user.pk]))
    available = "Type into this box to filter down the list of available groups."
    if not page.get_by_role("textbox", name=available).is_visible():
        findings.append(f"a user's groups filter box is not named {available!r}")

    assert not findings, f"{len(findings)} problems on the admin site:\n" + "\n".join(findings)


def test_the_stage_thresholds_in_force_show_on_the_list(new_visit, e2e_world):
    """Without pressing Add: the defaults while the authority has saved none, then its own once saved here."""
    visit = new_visit(ADMIN_LOGIN)
    page = visit.page
    assert not StagePolicy.objects.exists()
    findings = _open(visit, reverse("admin:schools_stagepolicy_changelist"))
    assert not findings, findings
    in_force = page.get_by_test_id("thresholds-in-force")
    rows = in_force.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Stage 1: Prevention")
    expect(rows.nth(0)).to_contain_text("From 91%")
    expect(rows.nth(0)).to_contain_text("91% and above")
    expect(rows.nth(1)).to_contain_text("81% up to (not including) 91%")
    expect(rows.nth(2)).to_contain_text("below 81%")
    expect(in_force).to_contain_text("School Attendance Matters")
    expect(in_force).to_contain_text("the authority has not saved thresholds of its own")

    with page.expect_navigation():
        page.get_by_role("link", name="Set the authority's own thresholds").click()
    findings = _page_findings(visit)
    assert not findings, findings
    page.get_by_label("Stage 1 (prevention) from").fill("95")
    page.get_by_label("Stage 2 (early intervention) from").fill("85.5")
    page.get_by_label("Source").fill("Schools forum paper, 4 March 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    findings = _page_findings(visit)
    assert not findings, findings
    assert page.url.endswith(reverse("admin:schools_stagepolicy_changelist")), page.url
    expect(rows.nth(0)).to_contain_text("95% and above")
    expect(rows.nth(1)).to_contain_text("85.5% up to (not including) 95%")
    expect(in_force).to_contain_text("Schools forum paper, 4 March 2026")
    expect(in_force).to_contain_text("set by Alex Morgan")
    # The saved policy's row, with every figure, its source and since when.
    result = page.locator("#result_list tbody tr")
    expect(result).to_have_count(1)
    for text in ("95% and above", "85.5% up to (not including) 95%", "below 85.5%", "Schools forum paper"):
        expect(result).to_contain_text(text)
    expect(page.get_by_role("link", name="Change the thresholds")).to_be_visible()
