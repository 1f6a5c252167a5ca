"""Writing the audit trail: before/after values of every write, and every view of a pupil record.

Services call ``record_change``; views of pupil-identifying pages call ``record_view``. Both write AuditEvent rows in
the same transaction as the change, so a rolled-back write leaves no audit row and a committed one always has one.
"""

from __future__ import annotations

import datetime
import decimal

from django.db import models
from django.db.models.fields.files import FieldFile

from schools.models import AuditEvent


def _json_safe(value):
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return value.isoformat() if not isinstance(value, decimal.Decimal) else str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(instance: models.Model) -> dict:
    """Concrete field values of a model instance (foreign keys as ids) for before/after comparison."""
    return {field.attname: _json_safe(getattr(instance, field.attname)) for field in instance._meta.concrete_fields}


#: The longest text an audit event keeps of one value: a changed field's before and after are what a reader needs,
#: and no field a service writes is longer than a free-text note, so a longer one is cut (saying so).
MAX_AUDIT_TEXT = 2_000


def _bounded(value):
    if isinstance(value, str) and len(value) > MAX_AUDIT_TEXT:
        return value[:MAX_AUDIT_TEXT] + f"… ({len(value):,} characters)"
    return value


def diff(before: dict, after: dict) -> dict:
    return {
        name: [_bounded(before.get(name)), _bounded(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def _pupil_id_of(instance: models.Model):
    from schools.models import Pupil

    if isinstance(instance, Pupil):
        return instance.pk
    return getattr(instance, "pupil_id", None)


def record_change(*, user, action: str, instance: models.Model, before: dict | None = None, pupil_id=None,
                  path: str = "") -> AuditEvent:
    after = snapshot(instance) if action != AuditEvent.Action.DELETE else {}
    before = before or {}
    changes = diff(before, after) if action != AuditEvent.Action.DELETE else {k: [_bounded(v), None]
                                                                              for k, v in before.items()}
    return AuditEvent.objects.create(
        user=user if user and user.is_authenticated else None,
        username=getattr(user, "username", "") or "system",
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        pupil_id=pupil_id if pupil_id is not None else _pupil_id_of(instance),
        changes=changes,
        path=path[:300],
    )


def record_view(*, user, instance: models.Model, pupil_id=None, path: str = "",
                action: str = AuditEvent.Action.VIEW) -> AuditEvent:
    return AuditEvent.objects.create(
        user=user,
        username=user.username,
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        pupil_id=pupil_id if pupil_id is not None else _pupil_id_of(instance),
        path=path[:300],
    )


def record_export(*, user, object_type: str, rows: int, fmt: str, path: str, pupils=None,
                  pupil_path: str = "pupil_id") -> AuditEvent:
    """A list download (CSV, XLSX, a pack): a view of every row in it, recorded with how many rows and which list
    (the path holds the filters), and with every pupil it named (``pupils``: the rows' queryset, whose
    ``pupil_path`` leads to the pupil, or an iterable of pupil ids; record_exported_pupils)."""
    event = AuditEvent.objects.create(
        user=user, username=user.username, action=AuditEvent.Action.EXPORT, object_type=object_type,
        object_id="list", object_repr=f"{rows} rows exported ({fmt})", path=path[:300])
    record_exported_pupils(event, pupils, pupil_path)
    return event


def record_exported_pupils(event: AuditEvent, pupils, pupil_path: str = "pupil_id") -> None:
    """The pupils a download named, one row each, set-wise: from a queryset in one INSERT ... SELECT (a whole
    authority's export of 250,000 pupils is one statement), from ids in batches."""
    from django.db import connection
    from django.db.models import F, QuerySet

    from schools.models import ExportedPupil

    if pupils is None:
        return
    if isinstance(pupils, QuerySet):
        members = pupils.order_by().annotate(exported_pupil=F(pupil_path)).values("exported_pupil")
        if pupil_path != "pk":  # rows other than pupils may name a pupil twice (two enrolments, two cases)
            members = members.distinct()
        sql, params = members.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {ExportedPupil._meta.db_table} (event_id, pupil_id) "
                           f"SELECT %s, exported_pupil FROM ({sql}) AS members WHERE exported_pupil IS NOT NULL",
                           [event.pk, *params])
        return
    ids = sorted({pupil_id for pupil_id in pupils if pupil_id is not None})
    ExportedPupil.objects.bulk_create([ExportedPupil(event=event, pupil_id=pupil_id) for pupil_id in ids],
                                      batch_size=5000)
