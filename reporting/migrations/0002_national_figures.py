"""The national (England) comparator figures the service starts with, from shared/reference/statutory-rules.md §8.
LA admins add later years in the admin site as the DfE publishes them."""

from decimal import Decimal

from django.db import migrations

ABSENCE_2023_24 = ("DfE, Pupil absence in schools in England 2023/24 (full year), as reported by PA Media "
                   "20 March 2025")
ABSENCE_URL = "https://explore-education-statistics.service.gov.uk/find-statistics/pupil-absence-in-schools-in-england"
AUTUMN_2023_24 = "DfE, Pupil absence in schools in England, autumn term 2023/24 (EES)"
AUTUMN_URL = ("https://explore-education-statistics.service.gov.uk/find-statistics/pupil-absence-in-schools-in-england/"
              "2023-24-autumn-term")
EXCLUSIONS_2023_24 = ("DfE, Suspensions and permanent exclusions in England 2023/24: 1,131 suspensions and 13 "
                      "permanent exclusions per 10,000 pupils")
EXCLUSIONS_URL = ("https://explore-education-statistics.service.gov.uk/find-statistics/"
                  "suspensions-and-permanent-exclusions-in-england")

FIGURES = [
    # measure, academic year, term, value (%), source, address
    ("overall_absence", "2023/24", "", "7.1", ABSENCE_2023_24, ABSENCE_URL),
    ("overall_absence", "2022/23", "", "7.4", ABSENCE_2023_24, ABSENCE_URL),
    ("unauthorised_absence", "2023/24", "", "2.5", ABSENCE_2023_24, ABSENCE_URL),
    ("persistent_absence", "2023/24", "", "20.0", ABSENCE_2023_24, ABSENCE_URL),
    ("severe_absence", "2023/24", "", "2.3", ABSENCE_2023_24, ABSENCE_URL),
    ("overall_absence", "2023/24", "autumn", "6.7", AUTUMN_2023_24, AUTUMN_URL),
    ("persistent_absence", "2023/24", "autumn", "20.1", AUTUMN_2023_24, AUTUMN_URL),
    ("suspension_rate", "2023/24", "", "11.31", EXCLUSIONS_2023_24, EXCLUSIONS_URL),
    ("permanent_exclusion_rate", "2023/24", "", "0.13", EXCLUSIONS_2023_24, EXCLUSIONS_URL),
]


def load(apps, schema_editor):
    NationalFigure = apps.get_model("reporting", "NationalFigure")
    for measure, year, term, value, source, url in FIGURES:
        NationalFigure.objects.get_or_create(measure=measure, phase="all", academic_year=year, term=term,
                                             defaults={"value": Decimal(value), "source": source, "source_url": url})


def unload(apps, schema_editor):
    NationalFigure = apps.get_model("reporting", "NationalFigure")
    for measure, year, term, *_ in FIGURES:
        NationalFigure.objects.filter(measure=measure, phase="all", academic_year=year, term=term).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
