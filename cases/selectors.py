"""Reads that matter for cases. Every selector takes the user and starts from a scoped queryset (schools.scoping):
out-of-scope lookups raise Http404, and restricted chronology entries never reach a user who may not read them.

Attendance figures on case pages (the pupil's and siblings' attendance, the TSM pack's PA/SA pupils) come from ONE
function here, :func:`attendance_figures`, which reads the attendance engine's selectors.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import (
    Allocation,
    Attachment,
    Case,
    CaseClosure,
    CaseReminder,
    CaseworkPolicy,
    ChronologyEntry,
    ChronologyRevision,
    OfficerCaseloadLimit,
    Referral,
    Review,
    SchoolLinkOfficer,
    StageChange,
    TargetingSupportMeeting,
    Task,
    Team,
    TsmPupil,
)
from schools.attendance.codes import rate_as_percent
from schools.attendance.stages import ATTENDANCE_CASE_TYPES
from schools.models import Carer, Enrolment, Pupil, User
from schools.roles import Capability, Role
from schools.stages import STAGE_ORDER, STAGES, Stage

# --- Attendance (the one seam to the attendance engine) -------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceFigure:
    period: str  # always named on screen, e.g. "2026/27 year to date"
    percent: Decimal  # attendance (present + AEA) as a percentage of possible sessions, one decimal place
    persistent: bool  # absence >= 10%
    severe: bool  # absence >= 50%
    possible: int
    suggested_stage: str | None  # the staged model's band for this attendance (a suggestion, never applied)


_ENGINE_STAGES = {1: Stage.PREVENTION, 2: Stage.EARLY_INTERVENTION, 3: Stage.TARGETED_SUPPORT}


def attendance_figures(*, user, pupil_ids=(), school=None) -> dict[int, AttendanceFigure]:
    """Attendance for case pages, keyed by pupil id, for the academic year to date: the listed pupils, or (``school``
    given) every persistently or severely absent pupil on that school's roll (the TSM pack). Figures are per current
    enrolment (the DfE method) and come from the attendance engine's selectors, scoped to what ``user`` may see: a
    school sees its own registers only.

    The one function case pages read attendance through; a few queries however many pupils.
    """
    from schools.attendance import selectors as engine
    from schools.attendance.codes import PERSISTENT_ABSENCE_RATE, suggested_stage
    from schools.models import StagePolicy

    pupil_ids = list(pupil_ids)
    if school is None and not pupil_ids:
        return {}
    period = engine.resolve_period(None, timezone.localdate())
    enrolments = Enrolment.objects.visible_to(user).filter(end_date__isnull=True)
    if school is not None:
        rows = engine.at_or_above(engine.pupil_rows(user, period, enrolments.filter(school=school)),
                                  PERSISTENT_ABSENCE_RATE)
    else:
        rows = engine.pupil_rows(user, period, enrolments.filter(pupil_id__in=pupil_ids))
    bands = StagePolicy.current().thresholds()  # the LA's own thresholds (seed 001 by default)
    result: dict[int, AttendanceFigure] = {}
    for row in rows:
        figures = engine.Figures.from_row({name: getattr(row, name) for name in engine.COUNT_FIELDS})
        if not figures.possible:
            continue
        known = result.get(row.pupil_id)
        if known is not None and known.possible >= figures.possible:
            continue  # dual registration: the enrolment with the most sessions
        stage = suggested_stage(figures.possible, figures.attended, bands)
        result[row.pupil_id] = AttendanceFigure(
            period=period.label, percent=rate_as_percent(figures.attendance_rate),
            persistent=figures.persistent, severe=figures.severe, possible=figures.possible,
            suggested_stage=_ENGINE_STAGES.get(int(stage)) if stage is not None else None)
    return result


@dataclass(frozen=True)
class StageSuggestion:
    """The stage the LA's thresholds suggest for a pupil's attendance this year, with why (the triage form)."""

    stage: str  # schools.stages.Stage
    percent: Decimal
    period: str  # e.g. "2026/27 year to date"
    band: str  # the threshold band in words, e.g. "below 81%" (schools.models.StagePolicy.bands)

    @property
    def reason(self) -> str:
        period = self.period[:1].lower() + self.period[1:]  # "2026/27 year to date", "last 10 weeks (to ...)"
        return f"Suggested: {STAGES[self.stage].short_label} — attendance {self.percent}% in the {period}, {self.band}"


def stage_suggestion(*, user, pupil) -> StageSuggestion | None:
    """The suggested stage for the pupil from their attendance (the year to date), or None when there is no
    attendance to go on. The figure and the stage are attendance_figures' (one rule: the attendance engine's
    schools.attendance.codes.suggested_stage with the LA's StagePolicy); this adds the band's words."""
    from schools.models import StagePolicy

    figure = attendance_figures(user=user, pupil_ids=[pupil.pk]).get(pupil.pk)
    if figure is None or figure.suggested_stage is None:
        return None
    number = {stage: number for number, stage in _ENGINE_STAGES.items()}[figure.suggested_stage]
    band = next((b["range"] for b in StagePolicy.current().bands() if int(b["stage"]) == number), "")
    return StageSuggestion(stage=figure.suggested_stage, percent=figure.percent, period=figure.period, band=band)


@dataclass(frozen=True)
class ReviewAttendance:
    """The pupil's attendance over the period a review looks back on (the review form and cases.services)."""

    start: datetime.date
    end: datetime.date
    since: str  # what the period starts from, in words: "the last review on 2 November 2026"
    possible: int
    attended: int
    percent: Decimal | None  # None when the registers hold no possible sessions for the period

    @property
    def dates(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def review_attendance(*, user, case, held_on: datetime.date) -> ReviewAttendance:
    """Attendance (present + AEA, % of possible sessions) from the day after the case's last review before
    ``held_on`` (or from the day the case opened) up to ``held_on``, read by the attendance engine's selectors from
    the registers ``user`` may see: the pupil's current enrolment with the most sessions, as attendance_figures."""
    from schools.attendance import selectors as engine

    previous = (Review.objects.filter(case=case, held_on__lt=held_on).order_by("-held_on", "-pk")
                .values_list("held_on", flat=True).first())
    if previous is not None:
        start, since = previous + datetime.timedelta(days=1), f"the last review on {previous:%-d %B %Y}"
    else:
        start, since = case.opened_on, f"the case opened on {case.opened_on:%-d %B %Y}"
    if start > held_on:
        return ReviewAttendance(start, held_on, since, 0, 0, None)
    period = engine.resolve_period(None, timezone.localdate(), start, held_on)
    row = (engine.current_enrolment_counts(user, period, pupil_id=case.pupil_id)
           .values("possible", "present", "aea").first())
    figures = engine.Figures.from_row(row or {})
    percent = rate_as_percent(figures.attendance_rate) if figures.possible else None
    return ReviewAttendance(start, held_on, since, figures.possible, figures.attended, percent)


# --- Cases ----------------------------------------------------------------------------------------------------------

def visible_entries(user):
    """Chronology entries the user may read: scoped by pupil (ChronologyEntry.objects.visible_to, which also drops
    restricted entries for roles without Capability.READ_RESTRICTED)."""
    return ChronologyEntry.objects.visible_to(user)


def _last_action(user):
    return visible_entries(user).filter(case=OuterRef("pk")).order_by("-occurred_on", "-pk")


def case_list(*, user, today: datetime.date | None = None):
    """Cases the user may see, with the pupil, school and officer joined and the last (visible) action annotated, so
    a page of cases is one query."""
    today = today or timezone.localdate()
    last = _last_action(user)
    overdue_tasks = Task.objects.filter(case=OuterRef("pk"), status=Task.Status.OPEN, due_date__lt=today)
    return (
        Case.objects.visible_to(user)
        .select_related("pupil", "school", "school__partnership", "officer")
        .annotate(
            last_action_on=Subquery(last.values("occurred_on")[:1]),
            last_action_type=Subquery(last.values("entry_type")[:1]),
            last_action_summary=Subquery(last.values("summary")[:1]),
            has_overdue_task=Exists(overdue_tasks),
        )
    )


def case_list_with_attendance(*, user, period=None, policy=None, today: datetime.date | None = None):
    """The case list's rows with the pupil's attendance for the period (the year to date by default: att_possible,
    att_attended), the stage the LA's thresholds suggest, and whether it agrees with the case's own stage
    (stage_check), all in SQL so a page is still one query (schools.attendance.stages)."""
    from schools.attendance.stages import with_case_attendance

    return with_case_attendance(case_list(user=user, today=today), user=user, period=period, policy=policy)


def attach_attendance(*, user, cases, period=None) -> None:
    """case_list_with_attendance's figures for a page of cases already fetched (one query for the page)."""
    from schools.attendance.stages import attach_case_attendance

    attach_case_attendance(cases, user=user, period=period)


def case_get(*, user, pk: int) -> Case:
    """One case through the scope (404 outside it), with what the case page header needs joined, and whether it was
    ever closed (so a case never closed costs no query for its closure history)."""
    return get_object_or_404(
        Case.objects.visible_to(user).select_related("pupil", "school", "officer")
        .annotate(was_closed=Exists(CaseClosure.objects.filter(case=OuterRef("pk")))), pk=pk)


def case_for_update(*, user, pk: int) -> Case:
    """A fresh, scoped copy for a service to change (the form may have written onto another copy)."""
    return get_object_or_404(Case.objects.visible_to(user).select_related("pupil", "school", "officer"), pk=pk)


def _visible_revisions(user):
    """Earlier wordings of entries. A revision that lifted a restriction holds the restricted wording, as does every
    earlier one of that entry, so for users who may not read restricted entries only later revisions are kept."""
    revisions = ChronologyRevision.objects.select_related("edited_by")
    if user.can(Capability.READ_RESTRICTED):
        return revisions
    restricted = [value for value in ChronologyEntry.Restriction.values if value]
    last_lift = (ChronologyRevision.objects.filter(entry=OuterRef("entry"), previous__restriction__in=restricted)
                 .order_by("-pk").values("pk")[:1])
    return revisions.annotate(last_lift=Subquery(last_lift)).filter(
        Q(last_lift__isnull=True) | Q(pk__gt=F("last_lift")))


def case_timeline(*, user, case: Case):
    """The case's chronology: the entries (and their earlier wordings) the user may read, newest first."""
    attachments = Attachment.objects.visible_to(user).order_by("pk")
    return (
        visible_entries(user).filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("attachments", queryset=attachments, to_attr="visible_attachments"),
            Prefetch("revisions", queryset=_visible_revisions(user)),
        )
        .order_by("-occurred_on", "-pk")
    )


