"""Admin-site base classes: records LA admins may only read, and admin writes recorded in the audit log (who, when,
before/after), like service writes.

Settings and reference data that LA admins edit in the admin site (casework policy, teams, caseload limits,
alternative provision providers) use :class:`AuditedAdmin`, so an admin change is as traceable as any other.

:class:`LabelledControlsMixin` names the form controls Django's admin draws without a label of their own, so the admin
site passes the same axe-core rules as the service's pages (tests/e2e/test_admin_axe.py); templates/admin/ does the
same for tabular inlines.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import widgets
from django.utils.text import capfirst

from schools.audit import record_change, snapshot
from schools.models import AuditEvent


def _stored(obj) -> dict | None:
    return snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None


class LabelledControlsMixin:
    """Names for the admin's unlabelled controls (axe-core: label):

    - a changelist's ``list_editable`` fields sit in table cells under their column heading, which is no label: each
      is named "<field>: <row>", e.g. "Is active: Attendance contract";
    - a date and time (AdminSplitDateTime) shows "Date:" and "Time:" as plain text beside its two inputs: each is
      named "<field>: date" and "<field>: time".
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        widget = getattr(widget, "widget", widget)  # inside a RelatedFieldWidgetWrapper
        if isinstance(widget, widgets.AdminSplitDateTime):
            label = capfirst(formfield.label)
            widget.widgets[0].attrs["aria-label"] = f"{label}: date"
            widget.widgets[1].attrs["aria-label"] = f"{label}: time"
        return formfield

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledChangelistForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        field.widget.attrs.setdefault("aria-label", f"{capfirst(field.label)}: {self.instance}")

        return LabelledChangelistForm


class AuditedAdmin(LabelledControlsMixin, admin.ModelAdmin):
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
