"""The shared GOV.UK form pieces (schools/common/forms.py): messages written from labels, the date input, radios
without a blank answer, the error summary's links and conditional reveals. Worked examples written out by hand."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template import Context, Template

from schools.common.forms import DateField, GdsFormMixin, RevealRadios, noun_phrase, required_message


class VisitForm(GdsFormMixin, forms.Form):
    visited_on = DateField(label="Date of the home visit")
    next_on = DateField(label="Next visit (optional)", required=False)
    kind = forms.ChoiceField(label="Kind of visit", widget=forms.RadioSelect,
                             choices=[("", "---------"), ("planned", "Planned"), ("unannounced", "Unannounced")])
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose"), ("seen", "Child seen")])
    notes = forms.CharField(label="Notes")
    upn = forms.CharField(label="UPN")
    why = forms.CharField(label="Why was the visit made?")
    own = forms.CharField(label="Own", error_messages={"required": "Say who went"})
    sessions = forms.IntegerField(label="Sessions missed")


def _form(**data):
    form = VisitForm(data={"kind": "planned", "outcome": "seen", "notes": "n", "upn": "A", "why": "w", "own": "o",
                           "sessions": "1", **data})
    form.is_valid()
    return form


@pytest.mark.parametrize(("label", "expected"), [
    ("Date of the review", "the date of the review"),
    ("Due date", "the due date"),
    ("Your concerns", "your concerns"),
    ("UPN", "the UPN"),
    ("LA officer (optional)", "the LA officer"),
    ("Attendance over the period (%, optional)", "the attendance over the period"),
])
def test_noun_phrase_from_a_label(label, expected):
    assert noun_phrase(label) == expected


def test_messages_for_an_empty_submit_say_what_to_do():
    form = VisitForm(data={})
    assert not form.is_valid()
    assert form.errors["visited_on"] == ["Enter the date of the home visit"]
    assert form.errors["kind"] == ["Choose the kind of visit"]  # radios
    assert form.errors["outcome"] == ["Choose the outcome"]  # a select
    assert form.errors["notes"] == ["Enter the notes"]
    assert form.errors["upn"] == ["Enter the UPN"]
    assert form.errors["why"] == ["Enter your answer to ‘Why was the visit made?’"]
    assert form.errors["own"] == ["Say who went"]  # a field's own message wins
    assert "next_on" not in form.errors  # optional
    assert not [m for errors in form.errors.values() for m in errors if m == "This field is required."]


def test_a_number_field_says_what_it_wants():
    assert _form(visited_on_0="1", visited_on_1="2", visited_on_2="2026", sessions="ten").errors["sessions"] == [
        "Sessions missed must be a whole number, like 12"]


def test_required_message_by_kind_of_field():
    assert required_message(forms.FileField(), "Evidence") == "Choose the evidence to upload"
    assert required_message(forms.BooleanField(), "I have checked the address") == \
        "Tick the box: i have checked the address"
    assert required_message(forms.ModelChoiceField(queryset=None), "Officer") == "Choose the officer"


@pytest.mark.parametrize(("day", "month", "year", "message", "marked"), [
    ("", "", "", "Enter the date of the home visit", []),
    ("12", "", "2026", "Date of the home visit must include a month", [1]),
    ("", "", "2026", "Date of the home visit must include a day and month", [0, 1]),
    ("12", "3", "", "Date of the home visit must include a year", [2]),
    ("31", "2", "2026", "Date of the home visit must be a real date", [0]),  # no 31 February
    ("29", "2", "2025", "Date of the home visit must be a real date", [0]),  # 2025 is not a leap year
    ("1", "13", "2026", "Date of the home visit must be a real date", [1]),
    ("1st", "3", "2026", "Date of the home visit must be a real date", [0]),
    ("1", "3", "26", "Date of the home visit must include a 4-digit year, like 2026", [2]),
])
def test_date_input_messages_and_the_boxes_marked(day, month, year, message, marked):
    form = _form(visited_on_0=day, visited_on_1=month, visited_on_2=year)
    assert form.errors["visited_on"] == [message]
    parts = form.fields["visited_on"].fields
    assert [i for i, part in enumerate(parts) if part.widget.errors] == marked
    anchor = dict((m, a) for a, m in form.error_links())[message]
    assert anchor == f"id_visited_on_{marked[0] if marked else 0}"


def test_a_real_date_in_three_boxes():
    form = _form(visited_on_0=" 29 ", visited_on_1="02", visited_on_2="2024")  # a leap year, spaces and a 0 are fine
    assert form.is_valid(), form.errors
    assert form.cleaned_data["visited_on"] == datetime.date(2024, 2, 29)
    assert form.cleaned_data["next_on"] is None


def test_the_date_input_markup_is_gov_uk():
    form = VisitForm(initial={"visited_on": datetime.date(2026, 11, 23)})
    html = form["visited_on"].as_widget()
    assert 'class="govuk-date-input"' in html
    assert '<label class="govuk-label govuk-date-input__label" for="id_visited_on_1">Month</label>' in html
    assert 'name="visited_on_2" value="2026"' in html and 'inputmode="numeric"' in html
    assert "required" not in html and 'type="date"' not in html


def test_radios_have_no_blank_answer_and_the_form_is_novalidate():
    form = VisitForm()
    assert [value for value, _ in form.fields["kind"].choices] == ["planned", "unannounced"]
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    assert "novalidate" in html.split(">")[0]
    assert "---------" not in html and " required" not in html


def test_the_error_summary_links_each_error_to_its_input():
    form = VisitForm(data={})
    form.is_valid()
    html = Template('{% include "includes/error_summary.html" %}').render(Context({"form": form}))
    assert 'class="govuk-error-summary"' in html and "There is a problem" in html
    assert '<a href="#id_visited_on_0">Enter the date of the home visit</a>' in html
    assert '<a href="#id_kind_1">Choose the kind of visit</a>' in html  # the first radio
    assert '<a href="#id_notes">Enter the notes</a>' in html


class TriageLikeForm(GdsFormMixin, forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("accept", "Accept"), ("decline", "Decline")])
    stage = forms.CharField(label="Starting stage", required=False)
    reason = forms.CharField(label="Reason for declining", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms_gds.layout import Layout
        self.helper.layout = Layout(RevealRadios("decision", {"accept": ["stage"], "decline": ["reason"]}))


def test_a_choice_reveals_its_questions():
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": TriageLikeForm(initial={"decision": "decline"})}))
    assert 'data-module="govuk-radios"' in html
    accept = 'id="id_decision_1" name="decision" type="radio" value="accept"'
    assert f'{accept} data-app-reveal="conditional-decision-1"' in html
    assert 'value="decline" checked data-app-reveal="conditional-decision-2"' in html
    accept = html.split('id="conditional-decision-1"')[1].split('id="conditional-decision-2"')[0]
    assert 'name="stage"' in accept and 'name="reason"' not in accept
    assert 'name="reason"' in html.split('id="conditional-decision-2"')[1]