def case_page(*, user, case: Case) -> dict:
    """Everything the case page shows besides the timeline, each list one query. ``case`` came through the scope, so
    rows that belong to it share its pupil's scope; other pupils' cases (linked) and referrals (the referring
    school's document) go through their own scope."""
    plans = list(case.plans.select_related("intervention", "owner")
                 .annotate(review_count=Count("reviews")).order_by("status", "-start_date"))
    return {
        "stage_changes": list(StageChange.objects.filter(case=case).select_related("changed_by")),
        "allocations": list(Allocation.objects.filter(case=case).select_related("officer")),
        "plans": plans,
        "reviews": list(Review.objects.filter(case=case).select_related("reviewed_by", "plan__intervention")),
        "tasks": list(Task.objects.filter(case=case).select_related("assigned_to").order_by("status", "due_date",
                                                                                             "pk")),
        "linked_cases": list(Case.objects.visible_to(user).filter(linked_cases=case).select_related("pupil")),
        "referral": Referral.objects.visible_to(user).filter(case=case).select_related("school").first(),
        "closures": list(CaseClosure.objects.filter(case=case).select_related("closed_by", "reopened_by"))
        if getattr(case, "was_closed", True) else [],
    }


def header_carers(*, pupil: Pupil) -> list[Carer]:
    """The pupil's parents and carers for the case header, main contact first, each with the family's address to fall
    back on (one query). The pupil came through the user's scope, and so does their family."""
    if not pupil.family_id:
        return []
    return list(Carer.objects.filter(family_id=pupil.family_id).select_related("family"))


