"""Traded services: what the LA sells to schools beside its free statutory core, and how it is booked, delivered
against officers' time, and invoiced.

How this sits on the intervention catalogue
-------------------------------------------
A traded service is not a second catalogue. Seed 000's menu is ONE list of interventions, each with the staff who
deliver it, its likely duration and whether it is statutory or pay-as-you-use; it already lives in
:class:`~interventions.models.catalogue.Intervention` and case plans point at it. :class:`TradedService` is the
*selling* side of one catalogue entry (a one-to-one link): the rate-card role that prices it, the unit it is sold in,
how much officer time a unit takes, whether it is charged or free, its VAT treatment and whether pupils are named.
Name, details, outcomes and the delivering staff's wording stay on the catalogue entry, so an admin edits them once
and the brochure, case plans and bookings all read the same words.

The statutory core is never sold. The 2024 guidance ("Working together to improve school attendance", see
shared/reference/statutory-rules.md 1.2) says the LA's core functions (communication and advice, targeting support
meetings, multi-disciplinary support for families, legal intervention) "should not be traded". A service marked
with a :class:`CoreFunction` is free, and the model refuses a price for it three times over: ``clean()``, the
services (which call it) and a database check constraint.

Rates are frozen. A booking or package copies the rate in force when it was made (its unit price, VAT treatment and
VAT rate); a new rate-card row never changes what a school was quoted. Money rules are in interventions.traded.rules.

Officer capacity (how a booking is checked before it is confirmed)
------------------------------------------------------------------
Traded work is delivered in schools, so an officer's working days in a term are the LA's school days in that term
(schools.school_days, LA calendar) times the officer's FTE, rounded down to a half day. From those come, in order:
statutory commitments recorded for the officer (casework, legal, multi-agency, advice: :class:`OfficerCommitment`),
targeting support meetings the officer holds (cases.TargetingSupportMeeting, each counted as
``TradedPolicy.tsm_officer_days``), free (statutory) bookings, time recorded as unavailable (leave, training), and
traded bookings already confirmed. What is left is free for traded work. A booking is confirmed only if every term
it touches has enough free days, and no date would take the officer past one day's work (a full day, or two half
days). The selectors in interventions.traded.selectors compute all of this in SQL.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from interventions.traded import rules
from schools.scoping import ScopedQuerySet, is_la_user, user_school_ids

MONEY = {"max_digits": 12, "decimal_places": 2}
DAYS = {"max_digits": 6, "decimal_places": 1}
PERCENT = {"max_digits": 5, "decimal_places": 2,
           "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]}


class TradedRole(models.TextChoices):
    """The rate-card roles of seed 000 ("The interventions are available for purchase by schools at the following
    rates")."""

    ADVISER = "adviser", "Behaviour and Attendance Adviser"
    OFFICER = "officer", "Behaviour and Attendance Officer"
    LEGAL = "legal", "Legal Interventions"


class Unit(models.TextChoices):
    DAY = "day", "Day"
    HALF_DAY = "half_day", "Half day"
    SESSION = "session", "Session"
    PACKAGE = "package", "Package"


#: Officer days one unit takes when the unit fixes it; sessions and packages say their own.
FIXED_UNIT_DAYS = {Unit.DAY: Decimal("1.0"), Unit.HALF_DAY: Decimal("0.5")}


class CoreFunction(models.TextChoices):
    """The four core functions the 2024 guidance says must not be traded (statutory-rules.md 1.2)."""

    NONE = "", "Not a core function"
    ADVICE = "advice", "Communication and advice"
    TSM = "tsm", "Targeting support meetings"
    FAMILY = "family", "Multi-disciplinary support for families"
    LEGAL = "legal", "Legal intervention"


class VatTreatment(models.TextChoices):
    STANDARD = "standard", "Standard rate"
    ZERO = "zero", "Zero rate"
    EXEMPT = "exempt", "Exempt"
    OUTSIDE_SCOPE = "outside_scope", "Outside the scope of VAT"


#: Codes for the council's finance system export.
VAT_CODES = {VatTreatment.STANDARD: "S", VatTreatment.ZERO: "Z", VatTreatment.EXEMPT: "E",
             VatTreatment.OUTSIDE_SCOPE: "O"}


class TradedPolicy(models.Model):
    """The traded-services settings, edited by LA admins in the admin site (one row; these defaults until saved).
    Each value lives here only."""

    vat_standard_rate = models.DecimalField(
        default=Decimal("20.00"), help_text="VAT standard rate in per cent (HMRC: 20% since 4 January 2011).",
        **PERCENT)
    default_vat_treatment = models.CharField(
        max_length=15, choices=VatTreatment.choices, default=VatTreatment.STANDARD,
        help_text="For new services and for annual packages. Check with the council's VAT adviser: supplies to "
                  "maintained schools are often outside the scope; to academies they may be exempt or standard.")
    cancellation_notice_school_days = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(60)],
        help_text="A cancellation with fewer school days' notice than this before the first booked date is late "
                  "(local default: two school weeks, the usual SLA term; set your own).")
    late_cancellation_percent = models.DecimalField(
        default=Decimal("50.00"), help_text="Share of the booking's price charged for a late cancellation.",
        **PERCENT)
    payment_terms_days = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(120)],
                                                          help_text="Days from issue to the invoice's due date.")
    tsm_officer_days = models.DecimalField(
        max_digits=3, decimal_places=1, default=Decimal("0.5"), validators=[MinValueValidator(Decimal(0))],
        help_text="Officer time one targeting support meeting counts for in capacity (preparation and meeting).")
    vat_registration_number = models.CharField(max_length=20, blank=True)
    payment_instructions = models.TextField(blank=True, help_text="Printed on every invoice, e.g. BACS details.")
    income_ledger_code = models.CharField(max_length=30, blank=True,
                                          help_text="Ledger or cost-centre code for the finance system export.")

    class Meta:
        verbose_name = verbose_name_plural = "traded services policy"

    def __str__(self) -> str:
        return "Traded services policy"

    @classmethod
    def current(cls) -> TradedPolicy:
        return cls.objects.order_by("pk").first() or cls()

    def vat_rate_for(self, treatment: str) -> Decimal:
        return self.vat_standard_rate if treatment == VatTreatment.STANDARD else Decimal("0.00")


