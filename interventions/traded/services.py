"""Every write to traded services: catalogue and rate card, bookings (request, confirm against officer capacity,
decline, deliver, cancel), annual packages, officer time, invoices, payments and credit notes.

Each service checks the user may act, validates everything before writing (so nothing is half-saved: a refused
invoice run writes no invoice at all), runs in one transaction and audits the write with before/after values.
Money follows interventions.traded.rules; a booking's price is frozen when the school asks for it. Edits that could
collide carry the version the user's form was drawn from (cases.services.claim_version).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from cases.services import claim_version
from interventions.models import (
    Booking,
    BookingDate,
    BookingPupil,
    DiscountTier,
    Invoice,
    InvoiceLine,
    OfficerCommitment,
    Package,
    Rate,
    TradedOfficer,
    TradedPolicy,
    TradedService,
)
from interventions.models.traded import FIXED_UNIT_DAYS, TradedRole
from interventions.traded import rules, selectors
from schools import school_days
from schools.audit import record_change, snapshot
from schools.models import AcademicYear, AuditEvent, Enrolment, Pupil, School, Term, User
from schools.roles import Capability, Role, require
from schools.school_days import is_school_day, load_calendar

#: Who may record delivery of any booking; other LA staff record only bookings they deliver.
DELIVERY_SUPERVISORS = frozenset({Role.LA_ADMIN, Role.LA_MANAGER})
MAX_PREFERRED_DATES = 3
# Bookings are made for the coming school year at most: far-off dates have no term dates to check against.
MAX_DAYS_AHEAD = 400



def _today() -> datetime.date:
    return timezone.localdate()


def _decimal(value, *, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: f"Enter the {label} as a number, for example 2 or 1.5."}) from None
    if not number.is_finite():
        raise ValidationError({field: f"Enter the {label} as a number, for example 2 or 1.5."})
    return number


def _audit_create(user, instance, pupil_id=None):
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=instance, pupil_id=pupil_id)


def _audit_update(user, instance, before):
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=instance, before=before)


def _fmt(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def units_text(service: TradedService, units: Decimal) -> str:
    """"2 half days", "1.5 days", "3 sessions", "1 package"."""
    units = Decimal(units).normalize()
    label = service.get_unit_display().lower()
    return f"{units:f} {label}" + ("" if units == 1 else "s")


def _days_text(days: Decimal) -> str:
    days = Decimal(days).normalize()
    return f"{days:f} day" + ("" if days == 1 else "s")


def record_pupil_views(*, user, instance, pupil_ids, path: str = "") -> None:
    """One view event per pupil named on a booking (each pupil's record-access tab shows it), in one insert."""
    AuditEvent.objects.bulk_create([
        AuditEvent(user=user, username=user.username, action=AuditEvent.Action.VIEW,
                   object_type=instance._meta.label, object_id=str(instance.pk), object_repr=str(instance)[:200],
                   pupil_id=pupil_id, path=path[:300]) for pupil_id in pupil_ids])


# --- Catalogue, rate card, tiers ------------------------------------------------------------------------------------

SERVICE_FIELDS = frozenset({"role", "unit", "unit_days", "charging", "core_function", "vat_treatment", "pupils",
                            "is_offered"})


def _fill_unit_days(service: TradedService) -> None:
    if service.unit in FIXED_UNIT_DAYS:
        service.unit_days = FIXED_UNIT_DAYS[service.unit]


@transaction.atomic
def service_create(*, user, intervention, **fields) -> TradedService:
    """Offer a catalogue entry to schools. Statutory core functions must be free (TradedService.clean)."""
    require(user, Capability.MANAGE_TRADED_CATALOGUE)
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if TradedService.objects.filter(intervention=intervention).exists():
        raise ValidationError({"intervention": f"{intervention.name} is already in the traded catalogue."})
    service = TradedService(intervention=intervention, **fields)
    _fill_unit_days(service)
    service.full_clean()
    service.save()
    _audit_create(user, service)
    return service


@transaction.atomic
def service_update(*, user, service: TradedService, expected_version, **fields) -> TradedService:
    require(user, Capability.MANAGE_TRADED_CATALOGUE)
    unknown = set(fields) - SERVICE_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    before = snapshot(service)
    for name, value in fields.items():
        setattr(service, name, value)
    _fill_unit_days(service)
    service.full_clean()
    claim_version(service, expected_version, what="service")
    service.save()
    _audit_update(user, service, before)
    return service


@transaction.atomic
def rate_add(*, user, role: str, effective_from: datetime.date, day_rate, half_day_rate, session_rate=None,
             source: str = "") -> Rate:
    """A new rate-card row for a role. It starts today or later: bookings and packages keep the price they were
    made at, and a rate cannot be back-dated over them."""
    require(user, Capability.MANAGE_TRADED_CATALOGUE)
    if role not in TradedRole.values:
        raise ValidationError({"role": "Choose a rate-card role."})
    if effective_from < _today():
        raise ValidationError({"effective_from": "A new rate starts today or later; bookings already made keep the "
                                                 "price they were made at."})
    rate = Rate(role=role, effective_from=effective_from, day_rate=day_rate, half_day_rate=half_day_rate,
                session_rate=session_rate, source=(source or "").strip(), created_by=user)
    for name in ("day_rate", "half_day_rate", "session_rate"):
        value = getattr(rate, name)
        if value is not None and (Decimal(value) <= 0 or Decimal(value) != rules.pence(value)):
            raise ValidationError({name: "Enter a price above £0 in pounds and pence, for example 225.00."})
    rate.full_clean()
    rate.save()
    _audit_create(user, rate)
    return rate


@transaction.atomic
def tier_add(*, user, min_days, percent) -> DiscountTier:
    require(user, Capability.MANAGE_TRADED_CATALOGUE)
    tier = DiscountTier(min_days=min_days, percent=percent)
    if tier.min_days is not None and not rules.is_half_step(tier.min_days):
        raise ValidationError({"min_days": "Enter whole or half days, for example 10 or 7.5."})
    tier.full_clean()
    tier.save()
    _audit_create(user, tier)
    return tier


@transaction.atomic
def tier_remove(*, user, tier: DiscountTier) -> None:
    """Packages keep the discount they were bought with, so removing a tier changes only future purchases."""
    require(user, Capability.MANAGE_TRADED_CATALOGUE)
    before = snapshot(tier)
    record_change(user=user, action=AuditEvent.Action.DELETE, instance=tier, before=before)
    tier.delete()


# --- Officer time ---------------------------------------------------------------------------------------------------

def _la_school_day(day: datetime.date) -> bool:
    return is_school_day(day, None)


def _officer_day_clash(officer, day: datetime.date, adding: Decimal, usage) -> str | None:
    used = usage.get(day, Decimal(0))
    if used + adding > 1:
        already = "a full day" if used >= 1 else f"{_days_text(used)}"
        return (f"{officer.display_name} already has {already} of work on {_fmt(day)}; adding "
                f"{_days_text(adding)} would go past one day.")
    return None


@transaction.atomic
def commitment_add(*, user, officer: User, date: datetime.date, days, kind: str, note: str = "") -> OfficerCommitment:
    """Record statutory work (or unavailability) on an officer's day. It counts against their traded capacity, and
    it may not double-book a day already full."""
    require(user, Capability.MANAGE_TRADED_BOOKINGS)
    if not officer.is_la_staff:
        raise ValidationError({"officer": f"{officer.display_name} is not LA staff."})
    days = _decimal(days, field="days", label="time")
    if days not in (Decimal("0.5"), Decimal("1.0")):
        raise ValidationError({"days": "Record a half day or a full day."})
    if not _la_school_day(date):
        raise ValidationError({"date": f"{_fmt(date)} is not a school day on the LA's calendar (a weekend, holiday "
                                       "or outside term): traded capacity counts school days only."})
    User.objects.select_for_update().filter(pk=officer.pk).first()  # one capacity change per officer at a time
    clash = _officer_day_clash(officer, date, days, selectors.officer_day_usage(officer=officer, dates=[date]))
    if clash:
        raise ValidationError({"date": clash + " Move or cancel a booking first."})
    commitment = OfficerCommitment(officer=officer, date=date, days=days, kind=kind, note=(note or "").strip(),
                                   created_by=user)
    commitment.full_clean()
    commitment.save()
    _audit_create(user, commitment)
    return commitment


@transaction.atomic
def commitment_remove(*, user, commitment: OfficerCommitment) -> None:
    require(user, Capability.MANAGE_TRADED_BOOKINGS)
    record_change(user=user, action=AuditEvent.Action.DELETE, instance=commitment, before=snapshot(commitment))
    commitment.delete()


# --- Bookings -------------------------------------------------------------------------------------------------------

def _check_units(service: TradedService, units: Decimal, *, field: str = "units") -> None:
    if units <= 0:
        raise ValidationError({field: "Enter how many units you need: more than 0."})
    if units > 200:
        raise ValidationError({field: "That is more than a year's work for one booking: book 200 units or fewer."})
    if service.allows_part_units():
        if not rules.is_half_step(units):
            raise ValidationError({field: "Day bookings go in whole or half days, for example 1 or 1.5."})
    elif units != units.to_integral_value():
        raise ValidationError({field: f"{service.name} is sold in whole {service.get_unit_display().lower()}s: "
                                      "enter a whole number."})


def _check_preferred_dates(dates, school: School) -> list[datetime.date]:
    dates = [d for d in dates if d]
    if not dates:
        raise ValidationError({"preferred_dates": "Give at least one date you would like."})
    if len(dates) > MAX_PREFERRED_DATES:
        raise ValidationError({"preferred_dates": f"Give up to {MAX_PREFERRED_DATES} preferred dates."})
    if len(set(dates)) != len(dates):
        raise ValidationError({"preferred_dates": "Each preferred date once, please."})
    today = _today()
    calendar_ = load_calendar(school, min(dates), max(dates))
    for day in dates:
        if day <= today:
            raise ValidationError({"preferred_dates": f"{_fmt(day)} has passed: choose dates after today."})
        if (day - today).days > MAX_DAYS_AHEAD:
            raise ValidationError({"preferred_dates": f"{_fmt(day)} is too far ahead: book within the coming "
                                                      "school year."})
        if not calendar_.is_school_day(day):
            raise ValidationError({"preferred_dates": f"{_fmt(day)} is not a school day at {school.name} (outside "
                                                      "term, a holiday, a closure or a weekend): choose a date in "
                                                      "term."})
    return dates


def _check_pupils(service: TradedService, school: School, pupils) -> list[Pupil]:
    pupils = list(dict.fromkeys(pupils))
    if service.pupils == TradedService.Pupils.NONE and pupils:
        raise ValidationError({"pupils": f"{service.name} is not for named pupils: leave the pupils out."})
    if service.pupils == TradedService.Pupils.REQUIRED and not pupils:
        raise ValidationError({"pupils": f"{service.name} is for named pupils: add at least one pupil."})
    if pupils:
        today = _today()
        on_roll = set(Enrolment.objects.filter(pupil__in=pupils, school=school, start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)).values_list("pupil_id", flat=True))
        missing = [p for p in pupils if p.pk not in on_roll]
        if missing:
            raise ValidationError({"pupils": f"{missing[0].display_name} is not on {school.name}'s roll: a booking "
                                             "names only the school's own pupils."})
    return pupils


