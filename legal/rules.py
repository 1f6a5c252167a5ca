"""Legal rules as data: penalty-notice amounts, payment periods and limits by regime, and the statutory periods of
the other legal powers. Every number carries its source (shared/reference/statutory-rules.md §3 and §4).

Amounts are Decimal pounds, pence-exact; nothing is ever rounded because every amount is a whole figure set by
regulation. Periods in *days* are calendar days counted from the day the notice was received (day 0): a notice
received on 1 October and paid on 22 October was paid on day 21, inside a "within 21 days" period; paid on
23 October it was day 22, outside it. Periods in *working days* skip weekends and English bank holidays; periods in
*school weeks* count school days of the pupil's school (schools.school_days).

Instruments:
- PN2007: Education (Penalty Notices) (England) Regulations 2007, SI 2007/1867, as amended 2012, 2013 and by PN2024.
- PN2024: Education (Penalty Notices) (England) (Amendment) Regulations 2024, SI 2024/210 (in force 19 Aug 2024).
- EA1996: Education Act 1996 ss437-447 (SAO, s444 offences, s447 ESO consideration); EIA2006 s103/s105
  (excluded pupils in a public place); ASBA2003 ss19-20 (parenting contracts and orders); CA1989 s36 (ESO);
  MCA1980 s127 (six-month time limit for laying an information).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from schools.school_days import is_bank_holiday

ONE_DAY = datetime.timedelta(days=1)


class NoticeType(models.TextChoices):
    NON_ATTENDANCE = "non_attendance", "Non-attendance (irregular attendance)"
    TERM_TIME_LEAVE = "term_time_leave", "Unauthorised leave in term time"
    EXCLUDED_PUBLIC_PLACE = "excluded_public_place", "Excluded pupil in a public place"


#: s444A notices (EA1996, inserted by ASBA2003 s23): the two attendance kinds. They share the per-parent, per-child
#: limit from 19 Aug 2024. Excluded-pupil notices are s105 EIA2006 notices with amounts of their own.
S444A_TYPES = frozenset({NoticeType.NON_ATTENDANCE, NoticeType.TERM_TIME_LEAVE})

#: Support is inappropriate before a holiday notice (statutory-rules.md §3: "e.g. term-time holiday"), and an excluded
#: pupil in a public place is a single event, so neither needs the evidenced-support checklist.
GATED_TYPES = frozenset({NoticeType.NON_ATTENDANCE})


@dataclass(frozen=True)
class Regime:
    """One period of the penalty-notice regulations, for notices issued on ``start``..``end`` inclusive."""

    key: str
    label: str
    start: datetime.date
    end: datetime.date | None
    reduced_amount: Decimal  # paid within reduced_days of receipt
    reduced_days: int
    full_amount: Decimal  # paid after reduced_days and within full_days
    full_days: int
    # The national limit (PN2024): a second notice to the same parent for the same child within limit_years of the
    # first costs repeat_amount flat (no reduction, within full_days); no more than max_in_window notices.
    repeat_amount: Decimal | None
    max_in_window: int | None
    limit_years: int | None
    source: str

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


REGIMES: tuple[Regime, ...] = (
    Regime("2004", "27 February 2004 to 31 August 2012", datetime.date(2004, 2, 27), datetime.date(2012, 8, 31),
           Decimal("50.00"), 28, Decimal("100.00"), 42, None, None, None,
           "DfE archive page 2013; PN2007 explanatory note (42 days before proceedings)"),
    Regime("2012", "1 September 2012 to 31 August 2013", datetime.date(2012, 9, 1), datetime.date(2013, 8, 31),
           Decimal("60.00"), 28, Decimal("120.00"), 42, None, None, None,
           "DfE archive page (2012 amendment of PN2007)"),
    Regime("2013", "1 September 2013 to 18 August 2024", datetime.date(2013, 9, 1), datetime.date(2024, 8, 18),
           Decimal("60.00"), 21, Decimal("120.00"), 28, None, None, None,
           "2013 amendment of PN2007; RBKC penalty notice handbook; local codes set their own limits"),
    Regime("2024", "from 19 August 2024 (national framework)", datetime.date(2024, 8, 19), None,
           Decimal("80.00"), 21, Decimal("160.00"), 28, Decimal("160.00"), 2, 3,
           "PN2024 (SI 2024/210); WT2024; Lincolnshire and West Northamptonshire codes of conduct"),
)

#: Excluded pupils in a public place (s105 EIA2006) kept the older amounts after 2024: SI 2024/210 reg 4 confines
#: them to "a penalty notice issued under section 105(1) of the 2006 Act" (North Northamptonshire). Before September
#: 2013 they followed the attendance amounts of the day.
EXCLUDED_REGIME = Regime(
    "excluded", "excluded pupil in a public place (s105 EIA 2006)", datetime.date(2013, 9, 1), None,
    Decimal("60.00"), 21, Decimal("120.00"), 28, None, None, None,
    "SI 2024/210 reg 4; North Northamptonshire penalty notices page")

#: The framework's three-year limit runs only from the first notice issued on or after this date (PN2024): notices
#: imported from earlier regimes never count toward it.
NATIONAL_FRAMEWORK_START = datetime.date(2024, 8, 19)
FIRST_NOTICE_DATE = REGIMES[0].start

#: What the LA should consider instead of a third notice within three years (PN2024; WT2024: "alternative action,
#: usually prosecution"; statutory-rules.md §3 and §4).
ALTERNATIVE_ACTIONS: tuple[str, ...] = (
    "prosecution under section 444 of the Education Act 1996 (consider an education supervision order first, s447)",
    "an education supervision order (Children Act 1989 s36)",
    "an attendance contract or parenting contract (Anti-social Behaviour Act 2003 s19)",
    "a parenting order (Anti-social Behaviour Act 2003 s20)",
)

#: Post is deemed received on the second working day after posting; hand delivery the same day. [INFERRED] The
#: reference does not give a deemed-service rule; this is the usual convention in LA codes of conduct (Interpretation
#: Act 1978 s7 practice). Change it here if the LA's code says otherwise.
POSTAL_SERVICE_WORKING_DAYS = 2


#: Letters that are steps toward an s444 offence (a warning, a notice to improve, a penalty notice, a prosecution): sent
#: only about a child of compulsory school age (EA1996 s8, schools.school_age). Contracts are voluntary and stay open.
SCHOOL_AGE_LETTER_KINDS = frozenset({"warning_letter", "notice_to_improve", "penalty_notice", "prosecution_cover"})


class LetterKind(models.TextChoices):
    WARNING = "warning_letter", "Warning letter"
    NOTICE_TO_IMPROVE = "notice_to_improve", "Notice to improve"
    PENALTY_NOTICE = "penalty_notice", "Penalty notice"
    ATTENDANCE_CONTRACT = "attendance_contract", "Attendance contract"
    PROSECUTION_COVER = "prosecution_cover", "Prosecution cover letter"


class ServiceMethod(models.TextChoices):
    HAND = "hand", "By hand to the parent"
    POST = "post", "First-class post"
    HOME = "home", "Left at the parent's usual address"


# --- Other legal powers -------------------------------------------------------------------------------------------

#: School Attendance Order: the notice must give the parent "not less than 15 days" to satisfy the LA (EA1996 s437(1)).
SAO_NOTICE_MIN_DAYS = 15
#: Education supervision order: initially one year; extensions, applied for in the last three months, of up to three
#: years at a time (CA1989 s36 and Sch 3 para 15; Norfolk ESO page).
ESO_INITIAL_MONTHS = 12
ESO_EXTENSION_MAX_YEARS = 3
ESO_EXTENSION_WINDOW_MONTHS = 3
#: s447(4): where the court directs the LA to consider an ESO and it decides not to apply, it tells the court why
#: within 8 weeks.
ESO_COURT_REPLY_WEEKS = 8
#: Parenting orders: requirements for up to 12 months, a counselling or guidance programme of up to 3 months
#: (ASBA2003 s20; CDA1998 s8 on conviction).
PARENTING_ORDER_MAX_MONTHS = 12
PARENTING_PROGRAMME_MAX_MONTHS = 3
#: An information must be laid within six months of the offence (MCA1980 s127). The offence is taken to end on the last
#: day of the period of absence charged.
INFORMATION_LIMIT_MONTHS = 6
#: Maximum fines (EA1996 s444): level 3 (£1,000) for s444(1), level 4 (£2,500) for s444(1A).
MAX_FINE = {"s444_1": Decimal("1000.00"), "s444_1a": Decimal("2500.00")}


#: The declaration a written statement carries to be admissible without the witness attending: Criminal Justice Act
#: 1967 s9(2)(b), in the words of the Criminal Procedure Rules r16.2 and form MG11. The prosecution pack prints it on
#: every witness statement, above the officer's own text, whatever that text says.
S9_DECLARATION = ("This statement (consisting of {pages} each signed by me) is true to the best of my knowledge and "
                  "belief and I make it knowing that, if it is tendered in evidence, I shall be liable to prosecution "
                  "if I have wilfully stated in it anything which I know to be false, or do not believe to be true.")
S9_SOURCE = "Criminal Justice Act 1967 s9; Criminal Procedure Rules r16.2 (form MG11)"


class Offence(models.TextChoices):
    S444_1 = "s444_1", "s444(1): failure to secure regular attendance"
    S444_1A = "s444_1a", "s444(1A): knowing failure to secure regular attendance (aggravated)"


# --- Date arithmetic ----------------------------------------------------------------------------------------------

def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day where it has no such day (31 Aug + 6 months = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 always exists


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The anniversary ``years`` later; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, not an English bank holiday (the LA's office days; schools.school_days for bank holidays)."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``day`` (``day`` itself never counts). "Decide within 10 working days of receipt"
    is ``add_working_days(received, 10)``."""
    current, remaining = day, n
    while remaining > 0:
        current += ONE_DAY
        if is_working_day(current):
            remaining -= 1
    return current