class RateQuerySet(models.QuerySet):
    def in_force(self, role: str, on: datetime.date):
        return self.filter(role=role, effective_from__lte=on).order_by("-effective_from").first()


class Rate(models.Model):
    """One row of the rate card: a role's prices from a date until the role's next row."""

    role = models.CharField(max_length=10, choices=TradedRole.choices)
    effective_from = models.DateField()
    day_rate = models.DecimalField(**MONEY)
    half_day_rate = models.DecimalField(**MONEY)
    session_rate = models.DecimalField(null=True, blank=True, help_text="Empty: this role does not sell sessions.",
                                       **MONEY)
    source = models.CharField(max_length=160, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["role", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["role", "effective_from"], name="rate_one_per_role_and_date",
                                    violation_error_message="This role already has a rate from that date."),
            models.CheckConstraint(condition=Q(day_rate__gt=0, half_day_rate__gt=0)
                                   & (Q(session_rate__isnull=True) | Q(session_rate__gt=0)),
                                   name="rate_prices_positive", violation_error_message="Prices must be above £0."),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} from {self.effective_from:%-d %b %Y}"


class DiscountTier(models.Model):
    """Reduced rates for multiple, advance purchases (seed 000: "Reduced rates will be available for multiple,
    advance purchases of menu items"), applied to annual packages: the highest tier reached applies."""

    min_days = models.DecimalField(max_digits=5, decimal_places=1, unique=True,
                                   validators=[MinValueValidator(Decimal("1.0"))],
                                   help_text="Days bought in one package from which this discount applies.")
    percent = models.DecimalField(max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(90))])

    class Meta:
        ordering = ["min_days"]

    def __str__(self) -> str:
        return f"{self.percent}% off from {self.min_days} days"


class TradedServiceQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(is_offered=True, intervention__is_active=True)


