"""Forms that know what the service knows: the triage form chooses the stage the pupil's attendance suggests (the
LA's thresholds, one rule: schools.attendance.codes.suggested_stage via cases.selectors.attendance_figures) and says
why; the review form shows the attendance since the last review worked out from the registers, and the review keeps
that figure.

Register marks are written through the import's own week writer (tests/attendance/marks.py) in the LA's 2026/27
autumn term (tests/exclusions/fixtures.build_calendar: 2 September to 18 December 2026, half term 26 to 30 October).
The suite's clock is Monday 23 November 2026. Every expected percentage is worked out by hand in the test.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Case, Review
from schools.models import Enrolment, Term
from tests.attendance.marks import store_marks
from tests.exclusions.fixtures import build_calendar

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def autumn(world):
    build_calendar(world)
    return Term.objects.get(academic_year__name="2026/27", name="autumn", school__isnull=True)


def enrolment(pupil) -> Enrolment:
    return Enrolment.objects.get(pupil=pupil, end_date__isnull=True)


def weekdays(monday: datetime.date, n: int = 5) -> list[datetime.date]:
    return [monday + datetime.timedelta(days=i) for i in range(n)]


def present(*days: datetime.date) -> list[tuple]:
    return [mark for day in days for mark in ((day, 0, "/"), (day, 1, "\\"))]


def date_fields(name: str, value: datetime.date) -> dict:
    return {f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year}


def checked_values(html: str, name: str) -> list[str]:
    """The values of the radios named ``name`` that are checked."""
    inputs = re.findall(rf'<input\b[^>]*name="{name}"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if re.search(r"\schecked\b", tag)]


# --- Triage: the suggested stage, chosen, with its reason -------------------------------------------------------------

def test_triage_chooses_the_stage_the_pupils_attendance_suggests_and_says_why(world, cases_world, autumn, client):
    """Ben (pupil_b, referral_b) in the weeks of 2, 9 and 16 November: 15 days, 30 possible sessions; 7 of them
    unauthorised (O): all of Monday 2nd and Monday 9th, Friday 13th, Monday 16th and the morning of Tuesday 17th.
    Attended 23 of 30 = 76.666...% -> 76.7%, below the default Stage 2 threshold of 81%: Stage 3, Targeted support."""
    days = weekdays(D(2026, 11, 2)) + weekdays(D(2026, 11, 9)) + weekdays(D(2026, 11, 16))
    absent = [(D(2026, 11, 2), 0), (D(2026, 11, 2), 1), (D(2026, 11, 9), 0), (D(2026, 11, 9), 1),
              (D(2026, 11, 13), 1), (D(2026, 11, 16), 0), (D(2026, 11, 17), 0)]
    marks = [(day, session, "O" if (day, session) in absent else code) for day, session, code in present(*days)]
    assert len(marks) == 30 and sum(code == "O" for _, _, code in marks) == 7
    store_marks(enrolment(world.pupil_b), autumn, marks)

    client.force_login(world.users["la_manager"])
    html = client.get(reverse("cases:referral_triage", args=[cases_world.referral_b.pk])).content.decode()
    assert checked_values(html, "stage") == ["3_targeted_support"]
    assert "Suggested: Targeted support — attendance 76.7% in the 2026/27 year to date, below 81%" in html
    # The reason sits under the suggested stage's radio (its GOV.UK hint), not under another.
    radio = re.search(r'<input\b[^>]*value="3_targeted_support"[^>]*>', html).group(0)
    hint_id = re.search(r'aria-describedby="([^"]+)"', radio).group(1)
    assert re.search(rf'id="{hint_id}"[^>]*>\s*Suggested: Targeted support', html)
    assert "You can choose another." in html


def test_the_officer_can_start_at_another_stage(world, cases_world, autumn, client):
    """Ben present every session of the week of 16 November (10 of 10, 100%: Stage 1 suggested); the manager
    accepts at Stage 2 all the same."""
    store_marks(enrolment(world.pupil_b), autumn, present(*weekdays(D(2026, 11, 16))))
    referral = cases_world.referral_b
    client.force_login(world.users["la_manager"])
    url = reverse("cases:referral_triage", args=[referral.pk])
    html = client.get(url).content.decode()
    assert checked_values(html, "stage") == ["1_prevention"]
    assert "Suggested: Prevention — attendance 100.0% in the 2026/27 year to date, 91% and above" in html
    response = client.post(url, {"decision": "accept", "stage": "2_early_intervention", "officer": "",
                                 "version": referral.version})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert Case.objects.get(pk=referral.case_id).stage == "2_early_intervention"


def test_triage_with_no_attendance_suggests_nothing_and_says_so(world, cases_world, autumn, client):
    client.force_login(world.users["la_manager"])
    html = client.get(reverse("cases:referral_triage", args=[cases_world.referral_b.pk])).content.decode()
    assert checked_values(html, "stage") == []
    assert "Suggested:" not in html
    assert (f"No stage is suggested: the service has no attendance for {world.pupil_b.display_name} this academic "
            "year.") in html
    # Accepting still needs a stage, and says so.
    answer = client.post(reverse("cases:referral_triage", args=[cases_world.referral_b.pk]), {
        "decision": "accept", "version": cases_world.referral_b.version}).content.decode()
    assert "Choose the starting stage" in answer


# --- Review: attendance since the last review, worked out and kept ----------------------------------------------------

@pytest.fixture
def ben_marks(world, autumn):
    """Ben's (pupil_b, case_b) marks around case_b's last review on Monday 2 November 2026:

    - week of 19 October (before that review): all 10 sessions present, not in the period;
    - Monday 2 November (the review's own day): both sessions O, not in the period (it starts the day after);
    - Tuesday 3 to Friday 6 November: 8 sessions, Wednesday 4th both O: 6 attended;
    - week of 9 November: 10 sessions present: 10 attended;
    - week of 16 November: 10 sessions, Monday 16th morning B (approved educational activity, counts as attended),
      Tuesday 17th both I (illness, authorised absence): 8 attended.

    Since the review, to today (Monday 23rd, no marks yet): possible 8 + 10 + 10 = 28, attended 6 + 10 + 8 = 24,
    24 / 28 = 85.714...% -> 85.7%. To Friday 13 November: possible 18, attended 16, 88.888...% -> 88.9%.
    """
    marks = present(*weekdays(D(2026, 10, 19)))
    marks += [(D(2026, 11, 2), 0, "O"), (D(2026, 11, 2), 1, "O")]
    marks += [(day, s, "O" if day == D(2026, 11, 4) else c) for day, s, c in present(*weekdays(D(2026, 11, 3), 4))]
    marks += present(*weekdays(D(2026, 11, 9)))
    changed = {(D(2026, 11, 16), 0): "B", (D(2026, 11, 17), 0): "I", (D(2026, 11, 17), 1): "I"}
    marks += [(day, s, changed.get((day, s), c)) for day, s, c in present(*weekdays(D(2026, 11, 16)))]
    store_marks(enrolment(world.pupil_b), autumn, marks)


def test_review_page_shows_the_attendance_since_the_last_review(world, cases_world, ben_marks, client):
    client.force_login(world.users["la_officer"])
    html = client.get(reverse("cases:review_add", args=[cases_world.case_b.pk])).content.decode()
    assert "Attendance since the last review on 2 November 2026" in html
    summary = html.split('data-testid="review-attendance"')[1].split("</dl>")[0]
    assert "3 November 2026 to 23 November 2026" in summary
    assert "<strong>85.7%</strong> (24 of 28 possible sessions attended" in summary
    # The registers answer the question, so it is not asked.
    assert 'name="attendance_percent"' not in html


def test_saving_a_review_keeps_the_figure_from_the_registers(world, cases_world, ben_marks, client):
    case = cases_world.case_b
    client.force_login(world.users["la_officer"])
    response = client.post(reverse("cases:review_add", args=[case.pk]), {
        **date_fields("held_on", D(2026, 11, 23)), "progress": "Mornings better; one day of illness.",
        "decision": "continue", "attendance_percent": "12.5"})  # typed into an old page: the registers win
    assert response.status_code == 302
    review = Review.objects.get(case=case, held_on=D(2026, 11, 23))
    assert review.attendance_percent == Decimal("85.7")
    assert "Attendance over the period: 85.7%" in client.get(response.url).content.decode()


def test_a_review_held_earlier_keeps_the_figure_to_its_own_date(world, cases_world, ben_marks):
    """Recorded today for a review held on Friday 13 November: 3 to 13 November, 16 of 18, 88.9%."""
    from cases import services

    review = services.review_add(user=world.users["la_officer"], case=cases_world.case_b, held_on=D(2026, 11, 13),
                                 progress="Seen at school.", decision="continue")
    assert review.attendance_percent == Decimal("88.9")


def test_with_no_register_data_the_figure_is_asked_for_with_a_hint(world, cases_world, autumn, client):
    """Amy (case_a, opened 14 September 2026, no review yet) has no marks: the page says so and asks for the figure,
    and the figure typed in is kept."""
    case = cases_world.case_a
    client.force_login(world.users["la_officer"])
    html = client.get(reverse("cases:review_add", args=[case.pk])).content.decode()
    assert "Attendance since the case opened on 14 September 2026" in html
    assert 'name="attendance_percent"' in html
    assert ("The registers hold no sessions for this pupil from 14 September 2026 to 23 November 2026, so the "
            "service cannot work out their attendance.") in html
    response = client.post(reverse("cases:review_add", args=[case.pk]), {
        **date_fields("held_on", D(2026, 11, 23)), "progress": "School reports better mornings.",
        "decision": "continue", "attendance_percent": "72.5"})
    assert response.status_code == 302
    assert Review.objects.get(case=case).attendance_percent == Decimal("72.5")
