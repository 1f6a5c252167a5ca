"""FilterSet pieces every list shares: GOV.UK classes on every filter widget, the school filter (the schools the user
may see), record numbers and URNs read safely from URLs and query strings, and the pupil name-or-UPN search."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from schools.common.forms import DateField, DateInput
from schools.common.widgets import QuickSelect
from schools.models import Pupil, School

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
    """Gives each filter widget its GOV.UK Frontend class so list pages render filters without per-field markup, and
    each yes/no filter the empty choice "Any"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for list_filter in self.filters.values():
            # Before the form is built: a plain <select> is written by QuickSelect (a school filter has 1,250 options).
            if list_filter.field_class.widget is forms.Select and "widget" not in list_filter.extra:
                list_filter.extra["widget"] = QuickSelect
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.MultiWidget):
                continue  # the date filter's boxes carry their own GOV.UK classes (a class here would replace them)
            if isinstance(widget, forms.NullBooleanSelect):
                # A yes/no filter left alone matches everything: "Any", not Django's "Unknown".
                widget.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]
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


class DateFilterInput(DateInput):
    """The GOV.UK date input (the forms' day, month and year boxes, named <name>_0, _1 and _2) in a list filter.

    Links built elsewhere (dashboards, "Show more", exports, the API) put the date in one parameter,
    ``?start_from=2026-11-30``; with no box filled in, that single value is read instead. The boxes a date is wrong in
    are outlined red (``govuk-input--error``), as crispy-forms-gds does for the forms' date fields. ``hint`` is shown
    under the legend when the filter has no help text of its own (help text would also be the API schema's
    description of the parameter)."""

    hint = "For example, 27 3 2026"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.error_parts: tuple[int, ...] = ()

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(str(part or "").strip() for part in parts) and str(data.get(name) or "").strip():
            return str(data.get(name))  # one value from a link: DateFilterField reads it as a date
        return parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def decompress(self, value):
        if isinstance(value, str):  # a link's single value, in the boxes: 30/11/2026 as well as 2026-11-30
            try:
                value = forms.DateField().to_python(value.strip())
            except ValidationError:
                return [None, None, None]
        return super().decompress(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for index, subwidget in enumerate(context["widget"]["subwidgets"]):
            if index in self.error_parts:
                subwidget["attrs"]["class"] = f"{subwidget['attrs'].get('class', '')} govuk-input--error".strip()
            elif self.error_parts:
                subwidget["attrs"].pop("aria-invalid", None)  # only the boxes in error, as they are outlined
        return context


class DateFilterField(DateField):
    """DateField for a filter: the GOV.UK messages on the three boxes ("Received from must include a month", "... must
    be a real date"), and the single value of a link read as a date in the formats the old one-box filter took
    (2026-11-30, 30/11/2026)."""

    widget = DateFilterInput

    def clean(self, value):
        self.widget.error_parts = ()
        try:
            if isinstance(value, str):
                for part in self.fields:
                    part.widget.errors = []
                return self._clean_single(value)
            return super().clean(value)
        except ValidationError:
            marked = tuple(i for i, part in enumerate(self.fields) if getattr(part.widget, "errors", None))
            self.widget.error_parts = marked or tuple(range(len(self.fields)))
            raise

    def _clean_single(self, text: str):
        text = text.strip()
        if not text:
            return None
        try:
            result = forms.DateField().to_python(text)
        except ValidationError:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid") from None
        self.run_validators(result)
        return result


class DateFilter(django_filters.DateFilter):
    """A date in a list filter as the GOV.UK date input: day, month and year boxes under a legend (see
    templates/includes/filter_fields.html). An empty date does not filter; a part missing or a date that does not
    exist shows the GOV.UK message on the filter, and the list is shown without that filter."""

    field_class = DateFilterField


class PupilTextMixin:
    """"Name or UPN" on lists of pupil-linked rows: the same search as the pupil list."""

    pupil_path = "pupil"

    def filter_pupil_text(self, queryset, name, value):
        return queryset.filter(**{f"{self.pupil_path}__in": Pupil.objects.search(value).values("pk")})