def _check_funding(service: TradedService, funding: str, package: Package | None, school: School,
                   days: Decimal, dates) -> None:
    if funding not in Booking.Funding.values:
        raise ValidationError({"funding": "Choose how the booking is paid for."})
    if not service.is_charged:
        if funding != Booking.Funding.FREE:
            what = service.get_core_function_display() if service.core_function else "a statutory service"
            raise ValidationError({"funding": (
                f"{service.name} is {what.lower() if service.core_function else what}: it is free to every school "
                "and cannot be bought (the 2024 attendance guidance says the LA's core functions are not traded). "
                "Book it as free.")})
        return
    if funding == Booking.Funding.FREE:
        raise ValidationError({"funding": f"{service.name} is a traded service: pay as you go or use one of the "
                                          "school's annual packages."})
    if funding == Booking.Funding.PACKAGE:
        if package is None:
            raise ValidationError({"package": "Choose the package to use."})
        if package.school_id != school.pk or package.status != Package.Status.ACTIVE:
            raise ValidationError({"package": "Choose one of the school's active packages."})
        if package.role != service.role:
            raise ValidationError({"package": f"{package.reference} holds {package.get_role_display()} days; "
                                              f"{service.name} is delivered by a {service.get_role_display()}."})
        year = package.academic_year
        outside = [d for d in dates if not (year.start_date <= d <= year.end_date)]
        if outside:
            raise ValidationError({"preferred_dates": f"{_fmt(outside[0])} is outside {year.name}, the year of "
                                                      f"{package.reference}."})
        # Lock the package so two requests cannot both take its last days.
        held = Package.objects.select_for_update().filter(pk=package.pk).values_list("days", flat=True).first()
        drawn = Booking.objects.filter(package=package).aggregate(days=Sum("package_days"))["days"] or Decimal(0)
        left = held - drawn
        if days > left:
            raise ValidationError({"units": f"{package.reference} has {_days_text(left)} left; this booking needs "
                                            f"{_days_text(days)}. Book fewer units or pay as you go."})
    elif package is not None:
        raise ValidationError({"package": "Choose a package only when the booking is paid from one."})