def family_members(*, user, pupil: Pupil) -> list[Pupil]:
    """The pupil's siblings the user may see, with their current school and open cases (whole-family working)."""
    if not pupil.family_id:
        return []
    open_cases = Case.objects.visible_to(user).open().select_related("officer").order_by("-opened_on")
    siblings = list(
        Pupil.objects.visible_to(user).with_current_enrolment(user)
        .filter(family_id=pupil.family_id).exclude(pk=pupil.pk)
        .prefetch_related(Prefetch("cases", queryset=open_cases, to_attr="open_cases"))
        .order_by("date_of_birth", "pk"))
    return siblings


def pupil_cases(*, user, pupil: Pupil) -> dict:
    return {
        "cases": list(case_list(user=user).filter(pupil=pupil).order_by("status", "-opened_on")),
        "referrals": list(Referral.objects.visible_to(user).filter(pupil=pupil).select_related("school", "case")),
    }


# --- Referrals ------------------------------------------------------------------------------------------------------

def referral_list(*, user):
    return (Referral.objects.visible_to(user).select_related("pupil", "school", "referred_by", "case")
            .order_by("-created_at", "-pk"))


def referral_get(*, user, pk: int) -> Referral:
    return get_object_or_404(
        referral_list(user=user).select_related("triaged_by").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.visible_to(user), to_attr="visible_attachments")),
        pk=pk)


