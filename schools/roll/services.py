"""Every write to roll notifications: a school's notice (page, API or CSV), the LA's match of a notice to a pupil,
and the one-click triage step the notice's ground leads to (schools.roll.rules).

As elsewhere (schools.services): keyword-only arguments, one transaction, full validation before anything is saved
(ValidationErrors keyed by field), and an audit row for every write. The CME record comes from
schools.exclusions.services, the EHE record from schools.ehe.services.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from schools import services as pupil_services
from schools.audit import record_change, snapshot
from schools.ehe import services as ehe_services
from schools.exclusions import services as exclusion_services
from schools.models import AuditEvent, CMERecord, Exclusion, Pupil, RollNotification, School
from schools.roles import Capability, require
from schools.roll import rules, selectors
from schools.roll.rules import Step
from schools.school_days import CalendarMissing, add_school_days
from schools.scoping import is_la_user
from schools.validators import validate_upn

Kind = RollNotification.Kind
Status = RollNotification.Status

#: The fields a notice carries besides its school, kind, receipt and source (the page, API and CSV all give these).
NOTICE_FIELDS = frozenset({"upn", "first_name", "last_name", "date_of_birth", "sex", "nc_year", "event_date",
                           "address", "previous_school_name", "ground", "new_address", "new_address_from",
                           "new_school", "new_school_name", "new_school_start", "parent_name", "parent_phone",
                           "notes"})
DELETION_ONLY = ("ground", "new_address", "new_address_from", "new_school", "new_school_name", "new_school_start")
ADMISSION_ONLY = ("address", "previous_school_name")
#: A notice about a date further ahead than this is a typing mistake (an admission is notified after it happens; a
#: deletion "about to" happen is weeks away at most).
MAX_DAYS_AHEAD = 60


def _today() -> datetime.date:
    return timezone.localdate()


def _check_school(user, school: School | None) -> None:
    if school is None:
        raise ValidationError({"school": "Choose the school sending the notice."})
    if not is_la_user(user) and not user.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": f"You can only send notices for your own school, not {school}."})


def due_date(kind: str, school: School, event_date: datetime.date) -> datetime.date | None:
    """When the return is due: an admission on Monday 9 November 2026 -> Monday 16 November (5 school days on the
    school's calendar, reg 13(1)); a deletion on its own date (reg 13(4)). None when no term dates cover it."""
    if kind == Kind.DELETION:
        return event_date
    try:
        return add_school_days(event_date, rules.ADMISSION_NOTICE_SCHOOL_DAYS, school)
    except CalendarMissing:
        return None


def _match_upn(upn: str) -> Pupil | None:
    """The LA's pupil with this UPN (or this former UPN): the whole LA, since a pupil new to a school is not yet on
    its roll here. Only LA users ever see the match."""
    return (Pupil.objects.filter(upn=upn).first()
            or Pupil.objects.filter(former_upn=upn).order_by("pk").first())


#: What to say when a field the notice needs is missing (never Django's bare "This field cannot be blank.").
REQUIRED = {"upn": "Enter the pupil's UPN.", "first_name": "Enter the pupil's first name.",
            "last_name": "Enter the pupil's last name.", "date_of_birth": "Enter the pupil's date of birth."}
EVENT_REQUIRED = {Kind.ADMISSION: "Enter the date the pupil was added to the admission register.",
                  Kind.DELETION: "Enter the date the pupil's name is (or is to be) deleted."}


def _errors(notice: RollNotification, today: datetime.date) -> dict[str, str]:
    errors: dict[str, str] = {name: message for name, message in REQUIRED.items() if not getattr(notice, name)}
    if not notice.event_date:
        errors["event_date"] = EVENT_REQUIRED[notice.kind]
    if "upn" not in errors:
        try:
            validate_upn(notice.upn)
        except ValidationError as error:
            errors["upn"] = error.messages[0]
    if notice.date_of_birth and notice.date_of_birth >= today:
        errors["date_of_birth"] = "The date of birth must be in the past."
    if notice.event_date and notice.event_date > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["event_date"] = f"The date cannot be more than {MAX_DAYS_AHEAD} days ahead."
    if notice.date_of_birth and notice.event_date and notice.event_date <= notice.date_of_birth:
        errors["event_date"] = "The date must be after the pupil's date of birth."
    if notice.received_on > today:
        errors["received_on"] = "The date the LA received the notice cannot be in the future."
    if notice.kind == Kind.DELETION:
        errors.update(_deletion_errors(notice))
    return errors


def _deletion_errors(notice: RollNotification) -> dict[str, str]:
    errors = {}
    if not notice.ground:
        errors["ground"] = "Choose the ground for deleting the pupil from the admission register."
    elif notice.ground in ("a", "c", "d") and not notice.destination_known:
        errors["new_school"] = "Choose the new school (or, outside the LA, enter its name)."
    if notice.new_school_id and notice.new_school_id == notice.school_id:
        errors["new_school"] = "The new school must be a different school."
    if notice.new_school_id and notice.new_school_name:
        errors["new_school_name"] = "Give the new school once: choose it, or enter its name if outside the LA."
    return errors


def prepare(*, user, school: School | None, kind: str, source: str = RollNotification.Source.PAGE,
            received_on: datetime.date | None = None, **fields) -> RollNotification:
    """The notice, validated and matched but not saved (the CSV import checks every row before saving any)."""
    require(user, Capability.SEND_ROLL_NOTIFICATIONS, doing="send roll notifications")
    pupil_services.reject_unknown_fields(fields, NOTICE_FIELDS)
    _check_school(user, school)
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose admission or deletion."})
    today = _today()
    # School users send notices today; LA staff keying one in from an email give the day it arrived.
    received_on = received_on if (received_on and is_la_user(user)) else today
    for name in (ADMISSION_ONLY if kind == Kind.DELETION else DELETION_ONLY):
        fields.pop(name, None)
    for name in ("upn", "first_name", "last_name", "address", "previous_school_name", "new_address",
                 "new_school_name", "parent_name", "parent_phone", "notes"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    fields["upn"] = (fields.get("upn") or "").upper()
    notice = RollNotification(school=school, kind=kind, source=source, received_on=received_on, submitted_by=user,
                              **fields)
    errors = _errors(notice, today)
    try:
        notice.full_clean(exclude=list(errors))
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages[0])
    if errors:
        raise ValidationError(errors)
    notice.due_on = due_date(kind, school, notice.event_date)
    notice.late = notice.due_on is not None and notice.received_on > notice.due_on
    notice.pupil = _match_upn(notice.upn)
    # An admission needs nothing from the LA once it is matched; a deletion always goes to the triage queue.
    notice.status = Status.DONE if kind == Kind.ADMISSION and notice.pupil else Status.TO_TRIAGE
    return notice


def _save(user, notice: RollNotification) -> RollNotification:
    notice.save()
    record_change(user=user, action=AuditEvent.Action.CREATE, instance=notice)
    return notice


@transaction.atomic
def notification_submit(*, user, school: School | None, kind: str, source: str = RollNotification.Source.PAGE,
                        received_on: datetime.date | None = None, **fields) -> RollNotification:
    """A school's new pupil return or deletion return (reg 13)."""
    return _save(user, prepare(user=user, school=school, kind=kind, source=source, received_on=received_on, **fields))


@transaction.atomic
def notifications_submit_many(*, user, notices: list[RollNotification]) -> list[RollNotification]:
    """Save notices already prepared (and all checked) together: all or none."""
    return [_save(user, notice) for notice in notices]


# ---------------------------------------------------------------------------------------------------------------
# The LA: matching and triage


def _check_open(notice: RollNotification) -> None:
    if notice.status != Status.TO_TRIAGE:
        raise ValidationError({NON_FIELD_ERRORS: "This notice has already been dealt with."}, code="done")


@transaction.atomic
def notification_match(*, user, notification: RollNotification, pupil: Pupil) -> RollNotification:
    """The LA says which pupil the notice is about (the UPN matched no one, or the wrong one)."""
    require(user, Capability.TRIAGE_ROLL_NOTIFICATIONS, doing="match roll notifications")
    _check_open(notification)
    before = snapshot(notification)
    notification.pupil = pupil
    if notification.kind == Kind.ADMISSION:
        notification.status, notification.triaged_by, notification.triaged_at = Status.DONE, user, timezone.now()
    notification.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=notification, before=before)
    return notification


