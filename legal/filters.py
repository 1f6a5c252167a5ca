"""One FilterSet per legal list, shared by the page, its export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from legal.models import PenaltyNotice, PenaltyNoticeRequest, Prosecution
from legal.rules import NoticeType, Offence
from schools.common.filters import DateFilter, GdsFilterSet, SchoolFilter


def _text(queryset, value: str, reference_prefix: str):
    value = (value or "").strip()
    if not value:
        return queryset
    upper = value.upper()
    if upper.startswith(reference_prefix) and upper[len(reference_prefix):].isdecimal() and len(upper) <= 20:
        return queryset.filter(pk=int(upper[len(reference_prefix):]))
    q = Q()
    for word in value.split():
        q &= (Q(pupil__legal_first_name__icontains=word) | Q(pupil__legal_last_name__icontains=word)
              | Q(pupil__upn__iexact=word))
    return queryset.filter(q)


class PenaltyNoticeFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name, UPN or notice reference", method="filter_text")
    status = django_filters.ChoiceFilter(choices=PenaltyNotice.Status.choices, empty_label="Any status")
    notice_type = django_filters.ChoiceFilter(label="Kind", choices=NoticeType.choices, empty_label="Any kind")
    school = SchoolFilter()
    issued_from = DateFilter(field_name="issued_on", lookup_expr="gte", label="Issued from")
    issued_to = DateFilter(field_name="issued_on", lookup_expr="lte", label="Issued to")

    class Meta:
        model = PenaltyNotice
        fields = ["q", "status", "notice_type", "school", "issued_from", "issued_to"]

    def filter_text(self, queryset, name, value):
        return _text(queryset, value, "PN-")


class RequestFilterSet(GdsFilterSet):
    status = django_filters.ChoiceFilter(choices=PenaltyNoticeRequest.Status.choices, empty_label="Any status")
    notice_type = django_filters.ChoiceFilter(label="Kind", choices=NoticeType.choices[:2], empty_label="Any kind")
    school = SchoolFilter()
    overdue = django_filters.BooleanFilter(label="Decision overdue", method="filter_overdue")

    class Meta:
        model = PenaltyNoticeRequest
        fields = ["status", "notice_type", "school", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status=PenaltyNoticeRequest.Status.SUBMITTED, decision_due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class ProsecutionFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name, UPN or reference", method="filter_text")
    status = django_filters.ChoiceFilter(choices=Prosecution.Status.choices, empty_label="Any status")
    offence = django_filters.ChoiceFilter(choices=Offence.choices, empty_label="Any offence")
    outcome = django_filters.ChoiceFilter(choices=Prosecution.Outcome.choices, empty_label="Any outcome")

    class Meta:
        model = Prosecution
        fields = ["q", "status", "offence", "outcome"]

    def filter_text(self, queryset, name, value):
        return _text(queryset, value, "PROS-")
