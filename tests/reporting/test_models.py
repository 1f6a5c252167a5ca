"""The national comparator table (rules as data, with source and year, edited and audited in the admin site) and
the report run's constraints."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reporting import selectors as s
from reporting.models import NationalFigure, ReportRun, validate_academic_year
from schools.models import AcademicYear, AuditEvent, Job, Term

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_service_starts_with_the_dfe_figures_and_their_sources(db):
    figures = {(f.measure, f.academic_year, f.term): f for f in NationalFigure.objects.all()}
    assert figures[("overall_absence", "2023/24", "")].value == Decimal("7.10")
    assert figures[("persistent_absence", "2023/24", "")].value == Decimal("20.00")
    assert figures[("severe_absence", "2023/24", "")].value == Decimal("2.30")
    assert figures[("overall_absence", "2023/24", "autumn")].value == Decimal("6.70")
    assert figures[("suspension_rate", "2023/24", "")].value == Decimal("11.31")  # 1,131 per 10,000 pupils
    assert figures[("permanent_exclusion_rate", "2023/24", "")].value == Decimal("0.13")  # 13 per 10,000
    assert all(f.source and f.source_url.startswith("https://explore-education-statistics") for f in figures.values())


@pytest.mark.parametrize("value", ["2023-24", "2023/25", "23/24", "2023/2024", ""])
def test_academic_years_are_written_as_the_dfe_writes_them(value):
    with pytest.raises(ValidationError):
        validate_academic_year(value)
    validate_academic_year("2099/00")


def _period(name: str, term: str = ""):
    year = AcademicYear(name=name, start_date=D(2026, 9, 1), end_date=D(2027, 8, 31))
    term_obj = Term(academic_year=year, name=term, start_date=D(2026, 9, 1), end_date=D(2026, 12, 18)) if term \
        else None
    return s.ReportPeriod(None, None, term=term_obj, year=None if term else year)


def test_the_comparator_is_the_latest_published_year_for_the_same_kind_of_period(db):
    NationalFigure.objects.create(measure="overall_absence", academic_year="2024/25", value=Decimal("6.9"),
                                  source="DfE 2024/25")
    table = s.national_figures()
    autumn = s.comparator(table, "overall_absence", _period("2026/27", "autumn"))
    assert (autumn.value, autumn.label) == (Decimal("6.70"), "England, autumn term 2023/24")
    # No spring-term figure is published: a spring term is never set beside a whole year's figure.
    assert s.comparator(table, "overall_absence", _period("2026/27", "spring")) is None
    year = s.comparator(table, "overall_absence", _period("2026/27"))
    assert (year.value, year.label) == (Decimal("6.90"), "England, 2024/25")
    # A figure published for a later year is not set beside an earlier one.
    old = s.comparator(table, "overall_absence", _period("2022/23"))
    assert old.label == "England, 2022/23" and old.value == Decimal("7.40")
    assert s.comparator(table, "overall_absence", _period("2021/22")) is None


def test_editing_a_figure_in_the_admin_site_is_audited(world, client):
    client.force_login(world.users["la_admin"])
    response = client.post(reverse("admin:reporting_nationalfigure_add"), {
        "measure": "overall_absence", "phase": "primary", "academic_year": "2024/25", "term": "", "value": "5.5",
        "source": "DfE, Pupil absence in schools in England 2024/25", "source_url": "", "notes": ""})
    assert response.status_code == 302
    figure = NationalFigure.objects.get(phase="primary")
    assert AuditEvent.objects.filter(object_type="reporting.NationalFigure", object_id=str(figure.pk),
                                     action="create").exists()
    duplicate = client.post(reverse("admin:reporting_nationalfigure_add"), {
        "measure": "overall_absence", "phase": "primary", "academic_year": "2024/25", "term": "", "value": "5.6",
        "source": "Again"})
    assert duplicate.status_code == 200 and NationalFigure.objects.filter(phase="primary").count() == 1
    client.force_login(world.users["la_manager"])
    assert client.get(reverse("admin:reporting_nationalfigure_changelist")).status_code == 302  # admins only


def test_a_report_is_for_one_scope_and_the_term_end_report_is_made_once(world):
    year = AcademicYear.objects.create(name="2026/27", start_date=D(2026, 9, 1), end_date=D(2027, 8, 31))
    term = Term.objects.create(academic_year=year, name="autumn", start_date=D(2026, 9, 2), end_date=D(2026, 12, 18))
    owner = world.users["la_manager"]

    def run(**fields):
        return ReportRun.objects.create(term=term, job=Job.objects.create(kind="termly_report", created_by=owner),
                                        figures_to=term.end_date, **fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        run(school=world.school_a, partnership=world.school_a.partnership)
    run(trigger="scheduled")
    with pytest.raises(IntegrityError), transaction.atomic():
        run(trigger="scheduled")
    run(trigger="on_demand")  # anyone may make another one on request
    assert ReportRun.objects.count() == 2
