"""Form helpers every app's forms share: the GOV.UK error pattern (through crispy-forms-gds), the GOV.UK date input,
radios that reveal more questions, and the version field that stops two people saving over each other's edits.

The GOV.UK pattern (https://design-system.service.gov.uk/components/error-message/): forms are ``novalidate`` with no
``required`` attributes, so the browser never pops up its own messages; the server's messages appear in an error
summary that links to each field; and every message says what to do ("Enter the date of the review", "Choose the
outcome"), never Django's bare "This field is required.". GdsFormMixin writes those messages from the field's label
unless the field gives its own.
"""

from __future__ import annotations

import datetime
import re

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# Django's own wording, which a page must never show as it stands.
DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])
DJANGO_INVALID_CHOICE = {str(forms.ChoiceField.default_error_messages["invalid_choice"]),
                         str(forms.ModelChoiceField.default_error_messages["invalid_choice"]),
                         str(forms.MultipleChoiceField.default_error_messages["invalid_choice"]),
                         str(forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"])}
DJANGO_INVALID_NUMBER = {str(forms.IntegerField.default_error_messages["invalid"]),
                         str(forms.DecimalField.default_error_messages["invalid"]),
                         str(forms.FloatField.default_error_messages["invalid"])}

_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.Select, forms.SelectMultiple)
_DETERMINERS = ("the ", "a ", "an ", "your ", "their ", "his ", "her ", "its ", "this ", "that ", "which ", "who ",
                "what ", "when ", "where ", "why ", "how ", "any ", "each ", "every ", "at least ")
_TRAILING_NOTE = re.compile(r"\s*\((?:[^()]*)\)\s*$")


def label_text(label) -> str:
    """The label without its trailing note ("(optional)", "(%, optional)") or colon."""
    text = str(label or "").strip()
    while _TRAILING_NOTE.search(text):
        text = _TRAILING_NOTE.sub("", text)
    return text.rstrip(":").strip()


def lower_first(text: str) -> str:
    """"Date of the review" -> "date of the review"; "UPN" and "LA officer" keep their capitals."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def noun_phrase(label) -> str:
    """"Date of the review" -> "the date of the review"; "Your concerns" stays as it is."""
    text = lower_first(label_text(label))
    if not text or text.lower().startswith(_DETERMINERS):
        return text
    return f"the {text}"


def required_message(field: forms.Field, label) -> str:
    """What to do when a required field was left empty, by the kind of field."""
    text = label_text(label) or "this question"
    question = text.endswith("?")
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        return f"Tick the box: {lower_first(text)}" if not question else f"Tick the box to answer ‘{text}’"
    if isinstance(widget, forms.FileInput):
        return f"Choose {noun_phrase(text)} to upload" if not question else f"Choose a file to answer ‘{text}’"
    if isinstance(widget, _CHOICE_WIDGETS) or isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return f"Choose an answer to ‘{text}’" if question else f"Choose {noun_phrase(text)}"
    return f"Enter your answer to ‘{text}’" if question else f"Enter {noun_phrase(text)}"


def _set_messages(name: str, field: forms.Field) -> None:
    """Give one field GOV.UK messages where it still has Django's generic ones."""
    messages = field.error_messages
    label = field.label if field.label is not None else name.replace("_", " ").capitalize()
    if isinstance(field, DateField):
        return  # writes its own from its label
    if str(messages.get("required", "")) == DJANGO_REQUIRED:
        messages["required"] = required_message(field, label)
    if str(messages.get("invalid_choice", "")) in DJANGO_INVALID_CHOICE:
        messages["invalid_choice"] = f"Choose {noun_phrase(label) or 'one of the options'} from the options shown"
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField) and \
            str(messages.get("invalid", "")) in DJANGO_INVALID_NUMBER:
        whole = isinstance(field, forms.IntegerField)
        messages["invalid"] = (f"{label_text(label) or 'This'} must be a {'whole ' if whole else ''}number"
                               f"{', like 12' if whole else ', like 12.5'}")


def _drop_blank_radio(field: forms.Field) -> None:
    """Radios list real answers only: no "---------" radio (a required question cannot be answered "blank", and an
    optional one is left unanswered by choosing none)."""
    if not isinstance(field.widget, forms.RadioSelect):
        return
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = None
            field.widget.choices = field.choices
        return
    if isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        kept = [c for c in choices if not (c[0] in ("", None) and str(c[1]).strip("-") == "")]
        if len(kept) != len(choices):
            field.choices = kept


