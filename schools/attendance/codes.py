"""DfE attendance (register) codes as data, for both regimes, and the pure rate arithmetic built on them.

This is the one place that says what a register mark means (DESIGN.md, Attendance engine: "codes are data"). It has no
database access so importers, SQL-aggregate builders, reports and tests can all share it; the ``Category``, ``Regime``
and ``Stage`` choices are Django ``TextChoices``/``IntegerChoices`` only so model fields can reuse them.

Sources are cited in short form; the full references are in /work/shared/reference/statutory-rules.md (``ref §n``):

- Reg2024 — School Attendance (Pupil Registration) (England) Regulations 2024, SI 2024/208, reg 10 and its tables.
- WT2024 — DfE, *Working together to improve school attendance* (statutory from 19 August 2024).
- Reg2006 — Education (Pupil Registration) (England) Regulations 2006, with DfE code guidance 2013–2024 (the
  statistical meanings as carried by the Groupcall XVR chart "as described in 2013 DfE document").
- DfE dashboard — dfe-analytical-services/attendance-data-dashboard, ``R/prerun_utils.R`` (field names that show how
  DfE groups each code).
- EES — explore-education-statistics.service.gov.uk absence methodology and releases.

What is deliberately *not* a code here:

- ``-`` (``MISSING_MARK``): an MIS placeholder for "no mark recorded", not a statutory code (ref §2.1 notes). No source
  gives it a counting rule, so ``lookup("-")`` raises ``UnknownCode`` and the importer must report the gap.
- MIS-internal marks (``@``, ``!``, ``&``, SIMS multi-character codes, X sub-codes such as ``X01``): importers
  normalise these to DfE codes before calling ``lookup``; anything left over is an error, never a guess.
- Padding: ``lookup`` does not strip spaces; the importer owns its file format. Lower-case letters are accepted and
  upper-cased (``normalise``), since DfE letter codes are all upper case and the meaning is not in doubt.

``#`` *is* a code in both regimes (ref §2.1 and §2.2: planned closure, not counted in possible sessions; the DfE
dashboard field ``reason_not_attending_planned_closed``). CTF ``AttendanceMarks`` strings also use ``#`` for days not
in session (ref §7.1); the CTF decoder may skip those characters, and if it passes them here they land in
``NOT_COUNTED``, which leaves every rate unchanged either way.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType

from django.db import models

# Reg2024 and WT2024 came into force on this day; marks dated before it were taken under Reg2006 (ref §1.1, §2.1).
REGIME_CHANGE_DATE = datetime.date(2024, 8, 19)

# "-" in an export means no mark was recorded; it is an MIS placeholder, not a DfE code (ref §2.1 notes), so it is
# not in the tables and has no counting rule. Named so importers can report it as "register not taken" rather than
# as an unrecognised character.
MISSING_MARK = "-"

# National penalty-notice threshold from 19 August 2024: a PN must be *considered* (not necessarily issued) at 10
# sessions of G/N/O/U absence within a rolling 10 school weeks; a school week is any week with at least one session,
# and the window may span terms and school years (PN2024; Manchester and Southwark codes of conduct; ref §3).
PN_THRESHOLD_SESSIONS = 10
PN_THRESHOLD_WINDOW_SCHOOL_WEEKS = 10

# Persistent absence: missing 10% or more of possible sessions, so exactly 10.0% IS persistent (DfE dashboard "missed
# 10% or more of their possible sessions"; threshold since 2015/16; ref §1.4). Severe absence: 50% or more (DfE
# statistics as reported 20 March 2025; ref §1.4). Rates are fractions (0.10), not percentages.
PERSISTENT_ABSENCE_RATE = Decimal("0.10")
SEVERE_ABSENCE_RATE = Decimal("0.50")


class Category(models.TextChoices):
    """Statistical category of a code (WT2024's groupings; DESIGN.md's five categories)."""

    PRESENT = "present", "Present"
    # DfE counts approved educational activity as attendance: EES "Overall attendance = present + AEA" (ref §1.4).
    AEA = "aea", "Approved educational activity"
    AUTHORISED = "authorised", "Authorised absence"
    UNAUTHORISED = "unauthorised", "Unauthorised absence"
    # Not a possible session: the session does not count in the denominator at all.
    NOT_COUNTED = "not_counted", "Not counted (not a possible session)"


class Regime(models.TextChoices):
    PRE_2024 = "pre_2024", "codes before 19 August 2024 (Education (Pupil Registration) (England) Regulations 2006)"
    FROM_2024_08_19 = "from_2024_08_19", ("codes from 19 August 2024 "
                                          "(School Attendance (Pupil Registration) (England) Regulations 2024)")


_ATTENDANCE = frozenset({Category.PRESENT, Category.AEA})


def normalise(code: str) -> str:
    """Upper-case ASCII letters ("n" → "N", "y1" → "Y1"); DfE letter codes are all upper case. Nothing else changes.

    Registers and MIS exports sometimes lower-case codes; the meaning is not in doubt, so this is not a guess. Digits,
    "/", "\\" and "#" have no case. Non-ASCII text is left alone so it fails the lookup rather than being folded (for
    example "ß".upper() is "SS").
    """
    return code.upper() if code.isascii() else code


@dataclass(frozen=True)
class AttendanceCode:
    """One register code within one regime.

    ``counts_as_possible`` and ``counts_as_attendance`` are worked out from the category rather than typed in, so the
    tables cannot say a code is both "not counted" and "attended".
    """

    code: str
    meaning: str
    category: Category
    source: str
    # Counts toward the national penalty-notice threshold (G, N, O, U from 19 August 2024; ref §3).
    pn_threshold: bool = False
    # Arrived late: L (before the register closed, present) and U (after it closed, unauthorised absence).
    is_late: bool = False
    # The reference could not confirm the counting rule; ``note`` says what was assumed and why.
    unconfirmed: bool = False
    note: str = ""
    counts_as_possible: bool = field(init=False)
    counts_as_attendance: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts_as_possible", self.category != Category.NOT_COUNTED)
        object.__setattr__(self, "counts_as_attendance", self.category in _ATTENDANCE)
        # Guards on the tables below: they run once at import, so a bad row stops the app starting.
        if not 1 <= len(self.code) <= 2 or self.code != normalise(self.code):
            raise ValueError(f"Bad code {self.code!r}: codes are one or two characters, letters upper case.")
        if not (self.meaning and self.source):
            raise ValueError(f"Code {self.code!r} needs a meaning and a source.")
        if self.pn_threshold and self.category != Category.UNAUTHORISED:
            raise ValueError(f"Code {self.code!r}: only unauthorised absence counts toward the PN threshold.")
        if self.is_late and self.category not in (Category.PRESENT, Category.UNAUTHORISED):
            raise ValueError(f"Code {self.code!r}: a late mark is either present (L) or unauthorised (U).")
        if self.unconfirmed and not self.note:
            raise ValueError(f"Code {self.code!r} is marked unconfirmed but has no note saying what was assumed.")


# Short names keep each table row on one or two lines.
_P, _A, _AUTH, _UNAUTH, _NC = (Category.PRESENT, Category.AEA, Category.AUTHORISED, Category.UNAUTHORISED,
                               Category.NOT_COUNTED)

_R24 = "Reg2024 reg 10; WT2024"
_R24_T12 = "Reg2024 reg 10 Tables 1–2; WT2024"
_R24_T3 = "Reg2024 reg 10(3) Table 3; WT2024; Manchester PN code of conduct"
_DASH = "DfE dashboard"

_Y_NOTE = ("Ref §2.1 lists Q and Y1–Y7 as not counted, but the WT2024 paragraph on their statistical treatment was "
           "not retrieved; treated as not counted, following the DfE dashboard, which groups them with Z and # as "
           "'not attending', and the old single Y code, which was not counted (ref §2.1 note b).")

_FROM_2024 = (
    AttendanceCode("/", "Present at morning registration", _P, _R24_T12),
    AttendanceCode("\\", "Present at afternoon registration", _P, _R24_T12),
    AttendanceCode("L", "Late, arrived before the register closed", _P, _R24_T12, is_late=True),
    AttendanceCode("K", "Attending education provision arranged by the local authority (s19(1) EA1996, "
                        "ss42(2)/61(1) CFA 2014)", _A, _R24_T12),
    AttendanceCode("V", "Educational visit or trip arranged by the school, supervised by school staff", _A, _R24_T12),
    AttendanceCode("P", "Approved sporting activity", _A, _R24_T12),
    AttendanceCode("W", "Work experience", _A, _R24),
    AttendanceCode("B", "Any other approved educational activity (remote learning is not B)", _A,
                   f"{_R24}; Tes on code B"),
    AttendanceCode("D", "Dual registered: attending another school at which registered", _NC,
                   f"{_R24}; {_DASH} field reason_d_dual_registration", unconfirmed=True,
                   note="Listed under 'attending a place other than the school' in 2024 code lists, but not counted "
                        "as a possible session because attendance is counted at the other school; DfE renamed its "
                        "field from reason_d_aea_… to reason_d_dual_registration (no longer AEA). The reference gives "
                        "this medium confidence (ref §2.1 note a); MIS vendors (SIMS, Arbor) also treat D as not "
                        "counted."),
    AttendanceCode("C1", "Leave of absence: regulated performance or regulated employment abroad", _AUTH, _R24),
    AttendanceCode("M", "Leave of absence: medical or dental appointment", _AUTH, _R24),
    AttendanceCode("J1", "Leave of absence: interview for employment or admission to another educational institution",
                   _AUTH, f"{_R24}; ASCL blog August 2024",
                   note="Replaces J, which was approved educational activity (attendance) before 19 August 2024: the "
                        "same interview now counts as absence, so rates either side of the change are not comparable."),
    AttendanceCode("S", "Leave of absence: study leave (Year 11 public examinations)", _AUTH, _R24),
    AttendanceCode("X", "Non-compulsory school age pupil not required to attend", _NC, _R24,
                   note="Lists disagree whether X is leave of absence or administrative; all agree it is not counted "
                        "(ref §2.1 note c)."),
    AttendanceCode("C2", "Leave of absence: compulsory school age pupil on a temporary part-time timetable", _AUTH,
                   f"{_R24}; Essex coding FAQ"),
    AttendanceCode("C", "Leave of absence for exceptional circumstances (including agreed term-time holiday)", _AUTH,
                   _R24),
    AttendanceCode("T", "Parent travelling for occupational purposes (mobile child)", _AUTH,
                   f"{_R24}; {_DASH} field reason_t_authorised_mobile_child"),
    AttendanceCode("R", "Religious observance", _AUTH, _R24),
    AttendanceCode("I", "Illness (not medical or dental appointments)", _AUTH, _R24),
    AttendanceCode("E", "Suspended or permanently excluded, no alternative provision made", _AUTH, _R24),
    AttendanceCode("Q", "Unable to attend because of a lack of access arrangements by the local authority (e.g. "
                        "transport)", _NC, f"{_R24}; {_DASH} field reason_q_la_arrangements", unconfirmed=True,
                   note=_Y_NOTE + " For Q specifically the reference marks this INFERRED (Surprises item 6)."),
    AttendanceCode("Y1", "Unable to attend: transport normally provided not available", _NC, f"{_R24}; {_DASH}",
                   unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y2", "Unable to attend: widespread disruption to travel caused by a local, national or "
                         "international emergency", _NC, f"{_R24}; {_DASH}", unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y3", "Unable to attend: part of the school premises closed", _NC, f"{_R24}; {_DASH}",
                   unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y4", "Unable to attend: whole school site unexpectedly closed", _NC, f"{_R24}; {_DASH}",
                   unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y5", "Unable to attend: pupil in criminal justice detention", _NC, f"{_R24}; {_DASH}",
                   unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y6", "Unable to attend: in accordance with public health guidance or law", _NC, f"{_R24}; {_DASH}",
                   unconfirmed=True, note=_Y_NOTE),
    AttendanceCode("Y7", "Unable to attend: any other unavoidable cause", _NC, f"{_R24}; {_DASH}", unconfirmed=True,
                   note=_Y_NOTE),
    AttendanceCode("G", "Holiday not granted by the school (leave not granted, or days in excess of leave granted)",
                   _UNAUTH, _R24_T3, pn_threshold=True),
    AttendanceCode("N", "Reason for absence not yet established (to be replaced within 5 school days)", _UNAUTH,
                   _R24_T3, pn_threshold=True),
    AttendanceCode("O", "Absent in other or unknown circumstances", _UNAUTH, _R24_T3, pn_threshold=True),
    AttendanceCode("U", "Arrived after the register closed", _UNAUTH, _R24_T3, pn_threshold=True, is_late=True),
    AttendanceCode("Z", "Prospective pupil not on the admission register", _NC,
                   f"{_R24}; {_DASH} field reason_z_not_attending_not_on_roll"),
    AttendanceCode("#", "Planned whole or partial school closure", _NC,
                   f"{_R24}; {_DASH} field reason_not_attending_planned_closed"),
)

_R06 = "Reg2006; DfE codes 2013 (Groupcall XVR)"

# Before 19 August 2024 there was no national penalty-notice threshold: each LA's code of conduct set its own (ref §3
# history table), and Bromley describes the 2024 rules as applying to "absences taken after 19 August 2024". So no
# pre-2024 code counts toward PN_THRESHOLD_SESSIONS, even where a rolling 10-week window reaches back across the
# change date. [UNCONFIRMED: the reference does not address a window spanning 19 August 2024; this reading errs
# towards fewer penalty-notice considerations.]
_PRE_PN_NOTE = ("Unauthorised. Does not count toward the national penalty-notice threshold, which did not exist before "
                "19 August 2024 (local codes of conduct set thresholds then).")

_PRE_2024 = (
    AttendanceCode("/", "Present at morning registration", _P, _R06),
    AttendanceCode("\\", "Present at afternoon registration", _P, _R06),
    AttendanceCode("L", "Late, arrived before the registers closed", _P, _R06, is_late=True),
    AttendanceCode("B", "Educated off site (not dual registration)", _A, _R06),
    AttendanceCode("D", "Dual registered: at another educational establishment", _NC,
                   f"{_R06}; {_DASH} field reason_d_aea_dual_registration", unconfirmed=True,
                   note="CONFLICT in ref §2.2: code lists (Groupcall) file D under approved educational activity, but "
                        "DfE statistics did not count it as a possible session. Treated as not counted, which is "
                        "what matters for rates; SIMS (faq.scomis.org/kb24890) and Arbor also list D, #, X, Y, Z as "
                        "not counted."),
    AttendanceCode("J", "Interview", _A, f"{_R06}; {_DASH} field reason_j_aea_interview",
                   note="Approved educational activity until 18 August 2024; replaced by J1 (authorised absence)."),
    AttendanceCode("P", "Approved sporting activity", _A, _R06),
    AttendanceCode("V", "Educational visit or trip", _A, _R06),
    AttendanceCode("W", "Work experience", _A, _R06),
    AttendanceCode("C", "Other authorised circumstances", _AUTH, _R06),
    AttendanceCode("E", "Excluded, no alternative provision made", _AUTH, _R06),
    AttendanceCode("F", "Agreed extended family holiday", _AUTH,
                   f"{_R06}; Central Bedfordshire census note; {_DASH} field reason_f_legacy_family_holiday",
                   note="Redundant from 1 September 2013 (use H); the census aggregates F into H. Accepted for any "
                        "pre-2024 date because old registers still carry it."),
    AttendanceCode("H", "Agreed family holiday (exceptional circumstances only from September 2013)", _AUTH, _R06,
                   note="Retired on 19 August 2024; agreed leave is C from then."),
    AttendanceCode("I", "Illness", _AUTH, _R06),
    AttendanceCode("M", "Medical or dental appointment", _AUTH, _R06),
    AttendanceCode("R", "Religious observance", _AUTH, _R06),
    AttendanceCode("S", "Study leave", _AUTH, _R06),
    AttendanceCode("T", "Traveller absence", _AUTH, _R06),
    AttendanceCode("G", "Family holiday not agreed, or days in excess of the agreed holiday", _UNAUTH, _R06,
                   note=_PRE_PN_NOTE),
    AttendanceCode("N", "No reason yet provided for absence", _UNAUTH, _R06, note=_PRE_PN_NOTE),
    AttendanceCode("O", "Other unauthorised absence", _UNAUTH, _R06, note=_PRE_PN_NOTE),
    AttendanceCode("U", "Late, arrived after the registers closed", _UNAUTH, _R06, is_late=True, note=_PRE_PN_NOTE),
    AttendanceCode("X", "Untimetabled session for a non-compulsory school age pupil (2020–22 also: not attending in "
                        "circumstances relating to coronavirus)", _NC,
                   f"{_R06}; {_DASH} field reason_x_not_attending_covid_non_compulsory"),
    AttendanceCode("Y", "Enforced closure, or unable to attend due to exceptional circumstances", _NC,
                   f"{_R06}; DfE 2009 absence and attendance codes; Keystone",
                   note="Retired on 19 August 2024; replaced by Y1–Y7."),
    AttendanceCode("Z", "Pupil not on roll yet", _NC, _R06),
    AttendanceCode("#", "School closed to pupils (planned)", _NC, _R06),
)


def _table(rows: tuple[AttendanceCode, ...]) -> Mapping[str, AttendanceCode]:
    table = {row.code: row for row in rows}
    if len(table) != len(rows):
        raise ValueError("Duplicate code in an attendance code table.")
    return MappingProxyType(table)


# Read-only: the tables are shared by every importer and report, so nobody gets to patch a code at run time.
CODES: Mapping[Regime, Mapping[str, AttendanceCode]] = MappingProxyType({
    Regime.PRE_2024: _table(_PRE_2024),
    Regime.FROM_2024_08_19: _table(_FROM_2024),
})


class UnknownCode(ValueError):
    """A mark that is not a code of the regime in force on its date. Unknown codes are errors, never guesses."""

    def __init__(self, code: str, day: datetime.date, regime: Regime):
        self.code = code
        self.day = day
        self.regime = regime
        message = f"{code!r} is not an attendance code on {day.isoformat()}; regime: {regime.label}"
        if code == MISSING_MARK:
            message += "; '-' means no mark was recorded, which is a gap in the register, not a DfE code"
        else:
            for other, table in CODES.items():
                if other != regime and normalise(code) in table:
                    message += f"; {normalise(code)!r} belongs to the other regime: {other.label}"
        super().__init__(message)


def regime_for(day: datetime.date) -> Regime:
    """The code regime in force on ``day``: Reg2006 codes up to 18 August 2024, Reg2024 codes from 19 August."""
    if isinstance(day, datetime.datetime):
        # A datetime's calendar day depends on its time zone; make the caller choose rather than guess.
        raise TypeError("regime_for() takes a date, not a datetime.")
    return Regime.FROM_2024_08_19 if day >= REGIME_CHANGE_DATE else Regime.PRE_2024


def lookup(code: str, day: datetime.date) -> AttendanceCode:
    """The meaning of ``code`` as a mark dated ``day``; raises ``UnknownCode`` if that day's regime has no such code."""
    if not isinstance(code, str):
        raise TypeError(f"Attendance codes are strings, not {type(code).__name__}.")
    regime = regime_for(day)
    try:
        return CODES[regime][normalise(code)]
    except KeyError:
        raise UnknownCode(code, day, regime) from None