def referral_for_update(*, user, pk: int) -> Referral:
    return get_object_or_404(Referral.objects.visible_to(user).select_related("pupil", "school"), pk=pk)


def attachment_get(*, user, pk: int) -> Attachment:
    return get_object_or_404(Attachment.objects.visible_to(user), pk=pk)


def entry_get(*, user, pk: int) -> ChronologyEntry:
    return get_object_or_404(visible_entries(user).select_related("case", "case__pupil"), pk=pk)


def task_get(*, user, pk: int) -> Task:
    return get_object_or_404(Task.objects.visible_to(user).select_related("case", "tsm"), pk=pk)


# --- Officers, My work and the manager view -------------------------------------------------------------------------

def officers():
    """Users who can hold cases (allocation choices and the officer filter)."""
    return User.objects.filter(role=Role.LA_OFFICER, is_active=True).order_by("first_name", "last_name", "username")


def link_school_ids(user) -> list[int]:
    """The schools the user is link officer for (cases.models.SchoolLinkOfficer); provided to the attendance pages
    (schools.common.providers, ``attendance.link_school_ids``), whose penalty-notice worklist starts on them."""
    if not (user and user.is_authenticated):
        return []
    return list(SchoolLinkOfficer.objects.filter(officer_id=user.pk).order_by("school_id")
                .values_list("school_id", flat=True))


def caseworkers():
    """Users who can own plans and tasks on the LA side."""
    return User.objects.filter(role__in=[Role.LA_OFFICER, Role.LA_MANAGER, Role.LA_ADMIN],
                               is_active=True).order_by("first_name", "last_name", "username")


def officer_caseloads(*, today: datetime.date | None = None, policy: CaseworkPolicy | None = None):
    """Each LA officer with their open cases, overdue reviews, caseload limit (their own where one is set, else the
    LA default) and team, all in one query."""
    today = today or timezone.localdate()
    policy = policy or CaseworkPolicy.current()
    return officers().annotate(
        open_cases=Count("allocated_cases", filter=~Q(allocated_cases__status=Case.Status.CLOSED)),
        overdue_reviews=Count("allocated_cases", filter=Q(allocated_cases__status=Case.Status.OPEN,
                                                          allocated_cases__next_review_due__lt=today)),
        caseload_limit=Coalesce(F("caseload_limit_override__caseload_limit"), Value(policy.caseload_limit)),
        own_limit=Exists(OfficerCaseloadLimit.objects.filter(officer=OuterRef("pk"))),
        limit_reason=F("caseload_limit_override__reason"),
        team_pk=F("team_membership__team_id"),
    ).annotate(
        over_limit=ExpressionWrapper(Q(open_cases__gt=F("caseload_limit")), output_field=BooleanField()),
    )


