"""Compulsory school age, from a date of birth: the rule every s444 step (penalty notices, notices to improve,
warning letters, prosecutions) and the s437 and s36 orders depend on. Attendance casework is open to every age.

Sources (rules as data; shared/reference/statutory-rules.md §4):
- Education Act 1996 s8(2): a child begins to be of compulsory school age on their fifth birthday if it is a
  prescribed day, otherwise at the beginning of the prescribed day next following it. The prescribed days are
  31 August, 31 December and 31 March (Education (Start of Compulsory School Age) Order 1998, SI 1998/1607).
- Education Act 1996 s8(3)-(4): they cease to be of compulsory school age at the end of the school leaving date of
  the school year (1 September to 31 August) in which they turn 16: the last Friday in June (Education (School
  Leaving Date) Order 1997, SI 1997/1970). A child whose 16th birthday falls in July or August leaves on the last
  Friday of that June, before the birthday.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

#: (month, day) of the prescribed days, in calendar order (SI 1998/1607).
PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))
#: Compulsory school age starts at this age and runs to the leaving date of the school year this age is reached in.
STARTING_AGE = 5
LEAVING_AGE = 16
#: The school year starts on 1 September (EA1996 s579(1)); the leaving date is the last Friday in June of its summer.
SCHOOL_YEAR_STARTS = (9, 1)
LEAVING_MONTH = 6


def _birthday(date_of_birth: datetime.date, age: int) -> datetime.date:
    """The day a child reaches ``age``; someone born on 29 February reaches it on 1 March in other years (the law's
    reading of a leap-day birthday, Family Law Reform Act 1969 s9)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return datetime.date(date_of_birth.year + age, 3, 1)


def _last_friday_of_june(year: int) -> datetime.date:
    last = datetime.date(year, LEAVING_MONTH, calendar.monthrange(year, LEAVING_MONTH)[1])
    return last - datetime.timedelta(days=(last.weekday() - calendar.FRIDAY) % 7)


@dataclass(frozen=True)
class SchoolAge:
    """The first and the last day a child is of compulsory school age."""

    starts: datetime.date
    ends: datetime.date

    def covers(self, day: datetime.date) -> bool:
        return self.starts <= day <= self.ends

    def describe(self, on: datetime.date) -> str:
        """In words, as the pupil's record shows it on ``on``."""
        if on < self.starts:
            return f"Not yet of compulsory school age: from {self.starts:%-d %B %Y}"
        if on > self.ends:
            return f"Past compulsory school age: it ended on {self.ends:%-d %B %Y}"
        return f"Of compulsory school age until {self.ends:%-d %B %Y}"


def compulsory_school_age(date_of_birth: datetime.date) -> SchoolAge:
    fifth = _birthday(date_of_birth, STARTING_AGE)
    starts = min(datetime.date(fifth.year, month, day) for month, day in PRESCRIBED_DAYS
                 if datetime.date(fifth.year, month, day) >= fifth)  # 31 December is always on or after it
    sixteenth = _birthday(date_of_birth, LEAVING_AGE)
    school_year_ends_in = sixteenth.year + (1 if (sixteenth.month, sixteenth.day) >= SCHOOL_YEAR_STARTS else 0)
    return SchoolAge(starts, _last_friday_of_june(school_year_ends_in))


def outside_school_age(date_of_birth: datetime.date | None, first: datetime.date,
                       last: datetime.date | None = None) -> str | None:
    """Why a legal step for these dates cannot be taken (the child was not of compulsory school age on one of them),
    or None. ``last`` defaults to ``first`` (a step on one day, such as a letter)."""
    if date_of_birth is None:
        return None
    last = last or first
    age = compulsory_school_age(date_of_birth)
    if age.covers(first) and age.covers(last):
        return None
    span = f"on {first:%-d %B %Y}" if last == first else f"for every day from {first:%-d %B %Y} to {last:%-d %B %Y}"
    return (f"This applies only to a child of compulsory school age {span}; this child is of compulsory school age "
            f"from {age.starts:%-d %B %Y} to {age.ends:%-d %B %Y} (Education Act 1996 s8). Attendance casework can "
            f"continue without it.")
