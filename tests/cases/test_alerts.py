"""Early-warning alerts (issue 15): each kind of rule on a worked example computed by hand, the episodes (no
duplicates on re-running, a new episode after one cleared or was dealt with), who an alert goes to, the run after an
import, and the rules as data.

The LA calendar is tests/exclusions/fixtures.build_calendar's: 2026/27 autumn term 2 September to 18 December 2026
with half term 26 to 30 October; the term before it is the 2025/26 summer term. Unless a test says otherwise the day
evaluated is the suite's clock, Monday 23 November 2026, so "the last 2 school weeks" are the weeks of 16 and 23
November and "the last 4" those of 2, 9, 16 and 23 November.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.alerts import rules
from cases.alerts.services import evaluate_alerts
from cases.models import Alert, AlertRule, Case, SchoolLinkOfficer, Team, TeamMember
from schools.exclusions import services as exclusion_services
from schools.models import Enrolment, Pupil, Term
from tests.attendance.marks import store_marks
from tests.exclusions.fixtures import build_calendar
from tests.factories import CaseFactory, EnrolmentFactory, PupilFactory, UserFactory

D = datetime.date
TODAY = D(2026, 11, 23)  # a Monday


@pytest.fixture
def calendar(world):
    build_calendar(world)
    return {"autumn": Term.objects.get(academic_year__name="2026/27", name="autumn", school__isnull=True),
            "summer": Term.objects.get(academic_year__name="2025/26", name="summer", school__isnull=True)}


def correct(world, enrolment_row, term, marks):
    """Marks that change stored ones, as a later import would (a change is recorded against its source file)."""
    import polars as pl
    from django.core.files.base import ContentFile

    from schools.attendance import writer
    from schools.models import AttendanceImport, Job
    from tests.attendance.marks import SCHEMA

    user = world.users["la_officer"]
    source = AttendanceImport(kind="csv", original_name="corrections.csv", uploaded_by=user,
                              job=Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user))
    source.file.save("corrections.csv", ContentFile(b"upn,school,date,session,code\n"), save=True)
    frame = pl.DataFrame([(enrolment_row.pk, day, session, code, term.pk, term.academic_year_id)
                          for day, session, code in marks], schema=SCHEMA, orient="row")
    return writer.store(frame, source_id=source.pk)


def rule(key: str) -> AlertRule:
    return AlertRule.objects.get(key=key)


def enrolment(pupil, school=None) -> Enrolment:
    enrolments = Enrolment.objects.filter(pupil=pupil, end_date__isnull=True)
    return enrolments.get(school=school) if school else enrolments.get()


def present(*days: datetime.date) -> list[tuple]:
    return [mark for day in days for mark in ((day, 0, "/"), (day, 1, "\\"))]


def weekdays(monday: datetime.date, n: int = 5) -> list[datetime.date]:
    return [monday + datetime.timedelta(days=i) for i in range(n)]


def fired(key: str, today=TODAY, school_ids=None) -> dict[int, rules.Fired]:
    return {f.pupil_id: f for f in rules.evaluate(rule(key), today=today, school_ids=school_ids)}


# --- The rules as data ------------------------------------------------------------------------------------------------

def test_the_default_rules_are_seeded_with_their_figures_and_sources(db):
    seeded = {r.key: r for r in AlertRule.objects.all()}
    assert set(seeded) >= {"unexplained-in-a-row", "vulnerable-unauthorised", "suspension-social-worker",
                           "persistent-absence-term", "severe-absence-term", "attendance-fall"}
    assert (seeded["unexplained-in-a-row"].sessions, seeded["unexplained-in-a-row"].weeks) == (3, 2)
    assert (seeded["attendance-fall"].points, seeded["attendance-fall"].weeks) == (5, 4)
    assert "Working together to improve school attendance" in seeded["vulnerable-unauthorised"].source
    assert "Suspension and permanent exclusion" in seeded["suspension-social-worker"].source
    for seeded_rule in seeded.values():
        seeded_rule.full_clean()  # each has exactly the figures its kind uses
        assert seeded_rule.condition and seeded_rule.goes_to and seeded_rule.active


def test_a_rule_needs_the_figures_its_kind_uses_and_no_others(db):
    bad = AlertRule(key="five-in-a-row", name="5 in a row", kind=AlertRule.Kind.CONSECUTIVE_UNEXPLAINED,
                    condition="5 sessions in a row", goes_to="Officer", source="LA decision", weeks=2, points=5)
    with pytest.raises(Exception) as error:
        bad.full_clean()
    assert set(error.value.message_dict) == {"sessions", "points"}
    assert "Enter the sessions in a row" in error.value.message_dict["sessions"][0]


def test_the_nightly_evaluation_runs_after_the_attendance_recompute():
    alerts = settings.CELERY_BEAT_SCHEDULE["casework-early-warning-alerts"]
    recompute = settings.CELERY_BEAT_SCHEDULE["attendance-nightly-recompute"]
    assert alerts["task"] == "cases.tasks.evaluate_alerts"

    def at(entry):
        schedule = entry["schedule"]
        return min(schedule.hour) * 60 + min(schedule.minute)

    assert at(alerts) > at(recompute)


# --- Unexplained absences in a row -----------------------------------------------------------------------------------

def test_three_unexplained_sessions_in_a_row_across_a_weekend(world, calendar):
    """Pupil A: present Monday to Thursday of the week of 16 November and Friday morning; N on Friday 20 November
    afternoon, N on Monday 23 November morning, O that afternoon: Fri PM, Mon AM, Mon PM are three school sessions in
    a row. Pupil B: N on Friday afternoon, present on Monday morning, N on Monday afternoon: no run of three."""
    autumn = calendar["autumn"]
    store_marks(enrolment(world.pupil_a), autumn, present(*weekdays(D(2026, 11, 16), 4))
                + [(D(2026, 11, 20), 0, "/"), (D(2026, 11, 20), 1, "N"), (D(2026, 11, 23), 0, "N"),
                   (D(2026, 11, 23), 1, "O")])
    store_marks(enrolment(world.pupil_b), autumn, present(*weekdays(D(2026, 11, 16), 4))
                + [(D(2026, 11, 20), 0, "/"), (D(2026, 11, 20), 1, "N"), (D(2026, 11, 23), 0, "/"),
                   (D(2026, 11, 23), 1, "N")])
    result = fired("unexplained-in-a-row")
    assert set(result) == {world.pupil_a.pk}
    evidence = result[world.pupil_a.pk].evidence
    assert result[world.pupil_a.pk].school_id == world.school_a.pk
    assert evidence["sessions"] == 3 and evidence["codes"] == {"N": 2, "O": 1}
    assert evidence["from"] == {"date": "2026-11-20", "session": "PM"}
    assert evidence["to"] == {"date": "2026-11-23", "session": "PM"}
    alert = Alert(rule=rule("unexplained-in-a-row"), evidence=evidence)
    assert alert.evidence_summary == ("3 sessions in a row marked N or O (2 N, 1 O): Fri 20 Nov 2026 PM to "
                                      "Mon 23 Nov 2026 PM")


def test_three_unexplained_sessions_in_a_row_across_half_term(world, calendar):
    """Half term is 26 to 30 October. Pupil A: N on Friday 23 October (both sessions) and on Monday 2 November
    morning, present that afternoon: three school sessions in a row, found on Wednesday 4 November because the last 2
    *school* weeks are those of 19 October and 2 November (two calendar weeks would start at half term and miss the
    Friday). Pupil B: the school marked half term # (planned closure), which is not a school session either:
    Friday PM N, Monday 2 November AM and PM N make three in a row."""
    autumn = calendar["autumn"]
    store_marks(enrolment(world.pupil_a), autumn, present(D(2026, 10, 22))
                + [(D(2026, 10, 23), 0, "N"), (D(2026, 10, 23), 1, "N"), (D(2026, 11, 2), 0, "N"),
                   (D(2026, 11, 2), 1, "/")])
    store_marks(enrolment(world.pupil_b), autumn,
                [(D(2026, 10, 23), 0, "/"), (D(2026, 10, 23), 1, "N")]
                + [(day, s, "#") for day in weekdays(D(2026, 10, 26)) for s in (0, 1)]
                + [(D(2026, 11, 2), 0, "N"), (D(2026, 11, 2), 1, "N")])
    result = fired("unexplained-in-a-row", today=D(2026, 11, 4))
    assert set(result) == {world.pupil_a.pk, world.pupil_b.pk}
    a, b = result[world.pupil_a.pk].evidence, result[world.pupil_b.pk].evidence
    assert a["window_from"] == "2026-10-19"
    assert (a["from"], a["to"], a["sessions"]) == ({"date": "2026-10-23", "session": "AM"},
                                                   {"date": "2026-11-02", "session": "AM"}, 3)
    assert (b["from"], b["to"], b["sessions"]) == ({"date": "2026-10-23", "session": "PM"},
                                                   {"date": "2026-11-02", "session": "PM"}, 3)
    # Two weeks later the run has left the last 2 school weeks (16 and 23 November): the rule no longer holds.
    assert fired("unexplained-in-a-row", today=D(2026, 11, 16)) == {}


# --- Unauthorised absence of a vulnerable child ----------------------------------------------------------------------

def test_one_unexplained_absence_of_a_looked_after_child(world, calendar):
    """Pupil B is looked after and has one N, on Tuesday 17 November morning; pupil A (no social worker, no EHC plan)
    has the same N and does not fire; the pupil who moved to B has an EHC plan and one G on Wednesday 18 November."""
    Pupil.objects.filter(pk=world.pupil_b.pk).update(looked_after=True)
    Pupil.objects.filter(pk=world.moved.pk).update(sen_status=Pupil.SenStatus.EHCP)
    autumn = calendar["autumn"]
    for pupil in (world.pupil_a, world.pupil_b):
        store_marks(enrolment(pupil), autumn, present(D(2026, 11, 16)) + [(D(2026, 11, 17), 0, "N"),
                                                                          (D(2026, 11, 17), 1, "/")])
    store_marks(enrolment(world.moved), autumn, [(D(2026, 11, 18), 0, "G"), (D(2026, 11, 18), 1, "G")])
    result = fired("vulnerable-unauthorised")
    assert set(result) == {world.pupil_b.pk, world.moved.pk}
    looked_after = result[world.pupil_b.pk].evidence
    assert looked_after["why"] == ["Looked after"] and looked_after["sessions"] == 1
    assert looked_after["marks"] == [{"date": "2026-11-17", "session": "AM", "code": "N"}]
    assert looked_after["key"] == "absent-2026-11-17-AM"
    ehcp = result[world.moved.pk]
    assert ehcp.school_id == world.school_b.pk and ehcp.evidence["why"] == ["EHC plan"]
    assert ehcp.evidence["sessions"] == 2
    summary = Alert(rule=rule("vulnerable-unauthorised"), evidence=looked_after).evidence_summary
    assert summary == "Looked after: 1 unauthorised session since Mon 16 Nov 2026; latest N on Tue 17 Nov 2026 AM"


# --- Suspension of a child with a social worker ----------------------------------------------------------------------

def _suspend(world, pupil, school, start, sessions=4):
    user = world.users["school_b"] if school == world.school_b else world.users["school_a"]
    return exclusion_services.exclusion_record(user=user, pupil=pupil, school=school, kind="suspension",
                                               start_date=start, length_sessions=sessions, reasons=["VA"])


def test_a_suspension_of_a_child_with_a_social_worker(world, calendar):
    """Pupil B has a social worker named on their record and is suspended from Wednesday 18 November for 4 sessions;
    pupil A, suspended too, has no social worker; a cancelled suspension of the pupil who moved (on a child protection
    plan) does not count."""
    Pupil.objects.filter(pk=world.pupil_b.pk).update(social_worker_name="Sam Social")
    Pupil.objects.filter(pk=world.moved.pk).update(cin_cp=Pupil.CinCp.CP)
    suspension = _suspend(world, world.pupil_b, world.school_b, D(2026, 11, 18))
    _suspend(world, world.pupil_a, world.school_a, D(2026, 11, 18))
    cancelled = _suspend(world, world.moved, world.school_b, D(2026, 11, 19))
    type(cancelled).objects.filter(pk=cancelled.pk).update(cancelled_on=D(2026, 11, 19),
                                                           cancellation_reason="Entered in error")
    result = fired("suspension-social-worker")
    assert set(result) == {world.pupil_b.pk}
    evidence = result[world.pupil_b.pk].evidence
    assert evidence["key"] == f"exclusion-{suspension.pk}" and evidence["start"] == "2026-11-18"
    assert evidence["kind"] == "Suspension" and evidence["why"] == ["Social worker named"]
    assert evidence["length"] == "4 sessions (2 days)"
    # Four weeks on it has left the rule's window.
    assert fired("suspension-social-worker", today=D(2026, 12, 17)) == {}


# --- Persistent and severe absence this term -------------------------------------------------------------------------

def test_crossing_persistent_absence_this_term(world, calendar):
    """Pupil A, weeks of 2 and 9 November: 19 present and 1 N of 20 possible sessions is 5% absence, not persistent;
    a second N makes 2 of 20, exactly 10%, which is. Pupil B: 1 absence of 5 possible (20%) is under the rule's
    minimum of 10 possible sessions this term, so not yet."""
    autumn = calendar["autumn"]
    days = weekdays(D(2026, 11, 2)) + weekdays(D(2026, 11, 9))
    store_marks(enrolment(world.pupil_a), autumn, present(*days[1:]) + [(days[0], 0, "N"), (days[0], 1, "/")])
    store_marks(enrolment(world.pupil_b), autumn, present(*days[:2]) + [(days[2], 0, "N")])
    assert fired("persistent-absence-term") == {}
    correct(world, enrolment(world.pupil_a), autumn, [(days[0], 1, "N")])
    result = fired("persistent-absence-term")
    assert set(result) == {world.pupil_a.pk}
    evidence = result[world.pupil_a.pk].evidence
    assert (evidence["term"], evidence["possible"], evidence["absent"], evidence["percent"]) == (
        "Autumn term 2026/27", 20, 2, "10.0")
    assert evidence["unauthorised"] == 2 and evidence["key"] == f"term-{autumn.pk}"
    assert fired("severe-absence-term") == {}
    summary = Alert(rule=rule("persistent-absence-term"), evidence=evidence).evidence_summary
    assert summary == "Autumn term 2026/27: absent 2 of 20 possible sessions (10.0%)"


def test_severe_absence_this_term(world, calendar):
    """Pupil A, week of 9 November: 5 sessions of illness and 5 present of 10 possible: exactly 50%."""
    store_marks(enrolment(world.pupil_a), calendar["autumn"],
                [(day, s, "I") for day in weekdays(D(2026, 11, 9), 3) for s in (0, 1)][:5]
                + [(D(2026, 11, 11), 1, "/")] + present(D(2026, 11, 12), D(2026, 11, 13)))
    result = fired("severe-absence-term")
    assert set(result) == {world.pupil_a.pk}
    assert (result[world.pupil_a.pk].evidence["absent"], result[world.pupil_a.pk].evidence["possible"]) == (5, 10)
    assert set(fired("persistent-absence-term")) == {world.pupil_a.pk}


# --- Attendance falling ----------------------------------------------------------------------------------------------

def _summer(world, calendar, pupil, absent: int):
    """100 possible sessions in the 2025/26 summer term (ten school weeks), ``absent`` of them illness."""
    mondays = [D(2026, 4, 13), D(2026, 4, 20), D(2026, 4, 27), D(2026, 5, 4), D(2026, 5, 11), D(2026, 5, 18),
               D(2026, 6, 1), D(2026, 6, 8), D(2026, 6, 15), D(2026, 6, 22)]
    marks = [(day, s, "/" if s == 0 else "\\") for monday in mondays for day in weekdays(monday) for s in (0, 1)]
    marks = [(day, s, "I") for day, s, _ in marks[:absent]] + marks[absent:]
    store_marks(enrolment(pupil), calendar["summer"], marks)


def _autumn_weeks(world, calendar, pupil, absent: int):
    """The weeks of 2, 9 and 16 November (30 possible sessions), ``absent`` of them illness; and the week of
    19 October, all illness, which is before the last 4 school weeks and so must not count."""
    days = weekdays(D(2026, 11, 2)) + weekdays(D(2026, 11, 9)) + weekdays(D(2026, 11, 16))
    marks = [(day, s, "/" if s == 0 else "\\") for day in days for s in (0, 1)]
    marks = [(day, s, "I") for day, s, _ in marks[:absent]] + marks[absent:]
    marks += [(day, s, "I") for day in weekdays(D(2026, 10, 19)) for s in (0, 1)]
    store_marks(enrolment(pupil), calendar["autumn"], marks)


def test_a_fall_of_five_points_over_the_last_four_school_weeks(world, calendar):
    """Pupil A: 95 of 100 in the summer term (95.0%), 27 of 30 in the last 4 school weeks (90.0%): down exactly 5
    points, so the rule fires. Pupil B: 95.0% then 28 of 30 (93.3%): down 1.7 points, it does not."""
    _summer(world, calendar, world.pupil_a, absent=5)
    _summer(world, calendar, world.pupil_b, absent=5)
    _autumn_weeks(world, calendar, world.pupil_a, absent=3)
    _autumn_weeks(world, calendar, world.pupil_b, absent=2)
    result = fired("attendance-fall")
    assert set(result) == {world.pupil_a.pk}
    evidence = result[world.pupil_a.pk].evidence
    assert evidence["recent"] == {"possible": 30, "attended": 27, "percent": "90.0"}
    assert evidence["before"] == {"term": "Summer term 2025/26", "possible": 100, "attended": 95, "percent": "95.0"}
    assert evidence["fall"] == "5.0" and evidence["window_from"] == "2026-11-02"


# --- Episodes ---------------------------------------------------------------------------------------------------------

def _looked_after_with_an_n(world, calendar, pupil, day=None):
    day = day or D(2026, 11, 17)
    Pupil.objects.filter(pk=pupil.pk).update(looked_after=True)
    store_marks(enrolment(pupil), calendar["autumn"], [(day, 0, "N"), (day, 1, "/")])


def test_re_running_opens_no_duplicates(world, calendar):
    _looked_after_with_an_n(world, calendar, world.pupil_a)
    _looked_after_with_an_n(world, calendar, world.pupil_b)
    first = evaluate_alerts(today=TODAY)
    assert first["opened"] == 2
    assert evaluate_alerts(today=TODAY) == {"opened": 0, "cleared": 0, "refreshed": 0}
    assert evaluate_alerts(school_ids=[world.school_a.pk], today=TODAY)["opened"] == 0
    assert Alert.objects.filter(rule=rule("vulnerable-unauthorised")).count() == 2


def test_a_new_episode_opens_after_the_last_one_cleared(world, calendar):
    """A run of three unexplained sessions opens an alert; the school corrects Monday morning's N to I, so the
    rule no longer holds and the alert clears; a new run later that week opens a second episode."""
    autumn = calendar["autumn"]
    store_marks(enrolment(world.pupil_a), autumn, [(D(2026, 11, 20), 1, "N"), (D(2026, 11, 23), 0, "N"),
                                                   (D(2026, 11, 23), 1, "O")])
    evaluate_alerts(today=TODAY)
    first = Alert.objects.get(rule__key="unexplained-in-a-row")
    correct(world, enrolment(world.pupil_a), autumn, [(D(2026, 11, 23), 0, "I")])
    assert evaluate_alerts(today=TODAY)["cleared"] == 1
    first.refresh_from_db()
    assert first.cleared_on == TODAY and first.status == Alert.Status.OPEN
    store_marks(enrolment(world.pupil_a), autumn, [(D(2026, 11, 24), 0, "/"), (D(2026, 11, 24), 1, "/"),
                                                   (D(2026, 11, 25), 0, "N"), (D(2026, 11, 25), 1, "N"),
                                                   (D(2026, 11, 26), 0, "O")])
    assert evaluate_alerts(today=D(2026, 11, 26))["opened"] == 1
    episodes = Alert.objects.filter(rule__key="unexplained-in-a-row", pupil=world.pupil_a).order_by("pk")
    assert [(a.opened_on, a.cleared_on) for a in episodes] == [(TODAY, TODAY), (D(2026, 11, 26), None)]
    assert episodes[1].evidence["from"] == {"date": "2026-11-25", "session": "AM"}


def test_a_dealt_with_episode_stays_until_something_new_happens(world, calendar):
    """Dealt with, the same suspension opens nothing more; a second suspension is a new event: the dealt-with
    episode clears and a new one opens. While an episode is still to do, a new event updates its evidence."""
    Pupil.objects.filter(pk=world.pupil_b.pk).update(social_worker_name="Sam Social")
    first = _suspend(world, world.pupil_b, world.school_b, D(2026, 11, 9), sessions=2)
    evaluate_alerts(today=D(2026, 11, 10))
    alert = Alert.objects.get(rule__key="suspension-social-worker")
    second = _suspend(world, world.pupil_b, world.school_b, D(2026, 11, 12), sessions=2)
    assert evaluate_alerts(today=D(2026, 11, 12)) == {"opened": 0, "cleared": 0, "refreshed": 1}
    alert.refresh_from_db()
    assert alert.evidence["exclusion"] == second.pk != first.pk
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.DONE, done_by=world.users["la_officer"],
                                             done_at=datetime.datetime(2026, 11, 13, 9, tzinfo=datetime.UTC),
                                             done_note="Social worker told")
    assert evaluate_alerts(today=D(2026, 11, 16))["opened"] == 0
    third = _suspend(world, world.pupil_b, world.school_b, D(2026, 11, 18), sessions=2)
    assert evaluate_alerts(today=D(2026, 11, 18)) == {"opened": 1, "cleared": 1, "refreshed": 0}
    episodes = list(Alert.objects.filter(rule__key="suspension-social-worker").order_by("pk"))
    assert episodes[0].cleared_on == D(2026, 11, 18) and episodes[0].status == Alert.Status.DONE
    assert episodes[1].evidence["exclusion"] == third.pk and episodes[1].cleared_on is None


def test_one_open_episode_per_rule_and_pupil_is_a_database_constraint(world, calendar):
    from django.db import IntegrityError, transaction

    made = Alert.objects.create(rule=rule("attendance-fall"), pupil=world.pupil_a, school=world.school_a,
                                opened_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule("attendance-fall"), pupil=world.pupil_a, school=world.school_a,
                             opened_on=TODAY)
    Alert.objects.filter(pk=made.pk).update(cleared_on=TODAY)
    Alert.objects.create(rule=rule("attendance-fall"), pupil=world.pupil_a, school=world.school_a, opened_on=TODAY)


def test_switched_off_rules_open_nothing(world, calendar):
    _looked_after_with_an_n(world, calendar, world.pupil_a)
    AlertRule.objects.update(active=False)
    assert evaluate_alerts(today=TODAY)["opened"] == 0


# --- Who an alert goes to --------------------------------------------------------------------------------------------

def test_assignment_case_officer_then_link_officer_then_team_inbox(world, calendar):
    """Pupil B has an open case with la_officer: theirs. Pupil A has no case; school A's link officer is Lin: hers.
    A third pupil at school B has neither: nobody, in the first team's inbox (East, before North). When Lin leaves
    (inactive), pupil A's next alert sits in her team's inbox (North)."""
    officer = world.users["la_officer"]
    lin = UserFactory(username="lin", first_name="Lin", role="la_officer")
    east = Team.objects.create(name="East", manager=world.users["la_manager"])
    north = Team.objects.create(name="North", manager=world.users["la_manager"])
    TeamMember.objects.create(team=east, officer=officer)
    TeamMember.objects.create(team=north, officer=lin)
    SchoolLinkOfficer.objects.create(school=world.school_a, officer=lin)
    CaseFactory(pupil=world.pupil_b, school=world.school_b, officer=officer)
    CaseFactory(pupil=world.pupil_b, school=world.school_b, officer=lin, status=Case.Status.CLOSED,
                closed_on=D(2026, 10, 1), outcome="improved", case_type="behaviour")
    third = PupilFactory()
    EnrolmentFactory(pupil=third, school=world.school_b)
    for pupil in (world.pupil_a, world.pupil_b, third):
        _looked_after_with_an_n(world, calendar, pupil)
    evaluate_alerts(today=TODAY)
    got = {a.pupil_id: (a.assigned_to_id, a.team_id) for a in Alert.objects.all()}
    assert got == {world.pupil_b.pk: (officer.pk, east.pk), world.pupil_a.pk: (lin.pk, north.pk),
                   third.pk: (None, east.pk)}
    Alert.objects.all().delete()
    type(lin).objects.filter(pk=lin.pk).update(is_active=False)
    evaluate_alerts(today=TODAY)
    assert Alert.objects.values_list("assigned_to_id", "team_id").get(pupil=world.pupil_a) == (None, north.pk)


# --- Scoped runs and the run after an import -------------------------------------------------------------------------

def test_an_evaluation_for_some_schools_leaves_the_others_alone(world, calendar):
    _looked_after_with_an_n(world, calendar, world.pupil_a)
    _looked_after_with_an_n(world, calendar, world.pupil_b)
    assert evaluate_alerts(school_ids=[world.school_a.pk], today=TODAY)["opened"] == 1
    assert list(Alert.objects.values_list("school_id", flat=True)) == [world.school_a.pk]
    correct(world, enrolment(world.pupil_a), calendar["autumn"], [(D(2026, 11, 17), 0, "I")])
    assert evaluate_alerts(school_ids=[world.school_b.pk], today=TODAY) == {"opened": 1, "cleared": 0,
                                                                           "refreshed": 0}
    assert Alert.objects.get(school=world.school_a).cleared_on is None  # school A was not evaluated
    assert evaluate_alerts(school_ids=[world.school_a.pk], today=TODAY)["cleared"] == 1


def test_an_import_evaluates_the_schools_it_touched(world, calendar, django_capture_on_commit_callbacks):
    """School B uploads its register with one N for its looked-after pupil: once the import job has saved the marks,
    the alerts are evaluated for school B (the import's schools) and the alert is there."""
    from schools.attendance.services import attendance_import_start

    Pupil.objects.filter(pk__in=[world.pupil_a.pk, world.pupil_b.pk]).update(looked_after=True)
    store_marks(enrolment(world.pupil_a), calendar["autumn"], [(TODAY, 0, "N")])  # school A: not imported now
    csv = (f"upn,school,date,session,code\n{world.pupil_b.upn},{world.school_b.urn},2026-11-23,AM,N\n"
           f"{world.pupil_b.upn},{world.school_b.urn},2026-11-23,PM,/\n")
    with django_capture_on_commit_callbacks(execute=True):
        attendance_import = attendance_import_start(
            user=world.users["school_b"], uploaded_file=SimpleUploadedFile("b.csv", csv.encode()), kind="csv",
            bad_rows="keep_good")
    attendance_import.job.refresh_from_db()
    assert attendance_import.job.status == "succeeded"
    assert list(Alert.objects.values_list("pupil_id", "school_id")) == [(world.pupil_b.pk, world.school_b.pk)]


@pytest.mark.django_db
def test_the_demo_has_alerts_for_people_to_deal_with(django_capture_on_commit_callbacks):
    from schools.demo import REFERENCE_DATE, load_demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo(pupils=600)
    alerts = Alert.objects.filter(opened_on=REFERENCE_DATE)
    kinds = set(alerts.values_list("rule__kind", flat=True))
    assert {AlertRule.Kind.PERSISTENT_ABSENCE, AlertRule.Kind.CONSECUTIVE_UNEXPLAINED} <= kinds, kinds
    # Every demo school has a link officer, so every alert is someone's.
    assert alerts.count() and not alerts.filter(assigned_to__isnull=True).exists()
