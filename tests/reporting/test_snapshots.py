"""Dashboard figures kept for LA staff (reporting.snapshots): kept only for many schools at once at a large LA
(here the size is set to nought so the small fixture LA counts as large), shown "as at" their time, equal to a fresh
computation, never kept as snapshots for one school or for school users (whose figures are kept briefly in the cache
instead), marked out of date by a register import and refreshed to the fresh figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from legal import services as legal_services
from reporting import selectors as s
from reporting import snapshots
from reporting import tasks as reporting_tasks
from reporting.models import FigureSnapshot
from schools.common import providers

pytestmark = pytest.mark.django_db
D = datetime.date

SECTIONS = ["attendance", "exclusions", "legal", "casework", "provision"]


def fresh(user, sections=SECTIONS, summary=True):
    return s.report_figures(s.scope_for(user), s.report_period_for(None), sections=sections, summary=summary)


def same_figures(one: s.Report, other: s.Report, sections=SECTIONS) -> bool:
    return all(getattr(one, name) == getattr(other, name) for name in sections)


def test_a_slow_dashboard_is_kept_and_shown_as_at_its_time_with_the_fresh_figures(report_world, client, settings):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    manager = report_world.users["la_manager"]
    client.force_login(manager)
    first = client.get(reverse("reporting:dashboard"))
    assert first.status_code == 200 and 'data-testid="figures-as-at"' not in first.content.decode()
    kept = FigureSnapshot.objects.get()
    assert kept.user == manager and kept.summary and kept.sections == ",".join(SECTIONS)
    second = client.get(reverse("reporting:dashboard")).content.decode()
    assert 'data-testid="figures-as-at"' in second and "Figures as at" in second
    # The kept figures are the figures a fresh computation gives, section by section.
    figures = snapshots.report_figures_for(s.scope_for(manager), s.report_period_for(None), sections=SECTIONS,
                                           summary=True)
    assert figures.as_at == kept.computed_at
    assert same_figures(figures.report, fresh(manager))
    # An LA admin (who may also read traded income) shares them; an officer looking at every school does not (no
    # traded income for them), nor does the same scope for another period or without the summary.
    period = s.report_period_for(None)
    assert snapshots.snapshot_key(s.scope_for(report_world.users["la_admin"]), period, SECTIONS, True) == kept.key
    officer_all = s.scope_for(report_world.users["la_officer"], mine=False)
    assert officer_all.kind == "la"
    assert snapshots.snapshot_key(officer_all, period, SECTIONS, True) != kept.key
    assert snapshots.snapshot_key(s.scope_for(manager), period, SECTIONS, False) != kept.key


def test_a_small_la_one_school_and_school_users_have_no_snapshots(report_world, client, settings):
    client.force_login(report_world.users["la_manager"])
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    assert not FigureSnapshot.objects.exists()  # the fixture LA has far fewer pupils than REPORT_SNAPSHOT_FROM_PUPILS
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    period = s.report_period_for(None)
    lead = report_world.users["school_b"]
    officer = report_world.users["la_officer"]
    for scope in (s.scope_for(lead), s.scope_for(report_world.users["la_manager"], school=report_world.world.school_b)):
        assert snapshots.snapshot_key(scope, period, SECTIONS, True) is None, scope.kind
    # An officer's own schools are many schools at a large LA: kept, under a key of their own.
    mine = s.scope_for(officer, mine=True)
    assert mine.kind == "mine"
    assert snapshots.snapshot_key(mine, period, SECTIONS, True) not in (
        None, snapshots.snapshot_key(s.scope_for(officer, mine=False), period, SECTIONS, True))
    client.force_login(lead)
    assert client.get(reverse("reporting:dashboard")).status_code == 200
    client.force_login(report_world.users["la_manager"])
    assert client.get(reverse("reporting:dashboard"), {"school": report_world.world.school_b.urn}).status_code == 200
    assert not FigureSnapshot.objects.exists()


def test_the_dashboard_and_each_section_are_kept_apart(report_world, client, settings):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    manager = report_world.users["la_manager"]
    client.force_login(manager)
    client.get(reverse("reporting:dashboard"))
    client.get(reverse("reporting:section", args=["legal"]))
    client.get(reverse("reporting:section", args=["legal"]))
    assert sorted(FigureSnapshot.objects.values_list("sections", "summary")) == [
        ("attendance,exclusions,legal,casework,provision", True), ("legal", False)]
    kept = snapshots.report_figures_for(s.scope_for(manager), s.report_period_for(None), sections=["legal"])
    assert kept.as_at is not None
    assert kept.report.legal == s.report_figures(s.scope_for(manager), s.report_period_for(None),
                                                 sections=["legal"]).legal


def test_an_import_marks_them_out_of_date_and_the_refresh_brings_the_fresh_figures(
        report_world, client, settings, django_capture_on_commit_callbacks):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    manager = report_world.users["la_manager"]
    client.force_login(manager)
    client.get(reverse("reporting:dashboard"))
    before = fresh(manager)
    # A penalty notice paid after the figures were kept: the kept figures still show the earlier count.
    legal = report_world.legal
    notice = legal_services.notice_issue(user=report_world.users["la_officer"], pupil=report_world.pupils["pupil_a"],
                                         carer=legal.parent, notice_type="term_time_leave",
                                         period_start=D(2026, 11, 9), period_end=D(2026, 11, 13),
                                         issued_on=D(2026, 11, 17), served_on=D(2026, 11, 17),
                                         service_method="hand")
    legal_services.payment_record(user=report_world.users["legal_officer"], reference=notice.reference,
                                  amount=Decimal("80.00"), paid_on=D(2026, 11, 19), method="bank")
    after = fresh(manager)
    assert after.legal != before.legal
    kept = snapshots.report_figures_for(s.scope_for(manager), s.report_period_for(None), sections=SECTIONS,
                                        summary=True)
    assert kept.report.legal == before.legal and kept.stale_since is None
    # A register import runs each app's step: ours marks the kept figures out of date and queues the refresh.
    steps = dict(providers.steps("attendance.imported"))
    assert "dashboard figures" in steps and "early-warning alerts" in steps
    with django_capture_on_commit_callbacks(execute=False) as queued:
        steps["dashboard figures"](school_ids=[report_world.world.school_b.pk])
    assert len(queued) == 1
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert "registers have been imported since" in page
    # The refresh (run here as the worker would) adds them up again: equal to the fresh figures, no longer stale.
    assert reporting_tasks.refresh_report_snapshots(only_stale=True) == 1
    kept = snapshots.report_figures_for(s.scope_for(manager), s.report_period_for(None), sections=SECTIONS,
                                        summary=True)
    assert kept.stale_since is None and same_figures(kept.report, after)
    assert "registers have been imported since" not in client.get(reverse("reporting:dashboard")).content.decode()


def test_the_refresh_drops_figures_nobody_may_ask_for_again(report_world, client, settings):
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    manager = report_world.users["la_manager"]
    client.force_login(manager)
    client.get(reverse("reporting:dashboard"))
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert snapshots.refresh_snapshots() == 0
    assert not FigureSnapshot.objects.exists()


def test_one_schools_figures_are_kept_briefly_equal_to_fresh_ones_until_the_next_import(
        report_world, client, settings, django_capture_on_commit_callbacks):
    from tests.attendance.ctf_support import import_csv, week_lines

    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    lead = report_world.users["school_b"]
    client.force_login(lead)
    first = client.get(reverse("reporting:dashboard")).content.decode()
    assert 'data-testid="figures-as-at"' not in first  # added up for this request
    second = client.get(reverse("reporting:dashboard")).content.decode()
    assert "They are kept for up to 5 minutes" in second and not FigureSnapshot.objects.exists()
    scope, period = s.scope_for(lead), s.report_period_for(None)
    kept = snapshots.report_figures_for(scope, period, sections=SECTIONS, summary=True)
    assert kept.as_at is not None and kept.kept_minutes == 5
    assert same_figures(kept.report, s.report_figures(scope, period, sections=SECTIONS, summary=True))
    # Another school's lead, an LA manager looking at this school, and the LA-wide scope each have keys of their own.
    key = snapshots.brief_key(scope, period, SECTIONS, True)
    manager = report_world.users["la_manager"]
    others = [s.scope_for(report_world.users["school_a"]), s.scope_for(manager, school=report_world.world.school_b)]
    assert key not in {snapshots.brief_key(other, period, SECTIONS, True) for other in others}
    # A finished register import ends the keeping at once: the next view adds them up again.
    lines = week_lines(report_world.world.pupil_b, report_world.world.school_b, "/\\" * 10, start=D(2026, 11, 23))
    import_csv(report_world.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert snapshots.brief_key(scope, period, SECTIONS, True) != key
    assert 'data-testid="figures-as-at"' not in client.get(reverse("reporting:dashboard")).content.decode()
