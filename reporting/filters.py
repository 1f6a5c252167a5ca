"""FilterSets for the reporting drill-down lists, shared by each page, its CSV/XLSX download and its API. The
figure being drilled into (period, scope, pupil group) comes from the dashboard link; these narrow it further."""

from __future__ import annotations

import django_filters

from reporting.models import ReportRun
from schools.attendance.filters import AttendancePupilFilterSet
from schools.common.filters import GdsFilterSet, PupilTextMixin, RecordNumberFilter
from schools.exclusions.rules import ALL_REASON_CHOICES
from schools.models import Exclusion


class DrillPupilFilterSet(AttendancePupilFilterSet):
    """The attendance list's own filters (show PA/SA/all, name, suggested stage, stage check) over the pupils behind
    a reporting figure; the school, phase and partnership come from the figure's scope instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("school", "phase", "partnership"):
            self.filters.pop(name, None)
            self.form.fields.pop(name, None)


class DrillExclusionFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    kind = django_filters.ChoiceFilter(label="Type", choices=Exclusion.Kind.choices, empty_label="Any type")
    reason = django_filters.ChoiceFilter(label="Reason", method="filter_reason", empty_label="Any reason",
                                         choices=ALL_REASON_CHOICES)

    class Meta:
        model = Exclusion
        fields = ["q", "kind", "reason"]

    def filter_reason(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(reason_1=value) | Q(reason_2=value) | Q(reason_3=value))


class ReportRunFilterSet(GdsFilterSet):
    trigger = django_filters.ChoiceFilter(label="Made", choices=ReportRun.Trigger.choices, empty_label="Either way")
    term = RecordNumberFilter(label="Term record number", field_name="term_id")
    school = django_filters.CharFilter(label="School URN", field_name="school__urn")

    class Meta:
        model = ReportRun
        fields = ["trigger", "term", "school"]
