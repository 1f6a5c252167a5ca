"""Rules as data for duplicate pupils: which pairs count as likely duplicates, how alike two names must be, which
links to a pupil a merge leaves where they are, and how long a merge can be undone.

None of these is statutory. The premise comes from the DfE's Unique Pupil Numbers guidance (a pupil keeps one UPN
for their whole school career, and a school records a pupil's earlier UPN as the former UPN), so two records of one
child show up as the same date of birth with the same or a misspelt name, or one record's former UPN being the
other's UPN. The thresholds are the service's own (issue 21), chosen on worked examples in
tests/duplicates/test_phonetics.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from schools.duplicates.phonetics import NameMatch

#: Two spellings are "the same name" when they sound alike (equal Metaphone keys), or are at least this similar by
#: Jaro-Winkler (MARTHA / MARHTA = 0.961; SEAN / SHAUN = 0.805 is not), or differ by one edit (a typo, a swapped
#: pair of letters) in a name of at least MIN_LETTERS_FOR_ONE_EDIT letters.
JARO_WINKLER_MIN = 0.88
MAX_EDITS = 1
MIN_LETTERS_FOR_ONE_EDIT = 4

#: A block (pupils sharing a date of birth and a name key, or an address and surname) larger than this is not
#: compared pair by pair: it is a placeholder date of birth or a data-entry problem, shown as such, not as thousands
#: of candidate pairs.
MAX_BLOCK = 200

#: A merge can be undone for this many days (issue 21); after that the merged-away record's copy is kept only for
#: the audit trail.
UNDO_DAYS = 30


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    explanation: str


DOB_AND_NAME = Rule("dob_name", "Same date of birth, similar name",
                    "Both records have the same date of birth and first and last names that sound alike or are "
                    "spelt almost the same.")
FORMER_UPN = Rule("former_upn", "Former UPN",
                  "One record's former UPN is the other's UPN, or both records have the same former UPN.")
ADDRESS_AND_SURNAME = Rule("address_surname", "Same address and surname",
                           "Both records' families have the same first address line and postcode, the same surname "
                           "and a similar first name (siblings share an address and a surname; the first name tells "
                           "them apart).")
RULES = {rule.code: rule for rule in (DOB_AND_NAME, FORMER_UPN, ADDRESS_AND_SURNAME)}

#: Score (out of 100) for a former-UPN match: the UPN is an identifier, not a name, so the match is exact.
SCORE_UPN_IS_FORMER = 100
SCORE_SHARED_FORMER_UPN = 95


def same_name(match: NameMatch) -> bool:
    if match.same_sound or match.similarity >= JARO_WINKLER_MIN:
        return True
    return match.edits <= MAX_EDITS and match.shortest >= MIN_LETTERS_FOR_ONE_EDIT


# ---------------------------------------------------------------------------------------------------------------
# Merging. Every relation to schools.Pupil, in every app, is found from the model's _meta (so a model added later is
# moved too); these stay with the record they were written against (label.field: why).
NOT_MOVED: dict[str, str] = {
    "schools.AuditEvent.pupil": "The audit trail records what was done to that record; it stays with its number and "
                                "comes back with the record if the merge is undone.",
    "schools.ExportedPupil.pupil": "Part of the audit trail (downloads that named the record).",
    "schools.DuplicateDismissal.pupil_low": "A decision about those two records.",
    "schools.DuplicateDismissal.pupil_high": "A decision about those two records.",
}

#: Records that refuse a merge outright (label.field: the message).
REFUSE_IF_PRESENT: dict[str, str] = {
    "schools.AnonymisedPupil.pupil": "has been anonymised under the retention policy and cannot be merged",
}

#: Moved rows whose dependants are counted in the preview (they move with their parent row): label -> the
#: descriptions of what hangs off it.
MOVES_WITH_ENROLMENT = "Register weeks, marks, summaries and corrections move with the enrolment."
