"""Reads for legal work. Every selector takes the user and starts from a scoped queryset: legal records are LA-only
(legal.models.LaOnlyQuerySet), a school reaches its own requests and the notices they led to; anything else is 404.

The statutory record and legal figures (notices by type, school and outcome; payment rates; prosecutions and
outcomes) are computed set-wise in SQL by the ``*_figures`` selectors below, which reports reuse.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from legal.messaging import selectors as messaging_selectors
from legal.models import (
    Contract,
    EducationSupervisionOrder,
    EsoConsideration,
    Hearing,
    LegalAlert,
    LegalPathway,
    LegalPolicy,
    Letter,
    LetterBatch,
    NoticeToImprove,
    ParentingOrder,
    PenaltyNotice,
    PenaltyNoticeRequest,
    Prosecution,
    RequestEvidence,
    SchoolAttendanceOrder,
    SupportChecklistItem,
)
from legal.rules import NoticeType, Offence
from schools.attendance.codes import as_percent
from schools.models import Carer, Enrolment, Pupil

# --- The support gate -------------------------------------------------------------------------------------------


@dataclass
class GateItem:
    """One checklist item and what on the case evidences it."""

    item: SupportChecklistItem
    evidence: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def satisfied(self) -> bool:
        return bool(self.evidence) or (self.item.allows_reason and bool(self.reason.strip()))

    @property
    def blocking(self) -> bool:
        return self.item.required and not self.satisfied

    def as_record(self) -> dict:
        return {"item": self.item.label, "required": self.item.required, "satisfied": self.satisfied,
                "evidence": self.evidence, "reason": self.reason.strip()}


def support_gate(*, case, reasons: dict | None = None) -> list[GateItem]:
    """Evaluate the LA's evidenced-support checklist against the case: its chronology, its intervention plans, the
    pupil's contracts and the legal letters sent on the case. Five queries however long the case."""
    from cases.models import ChronologyEntry
    from interventions.models import InterventionPlan

    reasons = reasons or {}
    items = list(SupportChecklistItem.objects.filter(is_active=True).prefetch_related("interventions"))
    entries = list(ChronologyEntry.objects.filter(case=case).exclude(entry_type="event")
                   .values("entry_type", "meeting_type", "summary", "occurred_on"))
    plans = list(InterventionPlan.objects.filter(case=case).select_related("intervention")
                 .values("intervention_id", "intervention__name", "start_date", "status", "outcome"))
    contracts = list(Contract.objects.filter(pupil_id=case.pupil_id).values("kind", "agreed_on", "status",
                                                                             "outcome"))
    letters = list(Letter.objects.filter(case=case).values("kind", "sent_on"))
    result = []
    for item in items:
        found: list[str] = []
        if item.entry_type:
            words = item.summary_contains.lower().strip()
            for entry in entries:
                if entry["entry_type"] != item.entry_type:
                    continue
                if item.meeting_type and entry["meeting_type"] != item.meeting_type:
                    continue
                if words and words not in entry["summary"].lower():
                    continue
                found.append(f"Chronology, {entry['occurred_on']:%-d %b %Y}: {entry['summary']}")
        wanted = {i.pk for i in item.interventions.all()}
        for plan in plans:
            if plan["intervention_id"] in wanted:
                state = plan["status"].replace("_", " ") + (f", {plan['outcome'].replace('_', ' ')}"
                                                             if plan["outcome"] else "")
                found.append(f"Plan from {plan['start_date']:%-d %b %Y}: {plan['intervention__name']} ({state})")
        if item.contract_counts:
            for contract in contracts:
                label = dict(Contract.Kind.choices)[contract["kind"]]
                found.append(f"{label} agreed {contract['agreed_on']:%-d %b %Y} ({contract['outcome'] or 'active'})")
        if item.letter_kind:
            for letter in letters:
                if letter["kind"] == item.letter_kind:
                    found.append(f"Letter sent {letter['sent_on']:%-d %b %Y}")
        result.append(GateItem(item=item, evidence=found, reason=str(reasons.get(str(item.pk), "") or "")))
    return result


# --- Attendance for letters, requests and packs -----------------------------------------------------------------

@dataclass(frozen=True)
class PupilAttendance:
    period: str
    percent: Decimal
    possible: int
    unauthorised: int


