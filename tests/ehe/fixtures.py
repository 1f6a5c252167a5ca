"""EHE records for tests: an open record whose education appears unsuitable, with an informal enquiry whose reply
is overdue (sent 2 Nov 2026, due 17 Nov, the tests' today 23 Nov), ready for a s437(1) notice."""

from __future__ import annotations

import datetime

from schools.ehe import services
from schools.models import HomeEducationRecord
from tests.factories import CarerFactory, EnrolmentFactory, FamilyFactory, PupilFactory

D = datetime.date


def unsuitable_record(user, pupil, *, school=None) -> HomeEducationRecord:
    record = services.register_home_education(user=user, pupil=pupil, notified_on=D(2026, 10, 1), source="parent",
                                              school=school, reasons=["DISSAT"])
    services.ehe_assess_suitability(user=user, record=record, suitability="not_suitable", assessed_on=D(2026, 10, 20),
                                    notes="No evidence of any structured learning at the visit.")
    services.ehe_send_enquiry(user=user, record=record, sent_on=D(2026, 11, 2))
    record.refresh_from_db()
    return record


def family_pupil(school, *, first="Hana", last="Home"):
    """A pupil at ``school`` with a parent who has a postal address (for notices and letters)."""
    family = FamilyFactory(name=f"{last} family", address_line_1="1 High Street")
    carer = CarerFactory(family=family, full_name=f"Pat {last}", is_main_contact=True)
    pupil = PupilFactory(legal_first_name=first, legal_last_name=last, family=family)
    EnrolmentFactory(pupil=pupil, school=school)
    return pupil, carer
