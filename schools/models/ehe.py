"""Elective home education (issue 21): the LA's register of children whose parents educate them at home, the
contacts and visits, the suitability assessment, the informal enquiry before any s437(1) notice, and the return to
school that closes the record. Rules and sources: schools/ehe/rules.py. The s437(1) notice itself is a
legal.SchoolAttendanceOrder (legal links back to the record: legal may import schools, never the reverse)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from schools.scoping import ScopedQuerySet, is_la_user


class EHEQuerySet(ScopedQuerySet):
    """The EHE register is the LA's: LA roles see it all; school users see none of it (their pages answer 404)."""

    def visible_to(self, user):
        return self if is_la_user(user) else self.none()

    def open(self):
        return self.filter(status=HomeEducationRecord.Status.OPEN)

    def enquiry_overdue(self, today: datetime.date):
        return self.open().filter(enquiry_sent_on__isnull=False, enquiry_response_on__isnull=True,
                                  enquiry_response_due__lt=today)

    def consent_needed(self):
        return self.open().filter(consent_required=True, consent_decision=HomeEducationRecord.Consent.PENDING)


class HomeEducationRecord(models.Model):
    class Source(models.TextChoices):
        PARENT = "parent", "Parent told the LA"
        SCHOOL_DELETION = "school_deletion", "School deletion notice"
        OTHER = "other", "Other (another LA, health, social care)"

    class Status(models.TextChoices):
        OPEN = "open", "Open: home educated"
        RETURNED = "returned", "Returned to school"
        CLOSED = "closed", "Closed (moved away, past school age, other)"

    class Consent(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        PENDING = "pending", "Consent needed: decision pending"
        GIVEN = "given", "LA consented"
        REFUSED = "refused", "LA refused consent"

    class Suitability(models.TextChoices):
        NOT_KNOWN = "not_known", "Not yet known"
        SUITABLE = "suitable", "Suitable"
        NOT_SUITABLE = "not_suitable", "Appears not suitable"

    pupil = models.ForeignKey("schools.Pupil", on_delete=models.PROTECT, related_name="home_education_records")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="home_education_records",
                               help_text="The school the child was on the roll of, if any.")
    notified_on = models.DateField("Date the LA was notified")
    source = models.CharField(max_length=20, choices=Source.choices)
    source_notification = models.ForeignKey("schools.RollNotification", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="home_education_records",
                                            help_text="The school's deletion notice this record came from.")
    reasons = models.JSONField("Reasons given", default=list, blank=True,
                               help_text="Codes from schools.ehe.rules.REASONS.")
    reasons_detail = models.TextField("Reasons in the parent's words", blank=True)
    sen_status = models.CharField("SEN status when notified", max_length=1, blank=True,
                                  help_text="Copied from the pupil record (E = EHC plan, K = SEN support).")
    consent_required = models.BooleanField(
        "LA consent needed to deregister", default=False,
        help_text="An EHCP pupil at a special school (Pupil Registration Regulations 2024, reg 9).")
    consent_decision = models.CharField(max_length=12, choices=Consent.choices, default=Consent.NOT_NEEDED)
    consent_decided_on = models.DateField(null=True, blank=True)
    consent_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    consent_notes = models.TextField(blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="home_education_records")
    suitability = models.CharField(max_length=12, choices=Suitability.choices, default=Suitability.NOT_KNOWN)
    suitability_assessed_on = models.DateField(null=True, blank=True)
    suitability_assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                on_delete=models.SET_NULL, related_name="+")
    suitability_notes = models.TextField(blank=True)
    enquiry_sent_on = models.DateField("Informal enquiry sent", null=True, blank=True)
    enquiry_response_due = models.DateField("Reply due", null=True, blank=True)
    enquiry_response_on = models.DateField("Reply received", null=True, blank=True)
    enquiry_response = models.TextField("Reply", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    returned_on = models.DateField("Returned to school on", null=True, blank=True)
    return_school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    cnis_entry = models.OneToOneField("schools.ChildNotInSchool", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="home_education_record")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EHEQuerySet.as_manager()

    class Meta:
        ordering = ["-notified_on", "-pk"]
        verbose_name = "elective home education record"
        constraints = [
            models.CheckConstraint(condition=~Q(status="returned") | (Q(returned_on__isnull=False)
                                                                      & Q(return_school__isnull=False)),
                                   name="ehe_return_names_school_and_date",
                                   violation_error_message="A return to school names the school and the date."),
            models.UniqueConstraint(fields=["pupil"], condition=Q(status="open"), name="ehe_one_open_record",
                                    violation_error_message="This child already has an open home education "
                                                            "record."),
            models.CheckConstraint(condition=Q(enquiry_sent_on__isnull=True) | Q(enquiry_response_due__isnull=False),
                                   name="ehe_enquiry_has_due_date"),
        ]
        indexes = [
            # The register: open records first, newest notification first.
            models.Index(fields=["status", "-notified_on"], name="ehe_status_notified_idx"),
            # The "reply overdue" filter and worklist.
            models.Index(fields=["status", "enquiry_response_due"], name="ehe_enquiry_due_idx"),
        ]

    def __str__(self) -> str:
        return f"EHE record {self.notified_on:%d %b %Y}"

    @property
    def reference(self) -> str:
        return f"EHE-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def consent_pending(self) -> bool:
        return self.consent_required and self.consent_decision == self.Consent.PENDING

    def reason_labels(self) -> list[str]:
        from schools.ehe.rules import REASONS

        return [REASONS[c].label if c in REASONS else c for c in self.reasons or []]


class HomeEducationContact(models.Model):
    """A contact with the family: a visit, a call, a letter or a meeting, with what came of it."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", "Home visit"
        MEETING = "meeting", "Meeting elsewhere"
        PHONE = "phone", "Phone call"
        LETTER = "letter", "Letter or e-mail"
        REPORT = "report", "Written report or samples of work received"

    class Outcome(models.TextChoices):
        SEEN = "seen", "Education seen or described"
        INFO_RECEIVED = "info", "Information received"
        NO_RESPONSE = "no_response", "No response"
        DECLINED = "declined", "Parent declined contact"
        ARRANGED = "arranged", "Further contact arranged"
        CONCERN = "concern", "Concern raised"

    record = models.ForeignKey(HomeEducationRecord, on_delete=models.CASCADE, related_name="contacts")
    contact_on = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-contact_on", "-pk"]
        verbose_name = "home education contact"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.contact_on:%d %b %Y}"
