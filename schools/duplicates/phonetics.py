"""How names are compared: a phonetic key (Metaphone) stored on each pupil for blocking and the "sounds like" search,
and a similarity (Jaro-Winkler, Damerau-Levenshtein) for pairs within a block. Pure functions over text, so the
Pupil model, the data migration and the duplicate rules share one definition. The thresholds are in
schools.duplicates.rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import jellyfish

#: The stored key's length (Pupil.first_name_key / last_name_key). Metaphone keys of real names are far shorter.
KEY_LENGTH = 16


_NOT_LETTERS = re.compile("[^A-Z]")


def plain_letters(name: str) -> str:
    """The name's letters only, upper case, accents folded: "Zoë O'Neil-Smith" -> "ZOEONEILSMITH"."""
    name = name or ""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_LETTERS.sub("", name.upper())


def name_key(name: str) -> str:
    """The Metaphone key of a name ("" for a name with no letters): Catherine and Katherine are both K0RN, Jon and
    John both JN, Smith and Smyth both SM0."""
    letters = plain_letters(name)
    return jellyfish.metaphone(letters)[:KEY_LENGTH].upper() if letters else ""


class Spelling(NamedTuple):
    """A name as written, its letters and its key: worked out once per record, not once per comparison."""

    text: str
    letters: str
    key: str


def spelling(name: str) -> Spelling:
    letters = plain_letters(name)
    return Spelling(name, letters, jellyfish.metaphone(letters)[:KEY_LENGTH].upper() if letters else "")


@dataclass(frozen=True)
class NameMatch:
    left: str
    right: str
    similarity: float  # Jaro-Winkler, 0 to 1
    edits: int  # Damerau-Levenshtein distance
    same_sound: bool  # equal Metaphone keys
    shortest: int = 0  # letters in the shorter name

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def identical(self) -> bool:
        return self.edits == 0 and self.shortest > 0


def compare_spellings(a: Spelling, b: Spelling) -> NameMatch:
    if not a.letters or not b.letters:
        return NameMatch(a.text, b.text, 0.0, max(len(a.letters), len(b.letters)), False, 0)
    return NameMatch(a.text, b.text, jellyfish.jaro_winkler_similarity(a.letters, b.letters),
                     jellyfish.damerau_levenshtein_distance(a.letters, b.letters), a.key == b.key,
                     min(len(a.letters), len(b.letters)))


def compare(left: str, right: str) -> NameMatch:
    return compare_spellings(spelling(left), spelling(right))


def best(lefts: list[Spelling], rights: list[Spelling]) -> NameMatch:
    """The closest pair among two records' spellings of a name (legal and preferred)."""
    pairs = [compare_spellings(a, b) for a in lefts if a.letters for b in rights if b.letters]
    return max(pairs, key=lambda m: (m.same_sound, m.similarity, -m.edits)) if pairs else compare("", "")


def surely_different(lefts: list[Spelling], rights: list[Spelling], *, min_similarity: float, max_edits: int) -> bool:
    """True when no spelling on one side could pass as the other by any of the tests of "the same name" (equal keys,
    Jaro-Winkler at least ``min_similarity``, at most ``max_edits`` edits): a quick first look that makes no
    objects, for the many pairs a scan rules out."""
    for a in lefts:
        for b in rights:
            if not a.letters or not b.letters:
                continue
            if a.key == b.key or jellyfish.jaro_winkler_similarity(a.letters, b.letters) >= min_similarity:
                return False
            if abs(len(a.letters) - len(b.letters)) <= max_edits and jellyfish.damerau_levenshtein_distance(
                    a.letters, b.letters) <= max_edits:
                return False
    return True
