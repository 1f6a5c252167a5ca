"""Writing alerts: the evaluation that opens, clears and assigns episodes (set-wise, idempotent), and marking an
alert dealt with.

An episode (cases.models.Alert) is one stretch of a rule holding for a pupil. Each evaluation compares who meets each
active rule now (cases.alerts.rules) with the rule's current (uncleared) episodes:

- meets the rule, no current episode: a new episode opens, assigned (below);
- meets it, with a current episode about the same event (``evidence["key"]``): nothing changes, so re-running is
  harmless;
- meets it on something new (another suspension, a new run of absences) while the current episode is still to do:
  the episode's evidence is brought up to date; if that episode was already dealt with, it is cleared and a new one
  opens, so what was dealt with is never confused with what has just happened;
- no longer meets it: the current episode is cleared (``cleared_on``), whether or not it was dealt with; if the rule
  fires again later, a new episode opens.

Alerts are derived records, like attendance summaries: the system opening and clearing them is not audited row by
row; a person marking one dealt with is (schools.audit.record_change).

Assignment of a new episode: the pupil's case officer (their open, allocated case; the latest opened), else the
school's link officer (cases.models.SchoolLinkOfficer), else nobody, in the team inbox of the link officer's team or,
with none, the first team by name. An assigned officer's own team holds the alert too, so "My team" shows it.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Greatest
from django.utils import timezone

from cases.alerts import rules
from cases.models import Alert, AlertRule, Case, SchoolLinkOfficer, Team, TeamMember
from schools.audit import record_change, snapshot
from schools.models import AuditEvent
from schools.roles import Capability, Role

logger = logging.getLogger(__name__)

#: Serialises evaluations on PostgreSQL (nightly and after imports may overlap): pg_advisory_xact_lock key.
EVALUATION_LOCK = 15_000_015
BATCH = 900  # ids per UPDATE ... WHERE id IN (...): under SQLite's oldest bound on query parameters


# --- Assignment ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assigner:
    """Who new alerts go to, read once per evaluation (open allocated cases, link officers and teams are small
    tables next to the pupils, so four queries serve any number of new alerts)."""

    case_officers: dict[int, int]  # pupil -> officer of their latest-opened open case
    link_officers: dict[int, tuple[int, bool]]  # school -> (officer, is active)
    teams: dict[int, int]  # officer -> team
    first_team: int | None

    @classmethod
    def load(cls) -> Assigner:
        cases = (Case.objects.filter(status=Case.Status.OPEN, officer__isnull=False, officer__is_active=True)
                 .order_by("opened_on", "pk").values_list("pupil_id", "officer_id"))
        links = SchoolLinkOfficer.objects.values_list("school_id", "officer_id", "officer__is_active")
        return cls(case_officers=dict(cases),
                   link_officers={school: (officer, active) for school, officer, active in links},
                   teams=dict(TeamMember.objects.values_list("officer_id", "team_id")),
                   first_team=Team.objects.order_by("name", "pk").values_list("pk", flat=True).first())

    def for_pupil(self, pupil_id: int, school_id: int) -> tuple[int | None, int | None]:
        """(assigned officer, team) for a new alert about this pupil at this school."""
        officer = self.case_officers.get(pupil_id)
        link, link_active = self.link_officers.get(school_id, (None, False))
        if officer is None and link_active:
            officer = link
        if officer is not None:
            return officer, self.teams.get(officer)
        return None, self.teams.get(link) if link is not None else self.first_team


# --- Evaluation ------------------------------------------------------------------------------------------------------

@transaction.atomic
def evaluate_alerts(school_ids: Iterable[int] | None = None, *, today: datetime.date | None = None) -> dict:
    """Evaluate every active rule (for pupils at the given schools only, when given: an import's) and bring the
    episodes into line: open, refresh, clear, in bulk. Returns the counts ({"opened", "cleared", "refreshed"})."""
    today = today or timezone.localdate()
    ids = None if school_ids is None else sorted({int(pk) for pk in school_ids})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVALUATION_LOCK])
    assigner = Assigner.load()
    totals: Counter = Counter()
    with rules.shared_lookups():
        for rule in AlertRule.objects.filter(active=True).order_by("pk"):
            found = rules.evaluate(rule, today=today, school_ids=ids, with_evidence=False)
            totals.update(_evaluate_rule(rule, found, school_ids=ids, today=today, assigner=assigner))
    result = {name: totals[name] for name in ("opened", "cleared", "refreshed")}
    logger.info("Early-warning alerts%s: %s", "" if ids is None else f" for {len(ids)} schools", result)
    return result


def _evaluate_rule(rule: AlertRule, fired: list[rules.Fired], *, school_ids: list[int] | None,
                   today: datetime.date, assigner: Assigner) -> Counter:
    now = {f.pupil_id: f for f in fired}
    current = Alert.objects.filter(rule=rule, cleared_on__isnull=True).values_list(
        "pk", "pupil_id", "school_id", "status", KT("evidence__key"))
    to_clear, to_refresh, already = [], [], set()
    for pk, pupil_id, school_id, status, key in current:
        found = now.get(pupil_id)
        if found is None:
            if school_ids is None or school_id in school_ids:
                to_clear.append(pk)  # the rule no longer holds for the pupil (at the schools evaluated)
            else:
                already.add(pupil_id)  # about a school not evaluated this time: left as it is
            continue
        if found.key == (key or ""):
            already.add(pupil_id)
        elif status == Alert.Status.DONE:
            to_clear.append(pk)  # dealt with, and the rule now fires on something new: a new episode opens
        else:
            to_refresh.append((pk, found))
            already.add(pupil_id)
    opening = [found for pupil_id, found in now.items() if pupil_id not in already]
    # Evidence is worded for these only: on most nights, nothing.
    rules.word_evidence(rule, [found for _, found in to_refresh] + opening, today=today)
    _clear(to_clear, today)
    if to_refresh:
        Alert.objects.bulk_update([Alert(pk=pk, evidence=found.evidence) for pk, found in to_refresh], ["evidence"],
                                  batch_size=500)
    new = []
    for found in opening:
        pupil_id = found.pupil_id
        officer, team = assigner.for_pupil(pupil_id, found.school_id)
        new.append(Alert(rule=rule, pupil_id=pupil_id, school_id=found.school_id, opened_on=today,
                         evidence=found.evidence, assigned_to_id=officer, team_id=team))
    # ignore_conflicts: an evaluation running alongside (SQLite has no advisory lock) opened it first; its episode
    # stands and this one is not added (the partial unique constraint alert_one_open_episode decides).
    Alert.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return Counter(opened=len(new), cleared=len(to_clear), refreshed=len(to_refresh))


def _clear(pks: list[int], today: datetime.date) -> None:
    for start in range(0, len(pks), BATCH):
        # Never before the episode opened (an evaluation asked about an earlier day than the one that opened it).
        Alert.objects.filter(pk__in=pks[start:start + BATCH]).update(
            cleared_on=Greatest(Value(today), F("opened_on")))


# --- Dealing with an alert -------------------------------------------------------------------------------------------

def can_deal_with(user) -> bool:
    """LA staff who work cases, and school users (for the alerts about their own pupils their scope shows them);
    legal officers read alerts but do not close them."""
    return bool(user and user.is_authenticated and (user.can(Capability.WORK_CASES)
                                                      or user.role == Role.SCHOOL_USER))


@transaction.atomic
def alert_mark_done(*, user, alert: Alert, note: str) -> Alert:
    """Record that someone dealt with the alert, saying what was done. The alert must come through the user's scope
    (cases.alerts.selectors.alert_get)."""
    if not can_deal_with(user):
        raise PermissionDenied(f"{getattr(user, 'username', 'anonymous')} may not mark alerts dealt with.")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what was done about the alert, for example \"Called mother: ill, "
                                       "school updated the register to I\"."})
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    if locked.is_done:
        who = locked.done_by.display_name if locked.done_by_id else "someone"
        raise ValidationError(f"{who} already marked this alert dealt with on "
                              f"{timezone.localtime(locked.done_at):%-d %B %Y}.", code="already_done")
    before = snapshot(locked)
    locked.status, locked.done_by, locked.done_at, locked.done_note = Alert.Status.DONE, user, timezone.now(), note
    locked.save(update_fields=["status", "done_by", "done_at", "done_note"])
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=locked, before=before)
    return locked
