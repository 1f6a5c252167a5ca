"""Data protection: the subject-access export of one pupil (UK GDPR Art. 15) and the access report.

What is "held on a pupil" is found by walking the models, not listed by hand: every model with a foreign key or
many-to-many to the pupil, or to a model already found (a chronology entry through its case, a payment through its
notice), is in the walk with every lookup path that reaches the pupil. A new app's model with a pupil key is
therefore exported (and anonymised by schools.data_protection.retention) without anyone remembering to add it;
schools.data_protection.rules names each model's section and the fields that are not personal data, and
tests/data_protection/test_coverage.py fails when a model in the walk has no entry there.

The retention rules, the legal holds and the relations that must not be followed live in
schools.data_protection.rules.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from schools.attendance.codes import as_percent
from schools.audit import record_view
from schools.common import jobs
from schools.data_protection.rules import MODELS, NOT_ABOUT_THIS_PUPIL
from schools.exports import safe_cell
from schools.models import AuditEvent, Carer, Job, Pupil
from schools.roles import Capability

MAX_DEPTH = 4  # pupil <- case <- entry <- revision is three hops; deeper chains do not occur today


# ---------------------------------------------------------------------------------------------------------------
# The walk


def _relation_fields(model):
    """Forward relations declared on the model: foreign keys, one-to-ones and many-to-manys."""
    for f in model._meta.get_fields():
        if f.is_relation and not f.auto_created and (f.many_to_one or f.one_to_one or f.many_to_many):
            if f.related_model is not None and f.related_model is not model:
                yield f


def _direct_required(model) -> str | None:
    """The name of a non-null foreign key straight to the pupil, if the model has one (then it alone is enough)."""
    for f in _relation_fields(model):
        if f.related_model is Pupil and f.many_to_one and not f.null:
            return f.name
    return None


@functools.cache
def pupil_linked_models() -> dict[type[models.Model], tuple[str, ...]]:
    """Every model holding data about a pupil, with the lookup paths from it to the pupil ("" for Pupil itself).

    A model with a required key to the pupil is reached by that key alone; otherwise by each relation to a
    pupil-linked model, through that model's own paths (so a nullable link never drops rows, and the joins stay
    as few as the data allows)."""
    found: dict[type[models.Model], set[str]] = {Pupil: {""}}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model is Pupil:
                continue
            direct = _direct_required(model)
            paths = {direct} if direct else set()
            if not direct:
                for f in _relation_fields(model):
                    if f"{model._meta.label}.{f.name}" in NOT_ABOUT_THIS_PUPIL or f.related_model not in found:
                        continue
                    for parent_path in found[f.related_model]:
                        path = f"{f.name}__{parent_path}" if parent_path else f.name
                        if path.count("__") < MAX_DEPTH:
                            paths.add(path)
            if paths and found.get(model) != paths:
                found[model] = paths
                changed = True
    return {model: tuple(sorted(paths, key=lambda p: (p.count("__"), p))) for model, paths in found.items()}


def pupil_q(model, pupil_ids) -> Q:
    """Rows of ``model`` about any of ``pupil_ids`` (a list or a subquery), by every path that reaches a pupil."""
    paths = pupil_linked_models()[model]
    q = Q()
    for path in paths:
        q |= Q(**{f"{path or 'pk'}__in": pupil_ids})
    return q


def rows_for(model, pupil_ids):
    return model._default_manager.filter(pupil_q(model, pupil_ids)).distinct()


def linked_model_labels() -> list[str]:
    return sorted(m._meta.label for m in pupil_linked_models())


# ---------------------------------------------------------------------------------------------------------------
# Serialising records: every concrete field, with the readable value beside the stored one.


def _plain(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _columns(model) -> list[models.Field]:
    # A composite primary key has no column of its own; its parts are ordinary fields.
    return [f for f in model._meta.concrete_fields if getattr(f, "column", None)]


def serialise(instance) -> dict:
    record = {}
    for f in _columns(type(instance)):
        value = getattr(instance, f.attname)
        record[f.attname] = _plain(value)
        if f.choices and value not in (None, ""):
            record[f"{f.name}_display"] = str(getattr(instance, f"get_{f.name}_display")())
        elif f.is_relation and value is not None:
            record[f"{f.name}_display"] = str(getattr(instance, f.name))[:200]
    return record


def field_labels(model) -> list[tuple[str, str, str]]:
    """(readable key, stored key, label) for each column in field order; the readable form wins where there is one."""
    labels = []
    for f in _columns(model):
        key = f"{f.name}_display" if (f.choices or f.is_relation) else f.attname
        labels.append((key, f.attname, str(f.verbose_name).capitalize()))
    return labels


def _ordered(model, qs):
    names = {f.name for f in _columns(model)}
    for candidate in ("occurred_on", "week_start", "start_date", "date", "created_at", "occurred_at"):
        if candidate in names:
            return qs.order_by(candidate, *(["pk"] if model._meta.pk.column else []))
    return qs.order_by("pk") if model._meta.pk.column else qs


def _records(model, pupil_id: int) -> list[dict]:
    forward = [f.name for f in _columns(model) if f.is_relation]
    qs = rows_for(model, [pupil_id]).select_related(*forward)
    return [serialise(obj) for obj in _ordered(model, qs)]


# ---------------------------------------------------------------------------------------------------------------
# The subject-access export


@dataclass
class Section:
    label: str
    title: str
    records: list[dict]
    columns: list[tuple[str, str]] = field(default_factory=list)


def _family_section(pupil) -> tuple[dict | None, list[dict]]:
    if not pupil.family_id:
        return None, []
    family = serialise(pupil.family)
    carers = [serialise(c) for c in Carer.objects.filter(family_id=pupil.family_id).order_by("pk")]
    return family, carers


def attendance_by_year(pupil_id: int) -> list[dict]:
    """Sessions per academic year and school, summed in SQL from the week rows (the register itself)."""
    from schools.models import AttendanceWeek

    rows = (AttendanceWeek.objects.filter(enrolment__pupil_id=pupil_id)
            .values("academic_year__name", "enrolment__school__name")
            .annotate(weeks=Count("week_start"), possible=Sum("possible"), present=Sum("present"), aea=Sum("aea"),
                      authorised=Sum("authorised"), unauthorised=Sum("unauthorised"), late=Sum("late"),
                      pn_sessions=Sum("pn_sessions"))
            .order_by("academic_year__name", "enrolment__school__name"))
    result = []
    for row in rows:
        absent = (row["authorised"] or 0) + (row["unauthorised"] or 0)
        rate = as_percent(absent, row["possible"])
        result.append({"academic_year": row["academic_year__name"], "school": row["enrolment__school__name"],
                       "weeks": row["weeks"], "possible": row["possible"], "present": row["present"],
                       "approved_educational_activity": row["aea"], "authorised": row["authorised"],
                       "unauthorised": row["unauthorised"], "late": row["late"],
                       "penalty_notice_sessions": row["pn_sessions"], "absence_rate_percent": rate})
    return result


def register(pupil_id: int) -> list[dict]:
    """Every mark: one row per week per enrolment, Monday AM to Friday PM."""
    from schools.attendance.weeks import SLOT_WIDTH, SLOTS
    from schools.models import AttendanceWeek

    weeks = (AttendanceWeek.objects.filter(enrolment__pupil_id=pupil_id)
             .values("week_start", "marks", "enrolment__school__name").order_by("week_start", "enrolment_id"))
    return [{"week_start": w["week_start"].isoformat(), "school": w["enrolment__school__name"],
             "sessions": [w["marks"][i * SLOT_WIDTH:(i + 1) * SLOT_WIDTH].strip("-") for i in range(SLOTS)]}
            for w in weeks]


def access_log(pupil_id: int):
    """Who viewed or downloaded anything naming the pupil: their record's pages and files, and every list export
    that named them (schools.models.ExportedPupil)."""
    from schools.models import ExportedPupil

    # A UNION of the two id lists, each from its own index (an OR across them would scan the whole audit log).
    own = AuditEvent.objects.filter(pupil_id=pupil_id).order_by().values("pk")
    named = ExportedPupil.objects.filter(pupil_id=pupil_id).order_by().values("event_id")
    return (AuditEvent.objects.filter(pk__in=own.union(named),
                                      action__in=[AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT])
            .select_related("user").order_by("-occurred_at", "-pk"))


def build_export(pupil_id: int, *, requested_by, progress=None) -> dict:
    """Everything held on the pupil, as plain data for the JSON, the CSVs and the PDF."""
    pupil = Pupil.objects.select_related("family").get(pk=pupil_id)
    family, carers = _family_section(pupil)
    linked = sorted(pupil_linked_models(), key=lambda m: (m is not Pupil, m._meta.label))
    sections: list[Section] = []
    for done, model in enumerate(linked, start=1):
        label = model._meta.label
        rule = MODELS.get(label, {})
        title = rule.get("title") or str(model._meta.verbose_name_plural).capitalize()
        sections.append(Section(label=label, title=title, records=_records(model, pupil_id),
                                columns=field_labels(model)))
        if progress:
            progress(done, len(linked))
    return {
        "pupil": pupil,
        "generated_at": timezone.localtime(),
        "requested_by": requested_by.get_username(),
        "family": family,
        "carers": carers,
        "attendance_by_year": attendance_by_year(pupil_id),
        "register": register(pupil_id),
        "access_log": [{"occurred_at": _plain(e.occurred_at), "user": e.username,
                        "role": e.user.get_role_display() if e.user else "", "action": e.get_action_display(),
                        "record": f"{e.object_type} {e.object_id}", "path": e.path}
                       for e in access_log(pupil_id)],
        "sections": sections,
    }


def export_json(data: dict) -> str:
    body = {
        "format": "Subject access export (UK GDPR Article 15)",
        "generated_at": data["generated_at"].isoformat(),
        "requested_by": data["requested_by"],
        "pupil_id": data["pupil"].pk,
        "family": data["family"],
        "carers": data["carers"],
        "attendance_by_year": data["attendance_by_year"],
        "register": data["register"],
        "access_log": data["access_log"],
        "records": {s.label: {"title": s.title, "count": len(s.records), "rows": s.records} for s in data["sections"]},
    }
    return json.dumps(body, indent=2, ensure_ascii=False, default=str)


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    writer = csv.DictWriter(buffer, fieldnames=keys)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(row.get(k)) for k in keys})
    return buffer.getvalue()


def _csv_cell(value):
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, default=str)
    # Text a spreadsheet would run as a formula is neutralised by the exports' one rule.
    return safe_cell(value) if isinstance(value, str) else value


def _file_fields(model):
    return [f for f in _columns(model) if isinstance(f, models.FileField)]


def attachments(pupil_id: int) -> list[tuple[str, models.fields.files.FieldFile]]:
    """(name in the zip, file) for every stored file in a pupil-linked record."""
    files = []
    for model in pupil_linked_models():
        for f in _file_fields(model):
            for obj in rows_for(model, [pupil_id]).exclude(**{f.name: ""}).only("pk", f.name):
                stored = getattr(obj, f.name)
                base = stored.name.rsplit("/", 1)[-1]
                files.append((f"attachments/{model._meta.label_lower.replace('.', '-')}-{obj.pk}-{base}", stored))
    return files


def write_zip(data: dict, pdf: bytes) -> bytes:
    buffer = io.BytesIO()
    pupil_id = data["pupil"].pk
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subject-access.pdf", pdf)
        archive.writestr("subject-access.json", export_json(data))
        for section in data["sections"]:
            if section.records:
                archive.writestr(f"tables/{section.label.lower().replace('.', '-')}.csv", _csv(section.records))
        for name, rows in (("family", [data["family"]] if data["family"] else []), ("carers", data["carers"]),
                           ("attendance-by-year", data["attendance_by_year"]), ("access-log", data["access_log"]),
                           ("register", [{"week_start": r["week_start"], "school": r["school"],
                                          **{f"slot_{i + 1}": s for i, s in enumerate(r["sessions"])}}
                                         for r in data["register"]])):
            if rows:
                archive.writestr(f"tables/{name}.csv", _csv(rows))
        missing = []
        for name, stored in attachments(pupil_id):
            try:
                with stored.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except (FileNotFoundError, OSError):
                missing.append(stored.name)
        if missing:
            archive.writestr("attachments/MISSING.txt",
                             "Files recorded but not found in storage:\n" + "\n".join(missing))
    return buffer.getvalue()


# Shown in their own sections of the PDF (the register and the access log), so not again as records.
PDF_OWN_SECTIONS = {"schools.AttendanceWeek", "schools.ExportedPupil"}


def _pdf_value(value):
    if value in (None, "", [], {}):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def pdf_sections(data: dict) -> list[dict]:
    sections = []
    for section in data["sections"]:
        if section.label in PDF_OWN_SECTIONS:
            continue
        records = section.records
        if section.label == "schools.AuditEvent":
            # Views and downloads are in the access log section; the changes stay here.
            records = [r for r in records if r.get("action") not in (AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT)]
        rows = []
        for record in records:
            pairs = []
            for key, stored, label in section.columns:
                value = _pdf_value(record.get(key, record.get(stored)))
                if value is not None:
                    pairs.append((label, value))
            rows.append(pairs)
        sections.append({"title": section.title, "label": section.label, "rows": rows,
                         "restricted": sum(1 for r in records if r.get("restriction"))})
    return sections


def render_pdf(data: dict) -> bytes:
    from schools.common.pdf import html_to_pdf

    weekdays = ["Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM", "Wed PM", "Thu AM", "Thu PM", "Fri AM", "Fri PM"]
    html = render_to_string("data_protection/subject_access_pdf.html",
                            {**data, "weekdays": weekdays, "pdf_sections": pdf_sections(data),
                             "family_rows": _pairs(data["family"]),
                             "carer_rows": [_pairs(c) for c in data["carers"]]})
    return html_to_pdf(html)


def _pairs(record: dict | None) -> list[tuple[str, object]]:
    if not record:
        return []
    return [(k.replace("_", " ").capitalize(), _pdf_value(v)) for k, v in record.items()
            if _pdf_value(v) is not None and k != "id"]


# ---------------------------------------------------------------------------------------------------------------
# Services: starting and downloading an export (both audited)


def sar_jobs(pupil):
    return Job.objects.filter(kind=Job.Kind.SUBJECT_ACCESS, params__pupil_id=pupil.pk).select_related("created_by")


@transaction.atomic
def subject_access_start(*, user, pupil) -> Job:
    if not user.can(Capability.RUN_SUBJECT_ACCESS):
        raise PermissionDenied
    job = Job.objects.create(kind=Job.Kind.SUBJECT_ACCESS, created_by=user, params={"pupil_id": pupil.pk})
    record_view(user=user, instance=job, pupil_id=pupil.pk, action=AuditEvent.Action.EXPORT,
                path=f"subject access export started (job {job.pk})")
    from schools.common.jobs import job_enqueue

    job_enqueue(job, "schools.data_protection_tasks.run_subject_access", job.pk)
    return job


def subject_access_download(*, user, job):
    """Open the finished export for the user who asked for it, recording that it was downloaded."""
    if not user.can(Capability.RUN_SUBJECT_ACCESS):
        raise PermissionDenied
    record_view(user=user, instance=job, pupil_id=job.params.get("pupil_id"), action=AuditEvent.Action.EXPORT,
                path=f"subject access export downloaded (job {job.pk})")
    return job.result_file.open("rb")


def run_export(job: Job) -> None:
    """The task's work: build, render and store the zip, moving the job's progress as sections are read."""
    from django.core.files.base import ContentFile


    pupil_id = job.params["pupil_id"]
    total = len(pupil_linked_models()) + 2  # the sections, then the PDF, then the zip
    jobs.job_mark_running(job, total=total)
    data = build_export(pupil_id, requested_by=job.created_by,
                        progress=lambda done, _n: jobs.job_progress(job, done=done))
    pdf = render_pdf(data)
    jobs.job_progress(job, done=total - 1)
    archive = write_zip(data, pdf)
    job.refresh_from_db()
    job.result_file.save(f"subject-access-pupil-{pupil_id}-job-{job.pk}.zip", ContentFile(archive), save=True)
    jobs.job_progress(job, done=total)
    count = sum(len(s.records) for s in data["sections"])
    jobs.job_finish(job, status=Job.Status.SUCCEEDED,
                        message=f"{count} records in {sum(1 for s in data['sections'] if s.records)} sections, "
                                f"{len(data['register'])} register weeks.")


# ---------------------------------------------------------------------------------------------------------------
# Access report: who viewed or exported a pupil's record


def access_report(*, user, pupil):
    if not user.can(Capability.READ_AUDIT):
        return AuditEvent.objects.none()
    return access_log(pupil.pk)