class GdsFormMixin:
    """GOV.UK forms: ``novalidate``, no ``required`` attributes, messages that say what to do, no blank radio, and
    the error summary's links (``error_links``) pointing at the input to correct."""

    submit_label = "Save"
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))
        self.apply_gds_conventions()

    def apply_gds_conventions(self) -> None:
        """Also run just before validation, so that fields a subclass adds or relabels after this __init__ get the
        same treatment."""
        for name, field in self.fields.items():
            _drop_blank_radio(field)
            _set_messages(name, field)

    def full_clean(self):
        self.apply_gds_conventions()
        super().full_clean()

    def error_links(self) -> list[tuple[str, str]]:
        return error_links(self)


def field_anchor(bound_field) -> str:
    """The id of the input an error about this field should take the user to (GOV.UK error summary): the first
    radio or checkbox of a group (crispy-forms-gds numbers them from 1), the first part of a date that is wrong."""
    field = bound_field.field
    if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{bound_field.html_name}_1"
    if isinstance(field, forms.MultiValueField):
        for index, part in enumerate(field.fields):
            if getattr(part.widget, "errors", None):
                return f"{bound_field.auto_id}_{index}"
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id or bound_field.html_name


def error_links(form) -> list[tuple[str, str]]:
    """(anchor, message) for every error on the form, in the order of the fields: what the GOV.UK error summary lists.
    Errors on the form as a whole, or on hidden fields (a stale version), link to the first visible field."""
    visible = form.visible_fields()
    first = field_anchor(visible[0]) if visible else ""
    links = [(first, str(message)) for message in form.non_field_errors()]
    for bound_field in form.hidden_fields():
        links.extend((first, str(message)) for message in bound_field.errors)
    for bound_field in visible:
        anchor = field_anchor(bound_field)
        links.extend((anchor, str(message)) for message in bound_field.errors)
    return links