def caseload_limit_for(officer, *, policy: CaseworkPolicy | None = None) -> int:
    """An officer's caseload limit: their own (OfficerCaseloadLimit) or the LA default."""
    own = OfficerCaseloadLimit.objects.filter(officer=officer).values_list("caseload_limit", flat=True).first()
    return own or (policy or CaseworkPolicy.current()).caseload_limit


def team_of(user) -> Team | None:
    """The team an officer belongs to."""
    return Team.objects.filter(memberships__officer=user).select_related("manager").first()


def teams_with_caseloads(*, teams, today: datetime.date, policy: CaseworkPolicy, include_unteamed: bool = False):
    """[(team or None, [officers with caseloads])] for the given teams (and, if asked, officers in no team): two
    queries however many teams and officers."""
    teams = list(teams)
    loads = officer_caseloads(today=today, policy=policy)
    if include_unteamed:
        loads = loads.filter(Q(team_membership__team__in=teams) | Q(team_membership__isnull=True))
    else:
        loads = loads.filter(team_membership__team__in=teams)
    by_team: dict[int | None, list] = {}
    for officer in loads:
        by_team.setdefault(officer.team_pk, []).append(officer)
    groups = [(team, by_team.get(team.pk, [])) for team in teams]
    if include_unteamed and by_team.get(None):
        groups.append((None, by_team[None]))
    return groups


def my_work(*, user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=14)
    policy = CaseworkPolicy.current()
    my_cases = list(case_list(user=user, today=today).filter(officer=user).open()
                    .order_by("next_review_due", "pk"))
    tasks = list(
        Task.objects.visible_to(user).open().filter(assigned_to=user)
        .exclude(case__status=Case.Status.CLOSED)
        .select_related("case", "case__pupil", "tsm", "tsm__school").order_by("due_date", "pk"))
    team = team_of(user) if user.role == Role.LA_OFFICER else None
    if team is not None:
        teams = [team]
    else:
        teams = list(Team.objects.filter(manager=user).select_related("manager")) if user.role in (
            Role.LA_MANAGER, Role.LA_ADMIN) else []
    return {
        "today": today,
        "cases": my_cases,
        "reviews_due": [c for c in my_cases if c.status == Case.Status.OPEN and c.next_review_due
                        and c.next_review_due <= soon],
        "overdue_tasks": [t for t in tasks if t.due_date < today],
        "upcoming_tasks": [t for t in tasks if today <= t.due_date],
        "caseload_limit": caseload_limit_for(user, policy=policy) if user.role == Role.LA_OFFICER
        else policy.caseload_limit,
        "reminders": reminders_for(user=user),
        "my_team": team,
        "team_caseloads": teams_with_caseloads(teams=teams, today=today, policy=policy) if teams else [],
    }


def reminders_for(*, user) -> list[CaseReminder]:
    """The user's open reminders that still hold (a review recorded or a task done since this morning drops out)."""
    return list(CaseReminder.objects.visible_to(user).still_due()
                .select_related("case__pupil", "task").order_by("due", "pk"))


def school_work(*, user) -> dict:
    """A school user's landing list: their referrals, their pupils' open cases, and reminders of tasks for them."""
    return {
        "referrals": list(referral_list(user=user)[:50]),
        "cases": list(case_list(user=user).open().order_by("-opened_on", "-pk")[:50]),
        "reminders": reminders_for(user=user),
        "today": timezone.localdate(),
    }