class TradedService(models.Model):
    """The selling side of one catalogue entry (see the module docstring for why it is not a second catalogue)."""

    class Charging(models.TextChoices):
        CHARGED = "charged", "Charged (pay as you use)"
        FREE = "free", "Free to schools (statutory)"

    class Pupils(models.TextChoices):
        NONE = "none", "No pupils named"
        OPTIONAL = "optional", "Pupils may be named"
        REQUIRED = "required", "At least one pupil must be named"

    intervention = models.OneToOneField("interventions.Intervention", on_delete=models.PROTECT,
                                        related_name="traded_service")
    role = models.CharField("Rate-card role", max_length=10, choices=TradedRole.choices,
                            help_text="Whose rates price this service.")
    unit = models.CharField(max_length=10, choices=Unit.choices)
    unit_days = models.DecimalField(
        "Officer days per unit", max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))],
        help_text="Officer time one unit takes: 1 for a day, 0.5 for a half day; sessions and packages say theirs.")
    charging = models.CharField(max_length=10, choices=Charging.choices, default=Charging.CHARGED)
    core_function = models.CharField(max_length=10, choices=CoreFunction.choices, blank=True,
                                     help_text="A core function of the 2024 guidance: always free.")
    vat_treatment = models.CharField(max_length=15, choices=VatTreatment.choices, default=VatTreatment.STANDARD)
    pupils = models.CharField("Pupils", max_length=10, choices=Pupils.choices, default=Pupils.NONE)
    is_offered = models.BooleanField(default=True, help_text="Withdrawn services stay on old bookings.")
    version = models.PositiveIntegerField(default=1)

    objects = TradedServiceQuerySet.as_manager()

    class Meta:
        ordering = ["intervention__sort_order", "intervention__name"]
        constraints = [
            models.CheckConstraint(condition=Q(core_function="") | Q(charging="free"),
                                   name="traded_core_functions_are_free",
                                   violation_error_message="A statutory core function is free: it cannot be "
                                                           "priced."),
            models.CheckConstraint(condition=Q(unit_days__gt=0), name="traded_unit_days_positive"),
        ]

    def __str__(self) -> str:
        return self.intervention.name

    @property
    def name(self) -> str:
        return self.intervention.name

    @property
    def is_charged(self) -> bool:
        return self.charging == self.Charging.CHARGED

    def clean(self):
        errors = {}
        intervention = getattr(self, "intervention", None)
        if intervention is not None and intervention.strand == "legal" and self.core_function != CoreFunction.LEGAL:
            errors["core_function"] = (f"{intervention.name} is legal intervention, a core function under the 2024 "
                                       "guidance: mark it as legal intervention.")
        core = self.core_function or (CoreFunction.LEGAL if "core_function" in errors else "")
        if core and self.charging == self.Charging.CHARGED:
            errors["charging"] = (f"{CoreFunction(core).label} is a statutory core function: the 2024 guidance says "
                                  "it must not be traded, so it is free to every school and cannot be priced.")
        fixed = FIXED_UNIT_DAYS.get(self.unit)
        if fixed is not None and self.unit_days is not None and Decimal(self.unit_days) != fixed:
            errors["unit_days"] = f"A {self.get_unit_display().lower()} is {fixed} officer days."
        if self.unit_days is not None and not rules.is_half_step(self.unit_days):
            errors["unit_days"] = "Officer days per unit go in half days (0.5, 1, 1.5...)."
        if errors:
            raise ValidationError(errors)

    def unit_prices(self, rate: Rate | None) -> tuple[Decimal, Decimal | None]:
        """(price of one unit, price of a trailing half unit or None) at ``rate``; (0, None) when free.
        Raises ValueError when the rate card cannot price this unit (no session rate)."""
        if not self.is_charged:
            return Decimal("0.00"), None
        if rate is None:
            raise ValueError(f"No {self.get_role_display()} rate is in force.")
        if self.unit == Unit.DAY:
            return rate.day_rate, rate.half_day_rate
        if self.unit == Unit.HALF_DAY:
            return rate.half_day_rate, None
        if self.unit == Unit.SESSION:
            if rate.session_rate is None:
                raise ValueError(f"The {rate.get_role_display()} rate card has no session price.")
            return rate.session_rate, None
        # A package of unit_days officer days: whole days at the day rate, a trailing half day at the half-day rate.
        return rules.units_price(units=self.unit_days, unit_price=rate.day_rate,
                                 half_unit_price=rate.half_day_rate), None

    def allows_part_units(self) -> bool:
        return self.unit == Unit.DAY