@transaction.atomic
def booking_request(*, user, school: School, service: TradedService, units, preferred_dates, funding: str,
                    package: Package | None = None, pupils=(), notes: str = "", purchase_order: str = "") -> Booking:
    """A school asks for a service. The price (rate card, VAT) is frozen now; the LA confirms or declines."""
    require(user, Capability.BOOK_TRADED)
    if not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": "You can book only for your own school."})
    if not service.is_offered or not service.intervention.is_active:
        raise ValidationError({"service": f"{service.name} is no longer offered."})
    units = _decimal(units, field="units", label="number of units")
    _check_units(service, units)
    dates = _check_preferred_dates(list(preferred_dates or []), school)
    days = (units * service.unit_days).quantize(Decimal("0.1"))
    _check_funding(service, funding, package, school, days, dates)
    pupils = _check_pupils(service, school, pupils)
    today = _today()
    policy = TradedPolicy.current()
    rate = selectors.rates_in_force(today).get(service.role) if service.is_charged else None
    try:
        unit_price, half_price = service.unit_prices(rate)
    except ValueError as error:
        raise ValidationError({"service": f"{service.name} cannot be priced today: {error} Ask the LA."}) from None
    booking = Booking(
        school=school, service=service, funding=funding, package=package if funding == Booking.Funding.PACKAGE
        else None, units=units, preferred_dates=[d.isoformat() for d in dates], notes=(notes or "").strip(),
        purchase_order=(purchase_order or "").strip(), requested_by=user, rate=rate,
        unit_price=unit_price if funding != Booking.Funding.FREE else Decimal("0.00"),
        half_unit_price=half_price if funding != Booking.Funding.FREE else None,
        vat_treatment=service.vat_treatment, vat_rate=policy.vat_rate_for(service.vat_treatment), priced_on=today,
        package_days=days if funding == Booking.Funding.PACKAGE else Decimal("0.0"))
    try:
        booking.price_for(units)
    except ValueError:
        raise ValidationError({"units": f"{service.name} cannot be sold in part units."}) from None
    booking.full_clean()
    booking.save()
    _audit_create(user, booking)
    for pupil in pupils:
        link = BookingPupil.objects.create(booking=booking, pupil=pupil)
        _audit_create(user, link, pupil_id=pupil.pk)
    return booking


def _parse_dates(dates) -> list[tuple[datetime.date, Decimal]]:
    parsed = []
    for day, days in dates:
        days = Decimal(str(days))
        if days not in (Decimal("0.5"), Decimal("1.0"), Decimal("1")):
            raise ValidationError({"dates": f"Book {_fmt(day)} as a half day or a full day."})
        parsed.append((day, Decimal("1.0") if days == 1 else Decimal("0.5")))
    return parsed


def check_capacity(*, officer, dates: list[tuple[datetime.date, Decimal]], school: School) -> None:
    """Refuse dates the officer cannot take: a date that is not a school day at the school, a day that would go past
    one day's work, or a term without enough free days once statutory work is counted. Raises ValidationError
    naming the date or term; returns quietly when everything fits."""
    if not dates:
        raise ValidationError({"dates": "Give the dates the officer will come."})
    today = _today()
    calendar_ = load_calendar(school, min(d for d, _ in dates), max(d for d, _ in dates))
    for day, _days in dates:
        if day < today:
            raise ValidationError({"dates": f"{_fmt(day)} has passed: confirm dates from today."})
        if not calendar_.is_school_day(day):
            raise ValidationError({"dates": f"{_fmt(day)} is not a school day at {school.name} (outside term, a "
                                            "holiday, a closure or a weekend)."})
    usage = selectors.officer_day_usage(officer=officer, dates=[d for d, _ in dates])
    for day, days in dates:
        clash = _officer_day_clash(officer, day, days, usage)
        if clash:
            raise ValidationError({"dates": clash})
    by_term: dict[int, Decimal] = defaultdict(Decimal)
    terms: dict[int, Term] = {}
    for day, days in dates:
        term = school_days.la_term_containing(day)
        if term is None:
            raise ValidationError({"dates": f"{_fmt(day)} is outside the LA's terms, so {officer.display_name}'s "
                                            "capacity cannot be counted: choose a date in an LA term."})
        terms[term.pk] = term
        by_term[term.pk] += days
    for term_id, needed in by_term.items():
        term = terms[term_id]
        row = selectors.officer_time_in_term(user=officer, term=term, officer_ids=[officer.pk]).first()
        if row is None:
            raise ValidationError({"officer": f"{officer.display_name} is not set up to deliver traded services."})
        # Day counts are in half days; SQLite computes them in floating point, so round back to tenths.
        tenth = Decimal("0.1")
        available = Decimal(row.available).quantize(tenth)
        row.working, row.statutory, row.unavailable, row.traded = (
            Decimal(v).quantize(tenth) for v in (row.working, row.statutory, row.unavailable, row.traded))
        if needed > available:
            raise ValidationError({"officer": (
                f"{officer.display_name} is over capacity in the {term.get_name_display().lower()} term "
                f"{term.academic_year.name}: {_days_text(max(available, Decimal(0)))} free "
                f"({_days_text(row.working)} working, {_days_text(row.statutory)} statutory, "
                f"{_days_text(row.unavailable)} unavailable, {_days_text(row.traded)} traded) and this booking needs "
                f"{_days_text(needed)}. Choose another officer or dates in another term.")})


