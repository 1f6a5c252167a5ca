"""Helpers for views in every app: the capability check, pagination, form pages and errors, the MOJ filter's
selected-filter links, and list downloads (``?format=csv`` or ``xlsx``)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format

PAGE_SIZE = 50
# The formats every list downloads in (?format=csv or ?format=xlsx).
FORMATS = ("csv", "xlsx")


def capability_required(capability: str):
    """The view needs a role capability (schools.roles); without it, 403. Objects out of scope are 404 in the view."""
    def decorator(view):
        def wrapped(request, *args, **kwargs):
            if not request.user.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def paginate(request, queryset, *, count: int | None = None):
    """(the page of rows asked for by ?page=, the query string without the page number for the pagination links);
    ``count``: how many rows there are, when the caller keeps it (a large list's), instead of counting again."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this is its value
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def apply_form_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or the form as a whole)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(request, form, title: str, back_url: str = "", *, caption: str = "", intro: str = ""):
    """A page holding one form: back link, error summary, heading (with an optional caption) and the form."""
    return render(request, "includes/form_page.html", {"form": form, "title": title, "back_url": back_url,
                                                       "caption": caption, "intro": intro})


def report_if_stale(request, error: ValidationError) -> bool:
    """True (with the message shown at the top of the next page) when a service refused an edit because someone
    changed the record since the form was opened (a ValidationError with code "stale")."""
    if getattr(error, "code", None) == "stale" or (not hasattr(error, "error_dict") and any(
            getattr(e, "code", None) == "stale" for e in getattr(error, "error_list", []))):
        messages.error(request, error.messages[0])
        return True
    return False


def id_param(request, name: str) -> int | None:
    """A record id from the query string, or None when it is missing or not a plain number ("²", "1e3", 5000
    digits...), so bad links read as "no such record" instead of a server error."""
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 18 else None


def selected_filters(filterset):
    """The MOJ filter's "selected filters": each applied filter with a link that removes it."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    chosen = []
    data = filterset.form.data
    for name, field in filterset.form.fields.items():
        # A date filter's day, month and year boxes come as <name>_0, _1 and _2 (or, from a link, as <name>).
        keys = [name, *(f"{name}{suffix}" for suffix in getattr(field.widget, "widgets_names", ()))]
        if name == "sort" or not any(data.get(key) for key in keys):
            continue
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "", []):
            continue
        if type(value) is datetime.date:  # "30 November 2026", not 2026-11-30
            label = date_format(value, "j F Y")
        elif hasattr(field, "choices") and not hasattr(value, "pk"):
            label = dict(field.choices).get(data.get(name), data.get(name))
        else:
            label = str(value)
        remaining = data.copy()
        for key in keys:
            remaining.pop(key, None)
        remaining.pop("page", None)
        chosen.append({"field": field.label, "value": label, "href": f"?{remaining.urlencode()}"})
    return chosen


def query_date(query, name: str) -> datetime.date | None:
    """A date in a GET query: the GOV.UK date input's three boxes (``<name>_0`` day, ``_1`` month, ``_2`` year), or
    one ISO value (``<name>=2026-11-30``, as links carry it); None when absent or not a real date."""
    parts = [str(query.get(f"{name}_{i}", "")).strip() for i in range(3)]
    try:
        if any(parts):
            day, month, year = (int(part) for part in parts)
            return datetime.date(year, month, day) if year >= 1000 else None
        value = str(query.get(name, "")).strip()
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def export_format(request, default: str | None = None) -> str | None:
    """The download asked for (``?format=csv`` or ``xlsx``), else ``default`` (None: show the page)."""
    fmt = request.GET.get("format")
    return fmt if fmt in FORMATS else default


def query_without(request, *names) -> str:
    """The page's query string without its page number, download format and the named parameters (for links that
    keep the filters: the export link, a tab that changes one filter)."""
    query = request.GET.copy()
    for name in ("page", "format", *names):
        query.pop(name, None)
    return query.urlencode()


def sort_headers(request, sortable) -> list[dict]:
    """Column headers that sort a list (``?sort=key``, ``-key`` descending): for each (key, label), its aria-sort
    state and the link that sorts by it next (the other way round if it is the current sort). The page number is
    dropped, so a new sort starts at the first page."""
    current = request.GET.get("sort", "")
    query = request.GET.copy()
    query.pop("page", None)
    headers = []
    for key, label in sortable:
        if current == key:
            aria, next_sort = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, next_sort = "descending", key
        else:
            aria, next_sort = "none", key
        query["sort"] = next_sort
        headers.append({"key": key, "label": label, "aria": aria, "href": f"?{query.urlencode()}"})
    return headers


# A record number no table reaches, reversed in place of the real one (row_url_builder).
_URL_SENTINEL = 987654321987


def row_url_builder(name: str):
    """A function giving the URL of ``name`` for a record number, reversing the pattern once.

    A worklist of 50 rows with five links each reversed 250 URLs per page view, a third of the page's rendering under
    load; the pattern's text does not change between rows, so only the number is put in."""
    prefix, _, suffix = reverse(name, args=[_URL_SENTINEL]).partition(str(_URL_SENTINEL))

    def build(pk) -> str:
        return f"{prefix}{int(pk)}{suffix}"

    return build
