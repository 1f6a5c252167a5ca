"""Every write about a carer's contact details: audited (before and after), validated by the model, all or nothing.

Who may: EDIT_PUPILS (LA admins, managers and officers), as for adding a carer (schools.services.carer_create).
School users read the family record but do not change it: DESIGN.md's access model gives schools their own pupils
to see, and family and contact records are the LA's (schools.roles: EDIT_PUPILS is for LA roles)."""

from __future__ import annotations

from django.db import transaction

from schools.audit import record_change, snapshot
from schools.models import AuditEvent, Carer
from schools.roles import Capability, require

CONTACT_FIELDS = frozenset({"address", "phone", "email", "preferred_channel", "do_not_contact",
                            "contact_restriction"})


@transaction.atomic
def carer_contact_update(*, user, carer: Carer, **fields) -> Carer:
    require(user, Capability.EDIT_PUPILS, doing="change a carer's contact details")
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise TypeError(f"carer_contact_update does not write {sorted(unknown)}")
    # A fresh, locked copy: the audit's "before" is what was stored, and two officers saving at once queue.
    carer = Carer.objects.select_for_update().get(pk=carer.pk)
    before = snapshot(carer)
    for name, value in fields.items():
        setattr(carer, name, value)
    carer.full_clean()
    carer.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=carer, before=before)
    return carer
