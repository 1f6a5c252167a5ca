"""The s437(1) notice letter, made from the order and its EHE record (HTML -> tagged PDF via schools.common.pdf).
No LetterTemplate kind fits a notice whose wording is statutory, so it is a fixed template: templates/ehe/
s437_notice_pdf.html."""

from __future__ import annotations

from django.template.loader import render_to_string

from legal.messaging.services import address_lines
from legal.models import SchoolAttendanceOrder
from schools.models import LocalAuthority


def notice_letter_html(sao: SchoolAttendanceOrder, *, officer) -> str:
    return render_to_string("ehe/s437_notice_pdf.html", {
        "sao": sao, "record": sao.home_education_record, "pupil": sao.pupil, "carer": sao.carer,
        "address_lines": address_lines(sao.carer), "officer": officer, "la": LocalAuthority.current(),
        "subject": "Notice under section 437(1) of the Education Act 1996",
    })
