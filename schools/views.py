"""Pages for schools, pupils, families, audit and jobs. Thin: selectors read, services write, FilterSets filter."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_POST

from schools import selectors, services
from schools.audit import record_view
from schools.common import jobs
from schools.common.web import apply_form_errors, capability_required, paginate
from schools.filters import AuditEventFilterSet, PupilFilterSet, SchoolFilterSet
from schools.forms import CarerForm, EnrolmentEndForm, EnrolmentForm, FamilyForm, PupilCreateForm, PupilForm
from schools.models import Enrolment, Job, School
from schools.navigation import pupil_tabs
from schools.roles import Capability
from schools.validators import UPN_PATTERN


def home(request):
    """The user's work first (schools.home: panels of counts, each leading to its list), then finding a pupil."""
    from django.utils import timezone

    from schools.home import panels_for

    user = request.user
    schools = list(selectors.school_list(user=user)[:3]) if not user.is_la_staff else []
    pupil_count, counted_at = selectors.pupil_count(user=user)
    return render(request, "schools/home.html", {
        "panels": panels_for(user, timezone.localdate()), "own_schools": schools,
        "pupil_count": pupil_count, "pupils_counted_at": counted_at,
        "school_count": School.objects.visible_to(user).count(),  # not school_list: its roll counts cost a join
    })


def _searched_upn(request) -> str | None:
    """The full UPN typed in the "Name or UPN" search, if that is what the search is (the separate UPN filter
    still lists its match, so a list can be narrowed to one pupil and exported)."""
    text = "".join(request.GET.get("q", "").split()).upper()
    return text if UPN_PATTERN.fullmatch(text) else None


def pupil_list(request):
    data = request.GET
    if upn := _searched_upn(request):
        data = request.GET.copy()
        data["q"] = upn
    filterset = PupilFilterSet(data or None, queryset=selectors.pupil_list(user=request.user), request=request)
    if upn and filterset.is_valid():
        # A full UPN that matches exactly one pupil the user may see opens that pupil. The list is already scoped to
        # the user, so a school user searching another school's pupil gets "No pupils match", never that record.
        found = list(filterset.qs[:2])
        if len(found) == 1:
            return redirect("pupil_detail", pk=found[0].pk)
    page, query = paginate(request, filterset.qs)
    return render(request, "schools/pupil_list.html", {"filter": filterset, "page": page, "query": query})


@require_POST
@capability_required(Capability.EXPORT_PUPILS)
def pupil_export(request):
    filterset = PupilFilterSet(request.POST, queryset=selectors.pupil_list(user=request.user), request=request)
    if not filterset.is_valid():
        messages.error(request, "The filters could not be understood, so nothing was exported.")
        return redirect("pupil_list")
    query = {k: v for k, v in filterset.form.data.items() if k in filterset.filters and v}
    job = services.pupil_export_start(user=request.user, query=query)
    return redirect("job_detail", pk=job.pk)


def job_detail(request, pk: int):
    job = get_object_or_404(Job.objects.filter(created_by=request.user), pk=pk)
    if job.status == Job.Status.RUNNING and jobs.jobs_fail_stale(job_ids=[job.pk]):
        job.refresh_from_db()  # its worker died: say so now rather than at the next sweep
    return render(request, "schools/job_detail.html", {"job": job})


@require_POST
def job_retry(request, pk: int):
    job = get_object_or_404(Job.objects.filter(created_by=request.user), pk=pk)
    try:
        job = jobs.job_retry(user=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "The job will run again.")
    return redirect(_job_page(job))


def _job_page(job: Job) -> str:
    """Where the job's owner follows it: the page of what it makes (an import, a letter batch, a report)."""
    pages = {Job.Kind.ATTENDANCE_IMPORT: ("attendance_import", "attendance_import_detail"),
             Job.Kind.LEGAL_LETTERS: ("legal_letter_batch", "legal:batch"),
             Job.Kind.TERMLY_REPORT: ("report_run", "reporting:report_detail")}
    relation, url_name = pages.get(job.kind, (None, None))
    if relation and hasattr(job, relation):
        return reverse(url_name, args=[getattr(job, relation).pk])
    return reverse("job_detail", args=[job.pk])


def job_download(request, pk: int):
    # A subject access export is downloaded only through data_protection:sar_download, which audits it.
    job = get_object_or_404(Job.objects.filter(created_by=request.user, status=Job.Status.SUCCEEDED)
                            .exclude(kind=Job.Kind.SUBJECT_ACCESS), pk=pk)
    if not job.result_file:
        raise Http404
    return FileResponse(job.result_file.open("rb"), as_attachment=True,
                        filename=job.result_file.name.rsplit("/", 1)[-1])


