"""Every Form class in the project, submitted empty, answers in GOV.UK words: no Django "This field is required.", and
every GOV.UK form is novalidate with no required attributes. Every date question is the GOV.UK date input.

The forms are found by importing every forms and views module of the apps, so a new form is checked without being
listed here. A form whose __init__ needs a keyword this file does not know fails with the keyword named: add a value
for it to ``_kwargs``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth.forms import SetPasswordForm

from schools.common.forms import DJANGO_REQUIRED, DateField, GdsFormMixin

pytestmark = pytest.mark.django_db

APPS = ("schools", "cases", "interventions", "legal", "reporting")
# Django's own wording, which says neither what is wrong nor what to do.
BARE_MESSAGES = {DJANGO_REQUIRED, "Enter a valid date.", "Enter a whole number.", "Enter a number.",
                 "Select a valid choice. That choice is not one of the available choices."}


def _form_modules() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            parts = info.name.split(".")
            if "migrations" in parts or "admin" in parts[-1]:
                continue
            if parts[-1] in ("forms", "views") or "forms" in parts[:-1] or "views" in parts[:-1]:
                importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def all_form_classes() -> list[type]:
    _form_modules()
    found = {cls for cls in _subclasses(forms.BaseForm)
             if cls.__module__.split(".")[0] in APPS and not cls.__module__.endswith("admin")}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _required_keywords(cls) -> set[str]:
    names = set()
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            for param in inspect.signature(klass.__init__).parameters.values():
                if param.kind == param.KEYWORD_ONLY and param.default is param.empty:
                    names.add(param.name)
    return names


def _kwargs(world) -> dict:
    from interventions.models import InterventionPlan, InvoiceLine
    from legal.models import PenaltyNotice, Prosecution
    from schools.models import Carer

    return {
        "user": world.users["la_manager"], "plans": InterventionPlan.objects.none(), "school_id": world.school_a.pk,
        "carers": Carer.objects.none(), "weeks": 4, "notices": PenaltyNotice.objects.none(),
        "prosecutions": Prosecution.objects.none(), "kinds": [], "periods": [], "gate": [], "can_override": False,
        "rows": 1, "la_user": True, "booking": SimpleNamespace(service=SimpleNamespace(role="")),
        "invoice": SimpleNamespace(lines=InvoiceLine.objects),
    }


def _empty_form(cls, world):
    known = _kwargs(world)
    missing = _required_keywords(cls) - set(known)
    assert not missing, f"{cls.__module__}.{cls.__qualname__} needs {sorted(missing)}: add them to _kwargs"
    kwargs = {name: known[name] for name in _required_keywords(cls)}
    args = [world.users["la_manager"]] if issubclass(cls, SetPasswordForm) else []
    return cls(*args, data={}, files={}, **kwargs)


def _messages(form) -> list[str]:
    form.is_valid()
    return [str(message) for errors in form.errors.values() for message in errors]


def test_the_walk_finds_the_forms_people_use():
    names = {cls.__qualname__ for cls in all_form_classes()}
    assert {"ReferralForm", "EntryForm", "ReviewForm", "NoticeForm", "PlanForm", "ExclusionForm",
            "PostedForm"} <= names


def test_no_form_answers_an_empty_submit_with_django_words(world):
    bare = {}
    for cls in all_form_classes():
        form = _empty_form(cls, world)
        said = [message for message in _messages(form) if message in BARE_MESSAGES]
        if said:
            bare[f"{cls.__module__}.{cls.__qualname__}"] = sorted(set(said))
    assert not bare, f"forms answering with Django's wording: {bare}"


def test_every_gov_uk_form_is_novalidate_without_required_attributes(world):
    wrong = []
    for cls in all_form_classes():
        if not issubclass(cls, GdsFormMixin):
            continue
        form = _empty_form(cls, world)
        if form.helper.attrs.get("novalidate") is None or form.use_required_attribute:
            wrong.append(f"{cls.__module__}.{cls.__qualname__}")
    assert not wrong, f"GOV.UK forms the browser would validate: {wrong}"


def test_every_date_question_is_the_gov_uk_date_input(world):
    wrong = []
    for cls in all_form_classes():
        form = _empty_form(cls, world)
        for name, field in form.fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField) or (
                    isinstance(field, forms.MultiValueField) and "date" in name and not isinstance(field, DateField)):
                wrong.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not wrong, f"date fields not using schools.common.forms.DateField: {wrong}"


def test_no_radio_offers_a_blank_answer(world):
    wrong = []
    for cls in all_form_classes():
        form = _empty_form(cls, world)
        for name, field in form.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                labels = [str(label) for value, label in field.widget.choices if value in ("", None)]
                if any(not label.strip("-").strip() for label in labels):
                    wrong.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert not wrong, f"radios with an empty '---------' answer: {wrong}"
