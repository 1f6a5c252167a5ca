"""Reads for duplicate pupils: likely pairs (blocked in SQL, compared in Python within each block), a merge's preview
(every row that would move, found from the models' _meta, and every conflict), and merge records. Everything starts
from ``visible_to(user)``; duplicate review is LA work, so a school user gets nothing."""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Replace, Upper
from django.shortcuts import get_object_or_404
from django.utils import timezone

from schools.duplicates import rules
from schools.duplicates.phonetics import Spelling, best, plain_letters, spelling, surely_different
from schools.models import AnonymisedPupil, AttendanceWeek, DuplicateDismissal, Enrolment, Pupil, PupilMerge
from schools.scoping import is_la_user

# The columns a comparison reads (no per-row subqueries: a scan may read tens of thousands of rows).
_FIELDS = ("pk", "upn", "former_upn", "legal_first_name", "legal_last_name", "preferred_first_name",
           "preferred_last_name", "date_of_birth", "first_name_key", "last_name_key", "family_id")


@dataclass(frozen=True)
class Match:
    rule: rules.Rule
    score: int  # 0 to 100
    detail: str


@dataclass
class Candidate:
    low: int  # record numbers, lower first
    high: int
    matches: list[Match]
    dismissed: bool = False
    a: dict = field(default_factory=dict)  # the two records' compared columns (lower record number first)
    b: dict = field(default_factory=dict)
    pupils: tuple = ()  # (low, high) Pupil objects with their current school, filled for the rows shown

    @property
    def score(self) -> int:
        return max(m.score for m in self.matches)

    @property
    def rule_codes(self) -> set[str]:
        return {m.rule.code for m in self.matches}


def _base(user):
    """Pupils the user may see that can still be merged (an anonymised record is not a candidate)."""
    if not is_la_user(user):
        return Pupil.objects.none()
    return Pupil.objects.visible_to(user).exclude(Exists(AnonymisedPupil.objects.filter(pupil=OuterRef("pk"))))


def _with_address(qs):
    return qs.annotate(
        postcode_key=Upper(Replace(Replace(F("family__postcode"), Value(" "), Value("")), Value("-"), Value(""))),
        address_line=F("family__address_line_1"),
    )


def _rows(qs) -> list[dict]:
    """The compared columns of each pupil, with their names' spellings and address worked out once per pupil."""
    return [prepare(row) for row in _with_address(qs).order_by().values(*_FIELDS, "postcode_key", "address_line")]


def prepare(row: dict) -> dict:
    # The legal names' keys are stored on the pupil (Pupil.save); only preferred names are keyed here.
    row["firsts"] = [Spelling(row["legal_first_name"], plain_letters(row["legal_first_name"]), row["first_name_key"])]
    row["lasts"] = [Spelling(row["legal_last_name"], plain_letters(row["legal_last_name"]), row["last_name_key"])]
    if row["preferred_first_name"]:
        row["firsts"].append(spelling(row["preferred_first_name"]))
    if row["preferred_last_name"]:
        row["lasts"].append(spelling(row["preferred_last_name"]))
    row["surname_letters"] = row["lasts"][0].letters
    row["address"] = _address(row["address_line"])
    return row


def _name_detail(label: str, match) -> str:
    if match.identical:
        return f"{label} {match.left} the same"
    how = "sound alike" if match.same_sound else f"{match.percent}% alike"
    return f"{label} {match.left} / {match.right} {how} ({match.edits} letter{'s' if match.edits != 1 else ''} apart)"


_NOT_ADDRESS = re.compile("[^A-Z0-9]")


def _address(line) -> str:
    """An address line's letters and digits, upper case: "12 High St." and "12, HIGH ST" are one line."""
    return _NOT_ADDRESS.sub("", line.upper()) if line else ""


