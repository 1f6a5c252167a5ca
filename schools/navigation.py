"""The pupil profile's sub-navigation. Each area adds its tab here when it has something to show."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from schools.roles import Capability


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    href: str
    active: bool


def pupil_tabs(user, pupil, *, active: str) -> list[Tab]:
    tabs = [Tab("overview", "Overview", reverse("pupil_detail", args=[pupil.pk]), active == "overview"),
            Tab("attendance", "Attendance", reverse("pupil_attendance", args=[pupil.pk]), active == "attendance")]
    if pupil.family_id:
        tabs.append(Tab("family", "Family", reverse("family_detail", args=[pupil.family_id]), active == "family"))
    tabs.append(Tab("cases", "Cases", reverse("cases:pupil_cases", args=[pupil.pk]), active == "cases"))
    tabs.append(Tab("exclusions", "Exclusions", reverse("pupil_exclusions", args=[pupil.pk]), active == "exclusions"))
    tabs.append(Tab("legal", "Legal", reverse("legal:pupil", args=[pupil.pk]), active == "legal"))
    tabs.append(Tab("roll", "Roll notices", reverse("roll:pupil", args=[pupil.pk]), active == "roll"))
    if user.can(Capability.EDIT_PUPILS):
        # Likely duplicates of this record and merging another record into it (schools.duplicates).
        tabs.append(Tab("duplicates", "Possible duplicates", reverse("duplicates:pupil", args=[pupil.pk]),
                        active == "duplicates"))
    if user.can(Capability.READ_AUDIT):
        # Who viewed the record (schools.data_protection.views.access_report), with the subject access export.
        tabs.append(Tab("audit", "Record access",
                        reverse("data_protection:access_report", args=[pupil.pk]), active == "audit"))
    return tabs
