"""Suspension and permanent exclusion rules as data: reason codes, statutory deadlines and the 45-day cap.

Every number here carries its source (shared/reference/statutory-rules.md §5, §6). Deadlines are counted in school days
of the excluding school's calendar through schools.school_days, never in calendar days.

Main instruments:
- Excl2012: School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012, SI 2012/1033 (regs 6, 24,
  25, 7 and 17 for academies/PRUs mirror the maintained-school regs quoted here).
- DfE, "Suspension and permanent exclusion from maintained schools, academies and pupil referral units in England,
  including pupil movement" (September 2023, technical update August/September 2024) ("Excl guidance 2023").
- Education (Provision of Full-Time Education for Excluded Pupils) (England) Regulations 2007, SI 2007/1870; s19(3A)
  Education Act 1996 ("day 6").
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

# ---------------------------------------------------------------------------------------------------------------
# Reason codes (school census; up to three per exclusion since 2020/21)


@dataclass(frozen=True)
class ReasonCode:
    code: str
    label: str
    current: bool  # may be used for a new exclusion; legacy codes only for imported history
    note: str = ""


REASON_CODE_SOURCE = ("DfE school census exclusion reason codes (Ealing Grid for Learning egfl.org.uk/node/27198; "
                      "ScholarPack); OT withdrawn from autumn 2020 (North Yorkshire; Schools Week).")

REASON_CODES: dict[str, ReasonCode] = {c.code: c for c in [
    ReasonCode("PP", "Physical assault against a pupil", True),
    ReasonCode("PA", "Physical assault against an adult", True),
    ReasonCode("VP", "Verbal abuse or threatening behaviour against a pupil", True),
    ReasonCode("VA", "Verbal abuse or threatening behaviour against an adult", True),
    ReasonCode("BU", "Bullying", True),
    ReasonCode("RA", "Racist abuse", True),
    ReasonCode("LG", "Abuse against sexual orientation and gender identity", True, "added 2020/21"),
    ReasonCode("DS", "Abuse relating to disability", True, "added 2020/21"),
    ReasonCode("SM", "Sexual misconduct", True),
    ReasonCode("DA", "Drug and alcohol related", True),
    ReasonCode("DM", "Damage to property", True),
    ReasonCode("TH", "Theft", True),
    ReasonCode("DB", "Persistent or general disruptive behaviour", True),
    ReasonCode("MT", "Inappropriate use of social media or online technology", True, "added 2020/21"),
    ReasonCode("OW", "Use or threat of use of an offensive weapon or prohibited item", True, "added 2020/21"),
    # Legacy: kept so imported history keeps its meaning; refused for exclusions recorded here.
    ReasonCode("PH", "Wilful and repeated transgression of public-health protective measures", False,
               "Covid-era code (2020/21); whether still valid in the 2024/25 census is unconfirmed"),
    ReasonCode("OT", "Other", False, "withdrawn from autumn 2020"),
]}
CURRENT_REASON_CHOICES = [(c.code, f"{c.code} – {c.label}") for c in REASON_CODES.values() if c.current]
ALL_REASON_CHOICES = [(c.code, f"{c.code} – {c.label}") for c in REASON_CODES.values()]

#: "Up to 3 reasons per suspension/exclusion since 2020/21" (census guidance; North Yorkshire; ScholarPack).
MAX_REASONS = 3

# ---------------------------------------------------------------------------------------------------------------
# Lengths and the cap

#: Two registration sessions per school day; a lunchtime exclusion counts as half a school day (Excl guidance 2023).
SESSIONS_PER_DAY = 2
LUNCHTIME_DAY_EQUIVALENT = Decimal("0.5")

#: "Up to 45 school days in a school year", including suspensions from previous schools (Excl2012 reg 4 (maintained),
#: Excl guidance 2023; EES suspensions release).
SUSPENSION_CAP_DAYS = Decimal(45)
#: A suspension running over the summer into the next school year counts in each year by its school days there (the
#: cap is "in a school year"): its days up to the year's last day in the year it starts, the rest in the next.
#: Warn as the total nears the cap (local practice, not statute: a school week's notice before the limit).
SUSPENSION_CAP_WARNING_DAYS = Decimal(40)

# ---------------------------------------------------------------------------------------------------------------
# Governing board and independent review (Excl2012 regs 6, 24, 25; Excl guidance 2023)

#: Board must consider reinstatement within 15 school days of notice: permanent exclusion; suspensions taking the total
#: over 15 school days in a term; or a missed public examination / national curriculum test (reg 24(3); Stockport).
BOARD_MEETING_SCHOOL_DAYS = 15
#: More than 15 school days in a term makes the board's review compulsory.
BOARD_TERM_TOTAL_TRIGGER = Decimal(15)
#: More than 5 (up to 15) school days in a term with parental representations: within 50 school days (reg 24(4)).
BOARD_REPRESENTATIONS_SCHOOL_DAYS = 50
BOARD_REPRESENTATIONS_TRIGGER = Decimal(5)
#: Parents apply for an independent review within 15 school days of notice of the board's decision (reg 6(3)(b)).
IRP_APPLICATION_SCHOOL_DAYS = 15
#: The panel meets within 15 school days of the application (Excl2012 Schedule 1 para 3; Haringey IRP).
IRP_MEETING_SCHOOL_DAYS = 15
#: Where the panel directs or recommends reconsideration, the board reconsiders within 10 school days (reg 25).
RECONSIDERATION_SCHOOL_DAYS = 10

# ---------------------------------------------------------------------------------------------------------------
# Education from the sixth day (s19(3A) EA1996; Education (Provision of Full-Time Education for Excluded Pupils)
# (England) Regulations 2007 regs 3-4)

#: Full-time education from the 6th school day: the LA for a permanent exclusion, the school for a suspension of
#: more than five consecutive school days.
PROVISION_FROM_SCHOOL_DAY = 6
#: A suspension longer than this many school days puts the day-6 duty on the school.
SCHOOL_PROVISION_AFTER_DAYS = 5
# Back-to-back suspensions count as one period for the day-6 duty: DfE, Suspension and permanent exclusion guidance
# (2023), "where a pupil receives consecutive suspensions, these are regarded as a cumulative period ... education
# must be arranged for the sixth school day of suspension, regardless of whether this is as a result of one
# suspension or more than one"; SI 2007/1870 reg 3. (statutory-rules.md §5 states the single-suspension rule.)
# "Consecutive" here means the next suspension from the same school starts in the very next school session, so the
# pupil is never back in school in between; a lunchtime exclusion neither joins nor breaks a run. The run's length
# in sessions goes through day6_duty_for like a single suspension's, and day 6 counts from the run's first day.
#: How far either side of a suspension to look for the rest of its run: 45 school days (the yearly cap) plus the
#: longest holiday never reaches this many calendar days.
CONSECUTIVE_SEARCH_DAYS = 200

#: Daily reminders cover deadlines due within this many school days (issue 5).
REMINDER_WINDOW_SCHOOL_DAYS = 2

# ---------------------------------------------------------------------------------------------------------------
# Part-time timetables (WT2024), Fair Access (School Admissions Code 2021), AP

#: Full-time weekly hours by key stage as used by the LGO (Bedford local offer; LBHF): a placement or timetable below
#: these is part-time.
FULL_TIME_HOURS = {"KS1": Decimal("21"), "KS2": Decimal("23.5"), "KS3": Decimal("24"), "Y10": Decimal("24"),
                   "Y11": Decimal("25")}
FTE_HOURS = Decimal(25)  # one full-time place, for "places used" on AP providers (seed 000: "up to 25 hours")

#: Part-time timetables must be time-limited with formal regular review (WT2024). How long is "long-running" and how
#: often to review are LA policy, not statute: half-termly returns are common (Nottingham, Suffolk), so a timetable
#: running longer than a half term (six school weeks) is flagged, and reviews are expected at least that often.
PART_TIME_LONG_RUNNING_SCHOOL_DAYS = 30
PART_TIME_REVIEW_INTERVAL_SCHOOL_DAYS = 30

#: Children missing education: an LA must trace a child "without delay" and close a case only after "all reasonable
#: enquiries" (Children missing education: statutory guidance for local authorities, DfE 2016, updated August 2024;
#: s436A Education Act 1996). How often an open case needs a new enquiry is LA practice, not statute: every two school
#: weeks, the interval the guidance's own 10-school-day trigger for enquiries uses, so an open case whose last enquiry
#: (or referral, with none yet) is older than that is "enquiries overdue".
CME_ENQUIRY_INTERVAL_SCHOOL_DAYS = 10

#: Fair Access: a place must be allocated within 20 school days (School Admissions Code 2021 para 3.17ff).
FAIR_ACCESS_ALLOCATION_SCHOOL_DAYS = 20
#: Days without a placement, banded as B&NES reports them (seed 004: 38+, 69+, 100+).
FAIR_ACCESS_BANDS = (100, 69, 38)


def fair_access_band(days: int | None) -> str:
    for threshold in FAIR_ACCESS_BANDS:
        if days is not None and days >= threshold:
            return f"{threshold}+"
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Lengths


def sessions_to_days(sessions: int | None) -> Decimal:
    """A session is half a school day; a lunchtime (stored as one 'session' each) is half a day too."""
    return Decimal(sessions or 0) / SESSIONS_PER_DAY


def days_needed(start_session: str, sessions: int) -> int:
    """How many school days ``sessions`` registration sessions span, starting in the morning ("am") or afternoon."""
    if sessions <= 0:
        return 0
    if start_session == "am":
        return math.ceil(sessions / 2)
    return 1 + math.ceil((sessions - 1) / 2)


def end_session_of(start_session: str, sessions: int) -> str:
    """The session ("am"/"pm") in which the last excluded session falls."""
    first = 0 if start_session == "am" else 1
    return "am" if (first + sessions - 1) % 2 == 0 else "pm"


# ---------------------------------------------------------------------------------------------------------------
# The schedule an exclusion sets


@dataclass(frozen=True)
class BoardRule:
    key: str
    school_days: int
    label: str
    source: str


BOARD_RULES = {
    "permanent": BoardRule("permanent", BOARD_MEETING_SCHOOL_DAYS, "Permanent exclusion",
                           "Excl2012 reg 24(3)(a); within 15 school days of notice"),
    "over_15": BoardRule("over_15", BOARD_MEETING_SCHOOL_DAYS, "More than 15 school days suspended this term",
                         "Excl2012 reg 24(3)(b); within 15 school days of notice"),
    "public_exam": BoardRule("public_exam", BOARD_MEETING_SCHOOL_DAYS,
                             "Pupil would miss a public examination or national curriculum test",
                             "Excl2012 reg 24(3)(c); within 15 school days, before the exam if practicable"),
    "representations": BoardRule("representations", BOARD_REPRESENTATIONS_SCHOOL_DAYS,
                                 "6 to 15 school days this term and the parents made representations",
                                 "Excl2012 reg 24(4); within 50 school days of notice"),
}


def board_rule_for(*, kind: str, term_days_total: Decimal, missed_public_exam: bool,
                   parental_representations: bool) -> BoardRule | None:
    """Which duty to consider reinstatement applies (None: the board need not meet and cannot reinstate)."""
    if kind == "permanent":
        return BOARD_RULES["permanent"]
    if term_days_total > BOARD_TERM_TOTAL_TRIGGER:
        return BOARD_RULES["over_15"]
    if missed_public_exam:
        return BOARD_RULES["public_exam"]
    if term_days_total > BOARD_REPRESENTATIONS_TRIGGER and parental_representations:
        return BOARD_RULES["representations"]
    return None


def day6_duty_for(*, kind: str, sessions: int | None) -> str:
    """Who must arrange full-time education from the 6th school day: "la", "school" or "" (no duty)."""
    if kind == "permanent":
        return "la"
    if kind == "suspension" and (sessions or 0) > SCHOOL_PROVISION_AFTER_DAYS * SESSIONS_PER_DAY:
        return "school"
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Deadlines as people see them


class Status:
    DONE = "done"
    LATE = "late"
    MISSED = "missed"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"
    WAITING = "waiting"


STATUS_LABELS = {
    Status.DONE: ("Done", "green"),
    Status.LATE: ("Done late", "orange"),
    Status.MISSED: ("Missed", "red"),
    Status.DUE_SOON: ("Due soon", "yellow"),
    Status.UPCOMING: ("Upcoming", "blue"),
    Status.WAITING: ("Not started", "grey"),
}


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    due: datetime.date | None
    done_on: datetime.date | None
    source: str
    who: str = ""
    waiting_for: str = ""

    def status(self, *, today: datetime.date, soon: datetime.date) -> str:
        if self.done_on is not None:
            return Status.LATE if self.due and self.done_on > self.due else Status.DONE
        if self.due is None:
            return Status.WAITING
        if self.due < today:
            return Status.MISSED
        if self.due <= soon:
            return Status.DUE_SOON
        return Status.UPCOMING
