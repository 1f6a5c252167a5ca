"""Template filters for figures: the one way a count, rate or sum is written (reporting.presentation.display), with
small numbers shown as x when the page or report suppresses them."""

from django import template

from reporting import presentation

register = template.Library()


@register.filter
def figure(value, suppress=False) -> str:
    return presentation.display(value, bool(suppress))


@register.filter
def cell_href(value) -> str:
    return value.href if isinstance(value, presentation.Cell) else ""


@register.filter
def cell_note(value) -> str:
    return value.note if isinstance(value, presentation.Cell) else ""


@register.filter
def definition(key: str):
    from reporting.definitions import BY_KEY

    return BY_KEY.get(key)


@register.filter
def numeric_column(index, table) -> bool:
    return table.numeric(index)
