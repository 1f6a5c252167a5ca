"""Admin-site base classes: records LA admins may only read, and admin writes recorded in the audit log (who, when,
before/after), like service writes.

Settings and reference data that LA admins edit in the admin site (casework policy, teams, caseload limits,
alternative provision providers) use :class:`AuditedAdmin`, so an admin change is as traceable as any other.
"""

from __future__ import annotations

from django.contrib import admin

from schools.audit import record_change, snapshot
from schools.models import AuditEvent


def _stored(obj) -> dict | None:
    return snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = _stored(obj) if change else None
        super().save_model(request, obj, form, change)
        record_change(user=request.user, action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
                      instance=obj, before=before, path=request.path)

    def delete_model(self, request, obj):
        record_change(user=request.user, action=AuditEvent.Action.DELETE, instance=obj, before=snapshot(obj),
                      path=request.path)
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows (e.g. a team's members): each created, changed or deleted row is audited too."""
        stored = formset.model._default_manager.filter(pk__in=formset.queryset.values("pk"))
        befores = {o.pk: snapshot(o) for o in stored}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record_change(user=request.user, action=AuditEvent.Action.DELETE, instance=obj,
                          before=befores.get(obj.pk) or snapshot(obj), path=request.path)
            obj.delete()
        for obj in instances:
            existed = obj.pk in befores
            obj.save()
            record_change(user=request.user, action=AuditEvent.Action.UPDATE if existed else AuditEvent.Action.CREATE,
                          instance=obj, before=befores.get(obj.pk), path=request.path)
        formset.save_m2m()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: their writes go through the services so every change is validated and audited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
