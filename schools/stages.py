"""The staged intervention model (seed 001, Coventry 2023; seed 003, Coventry 2012-14).

Support comes first: a case moves up a stage only after the support at the stage below has been tried, and legal
intervention is the last stage. Cases, the intervention catalogue and the attendance engine's suggestions all speak
in these stages, so the model lives here, below them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Stage(models.TextChoices):
    PREVENTION = "1_prevention", "Stage 1: Prevention"
    EARLY_INTERVENTION = "2_early_intervention", "Stage 2: Early intervention"
    TARGETED_SUPPORT = "3_targeted_support", "Stage 3: Targeted support"
    LEGAL = "4_legal", "Stage 4: Legal intervention"


@dataclass(frozen=True)
class StageInfo:
    stage: str
    short_label: str
    criteria: str
    lead_practitioner: str
    summary: str
    tag_colour: str  # GOV.UK tag modifier, so the stage is visible at a glance (Primero #76)


STAGES: dict[str, StageInfo] = {
    Stage.PREVENTION: StageInfo(
        Stage.PREVENTION, "Prevention", "Attendance between 91% and 100%", "School",
        "Support from the school and universal services: first-day absence contact, a letter when attendance "
        "falls below the school's target, a meeting with parents or carers; the school may ask its LA attendance "
        "officer for advice.",
        "green"),
    Stage.EARLY_INTERVENTION: StageInfo(
        Stage.EARLY_INTERVENTION, "Early intervention", "Attendance between 81% and 90%",
        "School first, then an Early Help coordinator if the criteria are met",
        "Pupils discussed at the termly targeting support meeting; an Early Help assessment and plan, Team Around "
        "the Family meetings, home visits, pastoral support, mentoring, and a monitoring letter from the LA.",
        "yellow"),
    Stage.TARGETED_SUPPORT: StageInfo(
        Stage.TARGETED_SUPPORT, "Targeted support", "Attendance below 80%", "LA attendance officer",
        "Multi-agency support on top of stage 2, reviewed at least every six weeks; a parenting contract where "
        "attendance has not improved at the first review.",
        "orange"),
    Stage.LEGAL: StageInfo(
        Stage.LEGAL, "Legal intervention", "Support at stages 1 to 3 tried and failed, or deemed inappropriate",
        "LA attendance officer with legal services",
        "Only when voluntary and formal support has failed: penalty notice, education supervision order, "
        "parenting order, school attendance order or prosecution under section 444 of the Education Act 1996.",
        "red"),
}

STAGE_ORDER = [Stage.PREVENTION, Stage.EARLY_INTERVENTION, Stage.TARGETED_SUPPORT, Stage.LEGAL]


def stage_info(stage: str) -> StageInfo | None:
    return STAGES.get(stage)


def stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1