@transaction.atomic
def notification_create_pupil(*, user, notification: RollNotification, sex: str = "") -> RollNotification:
    """A pupil made from the notice's details (with an enrolment from the admission date for an admission), then
    matched. The UPN must be new to the LA."""
    require(user, Capability.TRIAGE_ROLL_NOTIFICATIONS, doing="match roll notifications")
    _check_open(notification)
    sex = sex or notification.sex
    if not sex:
        raise ValidationError({"sex": "Choose the pupil's sex (the notice did not say)."})
    if Pupil.objects.filter(Q(upn=notification.upn) | Q(former_upn=notification.upn)).exists():
        raise ValidationError({NON_FIELD_ERRORS: f"A pupil with UPN {notification.upn} already exists: match the "
                                                 "notice to them instead."})
    admission = notification.kind == Kind.ADMISSION and notification.nc_year is not None
    pupil = pupil_services.pupil_create(
        user=user, upn=notification.upn, legal_first_name=notification.first_name,
        legal_last_name=notification.last_name, date_of_birth=notification.date_of_birth, sex=sex,
        school=notification.school if admission else None,
        start_date=notification.event_date if admission else None,
        nc_year=notification.nc_year if admission else None)
    return notification_match(user=user, notification=notification, pupil=pupil)


def allowed_steps(notification: RollNotification) -> list[str]:
    """The steps the triage row offers: the ground's own step first, a CME enquiry whenever the ground leads
    elsewhere (the destination may turn out unknown), and closing with nothing further after a move."""
    planned = notification.planned_step
    if not planned:
        return []
    steps = [planned]
    if planned != Step.CME:
        steps.append(Step.CME)
    if planned == Step.MOVE and not notification.new_school_id:
        steps = [Step.MOVE, Step.CME]  # a school outside the LA: the LA cannot see its admission notice
    return steps