def pupil_detail(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    enrolments = list(selectors.pupil_enrolments(user=request.user, pupil=pupil))
    current = next((e for e in enrolments if e.is_current), None)
    record_view(user=request.user, instance=pupil, path=request.path)
    return render(request, "schools/pupil_detail.html", {
        "pupil": pupil,
        "enrolments": enrolments,
        "current_enrolment": current,
        "tabs": pupil_tabs(request.user, pupil, active="overview"),
        "can_edit": request.user.can(Capability.EDIT_PUPILS),
    })


@capability_required(Capability.EDIT_PUPILS)
def pupil_create(request):
    form = PupilCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            pupil = services.pupil_create(user=request.user, **data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{pupil.display_name} was added.")
            return redirect("pupil_detail", pk=pupil.pk)
    return render(request, "includes/form_page.html", {"form": form, "title": "Add a pupil",
                                                      "back_url": reverse("pupil_list")})


@capability_required(Capability.EDIT_PUPILS)
def pupil_edit(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = PupilForm(request.POST or None, instance=pupil)
    if request.method == "POST" and form.is_valid():
        try:
            # A fresh copy: validating the ModelForm already wrote the new values onto form.instance, and the
            # service must see the stored values to audit before/after.
            services.pupil_update(user=request.user, pupil=selectors.pupil_get(user=request.user, pk=pk),
                                  **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The pupil's details were saved.")
            return redirect("pupil_detail", pk=pupil.pk)
    return render(request, "includes/form_page.html", {"form": form, "title": f"Edit {pupil.display_name}",
                                                      "back_url": reverse("pupil_detail", args=[pupil.pk])})


@capability_required(Capability.EDIT_PUPILS)
def enrolment_add(request, pk: int):
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = EnrolmentForm(request.POST or None)
    form.fields["school"].queryset = School.objects.visible_to(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_create(user=request.user, pupil=pupil, **form.cleaned_data)
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, "The enrolment was added.")
            return redirect("pupil_detail", pk=pupil.pk)
    return render(request, "includes/form_page.html", {"form": form, "title": f"Add an enrolment for "
                                                      f"{pupil.display_name}",
                                                      "back_url": reverse("pupil_detail", args=[pupil.pk])})


@capability_required(Capability.EDIT_PUPILS)
def enrolment_end(request, pk: int):
    enrolment = get_object_or_404(Enrolment.objects.visible_to(request.user).select_related("pupil", "school"), pk=pk)
    form = EnrolmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_end(user=request.user, enrolment=enrolment, end_date=form.cleaned_data["end_date"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"The enrolment at {enrolment.school} was ended.")
            return redirect("pupil_detail", pk=enrolment.pupil_id)
    return render(request, "includes/form_page.html", {
        "form": form, "title": f"End {enrolment.pupil.display_name}'s enrolment at {enrolment.school}",
        "back_url": reverse("pupil_detail", args=[enrolment.pupil_id])})


def school_list(request):
    filterset = SchoolFilterSet(request.GET or None, queryset=selectors.school_list(user=request.user),
                                request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "schools/school_list.html", {"filter": filterset, "page": page, "query": query})


def school_detail(request, urn: str):
    school = selectors.school_get(user=request.user, urn=urn)
    page, query = paginate(request, selectors.school_roll(user=request.user, school=school))
    return render(request, "schools/school_detail.html", {"school": school, "page": page, "query": query})


def family_list(request):
    families = selectors.family_list(user=request.user)
    text = request.GET.get("q", "").strip()
    if text:
        families = families.filter(name__icontains=text)
    page, query = paginate(request, families)
    return render(request, "schools/family_list.html", {"page": page, "query": query, "q": text})


def family_detail(request, pk: int):
    family = selectors.family_get(user=request.user, pk=pk)
    return render(request, "schools/family_detail.html", {
        "family": family, "can_edit": request.user.can(Capability.EDIT_PUPILS)})


@capability_required(Capability.EDIT_PUPILS)
def family_create(request):
    form = FamilyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        family = services.family_create(user=request.user, **form.cleaned_data)
        messages.success(request, f"{family.name} was added.")
        return redirect("family_detail", pk=family.pk)
    return render(request, "includes/form_page.html", {"form": form, "title": "Add a family",
                                                      "back_url": reverse("family_list")})


@capability_required(Capability.EDIT_PUPILS)
def family_edit(request, pk: int):
    family = selectors.family_get(user=request.user, pk=pk)
    form = FamilyForm(request.POST or None, instance=family)
    if request.method == "POST" and form.is_valid():
        # A fresh copy, as in pupil_edit, so the audit sees the stored values.
        services.family_update(user=request.user, family=selectors.family_get(user=request.user, pk=pk),
                               **form.cleaned_data)
        messages.success(request, "The family's details were saved.")
        return redirect("family_detail", pk=pk)
    return render(request, "includes/form_page.html", {"form": form, "title": f"Edit {family.name}",
                                                      "back_url": reverse("family_detail", args=[pk])})


@capability_required(Capability.EDIT_PUPILS)
def carer_add(request, pk: int):
    family = selectors.family_get(user=request.user, pk=pk)
    form = CarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.carer_create(user=request.user, family=family, **form.cleaned_data)
        messages.success(request, "The carer was added.")
        return redirect("family_detail", pk=pk)
    return render(request, "includes/form_page.html", {"form": form, "title": f"Add a carer to {family.name}",
                                                      "back_url": reverse("family_detail", args=[pk])})


@capability_required(Capability.READ_AUDIT)
def audit_list(request):
    filterset = AuditEventFilterSet(request.GET or None, queryset=selectors.audit_list(user=request.user),
                                    request=request)
    page, query = paginate(request, filterset.qs.select_related("user"))
    return render(request, "audit/audit_list.html", {"filter": filterset, "page": page, "query": query})


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_500(request):
    # Rendered without a request context: the failure may be the database the context processors read.
    return HttpResponseServerError(loader.get_template("500.html").render())