# --- Penalty notices ----------------------------------------------------------------------------------------------

class RuleError(ValueError):
    """A rule refuses the request; the message says why and what to do instead."""


def regime_for(notice_type: str, issued_on: datetime.date) -> Regime:
    if issued_on < FIRST_NOTICE_DATE:
        raise RuleError(f"Penalty notices for school attendance began on {FIRST_NOTICE_DATE:%-d %B %Y}; a notice "
                        f"cannot be dated {issued_on:%-d %B %Y}.")
    if notice_type == NoticeType.EXCLUDED_PUBLIC_PLACE and issued_on >= EXCLUDED_REGIME.start:
        return EXCLUDED_REGIME
    return next(r for r in REGIMES if r.covers(issued_on))


def service_dates(*, notice_type: str, issued_on: datetime.date, is_repeat: bool, served_on: datetime.date,
                  method: str) -> tuple[datetime.date, datetime.date | None, datetime.date]:
    """(deemed receipt, last day at the reduced rate or None, last day to pay) for a notice served on ``served_on``
    by ``method``: the one place service turns into payment periods (a notice served by hand, or posted through
    GOV.UK Notify or from the print queue)."""
    received = received_on(served_on, method)
    reduced, full = amounts_for(notice_type, issued_on, is_repeat=is_repeat).due_dates(received)
    return received, reduced, full