def compare(a: dict, b: dict) -> list[Match]:
    """Every rule two pupils meet, with its score and why (worked examples: tests/duplicates/test_rules.py). The
    cheap tests come first, and names are compared only for a pair that could still match (a scan meets tens of
    thousands of pairs sharing a common first name and a birthday)."""
    found = []
    same_dob = a["date_of_birth"] == b["date_of_birth"]
    same_home = bool(a["postcode_key"] and a["postcode_key"] == b["postcode_key"] and a["address"] == b["address"]
                     and a["surname_letters"] == b["surname_letters"])
    if same_dob and not same_home and surely_different(
            a["lasts"], b["lasts"], min_similarity=rules.JARO_WINKLER_MIN, max_edits=rules.MAX_EDITS):
        same_dob = False  # the usual case in a block of one birthday and one common first name: no name check
    if same_dob or same_home:
        first = best(a["firsts"], b["firsts"])
        first_ok = rules.same_name(first)
        if same_dob and first_ok:
            last = best(a["lasts"], b["lasts"])
            if rules.same_name(last):
                found.append(Match(rules.DOB_AND_NAME, round((first.similarity + last.similarity) * 50),
                                   f"Both born {a['date_of_birth']:%-d %B %Y}; {_name_detail('first names', first)}; "
                                   f"{_name_detail('surnames', last)}."))
        if same_home and first_ok:
            found.append(Match(rules.ADDRESS_AND_SURNAME, round((first.similarity + 1) * 50),
                               f"Same address ({a['address_line'] or 'no first line'}, postcode {a['postcode_key']}) "
                               f"and surname {a['legal_last_name']}; {_name_detail('first names', first)}."))
    a_former, b_former = a["former_upn"], b["former_upn"]
    if a_former and a_former == b["upn"] or b_former and b_former == a["upn"]:
        upn = a_former if a_former == b["upn"] else b_former
        found.insert(0, Match(rules.FORMER_UPN, rules.SCORE_UPN_IS_FORMER,
                              f"One record's former UPN is the other's UPN ({upn})."))
    elif a_former and a_former == b_former:
        found.insert(0, Match(rules.FORMER_UPN, rules.SCORE_SHARED_FORMER_UPN,
                              f"Both records have the former UPN {a_former}."))
    return found


@dataclass
class Scan:
    candidates: list[Candidate]
    oversized_blocks: list[str] = field(default_factory=list)  # blocks too large to compare, described
    checked_at: datetime.datetime | None = None


def _pairs_in_blocks(rows: list[dict], key, oversized: list[str], describe) -> set[tuple[int, int]]:
    blocks: dict = defaultdict(list)
    for row in rows:
        k = key(row)
        if k:
            blocks[k].append(row["pk"])
    pairs = set()
    for k, members in blocks.items():
        if len(members) > rules.MAX_BLOCK:
            oversized.append(f"{len(members)} records share {describe(k)}")
            continue
        pairs.update(itertools.combinations(sorted(members), 2))
    return pairs


def _partner(base, **match) -> Exists:
    return Exists(base.filter(**{name: OuterRef(value) for name, value in match.items()}).exclude(pk=OuterRef("pk")))


#: The LA-wide scan is kept this long (seconds) for the review list's pages, sorts and download; a dismissal, merge
#: or undo clears it at once, and "Check again now" (refresh) does too. About 3 s of work at 250,000 pupils.
SCAN_CACHE_SECONDS = 600
SCAN_CACHE_KEY = "duplicates:scan:v1"


def forget_scan() -> None:
    cache.delete(SCAN_CACHE_KEY)


def find_candidates(*, user, include_dismissed: bool = False, refresh: bool = False) -> Scan:
    """Likely duplicates across everything the user sees (the LA: school users get none), from the scan kept for a
    few minutes (SCAN_CACHE_SECONDS) or a new one."""
    if not is_la_user(user):
        return Scan([])
    scan = None if refresh else cache.get(SCAN_CACHE_KEY)
    if scan is None:
        scan = _scan(user)
        cache.set(SCAN_CACHE_KEY, scan, SCAN_CACHE_SECONDS)
    if include_dismissed:
        return scan
    return Scan([c for c in scan.candidates if not c.dismissed], scan.oversized_blocks, scan.checked_at)


