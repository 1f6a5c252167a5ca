"""The demo-data loader: shape of the data, identifiers, enrolment rules, logins, determinism and --if-empty."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction

from schools.attendance.review.demo import CREATED_PUPILS  # children new to the authority, created from the CTF queue
from schools.demo import (
    PARTNERSHIPS,
    REFERENCE_DATE,
    SCHOOL2_USER_SCHOOL,
    SCHOOL_USER_SCHOOL,
    DemoDataExists,
    build_plan,
    load_demo,
)
from schools.models import (
    AcademicYear,
    Carer,
    Closure,
    Enrolment,
    Family,
    LocalAuthority,
    Partnership,
    Pupil,
    School,
    Term,
    User,
)
from schools.roles import Role
from schools.validators import validate_laestab, validate_upn, validate_urn

PUPILS = 600


@pytest.fixture
def demo(db):
    return load_demo(seed=2026, pupils=PUPILS)


def current_school_by_pupil() -> dict[int, int]:
    return dict(Enrolment.objects.filter(end_date__isnull=True).values_list("pupil_id", "school_id"))


def test_organisation_and_calendar(demo):
    la = LocalAuthority.current()
    assert (la.name, la.la_code, la.service_name) == (
        "Demo Sussex County Council", "845", "Attendance and inclusion casework")
    assert list(Partnership.objects.values_list("name", "kind")) == sorted((n, "partnership") for n in PARTNERSHIPS)

    schools = list(School.objects.all())
    assert 55 <= len(schools) <= 65
    phases = defaultdict(int)
    for school in schools:
        phases[school.phase] += 1
        validate_urn(school.urn)
        validate_laestab(school.laestab)
        assert school.laestab.startswith("845")
        expected_prefix = {"primary": "2", "secondary": "4", "special": "7", "ap": "1"}[school.phase]
        assert school.laestab[3] == expected_prefix, school
        assert school.partnership_id is not None
    assert phases == {"primary": 44, "secondary": 12, "special": 3, "ap": 1}
    assert len({s.urn for s in schools}) == len({s.laestab for s in schools}) == len(schools)
    assert len({s.school_type for s in schools}) >= 5

    assert list(AcademicYear.objects.order_by("start_date").values_list("name", "start_date", "end_date")) == [
        ("2025/26", date(2025, 9, 1), date(2026, 8, 31)), ("2026/27", date(2026, 9, 1), date(2027, 8, 31))]
    assert Term.objects.filter(school__isnull=True).count() == 6
    overrides = Term.objects.filter(school__isnull=False)
    assert overrides.count() == 6 and overrides.values("school").distinct().count() == 1
    assert overrides.first().school.school_type == School.SchoolType.ACADEMY
    for term in Term.objects.all():
        assert term.start_date < term.half_term_start <= term.half_term_end < term.end_date
    bank_holidays = set(Closure.objects.filter(kind="bank_holiday", school__isnull=True).values_list("date", flat=True))
    assert {date(2025, 12, 25), date(2026, 4, 3), date(2026, 12, 28), date(2027, 3, 29), date(2027, 5, 31)} <= (
        bank_holidays)
    assert Closure.objects.filter(kind="inset", school__isnull=True).exists()


def test_pupils_and_enrolments(demo):
    pupils = list(Pupil.objects.all())
    assert len(pupils) == PUPILS + CREATED_PUPILS
    for pupil in pupils:
        validate_upn(pupil.upn)
        if pupil.former_upn:
            validate_upn(pupil.former_upn)
            assert pupil.former_upn != pupil.upn
        if pupil.cin_cp or pupil.looked_after:
            assert pupil.social_worker_name and pupil.social_worker_contact
    assert len({p.upn for p in pupils}) == len(pupils)
    assert {p.cin_cp for p in pupils} <= {"", "cin", "cp"}

    enrolments = defaultdict(list)
    for enrolment in Enrolment.objects.select_related("school"):
        enrolments[enrolment.pupil_id].append(enrolment)
    pupils_by_id = {p.pk: p for p in pupils}
    moved = 0
    for pupil_id, rows in enrolments.items():
        current = [e for e in rows if e.end_date is None]
        assert len(current) == 1, pupil_id
        current = current[0]
        assert current.start_date < REFERENCE_DATE
        # Date of birth matches the NC year in 2026/27 (Reception: born 1 Sep 2021 to 31 Aug 2022).
        year = current.nc_year
        assert date(2021 - year, 9, 1) <= pupils_by_id[pupil_id].date_of_birth <= date(2022 - year, 8, 31)
        allowed = {"primary": range(0, 7), "secondary": range(7, 14), "special": range(0, 15), "ap": range(9, 12)}
        assert year in allowed[current.school.phase], (current.school.phase, year)
        moved += len(rows) > 1
        for e in rows:
            assert e.end_date is None or e.end_date >= e.start_date
        by_school = defaultdict(list)
        for e in rows:
            by_school[e.school_id].append(e)
        for same_school in by_school.values():
            same_school.sort(key=lambda e: e.start_date)
            for earlier, later in zip(same_school, same_school[1:], strict=False):
                assert earlier.end_date is not None and earlier.end_date < later.start_date
        ended = sorted((e for e in rows if e.end_date), key=lambda e: e.start_date)
        if ended:
            assert ended[-1].end_date <= current.start_date
    assert set(enrolments) == set(pupils_by_id)
    assert 0.05 * PUPILS <= moved <= 0.2 * PUPILS


def test_every_row_passes_model_validation(demo):
    for model in (School, Term, Closure, Family, Carer, Pupil, Enrolment):
        for obj in model.objects.all():
            obj.full_clean()


def test_families(demo):
    in_family = Pupil.objects.filter(family__isnull=False).count()
    assert 0.6 * PUPILS <= in_family <= 0.8 * PUPILS
    current = current_school_by_pupil()
    schools_by_family = defaultdict(set)
    for pupil_id, family_id in Pupil.objects.filter(family__isnull=False).values_list("pk", "family_id"):
        schools_by_family[family_id].add(current[pupil_id])
    assert any(len(schools) >= 2 for schools in schools_by_family.values())
    for family in Family.objects.prefetch_related("carers"):
        carers = list(family.carers.all())
        assert 1 <= len(carers) <= 2
        assert sum(c.is_main_contact for c in carers) == 1
        assert family.postcode[:2] in {"BN", "TN"}
        for carer in carers:
            assert carer.phone.startswith("07700 900")
            assert not carer.email or carer.email.endswith("@example.com")


def test_logins(demo):
    assert set(demo) == {"admin", "manager", "officer", "legal", "school", "school2",
                         "officer2", "officer3", "officer4", "officer5", "officer6"}
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    for username, login in demo.items():
        user = User.objects.get(username=username)
        assert user.role == login["role"]
        assert len(login["password"]) >= 12
        assert user.check_password(login["password"])
        validate_password(login["password"], user)
        assert user.first_name and user.last_name and user.job_title
        assert login["sees"]
    admin = User.objects.get(username="admin")
    assert admin.role == Role.LA_ADMIN and admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_staff=True).exclude(username="admin").exists()

    school_user, school2_user = User.objects.get(username="school"), User.objects.get(username="school2")
    school1 = school_user.schools.get()
    school2 = school2_user.schools.get()
    assert (school1.name, school1.phase) == (SCHOOL_USER_SCHOOL, School.Phase.SECONDARY)
    assert (school2.name, school2.phase) == (SCHOOL2_USER_SCHOOL, School.Phase.PRIMARY)
    assert demo["school"]["sees"] == f"School user: {SCHOOL_USER_SCHOOL} only"
    # A household with one child on each school's roll now: the sibling shows up across the two schools.
    current = current_school_by_pupil()
    families_at = defaultdict(set)
    for pupil_id, family_id in Pupil.objects.filter(family__isnull=False).values_list("pk", "family_id"):
        families_at[current[pupil_id]].add(family_id)
    assert families_at[school1.pk] & families_at[school2.pk]


class _Rollback(Exception):
    pass


def _first_upns_after_loading(seed: int) -> list[str]:
    try:
        with transaction.atomic():
            load_demo(seed=seed, pupils=PUPILS)
            upns = list(Pupil.objects.order_by("pk").values_list("upn", flat=True)[:10])
            raise _Rollback
    except _Rollback:
        pass
    assert not School.objects.exists()
    return upns


def test_same_seed_same_data(db):
    first, second = build_plan(seed=7, pupils=PUPILS), build_plan(seed=7, pupils=PUPILS)
    assert [p.upn for p in first.pupils] == [p.upn for p in second.pupils]
    assert [(p.legal_first_name, p.legal_last_name, p.date_of_birth) for p in first.pupils] == [
        (p.legal_first_name, p.legal_last_name, p.date_of_birth) for p in second.pupils]
    assert [(c.full_name, c.phone) for c in first.carers] == [(c.full_name, c.phone) for c in second.carers]
    assert [s.urn for s in first.schools] == [s.urn for s in second.schools]

    loaded = _first_upns_after_loading(7)
    assert loaded == _first_upns_after_loading(7)
    assert loaded == [p.upn for p in first.pupils[:10]]
    assert loaded != _first_upns_after_loading(8)


def test_refuses_to_load_twice(demo):
    with pytest.raises(DemoDataExists, match="Demo data already present"):
        load_demo(pupils=PUPILS)
    with pytest.raises(CommandError, match="Demo data already present"):
        call_command("load_demo", "--pupils", str(PUPILS), stdout=io.StringIO())
    assert Pupil.objects.count() == PUPILS + CREATED_PUPILS


def test_command_if_empty_is_a_no_op_the_second_time(db):
    out = io.StringIO()
    call_command("load_demo", "--pupils", str(PUPILS), "--seed", "11", "--if-empty", stdout=out)
    printed = out.getvalue()
    for username in ("admin", "manager", "officer", "legal", "school", "school2", "officer6"):
        assert f"demo-{username}-11" in printed
    assert f"School user: {SCHOOL_USER_SCHOOL} only" in printed
    counts = (School.objects.count(), Pupil.objects.count(), Enrolment.objects.count(), User.objects.count())

    out = io.StringIO()
    call_command("load_demo", "--pupils", str(PUPILS), "--seed", "11", "--if-empty", stdout=out)
    printed = out.getvalue()
    assert printed.startswith("Demo data already present")
    assert "demo-manager-11" in printed and "demo-school-11" in printed  # logins are printed at every start

    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)  # another seed's passwords don't match: none printed
    assert "No demo logins with their demo passwords remain" in out.getvalue()
    assert counts == (School.objects.count(), Pupil.objects.count(), Enrolment.objects.count(), User.objects.count())


def test_too_few_pupils_is_refused(db):
    with pytest.raises(CommandError, match="--pupils"):
        call_command("load_demo", "--pupils", "10", stdout=io.StringIO())
    with pytest.raises(ValueError):
        build_plan(pupils=10)
    assert not School.objects.exists()
