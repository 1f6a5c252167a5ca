"""Writes to the LA's stage threshold policy (validated, audited). The admin site calls this."""

from __future__ import annotations

from django.db import transaction

from schools.audit import record_change, snapshot
from schools.models import AuditEvent, StagePolicy
from schools.roles import Capability, require

FIELDS = ("prevention_from", "early_intervention_from", "source")


@transaction.atomic
def stage_policy_save(*, user, policy: StagePolicy, before: dict | None = None, **fields) -> StagePolicy:
    """Save the policy (the one row) with ``fields`` applied; ``before`` is its state as the editor first read it,
    when the caller has already applied the changes (the admin form does)."""
    require(user, Capability.ADMINISTER, doing="change the stage thresholds")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if policy.pk is None:
        # One policy per authority: a new instance when one is saved already means "change the saved one".
        policy = StagePolicy.objects.select_for_update().order_by("pk").first() or policy
    creating = policy.pk is None
    before = before if before is not None else ({} if creating else snapshot(policy))
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.updated_by = user
    policy.full_clean()
    policy.save()
    record_change(user=user, action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
                  instance=policy, before=before)
    return policy