def received_on(served_on: datetime.date, method: str) -> datetime.date:
    """When the parent is taken to have received the notice: payment periods run from here."""
    if method == ServiceMethod.POST:
        return add_working_days(served_on, POSTAL_SERVICE_WORKING_DAYS)
    return served_on


@dataclass(frozen=True)
class Amounts:
    """What a notice costs and until when. ``reduced_due`` is None when no reduction applies (a second notice)."""

    regime: Regime
    is_repeat: bool
    reduced_amount: Decimal | None
    full_amount: Decimal
    reduced_days: int | None
    full_days: int

    def due_dates(self, received: datetime.date) -> tuple[datetime.date | None, datetime.date]:
        reduced = received + datetime.timedelta(days=self.reduced_days) if self.reduced_days is not None else None
        return reduced, received + datetime.timedelta(days=self.full_days)

    def due_on(self, received: datetime.date, paid_on: datetime.date) -> Decimal | None:
        """The amount that discharges the notice when paid on ``paid_on``; None once the payment period is over."""
        reduced_due, full_due = self.due_dates(received)
        if paid_on < received:
            return None
        if reduced_due is not None and paid_on <= reduced_due:
            return self.reduced_amount
        if paid_on <= full_due:
            return self.full_amount
        return None


def amounts_for(notice_type: str, issued_on: datetime.date, *, is_repeat: bool) -> Amounts:
    regime = regime_for(notice_type, issued_on)
    if is_repeat and regime.repeat_amount is not None:
        return Amounts(regime, True, None, regime.repeat_amount, None, regime.full_days)
    return Amounts(regime, False, regime.reduced_amount, regime.full_amount, regime.reduced_days, regime.full_days)


