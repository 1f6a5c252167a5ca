"""One FilterSet per list of pupils, schools, enrolments and the audit log, shared by the HTML page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from schools.common.filters import DateFilter, GdsFilterSet, RecordNumberFilter, SchoolFilter
from schools.models import (
    AuditEvent,
    Enrolment,
    Partnership,
    Pupil,
    School,
    User,
)


class PupilFilterSet(GdsFilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="filter_text")
    # Read by filter_text: with "yes", a name also finds names that sound alike (Pupil.first_name_key/last_name_key).
    sounds_like = django_filters.ChoiceFilter(label="Include names that sound alike", choices=[("yes", "Yes")],
                                              empty_label="No", method="filter_sounds_like")
    upn = django_filters.CharFilter(label="UPN", method="filter_upn")
    date_of_birth = DateFilter(label="Date of birth")
    school = SchoolFilter(label="Current school", method="filter_school")
    nc_year = django_filters.ChoiceFilter(label="NC year", choices=Enrolment.NcYear.choices, method="filter_nc_year",
                                          empty_label="Any year")
    sen_status = django_filters.ChoiceFilter(label="SEN", choices=Pupil.SenStatus.choices, empty_label="Any")
    fsm_eligible = django_filters.BooleanFilter(label="Free school meals")
    looked_after = django_filters.BooleanFilter(label="Looked after")
    cin_cp = django_filters.ChoiceFilter(label="CIN / CP", choices=Pupil.CinCp.choices[1:], empty_label="Any")

    class Meta:
        model = Pupil
        fields = ["q", "sounds_like", "upn", "date_of_birth", "school", "nc_year", "sen_status", "fsm_eligible",
                  "looked_after", "cin_cp"]

    def filter_text(self, queryset, name, value):
        return queryset.search(value, sounds_like=self.form.cleaned_data.get("sounds_like") == "yes")

    def filter_sounds_like(self, queryset, name, value):
        return queryset  # changes how the name is matched (filter_text), not which pupils are listed on its own

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
    date_from = DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From")
    date_to = DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEvent
        fields = ["user", "pupil", "action", "object_type", "date_from", "date_to"]