def _scan(user) -> Scan:
    """Each rule selects, in SQL, only pupils that share a block key with another pupil (date of birth and a name
    key; a former UPN; a postcode and surname), using the indexes on the name keys, and only pupils within one block
    are compared: never all pairs."""
    base = _base(user)
    keyed = base.exclude(last_name_key="").exclude(first_name_key="")
    by_last = _rows(keyed.filter(_partner(keyed, date_of_birth="date_of_birth", last_name_key="last_name_key")))
    by_first = _rows(keyed.filter(_partner(keyed, date_of_birth="date_of_birth", first_name_key="first_name_key")))
    with_former = base.exclude(former_upn="")
    upn_rows = _rows(base.filter(
        Q(upn__in=with_former.values("former_upn"))
        | Q(pk__in=with_former.filter(Q(_partner(base, upn="former_upn"))
                                      | Q(_partner(with_former, former_upn="former_upn"))).values("pk"))))
    addressed = _with_address(base.filter(family__isnull=False).exclude(family__postcode=""))
    addressed = addressed.annotate(surname_key=Upper("legal_last_name"))
    address_rows = _rows(addressed.filter(_partner(addressed, postcode_key="postcode_key", surname_key="surname_key")))

    rows = {row["pk"]: row for row in itertools.chain(by_last, by_first, upn_rows, address_rows)}
    oversized: list[str] = []
    pairs = _pairs_in_blocks(by_last, lambda r: (r["date_of_birth"], r["last_name_key"]), oversized,
                             lambda k: f"the date of birth {k[0]:%-d %B %Y} and a surname sounding like {k[1]}")
    pairs |= _pairs_in_blocks(by_first, lambda r: (r["date_of_birth"], r["first_name_key"]), oversized,
                              lambda k: f"the date of birth {k[0]:%-d %B %Y} and a first name sounding like {k[1]}")
    by_upn = defaultdict(set)
    for row in upn_rows:
        by_upn[row["upn"]].add(row["pk"])
        if row["former_upn"]:
            by_upn[row["former_upn"]].add(row["pk"])
    for members in by_upn.values():
        pairs.update(itertools.combinations(sorted(members), 2))
    pairs |= _pairs_in_blocks(address_rows, lambda r: (r["postcode_key"], r["surname_letters"]),
                              oversized, lambda k: f"the postcode {k[0]} and the surname {k[1]}")
    return Scan(_candidates(rows, pairs, include_dismissed=True), oversized, timezone.now())


def _dismissed(pairs) -> set[tuple[int, int]]:
    if not pairs:
        return set()
    # The whole (small) table: a list of thousands of ids would pass SQLite's limit on query parameters.
    return set(DuplicateDismissal.objects.values_list("pupil_low", "pupil_high")) & set(pairs)


def _candidates(rows: dict, pairs, *, include_dismissed: bool) -> list[Candidate]:
    dismissed = _dismissed(pairs)
    found = []
    for low, high in pairs:
        matches = compare(rows[low], rows[high])
        if not matches:
            continue
        is_dismissed = (low, high) in dismissed
        if is_dismissed and not include_dismissed:
            continue
        found.append(Candidate(low, high, sorted(matches, key=lambda m: -m.score), dismissed=is_dismissed,
                               a=rows[low], b=rows[high]))
    found.sort(key=lambda c: (-c.score, c.low, c.high))
    return found


def candidates_for_pupil(*, user, pupil: Pupil) -> list[Candidate]:
    """Likely duplicates of one pupil (their record's Possible duplicates tab): the same rules, with the pupil's own
    blocks looked up by index; dismissed pairs are included and marked."""
    base = _with_address(_base(user))
    q = (Q(date_of_birth=pupil.date_of_birth, last_name_key=pupil.last_name_key)
         | Q(date_of_birth=pupil.date_of_birth, first_name_key=pupil.first_name_key) | Q(former_upn=pupil.upn))
    if pupil.former_upn:
        q |= Q(upn=pupil.former_upn) | Q(former_upn=pupil.former_upn)
    if pupil.family_id and pupil.family.postcode:
        postcode = re.sub("[ -]", "", pupil.family.postcode.upper())
        q |= Q(postcode_key=postcode, legal_last_name__iexact=pupil.legal_last_name)
    rows = {row["pk"]: row for row in _rows(base.filter(q | Q(pk=pupil.pk)))}
    if pupil.pk not in rows:
        return []
    pairs = {tuple(sorted((pupil.pk, other))) for other in rows if other != pupil.pk}
    return _candidates(rows, pairs, include_dismissed=True)


