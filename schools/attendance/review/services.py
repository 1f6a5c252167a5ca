"""The CTF review queue: which pupils in a Common Transfer File are held for the LA, and the three ways an LA user
resolves a held pupil (match to an existing pupil, create a new pupil with an enrolment, reject).

Matching rules, applied to each pupil in a CTF that has marks for a school in the authority the uploader may import
for (first rule that applies wins; names compare ignoring case, accents, spaces, hyphens and apostrophes, and either
the legal or the preferred name on either side may agree):

1. The file's UPN is a pupil's current UPN:
   a. and the file's former UPN belongs to a different pupil → held, "UPN and former UPN point at different pupils";
   b. and the file's date of birth, surname or forename disagrees with that pupil's (a missing one in the file
      cannot confirm the match, so it counts as disagreeing) → held, "name or date of birth differs";
   c. otherwise → not held: imported as any upload is.
2. The file's UPN is no pupil's current UPN, but is one pupil's former UPN, or the file's former UPN is one pupil's
   current or former UPN → held, "matches through a former UPN" (the pupil may have a new UPN). Matching through a
   former UPN is never automatic: two children can pass through the same UPN when one was issued in error.
3. As 2 but more than one pupil could be meant → held, "UPN and former UPN point at different pupils".
4. Otherwise → held, "UPN not known".

Only marks that could be placed are held: marks for a school outside the authority, or one the uploader may not
import for, go on to the resolver, which reports them as it reports any such row. What the uploader chose for bad
rows decides what happens to a held pupil:

- "Import the good rows and report the bad ones": the pupil is held in the queue with every placeable mark, and is
  neither imported nor counted as rejected until an LA user decides.
- "Import nothing if any row is bad": an unmatched pupil is a bad row like any other, so the file is refused whole and
  nothing is held (the uploader asked for all or nothing); the error report says which pupils and why.

A later file that holds the same UPN again, uploaded by someone who can see the earlier item, replaces the earlier
pending item: the new item keeps the earlier marks too, with the later file's mark winning for the same session, so
re-sending a file neither loses marks nor doubles the queue.

Resolving imports the held marks through schools.attendance.apply.apply_marks (the one writer) under the original
upload, so they are scoped to what its uploader could import and counted on that import.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from schools import services as school_services
from schools.attendance.apply import apply_marks
from schools.attendance.imports.errors import ImportIssue
from schools.attendance.imports.marks_csv import MarkRow
from schools.audit import record_change, snapshot
from schools.models import AttendanceImport, AuditEvent, CtfReviewItem, Enrolment, Pupil, School
from schools.roles import Capability, require

Reason = CtfReviewItem.Reason


# --- Rules ------------------------------------------------------------------------------------------------------------


def normalise_name(name: str | None) -> str:
    """"O'Brien-Smith " → "obriensmith"; "Zoë" → "zoe". Only letters and digits are compared."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def _names(*names) -> set[str]:
    return {n for n in (normalise_name(name) for name in names) if n}


def differences(ctf_pupil, pupil: Pupil) -> list[dict]:
    """What the file says that the pupil's record does not: date of birth, surname, forename."""
    found = []
    if ctf_pupil.date_of_birth is None:
        found.append({"field": "Date of birth", "in_file": "not given", "on_record": pupil.date_of_birth.isoformat()})
    elif ctf_pupil.date_of_birth != pupil.date_of_birth:
        found.append({"field": "Date of birth", "in_file": ctf_pupil.date_of_birth.isoformat(),
                      "on_record": pupil.date_of_birth.isoformat()})
    for label, in_file, on_record in (
        ("Surname", (ctf_pupil.surname, ctf_pupil.preferred_surname),
         (pupil.legal_last_name, pupil.preferred_last_name)),
        ("Forename", (ctf_pupil.forename, ctf_pupil.preferred_forename),
         (pupil.legal_first_name, pupil.preferred_first_name)),
    ):
        if not _names(*in_file) & _names(*on_record):
            found.append({"field": label, "in_file": " / ".join(n for n in in_file if n) or "not given",
                          "on_record": " / ".join(n for n in on_record if n)})
    return found


@dataclass(frozen=True)
class Decision:
    reason: str | None  # None: not held
    candidate: Pupil | None = None
    differences: list[dict] = field(default_factory=list)


