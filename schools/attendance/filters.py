"""One FilterSet per attendance list, shared by its page, its CSV/XLSX export and its API endpoint (DESIGN.md).

The period is not a filter: pages and the API read it the same way (``?period=`` with a key from the period picker,
or ``?start=YYYY-MM-DD&end=YYYY-MM-DD``; the year to date otherwise) and every response names it.
"""

from __future__ import annotations

import django_filters
from django.db.models import F, Q

from schools.attendance.codes import PERSISTENT_ABSENCE_RATE, SEVERE_ABSENCE_RATE, Stage
from schools.attendance.stages import STAGE_CHECK_CHOICES, filter_stage_check
from schools.common.filters import GdsFilterSet, RecordNumberFilter, SchoolFilter
from schools.models import (
    AttendanceImport,
    CtfReviewItem,
    Enrolment,
    Job,
    Partnership,
    PnThresholdEntry,
    Pupil,
    School,
)

SHOW_CHOICES = [("pa", "Persistently absent (10% or more)"), ("sa", "Severely absent (50% or more)"),
                ("all", "All pupils with sessions in the period")]
GROUP_CHOICES = [("school", "By school"), ("phase", "By phase"), ("partnership", "By partnership")]


class _DefaultsMixin:
    """Filters that always apply a value (the list's default) when the request gives none, so the page and the API
    answer the same question for the same URL."""

    defaults: dict[str, str] = {}

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            missing = {name: value for name, value in self.defaults.items() if not data.get(name)}
            if missing:
                data = data.copy()
                data.update(missing)
        super().__init__(data, *args, **kwargs)


def _pupil_text(queryset, value: str, path: str = "pupil"):
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(**{f"{path}__in": Pupil.objects.search(value).values("pk")})


class _EnrolmentScopeFilters(GdsFilterSet):
    """Which enrolments a list covers: a school (by URN, as in the page URLs), a phase, a partnership, a name."""

    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    school = SchoolFilter(label="School", to_field_name="urn")
    phase = django_filters.ChoiceFilter(label="Phase", field_name="school__phase", choices=School.Phase.choices,
                                        empty_label="Any phase")
    partnership = django_filters.ModelChoiceFilter(label="Partnership", field_name="school__partnership",
                                                   queryset=Partnership.objects.all(), empty_label="Any partnership")

    def filter_text(self, queryset, name, value):
        return _pupil_text(queryset, value)


class AttendancePupilFilterSet(_DefaultsMixin, _EnrolmentScopeFilters):
    """The pupils behind a figure: a school's PA/SA list and the LA drill-down (rows from
    schools.attendance.stages.attendance_pupil_list)."""

    defaults = {"show": "pa"}
    show = django_filters.ChoiceFilter(label="Pupils", choices=SHOW_CHOICES, method="filter_show", empty_label=None)
    suggested_stage = django_filters.ChoiceFilter(label="Suggested stage", choices=Stage.choices,
                                                  method="filter_suggested", empty_label="Any stage")
    stage_check = django_filters.ChoiceFilter(label="Stage check", choices=STAGE_CHECK_CHOICES,
                                              method="filter_stage_check", empty_label="Any")

    class Meta:
        model = Enrolment
        fields = ["q", "school", "phase", "partnership", "show", "suggested_stage", "stage_check"]

    def filter_show(self, queryset, name, value):
        from schools.attendance.selectors import at_or_above

        stored = "stored_pa" in queryset.query.annotations  # a stored period: its rows carry the PA and SA flags
        if value == "pa":
            return queryset.filter(stored_pa=True) if stored else at_or_above(queryset, PERSISTENT_ABSENCE_RATE)
        if value == "sa":  # severe absence is persistent too (50% >= 10%), so the PA index serves it as well
            return (queryset.filter(stored_pa=True, stored_sa=True) if stored
                    else at_or_above(queryset, SEVERE_ABSENCE_RATE))
        return queryset.filter(possible__gt=0)

    def filter_suggested(self, queryset, name, value):
        return queryset.filter(suggested_stage=int(value))

    def filter_stage_check(self, queryset, name, value):
        return filter_stage_check(queryset, value)


