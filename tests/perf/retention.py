"""The retention job's speed on PostgreSQL: N leavers past retention beside N pupils on roll, each with 38 register
weeks, a closed case with five chronology entries, a household with a carer and three audited views. Times the dry
run, the anonymisation (the nightly task's own code) and a rerun; exits 1 past the limits.

    python -m tests.perf.retention [--leavers 5000]

Builds a throwaway database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/casework_dp_bench).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

from tests.perf.__main__ import _prepare_database, _setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casework_dp_bench"
LIMIT_PER_1000 = 4.0  # seconds per 1,000 pupils anonymised: a 250,000-pupil LA's yearly leavers in minutes
RERUN_LIMIT = 1.0  # a night with nobody new is a handful of queries


def _build(n: int) -> None:
    from cases.models import Case, ChronologyEntry
    from schools.models import (
        AcademicYear,
        AttendanceWeek,
        AuditEvent,
        Carer,
        Enrolment,
        Family,
        LocalAuthority,
        Partnership,
        Pupil,
        School,
        Term,
        User,
    )

    LocalAuthority.objects.create(name="Bench", la_code="845")
    school = School.objects.create(urn="100001", laestab="8452001", name="Bench School", phase="primary",
                                   school_type="community", partnership=Partnership.objects.create(name="P"))
    user = User.objects.create(username="bench", role="la_manager")
    year = AcademicYear.objects.create(name="2011/12", start_date=datetime.date(2011, 9, 1),
                                       end_date=datetime.date(2012, 8, 31))
    term = Term.objects.create(academic_year=year, name="autumn", start_date=datetime.date(2011, 9, 5),
                               end_date=datetime.date(2011, 12, 16))
    families = Family.objects.bulk_create([Family(name=f"F{i}", address_line_1="1 Road") for i in range(2 * n)])
    Carer.objects.bulk_create([Carer(family=f, full_name="Carer", relationship="mother") for f in families])
    pupils = Pupil.objects.bulk_create([
        Pupil(upn=f"A{i:012d}", legal_first_name=f"F{i}", legal_last_name=f"L{i}", sex="F", family=families[i],
              date_of_birth=datetime.date(1995 if i < n else 2015, 6, 15)) for i in range(2 * n)])
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(pupil=p, school=school, start_date=datetime.date(2006, 9, 1), nc_year=11,
                  end_date=datetime.date(2012, 7, 20) if i < n else None) for i, p in enumerate(pupils)])
    AttendanceWeek.objects.bulk_create([
        AttendanceWeek(enrolment=e, week_start=datetime.date(2011, 9, 5) + datetime.timedelta(weeks=w),
                       marks="/\\" * 10, academic_year=year, term=term, possible=10, present=10, sessions=10)
        for e in enrolments for w in range(38)], batch_size=5000)
    cases = Case.objects.bulk_create([
        Case(pupil=p, case_type="attendance", status="closed", stage="2_early_intervention", summary="Summary",
             opened_on=datetime.date(2011, 9, 14), closed_on=datetime.date(2012, 7, 1), outcome="improved",
             created_by=user) for p in pupils])
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(case=c, entry_type="call", occurred_on=datetime.date(2011, 10, 1), summary="Call",
                        details="Details", created_by=user) for c in cases for _ in range(5)], batch_size=5000)
    AuditEvent.objects.bulk_create([
        AuditEvent(username="bench", action="view", object_type="schools.Pupil", object_id=str(p.pk),
                   object_repr=str(p), pupil_id=p.pk) for p in pupils for _ in range(3)], batch_size=5000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leavers", type=int, default=5000)
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _prepare_database(url)
    _setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _build(args.leavers)

    from schools.data_protection.retention import anonymise, dry_run

    start = time.perf_counter()
    due = dry_run()["to_anonymise"].count()
    dry = time.perf_counter() - start
    start = time.perf_counter()
    run = anonymise()
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    rerun = anonymise()
    again = time.perf_counter() - start
    limit = LIMIT_PER_1000 * args.leavers / 1000
    print(f"dry run: {due:,} due in {dry:.2f} s")
    print(f"anonymise: {run.anonymised:,} pupils in {seconds:.2f} s (limit {limit:.1f} s)")
    print(f"rerun: {rerun.anonymised} pupils in {again:.2f} s (limit {RERUN_LIMIT:.1f} s)")
    ok = run.anonymised == args.leavers == due and rerun.anonymised == 0 and seconds <= limit and again <= RERUN_LIMIT
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
