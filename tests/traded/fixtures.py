"""Fixtures and helpers for traded services on top of the shared ``world`` (tests/conftest.py): the 2026/27 LA
terms, officers set up to deliver, and the seeded catalogue and rate card (re-seeded if a transactional test
emptied them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from interventions.models import TradedOfficer, TradedService
from schools.models import AcademicYear, Term
from tests.factories import AcademicYearFactory, UserFactory

AUTUMN = (datetime.date(2026, 9, 1), datetime.date(2026, 12, 18), datetime.date(2026, 10, 26),
          datetime.date(2026, 10, 30))
SPRING = (datetime.date(2027, 1, 4), datetime.date(2027, 3, 25), datetime.date(2027, 2, 15),
          datetime.date(2027, 2, 19))
SUMMER = (datetime.date(2027, 4, 12), datetime.date(2027, 7, 21), datetime.date(2027, 5, 31),
          datetime.date(2027, 6, 4))


def ensure_traded_catalogue() -> None:
    """The catalogue, rate card and tiers come from data migrations; a transactional test's flush empties them."""
    import importlib

    from django.apps import apps

    if not TradedService.objects.exists():
        importlib.import_module("interventions.migrations.0002_seed_catalogue").seed(apps, None)
        importlib.import_module("interventions.migrations.0004_seed_traded_services").seed(apps, None)


@dataclass
class Traded:
    year: AcademicYear
    autumn: Term
    spring: Term
    summer: Term
    officer: object  # la_officer: delivers Officer and Adviser work, full time
    officer2: object  # a second officer, half time, Officer work only

    def service(self, name: str) -> TradedService:
        return TradedService.objects.select_related("intervention").get(intervention__name=name)


def make_traded(world) -> Traded:
    """Build (once per world) the terms and delivering officers; the matrix's targets and the tests share it."""
    if getattr(world, "traded", None) is not None:
        return world.traded
    ensure_traded_catalogue()
    year = AcademicYearFactory()
    terms = {}
    for name, (start, end, hs, he) in {"autumn": AUTUMN, "spring": SPRING, "summer": SUMMER}.items():
        # Other areas' fixtures may have entered the LA's terms already (the permission matrix builds them all).
        terms[name], _ = Term.objects.get_or_create(academic_year=year, name=name, school=None, defaults={
            "start_date": start, "end_date": end, "half_term_start": hs, "half_term_end": he})
    officer = world.users["la_officer"]
    officer.first_name, officer.last_name = "Olu", "Officer"
    officer.save()
    TradedOfficer.objects.create(user=officer, roles=["officer", "adviser"], fte=Decimal("1.00"))
    officer2 = UserFactory(username="officer2", role="la_officer", first_name="Pat", last_name="Parttime")
    TradedOfficer.objects.create(user=officer2, roles=["officer"], fte=Decimal("0.50"))
    world.traded = Traded(year, terms["autumn"], terms["spring"], terms["summer"], officer, officer2)
    return world.traded


@pytest.fixture
def traded(world) -> Traded:
    return make_traded(world)