class AttendanceOverviewFilterSet(_EnrolmentScopeFilters):
    """The LA overview: which enrolments its rows add up (the grouping is its own parameter, ``group``)."""

    class Meta:
        model = Enrolment
        fields = ["phase", "partnership"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The overview adds schools up; naming one school or one pupil is the drill-down's job.
        for name in ("q", "school"):
            self.filters.pop(name, None)
            self.form.fields.pop(name, None)


class PnThresholdFilterSet(_EnrolmentScopeFilters):
    """The penalty-notice threshold list, per school (by URN) or LA-wide."""

    class Meta:
        model = Enrolment
        fields = ["q", "school", "phase", "partnership"]


VULNERABLE_CHOICES = [("looked_after", "Looked after"), ("cin_cp", "Child in need or on a protection plan"),
                      ("ehcp", "EHC plan"), ("sen_support", "SEN support"), ("fsm", "Free school meals")]
ACTION_CHOICES = [("none", "No action yet"), ("done", "Action taken")]


class ThresholdWorklistFilterSet(GdsFilterSet):
    """The penalty-notice threshold worklist (rows: a kept run's entries, schools.attendance.threshold)."""

    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    school = SchoolFilter(label="School", to_field_name="urn")
    partnership = django_filters.ModelChoiceFilter(label="Partnership", field_name="school__partnership",
                                                   queryset=Partnership.objects.all(), empty_label="Any partnership")
    mine = django_filters.BooleanFilter(label="My link schools only", method="filter_mine",
                                        widget=django_filters.widgets.BooleanWidget())
    year = django_filters.ChoiceFilter(label="Year group", field_name="enrolment__nc_year",
                                       choices=Enrolment.NcYear.choices, empty_label="Any year")
    group = django_filters.ChoiceFilter(label="Pupil group", choices=VULNERABLE_CHOICES, method="filter_group",
                                        empty_label="Any pupil")
    action = django_filters.ChoiceFilter(label="Action", choices=ACTION_CHOICES, method="filter_action",
                                         empty_label="Any")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("sort_name", "name"), ("school__name", "school"), ("sessions", "sessions"),
                ("window_end", "met"), ("last_action_on", "last_action")),
        field_labels={"name": "Pupil", "school": "School", "sessions": "Sessions", "met": "Met by",
                      "last_action": "Last action"},
    )

    class Meta:
        model = PnThresholdEntry
        fields = ["q", "school", "partnership", "mine", "year", "group", "action"]

    def filter_text(self, queryset, name, value):
        return _pupil_text(queryset, value)

    def filter_mine(self, queryset, name, value):
        from schools.common import providers

        linked = providers.provider("attendance.link_school_ids")
        if not value or linked is None:
            return queryset
        return queryset.filter(school_id__in=linked(self.request.user))

    def filter_group(self, queryset, name, value):
        condition = {"looked_after": Q(pupil__looked_after=True), "cin_cp": ~Q(pupil__cin_cp=""),
                     "ehcp": Q(pupil__sen_status=Pupil.SenStatus.EHCP),
                     "sen_support": Q(pupil__sen_status=Pupil.SenStatus.SEN_SUPPORT),
                     "fsm": Q(pupil__fsm_eligible=True)}[value]
        return queryset.filter(condition)

    def filter_action(self, queryset, name, value):
        taken = Q(last_action_on__gte=F("window_start"))
        return queryset.filter(taken) if value == "done" else queryset.exclude(taken)


class AttendanceImportFilterSet(GdsFilterSet):
    kind = django_filters.ChoiceFilter(label="Kind of file", choices=AttendanceImport.Kind.choices,
                                       empty_label="Any kind")
    status = django_filters.ChoiceFilter(label="Status", field_name="job__status", choices=Job.Status.choices,
                                         empty_label="Any status")
    held = django_filters.BooleanFilter(label="Has pupils waiting for review", method="filter_held")

    class Meta:
        model = AttendanceImport
        fields = ["kind", "status", "held"]

    def filter_held(self, queryset, name, value):
        waiting = Q(review_items__status=CtfReviewItem.Status.PENDING)
        return (queryset.filter(waiting) if value else queryset.exclude(waiting)).distinct()


REVIEW_STATUS_CHOICES = [*CtfReviewItem.Status.choices, ("resolved", "Resolved (matched, created or rejected)"),
                         ("all", "Any status")]


class CtfReviewFilterSet(_DefaultsMixin, GdsFilterSet):
    """The CTF review queue: waiting items unless another status is asked for."""

    defaults = {"status": CtfReviewItem.Status.PENDING}
    q = django_filters.CharFilter(label="Name or UPN in the file", method="filter_text")
    status = django_filters.ChoiceFilter(label="Status", choices=REVIEW_STATUS_CHOICES, method="filter_status",
                                         empty_label=None)
    reason = django_filters.ChoiceFilter(label="Why it is held", choices=CtfReviewItem.Reason.choices,
                                         empty_label="Any reason")
    school = SchoolFilter(label="School", to_field_name="urn")
    attendance_import = RecordNumberFilter(label="Import number", field_name="attendance_import_id")

    class Meta:
        model = CtfReviewItem
        fields = ["q", "status", "reason", "school", "attendance_import"]

    def filter_status(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "resolved":
            return queryset.filter(status__in=CtfReviewItem.RESOLVED)
        return queryset.filter(status=value)

    def filter_text(self, queryset, name, value):
        q = Q()
        for word in value.split():
            q &= (Q(surname__icontains=word) | Q(forename__icontains=word) | Q(preferred_surname__icontains=word)
                  | Q(upn__iexact=word) | Q(former_upn__iexact=word))
        return queryset.filter(q)