class _Register:
    """The authority's pupils that a file's UPNs and former UPNs could mean, looked up in one query."""

    def __init__(self, ctf_pupils):
        upns = {p.upn for p in ctf_pupils} | {p.former_upn for p in ctf_pupils if p.former_upn}
        pupils = list(Pupil.objects.filter(Q(upn__in=upns) | Q(former_upn__in=upns)))
        self.by_upn = {p.upn: p for p in pupils}
        self.by_former: dict[str, list[Pupil]] = defaultdict(list)
        for pupil in pupils:
            if pupil.former_upn:
                self.by_former[pupil.former_upn].append(pupil)

    def decide(self, ctf_pupil) -> Decision:
        current = self.by_upn.get(ctf_pupil.upn)
        through_former: dict[int, Pupil] = {}
        if ctf_pupil.former_upn:
            if ctf_pupil.former_upn in self.by_upn:
                pupil = self.by_upn[ctf_pupil.former_upn]
                through_former[pupil.pk] = pupil
            through_former.update({p.pk: p for p in self.by_former.get(ctf_pupil.former_upn, [])})
        if current is not None:
            if set(through_former) - {current.pk}:
                return Decision(Reason.CONFLICTING_UPNS, current, differences(ctf_pupil, current))
            found = differences(ctf_pupil, current)
            return Decision(Reason.DETAILS_DIFFER, current, found) if found else Decision(None)
        through_former.update({p.pk: p for p in self.by_former.get(ctf_pupil.upn, [])})
        if len(through_former) == 1:
            (candidate,) = through_former.values()
            return Decision(Reason.FORMER_UPN, candidate, differences(ctf_pupil, candidate))
        if through_former:
            return Decision(Reason.CONFLICTING_UPNS)
        return Decision(Reason.UNKNOWN_UPN)


def explanation(item: CtfReviewItem, *, show_candidate: bool) -> str:
    """Why the item is held, in words for the queue and the item page."""
    former = f" or the former UPN {item.former_upn}" if item.former_upn else ""
    if item.reason == Reason.UNKNOWN_UPN:
        return (f"No pupil in the authority has the UPN {item.upn}{former}. Create a pupil if the child is new to the "
                f"authority; match them if the authority knows them under another UPN.")
    if item.reason == Reason.DETAILS_DIFFER:
        what = ", ".join(d["field"].lower() for d in item.differences) if show_candidate else "details"
        return (f"A pupil has the UPN {item.upn}, but the file's {what} do not agree with the authority's record. A "
                f"wrong UPN in the sending school's system is the usual cause: match only if you are sure it is the "
                f"same child.")
    if item.reason == Reason.FORMER_UPN:
        return (f"The UPN {item.upn}{former} matches a pupil only through a former UPN, so the child may have been "
                f"given a new UPN. Match them (you can record the file's UPN as their current one) if they are the "
                f"same child.")
    return (f"The file's UPN {item.upn}{former} could mean more than one pupil in the authority. Check which child "
            f"this is before matching.")


# --- Holding pupils at import -----------------------------------------------------------------------------------------


def _sorted_marks(marks: dict) -> list[list[str]]:
    return [[school, day, session, code] for (school, day, session), code in sorted(marks.items())]


def _school_refs(schools) -> dict[str, School]:
    return {s.urn: s for s in schools} | {s.laestab: s for s in schools}


@transaction.atomic
def hold_unmatched(*, attendance_import: AttendanceImport, rows, issues: list[ImportIssue]):
    """Hold the CTF pupils the authority cannot match with certainty (rules in the module docstring) and return
    (the rows to import now, the issues). Rows that are not from a CTF pass through untouched."""
    by_pupil: dict[int, list] = defaultdict(list)
    passing = []
    for row in rows:
        ctf_pupil = getattr(row, "pupil", None)
        (by_pupil[ctf_pupil.position] if ctf_pupil is not None else passing).append(row)
    if not by_pupil:
        return rows, issues
    uploader = attendance_import.uploaded_by
    refs = {row.school_ref for group in by_pupil.values() for row in group}
    writable = _school_refs(School.objects.visible_to(uploader).filter(Q(urn__in=refs) | Q(laestab__in=refs)))
    pupils = {position: group[0].pupil for position, group in by_pupil.items()}
    register = _Register(pupils.values())
    keep_going = list(passing)
    held: list[tuple] = []
    new_issues = list(issues)
    for position in sorted(by_pupil):
        group, ctf_pupil = by_pupil[position], pupils[position]
        placeable = [row for row in group if row.school_ref in writable]
        decision = register.decide(ctf_pupil) if placeable else Decision(None)
        if decision.reason is None:
            keep_going.extend(group)
            continue
        keep_going.extend(row for row in group if row.school_ref not in writable)
        if attendance_import.bad_rows == AttendanceImport.BadRows.REJECT_FILE:
            new_issues.append(ImportIssue(
                attendance_import.original_name, ctf_pupil.line, "UPN", ctf_pupil.upn,
                f"Pupil {position} in the file (surname {ctf_pupil.surname or 'not given'}): "
                f"{Reason(decision.reason).label}, so the authority cannot match them with certainty. You "
                f"chose to import nothing if any row is bad, so this counts as a bad row; choose to import the good "
                f"rows to hold such pupils for the authority's review instead."))
            continue
        held.append((ctf_pupil, decision, placeable))
    if held:
        _create_items(attendance_import, held, writable)
    return keep_going, new_issues


