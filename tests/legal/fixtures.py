"""Legal fixtures on top of the shared ``world`` and ``cases_world``: school B's pupil_b (case_b) with its support
evidenced, an open pathway, a second parent, a served notice, a school request and a prosecution being prepared."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from cases import services as case_services
from legal import services
from legal.models import Contract, LegalPathway, PenaltyNotice, PenaltyNoticeRequest, Prosecution
from schools.models import Carer
from tests.factories import CarerFactory

D = datetime.date


def evidence_support(world, case) -> None:
    """Chronology entries and a contract that satisfy the default checklist."""
    officer = world.users["la_officer"]
    case_services.entry_add(user=officer, case=case, entry_type="meeting", meeting_type="taf",
                            occurred_on=D(2026, 9, 22), summary="TAF meeting with the family")
    case_services.entry_add(user=officer, case=case, entry_type="home_visit", occurred_on=D(2026, 9, 24),
                            summary="Home visit")
    case_services.entry_add(user=officer, case=case, entry_type="letter", occurred_on=D(2026, 9, 25),
                            summary="Formal warning letter sent")
    services.contract_create(user=officer, kind=Contract.Kind.ATTENDANCE, pupil=case.pupil,
                             carer=Carer.objects.get(full_name="Pat Parent"), agreed_on=D(2026, 9, 29),
                             parent_requirements="Bring Ben to school by 8.45 every day.",
                             support_offered="Morning check-in with the head of year.", case=case)


@dataclass
class LegalWorld:
    pathway: LegalPathway
    parent: Carer
    second_parent: Carer
    notice: PenaltyNotice
    request: PenaltyNoticeRequest
    prosecution: Prosecution
    contract: Contract


@pytest.fixture
def legal_world(world, cases_world) -> LegalWorld:
    return build_legal_world(world, cases_world)


def build_legal_world(world, cases_world) -> LegalWorld:
    officer, legal = world.users["la_officer"], world.users["legal_officer"]
    case = cases_world.case_b
    evidence_support(world, case)
    parent = Carer.objects.get(full_name="Pat Parent")
    second = CarerFactory(family=parent.family, full_name="Sam Parent", relationship="father")
    pathway = services.pathway_open(user=officer, case=case)
    notice = services.notice_issue(user=officer, pupil=world.pupil_b, carer=parent, notice_type="non_attendance",
                                   period_start=D(2026, 10, 5), period_end=D(2026, 10, 16),
                                   issued_on=D(2026, 10, 20), served_on=D(2026, 10, 20), service_method="hand",
                                   pathway=pathway)
    request = services.request_submit(
        user=world.users["school_b"], school=world.school_b, pupil=world.pupil_b, carers=[second],
        notice_type="term_time_leave", absence_from=D(2026, 11, 2), absence_to=D(2026, 11, 6), sessions_missed=10,
        details="Family holiday after the leave request was refused.", leave_refused_on=D(2026, 10, 12))
    services.eso_consider(user=legal, pathway=pathway, considered_on=D(2026, 11, 2), decision="not_apply",
                          reasons="Parents engaged with support before; an ESO would not add to it.")
    prosecution = services.prosecution_create(user=legal, pathway=pathway, carer=second, offence="s444_1",
                                              period_start=D(2026, 6, 1), period_end=D(2026, 7, 17))
    return LegalWorld(pathway=pathway, parent=parent, second_parent=second, notice=notice, request=request,
                      prosecution=prosecution, contract=Contract.objects.get())
