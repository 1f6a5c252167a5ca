"""What the penalty-notice threshold worklist (schools.attendance.threshold, a lower app) needs from the casework and
legal records, provided through schools.common.providers (legal.apps):

- ``attendance.threshold_columns``: per row, the pupil's open attendance case (id, stage, officer) and the penalty
  notices issued for the pupil in the last three years (the national framework's window: a second notice to a parent
  within three years is charged at the higher rate, and a third is not issued), as subquery annotations;
- ``attendance.threshold_last_actions``: a kept run's entries given their last action from the records (a case
  opened, a contact in a case chronology, a letter, a notice request, a notice), since the window began, in a few
  set-wise UPDATEs.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, DateField, Exists, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.utils import timezone

from cases.models import Case, ChronologyEntry
from cases.services import CONTACT_ENTRY_TYPES
from legal.models import Letter, PenaltyNotice, PenaltyNoticeRequest
from schools.attendance.stages import ATTENDANCE_CASE_TYPES
from schools.models import PnThresholdEntry
from schools.roles import Capability

NOTICE_WINDOW_YEARS = 3
_FLOOR = datetime.date(1900, 1, 1)


def threshold_columns(user) -> dict:
    case = (Case.objects.visible_to(user).open().filter(pupil=OuterRef("pupil_id"),
                                                         case_type__in=ATTENDANCE_CASE_TYPES)
            .order_by("-stage", "-pk"))
    columns = {"case_pk": Subquery(case.values("pk")[:1]), "case_stage": Subquery(case.values("stage")[:1]),
               "case_officer_id": Subquery(case.values("officer_id")[:1])}
    if user.can(Capability.VIEW_LEGAL):
        since = _years_before(timezone.localdate(), NOTICE_WINDOW_YEARS)
        notices = (PenaltyNotice.objects.filter(pupil=OuterRef("pupil_id"), issued_on__gt=since).order_by()
                   .values("pupil").annotate(n=Count("pk")).values("n"))
        columns["notices_3y"] = Coalesce(Subquery(notices, output_field=IntegerField()), 0)
    else:
        columns["notices_3y"] = Value(None, output_field=IntegerField())
    return columns


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _latest(model, date_field: str, **match):
    """The latest date of a record of this kind about the entry's pupil since its window began (a subquery)."""
    rows = (model.objects.filter(**match, **{f"{date_field}__gte": OuterRef("window_start")}).order_by()
            .values(next(iter(match))).annotate(latest=Max(date_field)).values("latest"))
    return Subquery(rows, output_field=DateField())


def _sources() -> dict[str, tuple]:
    pupil = OuterRef("pupil_id")
    return {
        # Least telling first: where two happened the same day, the later one in this order names the row's action.
        PnThresholdEntry.Action.CASE: (Case, "opened_on", {"pupil": pupil}),
        PnThresholdEntry.Action.CONTACT: (ChronologyEntry, "occurred_on",
                                          {"case__pupil": pupil, "entry_type__in": CONTACT_ENTRY_TYPES}),
        PnThresholdEntry.Action.LETTER: (Letter, "sent_on", {"pupil": pupil}),
        PnThresholdEntry.Action.REQUEST: (PenaltyNoticeRequest, "submitted_on", {"pupil": pupil}),
        PnThresholdEntry.Action.NOTICE: (PenaltyNotice, "issued_on", {"pupil": pupil}),
    }


def threshold_last_actions(entries) -> None:
    sources = _sources()
    latest = [Coalesce(_latest(model, field, **match), Value(_FLOOR)) for model, field, match in sources.values()]
    entries.update(last_action_on=NullIf(Greatest(*latest), Value(_FLOOR)), last_action="")
    for action, (model, field, match) in sources.items():
        same_day = model.objects.filter(**match, **{field: OuterRef("last_action_on")})
        entries.filter(last_action_on__isnull=False).filter(Exists(same_day)).update(last_action=action)
    entries.filter(last_action_on__isnull=True).update(last_action="")


def home_panel(user, today: datetime.date):
    """The home page's legal panel (schools.home, ``home`` step): a school's notice requests and their decisions; the
    requests an LA decider has waiting, overdue ones first in mind."""
    from django.urls import reverse

    from schools.home import Item, Panel

    requests = PenaltyNoticeRequest.objects.visible_to(user)
    url = reverse("legal:request_list")
    if user.can(Capability.REQUEST_PENALTY_NOTICE) and not user.is_la_staff:
        url = reverse("legal:dashboard")  # a school's requests are listed on its Legal page
        waiting = requests.filter(status=PenaltyNoticeRequest.Status.SUBMITTED).count()
        decided = requests.exclude(status=PenaltyNoticeRequest.Status.SUBMITTED).filter(
            decided_at__date__gte=today - datetime.timedelta(days=30)).count()
        return Panel("Penalty notice requests", [
            Item("Waiting for the LA's decision", waiting, f"{url}?status=submitted"),
            Item("Decided in the last 30 days", decided, url)], order=40)
    if user.can(Capability.DECIDE_PN_REQUESTS):
        waiting = requests.filter(status=PenaltyNoticeRequest.Status.SUBMITTED)
        return Panel("Penalty notice requests", [
            Item("Schools' requests to decide", waiting.count(), f"{url}?status=submitted"),
            Item("Past their decision date", waiting.filter(decision_due__lt=today).count(), f"{url}?overdue=true",
                 urgent=True)], order=40)
    return None
