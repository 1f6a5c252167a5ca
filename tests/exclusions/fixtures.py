"""Objects for the permission matrix and the scoping tests: one of each exclusion and provision record, all
belonging to school B's pupil (so school A must get 404 and school B 200)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from schools.exclusions import services
from schools.models import AcademicYear, Closure, Term

D = datetime.date


def build_calendar(world) -> None:
    """The LA's 2025/26 and 2026/27 terms, an LA INSET day and an INSET day of school A's own."""
    # get_or_create: other areas' fixtures may have made the current year already.
    y1, _ = AcademicYear.objects.get_or_create(name="2025/26", defaults={"start_date": D(2025, 9, 1),
                                                                         "end_date": D(2026, 8, 31)})
    y2, _ = AcademicYear.objects.get_or_create(name="2026/27", defaults={"start_date": D(2026, 9, 1),
                                                                         "end_date": D(2027, 8, 31)})
    for year, name, start, end, half_start, half_end in [
        (y1, "autumn", D(2025, 9, 3), D(2025, 12, 19), D(2025, 10, 27), D(2025, 10, 31)),
        (y1, "spring", D(2026, 1, 5), D(2026, 3, 27), D(2026, 2, 16), D(2026, 2, 20)),
        (y1, "summer", D(2026, 4, 13), D(2026, 7, 22), D(2026, 5, 25), D(2026, 5, 29)),
        (y2, "autumn", D(2026, 9, 2), D(2026, 12, 18), D(2026, 10, 26), D(2026, 10, 30)),
        (y2, "spring", D(2027, 1, 5), D(2027, 3, 26), D(2027, 2, 15), D(2027, 2, 19)),
        (y2, "summer", D(2027, 4, 12), D(2027, 7, 21), D(2027, 5, 31), D(2027, 6, 4)),
    ]:
        Term.objects.create(academic_year=year, name=name, start_date=start, end_date=end,
                            half_term_start=half_start, half_term_end=half_end)
    Closure.objects.create(date=D(2025, 11, 14), kind="inset", reason="LA INSET day")
    Closure.objects.create(date=D(2025, 11, 20), school=world.school_a, kind="inset", reason="Alpha's own INSET")


def make_school_b_records(world) -> dict:
    """School B's records for pupil_b, as the matrix and scoping tests use them."""
    lead, officer = world.users["school_b"], world.users["la_officer"]
    pupil, school = world.pupil_b, world.school_b
    exclusion = services.exclusion_record(user=lead, pupil=pupil, school=school, kind="suspension",
                                          start_date=D(2026, 11, 9), length_sessions=12, reasons=["VA", "DB"],
                                          la_notified_on=D(2026, 11, 9))
    placement = services.placement_record(user=lead, pupil=pupil, exclusion=exclusion, arranged_by="school",
                                          commissioning_school=school, provider_kind="other",
                                          provider_name="Partnership inclusion centre",
                                          hours_per_week=Decimal(25), start_date=D(2026, 11, 16))
    part_time = services.part_time_record(user=lead, pupil=pupil, school=school, start_date=D(2026, 9, 7),
                                          planned_end_date=D(2026, 10, 16), hours_per_week=Decimal(12),
                                          reason="mental_health", parent_agreed_on=D(2026, 9, 4))
    move = services.managed_move_record(user=lead, pupil=pupil, from_school=school, to_school=world.school_a,
                                        agreed_on=D(2026, 10, 1), start_date=D(2026, 10, 5))
    provider = services.ap_provider_create(user=officer, name="Aspire Academy AP", places_commissioned=Decimal(23))
    fair_access = services.fair_access_refer(user=officer, pupil=pupil, category="no_place",
                                             referred_on=D(2026, 9, 14), out_of_school_since=D(2026, 9, 2))
    cme = services.cme_record(user=officer, pupil=pupil, reason="absent_10", referred_on=D(2026, 10, 5),
                              referring_school=school)
    return {"exclusion": exclusion, "placement": placement, "part_time": part_time, "managed_move": move,
            "ap_provider": provider, "fair_access": fair_access, "cme": cme}


@pytest.fixture
def exclusion_targets(world) -> dict:
    build_calendar(world)
    return {key: obj.pk for key, obj in make_school_b_records(world).items()}