class VersionedForm(forms.Form):
    """Carries the record's version as it was when the form was opened; the service refuses a save if it has
    moved on (someone else saved first), and the page says so."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": "This page was missing the record's version: go back, reload the page and try again",
        "invalid": "This page was missing the record's version: go back, reload the page and try again",
        "min_value": "This page was missing the record's version: go back, reload the page and try again"})


# --- The GOV.UK date input ------------------------------------------------------------------------------------------

class DateInput(forms.MultiWidget):
    """Day, month and year in three boxes (https://design-system.service.gov.uk/components/date-input/). The boxes
    are named <name>_0, <name>_1 and <name>_2."""

    template_name = "includes/date_input.html"
    PART_LABELS = ("Day", "Month", "Year")

    def __init__(self, attrs=None):
        two = "govuk-input govuk-date-input__input govuk-input--width-2"
        widgets = [forms.TextInput(attrs={"class": two, "inputmode": "numeric"}),
                   forms.TextInput(attrs={"class": two, "inputmode": "numeric"}),
                   forms.TextInput(attrs={"class": "govuk-input govuk-date-input__input govuk-input--width-4",
                                          "inputmode": "numeric"})]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def _render(self, template_name, context, renderer=None):
        # The project's template engine (templates/includes/), whatever form renderer is configured.
        return mark_safe(render_to_string(template_name, context))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], self.PART_LABELS, strict=False):
            subwidget["label"] = label
        return context


class DateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK messages:

    - nothing entered (required): "Enter the date of the review"
    - a part missing: "Date of the review must include a month" / "... must include a day and year"
    - not a date: "Date of the review must be a real date"; a two-digit year: "... must include a 4-digit year"

    The parts in error are marked (``widget.errors`` on each part's field, as crispy-forms-gds reads them) so only
    those boxes are outlined red and the error summary links to the first of them. ``error_name`` names the date in
    messages when the label alone would read oddly ("Absence from" -> "The first day of the absence").
    """

    widget = DateInput
    PARTS = ("day", "month", "year")

    def __init__(self, *, error_name: str = "", **kwargs):
        for unused in ("max_length", "min_length", "empty_value"):
            kwargs.pop(unused, None)
        self.error_name = error_name
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def _name(self) -> str:
        return self.error_name or label_text(self.label) or "Date"

    def _mark(self, *indexes: int, message: str) -> None:
        for index in indexes:
            self.fields[index].widget.errors = [message]

    def clean(self, value):
        for part in self.fields:
            part.widget.errors = []
        if self.disabled and not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        if isinstance(value, datetime.date):
            value = [value.day, value.month, value.year]
        parts = [str(v).strip() if v is not None else "" for v in (list(value or []) + ["", "", ""])[:3]]
        name = self._name()
        if not any(parts):
            if self.required:
                message = self.error_messages["required"]
                if str(message) == DJANGO_REQUIRED:
                    message = f"Enter {noun_phrase(name)}"
                raise ValidationError(message, code="required")
            return None
        missing = [i for i, text in enumerate(parts) if not text]
        if missing:
            words = [self.PARTS[i] for i in missing]
            message = f"{name} must include a {' and '.join(words)}"
            self._mark(*missing, message=message)
            raise ValidationError(message, code="incomplete")
        not_numbers = [i for i, text in enumerate(parts) if not text.isdigit()]
        if not_numbers:
            message = f"{name} must be a real date"
            self._mark(*not_numbers, message=message)
            raise ValidationError(message, code="invalid")
        if len(parts[2]) != 4:
            message = f"{name} must include a 4-digit year, like 2026"
            self._mark(2, message=message)
            raise ValidationError(message, code="invalid")
        day, month, year = (int(text) for text in parts)
        try:
            result = datetime.date(year, month, day)
        except ValueError:
            message = f"{name} must be a real date"
            wrong = [1] if not 1 <= month <= 12 else [0]
            self._mark(*wrong, message=message)
            raise ValidationError(message, code="invalid") from None
        self.validate(result)
        self.run_validators(result)
        return result

    def validate(self, value):
        pass  # required is handled in clean, with the GOV.UK wording

    def compress(self, data_list):
        return data_list  # clean() does the work; kept for Django's MultiValueField interface

    def has_changed(self, initial, data):
        """Compared box by box ("07" and "7" are the same day), without validating (which would reset the marks)."""
        if self.disabled:
            return False

        def parts(values):
            values = list(values or []) + ["", "", ""]
            return [str(v).strip().lstrip("0") if v is not None else "" for v in values[:3]]

        return parts(self.widget.decompress(initial)) != parts(data)


# --- Radios that reveal more questions ------------------------------------------------------------------------------

class RevealRadios(LayoutObject):
    """GOV.UK radios where a choice opens more questions ("conditional reveal"): each revealed group sits under its
    radio and is shown while it is chosen by static/js/init.js (``data-app-reveal``, not GOV.UK Frontend's
    ``data-aria-controls``, whose script marks radios aria-expanded, which ARIA does not allow); without JavaScript
    every group shows. ``reveals`` maps a choice's value to the names (or layout objects) of the fields it reveals.

        RevealRadios("decision", {"accept": ["stage", "officer"], "decline": ["decline_reason"]})
    """

    template = "includes/reveal_radios.html"

    def __init__(self, field: str, reveals: dict, *, legend_size: str = "", small: bool = False):
        self.field = field
        self.reveals = {str(value): list(names) for value, names in reveals.items()}
        self.fields = [field, *(name for names in self.reveals.values() for name in names)]
        self.legend_size = legend_size
        self.small = small

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        bound_field = form[self.field]
        chosen = "" if bound_field.value() is None else str(bound_field.value())
        items = []
        for position, (value, label) in enumerate(bound_field.field.choices, start=1):
            value = "" if value is None else str(value)
            revealed = mark_safe("".join(render_field(name, form, context, template_pack=template_pack, **kwargs)
                                          for name in self.reveals.get(value, [])))
            items.append({"value": value, "label": label, "position": position, "checked": value == chosen,
                          "id": f"id_{bound_field.html_name}_{position}",
                          "conditional_id": f"conditional-{bound_field.html_name}-{position}" if revealed else "",
                          "revealed": revealed})
        return render_to_string(self.template, {
            "field": bound_field, "items": items, "legend_size": self.legend_size, "small": self.small,
            "form_show_errors": True})
