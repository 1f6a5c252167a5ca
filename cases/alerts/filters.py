"""The alert list's FilterSet, shared by the page and its CSV/XLSX download."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from cases.alerts.selectors import user_team_ids
from cases.models import Alert, AlertRule
from schools.common.filters import GdsFilterSet, PupilTextMixin, SchoolFilter
from schools.roles import Role

#: What the list shows when no status is asked for: the alerts still to deal with.
DEFAULT_STATUS = "open"


class AlertFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    rule = django_filters.ModelChoiceFilter(label="Rule", queryset=AlertRule.objects.order_by("name"),
                                            empty_label="Any rule")
    status = django_filters.ChoiceFilter(
        label="Status", method="filter_status", empty_label=None,
        choices=[("open", "To do"), ("done", "Dealt with"), ("any", "Any status")])
    holds = django_filters.ChoiceFilter(
        label="Does the rule still hold?", method="filter_holds", empty_label="Either",
        choices=[("yes", "Still holds"), ("no", "No longer holds")],
        help_text="An alert clears when its rule stops holding (the register was corrected, the term moved on).")
    school = SchoolFilter(label="School")
    assigned = django_filters.ChoiceFilter(
        label="Assigned to", method="filter_assigned", empty_label="Anyone",
        choices=[("me", "Me"), ("team", "My team (and its inbox)"), ("nobody", "Nobody yet")])
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("opened_on", "opened"), ("pupil__legal_last_name", "name"), ("school__name", "school"),
                ("rule__name", "rule"), ("assigned_to__first_name", "assigned")),
        field_labels={"opened": "Opened", "name": "Pupil", "school": "School", "rule": "Rule",
                      "assigned": "Assigned to"},
    )

    class Meta:
        model = Alert
        fields = ["q", "rule", "status", "holds", "school", "assigned"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = DEFAULT_STATUS
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.role == Role.SCHOOL_USER:
            self.filters.pop("assigned", None)  # alerts go to LA staff; a school sees all its pupils' alerts
            self.form.fields.pop("assigned", None)

    def filter_status(self, queryset, name, value):
        return queryset if value == "any" else queryset.filter(status=value)

    def filter_holds(self, queryset, name, value):
        return queryset.filter(cleared_on__isnull=value == "yes")

    def filter_assigned(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "me":
            return queryset.filter(assigned_to=user)
        if value == "team":
            teams = user_team_ids(user)
            return queryset.filter(Q(team_id__in=teams) | Q(assigned_to__team_membership__team_id__in=teams))
        return queryset.filter(assigned_to__isnull=True)