def code_set(regime: Regime, predicate: Callable[[AttendanceCode], bool]) -> frozenset[str]:
    """Codes of one regime matching a predicate, e.g. for SQL aggregates: ``code_set(r, lambda c: c.pn_threshold)``."""
    return frozenset(c.code for c in CODES[regime].values() if predicate(c))


# --- Rates on plain counts -------------------------------------------------------------------------------------------
# Threshold decisions compare integers exactly (count × denominator against numerator × possible), never floats or
# rounded percentages: 38 of 380 is exactly 10% and must be persistent absence.


def _check_counts(possible: int, part: int) -> None:
    if possible < 0 or part < 0:
        raise ValueError(f"Session counts cannot be negative (possible={possible}, count={part}).")
    if part > possible:
        raise ValueError(f"Cannot have {part} sessions out of {possible} possible.")


def _at_least(part: int, possible: int, rate: Decimal) -> bool:
    """part / possible >= rate, exactly. Decimal → Fraction is exact, so Decimal("0.10") is exactly 1/10."""
    ratio = Fraction(rate)
    return part * ratio.denominator >= ratio.numerator * possible


def absence_rate(possible: int, absent: int) -> Decimal | None:
    """Absent (authorised + unauthorised) ÷ possible sessions as a fraction (EES; ref §1.4); None with no sessions.

    For display and reporting; decide PA and severe absence with ``is_persistent``/``is_severe``, which are exact.
    """
    _check_counts(possible, absent)
    if possible == 0:
        return None
    return Decimal(absent) / Decimal(possible)