def attach_pupils(*, user, candidates: list[Candidate]) -> None:
    """Fill in the two pupils (with their current school) for the rows on one page: one query for the page."""
    ids = {pk for c in candidates for pk in (c.low, c.high)}
    pupils = Pupil.objects.visible_to(user).with_current_enrolment(user).select_related("family").in_bulk(ids)
    for c in candidates:
        c.pupils = (pupils.get(c.low), pupils.get(c.high))


def pair_get(*, user, a: int, b: int) -> tuple[Pupil, Pupil]:
    """Two distinct pupils the user may review (404 otherwise)."""
    base = _base(user)
    return get_object_or_404(base.select_related("family"), pk=a), get_object_or_404(
        base.select_related("family"), pk=b)


# ---------------------------------------------------------------------------------------------------------------
# Merging: what moves, found generically


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()


def pupil_relations() -> list[Relation]:
    """Every foreign key or one-to-one to Pupil in every installed app (including hidden ones, related_name="+",
    and the link tables of many-to-many fields), so a model added later is covered without a change here."""
    found = []
    for rel in Pupil._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        found.append(Relation(rel.related_model, rel.field))
    return sorted(found, key=lambda r: r.label)


def movable_relations() -> list[Relation]:
    return [r for r in pupil_relations() if r.label not in rules.NOT_MOVED and r.label not in rules.REFUSE_IF_PRESENT]


@dataclass
class MoveGroup:
    relation: Relation
    rows: list  # the rows that move (model instances)
    note: str = ""


@dataclass
class Preview:
    keep: Pupil
    remove: Pupil
    groups: list[MoveGroup]
    conflicts: list[str]
    kept_changes: dict  # field -> (before, after)

    @property
    def moved_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


def _unique_sets(model, field_name: str):
    """(other fields, condition, message) for each uniqueness rule on ``model`` that includes ``field_name``."""
    meta = model._meta
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and field_name in constraint.fields:
            yield ([f for f in constraint.fields if f != field_name], constraint.condition,
                   constraint.violation_error_message if constraint.violation_error_message
                   != models.UniqueConstraint.default_violation_error_message else "")
    for together in meta.unique_together:
        if field_name in together:
            yield [f for f in together if f != field_name], None, ""
    if meta.get_field(field_name).unique:
        yield [], None, ""


def _describe(model, names, values) -> str:
    parts = []
    for name, value in zip(names, values, strict=True):
        f = model._meta.get_field(name)
        if f.choices:
            value = dict(f.flatchoices).get(value, value)
        elif f.is_relation and value is not None:
            obj = f.related_model._default_manager.filter(pk=value).first()
            value = obj if obj is not None else value
        parts.append(f"{f.verbose_name} {value}")
    return ", ".join(parts)


def _unique_conflicts(relation: Relation, keep: Pupil, remove: Pupil) -> list[str]:
    model, name = relation.model, relation.field.name
    conflicts = []
    for others, condition, message in _unique_sets(model, name):
        theirs = model._base_manager.filter(**{name: remove})
        ours = model._base_manager.filter(**{name: keep})
        if condition is not None:
            theirs, ours = theirs.filter(condition), ours.filter(condition)
        clash = set(theirs.values_list(*others)) & set(ours.values_list(*others)) if others else (
            {()} if theirs.exists() and ours.exists() else set())
        for values in sorted(clash, key=str):
            what = f" with the same {_describe(model, others, values)}" if others else ""
            rule = f" ({message})" if message else ""
            conflicts.append(f"{relation.title}: both records have one{what}, and only one is allowed{rule}. "
                             f"Close, end or correct one of them on the pupil's record, then preview the merge again.")
    return conflicts


