"""Suggested stage (from the LA's StagePolicy) against the stage the pupil's open case holds, in SQL so lists can show
and filter it with no query per row.

The comparison (documented for officers on the pupil's attendance tab and the stage guide):

- The suggestion comes from attendance (present + approved educational activity) as a share of possible sessions
  for the period the list names, using the LA's thresholds (schools.models.StagePolicy; seed 001 by default).
- The case's stage is that of the pupil's open (not closed) attendance case: case type "attendance" or "attendance and
  behaviour", since the staged model is an attendance model. With both open, the higher stage counts.
- They agree when the stages are equal, and also when the case is at Stage 4 (legal intervention) and attendance
  suggests Stage 3: legal intervention follows targeted support, so attendance can never suggest it.
- A pupil with no open attendance case, or no possible sessions in the period, is neither agreeing nor disagreeing.

Case stages are strings ("2_early_intervention") whose first character is the stage number; the engine's
suggestions are integers 1-3. Both are compared as numbers.
"""

from __future__ import annotations

from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual

from schools.attendance import selectors as figures
from schools.attendance.codes import StageBand
from schools.common import providers

AGREES, DISAGREES, NO_CASE, NO_SESSIONS = "agrees", "disagrees", "no_case", "no_sessions"
STAGE_CHECK_CHOICES = [
    (DISAGREES, "Suggested stage differs from the case's stage"),
    (AGREES, "Suggested stage matches the case's stage"),
    (NO_CASE, "No open attendance case"),
]
STAGE_CHECK_LABELS = {**dict(STAGE_CHECK_CHOICES), NO_SESSIONS: "No possible sessions in this period"}

# Case types whose stage the staged (attendance) model speaks to.
ATTENDANCE_CASE_TYPES = ("attendance", "attendance_behaviour")
LEGAL_RANK = 4
CASE_STAGE_RANKS = {"1_prevention": 1, "2_early_intervention": 2, "3_targeted_support": 3, "4_legal": LEGAL_RANK}


def policy_bands(policy=None) -> tuple[StageBand, ...]:
    from schools.models import StagePolicy

    return (policy or StagePolicy.current()).thresholds()


def suggested_stage_sql(attended, possible, bands) -> Case:
    """CASE expression: the stage number (1-3) whose lower bound ``attended / possible`` reaches, compared exactly in
    whole numbers (attended × denominator ≥ possible × numerator), as schools.attendance.codes.suggested_stage does;
    NULL when there are no possible sessions."""
    whens = []
    for band in sorted(bands, key=lambda b: b.min_attendance_rate, reverse=True):
        numerator, denominator = band.min_attendance_rate.as_integer_ratio()
        if numerator == 0:
            whens.append(When(GreaterThan(possible, 0), then=Value(int(band.stage))))
            continue
        whens.append(When(GreaterThan(possible, 0) & GreaterThanOrEqual(attended * denominator, possible * numerator),
                          then=Value(int(band.stage))))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def case_stage_rank_sql(field: str) -> Case:
    return Case(*(When(**{field: stage}, then=Value(rank)) for stage, rank in CASE_STAGE_RANKS.items()),
                default=Value(None), output_field=IntegerField())


def stage_check_sql(suggested: str, case_rank: str) -> Case:
    """'agrees' / 'disagrees' / 'no_case' / 'no_sessions' from two annotations: the suggested stage number and the
    case's stage number (see the module docstring for the rule)."""
    agree = Q(**{case_rank: F(suggested)}) | Q(**{case_rank: LEGAL_RANK, suggested: 3})
    return Case(
        When(**{f"{case_rank}__isnull": True}, then=Value(NO_CASE)),
        When(**{f"{suggested}__isnull": True}, then=Value(NO_SESSIONS)),
        When(agree, then=Value(AGREES)),
        default=Value(DISAGREES), output_field=CharField())


def open_case_stage_subquery(user):
    """The stage string and id of each row's pupil's open attendance case that the user may see, as subqueries (NULL
    with no case). The cases app provides them (schools.common.providers, ``attendance.open_case_subqueries``)."""
    subqueries = providers.provider("attendance.open_case_subqueries")
    if subqueries is None:
        return Value(None, output_field=CharField()), Value(None, output_field=IntegerField())
    return subqueries(user)


def with_stage_check(rows, user, bands):
    """Rows from schools.attendance.selectors.pupil_rows (enrolments with the period's counts) annotated with
    ``suggested_stage`` (1-3 or None), ``case_stage`` (the open attendance case's stage string or None), ``case_id``
    and ``stage_check`` (agrees/disagrees/no_case/no_sessions), all in SQL."""
    case_stage, case_id = open_case_stage_subquery(user)
    return (rows.annotate(suggested_stage=suggested_stage_sql(F("present") + F("aea"), F("possible"), bands),
                          case_stage=case_stage, case_id=case_id)
            .annotate(case_stage_rank=case_stage_rank_sql("case_stage"))
            .annotate(stage_check=stage_check_sql("suggested_stage", "case_stage_rank")))


