"""The EHE register's FilterSet, shared by the list page, its CSV download and the API."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from schools.common.filters import GdsFilterSet, PupilTextMixin, SchoolFilter
from schools.models import HomeEducationRecord

Record = HomeEducationRecord


class HomeEducationFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    status = django_filters.ChoiceFilter(choices=Record.Status.choices, empty_label="Any status")
    suitability = django_filters.ChoiceFilter(choices=Record.Suitability.choices, empty_label="Any")
    source = django_filters.ChoiceFilter(choices=Record.Source.choices, empty_label="Any source",
                                         label="Who told the LA")
    consent = django_filters.ChoiceFilter(
        label="LA consent", method="filter_consent", empty_label="Any",
        choices=[("needed", "Consent needed: decision pending"), ("given", "LA consented"),
                 ("refused", "LA refused consent")])
    enquiry = django_filters.ChoiceFilter(
        label="Informal enquiry", method="filter_enquiry", empty_label="Any",
        choices=[("overdue", "Reply overdue"), ("waiting", "Waiting for a reply (not yet due)"),
                 ("none", "None sent")])
    school = SchoolFilter(label="Last school")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("pupil__legal_last_name", "name"), ("notified_on", "notified"), ("school__name", "school"),
                ("status", "status"), ("suitability", "suitability"), ("enquiry_response_due", "reply_due")),
        field_labels={"name": "Child", "notified": "Notified", "school": "Last school", "status": "Status",
                      "suitability": "Suitability", "reply_due": "Reply due"},
    )

    class Meta:
        model = Record
        fields = ["q", "status", "suitability", "source", "consent", "enquiry", "school"]

    def filter_consent(self, queryset, name, value):
        if value == "needed":
            return queryset.consent_needed()
        return queryset.filter(consent_decision=value)

    def filter_enquiry(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.enquiry_overdue(today)
        if value == "waiting":
            return queryset.filter(enquiry_sent_on__isnull=False, enquiry_response_on__isnull=True,
                                   enquiry_response_due__gte=today)
        return queryset.filter(enquiry_sent_on__isnull=True)