@transaction.atomic
def booking_confirm(*, user, booking: Booking, expected_version, officer: User, dates) -> Booking:
    """Confirm a requested booking with an officer and dates, after the capacity check. The dates must add up to
    the booking's officer time (units x officer days per unit)."""
    require(user, Capability.MANAGE_TRADED_BOOKINGS)
    if booking.status != Booking.Status.REQUESTED:
        raise ValidationError(f"This booking is {booking.get_status_display().lower()}: only a request can be "
                              "confirmed.")
    if officer is None:
        raise ValidationError({"officer": "Choose the officer who will deliver it."})
    profile = TradedOfficer.objects.filter(user=officer, is_active=True).first()
    if profile is None or not officer.is_active:
        raise ValidationError({"officer": f"{officer.display_name} is not set up to deliver traded services."})
    service = booking.service
    if service.role not in profile.roles:
        raise ValidationError({"officer": f"{officer.display_name} does not deliver {service.get_role_display()} "
                                          "work."})
    dates = _parse_dates(dates)
    if len({d for d, _ in dates}) != len(dates):
        raise ValidationError({"dates": "Each date once, please."})
    total = sum((days for _, days in dates), Decimal(0))
    if total != booking.days:
        raise ValidationError({"dates": f"The dates add up to {_days_text(total)}; this booking needs "
                                        f"{_days_text(booking.days)} ({units_text(service, booking.units)})."})
    User.objects.select_for_update().filter(pk=officer.pk).first()  # one capacity change per officer at a time
    check_capacity(officer=officer, dates=dates, school=booking.school)
    before = snapshot(booking)
    claim_version(booking, expected_version, what="booking")
    booking.status = Booking.Status.CONFIRMED
    booking.officer = officer
    booking.confirmed_by = user
    booking.confirmed_at = timezone.now()
    booking.full_clean()
    booking.save()
    BookingDate.objects.bulk_create([BookingDate(booking=booking, officer=officer, date=day, days=days)
                                     for day, days in sorted(dates)])
    _audit_update(user, booking, before)
    return booking


@transaction.atomic
def booking_decline(*, user, booking: Booking, expected_version, reason: str) -> Booking:
    require(user, Capability.MANAGE_TRADED_BOOKINGS)
    if booking.status != Booking.Status.REQUESTED:
        raise ValidationError(f"This booking is {booking.get_status_display().lower()}: only a request can be "
                              "declined.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the booking is declined: the school will read this."})
    before = snapshot(booking)
    claim_version(booking, expected_version, what="booking")
    booking.status = Booking.Status.DECLINED
    booking.decline_reason = reason.strip()
    booking.declined_by = user
    booking.declined_at = timezone.now()
    booking.package_days = Decimal("0.0")
    booking.full_clean()
    booking.save()
    _audit_update(user, booking, before)
    return booking


def can_record_delivery(user, booking: Booking) -> bool:
    return bool(user and user.is_authenticated and user.can(Capability.MANAGE_TRADED_BOOKINGS)
                and booking.status == Booking.Status.CONFIRMED
                and (user.role in DELIVERY_SUPERVISORS or booking.officer_id == user.pk))


@transaction.atomic
def booking_deliver(*, user, booking: Booking, expected_version, delivered_units, notes: str = "") -> Booking:
    """Record what was delivered. Fewer units than booked release the later dates (the officer's time comes back);
    a pay-as-you-go booking is then invoiced for the actual units, a package booking uses the actual days."""
    require(user, Capability.MANAGE_TRADED_BOOKINGS)
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError(f"This booking is {booking.get_status_display().lower()}: delivery is recorded on a "
                              "confirmed booking.")
    if not can_record_delivery(user, booking):
        raise PermissionDenied("Only the delivering officer or a manager records delivery.")
    units = _decimal(delivered_units, field="delivered_units", label="units delivered")
    _check_units(booking.service, units, field="delivered_units")
    if units > booking.units:
        raise ValidationError({"delivered_units": f"{booking.reference} was booked for {booking.units.normalize():f} "
                                                  "units: record at most that (more work is a new booking)."})
    dates = list(booking.dates.order_by("date"))
    today = _today()
    if not dates or dates[0].date > today:
        first = _fmt(dates[0].date) if dates else "the first booked date"
        raise ValidationError({"delivered_units": f"Record delivery from {first}, once the work has started."})
    keep = units * booking.service.unit_days
    kept: list[BookingDate] = []
    for booked in dates:
        if keep <= 0:
            booked.delete()
            continue
        if booked.days > keep:
            booked.days = keep
            booked.save(update_fields=["days"])
        keep -= booked.days
        kept.append(booked)
    before = snapshot(booking)
    claim_version(booking, expected_version, what="booking")
    booking.status = Booking.Status.DELIVERED
    booking.delivered_units = units
    booking.delivered_on = kept[-1].date
    booking.delivery_notes = (notes or "").strip()
    booking.delivered_by = user
    if booking.funding == Booking.Funding.PACKAGE:
        booking.package_days = (units * booking.service.unit_days).quantize(Decimal("0.1"))
    booking.full_clean()
    booking.save()
    _audit_update(user, booking, before)
    return booking


def notice_school_days(booking: Booking, today: datetime.date | None = None) -> int | None:
    """School days (at the booking's school) strictly between today and the first booked date: the notice a
    cancellation gives. None when no dates are booked yet."""
    today = today or _today()
    first = booking.dates.order_by("date").values_list("date", flat=True).first()
    if first is None:
        return None
    if first <= today:
        return 0
    start = today + datetime.timedelta(days=1)
    end = first - datetime.timedelta(days=1)
    if end < start:
        return 0
    calendar_ = load_calendar(booking.school, start, end)
    return sum(1 for n in range((end - start).days + 1) if calendar_.is_school_day(start + datetime.timedelta(n)))


