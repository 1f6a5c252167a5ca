"""factory_boy factories shared by every test module."""

from __future__ import annotations

import datetime

import factory

from schools.models import Carer, Enrolment, Family, LocalAuthority, Partnership, Pupil, School, User
from schools.roles import Role
from schools.validators import upn_check_letter

TEST_PASSWORD = "correct-horse-battery-staple"


def make_upn(n: int) -> str:
    body = f"845{2000 + n % 7000:04d}25{n % 1000:03d}"
    return upn_check_letter(body) + body


def spare_upn(n: int) -> str:
    """A valid UPN (its check letter right) that no factory pupil is ever given, however many the session has made:
    the factory's (make_upn) are allocated in year 25, these in year 26. For a child the authority does not know yet,
    or a UPN a pupil had before."""
    body = f"845{2000 + n % 7000:04d}26{n % 1000:03d}"
    return upn_check_letter(body) + body


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    name = "Test County Council"
    la_code = "845"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Partnership {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    laestab = factory.Sequence(lambda n: f"845{2000 + n:04d}")
    name = factory.Sequence(lambda n: f"School {n} Primary")
    phase = School.Phase.PRIMARY
    school_type = School.SchoolType.COMMUNITY
    partnership = factory.SubFactory(PartnershipFactory)


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Family {n}")
    town = "Lewes"
    postcode = "BN7 1AA"


class CarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carer

    family = factory.SubFactory(FamilyFactory)
    full_name = factory.Sequence(lambda n: f"Carer {n}")
    relationship = "mother"


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    upn = factory.Sequence(make_upn)
    legal_first_name = factory.Sequence(lambda n: f"First{n}")
    legal_last_name = factory.Sequence(lambda n: f"Last{n}")
    date_of_birth = datetime.date(2015, 3, 27)
    sex = Pupil.Sex.FEMALE


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SubFactory(SchoolFactory)
    start_date = datetime.date(2024, 9, 1)
    nc_year = 6


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.LA_OFFICER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def schools(self, create, extracted, **kwargs):
        if create and extracted:
            self.schools.set(extracted)
        if create:
            self.save()


# --- Cases and interventions (issue 4) -------------------------------------------------------------------------------

class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "schools.AcademicYear"
        django_get_or_create = ("name",)

    name = "2026/27"
    start_date = datetime.date(2026, 9, 1)
    end_date = datetime.date(2027, 8, 31)


class CaseFactory(factory.django.DjangoModelFactory):
    """A bare case row (no stage history or events): tests that need the full story use cases.services."""

    class Meta:
        model = "cases.Case"

    pupil = factory.SubFactory(PupilFactory)
    case_type = "attendance"
    status = "open"
    stage = "2_early_intervention"
    summary = "Attendance has fallen since the autumn half term."
    opened_on = datetime.date(2026, 9, 14)
    next_review_due = datetime.date(2026, 10, 26)
    created_by = factory.SubFactory(UserFactory)


class ChronologyEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.ChronologyEntry"

    case = factory.SubFactory(CaseFactory)
    entry_type = "call"
    occurred_on = datetime.date(2026, 10, 1)
    summary = factory.Sequence(lambda n: f"Called home ({n})")
    created_by = factory.SubFactory(UserFactory)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cases.Task"

    case = factory.SubFactory(CaseFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    due_date = datetime.date(2026, 11, 1)
    assigned_to = factory.SubFactory(UserFactory)
    created_by = factory.SubFactory(UserFactory)