@dataclass(frozen=True)
class PriorNotice:
    issued_on: datetime.date
    notice_type: str
    withdrawn: bool


@dataclass(frozen=True)
class LimitCheck:
    """Where a new notice to one parent for one child falls in the three-year limit."""

    number_in_window: int  # 1 for a first notice, 2 for a second
    window_start: datetime.date  # the first notice of the window (the new one when it starts a window)
    window_last_day: datetime.date

    @property
    def is_repeat(self) -> bool:
        return self.number_in_window > 1


def check_limit(notice_type: str, issued_on: datetime.date, prior: list[PriorNotice], *, parent: str = "this parent",
                child: str = "this child") -> LimitCheck | None:
    """Apply the national limit to a new notice to one parent for one child (PN2024): ``prior`` is that parent's
    earlier notices for that child. Returns None when no limit applies (excluded-pupil notices, earlier regimes).

    Counted: s444A notices issued on or after 19 August 2024, paid or unpaid, prosecuted or not; never withdrawn
    ones. The three years run from the first counted notice; once they are over, the next notice starts a new window.
    Raises RuleError for a third notice within the window, naming the alternatives to consider.
    """
    regime = regime_for(notice_type, issued_on)
    if notice_type not in S444A_TYPES or regime.max_in_window is None:
        return None
    counted = sorted(p.issued_on for p in prior if p.notice_type in S444A_TYPES and not p.withdrawn
                     and NATIONAL_FRAMEWORK_START <= p.issued_on <= issued_on)
    window_start, in_window = None, 0
    for day in counted:
        if window_start is None or day > _last_day(window_start, regime):
            window_start, in_window = day, 1
        else:
            in_window += 1
    if window_start is None or issued_on > _last_day(window_start, regime):
        return LimitCheck(1, issued_on, _last_day(issued_on, regime))
    if in_window >= regime.max_in_window:
        next_allowed = _last_day(window_start, regime) + ONE_DAY
        raise RuleError(
            f"{parent} has already had {in_window} penalty notices for {child} within {regime.limit_years} years of "
            f"the first ({window_start:%-d %B %Y}), the most the national framework allows; another cannot be issued "
            f"before {next_allowed:%-d %B %Y}. Consider instead: " + "; ".join(ALTERNATIVE_ACTIONS) + ".")
    return LimitCheck(in_window + 1, window_start, _last_day(window_start, regime))


def _last_day(window_start: datetime.date, regime: Regime) -> datetime.date:
    """The last day "within N years of" a notice: the day before its Nth anniversary."""
    return add_years(window_start, regime.limit_years) - ONE_DAY


def information_deadline(offence_ended: datetime.date) -> datetime.date:
    """The last day an information may be laid for an offence that ended on ``offence_ended`` (MCA1980 s127)."""
    return add_months(offence_ended, INFORMATION_LIMIT_MONTHS)


def eso_expiry(made_on: datetime.date) -> datetime.date:
    return add_months(made_on, ESO_INITIAL_MONTHS) - ONE_DAY


def money(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.2f}"