class TradedOfficer(models.Model):
    """An LA member of staff who delivers traded (and statutory) work, with the rate-card roles they deliver and
    their FTE, which scales their working days in a term."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="traded_profile")
    roles = models.JSONField(default=list, help_text="Rate-card roles this person delivers.")
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2, default=Decimal("1.00"),
                              validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name = "traded services officer"

    def __str__(self) -> str:
        return self.user.display_name

    def clean(self):
        unknown = set(self.roles or []) - set(TradedRole.values)
        if unknown or not self.roles:
            raise ValidationError({"roles": "Choose at least one of the rate-card roles."})

    @property
    def role_labels(self) -> str:
        return ", ".join(TradedRole(r).label for r in self.roles if r in TradedRole.values)


class OfficerCommitment(models.Model):
    """Officer time recorded against a date: statutory work (which traded bookings must not crowd out) or time the
    officer is unavailable."""

    class Kind(models.TextChoices):
        CASEWORK = "casework", "Statutory casework (visits, meetings, reviews)"
        LEGAL = "legal", "Legal intervention (court, interviews, evidence)"
        MULTI_AGENCY = "multi_agency", "Multi-agency and family support"
        ADVICE = "advice", "Advice to schools and families"
        TSM = "tsm", "Targeting support meeting (not recorded under Cases)"
        UNAVAILABLE = "unavailable", "Unavailable (leave, training, sickness)"

    STATUTORY_KINDS = frozenset({Kind.CASEWORK, Kind.LEGAL, Kind.MULTI_AGENCY, Kind.ADVICE, Kind.TSM})

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments")
    date = models.DateField()
    days = models.DecimalField(max_digits=2, decimal_places=1, choices=[(Decimal("0.5"), "Half day"),
                                                                        (Decimal("1.0"), "Full day")])
    kind = models.CharField(max_length=15, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            # Capacity: an officer's commitments on a date and in a term's date range.
            models.Index(fields=["officer", "date"], name="commitment_officer_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(days__in=[Decimal("0.5"), Decimal("1.0")]),
                                   name="commitment_half_or_full_day"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.date} {self.get_kind_display()}"

    @property
    def is_statutory(self) -> bool:
        return self.kind in self.STATUTORY_KINDS


class SchoolLinkedQuerySet(ScopedQuerySet):
    """Traded records belong to a school (not to a pupil): LA roles see every school's, a school user only their
    own schools'. Capabilities (schools.roles) decide who reaches the pages at all."""

    school_path = "school"

    def visible_to(self, user):
        if is_la_user(user):
            return self
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(**{f"{self.school_path}__in": user_school_ids(user)})


