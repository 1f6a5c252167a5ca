"""The parental responsibility measures return against figures worked out by hand.

The fixture straddles the academic-year boundary (31 August / 1 September 2026). A notice belongs to the year of its
issue date. Deemed receipt is day 0 (hand service: the day served; first-class post: the second working day after).

2025/26 (issued 1 Sep 2025 to 31 Aug 2026), seven notices, each to a different parent and child:
  N1 issued and served by hand Mon 31 Aug 2026, paid Mon 21 Sep 2026 = day 21 (paid in the next year, counted in
     2025/26 by its issue date)                                   -> paid within 21 days
  N2 issued and served by hand 1 Jun 2026, paid 23 Jun = day 22   -> paid within 22-28 days
  N3 issued and served by hand 2 Jun 2026, paid 30 Jun = day 28   -> paid within 22-28 days
  N4 issued and served by hand 1 May 2026, paid 30 May = day 29 (imported history: the service would refuse it)
                                                                  -> paid after 28 days
  N5 issued 2 Mar 2026, withdrawn 10 Mar                          -> withdrawn
  N6 issued 2 Feb 2026, unpaid, prosecuted (information laid 1 Apr 2026)  -> prosecuted for non-payment
  N7 issued 1 Jul 2026 (non-attendance), unpaid, a prosecution only being prepared -> unresolved
  Outcomes: 1 + 2 + 1 + 1 + 1 + 1 = 7 = issued. By reason: holiday 6 (N1-N6), irregular attendance 1 (N7).
2026/27 (from 1 Sep 2026), three notices:
  N8 issued Tue 1 Sep 2026, posted that day: received Thu 3 Sep; paid Thu 24 Sep = day 21 (day 23 from issue: the
     count runs from receipt)                                     -> paid within 21 days
  N9 issued and served by hand 1 Sep 2026, paid 23 Sep = day 22   -> paid within 22-28 days
  N10 issued 16 Nov 2026, payment period running                  -> unresolved
Contracts: agreed 31 Aug 2026 (2025/26) and 1 Sep 2026 (2026/27); attendance-contract offer letters: 20 Aug 2026 to
  the parent who agreed on 31 Aug (not counted again), 2 Sep 2026 twice to one parent who never agreed (counted once),
  and 3 Sep 2026 to the parent who agreed on 1 Sep (not counted again). Offered: 2025/26 1; 2026/27 1 + 1 = 2.
Orders: parenting order made 31 Aug 2026 (2025/26); ESO applied for 20 Aug 2026 (2025/26), made 2 Sep 2026
  (2026/27). Cases: attendance case opened 31 Aug 2026 (2025/26); attendance case and attendance-and-behaviour case
  opened 1 Sep 2026 (2026/27: 2); a behaviour case and a referral awaiting allocation, not counted.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from legal import services
from legal.models import (
    EducationSupervisionOrder,
    LegalPathway,
    Letter,
    LetterTemplate,
    ParentingOrder,
    PenaltyNotice,
    Prosecution,
)
from legal.returns import rules, selectors
from legal.returns.rules import AcademicYear
from tests.factories import CarerFactory, CaseFactory, EnrolmentFactory, FamilyFactory, PupilFactory

D = datetime.date
Y2025, Y2026 = AcademicYear(2025), AcademicYear(2026)


def _parent_and_child(world, n: int):
    family = FamilyFactory(name=f"Family {n}")
    carer = CarerFactory(family=family, full_name=f"Parent {n}")
    pupil = PupilFactory(legal_first_name=f"Child{n}", legal_last_name=f"Family{n}", family=family,
                         date_of_birth=D(2014, 3, 1))
    EnrolmentFactory(pupil=pupil, school=world.school_b, start_date=D(2024, 9, 2))
    return pupil, carer


def _pathway(world, pupil):
    case = CaseFactory(pupil=pupil, opened_on=D(2025, 9, 10), created_by=world.users["la_officer"])
    return LegalPathway.objects.create(case=case, pupil=pupil, opened_on=D(2025, 10, 1),
                                       opened_by=world.users["la_officer"], gate_passed=True)


@pytest.fixture
def year_data(world):
    officer, legal = world.users["la_officer"], world.users["legal_officer"]
    notices = {}

    def issue(n, issued, *, served=None, method="hand", kind="term_time_leave", imported=False):
        pupil, carer = _parent_and_child(world, n)
        notices[n] = services.notice_issue(
            user=officer, pupil=pupil, carer=carer, notice_type=kind, period_start=issued - datetime.timedelta(7),
            period_end=issued - datetime.timedelta(3), issued_on=issued, served_on=served or issued,
            service_method=method, imported=imported)
        return notices[n]

    def pay(n, amount, on):
        services.payment_record(user=legal, reference=notices[n].reference, amount=amount, paid_on=on, method="card")

    issue(1, D(2026, 8, 31))
    pay(1, "80.00", D(2026, 9, 21))
    issue(2, D(2026, 6, 1))
    pay(2, "160.00", D(2026, 6, 23))
    issue(3, D(2026, 6, 2))
    pay(3, "160.00", D(2026, 6, 30))
    issue(4, D(2026, 5, 1))
    # Day 29: payment_record refuses it, so this is history from an earlier system recorded as it was.
    PenaltyNotice.objects.filter(pk=notices[4].pk).update(status="paid_full", paid_on=D(2026, 5, 30),
                                                          paid_amount="160.00", imported=True)
    issue(5, D(2026, 3, 2))
    services.notice_withdraw(user=legal, notice=notices[5], ground="wrong_recipient", withdrawn_on=D(2026, 3, 10))
    n6 = issue(6, D(2026, 2, 2))
    n7 = issue(7, D(2026, 7, 1), kind="non_attendance", imported=True)
    services.notices_mark_unpaid()
    for notice, laid in ((n6, D(2026, 4, 1)), (n7, None)):
        pathway = _pathway(world, notice.pupil)
        Prosecution.objects.create(
            pathway=pathway, pupil=notice.pupil, carer=notice.carer, offence="s444_1", penalty_notice=notice,
            period_start=notice.period_start, period_end=notice.period_end, information_deadline=D(2026, 8, 1),
            information_laid_on=laid, status="laid" if laid else "preparing", officer=legal, created_by=legal)
    issue(8, D(2026, 9, 1), method="post")
    pay(8, "80.00", D(2026, 9, 24))
    issue(9, D(2026, 9, 1))
    pay(9, "160.00", D(2026, 9, 23))
    issue(10, D(2026, 11, 16))

    # Contracts and offer letters.
    template = LetterTemplate.objects.filter(kind="attendance_contract").first()
    agreed = {}
    for n, day in ((21, D(2026, 8, 31)), (22, D(2026, 9, 1))):
        pupil, carer = _parent_and_child(world, n)
        agreed[n] = services.contract_create(user=officer, kind="attendance", pupil=pupil, carer=carer, agreed_on=day,
                                             parent_requirements="On time daily.", support_offered="Check-ins.")
    never = _parent_and_child(world, 23)

    def offer(pupil, carer, day):
        Letter.objects.create(template=template, kind="attendance_contract", pupil=pupil, carer=carer,
                              subject="Attendance contract", body="...", file="legal/letters/x.pdf", sent_on=day,
                              sent_by=officer)

    offer(agreed[21].pupil, agreed[21].carer, D(2026, 8, 20))
    offer(*never, D(2026, 9, 2))
    offer(*never, D(2026, 9, 9))
    offer(agreed[22].pupil, agreed[22].carer, D(2026, 9, 3))

    # Orders.
    pupil, carer = _parent_and_child(world, 31)
    pathway = _pathway(world, pupil)
    ParentingOrder.objects.create(pathway=pathway, pupil=pupil, carer=carer, basis="application",
                                  made_on=D(2026, 8, 31), court="Brighton", requirements="Attend a course.",
                                  requirement_months=6, programme_months=3, ends_on=D(2027, 2, 28), created_by=legal)
    EducationSupervisionOrder.objects.create(pathway=pathway, pupil=pupil, applied_on=D(2026, 8, 20),
                                             court="Brighton FC", made_on=D(2026, 9, 2), expires_on=D(2027, 9, 1),
                                             status="in_force", created_by=officer)

    # Cases (the pathways above opened theirs on 10 Sep 2025: 2025/26, attendance, open: 3 of them).
    for n, day, kind, status in ((41, D(2026, 8, 31), "attendance", "open"), (42, D(2026, 9, 1), "attendance", "open"),
                                 (43, D(2026, 9, 1), "attendance_behaviour", "closed"),
                                 (44, D(2026, 9, 1), "behaviour", "open"), (45, D(2026, 9, 2), "attendance",
                                                                             "referred")):
        pupil, _ = _parent_and_child(world, n)
        closed = {"closed_on": D(2026, 10, 1), "outcome": "improved"} if status == "closed" else {}
        CaseFactory(pupil=pupil, opened_on=day, case_type=kind, status=status, created_by=officer, **closed)
    return notices


EXPECTED_2025 = {
    "pn_issued": 7, "pn_paid_within_21_days": 1, "pn_paid_within_22_28_days": 2, "pn_paid_after_28_days": 1,
    "pn_withdrawn": 1, "pn_prosecuted_non_payment": 1, "pn_unresolved": 1,
    "pn_issued_unauthorised_holiday": 6, "pn_issued_irregular_attendance": 1,
    "pn_issued_excluded_pupil_public_place": 0, "pn_issued_other": 0,
    "parenting_contracts_offered": 1, "parenting_contracts_accepted": 1, "parenting_orders": 1,
    "eso_applications": 1, "education_supervision_orders": 0,
    # 1 case opened 31 Aug 2026 + the 3 cases behind the pathways (opened 10 Sep 2025).
    "attendance_case_management": 4,
}
EXPECTED_2026 = {
    "pn_issued": 3, "pn_paid_within_21_days": 1, "pn_paid_within_22_28_days": 1, "pn_paid_after_28_days": 0,
    "pn_withdrawn": 0, "pn_prosecuted_non_payment": 0, "pn_unresolved": 1,
    "pn_issued_unauthorised_holiday": 3, "pn_issued_irregular_attendance": 0,
    "pn_issued_excluded_pupil_public_place": 0, "pn_issued_other": 0,
    "parenting_contracts_offered": 2, "parenting_contracts_accepted": 1, "parenting_orders": 0,
    "eso_applications": 0, "education_supervision_orders": 1, "attendance_case_management": 2,
}


def test_year_boundaries_and_labels():
    assert rules.year_containing(D(2026, 8, 31)) == Y2025
    assert rules.year_containing(D(2026, 9, 1)) == Y2026
    assert (Y2026.start, Y2026.end, Y2026.label, Y2026.slug, Y2026.time_period) == (
        D(2026, 9, 1), D(2027, 8, 31), "2026/27", "2026-27", "202627")
    assert rules.parse_year("2025-26") == Y2025
    assert rules.parse_year("2025/26") == Y2025
    assert rules.parse_year("2025-27") is None
    assert rules.parse_year("nonsense") is None


def test_figures_by_hand(world, year_data, django_assert_num_queries):
    assert year_data[8].received_on == D(2026, 9, 3)  # posted Tuesday: received Thursday
    with django_assert_num_queries(6):  # one aggregate per kind of record
        got = selectors.figure_values(user=world.users["la_manager"], year=Y2025)
    assert got == EXPECTED_2025
    assert selectors.figure_values(user=world.users["la_officer"], year=Y2026) == EXPECTED_2026


def test_outcomes_add_up_to_issued(world, year_data):
    for year in (Y2025, Y2026):
        values = selectors.figure_values(user=world.users["la_manager"], year=year)
        assert sum(values[n] for n in rules.OUTCOME_FIELDS) == values["pn_issued"]


def test_rows_behind_each_figure_are_what_was_counted(world, year_data):
    user = world.users["la_manager"]
    for year in (Y2025, Y2026):
        for figure in selectors.return_figures(user=user, year=year):
            rows = sum(selectors.figure_rows(user=user, year=year, part=p.part).count() for p in figure.parts)
            assert rows == figure.value, figure.field.name
    _, part, _ = selectors.figure_part(year=Y2025, name="pn_paid_within_22_28_days", part_key=None)
    listed = set(selectors.figure_rows(user=user, year=Y2025, part=part).values_list("pk", flat=True))
    assert listed == {year_data[2].pk, year_data[3].pk}


def test_return_csv_uses_the_field_names(client_for, world, year_data):
    response = client_for(world.users["la_officer"]).get(reverse("legal:return_export") + "?year=2025-26")
    assert response.status_code == 200
    assert "parental-responsibility-measures-2025-26.csv" in response["Content-Disposition"]
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    assert header[:7] == list(rules.ID_COLUMNS)
    data = dict(zip(header, row, strict=True))
    assert data["time_period"] == "202526" and data["time_identifier"] == "Academic year"
    assert {name: int(data[name]) for name in rules.FIELD_NAMES} == EXPECTED_2025


def test_return_page_links_every_figure_to_its_rows(client_for, world, year_data):
    client = client_for(world.users["la_manager"])
    page = client.get(reverse("legal:return") + "?year=2026-27").content.decode()
    assert "Parental responsibility measures 2026/27" in page
    assert 'data-testid="figure-pn_paid_within_21_days"' in page
    assert reverse("legal:return_rows", args=["pn_paid_within_21_days"]) + "?year=2026-27" in page
    rows = client.get(reverse("legal:return_rows", args=["pn_paid_within_21_days"]) + "?year=2026-27").content.decode()
    assert year_data[8].reference in rows and year_data[9].reference not in rows
    assert "(day 21)" in rows
    offered = client.get(reverse("legal:return_rows", args=["parenting_contracts_offered"]) + "?year=2026-27"
                         + "&part=offers").content.decode()
    assert "Parent 23" in offered and "Parent 22" not in offered
    csv_rows = client.get(reverse("legal:return_rows", args=["pn_withdrawn"]) + "?year=2025-26&format=csv")
    assert year_data[5].reference in csv_rows.content.decode("utf-8-sig")


def test_unknown_field_year_or_part_is_404(client_for, world):
    client = client_for(world.users["la_manager"])
    assert client.get(reverse("legal:return_rows", args=["no_such_field"]) + "?year=2025-26").status_code == 404
    assert client.get(reverse("legal:return_rows", args=["pn_issued"]) + "?year=2025-27").status_code == 404
    assert client.get(reverse("legal:return_rows", args=["pn_issued"]) + "?year=2025-26&part=x").status_code == 404


def test_school_users_are_refused(client_for, world):
    client = client_for(world.users["school_b"])
    assert client.get(reverse("legal:return")).status_code == 403
    assert client.get(reverse("legal:return_export")).status_code == 403
    assert client.get(reverse("legal:return_rows", args=["pn_issued"]) + "?year=2025-26").status_code == 403
    assert selectors.figure_values(user=world.users["school_b"], year=Y2025)["pn_issued"] == 0


def test_every_notice_type_has_a_reason_field():
    from legal.rules import NoticeType

    assert set(rules.REASON_FIELDS) == set(NoticeType.values)
