"""The failures worklist's FilterSet, shared by the page and its CSV/XLSX download."""

from __future__ import annotations

import django_filters

from legal.messaging import rules
from legal.messaging.models import NotifyMessage
from schools.common.filters import GdsFilterSet, PupilTextMixin

#: What the worklist shows when no state is asked for: the failures nobody has dealt with yet.
DEFAULT_STATE = "open"


class FailureFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    channel = django_filters.ChoiceFilter(label="Sent as", choices=rules.Channel.choices, empty_label="Any")
    status = django_filters.ChoiceFilter(label="What happened", empty_label="Any failure",
                                         choices=[(s.code, s.label) for s in rules.STATUSES
                                                  if s.kind == rules.FAILED])
    state = django_filters.ChoiceFilter(label="Dealt with?", method="filter_state", empty_label=None,
                                        choices=[("open", "Not yet"), ("done", "Dealt with"), ("any", "Either")])
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("status_at", "when"), ("pupil__legal_last_name", "name"), ("carer__full_name", "to"),
                ("channel", "channel"), ("status", "status")),
        field_labels={"when": "When", "name": "Pupil", "to": "To", "channel": "Sent as", "status": "What happened"},
    )

    class Meta:
        model = NotifyMessage
        fields = ["q", "channel", "status", "state"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("state"):
            data = data.copy()
            data["state"] = DEFAULT_STATE
        super().__init__(data, *args, **kwargs)

    def filter_state(self, queryset, name, value):
        if value == "any":
            return queryset
        return queryset.filter(resolved_at__isnull=value == "open")