def _enrolment_conflicts(keep: Pupil, remove: Pupil) -> list[str]:
    """Two enrolments at one school covering the same days: the pupil would be on that roll twice, with two
    registers for the same weeks (and two weeks' summaries), which cannot be added together automatically."""
    conflicts = []
    theirs = Enrolment.objects.filter(pupil=remove).select_related("school")
    ours = list(Enrolment.objects.filter(pupil=keep))
    for e in theirs:
        for o in ours:
            if o.school_id != e.school_id:
                continue
            if (o.end_date or datetime.date.max) >= e.start_date and (e.end_date or datetime.date.max) >= o.start_date:
                conflicts.append(
                    f"Enrolments: both records are on {e.school}'s roll for overlapping dates (from "
                    f"{o.start_date:%-d %B %Y} and from {e.start_date:%-d %B %Y}), each with its own register. End "
                    f"or correct one enrolment (and move its marks) first, then preview the merge again.")
    return conflicts


def kept_changes(keep: Pupil, remove: Pupil) -> dict:
    """What a merge fills in on the kept record (never overwriting what it has): the merged-away UPN as its former
    UPN, so files and searches quoting the old UPN still find the child; and its family if it has none."""
    changes = {}
    if not keep.former_upn and remove.upn != keep.upn:
        changes["former_upn"] = (keep.former_upn, remove.upn)
    if keep.family_id is None and remove.family_id is not None:
        changes["family_id"] = (None, remove.family_id)
    return changes


def merge_preview(*, keep: Pupil, remove: Pupil) -> Preview:
    conflicts = []
    if keep.pk == remove.pk:
        conflicts.append("Choose two different records: a record cannot be merged into itself.")
    for label, message in rules.REFUSE_IF_PRESENT.items():
        model_label, field_name = label.rsplit(".", 1)
        relation = next(r for r in pupil_relations() if r.label == label)
        for pupil in (keep, remove):
            if relation.model._base_manager.filter(**{field_name: pupil}).exists():
                conflicts.append(f"{pupil.display_name} ({pupil.upn}) {message}.")
    groups = []
    for relation in movable_relations():
        rows = list(relation.model._base_manager.filter(**{relation.field.name: remove}).order_by("pk"))
        if not rows:
            continue
        note = rules.MOVES_WITH_ENROLMENT if relation.model is Enrolment else ""
        groups.append(MoveGroup(relation, rows, note))
        conflicts.extend(_unique_conflicts(relation, keep, remove))
    conflicts.extend(_enrolment_conflicts(keep, remove))
    return Preview(keep, remove, groups, conflicts, kept_changes(keep, remove))


def enrolment_register_counts(enrolments) -> dict[int, int]:
    """Register weeks held on each enrolment (they move with it): one query."""
    ids = [e.pk for e in enrolments]
    counts = AttendanceWeek.objects.filter(enrolment_id__in=ids).values("enrolment_id").annotate(n=Count("week_start"))
    return {row["enrolment_id"]: row["n"] for row in counts}


# ---------------------------------------------------------------------------------------------------------------
# Merge records


def merge_list(*, user):
    return PupilMerge.objects.visible_to(user).select_related("kept", "merged_by", "undone_by")


def merge_get(*, user, pk: int) -> PupilMerge:
    return get_object_or_404(merge_list(user=user), pk=pk)


def undo_deadline(merge: PupilMerge) -> datetime.datetime:
    return merge.merged_at + datetime.timedelta(days=rules.UNDO_DAYS)


def can_undo(merge: PupilMerge, now: datetime.datetime | None = None) -> bool:
    return merge.undone_at is None and (now or timezone.now()) <= undo_deadline(merge)


#: How the review list sorts candidates (its page, download and API): by score, date of birth or name, each key ending
#: in the record number so pages never overlap. The form's SORTS names them.
SORT_KEYS = {
    "score": lambda c: (c.score, -c.low),
    "dob": lambda c: (c.a["date_of_birth"], c.low),
    "name": lambda c: (c.a["legal_last_name"].upper(), c.a["legal_first_name"].upper(), c.low),
}


def sorted_candidates(candidates, sort: str):
    """Candidates in the order ``sort`` asks for ("score", "-dob", ...); the highest score first when none."""
    sort = sort or "-score"
    return sorted(candidates, key=SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))