def cancellation_terms(booking: Booking, *, by_school: bool, today: datetime.date | None = None) -> dict:
    """Whether cancelling now is late and what it would cost, for the form and the service.

    The notice rule (TradedPolicy): a school cancelling a confirmed booking with fewer than
    ``cancellation_notice_school_days`` school days before the first booked date pays
    ``late_cancellation_percent`` of the price (a package booking uses that share of its days, rounded up to a half
    day). A request not yet confirmed, or a cancellation by the LA, costs nothing."""
    policy = TradedPolicy.current()
    notice = notice_school_days(booking, today) if booking.status == Booking.Status.CONFIRMED else None
    late = bool(by_school and notice is not None and notice < policy.cancellation_notice_school_days)
    percent = policy.late_cancellation_percent if late else Decimal("0.00")
    charge = None
    package_days = Decimal("0.0")
    if late and booking.funding == Booking.Funding.PAYG:
        charge = rules.with_vat(rules.share(booking.quote.net, percent), booking.vat_rate)
    if late and booking.funding == Booking.Funding.PACKAGE:
        package_days = rules.late_package_days(booking.days, percent)
    return {"late": late, "notice": notice, "required_notice": policy.cancellation_notice_school_days,
            "percent": percent, "charge": charge, "package_days": package_days}


@transaction.atomic
def booking_cancel(*, user, booking: Booking, expected_version, reason: str, by_school: bool | None = None) -> Booking:
    """Cancel a request or a confirmed booking; its dates are released. School users cancel their own school's;
    LA staff say whether the school asked (the notice rule applies) or the LA cancelled (no charge)."""
    if user.can(Capability.BOOK_TRADED):
        if not user.schools.filter(pk=booking.school_id).exists():
            raise PermissionDenied("School users cancel only their own school's bookings.")
        by_school = True
    else:
        require(user, Capability.MANAGE_TRADED_BOOKINGS)
        if by_school is None:
            raise ValidationError({"by_school": "Say whether the school asked to cancel or the LA is cancelling."})
    if not booking.is_open:
        raise ValidationError(f"This booking is {booking.get_status_display().lower()}: only a request or a "
                              "confirmed booking can be cancelled.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the booking is cancelled."})
    terms = cancellation_terms(booking, by_school=bool(by_school))
    before = snapshot(booking)
    claim_version(booking, expected_version, what="booking")
    booking.dates.all().delete()
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.cancelled_by = user
    booking.cancellation_reason = reason.strip()
    booking.cancelled_late = terms["late"]
    booking.cancellation_percent = terms["percent"]
    if booking.funding == Booking.Funding.PACKAGE:
        booking.package_days = terms["package_days"]
    booking.full_clean()
    booking.save()
    _audit_update(user, booking, before)
    return booking


@transaction.atomic
def late_charge_waive(*, user, booking: Booking, expected_version, reason: str) -> Booking | Invoice:
    """Waive a late-cancellation charge: before it is invoiced the charge is removed; once invoiced, a credit note
    reverses its invoice line. Returns the booking, or the credit note when one was raised."""
    require(user, Capability.INVOICE_TRADED)
    if booking.status != Booking.Status.CANCELLED or booking.cancellation_percent <= 0:
        raise ValidationError("Only a late cancellation with a charge can be waived.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the charge is waived."})
    line = InvoiceLine.objects.filter(booking=booking).select_related("invoice").first()
    if line is not None:
        return credit_note_create(user=user, invoice=line.invoice, lines=[line], reason=reason)
    before = snapshot(booking)
    claim_version(booking, expected_version, what="booking")
    booking.cancellation_percent = Decimal("0.00")
    if booking.funding == Booking.Funding.PACKAGE:
        booking.package_days = Decimal("0.0")
    booking.cancellation_reason = f"{booking.cancellation_reason}\n\nCharge waived: {reason.strip()}"
    booking.full_clean()
    booking.save()
    _audit_update(user, booking, before)
    return booking


# --- Packages -------------------------------------------------------------------------------------------------------

def package_quote(*, role: str, days, on: datetime.date | None = None) -> dict:
    """The price of an annual package bought today: rate-card day rate (a trailing half day at the half-day rate),
    less the highest discount tier reached, plus VAT under the policy's default treatment."""
    on = on or _today()
    rate = Rate.objects.in_force(role, on)
    if rate is None:
        raise ValidationError({"role": "No rate is in force for this role: ask the LA."})
    days = Decimal(days)
    list_net = rules.units_price(units=days, unit_price=rate.day_rate, half_unit_price=rate.half_day_rate)
    percent = rules.tier_for(days, DiscountTier.objects.values_list("min_days", "percent"))
    net = rules.discounted(list_net, percent)
    policy = TradedPolicy.current()
    treatment = policy.default_vat_treatment
    price = rules.with_vat(net, policy.vat_rate_for(treatment))
    return {"rate": rate, "list_net": list_net, "discount_percent": percent, "net": price.net, "vat": price.vat,
            "total": price.total, "vat_treatment": treatment, "vat_rate": policy.vat_rate_for(treatment)}


@transaction.atomic
def package_buy(*, user, school: School, academic_year: AcademicYear, role: str, days, schedule: str,
                purchase_order: str = "") -> Package:
    """A school buys days of a role in advance for a year, at the tier's reduced rate (frozen now)."""
    require(user, Capability.BOOK_TRADED)
    if not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": "You can buy packages only for your own school."})
    if role not in TradedRole.values:
        raise ValidationError({"role": "Choose whose days the package holds."})
    days = _decimal(days, field="days", label="number of days")
    if days < 1 or not rules.is_half_step(days):
        raise ValidationError({"days": "Buy at least 1 day, in whole or half days."})
    if days > 200:
        raise ValidationError({"days": "Buy 200 days or fewer in one package."})
    if academic_year.end_date < _today():
        raise ValidationError({"academic_year": f"{academic_year.name} has ended: choose this year or next."})
    if schedule not in Package.Schedule.values:
        raise ValidationError({"schedule": "Choose how the package is invoiced."})
    quote = package_quote(role=role, days=days)
    rate = quote["rate"]
    package = Package(
        school=school, academic_year=academic_year, role=role, days=days, schedule=schedule, rate=rate,
        day_rate=rate.day_rate, half_day_rate=rate.half_day_rate, discount_percent=quote["discount_percent"],
        list_net=quote["list_net"], net=quote["net"], vat_treatment=quote["vat_treatment"],
        vat_rate=quote["vat_rate"], vat=quote["vat"], purchase_order=(purchase_order or "").strip(),
        purchased_by=user)
    package.full_clean()
    package.save()
    _audit_create(user, package)
    return package


