from django import template

register = template.Library()


@register.filter
def percent(rate) -> str:
    """A rate (fraction) as a percentage with one decimal place; a dash when there were no possible sessions."""
    return "–" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.simple_tag
def absence(row) -> str:
    """Absence rate of a row carrying possible/authorised/unauthorised counts."""
    from schools.attendance_codes import absence_rate

    return percent(absence_rate(row.possible, row.authorised + row.unauthorised))


@register.filter
def pairs(text: str) -> list[tuple[str, str]]:
    """"key:Label key2:Label two" → [(key, "Label"), …]; labels may hold spaces up to the next key."""
    import re

    return [(key, label.strip()) for key, label in re.findall(r"(\w+):([^:]+?)(?=\s+\w+:|$)", text)]