def _nc_year_text(value: str | None) -> str:
    return (value or "")[:4]


def _create_items(attendance_import: AttendanceImport, held, writable: dict[str, School]) -> list[CtfReviewItem]:
    uploader = attendance_import.uploaded_by
    items = []
    for ctf_pupil, decision, placeable in held:
        marks = {(row.school_ref, row.date.isoformat(), row.session): row.code for row in placeable}
        school_counts = Counter(writable[row.school_ref].pk for row in placeable)
        school_id = school_counts.most_common(1)[0][0]
        days = [row.date for row in placeable]
        items.append(CtfReviewItem(
            attendance_import=attendance_import, position=ctf_pupil.position, line=ctf_pupil.line,
            reason=decision.reason, differences=decision.differences, candidate=decision.candidate,
            upn=ctf_pupil.upn, former_upn=ctf_pupil.former_upn or "", surname=(ctf_pupil.surname or "")[:80],
            forename=(ctf_pupil.forename or "")[:80], preferred_surname=(ctf_pupil.preferred_surname or "")[:80],
            preferred_forename=(ctf_pupil.preferred_forename or "")[:80], date_of_birth=ctf_pupil.date_of_birth,
            sex=(ctf_pupil.sex or "")[:1].upper(), nc_year=_nc_year_text(ctf_pupil.nc_year),
            ethnicity=(ctf_pupil.ethnicity or "")[:4].upper(),
            sen_provision=(ctf_pupil.sen_provision or "")[:1].upper(),
            school_id=school_id, marks=_sorted_marks(marks), mark_count=len(marks), first_date=min(days),
            last_date=max(days)))
    CtfReviewItem.objects.bulk_create(items)
    _supersede_earlier(uploader, items)
    AuditEvent.objects.bulk_create([
        AuditEvent(user=uploader, username=uploader.username, action=AuditEvent.Action.CREATE,
                   object_type=CtfReviewItem._meta.label, object_id=str(item.pk), object_repr=str(item)[:200],
                   pupil_id=item.candidate_id, changes=_created_changes(item),
                   path=f"held for review from import {attendance_import.pk}")
        for item in items])
    return items


def _created_changes(item: CtfReviewItem) -> dict:
    """The new item's fields for the audit row; the held marks are summarised (they stay on the item itself)."""
    values = snapshot(item)
    values["marks"] = f"{item.mark_count} marks, {item.first_date} to {item.last_date}"
    return {name: [None, value] for name, value in values.items()}


def _supersede_earlier(uploader, items: list[CtfReviewItem]) -> None:
    """Earlier pending items for the same UPN (that the uploader can see) are folded into the new ones."""
    new_by_upn = {item.upn: item for item in items}
    earlier = (CtfReviewItem.objects.visible_to(uploader).pending().filter(upn__in=list(new_by_upn))
               .exclude(pk__in=[item.pk for item in items]).order_by("pk"))
    changed_new, superseded = {}, []
    for old in earlier:
        new = new_by_upn[old.upn]
        merged = {(s, d, p): c for s, d, p, c in old.marks}
        merged.update({(s, d, p): c for s, d, p, c in new.marks})
        new.marks = _sorted_marks(merged)
        new.mark_count = len(merged)
        new.first_date = min(filter(None, [new.first_date, old.first_date]))
        new.last_date = max(filter(None, [new.last_date, old.last_date]))
        changed_new[new.pk] = new
        old.status, old.superseded_by = CtfReviewItem.Status.SUPERSEDED, new
        superseded.append(old)
    if superseded:
        CtfReviewItem.objects.bulk_update(superseded, ["status", "superseded_by"])
        CtfReviewItem.objects.bulk_update(list(changed_new.values()), ["marks", "mark_count", "first_date",
                                                                       "last_date"])
        AuditEvent.objects.bulk_create([
            AuditEvent(user=uploader, username=uploader.username, action=AuditEvent.Action.UPDATE,
                       object_type=CtfReviewItem._meta.label, object_id=str(old.pk), object_repr=str(old)[:200],
                       pupil_id=old.candidate_id,
                       changes={"status": ["pending", "superseded"], "superseded_by_id": [None, old.superseded_by.pk]},
                       path="replaced by a later file holding the same UPN")
            for old in superseded])


