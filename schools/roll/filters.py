"""The roll notifications list's FilterSet, shared by the page, its CSV/XLSX download and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from schools.common.filters import DateFilter, GdsFilterSet, SchoolFilter
from schools.models import RollNotification
from schools.roll import rules
from schools.scoping import is_la_user

#: What the LA's list shows when no status is asked for: the triage queue.
DEFAULT_LA_STATUS = RollNotification.Status.TO_TRIAGE


class RollNotificationFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    school = SchoolFilter(label="School")
    kind = django_filters.ChoiceFilter(label="Kind", choices=RollNotification.Kind.choices, empty_label="Either")
    ground = django_filters.ChoiceFilter(label="Ground for deletion", choices=rules.GROUND_CHOICES,
                                         empty_label="Any ground")
    status = django_filters.ChoiceFilter(
        label="Status", method="filter_status", empty_label=None,
        choices=[*RollNotification.Status.choices, ("any", "Any status")])
    overdue = django_filters.ChoiceFilter(
        label="Sent on time?", method="filter_overdue", empty_label="Either",
        choices=[("late", "Late"), ("on_time", "On time")],
        help_text="Admission notices are due within 5 school days; deletion notices by the deletion (reg 13).")
    matched = django_filters.ChoiceFilter(
        label="Matched to a pupil?", method="filter_matched", empty_label="Either",
        choices=[("yes", "Matched"), ("no", "Not matched")])
    received_from = DateFilter(label="Received from", field_name="received_on", lookup_expr="gte")
    received_to = DateFilter(label="Received to", field_name="received_on", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("received_on", "received"), ("last_name", "name"), ("school__name", "school"),
                ("event_date", "date"), ("ground", "ground")),
        field_labels={"received": "Received", "name": "Pupil", "school": "School", "date": "Date",
                      "ground": "Ground"},
    )

    class Meta:
        model = RollNotification
        fields = ["q", "school", "kind", "ground", "status", "overdue", "matched"]

    def __init__(self, data=None, *args, **kwargs):
        user = getattr(kwargs.get("request"), "user", None)
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = DEFAULT_LA_STATUS if is_la_user(user) else "any"
        super().__init__(data, *args, **kwargs)
        if not is_la_user(user):
            self.filters.pop("matched", None)  # the LA's match is not shown to schools
            self.form.fields.pop("matched", None)

    def filter_text(self, queryset, name, value):
        q = Q()
        for word in value.split():
            q &= Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(upn__iexact=word)
        return queryset.filter(q)

    def filter_status(self, queryset, name, value):
        return queryset if value == "any" else queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(late=value == "late")

    def filter_matched(self, queryset, name, value):
        return queryset.filter(pupil__isnull=value == "no")
