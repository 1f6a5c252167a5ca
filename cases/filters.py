"""One FilterSet per list, shared by the HTML page, the export and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, ChronologyEntry, Referral, TargetingSupportMeeting, Task, Team
from cases.selectors import officers
from schools.attendance.stages import STAGE_CHECK_CHOICES
from schools.common.filters import DateFilter, GdsFilterSet, RecordNumberFilter, SchoolFilter
from schools.models import AcademicYear, Partnership
from schools.stages import Stage


def _officers(request):
    return officers()


class CaseFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name, UPN or case reference", method="filter_text")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, empty_label="Any status")
    case_type = django_filters.ChoiceFilter(label="Type", choices=Case.CaseType.choices, empty_label="Any type")
    officer = django_filters.ModelChoiceFilter(label="Officer", queryset=_officers, empty_label="Any officer")
    team = django_filters.ModelChoiceFilter(label="Team", field_name="officer__team_membership__team",
                                            queryset=Team.objects.all(), empty_label="Any team",
                                            help_text="Cases allocated to the team's officers.")
    unallocated = django_filters.BooleanFilter(label="Unallocated", field_name="officer", lookup_expr="isnull")
    school = SchoolFilter(label="School")
    partnership = django_filters.ModelChoiceFilter(label="Partnership", field_name="school__partnership",
                                                   queryset=Partnership.objects.all(), empty_label="Any partnership")
    overdue = django_filters.BooleanFilter(label="Overdue review or task", method="filter_overdue")
    stage_check = django_filters.ChoiceFilter(
        label="Stage against attendance", choices=STAGE_CHECK_CHOICES, method="filter_stage_check",
        empty_label="Any", help_text="The stage the LA's thresholds suggest from the year's attendance, against the "
                                     "case's stage (attendance cases not closed).")
    sort = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("opened_on", "opened"), ("next_review_due", "review"), ("stage", "stage"),
                ("pupil__legal_last_name", "name"), ("officer__first_name", "officer"),
                ("last_action_on", "last_action")),
        field_labels={"opened": "Opened", "review": "Next review", "stage": "Stage", "name": "Pupil",
                      "officer": "Officer", "last_action": "Last action"},
    )

    class Meta:
        model = Case
        fields = ["q", "stage", "status", "case_type", "officer", "team", "unallocated", "school", "partnership",
                  "overdue", "stage_check"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        upper = value.upper()
        if upper.startswith("CASE-") and upper[5:].isascii() and upper[5:].isdecimal() and len(upper) <= 23:
            return queryset.filter(pk=int(upper[5:]))
        q = Q()
        for word in value.split():
            q &= (Q(pupil__legal_first_name__icontains=word) | Q(pupil__legal_last_name__icontains=word)
                  | Q(pupil__preferred_first_name__icontains=word) | Q(pupil__upn__iexact=word))
        return queryset.filter(q)

    def filter_stage_check(self, queryset, name, value):
        from schools.attendance.stages import filter_stage_check, with_case_attendance

        if "stage_check" not in queryset.query.annotations:
            queryset = with_case_attendance(queryset, user=getattr(self.request, "user", None))
        return filter_stage_check(queryset, value)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = Q(status=Case.Status.OPEN, next_review_due__lt=today) | Q(has_overdue_task=True)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ReferralFilterSet(GdsFilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices, empty_label="Any status")
    case_type = django_filters.ChoiceFilter(label="Type", choices=Case.CaseType.choices, empty_label="Any type")
    school = SchoolFilter()

    class Meta:
        model = Referral
        fields = ["status", "case_type", "school"]


class ChronologyFilterSet(GdsFilterSet):
    # A plain number: an out-of-scope case id simply matches nothing.
    case = RecordNumberFilter(field_name="case_id")
    entry_type = django_filters.ChoiceFilter(choices=ChronologyEntry.EntryType.choices, empty_label="Any type")
    occurred_from = DateFilter(field_name="occurred_on", lookup_expr="gte")

    class Meta:
        model = ChronologyEntry
        fields = ["case", "entry_type", "occurred_from"]


class TaskFilterSet(GdsFilterSet):
    case = RecordNumberFilter(field_name="case_id")
    status = django_filters.ChoiceFilter(choices=Task.Status.choices, empty_label="Any status")
    mine = django_filters.BooleanFilter(label="Assigned to me", method="filter_mine")

    class Meta:
        model = Task
        fields = ["case", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(assigned_to=user) if value else queryset.exclude(assigned_to=user)


class TsmFilterSet(GdsFilterSet):
    school = SchoolFilter()
    academic_year = django_filters.ModelChoiceFilter(label="Academic year", queryset=AcademicYear.objects.all(),
                                                     empty_label="Any year")
    term = django_filters.ChoiceFilter(choices=TargetingSupportMeeting.TermName.choices, empty_label="Any term")

    class Meta:
        model = TargetingSupportMeeting
        fields = ["school", "academic_year", "term"]