def team_overview(*, user, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    policy = CaseworkPolicy.current()
    groups = teams_with_caseloads(teams=Team.objects.select_related("manager"), today=today, policy=policy,
                                  include_unteamed=True)
    by_stage = Case.objects.visible_to(user).counts_by_stage()
    return {
        "today": today,
        "policy": policy,
        "referrals": list(referral_list(user=user).filter(status=Referral.Status.SUBMITTED).order_by("created_at")),
        "awaiting_allocation": list(case_list(user=user).filter(status=Case.Status.REFERRED).order_by("opened_on")),
        "teams": groups,
        "by_stage": [(STAGES[s], by_stage.get(s, 0)) for s in STAGE_ORDER],
        "overdue_reviews": list(case_list(user=user, today=today).review_overdue(today)
                                .order_by("officer__first_name", "next_review_due")),
    }


# --- TSMs ----------------------------------------------------------------------------------------------------------

def tsm_list(*, user):
    return (TargetingSupportMeeting.objects.visible_to(user).select_related("school", "academic_year", "officer")
            .annotate(pupil_count=Count("pupils_discussed")).order_by("-held_on", "-pk"))


def tsm_get(*, user, pk: int) -> TargetingSupportMeeting:
    return get_object_or_404(tsm_list(user=user), pk=pk)


def tsm_detail(*, user, tsm: TargetingSupportMeeting) -> dict:
    discussed = list(TsmPupil.objects.visible_to(user).filter(tsm=tsm).select_related("pupil", "task", "case"))
    tasks = list(Task.objects.visible_to(user).filter(tsm=tsm).select_related("assigned_to", "case"))
    return {"discussed": discussed, "tasks": tasks}


def tsm_pack_rows(*, user, tsm: TargetingSupportMeeting) -> list[dict]:
    """The TSM pack: the school's persistently and severely absent pupils (from the attendance engine, once
    connected), every pupil on its roll with an open case, and the pupils discussed at the meeting; with stage, case
    status and last action (restricted entries never appear for users who may not read them)."""
    figures = attendance_figures(user=user, school=tsm.school)
    on_roll = Enrolment.objects.filter(school=tsm.school, end_date__isnull=True)
    discussed = TsmPupil.objects.filter(tsm=tsm).values("pupil")
    wanted = Q(Exists(Case.objects.open().filter(pupil=OuterRef("pk"))) & Exists(on_roll.filter(
        pupil=OuterRef("pk")))) | Q(pk__in=discussed) | Q(pk__in=list(figures))
    pupils = list(
        Pupil.objects.visible_to(user).filter(wanted).with_current_enrolment(user)
        .prefetch_related(Prefetch("cases", queryset=case_list(user=user).open().order_by("-opened_on"),
                                   to_attr="open_cases"))
        .order_by("legal_last_name", "legal_first_name", "pk"))
    others = [p.pk for p in pupils if p.pk not in figures]
    figures.update(attendance_figures(user=user, pupil_ids=others) if others else {})
    return [{"pupil": pupil, "attendance": figures.get(pupil.pk), "cases": pupil.open_cases} for pupil in pupils]


def current_academic_year(today: datetime.date | None = None):
    from schools.models import AcademicYear

    today = today or timezone.localdate()
    return AcademicYear.objects.filter(start_date__lte=today, end_date__gte=today).first()


def assignable_users(school_id):
    """Who a task or plan for a pupil at this school may be given to: active LA staff and the school's own users."""
    users = User.objects.filter(is_active=True).filter(
        Q(role__in=[Role.LA_OFFICER, Role.LA_MANAGER, Role.LA_ADMIN])
        | Q(role=Role.SCHOOL_USER, schools__pk=school_id)).distinct()
    return users.order_by("role", "first_name", "last_name", "username")


def open_attendance_case(user, pupil) -> Case | None:
    """The pupil's open attendance case the user may see (the higher stage if two are open), or None. Provided to the
    attendance pages (schools.common.providers, ``attendance.open_case``)."""
    return (Case.objects.visible_to(user).open().filter(pupil=pupil, case_type__in=ATTENDANCE_CASE_TYPES)
            .order_by("-stage", "-pk").first())


def open_attendance_case_subqueries(user):
    """The same case for each row's pupil (``OuterRef("pupil_id")``) as (stage, id) subqueries, for the attendance
    lists' stage check (``attendance.open_case_subqueries``)."""
    cases = (Case.objects.visible_to(user).open()
             .filter(pupil=OuterRef("pupil_id"), case_type__in=ATTENDANCE_CASE_TYPES).order_by("-stage", "-pk"))
    return Subquery(cases.values("stage")[:1]), Subquery(cases.values("pk")[:1])
