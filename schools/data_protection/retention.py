"""Retention: pupils past the LA's retention period are anonymised, set-wise, with an audit trail.

Who is due (``due_pupils``): no current enrolment, the last enrolment in the authority ended at least
DATA_RETENTION_YEARS_AFTER_LEAVING years ago, the pupil is at least DATA_RETENTION_MIN_AGE, and not already
anonymised. Anyone due with a record under a legal hold (schools.data_protection.rules.LEGAL_HOLDS: an unconcluded
prosecution, an order in force, an open case...) is held back, with the reason.

What anonymising does (``anonymise``), for every model in the walk
(schools.data_protection.subject_access.pupil_linked_models), one UPDATE per model per batch rather than a loop over
rows: free text cleared, JSON emptied, files deleted from storage; the pupil's own identity replaced
(schools.data_protection.rules.PUPIL_REPLACEMENTS_NOTE); the household and its carers cleared once no child in it is
still held in full. Codes, dates and counts stay, so attendance figures, exclusion counts and reports already made do
not change. Each pupil gets an audit event saying only that it was anonymised and by which run; the run keeps a summary
of counts.

Running it twice changes nothing the second time: anonymised pupils are recorded (AnonymisedPupil) and excluded.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat, LPad, TruncMonth
from django.utils import timezone

from schools.data_protection.rules import (
    LEGAL_HOLDS,
    MODELS,
    SUBJECT_ACCESS_EXPORT_KEEP_DAYS,
    retention_min_age,
    retention_years_after_leaving,
)
from schools.data_protection.subject_access import pupil_linked_models, pupil_q
from schools.models import AnonymisedPupil, AuditEvent, Carer, Enrolment, Family, Job, Pupil, RetentionRun

logger = logging.getLogger(__name__)

BATCH = 1000
REMOVED = "[removed]"
# The pupil's own fields replaced by rule, not cleared (see PUPIL_REPLACEMENTS_NOTE).
PUPIL_REPLACED = {"legal_first_name", "legal_last_name", "preferred_first_name", "preferred_last_name", "upn",
                  "former_upn", "date_of_birth"}


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Cutoffs:
    today: datetime.date
    years_after_leaving: int
    min_age: int

    @property
    def left_before(self) -> datetime.date:
        return _years_before(self.today, self.years_after_leaving)

    @property
    def born_before(self) -> datetime.date:
        return _years_before(self.today, self.min_age)


def cutoffs(today: datetime.date | None = None) -> Cutoffs:
    return Cutoffs(today or timezone.localdate(), retention_years_after_leaving(), retention_min_age())


def _hold_annotations() -> dict:
    annotations = {}
    for index, (label, path, status_field, statuses, _reason) in enumerate(LEGAL_HOLDS):
        model = apps.get_model(label)
        annotations[f"hold_{index}"] = Exists(model._default_manager.filter(
            **{path: OuterRef("pk"), f"{status_field}__in": statuses}))
    return annotations


def due_pupils(c: Cutoffs):
    """Pupils past retention, annotated with when they left and a flag per legal hold (not yet excluded)."""
    current = Enrolment.objects.filter(pupil=OuterRef("pk"), end_date__isnull=True)
    done = AnonymisedPupil.objects.filter(pupil=OuterRef("pk"))
    return (Pupil.objects.annotate(left_on=Max("enrolments__end_date"))
            .filter(~Exists(current), ~Exists(done), left_on__isnull=False, left_on__lte=c.left_before,
                    date_of_birth__lte=c.born_before)
            .annotate(**_hold_annotations()))


def _any_hold() -> Q:
    q = Q()
    for index in range(len(LEGAL_HOLDS)):
        q |= Q(**{f"hold_{index}": True})
    return q


def hold_reasons(pupil) -> list[str]:
    return [reason for index, (*_, reason) in enumerate(LEGAL_HOLDS) if getattr(pupil, f"hold_{index}", False)]


def dry_run(c: Cutoffs | None = None) -> dict:
    """Who the next run would anonymise and who it would hold back (and why), without changing anything."""
    c = c or cutoffs()
    due = due_pupils(c)
    held = due.filter(_any_hold())
    return {"cutoffs": c, "to_anonymise": due.exclude(_any_hold()).order_by("left_on", "pk"),
            "held": held.order_by("left_on", "pk"), "held_reasons": _held_counts(held)}


def _held_counts(held) -> dict[str, int]:
    counts = {}
    for index, (*_, reason) in enumerate(LEGAL_HOLDS):
        n = held.filter(**{f"hold_{index}": True}).count()
        if n:
            counts[reason] = n
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Which fields are cleared


def _blank_value(f: models.Field):
    if isinstance(f, models.JSONField):
        default = f.get_default()
        return Value(default if default is not None else {}, output_field=f)
    if isinstance(f, models.FileField):
        return Value("")
    if f.blank or not (isinstance(f, models.TextField) or (f.max_length or 0) >= len(REMOVED)):
        return Value("")
    return Value(REMOVED)


def scrub_fields(model) -> list[models.Field]:
    """The personal-data fields the retention job clears on this model (everything textual not kept by rule)."""
    keep = set(MODELS.get(model._meta.label, {}).get("keep", ()))
    if model is Pupil:
        keep |= PUPIL_REPLACED
    result = []
    for f in model._meta.concrete_fields:
        if not getattr(f, "column", None) or f.primary_key or f.name in keep or f.is_relation:
            continue
        if isinstance(f, models.JSONField | models.FileField):
            result.append(f)
        elif isinstance(f, models.CharField | models.TextField) and not f.choices and not f.unique:
            result.append(f)
    return result


def _delete_files(model, f, qs) -> int:
    deleted = 0
    for name in qs.exclude(**{f.name: ""}).values_list(f.name, flat=True).iterator():
        storage = f.storage
        try:
            if storage.exists(name):
                storage.delete(name)
                deleted += 1
        except OSError:
            logger.warning("Could not delete %s during anonymisation", name)
    return deleted


def _delete_sar_exports(jobs) -> int:
    deleted = 0
    for job in jobs.exclude(result_file=""):
        job.result_file.delete(save=False)
        deleted += 1
    jobs.update(result_file="")
    return deleted


def expire_sar_exports(now=None) -> int:
    """Delete subject access exports older than SUBJECT_ACCESS_EXPORT_KEEP_DAYS (a copy need not outlive the reply)."""
    now = now or timezone.now()
    old = Job.objects.filter(kind=Job.Kind.SUBJECT_ACCESS, finished_at__lt=now - datetime.timedelta(
        days=SUBJECT_ACCESS_EXPORT_KEEP_DAYS))
    return _delete_sar_exports(old)


# ---------------------------------------------------------------------------------------------------------------
# The run


def _anonymise_batch(ids: list[int], run: RetentionRun, counts: dict[str, int]) -> None:
    for model in pupil_linked_models():
        if model in (AnonymisedPupil, AuditEvent):
            continue
        fields = scrub_fields(model)
        if not fields:
            continue
        qs = model._default_manager.filter(pupil_q(model, ids))
        for f in fields:
            if isinstance(f, models.FileField):
                counts["files_deleted"] = counts.get("files_deleted", 0) + _delete_files(model, f, qs)
        updated = qs.update(**{f.attname: _blank_value(f) for f in fields})
        if updated:
            counts[model._meta.label] = counts.get(model._meta.label, 0) + updated

    pupils = Pupil.objects.filter(pk__in=ids)
    pupils.update(
        legal_first_name=Value("Anonymised"),
        legal_last_name=Concat(Value("Pupil "), Cast("pk", CharField())),
        preferred_first_name=Value(""), preferred_last_name=Value(""), former_upn=Value(""),
        # "ZZ" and the record number: a permanent UPN is a check letter and twelve digits, so no real UPN matches.
        upn=Concat(Value("ZZ"), LPad(Cast("pk", CharField()), 11, Value("0"))),
        date_of_birth=TruncMonth("date_of_birth", output_field=models.DateField()),
    )

    # A household is cleared once none of its children is still held in full (a sibling still in school keeps it).
    candidates = set(Pupil.objects.filter(pk__in=ids, family__isnull=False).values_list("family_id", flat=True))
    still_kept = set(Pupil.objects.filter(family_id__in=candidates).exclude(pk__in=ids)
                     .exclude(Exists(AnonymisedPupil.objects.filter(pupil=OuterRef("pk"))))
                     .order_by().values_list("family_id", flat=True).distinct())
    family_ids = sorted(candidates - still_kept)
    if family_ids:
        counts["schools.Family"] = counts.get("schools.Family", 0) + Family.objects.filter(pk__in=family_ids).update(
            name=Concat(Value("Anonymised household "), Cast("pk", CharField())), address_line_1=Value(""),
            address_line_2=Value(""), town=Value(""), postcode=Value(""), notes=Value(""))
        carers = Carer.objects.filter(family_id__in=family_ids)
        carer_ids = list(carers.values_list("pk", flat=True))
        counts["schools.Carer"] = counts.get("schools.Carer", 0) + carers.update(
            full_name=Value("Anonymised carer"), phone=Value(""), email=Value(""), address=Value(""))
        # Their earlier audit entries carry the names and addresses as before/after values.
        AuditEvent.objects.filter(
            Q(object_type="schools.Family", object_id__in=[str(i) for i in family_ids])
            | Q(object_type="schools.Carer", object_id__in=[str(i) for i in carer_ids])
        ).update(object_repr=Value("[anonymised]"), changes=Value({}, output_field=models.JSONField()))

    # The pupil's audit trail keeps who did what and when (the access report still works); the values go. That is
    # every event against the pupil, and every event against one of their records even where the writer did not
    # name the pupil (matched by record type and id, one UPDATE per model).
    redacted = {"object_repr": Value("[anonymised]"), "changes": Value({}, output_field=models.JSONField())}
    audited = AuditEvent.objects.filter(pupil_id__in=ids).update(**redacted)
    audited_types = set(AuditEvent.objects.filter(object_type__in=[m._meta.label for m in pupil_linked_models()])
                        .order_by().values_list("object_type", flat=True).distinct())  # audit_object_idx
    for model in pupil_linked_models():
        if model in (AuditEvent, AnonymisedPupil) or not model._meta.pk.column or \
                model._meta.label not in audited_types:
            continue
        record_ids = (model._default_manager.filter(pupil_q(model, ids))
                      .annotate(audit_id=Cast("pk", CharField())).values("audit_id"))
        audited += AuditEvent.objects.filter(object_type=model._meta.label, object_id__in=record_ids).update(
            **redacted)
    counts["schools.AuditEvent"] = counts.get("schools.AuditEvent", 0) + audited

    # Subject access exports already made for these pupils are copies of what has just been removed.
    counts["files_deleted"] = counts.get("files_deleted", 0) + _delete_sar_exports(
        Job.objects.filter(kind=Job.Kind.SUBJECT_ACCESS, params__pupil_id__in=ids))

    left = dict(Enrolment.objects.filter(pupil_id__in=ids).values("pupil_id").annotate(left=Max("end_date"))
                .values_list("pupil_id", "left"))
    AnonymisedPupil.objects.bulk_create([AnonymisedPupil(pupil_id=i, run=run, left_on=left[i]) for i in ids])
    AuditEvent.objects.bulk_create([
        AuditEvent(user=run.run_by, username=run.run_by.username if run.run_by else "system",
                   action=AuditEvent.Action.UPDATE, object_type="schools.Pupil", object_id=str(i),
                   object_repr=f"Anonymised pupil {i}", pupil_id=i,
                   changes={"anonymised": [None, f"retention run {run.pk}"]}, path="retention")
        for i in ids])


def anonymise(*, run_by=None, today: datetime.date | None = None) -> RetentionRun:
    """Anonymise every pupil past retention and not under a legal hold. Safe to run again at any time."""
    c = cutoffs(today)
    run = RetentionRun.objects.create(run_by=run_by, years_after_leaving=c.years_after_leaving,
                                      min_age=c.min_age, left_before=c.left_before, born_before=c.born_before)
    due = due_pupils(c)
    held = due.filter(_any_hold())
    held_reasons = _held_counts(held)
    ids = list(due.exclude(_any_hold()).order_by("pk").values_list("pk", flat=True))
    counts: dict[str, int] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        with transaction.atomic():
            # Lock the pupils so two runs at once cannot both take them; the second skips those already done.
            locked = list(Pupil.objects.select_for_update().filter(pk__in=batch)
                          .exclude(Exists(AnonymisedPupil.objects.filter(pupil=OuterRef("pk"))))
                          .values_list("pk", flat=True))
            if locked:
                _anonymise_batch(locked, run, counts)
                RetentionRun.objects.filter(pk=run.pk).update(anonymised=F("anonymised") + len(locked))
    run.refresh_from_db()
    run.held = held.count()
    run.finished_at = timezone.now()
    run.summary = {"rows_cleared": counts, "held_back": held_reasons,
                   "policy": {"years_after_leaving": c.years_after_leaving, "min_age": c.min_age}}
    run.save(update_fields=["held", "finished_at", "summary"])
    AuditEvent.objects.create(user=run_by, username=run_by.username if run_by else "system",
                              action=AuditEvent.Action.UPDATE, object_type="schools.RetentionRun",
                              object_id=str(run.pk), object_repr=str(run)[:200],
                              changes={"anonymised": [None, run.anonymised], "held": [None, run.held]},
                              path="retention")
    return run
