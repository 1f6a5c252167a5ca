from __future__ import annotations

import datetime

import pytest

from schools.models import AcademicYear, Term

D = datetime.date


@pytest.fixture
def terms(world):
    """2025/26 LA terms (autumn with half term) around the world fixture's enrolments."""
    year = AcademicYear.objects.create(name="2025/26", start_date=D(2025, 9, 1), end_date=D(2026, 8, 31))
    autumn = Term.objects.create(academic_year=year, name="autumn", start_date=D(2025, 9, 3),
                                 end_date=D(2025, 12, 19), half_term_start=D(2025, 10, 27),
                                 half_term_end=D(2025, 10, 31))
    spring = Term.objects.create(academic_year=year, name="spring", start_date=D(2026, 1, 5),
                                 end_date=D(2026, 3, 27))
    return {"year": year, "autumn": autumn, "spring": spring}