def pupil_attendance(*, user, pupil: Pupil) -> PupilAttendance | None:
    """The pupil's attendance this academic year to date, over the enrolments the user may see (the attendance
    engine's figures, summed)."""
    from schools.attendance import selectors as engine

    period = engine.resolve_period(None, timezone.localdate())
    rows = engine.enrolment_figures(user, period, Enrolment.objects.visible_to(user).filter(pupil=pupil))
    totals = engine.Figures()
    for row in rows:
        for name in engine.COUNT_FIELDS:
            setattr(totals, name, getattr(totals, name) + (row.get(name) or 0))
    if not totals.possible:
        return None
    return PupilAttendance(period.label, (totals.attendance_rate * 100).quantize(Decimal("0.1")), totals.possible,
                           totals.unauthorised)


@dataclass
class RegisterWeek:
    monday: datetime.date
    sessions: list[str]  # ten codes, Mon AM ... Fri PM ("" where no mark)
    possible: int
    present: int
    unauthorised: int


@dataclass
class RegisterYear:
    label: str
    weeks: list[RegisterWeek]
    possible: int
    present: int
    authorised: int
    unauthorised: int

    @property
    def percent(self) -> Decimal | None:
        if not self.possible:
            return None
        return as_percent(self.present, self.possible)


def register_years(*, user, pupil: Pupil, today: datetime.date | None = None) -> list[RegisterYear]:
    """This and last academic year's register in "herringbone" form: one row per school week, ten sessions across
    (Monday AM to Friday PM), with the week's counts as the attendance engine stored them. One query for the weeks,
    within the user's scope (a school sees its own registers only)."""
    from schools.attendance.weeks import SLOTS, slot_code
    from schools.models import AcademicYear, AttendanceWeek

    today = today or timezone.localdate()
    years = list(AcademicYear.objects.filter(start_date__lte=today).order_by("-start_date")[:2])
    if not years:
        return []
    rows = (AttendanceWeek.objects.visible_to(user)
            .filter(enrolment__pupil=pupil, week_start__range=(years[-1].start_date, today))
            .values_list("week_start", "marks", "academic_year_id", "possible", "present", "aea", "authorised",
                         "unauthorised").order_by("week_start"))
    by_year: dict[int, dict[datetime.date, RegisterWeek]] = {y.pk: {} for y in years}
    totals = {y.pk: {"possible": 0, "present": 0, "authorised": 0, "unauthorised": 0} for y in years}
    for monday, marks, year_id, possible, present, aea, authorised, unauthorised in rows:
        if year_id not in by_year:
            continue
        # Dual registration: two enrolments' weeks fall on one row, a mark from either filling the slot.
        week = by_year[year_id].setdefault(monday, RegisterWeek(monday, [""] * SLOTS, 0, 0, 0))
        for slot in range(SLOTS):
            code = slot_code(marks, slot)
            if code and not week.sessions[slot]:
                week.sessions[slot] = code
        week.possible += possible
        week.present += present + aea
        week.unauthorised += unauthorised
        for name, value in (("possible", possible), ("present", present + aea), ("authorised", authorised),
                            ("unauthorised", unauthorised)):
            totals[year_id][name] += value
    return [RegisterYear(y.name + (" (to date)" if y.end_date >= today else ""),
                         [by_year[y.pk][m] for m in sorted(by_year[y.pk])], **totals[y.pk]) for y in years]


# --- Pages --------------------------------------------------------------------------------------------------------

def pupil_carers(pupil: Pupil):
    """The parents who can be legal parties: the carers of the pupil's family (several per pupil)."""
    if not pupil.family_id:
        return Carer.objects.none()
    return Carer.objects.filter(family_id=pupil.family_id).order_by("-is_main_contact", "full_name")


def pathway_get(*, user, pk: int) -> LegalPathway:
    return get_object_or_404(LegalPathway.objects.visible_to(user).select_related(
        "case", "case__school", "case__officer", "pupil", "opened_by", "overridden_by"), pk=pk)


