"""Roll notifications: what a school must tell the LA when it adds a pupil to, or deletes one from, its admission
register, and what the LA does next. Rules as data, each with its source.

Source: the School Attendance (Pupil Registration) (England) Regulations 2024, SI 2024/208 ("Reg2024"):
- reg 13(1): a "new pupil return" by the end of the fifth day after the day the pupil's name is entered in the
  admission register, giving everything entered about the pupil; reg 13(2)-(3): not needed for a pupil placed in the
  school's most junior class whose starting day is the first day of the school year (a standard transition point),
  unless the LA asks for those too. The five days are counted here in school days on the school's own calendar
  (schools.school_days), as WT2024 and the CME statutory guidance (August 2024) put it ("within five school days").
- reg 13(4)-(6): a "deletion return" when a pupil's name is to be deleted on any reg 9 ground, made as soon as the
  ground is met and no later than the deletion, with the pupil's name and address, the parents they live with and a
  phone number, and (reg 8(3)) the new address and the new school where known; not needed when the pupil leaves at
  the end of the final year of the school (the most senior class), unless the LA asks.
- reg 9(1)(a)-(o): the only grounds on which a pupil of compulsory school age is deleted (shared/reference/
  statutory-rules.md §6; DfE "Working together to improve school attendance" 2024, chapter 7).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

REGULATIONS = "School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208)"

#: Reg2024 reg 13(1): the new pupil return is due by the end of the fifth (school) day after the name is entered.
ADMISSION_NOTICE_SCHOOL_DAYS = 5
ADMISSION_NOTICE_SOURCE = "Reg2024 reg 13(1): within 5 school days of adding the pupil to the admission register"
#: Reg2024 reg 13(4): the deletion return comes no later than the deletion itself.
DELETION_NOTICE_SOURCE = "Reg2024 reg 13(4): as soon as the ground is met, and no later than the deletion"


class Step:
    """What the LA does with a deletion notice (the triage queue's one-click next step)."""

    CME = "cme"  # destination unknown: a children-missing-education enquiry (s436A EA1996)
    EHE = "ehe"  # the parent has chosen home education: the EHE register
    EXCLUSION = "exclusion"  # permanent exclusion: the exclusion record
    MOVE = "move"  # moved to another school: confirmed against that school's admission notice, then nothing further
    RECORD = "record"  # nothing further for the LA to do (the pupil died, is detained, or is past school age)
    DESTINATION = "destination"  # depends on whether a new school is known: MOVE if so, else CME

    LABELS = {
        CME: "Children missing education enquiry",
        EHE: "Elective home education register",
        EXCLUSION: "Permanent exclusion record",
        MOVE: "Moved to another school",
        RECORD: "No further action",
    }
    CHOICES = list(LABELS.items())


@dataclass(frozen=True)
class Ground:
    code: str  # the sub-paragraph letter of reg 9(1)
    label: str
    step: str

    @property
    def regulation(self) -> str:
        return f"reg 9(1)({self.code})"

    @property
    def display(self) -> str:
        return f"{self.regulation}: {self.label}"


#: Reg2024 reg 9(1): the grounds for deleting a pupil of compulsory school age, in the regulation's order, each with
#: the step the LA takes when it is notified (summaries in our words; the regulation has the conditions in full).
GROUNDS: dict[str, Ground] = {g.code: g for g in [
    Ground("a", "Registered at another school (not dual registration)", Step.MOVE),
    Ground("b", "Completed nursery education at the school and not expected to continue there", Step.DESTINATION),
    Ground("c", "Also registered at another school, which has agreed the deletion", Step.MOVE),
    Ground("d", "School attendance order amended by the LA to name another school", Step.MOVE),
    Ground("e", "School attendance order revoked: suitable education otherwise than at school arranged", Step.EHE),
    Ground("f", "Parent has told the school in writing the pupil will be educated otherwise than at school", Step.EHE),
    Ground("g", "No longer lives within a reasonable distance of the school (not a boarder)", Step.DESTINATION),
    Ground("h", "Not returned within 10 school days after a leave of absence, whereabouts unknown after enquiries",
           Step.CME),
    Ground("i", "Continuously absent for 20 school days, whereabouts unknown after the school's and LA's enquiries",
           Step.CME),
    Ground("j", "Detained under a sentence of detention and not expected to return", Step.RECORD),
    Ground("k", "Has died", Step.RECORD),
    Ground("l", "Will cease to be of compulsory school age and is not continuing into the sixth form", Step.RECORD),
    Ground("m", "Boarder at a maintained school or academy whose boarding fees have not been paid", Step.DESTINATION),
    Ground("n", "Ceased to be a pupil of an independent or non-maintained special school", Step.DESTINATION),
    Ground("o", "Permanently excluded", Step.EXCLUSION),
]}
GROUND_CHOICES = [(g.code, g.display) for g in GROUNDS.values()]


def next_step(ground_code: str, *, destination_known: bool) -> str:
    """The step a deletion notice leads to: reg 9(1)(f) -> EHE; (i) -> CME; (g) -> MOVE when the new school is known,
    else CME."""
    step = GROUNDS[ground_code].step
    if step == Step.DESTINATION:
        return Step.MOVE if destination_known else Step.CME
    return step


def cme_reason(ground_code: str) -> str:
    """The CME register's reason (schools.models.CMERecord.Reason) for a notice that leads there."""
    return "deletion_20" if ground_code == "i" else "no_destination"


#: Reg2024 reg 13(2): joining the most junior class on the first day of the school year is a standard transition,
#: needing no new pupil return. The most junior NC year by phase (nursery classes aside).
YOUNGEST_YEAR = {"nursery": -2, "primary": 0, "middle": 5, "secondary": 7, "all_through": 0}
#: Reg2024 reg 13(5): leaving from the most senior class at the end of the school year needs no deletion return.
#: The most senior NC year by phase (a school with a sixth form: pupils past 11 leave at 13 or later).
OLDEST_YEAR = {"nursery": 0, "primary": 6, "middle": 8, "secondary": 11, "all_through": 11}
#: Leaving "at or after the end of the last term of the school year": we count an enrolment ended in July or August.
SCHOOL_YEAR_END_MONTHS = (7, 8)
#: A starting day within the first two weeks of September counts as the start of the school year.
SCHOOL_YEAR_START_WINDOW = (datetime.date(2000, 9, 1), datetime.date(2000, 9, 14))


def is_standard_leaving(*, phase: str, nc_year: int, left_on: datetime.date) -> bool:
    """No deletion return is needed (reg 13(5)): a Year 6 leaving a primary school on 22 July 2026 -> True; a Year 4
    leaving on 22 July -> False; a Year 6 leaving on 3 March -> False."""
    oldest = OLDEST_YEAR.get(phase)
    return oldest is not None and nc_year >= oldest and left_on.month in SCHOOL_YEAR_END_MONTHS


def is_standard_joining(*, phase: str, nc_year: int, started_on: datetime.date) -> bool:
    """No new pupil return is needed (reg 13(2)): Reception joining a primary on 3 September -> True; Year 3 joining
    on 3 September -> False; Reception joining on 5 January -> False."""
    youngest = YOUNGEST_YEAR.get(phase)
    first, last = SCHOOL_YEAR_START_WINDOW
    in_window = (first.month, first.day) <= (started_on.month, started_on.day) <= (last.month, last.day)
    return youngest is not None and nc_year <= youngest and in_window
