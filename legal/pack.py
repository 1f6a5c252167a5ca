"""The prosecution pack (Norfolk "How to put a prosecution pack together"; statutory-rules.md §4.1): the chronology,
the attendance register for this and last year in herringbone form, the support offered and refused, the letters
sent, the penalty-notice history and the draft witness statement.

For LA legal use. Restricted (safeguarding, medical) chronology entries are left out unless the user may read them
and asks for them: a pack is disclosed to the defence and the court."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import ChronologyEntry
from cases.selectors import case_timeline
from interventions.models import InterventionPlan
from legal import rules, selectors
from legal.models import Contract, Letter, NoticeToImprove
from schools.attendance.codes import lookup
from schools.models import LocalAuthority
from schools.roles import Capability


def pack_context(*, user, prosecution, include_restricted: bool = False) -> dict:
    case = prosecution.pathway.case
    timeline = case_timeline(user=user, case=case)
    if not (include_restricted and user.can(Capability.READ_RESTRICTED)):
        timeline = timeline.filter(restriction="")
    registers = selectors.register_years(user=user, pupil=prosecution.pupil)
    codes = sorted({code for year in registers for week in year.weeks for code in week.sessions if code})
    today = timezone.localdate()
    key = []
    for code in codes:
        try:
            key.append((code, lookup(code, today).meaning))
        except Exception:
            key.append((code, ""))
    statement = prosecution.witness_statement or render_to_string(
        "legal/witness_statement.txt", {"p": prosecution, "pupil": prosecution.pupil})
    witness = prosecution.officer or user
    authority = LocalAuthority.current()
    return {
        "p": prosecution, "case": case, "pupil": prosecution.pupil, "carer": prosecution.carer,
        "generated": timezone.localtime(), "user": user, "include_restricted": include_restricted,
        "timeline": list(timeline), "registers": registers, "code_key": key,
        "plans": list(InterventionPlan.objects.filter(case=case).select_related("intervention", "owner")
                      .order_by("start_date")),
        "contracts": list(Contract.objects.filter(pupil=prosecution.pupil).select_related("carer")),
        "ntis": list(NoticeToImprove.objects.filter(pupil=prosecution.pupil).select_related("carer")),
        "gate": prosecution.pathway.evidence,
        "pathway": prosecution.pathway,
        "letters": letters_sent(case=case, pupil=prosecution.pupil),
        "notices": list(selectors.notice_list(user=user).filter(pupil=prosecution.pupil).order_by("issued_on")),
        "hearings": list(prosecution.hearings.all()),
        "statement_paragraphs": statement_paragraphs(statement),
        "witness": witness, "la_name": authority.name if authority else "",
        "declaration": rules.S9_DECLARATION.format(pages="the pages of this statement"),
        "declaration_source": rules.S9_SOURCE,
        "restricted_left_out": ChronologyEntry.objects.filter(case=case).exclude(restriction="").count()
        if not include_restricted else 0,
    }


def statement_paragraphs(statement: str) -> list[str]:
    """The officer's own text, without a s9 declaration they typed themselves (the pack prints the declaration once,
    in its statutory words, above the text)."""
    declaration_start = "this statement (consisting of"
    older_start = "this statement, consisting of"
    return [p.strip() for p in statement.split("\n\n")
            if p.strip() and not p.strip().lower().startswith((declaration_start, older_start))]


def letters_sent(*, case, pupil) -> list[dict]:
    """Every letter the pack can show as sent, oldest first: those the service made for the pupil and those an
    officer recorded in the case's chronology, the same two sources the support checklist reads (so "letters sent"
    and the checklist's letter evidence agree)."""
    made = [{"sent_on": letter.sent_on, "subject": letter.subject, "to": letter.carer.full_name,
             "by": letter.sent_by.display_name, "source": "Made by the service"}
            for letter in Letter.objects.filter(pupil=pupil).select_related("carer", "sent_by")]
    recorded = [{"sent_on": entry.occurred_on, "subject": entry.summary, "to": "", "by": entry.created_by.display_name,
                 "source": "Recorded in the chronology"}
                for entry in ChronologyEntry.objects.filter(case=case, entry_type="letter", restriction="")
                .select_related("created_by")]
    return sorted(made + recorded, key=lambda row: row["sent_on"])