def pathway_page(*, user, pathway: LegalPathway) -> dict:
    """Everything on a pathway, each list one query."""
    return {
        "ntis": list(NoticeToImprove.objects.filter(pathway=pathway).select_related("carer")),
        "notices": list(notice_list(user=user).filter(pathway=pathway)),
        "eso_considerations": list(EsoConsideration.objects.filter(pathway=pathway).select_related("considered_by")),
        "esos": list(EducationSupervisionOrder.objects.filter(pathway=pathway).prefetch_related("extensions")),
        "saos": list(SchoolAttendanceOrder.objects.filter(pathway=pathway).select_related("carer", "named_school")),
        "prosecutions": list(Prosecution.objects.filter(pathway=pathway).select_related("carer", "penalty_notice")),
        "parenting_orders": list(ParentingOrder.objects.filter(pathway=pathway).select_related("carer")),
        "letters": list(Letter.objects.filter(case_id=pathway.case_id).select_related("carer", "sent_by")),
        "contracts": list(Contract.objects.filter(pupil_id=pathway.pupil_id).select_related("carer")),
    }


def case_block(*, user, case) -> dict | None:
    """The small legal block on the case page (LA roles only): the case's pathways and its pupil's notices."""
    if not user.is_la_staff:
        return None
    pathways = list(LegalPathway.objects.visible_to(user).filter(case=case).order_by("-opened_on", "-pk"))
    counts = PenaltyNotice.objects.visible_to(user).filter(pupil_id=case.pupil_id).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=[PenaltyNotice.Status.ISSUED,
                                                                 PenaltyNotice.Status.UNPAID,
                                                                 PenaltyNotice.Status.REFERRED])))
    return {"pathways": pathways, "open_pathway": next((p for p in pathways if p.is_open), None),
            "notice_counts": counts}


def pupil_legal(*, user, pupil: Pupil) -> dict:
    """The pupil profile's Legal tab. LA roles: every legal record for the pupil. A school: its own requests and
    their outcomes only."""
    requests = list(request_list(user=user).filter(pupil=pupil))
    if not user.is_la_staff:
        return {"requests": requests}
    return {
        "requests": requests,
        "pathways": list(LegalPathway.objects.visible_to(user).filter(pupil=pupil).select_related("case")),
        "notices": list(notice_list(user=user).filter(pupil=pupil)),
        "contracts": list(Contract.objects.visible_to(user).filter(pupil=pupil).select_related("carer")),
        "prosecutions": list(Prosecution.objects.visible_to(user).filter(pupil=pupil).select_related("carer")),
        "letters": list(Letter.objects.visible_to(user).filter(pupil=pupil).select_related("carer", "sent_by")),
        "messages": messaging_selectors.pupil_messages(user=user, pupil=pupil),
    }


def notice_list(*, user):
    """Notices the user may see, with their parties joined and whether each was prosecuted: one query a page."""
    prosecuted = Prosecution.objects.filter(penalty_notice=OuterRef("pk"))
    return (PenaltyNotice.objects.visible_to(user)
            .select_related("pupil", "carer", "school", "request")
            .annotate(prosecuted=Exists(prosecuted)))


def notice_get(*, user, pk: int) -> PenaltyNotice:
    return get_object_or_404(notice_list(user=user).select_related("pathway", "issued_by", "case"), pk=pk)


def notice_page(*, user, notice: PenaltyNotice) -> dict:
    return {
        "payments": list(notice.payments.select_related("recorded_by")),
        "prosecutions": list(Prosecution.objects.visible_to(user).filter(penalty_notice=notice)),
        "letters": list(Letter.objects.visible_to(user).filter(penalty_notice=notice).select_related("sent_by")),
        "history": list(notice_list(user=user).filter(pupil_id=notice.pupil_id, carer_id=notice.carer_id)
                        .exclude(pk=notice.pk)),
    }


def request_list(*, user):
    return (PenaltyNoticeRequest.objects.visible_to(user)
            .select_related("pupil", "school", "requested_by")
            .prefetch_related("carers",
                              Prefetch("notices", queryset=PenaltyNotice.objects.select_related("carer"))))


def request_get(*, user, pk: int) -> PenaltyNoticeRequest:
    return get_object_or_404(request_list(user=user).select_related("decided_by").prefetch_related("evidence"), pk=pk)


def evidence_get(*, user, pk: int) -> RequestEvidence:
    """A file of evidence on a penalty-notice request the user may see (its request's scope), or 404."""
    visible = RequestEvidence.objects.filter(request__in=PenaltyNoticeRequest.objects.visible_to(user).values("pk"))
    return get_object_or_404(visible.select_related("request"), pk=pk)


