"""`make bench`, the reporting part: the LA-wide termly report (every section's figures, the layout and WeasyPrint's
PDF, through the background job's own code) on the LA the attendance measures generated and imported. Limit (issue
8): at most 15 s at 250,000 pupils.

Before timing it, the generated LA gets what a real one has, written set-wise (SQL and bulk inserts, never a
service per row): pupil characteristics; last year's calendar and term summaries (so every figure has a "last
year"); three terms of suspensions, permanent and lunchtime exclusions over two years with day-6 provision; cases
with referrals and allocations; penalty notices in every status; part-time timetables and Fair Access referrals.
"""

from __future__ import annotations

import datetime
import tempfile
import time
from decimal import Decimal

LIMIT_SECONDS = 15.0
BATCH = 10_000
ETHNICITIES = ["WBRI"] * 14 + ["WOTH", "WIRI", "MWBC", "MWAS", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH",
                                "REFU", "NOBT"]
REASONS = ["DB", "DB", "DB", "VA", "PA", "PP", "VP", "DA", "DM", "BU", "RA", "SM", "MT", "OW", "TH", "LG", "DS"]


def _execute(sql: str, params=()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or None)


def _characteristics() -> None:
    from schools.models import Enrolment, Pupil

    table = Pupil._meta.db_table
    ethnicities = "ARRAY[" + ", ".join(f"'{code}'" for code in ETHNICITIES) + "]"
    _execute(f"""
        UPDATE {table} SET
            sex = CASE WHEN MOD(id, 2) = 0 THEN 'F' ELSE 'M' END,
            sen_status = CASE WHEN MOD(id, 100) < 3 THEN 'E' WHEN MOD(id, 100) < 15 THEN 'K' ELSE 'N' END,
            fsm_eligible = (MOD(id, 4) = 0),
            looked_after = (MOD(id, 100) = 7),
            cin_cp = CASE WHEN MOD(id, 50) = 1 THEN 'cin' WHEN MOD(id, 100) = 2 THEN 'cp' ELSE '' END,
            ethnicity = ({ethnicities})[1 + MOD(id, {len(ETHNICITIES)})]""")
    # On roll since last September too, so last year's figures and population have the same pupils.
    _execute(f"UPDATE {Enrolment._meta.db_table} SET start_date = %s", [datetime.date(2024, 9, 2)])


def _last_year() -> None:
    """2024/25 with the same three terms a year earlier, and its term and year summaries copied from 2025/26 with
    a little more absence, in three INSERT ... SELECT statements."""
    from schools.models import AcademicYear, AttendanceSummary, Term

    this = AcademicYear.objects.get(name="2025/26")
    last = AcademicYear.objects.create(name="2024/25", start_date=datetime.date(2024, 9, 1),
                                       end_date=datetime.date(2025, 8, 31))
    mapping = {}
    for term in Term.objects.filter(academic_year=this, school__isnull=True):
        shift = datetime.timedelta(days=364)  # the same weekday a year earlier
        mapping[term.pk] = Term.objects.create(
            academic_year=last, name=term.name, start_date=term.start_date - shift, end_date=term.end_date - shift,
            half_term_start=term.half_term_start and term.half_term_start - shift,
            half_term_end=term.half_term_end and term.half_term_end - shift).pk
    table = AttendanceSummary._meta.db_table
    term_case = "CASE term_id " + " ".join(f"WHEN {old} THEN {new}" for old, new in mapping.items()) + " END"
    moved = "LEAST(possible - authorised - unauthorised, MOD(enrolment_id, 3))"  # sessions that become absence
    persistent = f"((authorised + unauthorised + {moved}) * 10 >= possible AND possible > 0)"
    severe = f"((authorised + unauthorised + {moved}) * 2 >= possible AND possible > 0)"
    for where, term in (("term_id IS NOT NULL", term_case), ("term_id IS NULL", "NULL")):
        _execute(f"""
            INSERT INTO {table} (enrolment_id, academic_year_id, term_id, possible, present, aea, authorised,
                                 unauthorised, not_counted, late, pn_sessions, is_persistent, is_severe)
            SELECT enrolment_id, %s, {term}, possible, present - {moved}, aea, authorised + {moved}, unauthorised,
                   not_counted, late, pn_sessions, {persistent}, {severe}
            FROM {table} WHERE academic_year_id = %s AND {where}""", [last.pk, this.pk])


