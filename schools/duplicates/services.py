"""Writes for duplicate pupils: "not the same child", merging two records and undoing a merge. Each checks the
capability, runs in one transaction (nothing half-done) and is audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from schools.audit import record_change, snapshot
from schools.duplicates import rules, selectors
from schools.duplicates.phonetics import name_key
from schools.models import AuditEvent, DuplicateDismissal, Pupil, PupilMerge
from schools.roles import Capability, require


def _forget_scan() -> None:
    """The cached scan is out of date: forget it now and again once the change is committed (a page drawn between
    the two would otherwise keep the old pairs for the cache's lifetime)."""
    selectors.forget_scan()
    transaction.on_commit(selectors.forget_scan)


def _doing(user, what: str) -> None:
    require(user, Capability.EDIT_PUPILS, doing=what)


@transaction.atomic
def dismiss_pair(*, user, a: Pupil, b: Pupil, note: str = "") -> DuplicateDismissal:
    """Record that two records are not the same child; the pair is not offered again. Saying it twice is harmless."""
    _doing(user, "review duplicate pupils")
    if a.pk == b.pk:
        raise ValidationError("Choose two different records.")
    low, high = sorted((a.pk, b.pk))
    dismissal, created = DuplicateDismissal.objects.get_or_create(
        pupil_low_id=low, pupil_high_id=high, defaults={"note": note.strip()[:500], "dismissed_by": user})
    if created:
        _forget_scan()
        for pupil_id in (low, high):
            record_change(user=user, action=AuditEvent.Action.CREATE, instance=dismissal, pupil_id=pupil_id)
    return dismissal


def _json_pk(pk):
    return list(pk) if isinstance(pk, tuple) else pk


@transaction.atomic
def pupil_merge(*, user, keep: Pupil, remove: Pupil, reason: str) -> PupilMerge:
    """Move every row linked to ``remove`` onto ``keep`` (found from the models' _meta: rules.NOT_MOVED stay), fill
    in the kept record's former UPN and family where empty, and delete ``remove``, keeping a copy of it and the
    list of what moved (by model, field and primary key) for "Undo merge". Refused, with nothing changed, while the
    preview shows a conflict."""
    _doing(user, "merge pupil records")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter how you know these records are the same child."})
    # Lock both records (in a fixed order) so two officers cannot merge them at once, and re-read them.
    locked = {p.pk: p for p in Pupil.objects.select_for_update().filter(pk__in=[keep.pk, remove.pk]).order_by("pk")}
    if keep.pk not in locked or remove.pk not in locked:
        raise ValidationError("One of these records has just been merged or removed. Go back to the list.")
    keep, remove = locked[keep.pk], locked[remove.pk]
    preview = selectors.merge_preview(keep=keep, remove=remove)
    if preview.conflicts:
        raise ValidationError(preview.conflicts)

    moved = []
    for group in preview.groups:
        relation = group.relation
        pks = [row.pk for row in group.rows]
        relation.model._base_manager.filter(pk__in=pks).update(**{relation.field.name: keep})
        moved.append({"model": relation.model._meta.label, "field": relation.field.name,
                      "pks": [_json_pk(pk) for pk in pks]})

    before_keep = snapshot(keep)
    changes = {}
    for attname, (before, after) in preview.kept_changes.items():
        setattr(keep, attname, after)
        changes[attname] = [before, after]
    if changes:
        keep.save(update_fields=list(changes))
        record_change(user=user, action=AuditEvent.Action.UPDATE, instance=keep, before=before_keep)

    removed = snapshot(remove)
    merge = PupilMerge.objects.create(
        kept=keep, merged_pupil_id=remove.pk, merged_upn=remove.upn, merged_name=remove.legal_name[:200],
        merged_record=removed, kept_changes=changes, moved=moved, reason=reason, merged_by=user)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=merge, pupil_id=keep.pk)
    Pupil.objects.filter(pk=remove.pk).delete()
    _forget_scan()
    record_change(user=user, action=AuditEvent.Action.DELETE, instance=remove, before=removed, pupil_id=remove.pk)
    return merge


