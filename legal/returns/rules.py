"""The DfE's annual parental responsibility measures return, as data: its year, its fields (names, labels, what each
counts) and the payment periods it splits paid notices by. legal.returns.selectors turns each field into SQL.

Source of the return and its measures: Department for Education, *Parental responsibility measures* (Explore
Education Statistics, annual by academic year, LA level:
https://explore-education-statistics.service.gov.uk/find-statistics/parental-responsibility-measures), cited in
shared/reference/statutory-rules.md §3. Neither that reference nor shared/seeds/ gives the collection's column names,
and the DfE's data collection guide was not available here: the field names below follow the EES open-data
conventions (snake_case measures beside ``time_period`` / ``time_identifier`` / ``geographic_level`` / ``la_name`` /
``old_la_code``) and the measures the publication reports. [UNCONFIRMED] Check each name against the year's DfE
collection guide before submitting, and change it here only (``name``): the page, the CSV and the reconciliation links
all read this table.

Which year a record belongs to (stated on the page and in the CSV):
- a penalty notice: the day it was **issued** (``issued_on``), whatever happened to it later, so a notice issued on
  31 August 2025 is in 2024/25 even if it was paid, withdrawn or prosecuted in 2025/26, and its outcome is the one
  on record on the day the return is made;
- a contract: the day it was agreed (``agreed_on``); an offer letter: the day it was sent;
- a parenting order or education supervision order: the day the court made it (``made_on``); an ESO application:
  the day it was applied for;
- attendance case management: the day the LA opened the case (``opened_on``).

Paid notices are split by the day of payment counted from the notice's deemed receipt (day 0; legal.rules): paid
on day 21 is "within 21 days", day 22 to 28 "within 22-28 days" (PN2007 reg 5 as amended by PN2024: the reduced
amount within 21 days, the full amount within 28). A notice paid later than day 28 (history imported from an earlier
system, or a 2004-2013 notice with a 42-day period) is counted apart, so the outcomes always add up to the notices
issued. Where no receipt date is recorded, the issue date stands in for it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from legal.rules import NoticeType

#: The school (academic) year runs 1 September to 31 August (Education Act 1996 s579 "school year").
YEAR_START_MONTH, YEAR_START_DAY = 9, 1

#: PN2007 reg 5 as amended by PN2024: reduced amount if paid within 21 days of receipt, full amount within 28.
PAID_REDUCED_DAYS = 21
PAID_FULL_DAYS = 28

#: The penalty-notice reason each notice type is reported under. A notice type not listed here is reported as
#: "other" (pn_issued_other), so a type added later is never silently dropped from the total.
REASON_FIELDS: dict[str, str] = {
    NoticeType.TERM_TIME_LEAVE: "pn_issued_unauthorised_holiday",
    NoticeType.NON_ATTENDANCE: "pn_issued_irregular_attendance",
    NoticeType.EXCLUDED_PUBLIC_PLACE: "pn_issued_excluded_pupil_public_place",
}
OTHER_REASON_FIELD = "pn_issued_other"


@dataclass(frozen=True)
class ReturnField:
    name: str  # the column name in the CSV (DfE field name)
    label: str  # what the page calls it
    group: str  # the page's section
    counts: str  # what is counted, in words (shown on the reconciliation page)


PENALTY_NOTICES = "Penalty notices"
BY_REASON = "Penalty notices issued, by reason"
CONTRACTS = "Parenting contracts"
ORDERS = "Orders and case management"

FIELDS: tuple[ReturnField, ...] = (
    ReturnField("pn_issued", "Penalty notices issued", PENALTY_NOTICES,
                "Every penalty notice issued in the year, whatever its outcome."),
    ReturnField("pn_paid_within_21_days", "Paid within 21 days", PENALTY_NOTICES,
                "Notices issued in the year and paid on or before day 21 after deemed receipt."),
    ReturnField("pn_paid_within_22_28_days", "Paid within 22 to 28 days", PENALTY_NOTICES,
                "Notices issued in the year and paid on day 22 to day 28 after deemed receipt."),
    ReturnField("pn_paid_after_28_days", "Paid after 28 days (local: earlier regimes and imported history)",
                PENALTY_NOTICES, "Notices issued in the year and paid after day 28 after deemed receipt."),
    ReturnField("pn_withdrawn", "Withdrawn", PENALTY_NOTICES, "Notices issued in the year and since withdrawn."),
    ReturnField("pn_prosecuted_non_payment", "Not paid: parent prosecuted", PENALTY_NOTICES,
                "Notices issued in the year, not paid or withdrawn, with a prosecution for which the information "
                "has been laid."),
    ReturnField("pn_unresolved", "Not paid: unresolved", PENALTY_NOTICES,
                "Notices issued in the year, not paid, withdrawn or prosecuted yet (payment period running, "
                "unpaid, or referred but no information laid)."),
    *(ReturnField(field, f"Issued: {dict(NoticeType.choices)[kind].lower()}", BY_REASON,
                  f"Notices issued in the year of the kind “{dict(NoticeType.choices)[kind]}”.")
      for kind, field in REASON_FIELDS.items()),
    ReturnField(OTHER_REASON_FIELD, "Issued: any other reason", BY_REASON,
                "Notices issued in the year of a kind not listed above."),
    ReturnField("parenting_contracts_offered", "Parenting contracts offered", CONTRACTS,
                "Attendance or parenting contracts agreed in the year, plus parents sent an attendance-contract "
                "letter in the year who had not agreed one in the year (WT2024 calls parenting contracts for "
                "attendance “attendance contracts”; both count)."),
    ReturnField("parenting_contracts_accepted", "Parenting contracts accepted", CONTRACTS,
                "Attendance or parenting contracts agreed with the parent in the year."),
    ReturnField("parenting_orders", "Parenting orders made", ORDERS,
                "Parenting orders made by a court in the year (on application or on conviction)."),
    ReturnField("eso_applications", "Education supervision orders applied for", ORDERS,
                "Education supervision orders the LA applied for in the year."),
    ReturnField("education_supervision_orders", "Education supervision orders made", ORDERS,
                "Education supervision orders made by a court in the year."),
    ReturnField("attendance_case_management", "Attendance case management: cases opened", ORDERS,
                "Attendance cases (attendance, or attendance and behaviour) the LA opened in the year."),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
#: The outcomes of the notices issued in a year: exclusive, so they add up to pn_issued (the page checks it).
OUTCOME_FIELDS = ("pn_paid_within_21_days", "pn_paid_within_22_28_days", "pn_paid_after_28_days", "pn_withdrawn",
                  "pn_prosecuted_non_payment", "pn_unresolved")
BY_NAME = {f.name: f for f in FIELDS}

#: The identifying columns before the measures, in the EES open-data layout.
ID_COLUMNS = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name", "old_la_code",
              "la_name")
COUNTRY_CODE, COUNTRY_NAME = "E92000001", "England"
TIME_IDENTIFIER, GEOGRAPHIC_LEVEL = "Academic year", "Local authority"


@dataclass(frozen=True)
class AcademicYear:
    start_year: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.start_year, YEAR_START_MONTH, YEAR_START_DAY)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.start_year + 1, YEAR_START_MONTH, YEAR_START_DAY) - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        """2025/26"""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def slug(self) -> str:
        """2025-26, as it appears in URLs and file names."""
        return self.label.replace("/", "-")

    @property
    def time_period(self) -> str:
        """202526, the EES ``time_period`` of an academic year."""
        return f"{self.start_year}{(self.start_year + 1) % 100:02d}"


def year_containing(day: datetime.date) -> AcademicYear:
    return AcademicYear(day.year if (day.month, day.day) >= (YEAR_START_MONTH, YEAR_START_DAY) else day.year - 1)


_SLUG = re.compile(r"^(\d{4})-(\d{2})$")


def parse_year(text: str | None) -> AcademicYear | None:
    """"2025-26" (or "2025/26") -> the year; None for anything else (a wrong pair like 2025-27 included)."""
    match = _SLUG.match((text or "").strip().replace("/", "-"))
    if not match:
        return None
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)) or not 2004 <= start <= 2100:
        return None
    return AcademicYear(start)
