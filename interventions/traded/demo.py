"""Demo traded services for the demo authority (schools.demo.load_demo calls :func:`load` inside its transaction).

The autumn term 2026/27 as it stood on the demo's reference date: officers set up to deliver (one part time, one
adviser), their statutory casework recorded across the term, about 70 bookings across a dozen schools in every
status (requested, confirmed, declined, delivered, cancelled with notice and late, free statutory ones), annual
packages with bookings drawn from them, the September and October invoices and the 7/12 package instalments (some
paid, some overdue) and a credit note for a waived late-cancellation charge. November is left for the LA to invoice.

Rows are built in memory and written with bulk_create (fast); prices come from the same rate card and money rules
the services use, and the invoices and the credit note are raised through interventions.traded.services.
Deterministic: one ``random.Random(seed)``.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from interventions.models import (
    Booking,
    BookingDate,
    BookingPupil,
    DiscountTier,
    InvoiceLine,
    OfficerCommitment,
    Package,
    Rate,
    TradedOfficer,
    TradedPolicy,
    TradedService,
)
from interventions.traded import rules, services
from schools.models import AcademicYear, Enrolment, School, Term, User
from schools.school_days import load_calendar

# username: (rate-card roles, FTE). officer6 works on children missing education and takes no traded work.
OFFICERS = {
    "officer": (["officer"], "1.00"),
    "officer2": (["officer", "adviser"], "1.00"),
    "officer3": (["officer", "adviser"], "0.80"),
    "officer4": (["officer", "legal"], "1.00"),
    "officer5": (["officer"], "0.60"),
}
# How often an officer's school day is taken by statutory casework: a full day, a half day.
STATUTORY_FULL, STATUTORY_HALF = 0.45, 0.25
SCHOOLS = 12
# (service, units, funding) by school slot; "pkg" draws on the school's package when it has one.
POPULAR = [
    ("Register audit", "1", "payg"), ("Staff training on attendance", "2", "payg"),
    ("Data consultation", "1", "payg"), ("MIS assistance for attendance data", "2", "payg"),
    ("Specialist assembly on attendance", "1", "payg"), ("Parents' evening attendance stand", "1", "payg"),
    ("Peer mentor training", "1.5", "payg"), ("Social skills group work", "2", "pkg"),
    ("Coping strategies for students in the classroom", "2", "pkg"), ("Emotional literacy assessment", "1", "pkg"),
    ("Observation and assessment of an individual student", "1", "payg"),
    ("Coaching and reflective practice for staff", "2", "payg"), ("Exclusion from school workshop", "1", "payg"),
    ("Get a Life attendance initiative", "1", "payg"), ("Attendance panel", "2", "pkg"),
    ("Data analysis and strategy development", "1", "payg"),
    ("Attendance advice and consultation", "1", "free"),
    ("Reintegration support after permanent exclusion or a managed transfer", "2", "free"),
]


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


class _Loader:
    def __init__(self, seed: int, stdout):
        from schools.demo import REFERENCE_DATE

        self.rng = random.Random(seed + 7)
        self.stdout = stdout
        self.today = min(REFERENCE_DATE, timezone.localdate())
        self.policy = TradedPolicy.current()
        self.users = {u.username: u for u in User.objects.filter(
            username__in=[*OFFICERS, "manager", "school", "school2", "admin"])}
        self.year = AcademicYear.objects.filter(start_date__lte=self.today, end_date__gte=self.today).first()
        self.term = Term.objects.filter(school__isnull=True, academic_year=self.year, start_date__lte=self.today,
                                        end_date__gte=self.today).first() if self.year else None
        self.services = {s.name: s for s in TradedService.objects.select_related("intervention")}
        self.rates = {r.role: r for r in Rate.objects.filter(effective_from__lte=self.today).order_by(
            "role", "effective_from")}
        self.used: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
        self.bookings: list[Booking] = []
        self.dates: dict[int, list[tuple[User, datetime.date, Decimal]]] = {}
        self.pupils: dict[int, list[int]] = {}  # current roll per school id
        self.booking_pupils: dict[int, list[int]] = {}  # by index in self.bookings

    def ready(self) -> bool:
        return bool(self.term and self.services and self.rates and "manager" in self.users)

    # -- officers and their statutory time -----------------------------------------------------------------------

    def officers(self):
        profiles = [TradedOfficer(user=self.users[name], roles=roles, fte=Decimal(fte))
                    for name, (roles, fte) in OFFICERS.items() if name in self.users]
        TradedOfficer.objects.bulk_create(profiles)
        self.profiles = {p.user.username: p for p in profiles}
        la = load_calendar(None, self.term.start_date, self.term.end_date)
        self.la_days = [self.term.start_date + datetime.timedelta(n)
                        for n in range((self.term.end_date - self.term.start_date).days + 1)]
        self.la_days = [d for d in self.la_days if la.is_school_day(d)]
        commitments = []
        manager = self.users["manager"]
        for profile in self.profiles.values():
            officer = profile.user
            # A part-timer's FTE already scales their working days; the demo keeps bookings off the days they do
            # not work, and statutory work fills much of the rest.
            for day in self.la_days:
                if self.rng.random() > float(profile.fte):
                    self.used[(officer.pk, day)] = Decimal("1.0")
                    continue
                draw = self.rng.random()
                if draw < 0.03:
                    commitments.append(OfficerCommitment(officer=officer, date=day, days=Decimal("1.0"),
                                                         kind=OfficerCommitment.Kind.UNAVAILABLE,
                                                         note="Annual leave", created_by=manager))
                    self.used[(officer.pk, day)] = Decimal("1.0")
                    continue
                if draw < STATUTORY_FULL:
                    days = Decimal("1.0")
                elif draw < STATUTORY_FULL + STATUTORY_HALF:
                    days = Decimal("0.5")
                else:
                    continue
                kind = self.rng.choice([OfficerCommitment.Kind.CASEWORK] * 6 + [OfficerCommitment.Kind.LEGAL,
                                                                                 OfficerCommitment.Kind.MULTI_AGENCY,
                                                                                 OfficerCommitment.Kind.ADVICE])
                commitments.append(OfficerCommitment(officer=officer, date=day, days=days, kind=kind,
                                                     created_by=manager))
                self.used[(officer.pk, day)] = days
        OfficerCommitment.objects.bulk_create(commitments, batch_size=2000)
        return len(commitments)

    # -- schools, pupils and packages ----------------------------------------------------------------------------

    def schools(self):
        named = [u.schools.first() for u in (self.users.get("school"), self.users.get("school2")) if u]
        others = list(School.objects.filter(is_open=True).exclude(pk__in=[s.pk for s in named if s])
                      .order_by("name"))
        self.rng.shuffle(others)
        self.chosen = [s for s in named if s] + others[:SCHOOLS - len(named)]
        self.calendars = {s.pk: load_calendar(s, self.term.start_date, self.term.end_date + datetime.timedelta(30))
                          for s in self.chosen}
        for enrolment in (Enrolment.objects.filter(school__in=self.chosen, end_date__isnull=True,
                                                   start_date__lte=self.today).order_by("pk")
                          .values("school_id", "pupil_id")[:SCHOOLS * 400]):
            self.pupils.setdefault(enrolment["school_id"], []).append(enrolment["pupil_id"])

    def packages(self):
        tiers = list(DiscountTier.objects.values_list("min_days", "percent"))
        buyer = self.users.get("school") or self.users["manager"]
        plan = [(0, "officer", "10", Package.Schedule.SEVEN_FIVE), (2, "officer", "20", Package.Schedule.SEVEN_FIVE),
                (3, "adviser", "5", Package.Schedule.SEVEN_FIVE), (5, "officer", "4", Package.Schedule.SINGLE)]
        created = []
        for slot, role, days, schedule in plan:
            if slot >= len(self.chosen):
                continue
            rate = self.rates[role]
            days = Decimal(days)
            list_net = rules.units_price(units=days, unit_price=rate.day_rate, half_unit_price=rate.half_day_rate)
            percent = rules.tier_for(days, tiers)
            price = rules.with_vat(rules.discounted(list_net, percent),
                                   self.policy.vat_rate_for(self.policy.default_vat_treatment))
            created.append(Package(
                school=self.chosen[slot], academic_year=self.year, role=role, days=days, schedule=schedule,
                rate=rate, day_rate=rate.day_rate, half_day_rate=rate.half_day_rate, discount_percent=percent,
                list_net=list_net, net=price.net, vat=price.vat, vat_treatment=self.policy.default_vat_treatment,
                vat_rate=self.policy.vat_rate_for(self.policy.default_vat_treatment),
                purchase_order=f"PO{4100 + slot}", purchased_by=buyer))
        Package.objects.bulk_create(created)
        Package.objects.filter(pk__in=[p.pk for p in created]).update(
            purchased_at=timezone.make_aware(datetime.datetime.combine(self.term.start_date, datetime.time(9))))
        self.package_for = {(p.school_id, p.role): p for p in created}
        self.package_left = {p.pk: p.days for p in created}
        return created

    # -- bookings --------------------------------------------------------------------------------------------------

    def _free_officer(self, service, days_needed: list[tuple[datetime.date, Decimal]]):
        candidates = [p.user for p in self.profiles.values() if service.role in p.roles]
        self.rng.shuffle(candidates)
        for officer in candidates:
            if all(self.used[(officer.pk, d)] + n <= 1 for d, n in days_needed):
                return officer
        return None

    def _school_days(self, school, start: datetime.date, end: datetime.date) -> list[datetime.date]:
        calendar = self.calendars[school.pk]
        return [start + datetime.timedelta(n) for n in range((end - start).days + 1)
                if calendar.is_school_day(start + datetime.timedelta(n))]

    def _visit_plan(self, days: Decimal, first: datetime.date, school) -> list[tuple[datetime.date, Decimal]]:
        later = [d for d in self._school_days(school, first, first + datetime.timedelta(40))]
        plan, left = [], days
        for day in later:
            if left <= 0:
                break
            part = Decimal("1.0") if left >= 1 else Decimal("0.5")
            plan.append((day, part))
            left -= part
        return plan

    def booking(self, school, name: str, units: str, funding: str, status: str, first: datetime.date) -> None:
        service = self.services.get(name)
        if service is None:
            return
        units = Decimal(units)
        days = (units * service.unit_days).quantize(Decimal("0.1"))
        package, funding = self._funding(school, service, days, funding, status)
        rate = self.rates.get(service.role) if service.is_charged else None
        unit_price, half = service.unit_prices(rate)
        school_days = self._school_days(school, first, first + datetime.timedelta(30))
        if not school_days:
            return
        first = school_days[0]
        officer, plan, status = self._officer_for(school, service, days, status, school_days)
        # Asked some weeks ahead, and never after the demo's today.
        requested = min(first - datetime.timedelta(days=self.rng.randint(15, 40)),
                        self.today - datetime.timedelta(days=self.rng.randint(1, 12)))
        free = funding == Booking.Funding.FREE
        booking = Booking(
            school=school, service=service, funding=funding, package=package, units=units,
            package_days=days if funding == Booking.Funding.PACKAGE else Decimal("0.0"),
            preferred_dates=[first.isoformat()], notes=self.rng.choice([
                "", "Before the next governors' meeting, please.", "For the new attendance lead.",
                "Year 9 cohort with falling attendance.", "Follow-up to last term's audit."]),
            purchase_order=f"PO{self.rng.randint(5000, 9999)}" if funding == Booking.Funding.PAYG else "",
            status=status, requested_by=self._school_user(school) or self.users["manager"],
            unit_price=Decimal("0.00") if free else unit_price, half_unit_price=None if free else half, rate=rate,
            vat_treatment=service.vat_treatment, vat_rate=self.policy.vat_rate_for(service.vat_treatment),
            priced_on=requested)
        booking._requested = requested
        self._settle(booking, status, officer, plan, requested, first, days)
        self.bookings.append(booking)
        self._pupils_for(school, service)

    def _funding(self, school, service, days: Decimal, funding: str, status: str):
        """(package, funding): from the school's annual package while it has days left, else pay as you go; free
        for a service that is not charged."""
        package = None
        if funding == "pkg":
            package = self.package_for.get((school.pk, service.role))
            if package is not None and self.package_left[package.pk] >= days and status != Booking.Status.DECLINED:
                funding = Booking.Funding.PACKAGE
                self.package_left[package.pk] -= days
            else:
                package, funding = None, Booking.Funding.PAYG
        if not service.is_charged:
            funding = Booking.Funding.FREE
        return package, funding

    def _officer_for(self, school, service, days: Decimal, status: str, school_days: list[datetime.date]):
        """(officer, visit plan, status): as the LA would, the school's date or the next school days until an officer
        is free; a booking nobody can take is still requested (future) or declined (past)."""
        first = school_days[0]
        plan = self._visit_plan(days, first, school)
        officer = None
        if status in (Booking.Status.CONFIRMED, Booking.Status.DELIVERED) or (
                status == Booking.Status.CANCELLED and self.rng.random() < 0.6):
            for start in school_days[:10]:
                plan = self._visit_plan(days, start, school)
                officer = self._free_officer(service, plan)
                if officer is not None:
                    break
            if officer is None and status != Booking.Status.CANCELLED:
                status = Booking.Status.REQUESTED if first > self.today else Booking.Status.DECLINED
            elif officer is not None and status == Booking.Status.DELIVERED and plan[-1][0] > self.today:
                status = Booking.Status.CONFIRMED
        return officer, plan, status

    def _school_user(self, school):
        if school == self.chosen[0]:
            return self.users.get("school")
        return self.users.get("school2") if len(self.chosen) > 1 and school == self.chosen[1] else None

    def _settle(self, booking: Booking, status: str, officer, plan, requested: datetime.date, first: datetime.date,
                days: Decimal) -> None:
        """What happened to the booking since it was asked for: confirmed, delivered, declined or cancelled."""
        manager = self.users["manager"]
        if status in (Booking.Status.CONFIRMED, Booking.Status.DELIVERED):
            booking.officer, booking.confirmed_by = officer, manager
            booking.confirmed_at = self._at(min(requested + datetime.timedelta(days=3), self.today))
            for day, part in plan:
                self.used[(officer.pk, day)] += part
            self.dates[len(self.bookings)] = [(officer, day, part) for day, part in plan]
        if status == Booking.Status.DELIVERED:
            booking.delivered_units, booking.delivered_on = booking.units, plan[-1][0]
            booking.delivered_by = officer
            booking.delivery_notes = self.rng.choice(["", "Went well; report sent to the attendance lead.",
                                                      "School to share the action plan at the next TSM."])
        if status == Booking.Status.DECLINED:
            booking.decline_reason = self.rng.choice([
                "No officer is free on those dates before the end of term: please ask again for January.",
                "This is part of the free targeting support meeting offer: we will cover it at your TSM."])
            booking.declined_by, booking.declined_at = manager, self._at(min(requested + datetime.timedelta(days=2),
                                                                             self.today))
            booking.package_days = Decimal("0.0")
        if status == Booking.Status.CANCELLED:
            self._cancel(booking, officer, requested, first, days)

    def _cancel(self, booking: Booking, officer, requested: datetime.date, first: datetime.date,
                days: Decimal) -> None:
        late = self.rng.random() < 0.5 and officer is not None
        cancelled_on = first - datetime.timedelta(days=3 if late else 21)
        booking.cancelled_at = self._at(max(cancelled_on, requested))
        booking.cancelled_by = booking.requested_by
        booking.cancellation_reason = ("Staff illness: the attendance lead is off." if late
                                       else "Clashes with a trip: we will rebook next term.")
        booking.officer = officer
        booking.cancelled_late = late
        booking.cancellation_percent = self.policy.late_cancellation_percent if late else Decimal("0.00")
        if booking.funding == Booking.Funding.PACKAGE:
            booking.package_days = rules.late_package_days(days, booking.cancellation_percent)

    def _pupils_for(self, school, service) -> None:
        """The pupils a booking is about: always for a service that needs them, sometimes for one that may have."""
        need = service.pupils
        pool = self.pupils.get(school.pk, [])
        if need != TradedService.Pupils.NONE and pool and (need == TradedService.Pupils.REQUIRED
                                                           or self.rng.random() < 0.4):
            self.booking_pupils[len(self.bookings) - 1] = self.rng.sample(pool, min(len(pool),
                                                                                     self.rng.randint(1, 3)))

    def _at(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))

    def all_bookings(self):
        term_start, today, term_end = self.term.start_date, self.today, self.term.end_date
        past_span = max((today - term_start).days - 10, 1)
        for slot, school in enumerate(self.chosen):
            menu = POPULAR[slot % 5:] + POPULAR[:slot % 5]
            for n in range(6 if slot < 2 else 5):
                name, units, funding = menu[(n * 3 + slot) % len(menu)]
                draw = self.rng.random()
                if n < 3:
                    status = Booking.Status.DELIVERED
                    first = term_start + datetime.timedelta(days=7 + self.rng.randint(0, past_span))
                elif draw < 0.45:
                    status = Booking.Status.CONFIRMED
                    first = today + datetime.timedelta(days=self.rng.randint(2, max((term_end - today).days, 3)))
                elif draw < 0.7:
                    status = Booking.Status.REQUESTED
                    first = today + datetime.timedelta(days=self.rng.randint(10, 60))
                elif draw < 0.77:
                    status = Booking.Status.DECLINED
                    first = today + datetime.timedelta(days=self.rng.randint(5, 40))
                else:
                    status = Booking.Status.CANCELLED
                    first = term_start + datetime.timedelta(days=20 + self.rng.randint(0, past_span))
                self.booking(school, name, units, funding, status, first)
        # Make sure every status is shown, including a late cancellation and a declined request.
        self.booking(self.chosen[0], "Peer mentor training", "1", "payg", Booking.Status.CANCELLED,
                     datetime.date(2026, 10, 14))
        self.booking(self.chosen[1], "Register audit", "1", "payg", Booking.Status.DECLINED,
                     today + datetime.timedelta(days=10))
        self.booking(self.chosen[0], "Register audit", "2", "payg", Booking.Status.REQUESTED,
                     today + datetime.timedelta(days=15))
        late = self.bookings[-3]
        if late.status == Booking.Status.CANCELLED and not late.cancelled_late:
            late.cancelled_late, late.cancellation_percent = True, self.policy.late_cancellation_percent
            late.cancellation_reason = "Staff illness: the attendance lead is off."

        Booking.objects.bulk_create(self.bookings)
        for booking in self.bookings:
            Booking.objects.filter(pk=booking.pk).update(requested_at=self._at(booking._requested))
        BookingDate.objects.bulk_create([
            BookingDate(booking=self.bookings[index], officer=officer, date=day, days=part)
            for index, rows in self.dates.items() for officer, day, part in rows])
        BookingPupil.objects.bulk_create([
            BookingPupil(booking=self.bookings[index], pupil_id=pupil_id)
            for index, pupil_ids in self.booking_pupils.items() for pupil_id in pupil_ids])

    # -- invoices ----------------------------------------------------------------------------------------------------

    def invoices(self):
        manager = self.users["manager"]
        created = []
        created += services.invoice_run(user=manager, period_kind="package_7_12", academic_year=self.year,
                                        issued_on=datetime.date(self.year.start_date.year, 9, 15))
        for month, issued in ((9, datetime.date(self.year.start_date.year, 10, 1)),
                              (10, datetime.date(self.year.start_date.year, 11, 2))):
            if issued > timezone.localdate():
                continue
            try:
                created += services.invoice_run(user=manager, period_kind="month",
                                                month=datetime.date(self.year.start_date.year, month, 1),
                                                issued_on=issued)
            except ValidationError as error:
                if "anything to invoice" not in str(error):  # a month with no charges is not a demo failure
                    raise
        paid = 0
        for invoice in created:
            if invoice.issued_on.month in (9, 10) and self.rng.random() < 0.7:
                services.invoice_mark_paid(user=manager, invoice=invoice, expected_version=invoice.version,
                                           paid_on=invoice.issued_on + datetime.timedelta(days=self.rng.randint(
                                               10, 28)), payment_reference=f"BACS {self.rng.randint(10000, 99999)}")
                paid += 1
        line = (InvoiceLine.objects.filter(invoice__in=created, booking__cancelled_late=True)
                .select_related("invoice", "booking").order_by("pk").first())
        credits = 0
        if line is not None:
            services.credit_note_create(user=manager, invoice=line.invoice, lines=[line],
                                        reason="Late-cancellation charge waived: the school closed for snow.")
            credits = 1
        return created, paid, credits


def _invoice_details(policy) -> None:
    """The demo council's VAT number and remittance details, as an LA admin enters them (fictional)."""
    if not policy.vat_registration_number:
        policy.vat_registration_number = "GB 999 9999 73"  # HMRC's published example number
    if not policy.payment_instructions:
        policy.payment_instructions = ("By BACS to Demo Sussex County Council, sort code 00-00-00, account 00000000 "
                                       "(example details), quoting the invoice number. Remittance advice to "
                                       "income@example.com.")
    policy.save()


def load(*, seed: int = 2026, stdout=None) -> dict:
    loader = _Loader(seed, stdout)
    if not loader.ready():
        _say(stdout, "Traded services: skipped (no current LA term, rate card or demo manager)")
        return {}
    _invoice_details(loader.policy)
    commitments = loader.officers()
    loader.schools()
    packages = loader.packages()
    loader.all_bookings()
    invoices, paid, credits = loader.invoices()
    counts = defaultdict(int)
    for booking in loader.bookings:
        counts[booking.status] += 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    _say(stdout, f"Traded services: {len(loader.bookings)} bookings across {len(loader.chosen)} schools ({summary}); "
                 f"{len(packages)} annual packages; {commitments} statutory and leave days recorded for "
                 f"{len(loader.profiles)} officers; {len(invoices)} invoices ({paid} paid) and {credits} credit note")
    return {"bookings": len(loader.bookings), "by_status": dict(counts), "packages": len(packages),
            "invoices": len(invoices), "credit_notes": credits}