def _restored_pupil(record: dict) -> Pupil:
    values = {}
    for f in Pupil._meta.concrete_fields:
        if f.attname in record:
            raw = record[f.attname]
            values[f.attname] = f.to_python(raw) if raw is not None else None
    pupil = Pupil(**values)
    pupil.first_name_key, pupil.last_name_key = name_key(pupil.legal_first_name), name_key(pupil.legal_last_name)
    return pupil


def _pk_values(pks: list) -> list:
    return [tuple(pk) if isinstance(pk, list) else pk for pk in pks]


@transaction.atomic
def pupil_merge_undo(*, user, merge: PupilMerge, now: datetime.datetime | None = None) -> Pupil:
    """Put the merged-away record back (with its own record number) and every row that moved back onto it. A row
    deleted or moved elsewhere since the merge stays where it is, and the merge record says so."""
    _doing(user, "undo a merge of pupil records")
    merge = PupilMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError("This merge has already been undone.")
    if not selectors.can_undo(merge, now):
        raise ValidationError(f"A merge can be undone for {rules.UNDO_DAYS} days; this one was made on "
                              f"{timezone.localtime(merge.merged_at):%-d %B %Y}. To separate the records now, add a "
                              f"new pupil and move the records across by hand.")
    if not merge.merged_record.get("upn"):
        raise ValidationError("The merged-away record's copy has been cleared under the retention policy, so it "
                              "cannot be restored.")
    restored = _restored_pupil(merge.merged_record)
    if Pupil.objects.filter(pk=restored.pk).exists():
        raise ValidationError("A record with the merged-away record's number exists again, so it cannot be restored.")
    if Pupil.objects.filter(upn=restored.upn).exists():
        raise ValidationError(f"Another pupil now has the UPN {restored.upn}, so the merged-away record cannot get it "
                              f"back. Correct that pupil's UPN first.")
    keep = Pupil.objects.select_for_update().get(pk=merge.kept_id)
    before_keep = snapshot(keep)
    reverted = []
    for attname, (before, after) in merge.kept_changes.items():
        if getattr(keep, attname) == after:  # changed since by someone else: theirs stands
            setattr(keep, attname, before)
            reverted.append(attname)
    if reverted:
        keep.save(update_fields=reverted)
        record_change(user=user, action=AuditEvent.Action.UPDATE, instance=keep, before=before_keep)
    restored.save(force_insert=True)
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=restored)

    left = []
    for entry in merge.moved:
        model = _model(entry["model"])
        pks = _pk_values(entry["pks"])
        back = model._base_manager.filter(pk__in=pks, **{entry["field"]: keep}).update(**{entry["field"]: restored})
        if back < len(pks):
            left.append(f"{len(pks) - back} of {len(pks)} {model._meta.verbose_name_plural} (deleted or moved since "
                        f"the merge)")
    before_merge = snapshot(merge)
    merge.undone_at, merge.undone_by = timezone.now(), user
    merge.undo_note = ("Left where they were: " + "; ".join(left) + ".") if left else ""
    merge.save(update_fields=["undone_at", "undone_by", "undo_note"])
    _forget_scan()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=merge, before=before_merge, pupil_id=keep.pk)
    return restored


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def fill_name_keys(*, batch: int = 10_000) -> int:
    """Fill the name keys of pupils written without save() (bulk loads): a maintenance step, safe to repeat. One
    UPDATE statement per pupil, sent in batches (executemany): Django's bulk_update builds one CASE expression per
    batch, which PostgreSQL works through far more slowly (250,000 pupils took 15 minutes that way)."""
    filled, last = 0, 0
    table = connection.ops.quote_name(Pupil._meta.db_table)
    while True:
        rows = list(Pupil.objects.filter(pk__gt=last, last_name_key="").exclude(legal_last_name="").order_by("pk")
                    .values_list("pk", "legal_first_name", "legal_last_name")[:batch])
        if not rows:
            return filled
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET first_name_key = %s, last_name_key = %s WHERE id = %s",
                               [(name_key(first), name_key(last_name), pk) for pk, first, last_name in rows])
        filled += len(rows)
        last = rows[-1][0]