def _exclusions(days: list[datetime.date]) -> int:
    """Suspensions for about 4% of enrolments a year (a second one for 1%), permanent exclusions for 0.1%, lunchtime
    exclusions for 0.5%, this year and last, with the LA's day-6 provision recorded for two in three permanent
    exclusions."""
    from schools.models import Enrolment, Exclusion

    last_year = [day - datetime.timedelta(days=364) for day in days]
    rows = []
    enrolments = Enrolment.objects.filter(id__in=_every(25, 0) | _every(200, 5) | _every(1000, 3)).values_list(
        "pk", "pupil_id", "school_id").order_by("pk")
    for pk, pupil_id, school_id in enrolments.iterator(chunk_size=BATCH):
        for year_days in (days, last_year):
            start = year_days[(pk * 7) % (len(year_days) - 12)]
            reason = REASONS[pk % len(REASONS)]
            if pk % 1000 == 3:
                day6 = start + datetime.timedelta(days=8)
                rows.append(Exclusion(pupil_id=pupil_id, school_id=school_id, kind="permanent", start_date=start,
                                      reason_1=reason, reason_2="DB" if reason != "DB" else "", notice_date=start,
                                      day6_duty="la", day6_date=day6,
                                      provision_from=day6 if pk % 3 else None))
            elif pk % 200 == 5:
                rows.append(Exclusion(pupil_id=pupil_id, school_id=school_id, kind="lunchtime", start_date=start,
                                      length_sessions=1, days=Decimal("0.5"), start_year_days=Decimal("0.5"),
                                      reason_1=reason, notice_date=start, end_date=start))
            else:
                sessions = 1 + pk % 10
                count = 2 if pk % 100 == 0 else 1
                for n in range(count):
                    begin = year_days[(pk * 7 + 40 * n) % (len(year_days) - 12)]
                    rows.append(Exclusion(pupil_id=pupil_id, school_id=school_id, kind="suspension",
                                          start_date=begin, length_sessions=sessions,
                                          days=Decimal(sessions) / 2, start_year_days=Decimal(sessions) / 2,
                                          term_days_total=Decimal(sessions) / 2, reason_1=reason,
                                          notice_date=begin, end_date=begin + datetime.timedelta(days=sessions // 2)))
        if len(rows) >= BATCH:
            Exclusion.objects.bulk_create(rows)
            rows = []
    Exclusion.objects.bulk_create(rows)
    return Exclusion.objects.count()


def _every(n: int, remainder: int):
    from django.db.models import Q
    from django.db.models.functions import Mod

    from schools.models import Enrolment

    return Enrolment.objects.alias(r=Mod("id", n)).filter(Q(r=remainder)).values("pk")


def _people():
    from schools.models import User

    manager = User.objects.create(username="bench-manager", role="la_manager", first_name="Bench", last_name="Manager")
    officers = User.objects.bulk_create([User(username=f"bench-officer-{n}", role="la_officer", first_name="Officer",
                                              last_name=f"{n:02d}") for n in range(25)])
    school_user = User.objects.create(username="bench-school", role="school_user")
    return manager, officers, school_user


def _casework(days: list[datetime.date], manager, officers, school_user) -> int:
    """Cases for 2% of enrolments (a third of them closed), half from a school's referral, each allocated."""
    from django.db.models import F

    from cases.models import Allocation, Case, Referral
    from schools.models import Enrolment

    stages = ["1_prevention", "2_early_intervention", "3_targeted_support", "4_legal"]
    outcomes = ["improved", "moved_school", "escalated_legal", "other"]
    cases = []
    for pk, pupil_id, school_id in Enrolment.objects.filter(id__in=_every(50, 0)).values_list(
            "pk", "pupil_id", "school_id").iterator(chunk_size=BATCH):
        opened = days[(pk * 3) % len(days)]
        closed = pk % 3 == 0
        cases.append(Case(pupil_id=pupil_id, school_id=school_id, case_type="attendance",
                          status="closed" if closed else "open", stage=stages[pk % 4],
                          officer=officers[pk % len(officers)], summary="Attendance below 90%.", opened_on=opened,
                          closed_on=opened + datetime.timedelta(days=30) if closed else None,
                          outcome=outcomes[pk % 4] if closed else "", created_by=manager))
    Case.objects.bulk_create(cases, batch_size=BATCH)
    stored = list(Case.objects.values_list("pk", "pupil_id", "school_id", "officer_id"))
    Referral.objects.bulk_create([Referral(pupil_id=pupil, school_id=school, case_type="attendance",
                                           concerns="Irregular attendance.", status="accepted",
                                           referred_by=school_user, case_id=case) for case, pupil, school, _ in stored
                                  if case % 2 == 0], batch_size=BATCH)
    Allocation.objects.bulk_create([Allocation(case_id=case, officer_id=officer, allocated_by=manager)
                                    for case, _, _, officer in stored], batch_size=BATCH)
    # Allocated some days after the referral (auto_now_add stamped both now).
    Allocation.objects.update(allocated_at=F("allocated_at") + datetime.timedelta(days=3))
    return len(stored)


def _notices(days: list[datetime.date], manager) -> int:
    """Penalty notices for 1% of enrolments, one parent each, in every status."""
    from legal.models import PenaltyNotice
    from schools.models import Carer, Enrolment, Family

    targets = list(Enrolment.objects.filter(id__in=_every(100, 1)).values_list("pk", "pupil_id", "school_id"))
    families = Family.objects.bulk_create([Family(name=f"Bench family {pk}") for pk, _, _ in targets],
                                          batch_size=BATCH)
    carers = Carer.objects.bulk_create([Carer(family=family, full_name="Bench Parent", relationship="mother")
                                        for family in families], batch_size=BATCH)
    statuses = ["issued", "paid_reduced", "paid_full", "unpaid", "referred", "withdrawn"]
    notices = []
    for (pk, pupil_id, school_id), carer in zip(targets, carers, strict=True):
        issued = days[(pk * 5) % len(days)]
        status = statuses[pk % len(statuses)]
        paid = {"paid_reduced": Decimal("80.00"), "paid_full": Decimal("160.00")}.get(status)
        notices.append(PenaltyNotice(
            pupil_id=pupil_id, carer=carer, school_id=school_id,
            notice_type="non_attendance" if pk % 3 else "term_time_leave", regime="2024", number_in_window=1,
            period_start=issued - datetime.timedelta(days=70), period_end=issued - datetime.timedelta(days=3),
            issued_on=issued, issued_by=manager, served_on=issued, service_method="hand", received_on=issued,
            reduced_amount=Decimal("80.00"), full_amount=Decimal("160.00"),
            reduced_due_on=issued + datetime.timedelta(days=21), full_due_on=issued + datetime.timedelta(days=28),
            status=status, paid_on=issued + datetime.timedelta(days=10) if paid else None, paid_amount=paid,
            withdrawn_on=issued + datetime.timedelta(days=5) if status == "withdrawn" else None,
            withdrawal_ground="no_offence" if status == "withdrawn" else ""))
    PenaltyNotice.objects.bulk_create(notices, batch_size=BATCH)
    return len(notices)


def _provision(days: list[datetime.date]) -> None:
    from schools.models import APProvider, Enrolment, FairAccessReferral, PartTimeTimetable

    rows = list(Enrolment.objects.filter(id__in=_every(500, 11)).values_list("pk", "pupil_id", "school_id"))
    PartTimeTimetable.objects.bulk_create([PartTimeTimetable(
        pupil_id=pupil, school_id=school, start_date=days[pk % len(days)],
        planned_end_date=days[pk % len(days)] + datetime.timedelta(days=42), hours_per_week=Decimal(15),
        reason="mental_health", parent_agreed_on=days[pk % len(days)],
        next_review_date=days[pk % len(days)] + datetime.timedelta(days=21)) for pk, pupil, school in rows])
    FairAccessReferral.objects.bulk_create([FairAccessReferral(
        pupil_id=pupil, category="no_place", referred_on=days[pk % len(days)],
        out_of_school_since=days[pk % len(days)]) for pk, pupil, _ in rows[: len(rows) // 2]])
    APProvider.objects.bulk_create([APProvider(name=f"Bench AP {n}", places_commissioned=Decimal(25 + 5 * n))
                                    for n in range(4)])


def _roll(days: list[datetime.date]) -> int:
    """Admission notices from schools for one enrolment in 100 (a year's new pupils at the LA's in-year rate), most
    triaged, a tenth late, the rest waiting in the LA's queue (schools.roll)."""
    from schools.models import Enrolment, RollNotification

    rows = list(Enrolment.objects.filter(id__in=_every(100, 7)).values_list(
        "pk", "school_id", "pupil_id", "pupil__upn", "pupil__legal_first_name", "pupil__legal_last_name",
        "pupil__date_of_birth"))
    RollNotification.objects.bulk_create([RollNotification(
        kind=RollNotification.Kind.ADMISSION, school_id=school, upn=upn, first_name=first, last_name=last,
        date_of_birth=born, event_date=days[pk % len(days)], received_on=days[pk % len(days)],
        due_on=days[pk % len(days)] + datetime.timedelta(days=7), late=pk % 10 == 0, pupil_id=pupil,
        status=RollNotification.Status.TO_TRIAGE if pk % 4 == 0 else RollNotification.Status.DONE)
        for pk, school, pupil, upn, first, last, born in rows], batch_size=2_000)
    return len(rows)


def enrich(days: list[datetime.date]):
    """Everything a report reads, beside the imported registers. Returns the LA manager the report is made for."""
    start = time.perf_counter()
    _characteristics()
    _last_year()
    exclusions = _exclusions(days)
    manager, officers, school_user = _people()
    cases = _casework(days, manager, officers, school_user)
    notices = _notices(days, manager)
    _provision(days)
    notifications = _roll(days)
    _execute("ANALYZE")
    print(f"  reporting data: {exclusions:,} exclusions, {cases:,} cases, {notices:,} penalty notices, "
          f"{notifications:,} roll notices (written in {time.perf_counter() - start:.1f} s)")
    return manager


def measure(days: list[datetime.date], result_type) -> list:
    """Time the LA-wide termly report for the last term of the generated year, made as the end-of-term task makes
    it (reporting.services.report_schedule_term_end: the job, every section, the PDF saved through storage)."""
    from django.test.utils import override_settings

    from reporting import services
    from schools.models import Term

    enrich(days)
    term = Term.objects.filter(school__isnull=True, start_date__lte=days[-1]).order_by("-start_date").first()
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media, override_settings(MEDIA_ROOT=media):
        start = time.perf_counter()
        run = services.report_schedule_term_end(today=term.end_date + datetime.timedelta(days=1))
        seconds = time.perf_counter() - start
        run.refresh_from_db()
        job = run.job
        if job.status != "succeeded":
            raise SystemExit(f"The termly report failed: {job.message}")
        size = run.file.size
    print(f"  termly report: {run.title}; {run.pages} pages, {size / 1e6:.1f} MB")
    figures_seconds = _time_figures(term, run)
    return [result_type("Termly report PDF (LA-wide)", seconds, "s",
                        f"figures {figures_seconds:.1f} s, {run.pages} pages", f"<= {LIMIT_SECONDS:g} s",
                        seconds <= LIMIT_SECONDS)]


def _time_figures(term, run) -> float:
    """The figures alone (what the dashboards cost at this size), for the reference column."""
    from reporting import selectors, services

    start = time.perf_counter()
    selectors.report_figures(services.report_scope(run), services.report_period(run))
    return time.perf_counter() - start
