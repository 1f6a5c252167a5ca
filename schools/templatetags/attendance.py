from django import template

register = template.Library()


@register.filter
def percent(rate) -> str:
    """A rate (fraction) as a percentage with one decimal place; a dash when there were no possible sessions."""
    from schools.attendance.codes import rate_as_percent

    return "–" if rate is None else f"{rate_as_percent(rate)}%"


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.simple_tag
def absence(row) -> str:
    """Absence rate of a row carrying possible/authorised/unauthorised counts."""
    from schools.attendance.codes import absence_rate

    return percent(absence_rate(row.possible, row.authorised + row.unauthorised))


@register.filter
def pairs(text: str) -> list[tuple[str, str]]:
    """"key:Label key2:Label two" → [(key, "Label"), …]; labels may hold spaces up to the next key."""
    import re

    return [(key, label.strip()) for key, label in re.findall(r"(\w+):([^:]+?)(?=\s+\w+:|$)", text)]


@register.filter
def stage_label(number) -> str:
    """The engine's suggested stage (1-3) in words; empty when there is none."""
    from schools.attendance.codes import Stage

    return Stage(int(number)).label if number else ""


@register.filter
def case_stage_label(value) -> str:
    from schools.stages import Stage

    return Stage(value).label if value else ""


@register.filter
def stage_check_label(value) -> str:
    from schools.attendance.stages import STAGE_CHECK_LABELS

    return STAGE_CHECK_LABELS.get(value, "")


@register.simple_tag
def attendance_percent(row) -> str:
    """Attendance (present + approved activity) of a row carrying possible/present/aea counts."""
    from schools.attendance.codes import attendance_rate

    return percent(attendance_rate(row.possible, row.present + row.aea))


@register.filter
def session_label(mark) -> str:
    """AM or PM for a mark read back from the register."""
    from schools.attendance.exports import session_label as label

    return label(mark)


@register.simple_tag
def attended_percent(attended, possible) -> str:
    """Attendance as a percentage of possible sessions, one decimal place; a dash with no sessions."""
    from schools.attendance.codes import attendance_rate

    return percent(attendance_rate(possible, attended)) if possible else "–"