def pupil_year_attendance(user, period, bands, pupil=None) -> dict:
    """Annotations for rows tied to a pupil (the case list): ``att_possible``, ``att_attended`` and
    ``suggested_stage`` for the period, from the pupil's current enrolment with the most possible sessions among
    those the user may see (as cases.selectors.attendance_figures picks it). Built on the attendance selectors'
    per-enrolment counts, so it reads whatever storage they read."""

    rows = figures.current_enrolment_counts(user, period, pupil=pupil if pupil is not None else OuterRef("pupil_id"))
    attended = F("present") + F("aea")
    return {
        "att_possible": Subquery(rows.values("possible")[:1]),
        "att_attended": Subquery(rows.annotate(attended=attended).values("attended")[:1]),
        "suggested_stage": Subquery(rows.annotate(
            suggested=suggested_stage_sql(attended, F("possible"), bands)).values("suggested")[:1]),
    }


def case_rows_stage_check(user, period, bands) -> list[dict]:
    """Annotation steps for case rows (the case list): the pupil's attendance and suggested stage for the period, the
    row's own stage as a number when it is an attendance case that is not closed, and the comparison. Apply each dict
    with ``.annotate(**step)`` in order (later steps refer to earlier ones)."""
    rank = Case(*(When(Q(stage=stage) & Q(case_type__in=ATTENDANCE_CASE_TYPES) & ~Q(status="closed"),
                       then=Value(number)) for stage, number in CASE_STAGE_RANKS.items()),
                default=Value(None), output_field=IntegerField())
    return [pupil_year_attendance(user, period, bands), {"case_stage_rank": rank},
            {"stage_check": stage_check_sql("suggested_stage", "case_stage_rank")}]


def compare(case_stage: str | None, suggested) -> str:
    """The same comparison as stage_check_sql, for one pupil or case on a page: ``case_stage`` is a case's stage
    string (or None for no open attendance case), ``suggested`` the engine's stage number (or None)."""
    if case_stage is None:
        return NO_CASE
    if suggested is None:
        return NO_SESSIONS
    rank, suggested = CASE_STAGE_RANKS.get(case_stage), int(suggested)
    return AGREES if rank == suggested or (rank == LEGAL_RANK and suggested == 3) else DISAGREES


def with_case_attendance(cases, *, user, period=None, policy=None):
    """Case rows (cases.selectors.case_list) with the pupil's attendance for the period (the year to date unless
    given), the suggested stage and the comparison with the case's own stage, all in SQL (case_rows_stage_check)."""
    from django.utils import timezone


    period = period or figures.resolve_period(None, timezone.localdate())
    for step in case_rows_stage_check(user, period, policy_bands(policy)):
        cases = cases.annotate(**step)
    return cases


def filter_stage_check(queryset, value: str):
    """The FilterSet method body shared by every list that shows the comparison."""
    if value in (AGREES, DISAGREES, NO_CASE):
        return queryset.filter(stage_check=value)
    return queryset


def attach_case_attendance(cases, *, user, period=None, policy=None) -> None:
    """The figures with_case_attendance annotates (att_possible, att_attended, suggested_stage, stage_check), set on
    a page of cases already fetched, from one query over the page's pupils' current enrolments. The case list shows
    them this way: its own query then stays small (in SQL they were most of its text and compile time), while the
    stage-check filter still annotates in SQL (cases.filters.CaseFilterSet.filter_stage_check)."""
    from django.utils import timezone

    from schools.attendance.codes import suggested_stage

    cases = list(cases)
    if not cases:
        return
    period = period or figures.resolve_period(None, timezone.localdate())
    bands = policy_bands(policy)
    rows = figures.current_enrolment_counts(user, period, pupil_id__in={case.pupil_id for case in cases})
    best: dict[int, tuple[int, int]] = {}  # pupil -> (possible, attended) of the enrolment with the most sessions
    for pupil_id, possible, present, aea in rows.values_list("pupil_ref", "possible", "present", "aea"):
        best.setdefault(pupil_id, (possible, present + aea))  # the first is the one the SQL's ORDER BY picks
    for case in cases:
        possible, attended = best.get(case.pupil_id, (None, None))
        stage = suggested_stage(possible, attended, bands) if possible else None
        case.att_possible, case.att_attended = possible, attended
        case.suggested_stage = int(stage) if stage is not None else None
        counted = case.case_type in ATTENDANCE_CASE_TYPES and case.status != "closed"
        case.stage_check = compare(case.stage if counted else None, case.suggested_stage)


def attendance_pupil_list(user, period: figures.Period, enrolments, policy=None):
    """The pupils behind a figure (school PA/SA list, LA drill-down, their exports and API): enrolments with the
    period's counts, the suggested stage from the LA's thresholds and the open attendance case's stage, in SQL."""
    rows = figures.pupil_rows(user, period, enrolments).select_related("school__partnership")
    return with_stage_check(rows, user, policy_bands(policy))
