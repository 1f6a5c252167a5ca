"""The informal enquiry letter (EHE guidance 2019 §6.13) as a tagged PDF through schools.common.pdf. The s437(1)
notice letter is made in legal.ehe, which serves the notice."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string

from schools.ehe import rules
from schools.models import Carer, HomeEducationRecord, LocalAuthority


def addressee(record: HomeEducationRecord) -> Carer | None:
    """The parent letters go to: the main contact with parental responsibility who may be contacted."""
    family = record.pupil.family
    if family is None:
        return None
    carers = family.carers.filter(do_not_contact=False).order_by("-is_main_contact", "-parental_responsibility",
                                                                 "full_name")
    return carers.first()


def address_lines(carer: Carer | None) -> list[str]:
    if carer is None:
        return []
    text = carer.address or (carer.family.address if carer.family_id else "")
    return [line.strip() for line in text.split(",") if line.strip()]


def enquiry_letter_html(record: HomeEducationRecord, *, officer, today: datetime.date) -> str:
    carer = addressee(record)
    return render_to_string("ehe/enquiry_letter_pdf.html", {
        "record": record, "carer": carer, "address_lines": address_lines(carer), "officer": officer,
        "la": LocalAuthority.current(), "sent_on": record.enquiry_sent_on or today,
        "due": record.enquiry_response_due or rules.enquiry_response_due(today),
        "days": rules.INFORMAL_ENQUIRY_RESPONSE_DAYS, "subject": "Your child's education at home",
    })
