"""QuickSelect writes the same <select> as Django's Select, only faster."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from schools.common.widgets import QuickSelect
from schools.filters import PupilFilterSet

CHOICES = [("", "Any school"), (1, "Alpha <Primary> & Nursery"), (2, 'St "Bede\'s"'),
           ("Closed", [(3, "Old Road"), (4, "Mill Lane")]), (None, "Unknown"), ("Again", [(4, "Mill Lane again")])]


@pytest.mark.parametrize(("value", "multiple"), [(None, False), ("", False), (2, False), ("2", False), (4, False),
                                                (None, True), ([2], True), ([1, 4], True)])
def test_markup_matches_djangos_select(value, multiple):
    django_widget = forms.SelectMultiple if multiple else forms.Select
    quick = type("QuickMultiple", (QuickSelect,), {"allow_multiple_selected": True}) if multiple else QuickSelect
    attrs = {"id": "id_school", "class": "govuk-select", "aria-describedby": "school-hint"}
    expected = django_widget(attrs=attrs, choices=CHOICES).render("school", value)
    assert parse_html(quick(attrs=attrs, choices=CHOICES).render("school", value)) == parse_html(expected)


def test_list_filters_use_it_and_keep_the_chosen_school(world):
    request = type("Request", (), {"user": world.users["la_officer"]})()
    filterset = PupilFilterSet({"school": str(world.school_b.pk)}, request=request)
    assert isinstance(filterset.form.fields["school"].widget, QuickSelect)
    html = str(filterset.form["school"])
    assert f'<option value="{world.school_b.pk}" selected>{world.school_b.name}</option>' in html
    assert 'class="govuk-select"' in html


def test_a_label_already_marked_safe_is_not_confused_with_the_same_text_unmarked():
    """Unselected options are memoised by their text; a SafeString label keeps its markup, plain text is escaped,
    whichever came first."""
    from django.utils.safestring import mark_safe

    safe = QuickSelect(choices=[(1, mark_safe("A &amp; B"))]).render("school", None)
    plain = QuickSelect(choices=[(1, "A &amp; B")]).render("school", None)
    assert ">A &amp; B<" in safe
    assert ">A &amp;amp; B<" in plain


def test_row_url_builder_gives_the_same_urls_as_reverse():
    from django.urls import reverse

    from schools.common.web import row_url_builder

    for name in ("pupil_attendance", "cases:detail", "cases:entry_add", "legal:letter_pupil"):
        build = row_url_builder(name)
        for pk in (1, 42, 987654321):
            assert build(pk) == reverse(name, args=[pk])