def _open_cme(notification: RollNotification, user) -> CMERecord:
    if notification.pupil_id:
        existing = CMERecord.objects.filter(pupil=notification.pupil, outcome=CMERecord.Outcome.OPEN).first()
        if existing is not None:
            return existing
    return exclusion_services.cme_record(
        user=user, reason=rules.cme_reason(notification.ground), referred_on=notification.received_on,
        pupil=notification.pupil, child_name="" if notification.pupil_id else notification.child_name,
        date_of_birth=None if notification.pupil_id else notification.date_of_birth,
        address=notification.new_address, referring_school=notification.school,
        last_attended_on=min(notification.event_date, notification.received_on))


def _register_ehe(notification: RollNotification, user) -> int:
    record = ehe_services.register_home_education(
        user=user, pupil=notification.pupil, notified_on=notification.received_on, source="school_deletion",
        school=notification.school, notes=notification.notes, notification=notification)
    return record.pk


def _exclusion_for(notification: RollNotification) -> Exclusion | None:
    return (Exclusion.objects.filter(pupil=notification.pupil, school=notification.school,
                                     kind=Exclusion.Kind.PERMANENT, cancelled_on__isnull=True)
            .order_by("-start_date", "-pk").first())


def _take_step(notification: RollNotification, step: str, user) -> None:
    needs_pupil = {Step.EHE: "the EHE register", Step.EXCLUSION: "the exclusion record"}
    if step in needs_pupil and not notification.pupil_id:
        raise ValidationError({"step": f"Match the notice to a pupil before adding it to {needs_pupil[step]}."})
    if step == Step.CME:
        notification.cme_record = _open_cme(notification, user)
    elif step == Step.EHE:
        notification.ehe_record_pk = _register_ehe(notification, user)
    elif step == Step.EXCLUSION:
        exclusion = _exclusion_for(notification)
        if exclusion is None:
            raise ValidationError({"step": f"No permanent exclusion of {notification.child_name} by "
                                           f"{notification.school} is recorded: record it, then link it here."})
        notification.exclusion = exclusion
    elif step == Step.MOVE and notification.new_school_id:
        if selectors.admission_confirmation(notification) is None:
            raise ValidationError({"step": f"{notification.new_school} has sent no admission notice for "
                                           f"{notification.child_name} yet: wait for it, or start a CME enquiry."})


@transaction.atomic
def notification_triage(*, user, notification: RollNotification, step: str, note: str = "") -> RollNotification:
    """Take the notice's next step (one of allowed_steps) and mark it done."""
    require(user, Capability.TRIAGE_ROLL_NOTIFICATIONS, doing="triage roll notifications")
    _check_open(notification)
    if notification.kind != Kind.DELETION:
        raise ValidationError({"step": "Only deletion notices are triaged; match this admission to a pupil."})
    if step not in allowed_steps(notification):
        raise ValidationError({"step": "Choose one of the next steps offered for this notice."})
    before = snapshot(notification)
    _take_step(notification, step, user)
    notification.status, notification.step = Status.DONE, step
    notification.triaged_by, notification.triaged_at, notification.triage_note = user, timezone.now(), note.strip()
    notification.save()
    record_change(user=user, action=AuditEvent.Action.UPDATE, instance=notification, before=before)
    return notification
