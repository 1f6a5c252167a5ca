"""A small LA for the reporting tests, built through the services (and the attendance writer) on top of the shared
``world``: the 2025/26 and 2026/27 LA terms; pupils with known characteristics at Alpha Primary (school A) and Beta
Academy (school B, secondary); ten school days of marks at the start of each autumn term; suspensions, a permanent
and a lunchtime exclusion (and a cancelled one) this year and last; the cases world (cases opened, one closed, a
referral accepted); the legal world (notices issued, one paid; a prosecution laid); a part-time timetable, an AP
place and a Fair Access referral.

The tests' own expectations are worked out from ``MARKS`` and the records below in plain Python, not through the
selectors, so each report figure is checked against an independent calculation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from cases import services as case_services
from legal import services as legal_services
from schools.exclusions import services as exclusions
from schools.models import Enrolment, Exclusion, Pupil, School, Term
from tests.attendance.marks import store_marks
from tests.cases.fixtures import cases_world  # noqa: F401  (a fixture report_world builds on)
from tests.exclusions.fixtures import build_calendar
from tests.factories import EnrolmentFactory, PupilFactory
from tests.legal.fixtures import build_legal_world

D = datetime.date

# How each test code counts (written out here rather than read from schools.attendance.codes, so the test is an
# independent check): present and late count as attended, B as approved educational activity.
CATEGORY = {"/": "present", "\\": "present", "L": "present", "B": "aea", "I": "authorised", "M": "authorised",
            "O": "unauthorised", "N": "unauthorised"}

# Twenty sessions per enrolment at the start of each autumn term: (codes this year, codes last year).
MARKS = {
    "pupil_a": ("/" * 17 + "NNN", "/" * 19 + "I"),  # 15% absent this year (PA), 5% last year
    "pupil_b": ("/" * 8 + "IIIIIIOOOOOO", "/" * 18 + "IO"),  # 60% (SA) this year, exactly 10% (PA) last year
    "moved": ("/" * 18 + "LL", "/" * 20),  # late counts as present
    "extra_a": ("/" * 18 + "BM", "/" * 20),  # B is attendance (AEA); M authorised: 5%
    "extra_b": ("/" * 12 + "NNNNIIII", None),  # 40% (PA); joined this year
}


def school_days(start: D, count: int) -> list[D]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def write(enrolment: Enrolment, term: Term, codes: str) -> None:
    days = school_days(term.start_date, len(codes) // 2)
    marks = [(day, session, codes[2 * index + session]) for index, day in enumerate(days) for session in (0, 1)]
    store_marks(enrolment, term, marks)


@dataclass
class ReportWorld:
    world: object
    this_autumn: Term
    last_autumn: Term
    enrolments: dict[str, Enrolment]
    pupils: dict[str, Pupil]
    exclusions: list[Exclusion] = field(default_factory=list)
    cancelled: Exclusion | None = None
    cases: object = None
    legal: object = None

    @property
    def users(self):
        return self.world.users


def set_characteristics(pupil: Pupil, **fields) -> Pupil:
    Pupil.objects.filter(pk=pupil.pk).update(**fields)
    pupil.refresh_from_db()
    return pupil


@pytest.fixture
def report_world(world, cases_world) -> ReportWorld:  # noqa: F811
    build_calendar(world)
    this_autumn = Term.objects.get(academic_year__name="2026/27", name="autumn", school__isnull=True)
    last_autumn = Term.objects.get(academic_year__name="2025/26", name="autumn", school__isnull=True)
    a, b = world.school_a, world.school_b
    pupils = {
        "pupil_a": set_characteristics(world.pupil_a, sex="F", sen_status="K", fsm_eligible=True, ethnicity="WBRI"),
        "pupil_b": set_characteristics(world.pupil_b, sex="M", sen_status="E", looked_after=True, ethnicity="WBRI",
                                       cin_cp="cp"),
        "moved": set_characteristics(world.moved, sex="M", ethnicity="BAFR", cin_cp="cin"),
        "extra_a": PupilFactory(legal_first_name="Eve", legal_last_name="Extra", sex="F", ethnicity="AIND"),
        "extra_b": PupilFactory(legal_first_name="Eli", legal_last_name="Extra", sex="M", ethnicity="REFU",
                                fsm_eligible=True, date_of_birth=D(2012, 2, 2)),
    }
    EnrolmentFactory(pupil=pupils["extra_a"], school=a, nc_year=5)
    EnrolmentFactory(pupil=pupils["extra_b"], school=b, nc_year=9, start_date=D(2026, 9, 2))
    enrolments = {
        "pupil_a": Enrolment.objects.get(pupil=pupils["pupil_a"], school=a),
        "pupil_b": Enrolment.objects.get(pupil=pupils["pupil_b"], school=b),
        "moved": Enrolment.objects.get(pupil=pupils["moved"], school=b),
        "extra_a": Enrolment.objects.get(pupil=pupils["extra_a"], school=a),
        "extra_b": Enrolment.objects.get(pupil=pupils["extra_b"], school=b),
    }
    for key, (now, before) in MARKS.items():
        write(enrolments[key], this_autumn, now)
        if before:
            write(enrolments[key], last_autumn, before)
    officer, lead_a, lead_b = world.users["la_officer"], world.users["school_a"], world.users["school_b"]
    recorded = [
        exclusions.exclusion_record(user=lead_a, pupil=pupils["pupil_a"], school=a, kind="suspension",
                                    start_date=D(2026, 10, 5), length_sessions=2, reasons=["PA"]),
        exclusions.exclusion_record(user=lead_b, pupil=pupils["pupil_b"], school=b, kind="suspension",
                                    start_date=D(2026, 11, 9), length_sessions=12, reasons=["VA", "DB"],
                                    la_notified_on=D(2026, 11, 9)),
        exclusions.exclusion_record(user=lead_b, pupil=pupils["extra_b"], school=b, kind="suspension",
                                    start_date=D(2026, 10, 12), length_sessions=3, reasons=["DB"]),
        exclusions.exclusion_record(user=lead_b, pupil=pupils["moved"], school=b, kind="permanent",
                                    start_date=D(2026, 11, 16), reasons=["DB", "PA"]),
        exclusions.exclusion_record(user=lead_b, pupil=pupils["extra_b"], school=b, kind="lunchtime",
                                    start_date=D(2026, 11, 2), length_sessions=1, reasons=["DM"]),
        # Last school year: counted in the trend, not in this term.
        exclusions.exclusion_record(user=lead_b, pupil=pupils["pupil_b"], school=b, kind="suspension",
                                    start_date=D(2026, 3, 2), length_sessions=4, reasons=["PP"]),
    ]
    cancelled = exclusions.exclusion_record(user=lead_a, pupil=pupils["extra_a"], school=a, kind="suspension",
                                            start_date=D(2026, 10, 7), length_sessions=2, reasons=["VP"])
    exclusions.exclusion_cancel(user=lead_a, exclusion=cancelled, cancelled_on=D(2026, 10, 7),
                                reason="Sent home in error.")
    # Day 6: the LA's provision for the permanent exclusion starts on its 6th school day; the school's for the
    # six-day suspension is late.
    provider = exclusions.ap_provider_create(user=officer, name="Aspire Academy AP", places_commissioned=Decimal(23))
    permanent, suspension = recorded[3], recorded[1]
    exclusions.placement_record(user=officer, pupil=pupils["moved"], exclusion=permanent, arranged_by="la",
                                provider_kind="ap", ap_provider=provider, hours_per_week=Decimal(25),
                                start_date=permanent.day6_date)
    exclusions.placement_record(user=lead_b, pupil=pupils["pupil_b"], exclusion=suspension, arranged_by="school",
                                commissioning_school=b, provider_kind="other", provider_name="Inclusion centre",
                                hours_per_week=Decimal(25),
                                start_date=suspension.day6_date + datetime.timedelta(days=1))
    exclusions.part_time_record(user=lead_b, pupil=pupils["extra_b"], school=b, start_date=D(2026, 9, 7),
                                planned_end_date=D(2026, 10, 16), hours_per_week=Decimal(12), reason="mental_health",
                                parent_agreed_on=D(2026, 9, 4))
    exclusions.fair_access_refer(user=officer, pupil=pupils["extra_b"], category="no_place",
                                 referred_on=D(2026, 9, 2), out_of_school_since=D(2026, 9, 2))
    # Casework: case_a closes (improved); school B's behaviour referral is accepted and allocated.
    manager = world.users["la_manager"]
    case_a = cases_world.case_a
    case_a.refresh_from_db()
    case_services.case_close(user=manager, case=case_a, outcome="improved", expected_version=case_a.version)
    referral = cases_world.referral_b
    referral.refresh_from_db()
    case_services.referral_accept(user=manager, referral=referral, expected_version=referral.version,
                                  officer=officer)
    legal = build_legal_world(world, cases_world)
    paid = legal_services.notice_issue(user=officer, pupil=pupils["pupil_b"], carer=legal.parent,
                                       notice_type="term_time_leave", period_start=D(2026, 11, 9),
                                       period_end=D(2026, 11, 13), issued_on=D(2026, 11, 16),
                                       served_on=D(2026, 11, 16), service_method="hand")
    legal_services.payment_record(user=world.users["legal_officer"], reference=paid.reference, amount="160.00",
                                  paid_on=D(2026, 11, 18), method="bank")
    return ReportWorld(world, this_autumn, last_autumn, enrolments, pupils, recorded, cancelled, cases_world, legal)


@pytest.fixture
def school_b(world) -> School:
    return world.school_b