class Package(models.Model):
    """An annual package: days of one rate-card role bought in advance for an academic year, at the tier's
    reduced rate, invoiced 7/12 + 5/12 (or at once). Bookings funded from it use its days instead of being charged."""

    class Schedule(models.TextChoices):
        SEVEN_FIVE = "seven_five", "7/12 in the autumn, 5/12 from April"
        SINGLE = "single", "One invoice"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="traded_packages")
    academic_year = models.ForeignKey("schools.AcademicYear", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("Rate-card role", max_length=10, choices=TradedRole.choices)
    days = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("1.0"))])
    schedule = models.CharField(max_length=12, choices=Schedule.choices, default=Schedule.SEVEN_FIVE)
    rate = models.ForeignKey(Rate, on_delete=models.PROTECT, related_name="packages")
    day_rate = models.DecimalField(**MONEY)
    half_day_rate = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    list_net = models.DecimalField(help_text="Before the discount.", **MONEY)
    net = models.DecimalField(**MONEY)
    vat_treatment = models.CharField(max_length=15, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat = models.DecimalField(**MONEY)
    purchase_order = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    purchased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purchased_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancellation_reason = models.TextField(blank=True)
    #: After a cancellation: what the school pays in all for the days it used (see services.package_cancel).
    settled_net = models.DecimalField(null=True, blank=True, **MONEY)
    settled_vat = models.DecimalField(null=True, blank=True, **MONEY)
    version = models.PositiveIntegerField(default=1)

    objects = SchoolLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-academic_year__start_date", "school__name", "pk"]
        indexes = [
            # A school's packages for a year (booking form, package list).
            models.Index(fields=["school", "academic_year"], name="package_school_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(net__gte=0, vat__gte=0), name="package_amounts_not_negative"),
            models.CheckConstraint(condition=Q(status="active", cancelled_at__isnull=True)
                                   | Q(status="cancelled", cancelled_at__isnull=False),
                                   name="package_cancelled_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.school} {self.academic_year}"

    @property
    def reference(self) -> str:
        return f"PK-{self.pk:05d}" if self.pk else "PK-new"

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @property
    def price(self) -> rules.Money:
        return rules.Money(self.net, self.vat)


class Booking(models.Model):
    """A school's request for a service, then its confirmation (officer and dates), delivery or cancellation.

    The price is frozen when the school asks: ``unit_price`` (and ``half_unit_price`` for a trailing half day),
    ``vat_treatment`` and ``vat_rate`` are copies of the rate card and policy of that day."""

    class Funding(models.TextChoices):
        PAYG = "payg", "Pay as you go (invoiced after delivery)"
        PACKAGE = "package", "From an annual package"
        FREE = "free", "Free (statutory)"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Declined"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = frozenset({Status.REQUESTED, Status.CONFIRMED})

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="traded_bookings")
    service = models.ForeignKey(TradedService, on_delete=models.PROTECT, related_name="bookings")
    funding = models.CharField(max_length=10, choices=Funding.choices)
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    units = models.DecimalField(max_digits=5, decimal_places=1)
    package_days = models.DecimalField(
        max_digits=5, decimal_places=1, default=Decimal("0.0"),
        help_text="Days drawn from the package: reserved while the booking is open, used once it is delivered or "
                  "cancelled late, none after a decline or an on-time cancellation.")
    preferred_dates = models.JSONField(default=list, help_text="ISO dates the school would like, best first.")
    notes = models.TextField(blank=True, help_text="What the school needs.")
    purchase_order = models.CharField(max_length=40, blank=True)
    pupils = models.ManyToManyField("schools.Pupil", through="BookingPupil", related_name="+", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="traded_bookings")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    declined_at = models.DateTimeField(null=True, blank=True)
    delivered_units = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    delivery_notes = models.TextField(blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancellation_reason = models.TextField(blank=True)
    cancelled_late = models.BooleanField(default=False)
    cancellation_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"),
                                               help_text="Share of the price charged for the cancellation.")
    rate = models.ForeignKey(Rate, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    unit_price = models.DecimalField(**MONEY)
    half_unit_price = models.DecimalField(null=True, blank=True, **MONEY)
    vat_treatment = models.CharField(max_length=15, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    priced_on = models.DateField()
    version = models.PositiveIntegerField(default=1)

    objects = SchoolLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # The booking list filtered by status (LA queue) and a school's own bookings.
            models.Index(fields=["status", "requested_at"], name="booking_status_idx"),
            models.Index(fields=["school", "status"], name="booking_school_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(units__gt=0), name="booking_units_positive",
                                   violation_error_message="Book at least one unit."),
            models.CheckConstraint(condition=Q(funding="package", package__isnull=False)
                                   | (~Q(funding="package") & Q(package__isnull=True)),
                                   name="booking_package_iff_package_funding"),
            models.CheckConstraint(condition=~Q(funding="free") | Q(unit_price=0),
                                   name="booking_free_costs_nothing",
                                   violation_error_message="A free (statutory) booking cannot carry a price."),
            models.CheckConstraint(condition=~Q(status="delivered") | Q(delivered_units__gt=0),
                                   name="booking_delivered_has_units"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service} for {self.school}"

    @property
    def reference(self) -> str:
        return f"BK-{self.pk:05d}" if self.pk else "BK-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def days(self) -> Decimal:
        """Officer days the booking takes as booked."""
        return self.units * self.service.unit_days

    @property
    def preferred(self) -> list[datetime.date]:
        return [datetime.date.fromisoformat(d) for d in self.preferred_dates or []]

    @property
    def is_chargeable(self) -> bool:
        return self.funding == self.Funding.PAYG

    def price_for(self, units: Decimal) -> rules.Money:
        """Net and VAT for ``units`` at the frozen price (0 for package and free bookings)."""
        if not self.is_chargeable:
            return rules.Money(Decimal("0.00"), Decimal("0.00"))
        net = rules.units_price(units=units, unit_price=self.unit_price, half_unit_price=self.half_unit_price)
        return rules.with_vat(net, self.vat_rate)

    @property
    def quote(self) -> rules.Money:
        return self.price_for(self.units)

    @property
    def charge(self) -> rules.Money | None:
        """What the school is invoiced: actual units once delivered; the cancellation share after a late
        cancellation; nothing otherwise."""
        if not self.is_chargeable:
            return None
        if self.status == self.Status.DELIVERED:
            return self.price_for(self.delivered_units)
        if self.status == self.Status.CANCELLED and self.cancellation_percent > 0:
            return rules.with_vat(rules.share(self.quote.net, self.cancellation_percent), self.vat_rate)
        return None


class BookingPupil(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="booking_pupils")
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "pupil"], name="booking_pupil_once")]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.pupil_id}"


class BookingDate(models.Model):
    """A date an officer is booked for (a full or half day). The rows always say the time the booking takes: a
    delivery of fewer units releases the later dates; a cancellation or decline releases them all."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="dates")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    days = models.DecimalField(max_digits=2, decimal_places=1)

    class Meta:
        ordering = ["date"]
        indexes = [
            # Capacity: an officer's booked time on a date and in a term.
            models.Index(fields=["officer", "date"], name="bookingdate_officer_date_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["booking", "date"], name="booking_date_once"),
            models.CheckConstraint(condition=Q(days__in=[Decimal("0.5"), Decimal("1.0")]),
                                   name="bookingdate_half_or_full_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} ({self.days} day)"


class Invoice(models.Model):
    """An invoice or a credit note to one school. Invoices are for a period (a month, a term, or one instalment of
    the 7/12 + 5/12 package schedule); one per school per period. Credit notes carry negative amounts and name the
    invoice they credit, so income is the plain sum of every line."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    class PeriodKind(models.TextChoices):
        MONTH = "month", "Month"
        TERM = "term", "Term"
        PACKAGE_FIRST = "package_7_12", "Packages: 7/12 (September to March)"
        PACKAGE_SECOND = "package_5_12", "Packages: 5/12 (April to August)"
        CREDIT = "credit", "Credit note"

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"
        CREDITED = "credited", "Credited in full"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(max_length=20, blank=True)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="traded_invoices")
    period_kind = models.CharField(max_length=15, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=80)
    issued_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ISSUED)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=60, blank=True)
    net = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    credits = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_notes")
    reason = models.TextField(blank=True, help_text="Why a credit note was raised.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = SchoolLinkedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        indexes = [
            # The invoice list by status and date; a school's invoices.
            models.Index(fields=["status", "issued_on"], name="invoice_status_idx"),
            models.Index(fields=["school", "issued_on"], name="invoice_school_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["school", "period_kind", "period_start"],
                                    condition=Q(kind="invoice"), name="invoice_one_per_school_period",
                                    violation_error_message="This school was already invoiced for this period."),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="invoice_number_unique"),
            models.CheckConstraint(condition=Q(kind="invoice", net__gte=0, vat__gte=0, credits__isnull=True)
                                   | Q(kind="credit_note", net__lte=0, vat__lte=0, credits__isnull=False),
                                   name="invoice_credit_note_signs"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="invoice_period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.get_kind_display()} {self.school}"

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.kind == self.Kind.INVOICE and self.status == self.Status.ISSUED and self.due_on < day


class InvoiceLine(models.Model):
    """One charge (or credit) on an invoice. A booking, a package instalment and a credited line each appear at most
    once, so nothing is billed or credited twice."""

    class Instalment(models.IntegerChoices):
        SINGLE = 0, "Whole package"
        FIRST = 1, "7/12"
        SECOND = 2, "5/12"
        CANCELLATION = 3, "Cancellation settlement"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=1)
    description = models.CharField(max_length=250)
    service = models.ForeignKey(TradedService, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="invoice_lines")
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="invoice_lines")
    instalment = models.PositiveSmallIntegerField(choices=Instalment.choices, null=True, blank=True)
    credited_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="credits")
    role = models.CharField(max_length=10, choices=TradedRole.choices, blank=True)
    quantity = models.DecimalField(max_digits=6, decimal_places=1)
    unit_label = models.CharField(max_length=30)
    unit_price = models.DecimalField(**MONEY)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    net = models.DecimalField(**MONEY)
    vat_treatment = models.CharField(max_length=15, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat = models.DecimalField(**MONEY)
    service_date = models.DateField(help_text="Delivery (or cancellation) date; for packages the period start.")
    term = models.ForeignKey("schools.Term", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text="The LA term the income belongs to.")

    class Meta:
        ordering = ["invoice", "position", "pk"]
        indexes = [
            # Income by service and by term (interventions.traded.selectors.income_by_*).
            models.Index(fields=["service", "term"], name="invoiceline_service_term_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["booking"], condition=Q(booking__isnull=False),
                                    name="invoiceline_booking_once",
                                    violation_error_message="This booking is already on an invoice."),
            models.UniqueConstraint(fields=["package", "instalment"], condition=Q(package__isnull=False),
                                    name="invoiceline_package_instalment_once",
                                    violation_error_message="This package instalment is already invoiced."),
            models.UniqueConstraint(fields=["credited_line"], condition=Q(credited_line__isnull=False),
                                    name="invoiceline_credited_once",
                                    violation_error_message="This line has already been credited."),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @property
    def vat_code(self) -> str:
        return VAT_CODES.get(self.vat_treatment, "")
