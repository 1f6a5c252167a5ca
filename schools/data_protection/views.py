"""Pages for data protection: a pupil's access report, the subject-access export, the retention dry run. Thin."""

from __future__ import annotations

import csv

import django_filters
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from schools import selectors
from schools.audit import record_view
from schools.common.filters import DateFilter, GdsFilterSet
from schools.common.web import capability_required, paginate
from schools.data_protection import retention as data_protection_retention
from schools.data_protection import subject_access as data_protection
from schools.data_protection.rules import PUPIL_REPLACEMENTS_NOTE, RETENTION_SOURCE
from schools.exports import safe_cell
from schools.models import AuditEvent, Job, RetentionRun, User
from schools.navigation import pupil_tabs
from schools.roles import Capability


class AccessReportFilterSet(GdsFilterSet):
    user = django_filters.ModelChoiceFilter(queryset=User.objects.order_by("username"), empty_label="Anyone")
    date_from = DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From")
    date_to = DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEvent
        fields = ["user", "date_from", "date_to"]


@capability_required(Capability.READ_AUDIT)
def access_report(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    filterset = AccessReportFilterSet(request.GET or None,
                                      queryset=data_protection.access_report(user=request.user, pupil=pupil))
    events = filterset.qs
    if request.GET.get("format") == "csv":
        record_view(user=request.user, instance=pupil, action=AuditEvent.Action.EXPORT,
                    path=request.get_full_path())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="record-access-pupil-{pupil.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["When", "Who", "Role", "What", "Record", "Page or export"])
        for e in events.iterator(chunk_size=2000):
            writer.writerow([e.occurred_at.isoformat(), safe_cell(e.username),
                             e.user.get_role_display() if e.user else "", e.get_action_display(),
                             f"{e.object_type} {e.object_id}", safe_cell(e.path)])
        return response
    record_view(user=request.user, instance=pupil, path=request.path)
    page, query = paginate(request, events)
    enrolments = list(selectors.pupil_enrolments(user=request.user, pupil=pupil))
    return render(request, "data_protection/access_report.html", {
        "pupil": pupil, "filter": filterset, "page": page, "query": query,
        "current_enrolment": next((e for e in enrolments if e.is_current), None),
        "tabs": pupil_tabs(request.user, pupil, active="audit"),
        "viewers": events.values("username").distinct().count(),
        "can_sar": request.user.can(Capability.RUN_SUBJECT_ACCESS),
    })


@require_http_methods(["GET", "POST"])
@capability_required(Capability.RUN_SUBJECT_ACCESS)
def subject_access(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    if request.method == "POST":
        job = data_protection.subject_access_start(user=request.user, pupil=pupil)
        return redirect("data_protection:sar_detail", pk=job.pk)
    record_view(user=request.user, instance=pupil, path=request.path)
    enrolments = list(selectors.pupil_enrolments(user=request.user, pupil=pupil))
    return render(request, "data_protection/subject_access.html", {
        "pupil": pupil, "jobs": data_protection.sar_jobs(pupil)[:20],
        "current_enrolment": next((e for e in enrolments if e.is_current), None),
        "tabs": pupil_tabs(request.user, pupil, active="audit"),
    })


def _own_sar_job(request, pk: int) -> Job:
    return get_object_or_404(Job.objects.filter(kind=Job.Kind.SUBJECT_ACCESS, created_by=request.user), pk=pk)


@capability_required(Capability.RUN_SUBJECT_ACCESS)
def sar_detail(request, pk: int):
    job = _own_sar_job(request, pk)
    return render(request, "data_protection/sar_detail.html", {"job": job, "pupil_id": job.params.get("pupil_id")})


@capability_required(Capability.RUN_SUBJECT_ACCESS)
def sar_download(request, pk: int):
    job = _own_sar_job(request, pk)
    if job.status != Job.Status.SUCCEEDED or not job.result_file:
        raise Http404
    handle = data_protection.subject_access_download(user=request.user, job=job)
    return FileResponse(handle, as_attachment=True, filename=job.result_file.name.rsplit("/", 1)[-1],
                        content_type="application/zip")


@capability_required(Capability.MANAGE_RETENTION)
def retention(request):
    result = data_protection_retention.dry_run()
    page, query = paginate(request, result["to_anonymise"])
    return render(request, "data_protection/retention.html", {
        **result, "page": page, "query": query,
        "held_list": [(p, data_protection_retention.hold_reasons(p)) for p in result["held"][:200]],
        "held_count": result["held"].count(),
        "runs": RetentionRun.objects.select_related("run_by")[:10],
        "source": RETENTION_SOURCE, "replacements": PUPIL_REPLACEMENTS_NOTE,
    })
