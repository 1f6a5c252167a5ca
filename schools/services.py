"""Every write to schools, pupils, enrolments, families and jobs. Views, the API, imports and tasks call these.

Each service validates fully before saving (so nothing is half-saved), runs in one transaction and audits the write.
Validation errors are Django ValidationErrors keyed by field, which forms and the API show at the field.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from schools.audit import record_change, snapshot
from schools.common.jobs import job_enqueue
from schools.models import AuditEvent, Carer, Enrolment, Family, Job, Pupil, School
from schools.roles import Capability, require

logger = logging.getLogger(__name__)

PUPIL_FIELDS = frozenset(
    f.name for f in Pupil._meta.concrete_fields if f.name not in {"id"}
) | {"family"}
FAMILY_FIELDS = frozenset({"name", "address_line_1", "address_line_2", "town", "postcode", "notes"})
CARER_FIELDS = frozenset({"full_name", "relationship", "parental_responsibility", "is_main_contact", "phone",
                          "email", "address", "preferred_channel", "do_not_contact", "contact_restriction"})



def reject_unknown_fields(fields: dict, allowed: frozenset) -> None:
    """A caller passing a field the service does not write is a programming error, not bad input."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


@transaction.atomic
def pupil_create(*, user, school: School | None = None, start_date: datetime.date | None = None,
                 nc_year: int | None = None, **fields) -> Pupil:
    """Create a pupil, and their first enrolment when a school is given."""
    require(user, Capability.EDIT_PUPILS)
    reject_unknown_fields(fields, PUPIL_FIELDS)
    pupil = Pupil(**fields)
    pupil.upn = (pupil.upn or "").strip().upper()
    pupil.full_clean()
    pupil.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=pupil)
    if school is not None:
        enrolment_create(user=user, pupil=pupil, school=school, start_date=start_date, nc_year=nc_year)
    return pupil


@transaction.atomic
def pupil_update(*, user, pupil: Pupil, **fields) -> Pupil:
    require(user, Capability.EDIT_PUPILS)
    reject_unknown_fields(fields, PUPIL_FIELDS)
    before = snapshot(pupil)
    for name, value in fields.items():
        setattr(pupil, name, value)
    pupil.upn = (pupil.upn or "").strip().upper()
    pupil.full_clean()
    pupil.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=pupil, before=before)
    return pupil


def _check_no_overlap(enrolment: Enrolment) -> None:
    """Two enrolments of one pupil at one school may not cover the same day."""
    far_future = datetime.date.max
    overlapping = Enrolment.objects.filter(pupil_id=enrolment.pupil_id, school_id=enrolment.school_id).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=enrolment.start_date),
        start_date__lte=enrolment.end_date or far_future,
    )
    if enrolment.pk:
        overlapping = overlapping.exclude(pk=enrolment.pk)
    clash = overlapping.first()
    if clash:
        ends = f"to {clash.end_date:%d %B %Y}" if clash.end_date else "with no end date"
        raise ValidationError({"start_date": (
            f"This overlaps the pupil's enrolment at {enrolment.school} from {clash.start_date:%d %B %Y} {ends}."
        )})


@transaction.atomic
def enrolment_create(*, user, pupil: Pupil, school: School, start_date, nc_year, end_date=None) -> Enrolment:
    require(user, Capability.EDIT_PUPILS)
    enrolment = Enrolment(pupil=pupil, school=school, start_date=start_date, end_date=end_date, nc_year=nc_year)
    enrolment.full_clean()
    _check_no_overlap(enrolment)
    enrolment.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=enrolment)
    return enrolment


@transaction.atomic
def enrolment_end(*, user, enrolment: Enrolment, end_date: datetime.date) -> Enrolment:
    require(user, Capability.EDIT_PUPILS)
    before = snapshot(enrolment)
    enrolment.end_date = end_date
    enrolment.full_clean()
    _check_no_overlap(enrolment)
    enrolment.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=enrolment, before=before)
    return enrolment


@transaction.atomic
def family_create(*, user, children: list[Pupil] = (), **fields) -> Family:
    require(user, Capability.EDIT_PUPILS)
    reject_unknown_fields(fields, FAMILY_FIELDS)
    family = Family(**fields)
    family.full_clean()
    family.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=family)
    for child in children:
        pupil_update(user=user, pupil=child, family=family)
    return family


@transaction.atomic
def family_update(*, user, family: Family, **fields) -> Family:
    require(user, Capability.EDIT_PUPILS)
    reject_unknown_fields(fields, FAMILY_FIELDS)
    before = snapshot(family)
    for name, value in fields.items():
        setattr(family, name, value)
    family.full_clean()
    family.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=family, before=before)
    return family


@transaction.atomic
def carer_create(*, user, family: Family, **fields) -> Carer:
    require(user, Capability.EDIT_PUPILS)
    reject_unknown_fields(fields, CARER_FIELDS)
    carer = Carer(family=family, **fields)
    carer.full_clean()
    carer.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=carer)
    return carer


@transaction.atomic
def pupil_export_start(*, user, query: dict) -> Job:
    """Queue a CSV export of the pupil list the user is looking at (same filters, same scope)."""
    job = Job.objects.create(kind=Job.Kind.PUPIL_EXPORT, created_by=user, params={"query": query})
    job_enqueue(job, "schools.tasks.run_pupil_export", job.pk)
    return job


