"""Messages to families (app label ``legal``; imported by legal.models so Django finds them).

NotifyTemplate maps a kind of letter to the GOV.UK Notify email or text-message template sent with it, and which of
our letter placeholders fill its personalisation fields (LA admins set these in the admin site).

NotifyMessage is one letter, email or text to one parent: what was sent, to whom, how (Notify or the print queue),
our reference and Notify's id, and the status as Notify last reported it. It is written only by
legal.messaging.services."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from legal.messaging import rules
from legal.rules import LetterKind
from schools.scoping import ScopedQuerySet, is_la_user


def new_reference() -> str:
    """Our reference for Notify: unique across every copy of the service that might share a Notify account, and the
    key that stops a retried task sending twice (the task asks Notify for it before sending again)."""
    return f"casework-{uuid.uuid4().hex}"


class NotifyTemplate(models.Model):
    channel = models.CharField(max_length=5, choices=[(rules.Channel.EMAIL.value, "Email"),
                                                      (rules.Channel.SMS.value, "Text message")])
    letter_kind = models.CharField(max_length=25, choices=LetterKind.choices,
                                   help_text="Sent with letters of this kind.")
    name = models.CharField(max_length=120)
    template_id = models.UUIDField("Notify template id", help_text="From the template's page in GOV.UK Notify.")
    personalisation = models.JSONField(
        default=dict, blank=True,
        help_text='Notify field → our placeholder, e.g. {"child_name": "child_name", "officer": "officer_name"}. '
                  "Placeholders are those listed on the letter templates page.")
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        app_label = "legal"
        ordering = ["letter_kind", "channel"]
        verbose_name = "GOV.UK Notify template"
        constraints = [
            models.UniqueConstraint(fields=["letter_kind", "channel"], condition=Q(is_active=True),
                                    name="notify_template_one_active",
                                    violation_error_message="There is already a template in use for this kind of "
                                                            "letter and channel: switch that one off first."),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"

    def clean(self) -> None:
        from legal.letters import PLACEHOLDERS

        if not isinstance(self.personalisation, dict):
            raise ValidationError({"personalisation": 'Write the fields as {"notify field": "our placeholder"}.'})
        unknown = sorted(str(v) for v in self.personalisation.values() if v not in PLACEHOLDERS)
        if unknown:
            raise ValidationError({"personalisation": f"Unknown placeholder {', '.join(unknown)}: use the names "
                                                      "listed on the letter templates page, e.g. child_name."})


class MessageQuerySet(ScopedQuerySet):
    """Messages are the LA's legal record: every LA role sees them, schools never do."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()

    def failures(self):
        return self.filter(status__in=rules.FAILED_CODES)


class NotifyMessage(models.Model):
    channel = models.CharField(max_length=6, choices=rules.Channel.choices)
    route = models.CharField(max_length=6, choices=rules.Route.choices)
    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="+")
    carer = models.ForeignKey("schools.Carer", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    letter = models.ForeignKey("legal.Letter", on_delete=models.CASCADE, related_name="messages",
                               help_text="The letter sent, or that this email or text went with.")
    batch = models.ForeignKey("legal.LetterBatch", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="messages")
    notify_template = models.ForeignKey(NotifyTemplate, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    recipient = models.CharField(max_length=300, help_text="The address, email address or phone number used.")
    personalisation = models.JSONField(default=dict, blank=True)
    reference = models.CharField(max_length=60, unique=True, default=new_reference)
    notify_id = models.UUIDField("Notify notification id", null=True, blank=True, unique=True)
    status = models.CharField(max_length=20, choices=rules.CHOICES)
    status_detail = models.CharField(max_length=500, blank=True, help_text="Notify's error, or why not sent.")
    status_at = models.DateTimeField(null=True, blank=True, help_text="When the status last changed.")
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it (see the task).")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When Notify accepted it.")
    posted_on = models.DateField(null=True, blank=True, help_text="Letters: the day it was posted.")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="Print queue: who recorded the posting.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolution = models.CharField(max_length=500, blank=True, help_text="What was done about a failure.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        app_label = "legal"
        ordering = ["-created_at", "-pk"]
        verbose_name = "message to a family"
        constraints = [
            models.CheckConstraint(condition=Q(route="notify") | Q(channel="letter"), name="message_print_is_letter",
                                   violation_error_message="Only letters go into the print queue."),
            models.CheckConstraint(condition=Q(channel="letter") | Q(notify_template__isnull=False),
                                   name="message_email_sms_template"),
            models.CheckConstraint(condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                                   name="message_resolution_says_what"),
        ]
        indexes = [
            # The poll (messages Notify may still change) and the failures worklist, both by status then age.
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
            # The pupil's record and the case page: messages about this pupil, newest first.
            models.Index(fields=["pupil", "-created_at"], name="message_pupil_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.carer_id}: {self.get_status_display()}"

    @property
    def is_failed(self) -> bool:
        return self.status in rules.FAILED_CODES

    @property
    def next_step(self) -> str:
        return rules.next_step(self.status)