def package_settlement(package: Package, used_days: Decimal) -> rules.Money:
    """What a cancelled package costs in all: the share of its price for the days used, net and VAT each rounded
    to the penny (the whole price when every day was used)."""
    if used_days >= package.days:
        return package.price
    if used_days <= 0:
        return rules.Money(Decimal("0.00"), Decimal("0.00"))
    fraction = Decimal(used_days) / Decimal(package.days)
    return rules.Money(rules.pence(package.net * fraction), rules.pence(package.vat * fraction))


@transaction.atomic
def package_cancel(*, user, package: Package, expected_version, reason: str) -> Package:
    """Cancel a package mid-year. The school pays for the days it used; anything invoiced beyond that comes back as
    a credit note now, and anything not yet invoiced is billed by the next package run."""
    require(user, Capability.INVOICE_TRADED)
    if package.status != Package.Status.ACTIVE:
        raise ValidationError("This package is already cancelled.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the package is cancelled."})
    open_bookings = list(package.bookings.filter(status__in=Booking.OPEN_STATUSES).order_by("pk"))
    if open_bookings:
        refs = ", ".join(b.reference for b in open_bookings[:5])
        raise ValidationError(f"{len(open_bookings)} booking(s) still draw on this package ({refs}): deliver or "
                              "cancel them first.")
    used = package.bookings.filter(status__in=[Booking.Status.DELIVERED, Booking.Status.CANCELLED]).aggregate(
        days=Sum("package_days"))["days"] or Decimal(0)
    settled = package_settlement(package, used)
    before = snapshot(package)
    claim_version(package, expected_version, what="package")
    package.status = Package.Status.CANCELLED
    package.cancelled_at = timezone.now()
    package.cancelled_by = user
    package.cancellation_reason = reason.strip()
    package.settled_net, package.settled_vat = settled.net, settled.vat
    package.full_clean()
    package.save()
    _audit_update(user, package, before)
    invoiced_net, invoiced_vat = selectors.package_invoiced([package.pk]).get(package.pk, (Decimal(0), Decimal(0)))
    over = rules.Money(invoiced_net - settled.net, invoiced_vat - settled.vat)
    if over.net > 0 or over.vat > 0:
        last = (InvoiceLine.objects.filter(package=package, invoice__kind=Invoice.Kind.INVOICE)
                .select_related("invoice").order_by("-invoice__issued_on", "-pk").first())
        credit = _new_document(user=user, kind=Invoice.Kind.CREDIT_NOTE, school=package.school,
                               period_kind=Invoice.PeriodKind.CREDIT, start=_today(), end=_today(),
                               label=f"Credit: {package.reference} cancelled", credits=last.invoice,
                               reason=reason.strip())
        unused = package.days - used
        _add_lines(user, credit, [InvoiceLine(
            description=f"{package.reference} cancelled: {_days_text(unused)} unused of {_days_text(package.days)} "
                        f"({package.get_role_display()}, {package.academic_year.name})",
            package=package, instalment=InvoiceLine.Instalment.CANCELLATION, role=package.role, quantity=unused,
            unit_label="days", unit_price=Decimal("0.00"), discount_percent=package.discount_percent,
            net=-max(over.net, Decimal(0)), vat=-max(over.vat, Decimal(0)), vat_treatment=package.vat_treatment,
            vat_rate=package.vat_rate, service_date=_today(), term=school_days.la_term_containing(_today()))])
    return package


# --- Invoices -------------------------------------------------------------------------------------------------------

def month_period(year: int, month: int) -> tuple[datetime.date, datetime.date, str]:
    last = calendar.monthrange(year, month)[1]
    start = datetime.date(year, month, 1)
    return start, datetime.date(year, month, last), f"{start:%B %Y}"


def invoice_period(*, period_kind: str, month: datetime.date | None = None, term: Term | None = None,
                   academic_year: AcademicYear | None = None) -> tuple[datetime.date, datetime.date, str]:
    """(start, end, label) of an invoicing period."""
    if period_kind == Invoice.PeriodKind.MONTH:
        if month is None:
            raise ValidationError({"month": "Choose the month to invoice."})
        return month_period(month.year, month.month)
    if period_kind == Invoice.PeriodKind.TERM:
        if term is None:
            raise ValidationError({"term": "Choose the term to invoice."})
        return term.start_date, term.end_date, f"{term.get_name_display()} term {term.academic_year.name}"
    if period_kind in (Invoice.PeriodKind.PACKAGE_FIRST, Invoice.PeriodKind.PACKAGE_SECOND):
        if academic_year is None:
            raise ValidationError({"academic_year": "Choose the academic year of the packages."})
        year = academic_year.start_date.year
        if period_kind == Invoice.PeriodKind.PACKAGE_FIRST:
            return (academic_year.start_date, datetime.date(year + 1, 3, 31),
                    f"Annual packages {academic_year.name}: 7/12 (September to March)")
        return (datetime.date(year + 1, 4, 1), academic_year.end_date,
                f"Annual packages {academic_year.name}: 5/12 (April to August)")
    raise ValidationError({"period_kind": "Choose what to invoice: a month, a term or a package instalment."})