# --- Resolving --------------------------------------------------------------------------------------------------------


def _locked(item: CtfReviewItem, version: int) -> CtfReviewItem:
    """A fresh, locked copy, refused if someone else has resolved or changed it since the form was drawn."""
    fresh = CtfReviewItem.objects.select_for_update().select_related("attendance_import", "school").get(pk=item.pk)
    if fresh.status != CtfReviewItem.Status.PENDING:
        raise ValidationError(f"This pupil has already been dealt with ({fresh.get_status_display().lower()}); "
                              f"nothing was changed.", code="resolved")
    if fresh.version != version:
        raise ValidationError("Someone changed this item while you were looking at it. Check it again; nothing "
                              "was changed.", code="stale")
    return fresh


def held_rows(item: CtfReviewItem, upn: str) -> list[MarkRow]:
    """The held marks as importer rows for the pupil they now belong to (by that pupil's UPN)."""
    return [MarkRow(line=item.line, upn=upn, school_ref=school, date=datetime.date.fromisoformat(day), session=session,
                    code=code, minutes_late=None, comment="") for school, day, session, code in item.marks]


def _import_held(item: CtfReviewItem, pupil: Pupil) -> None:
    rows = held_rows(item, pupil.upn)
    outcome = apply_marks(attendance_import=item.attendance_import, rows=rows, rows_read=len(rows), parse_issues=[])
    placed = outcome.written + outcome.changed + outcome.unchanged
    if not outcome.applied or (rows and not placed):
        # Nothing would land (for instance the pupil is not on the school's roll on those dates): refuse, so the
        # user can add the enrolment, rather than mark the item done with its marks unimported.
        reasons = list(dict.fromkeys(issue.reason for issue in outcome.issues))
        raise ValidationError("None of the held marks could be imported, so nothing was changed: "
                              + " ".join(reasons[:3]), code="nothing_imported")
    item.marks_written, item.marks_changed = outcome.written, outcome.changed
    # Every held row carries the item's line, so count rejected marks rather than rejected lines.
    item.marks_unchanged, item.rows_rejected = outcome.unchanged, len(rows) - placed
    item.issues = [{"line": i.line, "field": i.field, "value": i.value, "reason": i.reason} for i in outcome.issues]
    AttendanceImport.objects.filter(pk=item.attendance_import_id).update(
        marks_written=F("marks_written") + outcome.written, marks_changed=F("marks_changed") + outcome.changed,
        marks_unchanged=F("marks_unchanged") + outcome.unchanged)


def _finish(item: CtfReviewItem, *, user, status: str, pupil: Pupil | None, note: str, before: dict) -> CtfReviewItem:
    item.status, item.pupil, item.note = status, pupil, note.strip()
    item.resolved_by, item.resolved_at = user, timezone.now()
    item.version += 1
    item.full_clean(exclude=["attendance_import", "school", "candidate", "pupil", "superseded_by", "resolved_by"])
    item.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=item, before=before,
                  pupil_id=pupil.pk if pupil else item.candidate_id)
    return item


