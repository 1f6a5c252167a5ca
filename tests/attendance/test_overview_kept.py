"""The attendance overview at a large LA: LA staff share its figures for a few minutes or until the next register
import finishes, saying when they were added up; kept figures equal a fresh computation; school users' pages are
always added up on request; the table comes a page at a time."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.attendance.ctf_support import import_csv, week_lines

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-09-01", "end": "2025-12-19"}


@pytest.fixture
def large_la(settings, world, terms, django_capture_on_commit_callbacks):
    """Any LA counts as large here; Amy (school A) absent every afternoon of two weeks (50%)."""
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 1
    cache.clear()
    lines = week_lines(world.pupil_a, world.school_a, "/N" * 10)
    assert import_csv(world.users["la_officer"], lines, capture=django_capture_on_commit_callbacks).marks_written == 20
    yield world
    cache.clear()


def _overall(page: str) -> str:
    return re.search(r'data-testid="overall-absence">([^<]+)<', page).group(1)


def test_kept_figures_say_when_and_equal_a_fresh_computation(large_la, client):
    client.force_login(large_la.users["la_officer"])
    kept = client.get(reverse("attendance_overview"), PERIOD).content.decode()
    assert 'data-testid="figures-as-at"' in kept and "Add them up again now" in kept
    fresh = client.get(reverse("attendance_overview"), {**PERIOD, "fresh": "1"}).content.decode()
    assert _overall(kept) == _overall(fresh) == "50.0%"
    # Another LA officer shares them (the same figures, the same time).
    client.force_login(large_la.users["la_manager"])
    shared = client.get(reverse("attendance_overview"), PERIOD).content.decode()
    assert _overall(shared) == "50.0%"


def test_a_finished_import_ends_the_keeping_at_once(large_la, client, django_capture_on_commit_callbacks):
    client.force_login(large_la.users["la_officer"])
    assert _overall(client.get(reverse("attendance_overview"), PERIOD).content.decode()) == "50.0%"
    # Ben (school B) present for two weeks: the authority's absence halves to 25.0% at once, not after five minutes.
    lines = week_lines(large_la.pupil_b, large_la.school_b, "/\\" * 10)
    import_csv(large_la.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert _overall(client.get(reverse("attendance_overview"), PERIOD).content.decode()) == "25.0%"


def test_school_users_and_small_las_are_always_added_up_on_request(large_la, client, settings):
    client.force_login(large_la.users["school_a"])
    page = client.get(reverse("attendance_overview"), PERIOD).content.decode()
    assert 'data-testid="figures-as-at"' not in page and _overall(page) == "50.0%"
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 10 ** 9
    client.force_login(large_la.users["la_officer"])
    assert 'data-testid="figures-as-at"' not in client.get(reverse("attendance_overview"), PERIOD).content.decode()


def test_the_table_comes_a_page_at_a_time(large_la, client, monkeypatch, django_capture_on_commit_callbacks):
    from schools.common import web

    lines = week_lines(large_la.pupil_b, large_la.school_b, "/\\" * 10)
    import_csv(large_la.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    monkeypatch.setattr(web, "PAGE_SIZE", 1)
    client.force_login(large_la.users["la_officer"])
    first = client.get(reverse("attendance_overview"), {**PERIOD, "fresh": "1"}).content.decode()
    second = client.get(reverse("attendance_overview"), {**PERIOD, "fresh": "1", "page": "2"}).content.decode()
    names = [large_la.school_a.name, large_la.school_b.name]
    tables = [page.split('data-testid="overview-table"')[1].split("</table>")[0] for page in (first, second)]
    shown = [[name for name in names if f">{name}</a>" in table] for table in tables]
    assert sorted(shown[0] + shown[1]) == sorted(names) and len(shown[0]) == len(shown[1]) == 1
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def _counts_the_list(sql: str) -> bool:
    """The paginator's count of the enrolments listed (not la_pupils' count of the LA's pupils on SQLite)."""
    return sql.startswith('SELECT COUNT(*) AS "__count" FROM "schools_enrolment"')


def _count(page: str) -> int:
    return int(re.search(r'data-testid="result-count">([\d,]+) pupil', page).group(1).replace(",", ""))


def test_the_count_behind_a_figure_is_kept_until_the_next_import(large_la, client, django_capture_on_commit_callbacks,
                                                                 django_assert_max_num_queries):
    pa_list = reverse("attendance_pupil_list")
    client.force_login(large_la.users["la_officer"])

    def counts(queries) -> int:
        return sum(_counts_the_list(query["sql"]) for query in queries.captured_queries)

    # The first view counts the rows; the second reads the kept count, the same figure as counting now.
    with django_assert_max_num_queries(30) as first:
        assert _count(client.get(pa_list, {**PERIOD, "show": "pa"}).content.decode()) == 1  # Amy
    with django_assert_max_num_queries(30) as second:
        page = client.get(pa_list, {**PERIOD, "show": "pa", "phase": ""}).content.decode()
    assert counts(first) == 1 and counts(second) == 0 and _count(page) == 1
    # Ben absent every afternoon too: the next import ends the keeping at once.
    lines = week_lines(large_la.pupil_b, large_la.school_b, "/N" * 10)
    import_csv(large_la.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert _count(client.get(pa_list, {**PERIOD, "show": "pa"}).content.decode()) == 2
    # A school user's count is their own school's (the key is the list's SQL, which holds their scope).
    client.force_login(large_la.users["school_a"])
    assert _count(client.get(pa_list, {**PERIOD, "show": "pa"}).content.decode()) == 1


def test_a_search_is_counted_on_request(large_la, client, django_assert_max_num_queries):
    client.force_login(large_la.users["la_officer"])
    for _ in range(2):
        with django_assert_max_num_queries(30) as queries:
            page = client.get(reverse("attendance_pupil_list"), {**PERIOD, "show": "pa", "q": "Amy"}).content.decode()
        assert _count(page) == 1
        assert sum(_counts_the_list(query["sql"]) for query in queries.captured_queries) == 1