def _new_document(*, user, kind, school, period_kind, start, end, label, credits=None, reason="",
                  issued_on=None) -> Invoice:
    issued_on = issued_on or _today()
    document = Invoice(kind=kind, school=school, period_kind=period_kind, period_start=start, period_end=end,
                       period_label=label, issued_on=issued_on,
                       due_on=issued_on + datetime.timedelta(days=TradedPolicy.current().payment_terms_days),
                       net=Decimal("0.00"), vat=Decimal("0.00"), credits=credits, reason=reason, created_by=user)
    document.full_clean(exclude=["number"])
    document.save()
    document.number = f"{'CRN' if kind == Invoice.Kind.CREDIT_NOTE else 'INV'}-{document.pk:06d}"
    document.save(update_fields=["number"])
    return document


def _add_lines(user, document: Invoice, lines: list[InvoiceLine]) -> Invoice:
    for position, line in enumerate(lines, start=1):
        line.invoice = document
        line.position = position
        line.full_clean()
    InvoiceLine.objects.bulk_create(lines)
    document.net = sum((line.net for line in lines), Decimal("0.00"))
    document.vat = sum((line.vat for line in lines), Decimal("0.00"))
    document.full_clean()
    document.save(update_fields=["net", "vat"])
    _audit_create(user, document)
    for line in InvoiceLine.objects.filter(invoice=document):
        _audit_create(user, line)
    return document


def _booking_line(booking: Booking, term_for) -> InvoiceLine:
    service = booking.service
    charge = booking.charge
    unit = service.get_unit_display().lower()
    if booking.status == Booking.Status.DELIVERED:
        quantity, when = booking.delivered_units, booking.delivered_on
        description = f"{service.name} ({booking.reference}), delivered {_fmt(when)}"
        whole = quantity.to_integral_value(rounding="ROUND_FLOOR")
        if quantity != whole and booking.half_unit_price is not None:
            description += (f": {whole.normalize():f} x {unit} at £{booking.unit_price:,.2f} + a half day at "
                            f"£{booking.half_unit_price:,.2f}")
        unit_price = booking.unit_price
        discount = Decimal("0.00")
    else:
        quantity, when = booking.units, timezone.localdate(booking.cancelled_at)
        description = (f"{service.name} ({booking.reference}): late cancellation on {_fmt(when)}, "
                       f"{booking.cancellation_percent.normalize():f}% of the price")
        unit_price = booking.unit_price
        discount = rules.HUNDRED - booking.cancellation_percent
    unit_label = unit if quantity == 1 else f"{unit}s"
    return InvoiceLine(description=description[:250], service=service, booking=booking, role=service.role,
                       quantity=quantity, unit_label=unit_label, unit_price=unit_price, discount_percent=discount,
                       net=charge.net, vat=charge.vat, vat_treatment=booking.vat_treatment,
                       vat_rate=booking.vat_rate, service_date=when, term=term_for(when))


def _package_amount(package: Package, instalment: int, invoiced: tuple[Decimal, Decimal]) -> rules.Money:
    price = (rules.Money(package.settled_net, package.settled_vat) if package.status == Package.Status.CANCELLED
             else package.price)
    if instalment == InvoiceLine.Instalment.FIRST:
        first, _ = rules.instalments(price)
        return rules.Money(max(first.net - invoiced[0], Decimal(0)), max(first.vat - invoiced[1], Decimal(0)))
    return rules.Money(price.net - invoiced[0], price.vat - invoiced[1])


def _package_line(package: Package, instalment: int, amount: rules.Money, when: datetime.date,
                  term) -> InvoiceLine:
    label = {InvoiceLine.Instalment.FIRST: "7/12 instalment", InvoiceLine.Instalment.SECOND: "5/12 instalment",
             InvoiceLine.Instalment.SINGLE: "whole package"}[instalment]
    discount = f", {package.discount_percent.normalize():f}% advance-purchase discount" if package.discount_percent \
        else ""
    settled = " (settled after cancellation)" if package.status == Package.Status.CANCELLED else ""
    return InvoiceLine(
        description=(f"Annual package {package.reference}: {_days_text(package.days)} of "
                     f"{package.get_role_display()} time, {package.academic_year.name}{discount}; {label}"
                     f"{settled}")[:250],
        package=package, instalment=instalment, role=package.role, quantity=package.days, unit_label="days",
        unit_price=package.day_rate, discount_percent=package.discount_percent, net=amount.net, vat=amount.vat,
        vat_treatment=package.vat_treatment, vat_rate=package.vat_rate, service_date=when, term=term)


def _term_finder():
    terms = list(school_days.la_terms().order_by("start_date"))

    def term_for(day: datetime.date):
        return next((t for t in terms if t.start_date <= day <= t.end_date), None)

    def named(academic_year_id: int, name: str):
        return next((t for t in terms if t.academic_year_id == academic_year_id and t.name == name), None)

    return term_for, named


def _billable(user, period_kind: str, start: datetime.date, end: datetime.date, academic_year, school_ids):
    """Lines to raise per school id for a period (nothing is written)."""
    term_for, named = _term_finder()
    by_school: dict[int, list[InvoiceLine]] = defaultdict(list)
    if period_kind in (Invoice.PeriodKind.MONTH, Invoice.PeriodKind.TERM):
        for booking in selectors.uninvoiced_charges(user=user, up_to=end, school_ids=school_ids):
            by_school[booking.school_id].append(_booking_line(booking, term_for))
        packages = Package.objects.visible_to(user).filter(schedule=Package.Schedule.SINGLE,
                                                           purchased_at__date__lte=end).exclude(
            invoice_lines__instalment=InvoiceLine.Instalment.SINGLE)
        instalment = InvoiceLine.Instalment.SINGLE
    else:
        instalment = (InvoiceLine.Instalment.FIRST if period_kind == Invoice.PeriodKind.PACKAGE_FIRST
                      else InvoiceLine.Instalment.SECOND)
        packages = Package.objects.visible_to(user).filter(academic_year=academic_year,
                                                           schedule=Package.Schedule.SEVEN_FIVE).exclude(
            invoice_lines__instalment=instalment)
    if school_ids is not None:
        packages = packages.filter(school_id__in=school_ids)
    packages = list(packages.select_related("academic_year").order_by("school_id", "pk"))
    invoiced = selectors.package_invoiced([p.pk for p in packages])
    for package in packages:
        amount = _package_amount(package, instalment, invoiced.get(package.pk, (Decimal(0), Decimal(0))))
        if amount.net <= 0 and amount.vat <= 0:
            continue
        if instalment == InvoiceLine.Instalment.FIRST:
            when, term = start, named(package.academic_year_id, "autumn")
        elif instalment == InvoiceLine.Instalment.SECOND:
            when, term = start, named(package.academic_year_id, "summer")
        else:
            when = timezone.localdate(package.purchased_at)
            term = term_for(when) or named(package.academic_year_id, "autumn")
        by_school[package.school_id].append(_package_line(package, instalment, amount, when, term))
    return by_school


