"""Admin site: the GOV.UK Notify email and text templates sent with each kind of letter (LA admins), and the messages
themselves, read-only (written only by legal.messaging.services)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from legal.letters import PLACEHOLDERS
from legal.messaging import notify
from legal.messaging.models import NotifyMessage, NotifyTemplate
from schools.common.admin import AuditedAdmin, ReadOnlyAdmin


class NotifyTemplateForm(forms.ModelForm):
    class Meta:
        model = NotifyTemplate
        fields = ["name", "letter_kind", "channel", "template_id", "personalisation", "is_active"]

    def clean(self):
        """With Notify set up, the template must exist there and be of the channel chosen: a wrong id is refused
        here rather than failing every message later."""
        from notifications_python_client.errors import APIError

        data = super().clean()
        template_id, channel = data.get("template_id"), data.get("channel")
        if template_id and channel and notify.configured():
            try:
                found = notify.client().get_template(str(template_id))
            except APIError as error:
                failure = notify.failure_of(error)
                if failure.status_code in (400, 404):
                    self.add_error("template_id", "GOV.UK Notify has no template with this id: copy the id from "
                                                  "the template's page in Notify.")
                else:
                    self.add_error("template_id", f"GOV.UK Notify could not be asked about this template "
                                                  f"({failure.status_code}): try again.")
                return data
            if found.get("type") != channel:
                self.add_error("channel", f"That template is a{'n' if found.get('type') == 'email' else ''} "
                                          f"{found.get('type')} template in GOV.UK Notify.")
        return data


@admin.register(NotifyTemplate)
class NotifyTemplateAdmin(AuditedAdmin):
    form = NotifyTemplateForm
    list_display = ["name", "letter_kind", "channel", "template_id", "is_active"]
    list_filter = ["channel", "letter_kind", "is_active"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["help_texts"] = {"personalisation": 'Notify field → our placeholder, e.g. {"child_name": '
                                                   '"child_name"}. Placeholders: ' + ", ".join(PLACEHOLDERS)}
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(NotifyMessage)
class NotifyMessageAdmin(ReadOnlyAdmin):
    list_display = ["reference", "channel", "route", "status", "posted_on", "created_at"]
    list_filter = ["status", "channel", "route"]
