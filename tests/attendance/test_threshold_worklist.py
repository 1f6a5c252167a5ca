"""The penalty-notice threshold worklist: kept runs (schools.attendance.threshold), brought up to date by imports and by
the actions recorded on a pupil, filtered, sorted and paged in SQL, with the next action on each row, scoped to what
each user may see.

Registers (two weeks from Monday 8 September 2025): Amy (school A) N every afternoon, 10 unauthorised sessions in two
school weeks, so she meets the threshold in the week of 15 September; Ben (school B) N on one Monday, 2: he does not.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import services as case_services
from legal import services as legal_services
from legal.models import Letter, LetterTemplate
from schools.attendance import selectors, threshold
from schools.models import PnThresholdEntry, PnThresholdRun
from tests.attendance.ctf_support import import_csv, week_lines
from tests.factories import EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-09-01", "end": "2025-12-19"}
D = datetime.date


@pytest.fixture
def registers(world, terms, django_capture_on_commit_callbacks):
    officer = world.users["la_officer"]
    officer.job_title, officer.phone = "Attendance officer", "01273 000000"  # letters sign off with them
    officer.save()
    lines = week_lines(world.pupil_a, world.school_a, "/N" * 10)
    lines += week_lines(world.pupil_b, world.school_b, "NN" + "/\\" * 9)
    result = import_csv(officer, lines, capture=django_capture_on_commit_callbacks)
    assert result.marks_written == 40, result.job.message
    return terms


def _page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("pn_threshold_list"), {**PERIOD, **query})
    assert response.status_code == 200, response.status_code
    return response


def _rows(response) -> list[PnThresholdEntry]:
    return list(response.context["page"].object_list)


def test_the_worklist_shows_who_met_it_with_no_action_yet(world, registers, client):
    response = _page(client, world.users["la_officer"])
    [row] = _rows(response)
    assert (row.pupil_id, row.sessions, row.window_end) == (world.pupil_a.pk, 10, D(2025, 9, 15))
    assert not row.actioned and "No action yet" in response.content.decode()
    assert row.case_pk is None and row.notices_3y == 0
    # The run is kept: the next page reads it without scanning the registers again.
    assert PnThresholdRun.objects.count() == 1


def test_an_import_brings_the_kept_run_up_to_date_for_its_school(world, registers, client,
                                                                 django_capture_on_commit_callbacks):
    _page(client, world.users["la_officer"])  # the run is made and kept
    week3 = datetime.date(2025, 9, 22)
    import_csv(world.users["la_officer"], week_lines(world.pupil_b, world.school_b, "NNNNNNNN/\\", start=week3),
               capture=django_capture_on_commit_callbacks)
    rows = {row.pupil_id: row for row in _rows(_page(client, world.users["la_officer"]))}
    # Ben: 2 in the week of 8 September and 8 in the week of 22 September make 10 by then.
    assert (rows[world.pupil_b.pk].sessions, rows[world.pupil_b.pk].window_end) == (10, week3)
    assert rows[world.pupil_a.pk].window_end == D(2025, 9, 15)  # Amy's run entry kept as it was
    # The brought-up-to-date run is what a fresh scan gives.
    period = selectors.Period("custom", "", D(2025, 9, 1), D(2025, 12, 19))
    fresh = {w.enrolment_id: (w.sessions, w.window_start, w.window_end)
             for w in selectors.pn_threshold_windows(None, period)}
    kept = {e.enrolment_id: (e.sessions, e.window_start, e.window_end) for e in PnThresholdEntry.objects.all()}
    assert kept == fresh


def test_each_recorded_action_takes_the_row_out_of_no_action_yet(world, registers, client):
    officer = world.users["la_officer"]
    assert [r.pupil_id for r in _rows(_page(client, officer, action="none"))] == [world.pupil_a.pk]
    case = case_services.case_open(user=officer, pupil=world.pupil_a, case_type="attendance", summary="Absence",
                                   officer=officer)
    [row] = _rows(_page(client, officer))
    assert (row.last_action, row.case_pk, row.officer_name) == (PnThresholdEntry.Action.CASE, case.pk,
                                                                officer.display_name)
    assert _rows(_page(client, officer, action="none")) == []
    case_services.entry_add(user=officer, case=case, entry_type="call", occurred_on=datetime.date.today(),
                            summary="Spoke to mum")
    assert _rows(_page(client, officer))[0].last_action == PnThresholdEntry.Action.CONTACT
    template = LetterTemplate.objects.filter(kind="warning_letter", is_active=True).first()
    legal_services.letter_send(user=officer, template=template, pupil=world.pupil_a,
                               carer=world.pupil_a.family.carers.first(), case=case)
    [row] = _rows(_page(client, officer, action="done"))
    assert row.last_action == PnThresholdEntry.Action.LETTER
    # Worked out again from the records (the nightly run), the last action is the same.
    threshold.compute_run(selectors.Period("custom", "", D(2025, 9, 1), D(2025, 12, 19)))
    assert PnThresholdEntry.objects.get().last_action == PnThresholdEntry.Action.LETTER


def test_filters_sort_and_pages(world, registers, client):
    for n in range(55):  # more than a page of pupils at school A
        enrolment = EnrolmentFactory(pupil=PupilFactory(legal_last_name=f"Zed{n:02d}"), school=world.school_a,
                                     nc_year=3 if n % 2 else 4)
        PnThresholdEntry.objects.create(run=threshold.run_for(selectors.Period("custom", "", D(2025, 9, 1),
                                                                               D(2025, 12, 19))),
                                        enrolment=enrolment, pupil=enrolment.pupil, school=world.school_a,
                                        sessions=10 + n % 7, window_start=D(2025, 9, 8), window_end=D(2025, 9, 15))
    officer = world.users["la_officer"]
    first = _page(client, officer)
    assert first.context["page"].paginator.count == 56 and len(_rows(first)) == 50
    second = _rows(_page(client, officer, page=2))
    assert not {r.pk for r in second} & {r.pk for r in _rows(first)}
    by_sessions = [r.sessions for r in _rows(_page(client, officer, sort="-sessions"))]
    assert by_sessions == sorted(by_sessions, reverse=True) and by_sessions[0] == 16
    assert _page(client, officer, year="3").context["page"].paginator.count == 27
    assert _page(client, officer, school=world.school_b.urn).context["page"].paginator.count == 0
    assert _page(client, officer, q="Zed07").context["page"].paginator.count == 1
    headers = {h["key"]: h for h in _page(client, officer, sort="sessions").context["headers"]}
    assert headers["sessions"]["aria"] == "ascending" and "sort=-sessions" in headers["sessions"]["href"]


def test_a_looked_after_child_can_be_picked_out(world, registers, client):
    world.pupil_a.looked_after = True
    world.pupil_a.save()
    assert len(_rows(_page(client, world.users["la_officer"], group="looked_after"))) == 1
    assert _rows(_page(client, world.users["la_officer"], group="ehcp")) == []


def test_a_school_sees_only_its_own_pupils_and_no_legal_counts(world, registers, client,
                                                             django_capture_on_commit_callbacks):
    import_csv(world.users["la_officer"], week_lines(world.pupil_b, world.school_b, "NNNNNNNN/\\",
                                                     start=D(2025, 9, 22)),
               capture=django_capture_on_commit_callbacks)
    school_b = world.users["school_b"]
    response = _page(client, school_b)
    assert [r.pupil_id for r in _rows(response)] == [world.pupil_b.pk]
    assert _rows(response)[0].notices_3y is None
    body = response.content.decode()
    assert "Request a notice" in body and "Issue a notice" not in body and 'name="entry"' not in body
    client.force_login(school_b)
    assert client.get(reverse("pn_threshold_list"), {**PERIOD, "school": world.school_a.urn}).status_code == 404


def test_bulk_warning_letters_for_the_ticked_rows_only_and_only_ones_the_user_may_see(
        world, registers, client, django_capture_on_commit_callbacks):
    officer = world.users["la_officer"]
    [row] = _rows(_page(client, officer))
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("legal:batch_selected"), {"entry": [row.pk, "999999"], "next": "/x"})
    assert response.status_code == 302 and "/legal/letters/batches/" in response["Location"]
    letters = Letter.objects.filter(pupil=world.pupil_a)
    assert letters.count() == world.pupil_a.family.carers.filter(parental_responsibility=True).count()
    [row] = _rows(_page(client, officer))
    assert row.last_action == PnThresholdEntry.Action.LETTER
    # Nothing ticked: told so, nothing made.
    client.force_login(officer)
    again = client.post(reverse("legal:batch_selected"), {"next": reverse("pn_threshold_list")}, follow=True)
    assert "Choose at least one pupil" in again.content.decode()


def test_the_nightly_run_makes_the_offered_periods_and_drops_old_ones(world, registers):
    today = datetime.date(2025, 11, 3)
    stale = PnThresholdRun.objects.create(period_key="custom", start=D(2025, 9, 1), end=D(2025, 9, 30),
                                          computed_at=datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC))
    made = threshold.refresh_current_runs(today)
    offered = {(p.key, p.start, p.end) for p in selectors.available_periods(today)}
    assert made == len(offered)
    assert {(r.period_key, r.start, r.end) for r in PnThresholdRun.objects.all()} == offered
    assert not PnThresholdRun.objects.filter(pk=stale.pk).exists()