@transaction.atomic
def invoice_run(*, user, period_kind: str, month: datetime.date | None = None, term: Term | None = None,
                academic_year: AcademicYear | None = None, school: School | None = None,
                issued_on: datetime.date | None = None) -> list[Invoice]:
    """Invoice every school (or one) for a period: a month or a term (pay-as-you-go charges up to its end, and
    packages invoiced at once), or one instalment of the 7/12 + 5/12 package schedule.

    A period is invoiced once: if any school in the run already has an invoice for it, the whole run is refused
    and nothing is written."""
    require(user, Capability.INVOICE_TRADED)
    start, end, label = invoice_period(period_kind=period_kind, month=month, term=term, academic_year=academic_year)
    if period_kind in (Invoice.PeriodKind.PACKAGE_FIRST, Invoice.PeriodKind.PACKAGE_SECOND):
        academic_year = academic_year or AcademicYear.objects.filter(start_date__lte=start,
                                                                     end_date__gte=start).first()
    issued_on = issued_on or _today()
    if issued_on > _today():
        raise ValidationError({"issued_on": "An invoice cannot be dated in the future."})
    if issued_on < start:
        raise ValidationError({"issued_on": f"An invoice for {label} is dated on or after {_fmt(start)}."})
    already = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, period_kind=period_kind, period_start=start)
    if school is not None:
        already = already.filter(school=school)
    earlier = list(already.select_related("school").order_by("issued_on", "pk")[:3])
    if earlier:
        first = earlier[0]
        if school is not None:
            message = (f"{school.name} was already invoiced for {label}: {first.number}, issued "
                       f"{_fmt(first.issued_on)}. A period is invoiced once; correct it with a credit note.")
        else:
            count = already.count()
            message = (f"{label} was already invoiced on {_fmt(first.issued_on)} ({count} invoice"
                       f"{'s' if count != 1 else ''}, from {first.number}). A period is invoiced once: nothing was "
                       "raised. Charges that arose since go on the next period's invoices.")
        raise ValidationError({"period_kind": message})
    school_ids = [school.pk] if school is not None else None
    by_school = _billable(user, period_kind, start, end, academic_year, school_ids)
    if not by_school:
        nothing = (f"{school.name} has nothing to invoice for {label}." if school is not None
                   else f"No school has anything to invoice for {label}.")
        raise ValidationError({"period_kind": nothing})
    schools = School.objects.in_bulk(list(by_school))
    created = []
    for school_id in sorted(by_school, key=lambda pk: schools[pk].name):
        by_school[school_id].sort(key=lambda line: (line.service_date, line.booking_id or 0, line.package_id or 0))
        document = _new_document(user=user, kind=Invoice.Kind.INVOICE, school=schools[school_id],
                                 period_kind=period_kind, start=start, end=end, label=label, issued_on=issued_on)
        created.append(_add_lines(user, document, by_school[school_id]))
    return created


@transaction.atomic
def invoice_mark_paid(*, user, invoice: Invoice, expected_version, paid_on: datetime.date,
                      payment_reference: str = "") -> Invoice:
    require(user, Capability.INVOICE_TRADED)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Invoice.Status.ISSUED:
        raise ValidationError("Only an issued invoice can be marked paid.")
    if paid_on > _today():
        raise ValidationError({"paid_on": "The payment date cannot be in the future."})
    if paid_on < invoice.issued_on:
        raise ValidationError({"paid_on": f"The invoice was issued on {_fmt(invoice.issued_on)}: payment comes after."})
    before = snapshot(invoice)
    claim_version(invoice, expected_version, what="invoice")
    invoice.status = Invoice.Status.PAID
    invoice.paid_on = paid_on
    invoice.payment_reference = (payment_reference or "").strip()
    invoice.full_clean()
    invoice.save()
    _audit_update(user, invoice, before)
    return invoice


@transaction.atomic
def credit_note_create(*, user, invoice: Invoice, lines, reason: str) -> Invoice:
    """Credit whole lines of an invoice (a correction, or a waived cancellation charge). Each line can be credited
    once; when every line is, the invoice reads "credited in full"."""
    require(user, Capability.INVOICE_TRADED)
    if invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError("Credit notes are raised against invoices.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the credit note is raised: the school will read this."})
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": "Choose the lines to credit."})
    if any(line.invoice_id != invoice.pk for line in lines):
        raise ValidationError({"lines": "Choose lines of this invoice."})
    credited = set(InvoiceLine.objects.filter(credited_line__in=lines).values_list("credited_line_id", flat=True))
    if credited:
        raise ValidationError({"lines": "A chosen line has already been credited."})
    today = _today()
    document = _new_document(user=user, kind=Invoice.Kind.CREDIT_NOTE, school=invoice.school,
                             period_kind=Invoice.PeriodKind.CREDIT, start=today, end=today,
                             label=f"Credit against {invoice.number}", credits=invoice, reason=reason.strip())
    _add_lines(user, document, [InvoiceLine(
        description=f"Credit: {line.description}"[:250], service=line.service, credited_line=line, role=line.role,
        quantity=line.quantity, unit_label=line.unit_label, unit_price=line.unit_price,
        discount_percent=line.discount_percent, net=-line.net, vat=-line.vat, vat_treatment=line.vat_treatment,
        vat_rate=line.vat_rate, service_date=line.service_date, term=line.term) for line in lines])
    remaining = InvoiceLine.objects.filter(invoice=invoice, credits__isnull=True).exists()
    if not remaining:
        before = snapshot(invoice)
        Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.CREDITED)
        invoice.refresh_from_db()
        _audit_update(user, invoice, before)
    return document