def prosecution_list(*, user):
    return (Prosecution.objects.visible_to(user).select_related("pupil", "carer", "penalty_notice", "officer",
                                                                "pathway__case")
            .annotate(hearing_count=Count("hearings"))
            # A GROUP BY drops Meta.ordering, and pages (page and API) need a stable order.
            .order_by(*Prosecution._meta.ordering))


def prosecution_get(*, user, pk: int) -> Prosecution:
    return get_object_or_404(prosecution_list(user=user), pk=pk)


def prosecution_page(*, user, prosecution: Prosecution) -> dict:
    return {"hearings": list(Hearing.objects.filter(prosecution=prosecution).select_related("recorded_by")),
            "eso_considerations": list(EsoConsideration.objects.filter(pathway_id=prosecution.pathway_id)),
            "letters": list(Letter.objects.filter(prosecution=prosecution).select_related("sent_by")),
            "orders": list(ParentingOrder.objects.filter(prosecution=prosecution))}


def contract_get(*, user, pk: int) -> Contract:
    return get_object_or_404(Contract.objects.visible_to(user).select_related("pupil", "carer", "case"), pk=pk)


# Rows of each worklist on the legal dashboard, the most pressing first; the rest are a link away.
DASHBOARD_ROWS = 25


def dashboard(*, user, today: datetime.date | None = None) -> dict:
    """The legal dashboard for LA roles: alerts, the request queue with decision deadlines, notices whose payment
    period is over, prosecutions by how near the six-month limit is, improvement periods, reviews and orders ending."""
    today = today or timezone.localdate()
    policy = LegalPolicy.current()
    soon = today + datetime.timedelta(days=policy.deadline_warning_days)
    queue = request_list(user=user).filter(status=PenaltyNoticeRequest.Status.SUBMITTED).order_by("decision_due", "pk")
    to_refer = notice_list(user=user).filter(
        Q(status=PenaltyNotice.Status.UNPAID) | Q(status=PenaltyNotice.Status.ISSUED, full_due_on__lt=today)
    ).order_by("full_due_on", "pk")
    prosecutions = (prosecution_list(user=user).filter(status=Prosecution.Status.PREPARING)
                    .order_by("information_deadline", "pk"))
    return {
        "today": today,
        "soon": soon,
        "alerts": list(LegalAlert.objects.visible_to(user).unread().select_related("pupil", "penalty_notice",
                                                                                   "prosecution")),
        # Each worklist shows its most pressing rows, with how many there are and a link to the whole list: at a
        # large LA hundreds of notices wait to be referred, and one page listing them all took 170 ms to draw.
        "queue": list(queue[:DASHBOARD_ROWS]), "queue_count": queue.count(),
        "to_refer": list(to_refer[:DASHBOARD_ROWS]), "to_refer_count": to_refer.count(),
        "prosecutions": list(prosecutions[:DASHBOARD_ROWS]), "prosecutions_count": prosecutions.count(),
        "ntis": list(NoticeToImprove.objects.visible_to(user).filter(outcome=NoticeToImprove.Outcome.PENDING)
                     .select_related("pupil", "carer").order_by("improvement_ends_on", "pk")),
        "contract_reviews": list(Contract.objects.visible_to(user).filter(
            status=Contract.Status.ACTIVE, next_review_on__lte=soon).select_related("pupil", "carer")
            .order_by("next_review_on", "pk")),
        "esos": list(EducationSupervisionOrder.objects.visible_to(user).filter(
            status=EducationSupervisionOrder.Status.IN_FORCE, expires_on__lte=today + datetime.timedelta(days=92))
            .select_related("pupil").order_by("expires_on", "pk")),
    }


def batch_get(*, user, pk: int) -> LetterBatch:
    return get_object_or_404(LetterBatch.objects.filter(created_by=user).select_related("job", "template"), pk=pk)


def letter_get(*, user, pk: int) -> Letter:
    return get_object_or_404(Letter.objects.visible_to(user).select_related("pupil", "carer"), pk=pk)


# --- The statutory record and legal figures (reused by reporting) ---------------------------------------------------