@transaction.atomic
def review_match(*, user, item: CtfReviewItem, version: int, pupil: Pupil, take_file_upn: bool = False,
                 add_enrolment: bool = False, start_date: datetime.date | None = None, nc_year: int | None = None,
                 note: str = "") -> CtfReviewItem:
    """The held pupil is ``pupil``: optionally give them the file's UPN (their current one becomes the former UPN)
    and an enrolment at the file's school, then import the held marks."""
    require(user, Capability.EDIT_PUPILS, doing="resolve held CTF pupils")
    item = _locked(item, version)
    before = snapshot(item)
    pupil = Pupil.objects.visible_to(user).filter(pk=pupil.pk).first()
    if pupil is None:
        raise ValidationError({"pupil": "Choose a pupil from the search results."})
    if take_file_upn and pupil.upn != item.upn:
        if Pupil.objects.filter(upn=item.upn).exclude(pk=pupil.pk).exists():
            raise ValidationError({"take_file_upn": f"Another pupil already has the UPN {item.upn}, so it cannot be "
                                                    f"given to {pupil.display_name}."})
        pupil = school_services.pupil_update(user=user, pupil=pupil, upn=item.upn, former_upn=pupil.upn)
    if add_enrolment:
        if start_date is None or nc_year is None:
            raise ValidationError({"start_date": "Give the date the pupil joined the school's roll and their NC "
                                                 "year, or untick adding an enrolment."})
        school_services.enrolment_create(user=user, pupil=pupil, school=item.school, start_date=start_date,
                                         nc_year=nc_year)
    _import_held(item, pupil)
    return _finish(item, user=user, status=CtfReviewItem.Status.MATCHED, pupil=pupil, note=note, before=before)


def create_defaults(item: CtfReviewItem) -> dict:
    """A new pupil as the file describes them, for the create form's initial values."""
    ethnicities = set(Pupil.Ethnicity.values)
    return {
        "legal_first_name": item.forename, "legal_last_name": item.surname,
        "preferred_first_name": item.preferred_forename if item.preferred_forename != item.forename else "",
        "preferred_last_name": item.preferred_surname if item.preferred_surname != item.surname else "",
        "date_of_birth": item.date_of_birth, "sex": item.sex if item.sex in Pupil.Sex.values else "",
        "ethnicity": item.ethnicity if item.ethnicity in ethnicities else Pupil.Ethnicity.NOBT,
        "sen_status": item.sen_provision if item.sen_provision in Pupil.SenStatus.values else Pupil.SenStatus.NONE,
        "start_date": item.first_date, "nc_year": nc_year_from_file(item.nc_year),
    }


def nc_year_from_file(text: str) -> int | None:
    """CTF NCyearActual ("6", "R", "N1", "N2") as the enrolment's NC year; None when it is not one of ours."""
    text = (text or "").strip().upper()
    named = {"R": 0, "N1": -2, "N2": -1}
    if text in named:
        return named[text]
    if text.isdigit() and int(text) in Enrolment.NcYear.values:
        return int(text)
    return None


PUPIL_FIELDS_FROM_FORM = ("legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name",
                          "date_of_birth", "sex", "ethnicity", "sen_status")


@transaction.atomic
def review_create(*, user, item: CtfReviewItem, version: int, start_date: datetime.date, nc_year: int,
                  note: str = "", **pupil_fields) -> CtfReviewItem:
    """A child new to the authority: create the pupil with the file's UPN (and former UPN) and an enrolment at the
    file's school, then import the held marks."""
    require(user, Capability.EDIT_PUPILS, doing="resolve held CTF pupils")
    unknown = set(pupil_fields) - set(PUPIL_FIELDS_FROM_FORM)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    item = _locked(item, version)
    before = snapshot(item)
    if Pupil.objects.filter(upn=item.upn).exists():
        raise ValidationError(f"A pupil already has the UPN {item.upn}, so a new one cannot be created with it: match "
                              f"the item to that pupil instead.", code="upn_taken")
    former = item.former_upn if item.former_upn and item.former_upn != item.upn else ""
    pupil = school_services.pupil_create(user=user, school=item.school, start_date=start_date, nc_year=nc_year,
                                         upn=item.upn, former_upn=former, **pupil_fields)
    _import_held(item, pupil)
    return _finish(item, user=user, status=CtfReviewItem.Status.CREATED, pupil=pupil, note=note, before=before)


@transaction.atomic
def review_reject(*, user, item: CtfReviewItem, version: int, note: str) -> CtfReviewItem:
    """Not a pupil of the authority (or a file sent in error): keep the item and its marks, import nothing."""
    require(user, Capability.EDIT_PUPILS, doing="resolve held CTF pupils")
    if not (note or "").strip():
        raise ValidationError({"note": "Say why this pupil is rejected, so the school and colleagues can see it."})
    item = _locked(item, version)
    before = snapshot(item)
    return _finish(item, user=user, status=CtfReviewItem.Status.REJECTED, pupil=None, note=note, before=before)
