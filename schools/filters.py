"""One FilterSet per list, shared by the HTML page and the API (DESIGN.md)."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404

from schools.common.widgets import QuickSelect
from schools.exclusions.rules import ALL_REASON_CHOICES
from schools.models import (
    APProvider,
    AuditEvent,
    ChildNotInSchool,
    CMERecord,
    Enrolment,
    Exclusion,
    ExclusionReminder,
    FairAccessReferral,
    ManagedMove,
    Partnership,
    PartTimeTimetable,
    Placement,
    Pupil,
    School,
    User,
)

# Largest primary key either database stores (a signed 64-bit integer in PostgreSQL and SQLite).
MAX_RECORD_NUMBER = 2**63 - 1
_RECORD_NUMBER = re.compile(r"[0-9]{1,19}")
_URN = re.compile(r"[0-9]{6}")


class RecordNumberFilter(django_filters.NumberFilter):
    """A record number (primary key) in a query string: a whole number from 1 to MAX_RECORD_NUMBER. A plain
    NumberFilter takes any decimal, so "1e40" reached the database and overflowed its integer (a server error); this
    answers "Enter a whole number" as a 400 on the API and a field error on the page instead."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_RECORD_NUMBER)
        super().__init__(*args, **kwargs)


def record_number_or_404(text) -> int:
    """A record number from a URL. The API router lets any text through as ``{id}``; text that is not a whole number
    in range names no record, so it is a 404 like any other missing record, not a ValueError from the query."""
    text = str(text)
    if not _RECORD_NUMBER.fullmatch(text) or not 1 <= int(text) <= MAX_RECORD_NUMBER:
        raise Http404("No such record.")
    return int(text)


def urn_or_404(text) -> str:
    """A school URN from a URL or query string. Anything but six digits names no school (a 404), and never reaches
    the database: PostgreSQL refuses text with a NUL in it, which would be a server error."""
    text = str(text).strip()
    if not _URN.fullmatch(text):
        raise Http404("No such school.")
    return text


class GdsFilterSet(django_filters.FilterSet):
    """Gives each filter widget its GOV.UK Frontend class so list pages render filters without per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for list_filter in self.filters.values():
            # Before the form is built: a plain <select> is written by QuickSelect (a school filter has 1,250 options).
            if list_filter.field_class.widget is forms.Select and "widget" not in list_filter.extra:
                list_filter.extra["widget"] = QuickSelect
        for field in self.form.fields.values():
            widget = field.widget
            css = "govuk-select" if isinstance(widget, forms.Select) else "govuk-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _visible_schools(request):
    if request is None:
        return School.objects.none()
    return School.objects.visible_to(request.user)


class SchoolChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """A school filter's options as (value, name) rows straight from the database. Building a large LA's 1,250
    School objects for one <select> cost more than the list page's own queries; a school's label is its name
    (School.__str__). Choosing still goes through the field's queryset, so a school outside the scope is refused."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk", "name")


class SchoolChoiceField(django_filters.fields.ModelChoiceField):
    iterator = SchoolChoiceIterator


class SchoolFilter(django_filters.ModelChoiceFilter):
    """Every list's school filter: the schools the user may see, by name."""

    field_class = SchoolChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _visible_schools)
        kwargs.setdefault("empty_label", "Any school")
        super().__init__(*args, **kwargs)


class PupilFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    upn = django_filters.CharFilter(label="UPN", method="filter_upn")
    date_of_birth = django_filters.DateFilter(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"}))
    school = SchoolFilter(label="Current school", method="filter_school")
    nc_year = django_filters.ChoiceFilter(label="NC year", choices=Enrolment.NcYear.choices, method="filter_nc_year",
                                          empty_label="Any year")
    sen_status = django_filters.ChoiceFilter(label="SEN", choices=Pupil.SenStatus.choices, empty_label="Any")
    fsm_eligible = django_filters.BooleanFilter(label="Free school meals")
    looked_after = django_filters.BooleanFilter(label="Looked after")
    cin_cp = django_filters.ChoiceFilter(label="CIN / CP", choices=Pupil.CinCp.choices[1:], empty_label="Any")

    class Meta:
        model = Pupil
        fields = ["q", "upn", "date_of_birth", "school", "nc_year", "sen_status", "fsm_eligible", "looked_after",
                  "cin_cp"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_upn(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(Q(upn=value) | Q(former_upn=value))

    def _current_enrolment(self, **lookups):
        user = getattr(self.request, "user", None)
        visible = Enrolment.objects.visible_to(user)
        return Exists(visible.filter(pupil=OuterRef("pk"), end_date__isnull=True, **lookups))

    def filter_school(self, queryset, name, value: School):
        return queryset.filter(self._current_enrolment(school=value))

    def filter_nc_year(self, queryset, name, value: int):
        return queryset.filter(self._current_enrolment(nc_year=value))


class EnrolmentFilterSet(GdsFilterSet):
    # Plain numbers, not model choices: an id outside the user's scope simply matches nothing.
    pupil = RecordNumberFilter(field_name="pupil_id")
    school = RecordNumberFilter(field_name="school_id")
    current = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="Still on roll")

    class Meta:
        model = Enrolment
        fields = ["pupil", "school", "current"]


class SchoolFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name, URN or LAESTAB", method="filter_text")
    phase = django_filters.ChoiceFilter(choices=School.Phase.choices, empty_label="Any phase")
    partnership = django_filters.ModelChoiceFilter(queryset=Partnership.objects.all(), empty_label="Any partnership")
    is_open = django_filters.BooleanFilter(label="Open")

    class Meta:
        model = School
        fields = ["q", "phase", "partnership", "is_open"]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(urn=value) | Q(laestab=value))


class AuditEventFilterSet(GdsFilterSet):
    user = django_filters.ModelChoiceFilter(queryset=User.objects.order_by("username"), empty_label="Any user")
    pupil = RecordNumberFilter(field_name="pupil_id", label="Pupil record number")
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices, empty_label="Any action")
    object_type = django_filters.CharFilter(label="Record type", lookup_expr="iexact")
    date_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEvent
        fields = ["user", "pupil", "action", "object_type", "date_from", "date_to"]


# ---------------------------------------------------------------------------------------------------------------
# Exclusions and provision (issue 5): one FilterSet per list, for the page, its CSV/XLSX export and the API.

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"})}


class PupilTextMixin:
    """"Name or UPN" on lists of pupil-linked rows: the same search as the pupil list."""

    pupil_path = "pupil"

    def filter_pupil_text(self, queryset, name, value):
        return queryset.filter(**{f"{self.pupil_path}__in": Pupil.objects.search(value).values("pk")})


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
    start_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte", label="Starting from",
                                           **DATE_WIDGET)
    start_to = django_filters.DateFilter(field_name="start_date", lookup_expr="lte", label="Starting up to",
                                         **DATE_WIDGET)

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

    class Meta:
        model = CMERecord
        fields = ["q", "outcome", "reason"]

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