def _in_period(queryset, field_name: str, start: datetime.date | None, end: datetime.date | None):
    if start:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field_name}__lte": end})
    return queryset


def notice_register(*, user, start: datetime.date | None = None, end: datetime.date | None = None):
    """The LA's record of notices (PN2007 reg 20): each notice with its payment (date and amount), withdrawal and
    grounds, and whether the recipient was prosecuted, for notices issued between ``start`` and ``end``."""
    return _in_period(notice_list(user=user), "issued_on", start, end).order_by("-issued_on", "-pk")


def notice_figures_by_type_school_outcome(*, user, start=None, end=None) -> list[dict]:
    """Notices issued in the period counted by type, school and outcome (status), one GROUP BY.
    Rows: {notice_type, school, status, notices}."""
    rows = (_in_period(PenaltyNotice.objects.visible_to(user), "issued_on", start, end)
            .values("notice_type", "school__name", "status").annotate(notices=Count("pk"))
            .order_by("notice_type", "school__name", "status"))
    types, statuses = dict(NoticeType.choices), dict(PenaltyNotice.Status.choices)
    return [{"notice_type": types.get(r["notice_type"], r["notice_type"]), "school": r["school__name"] or "No school",
             "status": statuses.get(r["status"], r["status"]), "notices": r["notices"]} for r in rows]


def payment_rate_figures(*, user, start=None, end=None) -> list[dict]:
    """Payment rates by notice type for notices issued in the period, one GROUP BY: issued, withdrawn, paid at the
    reduced and full rates, unpaid (including referred), the amount collected and the payment rate (paid as a share
    of notices not withdrawn, one decimal place, half up)."""
    paid = Q(status__in=list(PenaltyNotice.PAID))
    rows = (_in_period(PenaltyNotice.objects.visible_to(user), "issued_on", start, end).values("notice_type")
            .annotate(issued=Count("pk"), withdrawn=Count("pk", filter=Q(status=PenaltyNotice.Status.WITHDRAWN)),
                      paid_reduced=Count("pk", filter=Q(status=PenaltyNotice.Status.PAID_REDUCED)),
                      paid_full=Count("pk", filter=Q(status=PenaltyNotice.Status.PAID_FULL)),
                      unpaid=Count("pk", filter=Q(status__in=[PenaltyNotice.Status.UNPAID,
                                                              PenaltyNotice.Status.REFERRED])),
                      running=Count("pk", filter=Q(status=PenaltyNotice.Status.ISSUED)),
                      collected=Sum("paid_amount", filter=paid))
            .order_by("notice_type"))
    types = dict(NoticeType.choices)
    result = []
    for row in rows:
        live = row["issued"] - row["withdrawn"]
        paid_count = row["paid_reduced"] + row["paid_full"]
        rate = (Decimal(paid_count) * 100 / live).quantize(Decimal("0.1")) if live else None
        result.append({**row, "notice_type": types.get(row["notice_type"], row["notice_type"]),
                       "collected": _pounds(row["collected"]), "payment_rate": rate})
    return result


def prosecution_figures(*, user, start=None, end=None) -> list[dict]:
    """Prosecutions with information laid in the period (or still being prepared, when no period is given) by
    offence, status and outcome, with fines and costs ordered, one GROUP BY."""
    queryset = Prosecution.objects.visible_to(user)
    if start or end:
        queryset = _in_period(queryset, "information_laid_on", start, end)
    rows = (queryset.values("offence", "status", "outcome")
            .annotate(prosecutions=Count("pk"), fines=Sum("fine_amount"), costs=Sum("costs_amount"))
            .order_by("offence", "status", "outcome"))
    offences, statuses = dict(Offence.choices), dict(Prosecution.Status.choices)
    outcomes = dict(Prosecution.Outcome.choices)
    return [{"offence": offences.get(r["offence"], r["offence"]), "status": statuses.get(r["status"], r["status"]),
             "outcome": outcomes.get(r["outcome"], "Not yet decided") if r["outcome"] else "Not yet decided",
             "prosecutions": r["prosecutions"], "fines": _pounds(r["fines"]), "costs": _pounds(r["costs"])}
            for r in rows]


def _pounds(value) -> Decimal:
    """A SUM of money as pounds and pence (SQLite returns Decimal('80') for 80.00)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))