def attendance_rate(possible: int, attended: int) -> Decimal | None:
    """Attended (present + AEA, EES "overall attendance"; ref §1.4) ÷ possible sessions; None with no sessions."""
    _check_counts(possible, attended)
    if possible == 0:
        return None
    return Decimal(attended) / Decimal(possible)


def as_percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """``part`` of ``whole`` as a percentage rounded half up to ``places`` (the DfE's and the ONS's convention, used
    on every page, export, API answer and PDF: 8 of 128 sessions, 6.25%, is 6.3%); None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def rate_as_percent(rate: Decimal | None, places: int = 1) -> Decimal | None:
    """A rate (a fraction, as absence_rate gives it) as a percentage rounded half up, as ``as_percent``."""
    if rate is None:
        return None
    return (Decimal(rate) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def is_persistent(possible: int, absent: int) -> bool:
    """Persistent absence: absent for 10% or more of possible sessions (exactly 10% counts). False with no sessions."""
    _check_counts(possible, absent)
    return possible > 0 and _at_least(absent, possible, PERSISTENT_ABSENCE_RATE)


def is_severe(possible: int, absent: int) -> bool:
    """Severe absence: absent for 50% or more of possible sessions (exactly 50% counts). False with no sessions."""
    _check_counts(possible, absent)
    return possible > 0 and _at_least(absent, possible, SEVERE_ABSENCE_RATE)


# --- LA staged-intervention bands ------------------------------------------------------------------------------------


class Stage(models.IntegerChoices):
    PREVENTION = 1, "Stage 1: Prevention"
    EARLY_INTERVENTION = 2, "Stage 2: Early intervention"
    TARGETED_SUPPORT = 3, "Stage 3: Targeted support"


@dataclass(frozen=True)
class StageBand:
    """A stage applies when the attendance rate is at least ``min_attendance_rate`` (a fraction, 0.91 = 91%)."""

    stage: Stage
    min_attendance_rate: Decimal


# Coventry's staged model (seed 001, "School Attendance Matters", October 2023) states whole-percent bands: Stage 1
# "between 91% and 100%", Stage 2 "between 81% and 90%", Stage 3 "below 80%". Those leave gaps for real rates
# (90.5%, 80.5%, and 80% itself is in no band). Read as continuous rates, a pupil reaches a band only by actually
# attaining its lower bound, never by rounding up:
#   attendance ≥ 91%        → Stage 1 Prevention
#   81% ≤ attendance < 91%  → Stage 2 Early intervention (so 90.9% is Stage 2)
#   attendance < 81%        → Stage 3 Targeted support (so 80% and 80.5%, in the seed's gap, get the more support)
# Equivalently: truncate the percentage to a whole number, then 91–100 / 81–90 / 0–80. The LA will be able to
# configure its own bands; these are the defaults.
DEFAULT_STAGE_THRESHOLDS: tuple[StageBand, ...] = (
    StageBand(Stage.PREVENTION, Decimal("0.91")),
    StageBand(Stage.EARLY_INTERVENTION, Decimal("0.81")),
    StageBand(Stage.TARGETED_SUPPORT, Decimal("0")),
)


def suggested_stage(possible: int, attended: int,
                    thresholds: Iterable[StageBand] = DEFAULT_STAGE_THRESHOLDS) -> Stage | None:
    """The band whose lower bound the attendance rate reaches, highest bound first; None with no possible sessions.

    A suggestion for an officer, not a decision: moving a case between stages stays a human act.
    """
    _check_counts(possible, attended)
    bands = sorted(thresholds, key=lambda band: band.min_attendance_rate, reverse=True)
    if not bands or bands[-1].min_attendance_rate != 0:
        raise ValueError("Stage thresholds must include a band starting at 0 so every rate has a stage.")
    if bands[0].min_attendance_rate > 1:
        raise ValueError("Stage thresholds are fractions of possible sessions (0.91 for 91%), so at most 1.")
    if possible == 0:
        return None
    for band in bands:
        if _at_least(attended, possible, band.min_attendance_rate):
            return band.stage
    raise AssertionError("unreachable: the lowest band starts at 0")


# --- Reference summary -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Session counts for a set of marks. ``late`` overlaps ``present`` (L) and ``unauthorised`` (U)."""

    possible: int = 0
    present: int = 0
    aea: int = 0
    authorised: int = 0
    unauthorised: int = 0
    late: int = 0
    not_counted: int = 0
    # Keyed by the normalised code string; the same letter can mean different things either side of 19 August 2024.
    per_code: Counter[str] = field(default_factory=Counter)

    @property
    def attended(self) -> int:
        return self.present + self.aea

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised


_CATEGORY_FIELD = {_P: "present", _A: "aea", _AUTH: "authorised", _UNAUTH: "unauthorised", _NC: "not_counted"}


def summarise(marks: Iterable[tuple[datetime.date, str]]) -> Summary:
    """Count one (date, code) mark per session, each read in its own date's regime.

    A slow, obviously-right reference calculation: tests use it as the independent check on faster ones. It knows
    nothing of enrolments or school days; give it the marks of one enrolment for the period wanted.
    """
    counts = dict.fromkeys(_CATEGORY_FIELD.values(), 0)
    possible = late = 0
    per_code: Counter[str] = Counter()
    for day, code in marks:
        meaning = lookup(code, day)
        counts[_CATEGORY_FIELD[meaning.category]] += 1
        if meaning.counts_as_possible:
            possible += 1
        if meaning.is_late:
            late += 1
        per_code[meaning.code] += 1
    return Summary(possible=possible, late=late, per_code=per_code, **counts)
