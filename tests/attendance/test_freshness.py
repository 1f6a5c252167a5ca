"""Data freshness: each school's last register day, kept by the register writer, and the schools whose registers have
stopped arriving for three of their school days (today not counted), shown where their figures are read.

The terms fixture's autumn 2025 term starts Wednesday 3 September with half term 27-31 October.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from schools.attendance import freshness
from schools.models import Closure, SchoolRegisterStatus
from tests.attendance.ctf_support import import_csv, week_lines

pytestmark = pytest.mark.django_db
D = datetime.date


def _import(world, capture, pupil, school, codes, start):
    result = import_csv(world.users["la_officer"], week_lines(pupil, school, codes, start=start), capture=capture)
    assert result.job.status == "succeeded", result.job.message


def _missing(school, today) -> int:
    [found] = freshness.freshness([school], today)
    return found.school_days_missing


def test_the_writer_keeps_each_schools_last_register_day(world, terms, django_capture_on_commit_callbacks):
    # School A: Monday 8 to Wednesday 10 September; school B: the whole week to Friday 12th.
    _import(world, django_capture_on_commit_callbacks, world.pupil_a, world.school_a, "/\\" * 3, D(2025, 9, 8))
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 9, 8))
    last = dict(SchoolRegisterStatus.objects.values_list("school_id", "last_register_date"))
    assert last == {world.school_a.pk: D(2025, 9, 10), world.school_b.pk: D(2025, 9, 12)}
    # Last week's corrections do not make a school look behind.
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "NN", D(2025, 9, 8))
    assert SchoolRegisterStatus.objects.get(school=world.school_b).last_register_date == D(2025, 9, 12)


def test_one_file_for_two_schools_gives_each_its_own_last_day(world, terms, django_capture_on_commit_callbacks):
    """Worked out from the rows the file writes (no query): a morning or an afternoon alone is a day with a mark.
    School A: Monday 8 and Tuesday 9 September, then Wednesday afternoon only; school B: Monday to Wednesday, then
    Thursday morning only."""
    def line(pupil, school, day, session):
        return f"{pupil.upn},{school.urn},2025-09-{day:02d},{session},/"

    lines = [line(world.pupil_a, world.school_a, day, session) for day in (8, 9) for session in ("AM", "PM")]
    lines.append(line(world.pupil_a, world.school_a, 10, "PM"))
    lines += [line(world.pupil_b, world.school_b, day, session) for day in (8, 9, 10) for session in ("AM", "PM")]
    lines.append(line(world.pupil_b, world.school_b, 11, "AM"))
    result = import_csv(world.users["la_officer"], lines, capture=django_capture_on_commit_callbacks)
    assert result.job.status == "succeeded", result.job.message
    last = dict(SchoolRegisterStatus.objects.values_list("school_id", "last_register_date"))
    assert last == {world.school_a.pk: D(2025, 9, 10), world.school_b.pk: D(2025, 9, 11)}


def test_three_school_days_without_registers_is_behind(world, terms, django_capture_on_commit_callbacks):
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 9, 8))
    # After Friday 12 September: Monday 15, Tuesday 16 and Wednesday 17 are school days; today never counts.
    assert _missing(world.school_b, D(2025, 9, 17)) == 2
    assert _missing(world.school_b, D(2025, 9, 18)) == 3
    [late] = [f for f in freshness.freshness([world.school_b], D(2025, 9, 18))]
    assert late.stale and late.last_register_date == D(2025, 9, 12)


def test_half_term_and_closures_are_not_school_days(world, terms, django_capture_on_commit_callbacks):
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 10, 20))
    # Last register Friday 24 October; half term 27-31 October; Monday 3 and Tuesday 4 November: 2 by Wednesday 5th.
    assert _missing(world.school_b, D(2025, 11, 5)) == 2
    assert _missing(world.school_b, D(2025, 11, 6)) == 3
    # The school closed on Tuesday 4 November (a boiler failure): not a day it owed a register.
    Closure.objects.create(date=D(2025, 11, 4), school=world.school_b, kind=Closure.Kind.CLOSURE, reason="Boiler")
    assert _missing(world.school_b, D(2025, 11, 6)) == 2


def test_a_school_never_heard_from_counts_from_its_term_start(world, terms):
    # Autumn term from Wednesday 3 September: 3, 4 and 5 September by Monday 8th.
    assert _missing(world.school_a, D(2025, 9, 8)) == 3
    assert freshness.freshness([world.school_a], D(2025, 9, 8))[0].last_register_date is None


def test_where_it_shows(world, terms, client, django_capture_on_commit_callbacks):
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 9, 8))
    _import(world, django_capture_on_commit_callbacks, world.pupil_a, world.school_a, "/\\" * 5, D(2025, 9, 15))
    with time_machine.travel(datetime.datetime(2025, 9, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(world.users["la_manager"])
        home = client.get(reverse("home")).content.decode()
        assert "Schools with no registers for 3 school days or more" in home
        assert "Beta Academy: last 12 Sep, 5 school days" in home and "Alpha Primary: last" not in home
        overview = client.get(reverse("attendance_overview"), {"group": "school", "start": "2025-09-01",
                                                              "end": "2025-09-30"}).content.decode()
        assert overview.count('data-testid="stale-data"') == 1
        page = client.get(reverse("school_attendance", args=[world.school_b.urn]),
                          {"start": "2025-09-01", "end": "2025-09-30"}).content.decode()
        assert "No registers from Beta Academy for 5 school days" in page
        # An officer's home has no registers panel; a school user's names their school.
        client.force_login(world.users["la_officer"])
        assert "Schools with no registers" not in client.get(reverse("home")).content.decode()
        client.force_login(world.users["school_b"])
        assert "<h1 class=\"govuk-heading-xl\">Beta Academy</h1>" in client.get(reverse("home")).content.decode()


def test_home_panels_lead_with_each_roles_work(world, terms, client):
    """The legal panel: a school sees its requests waiting; an LA decider sees the requests to decide."""
    client.force_login(world.users["school_b"])
    school_home = client.get(reverse("home")).content.decode()
    assert "Penalty notice requests" in school_home and "Waiting for the LA&#x27;s decision" in school_home
    client.force_login(world.users["legal_officer"])
    legal_home = client.get(reverse("home")).content.decode()
    assert "Schools&#x27; requests to decide" in legal_home
    assert "Penalty-notice threshold worklist" in legal_home  # no run kept yet: the link without a count


def test_a_large_la_works_out_the_schools_behind_once_until_registers_arrive(
        world, terms, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    """At a large LA (any LA here) the schools behind are kept for everyone for a few minutes: the same list as
    working it out now, and a register arriving ends the keeping at once."""
    manager = world.users["la_manager"]
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 9, 8))
    today = D(2025, 9, 22)
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 10 ** 9
    worked_out = [(f.school, f.last_register_date, f.school_days_missing)
                  for f in freshness.stale_schools(manager, today)]
    assert [school for school, *_ in worked_out] == [world.school_a, world.school_b]  # A never sent any
    settings.REPORT_SNAPSHOT_FROM_PUPILS = 0
    calendars_read = []
    for _ in range(2):
        with django_assert_max_num_queries(10) as queries:
            kept = [(f.school, f.last_register_date, f.school_days_missing)
                    for f in freshness.stale_schools(manager, today)]
        assert kept == worked_out
        calendars_read.append(any('"schools_term"' in query["sql"] for query in queries.captured_queries))
    assert calendars_read == [True, False]  # the second time, no calendar is read
    # A school user's list is their own school's, from the same kept figures.
    assert [f.school for f in freshness.stale_schools(world.users["school_b"], today)] == [world.school_b]
    # School B's registers to Friday 19 September arrive: it is no longer behind, at once.
    _import(world, django_capture_on_commit_callbacks, world.pupil_b, world.school_b, "/\\" * 5, D(2025, 9, 15))
    assert [f.school for f in freshness.stale_schools(manager, today)] == [world.school_a]
