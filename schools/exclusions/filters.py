"""One FilterSet per exclusions and provision list, for the page, its CSV/XLSX export and the API."""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from schools.common.filters import DateFilter, GdsFilterSet, PupilTextMixin, RecordNumberFilter, SchoolFilter
from schools.exclusions.rules import ALL_REASON_CHOICES
from schools.models import (
    APProvider,
    ChildNotInSchool,
    CMERecord,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    Partnership,
    PartTimeTimetable,
    Placement,
    Pupil,
    School,
)


def _open_deadlines() -> list[tuple[str, str]]:
    return [("board_due", "board_met_on"), ("irp_application_due", "irp_applied_on"),
            ("irp_meeting_due", "irp_decided_on"), ("reconsideration_due", "reconsidered_on")]


class ExclusionFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    pupil = RecordNumberFilter(field_name="pupil_id", label="Pupil record number")
    school = SchoolFilter(label="School")
    kind = django_filters.ChoiceFilter(label="Type", choices=Exclusion.Kind.choices, empty_label="Any type")
    reason = django_filters.ChoiceFilter(label="Reason", method="filter_reason", empty_label="Any reason",
                                         choices=ALL_REASON_CHOICES)
    status = django_filters.ChoiceFilter(label="Status", method="filter_status", empty_label="Any status",
                                         choices=[("active", "Not cancelled"), ("cancelled", "Cancelled")])
    deadline = django_filters.ChoiceFilter(
        label="Deadlines", method="filter_deadline", empty_label="Any",
        choices=[("due_soon", "A deadline due within 2 school days"), ("missed", "A deadline missed"),
                 ("day6_missing", "No provision by day 6")])
    day6_duty = django_filters.ChoiceFilter(label="Day-6 duty", choices=Exclusion.Day6Duty.choices[1:],
                                            empty_label="LA or school")
    start_from = DateFilter(field_name="start_date", lookup_expr="gte", label="Starting from")
    start_to = DateFilter(field_name="start_date", lookup_expr="lte", label="Starting up to")

    class Meta:
        model = Exclusion
        fields = ["q", "pupil", "school", "kind", "reason", "status", "deadline", "day6_duty", "start_from",
                  "start_to"]

    def filter_reason(self, queryset, name, value):
        return queryset.filter(Q(reason_1=value) | Q(reason_2=value) | Q(reason_3=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(cancelled_on__isnull=(value == "active"))

    def filter_deadline(self, queryset, name, value):
        from schools.exclusions.selectors import soon_limit, today

        if value == "day6_missing":
            return queryset.missing_day6_provision()
        on = today()
        bounds = {"missed": {"lt": on}, "due_soon": {"gte": on, "lte": soon_limit(on)}}[value]
        condition = Q(pk__in=[])
        for due, done in _open_deadlines():
            condition |= Q(**{f"{due}__{op}": day for op, day in bounds.items()}, **{f"{done}__isnull": True})
        missing_day6 = Q(provision_from__isnull=True) | Q(provision_from__gt=F("day6_date"))
        condition |= Q(missing_day6, **{f"day6_date__{op}": day for op, day in bounds.items()})
        return queryset.filter(condition, cancelled_on__isnull=True)


class PlacementFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    pupil = RecordNumberFilter(field_name="pupil_id", label="Pupil record number")
    exclusion = RecordNumberFilter(field_name="exclusion_id", label="Exclusion record number")
    arranged_by = django_filters.ChoiceFilter(choices=Placement.ArrangedBy.choices, empty_label="LA or school")
    provider_kind = django_filters.ChoiceFilter(label="Provider", choices=Placement.ProviderKind.choices,
                                                empty_label="Any provider")
    ap_provider = RecordNumberFilter(field_name="ap_provider_id", label="AP provider record number")
    current = django_filters.BooleanFilter(label="Current", method="filter_current")

    class Meta:
        model = Placement
        fields = ["q", "pupil", "exclusion", "arranged_by", "provider_kind", "ap_provider", "current"]

    def filter_current(self, queryset, name, value):
        from schools.exclusions.selectors import today

        current = queryset.current(today())
        return current if value else queryset.exclude(pk__in=current.values("pk"))


class PartTimeTimetableFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    pupil = RecordNumberFilter(field_name="pupil_id", label="Pupil record number")
    school = SchoolFilter(label="School")
    status = django_filters.ChoiceFilter(label="Status", method="filter_status", empty_label="Any status",
                                         choices=[("open", "Running"), ("ended", "Ended")])
    flag = django_filters.ChoiceFilter(
        label="Flag", method="filter_flag", empty_label="Any",
        choices=[("review_overdue", "Review overdue"), ("past_end", "Past planned end"),
                 ("long_running", "Long-running (over six school weeks)"), ("not_notified", "LA not notified")])
    reason = django_filters.ChoiceFilter(choices=PartTimeTimetable.Reason.choices, empty_label="Any reason")

    class Meta:
        model = PartTimeTimetable
        fields = ["q", "pupil", "school", "status", "flag", "reason"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=(value == "open"))

    def filter_flag(self, queryset, name, value):
        from schools.exclusions.selectors import part_time_flags

        flags = part_time_flags()
        running = queryset.filter(ended_on__isnull=True)
        if value == "review_overdue":
            return running.filter(next_review_date__lt=flags.today)
        if value == "past_end":
            return running.filter(planned_end_date__lt=flags.today)
        if value == "not_notified":
            return running.filter(la_notified_on__isnull=True)
        if flags.long_running_since is None:
            return running.none()
        return running.filter(start_date__lte=flags.long_running_since)


class ManagedMoveFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    pupil = RecordNumberFilter(field_name="pupil_id", label="Pupil record number")
    school = SchoolFilter(label="From or to school", method="filter_school")
    outcome = django_filters.ChoiceFilter(choices=ManagedMove.Outcome.choices, empty_label="Any outcome")

    class Meta:
        model = ManagedMove
        fields = ["q", "pupil", "school", "outcome"]

    def filter_school(self, queryset, name, value: School):
        return queryset.filter(Q(from_school=value) | Q(to_school=value))


class FairAccessFilterSet(PupilTextMixin, GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_pupil_text")
    panel = django_filters.ModelChoiceFilter(label="Panel area", queryset=Partnership.objects.all(),
                                             empty_label="Any panel")
    category = django_filters.ChoiceFilter(choices=FairAccessReferral.Category.choices, empty_label="Any category")
    status = django_filters.ChoiceFilter(label="Status", method="filter_status", empty_label="Any status",
                                         choices=[("open", "Without a placement"), ("placed", "Placed")])
    band = django_filters.ChoiceFilter(label="Days without a placement", method="filter_band", empty_label="Any",
                                       choices=[("38", "38 or more"), ("69", "69 or more"), ("100", "100 or more")])

    class Meta:
        model = FairAccessReferral
        fields = ["q", "panel", "category", "status", "band"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(placed_on__isnull=(value == "open"))

    def filter_band(self, queryset, name, value):
        from schools.exclusions.selectors import date_school_days_back

        n = int(value)
        since = date_school_days_back(n)
        still_out = Q(placed_on__isnull=True, out_of_school_since__lte=since) if since else Q(pk__in=[])
        return queryset.filter(still_out | Q(placed_on__isnull=False, days_without_placement__gte=n))


class CMEFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    outcome = django_filters.ChoiceFilter(choices=CMERecord.Outcome.choices, empty_label="Any outcome")
    reason = django_filters.ChoiceFilter(choices=CMERecord.Reason.choices, empty_label="Any reason")
    enquiries = django_filters.ChoiceFilter(
        label="Enquiries", method="filter_enquiries", empty_label="Any",
        choices=[("overdue", "Overdue: open, no enquiry for two school weeks")])

    class Meta:
        model = CMERecord
        fields = ["q", "outcome", "reason", "enquiries"]

    def filter_enquiries(self, queryset, name, value):
        """Open cases whose last enquiry (or, with none, the referral) is older than the LA's interval
        (schools.exclusions.rules.CME_ENQUIRY_INTERVAL_SCHOOL_DAYS, in school days on the LA calendar)."""
        from schools.exclusions.rules import CME_ENQUIRY_INTERVAL_SCHOOL_DAYS
        from schools.exclusions.selectors import date_school_days_back

        since = date_school_days_back(CME_ENQUIRY_INTERVAL_SCHOOL_DAYS)
        if since is None:  # no term dates cover today: fall back to calendar weeks rather than hide every case
            since = timezone.localdate() - datetime.timedelta(weeks=2)
        return (queryset.filter(outcome=CMERecord.Outcome.OPEN)
                .annotate(last_enquiry=Coalesce(Max("enquiries__made_on"), F("referred_on")))
                .filter(last_enquiry__lt=since))

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(pupil__in=Pupil.objects.search(value).values("pk"))
                               | Q(child_name__icontains=value.strip()))


class APProviderFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name", field_name="name", lookup_expr="icontains")
    is_active = django_filters.BooleanFilter(label="Active")

    class Meta:
        model = APProvider
        fields = ["q", "is_active"]


class ExclusionReminderFilterSet(GdsFilterSet):
    status = django_filters.ChoiceFilter(label="Status", method="filter_status", empty_label="Any status",
                                         choices=[("open", "Open"), ("resolved", "Resolved")])
    kind = django_filters.ChoiceFilter(label="Deadline", choices=ExclusionReminder.Kind.choices, empty_label="Any")

    class Meta:
        model = ExclusionReminder
        fields = ["status", "kind"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(resolved_on__isnull=(value == "open"))


class ChildNotInSchoolFilterSet(GdsFilterSet):
    category = django_filters.ChoiceFilter(choices=ChildNotInSchool.Category.choices, empty_label="Any category")

    class Meta:
        model = ChildNotInSchool
        fields = ["category"]
