"""Legal letters: the fixed set of placeholders a template may use, checking a template, filling it in for one
parent and rendering the PDF (WeasyPrint through schools.common.pdf).

Templates are plain text, not Django templates: an admin-edited letter must not be able to run template tags or
reach objects. A placeholder is ``{{ name }}`` with a name from PLACEHOLDERS; anything else in double braces is
refused at save, naming it. Values are escaped when the PDF is drawn.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

#: Every placeholder a template may use, with what it becomes. Documented on the template pages and in the README.
PLACEHOLDERS: dict[str, str] = {
    "today": "The date the letter is produced, e.g. 23 November 2026",
    "la_name": "The local authority's name",
    "service_name": "The service's name",
    "parent_name": "The parent or carer the letter is to",
    "parent_address": "Their address (the carer's own, else the family's)",
    "child_name": "The child's legal name",
    "child_dob": "The child's date of birth",
    "child_upn": "The child's UPN",
    "school_name": "The child's current school",
    "officer_name": "The officer sending the letter",
    "officer_job_title": "Their job title",
    "case_reference": "The case reference, e.g. CASE-000123",
    "attendance_percent": "The child's attendance this academic year to date, e.g. 84.2%",
    "unauthorised_sessions": "Unauthorised absence sessions this academic year to date",
    "notice_reference": "The penalty notice's reference",
    "notice_type": "The kind of penalty notice",
    "notice_period": "The absence the notice covers, e.g. 1 to 12 November 2026",
    "notice_amount": "What the notice costs and when, e.g. £80.00 within 21 days, £160.00 within 28 days",
    "reduced_due_date": "Last day to pay the reduced amount (first notices only)",
    "full_due_date": "Last day to pay",
    "improvement_ends_on": "End of a notice to improve's improvement period",
    "contract_review_date": "Next review of the attendance contract",
    "contract_requirements": "What the parent agreed to do under the contract",
    "hearing_date": "The next court hearing",
    "court_name": "The court",
}

PLACEHOLDER_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def placeholders_in(text: str) -> list[str]:
    return [match.strip() for match in PLACEHOLDER_RE.findall(text or "")]


def check_template(*, subject: str, body: str) -> None:
    """Refuse a template that names a placeholder we do not fill, or has stray braces, saying which and where."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = [name for name in placeholders_in(text) if name not in PLACEHOLDERS]
        if unknown:
            names = ", ".join(f"{{{{ {name} }}}}" for name in dict.fromkeys(unknown))
            errors[field] = (f"Unknown placeholder {names}. Use only the placeholders listed on this page, spelt "
                             f"exactly, e.g. {{{{ parent_name }}}}.")
            continue
        leftover = PLACEHOLDER_RE.sub("", text or "")
        if "{{" in leftover or "}}" in leftover:
            errors[field] = "A placeholder is not closed: write each one as {{ name }} with two braces either side."
    if errors:
        raise ValidationError(errors)


@dataclass
class LetterContext:
    """What a letter can be filled with. Anything not known for this letter is None."""

    values: dict[str, str | None]

    def missing_for(self, subject: str, body: str) -> list[str]:
        used = dict.fromkeys(placeholders_in(subject) + placeholders_in(body))
        return [name for name in used if not self.values.get(name)]

    def fill(self, text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: self.values.get(m.group(1).strip()) or "", text or "")


def _date(value: datetime.date | None) -> str | None:
    return f"{value:%-d %B %Y}" if value else None


def _days_after_receipt(days: int | None) -> str | None:
    if not days:
        return None
    suffix = "th" if 10 <= days % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(days % 10, "th")
    return f"the {days}{suffix} day after you receive this notice"


def build_context(*, user, pupil, carer, school=None, case=None, notice=None, nti=None, contract=None,
                  prosecution=None, hearing=None, attendance=None) -> LetterContext:
    from schools.models import LocalAuthority

    la = LocalAuthority.current()
    address = carer.address or (carer.family.address if carer.family_id else "")
    values = {
        "today": _date(timezone.localdate()),
        "la_name": la.name if la else None,
        "service_name": la.service_name if la else None,
        "parent_name": carer.full_name,
        "parent_address": address or None,
        "child_name": pupil.legal_name,
        "child_dob": _date(pupil.date_of_birth),
        "child_upn": pupil.upn,
        "school_name": school.name if school else None,
        "officer_name": user.display_name,
        "officer_job_title": user.job_title or None,
        "case_reference": case.reference if case else None,
        "attendance_percent": f"{attendance.percent}%" if attendance else None,
        "unauthorised_sessions": str(attendance.unauthorised) if attendance else None,
    }
    if notice is not None:
        values.update({
            "notice_reference": notice.reference, "notice_type": notice.get_notice_type_display(),
            "notice_period": f"{notice.period_start:%-d %B %Y} to {notice.period_end:%-d %B %Y}",
            "notice_amount": notice.amounts_label,
            "reduced_due_date": _date(notice.reduced_due_on), "full_due_date": _date(notice.full_due_on)})
        if notice.received_on is None:
            # Not yet served (it is about to be posted): the days run from receipt, which the posting decides
            # (legal.rules.received_on), so the letter states them as days after receipt.
            if notice.reduced_amount is not None and not notice.reduced_due_on:
                values["reduced_due_date"] = _days_after_receipt(notice.reduced_days)
            if not notice.full_due_on:
                values["full_due_date"] = _days_after_receipt(notice.full_days)
    if nti is not None:
        values["improvement_ends_on"] = _date(nti.improvement_ends_on)
    if contract is not None:
        values["contract_review_date"] = _date(contract.next_review_on)
        values["contract_requirements"] = contract.parent_requirements
    if hearing is not None:
        values["hearing_date"] = _date(hearing.hearing_on)
        values["court_name"] = hearing.court
    elif prosecution is not None and prosecution.court:
        values["court_name"] = prosecution.court
    return LetterContext(values)


def render_letter_html(letter, *, address: str) -> str:
    """A sent letter as its PDF lays it out: the LA's letterhead and the letter's reference, the parent's name and
    address, the date, the text, and the officer who sent it to contact (name, role, phone and email)."""
    from schools.models import LocalAuthority

    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", letter.body) if p.strip()]
    return render_to_string("legal/letter_pdf.html", {
        "subject": letter.subject, "paragraphs": paragraphs, "carer": letter.carer, "address_lines": [
            line.strip() for line in (address or "").split(",") if line.strip()], "sent_on": letter.sent_on,
        "reference": letter.reference, "officer": letter.sent_by, "la": LocalAuthority.current()})
