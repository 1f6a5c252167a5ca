"""Pages of the CTF review queue. LA staff read every item; a school user reads the items held from their own uploads
but does not resolve them: matching means searching the whole authority's pupils and creating a pupil is an LA
record change, neither of which a school may do. Resolving needs Capability.EDIT_PUPILS."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from schools.attendance.filters import CtfReviewFilterSet
from schools.attendance.review import selectors, services
from schools.attendance.review.forms import CandidateSearchForm, ReviewCreateForm, ReviewMatchForm, ReviewRejectForm
from schools.audit import record_view
from schools.common.web import apply_form_errors, capability_required, paginate
from schools.models import CtfReviewItem
from schools.roles import Capability


def ctf_review_list(request):
    filterset = CtfReviewFilterSet(request.GET, queryset=selectors.review_list(user=request.user), request=request)
    page, query = paginate(request, filterset.qs)
    return render(request, "attendance/ctf_review_list.html", {
        "filter": filterset, "page": page, "query": query,
        "can_resolve": request.user.can(Capability.EDIT_PUPILS)})


def _context(request, item: CtfReviewItem) -> dict:
    candidate = selectors.visible_pupil(request.user, item.candidate)
    return {"item": item, "candidate": candidate,
            "explanation": services.explanation(item, show_candidate=candidate is not None),
            "can_resolve": item.is_pending and request.user.can(Capability.EDIT_PUPILS)}


def ctf_review_detail(request, pk: int):
    item = selectors.review_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=item, pupil_id=item.pupil_id or item.candidate_id, path=request.path)
    return render(request, "attendance/ctf_review_detail.html", _context(request, item))


def _pending_item(request, pk: int) -> CtfReviewItem:
    item = selectors.review_get(user=request.user, pk=pk)
    if not item.is_pending:
        messages.info(request, f"This pupil has already been dealt with: {item.get_status_display().lower()}.")
    return item


def _resolve(request, form, item, action, **kwargs):
    """Run a resolution service; on success go back to the item with what it did, on failure show the form again."""
    try:
        resolved = action(user=request.user, item=item, **kwargs)
    except ValidationError as error:
        apply_form_errors(form, error)
        return None
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _done_message(resolved))
    return redirect("ctf_review_detail", pk=resolved.pk)


def _done_message(item: CtfReviewItem) -> str:
    if item.status == CtfReviewItem.Status.REJECTED:
        return f"{item.name_in_file} was rejected; the held marks were not imported."
    imported = item.marks_written + item.marks_changed + item.marks_unchanged
    left_out = f" {item.rows_rejected:,} could not be placed (see below)." if item.rows_rejected else ""
    return f"{item.get_status_display()}: {imported:,} of {item.mark_count:,} held marks imported.{left_out}"


@capability_required(Capability.EDIT_PUPILS)
def ctf_review_match(request, pk: int):
    item = _pending_item(request, pk)
    if not item.is_pending:
        return redirect("ctf_review_detail", pk=item.pk)
    search = CandidateSearchForm(request.GET or None)
    text = dob = None
    if search.is_bound and search.is_valid():
        text, dob = search.cleaned_data["q"], search.cleaned_data["date_of_birth"]
    results = selectors.candidate_search(user=request.user, item=item, text=text, date_of_birth=dob)
    form = ReviewMatchForm(request.POST or None, scope=selectors.candidate_scope(user=request.user), pupils=results,
                           school=item.school, file_upn=item.upn,
                           initial={"version": item.version, "pupil": item.candidate_id,
                                    "start_date": item.first_date, "nc_year": services.nc_year_from_file(item.nc_year)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _resolve(request, form, item, services.review_match, version=data["version"], pupil=data["pupil"],
                        take_file_upn=data["take_file_upn"], add_enrolment=data["add_enrolment"],
                        start_date=data["start_date"], nc_year=data["nc_year"], note=data["note"])
        if done:
            return done
    return render(request, "attendance/ctf_review_match.html", {
        **_context(request, item), "form": form, "search": search, "results": results,
        "searched": search.is_bound})


@capability_required(Capability.EDIT_PUPILS)
def ctf_review_create(request, pk: int):
    item = _pending_item(request, pk)
    if not item.is_pending:
        return redirect("ctf_review_detail", pk=item.pk)
    form = ReviewCreateForm(request.POST or None,
                            initial={"version": item.version, **services.create_defaults(item)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        done = _resolve(request, form, item, services.review_create, version=data.pop("version"),
                        start_date=data.pop("start_date"), nc_year=data.pop("nc_year"), note=data.pop("note"),
                        **data)
        if done:
            return done
    return render(request, "attendance/ctf_review_form.html", {
        **_context(request, item), "form": form, "title": "Create a new pupil",
        "intro": f"The new pupil gets the file's UPN ({item.upn}) and an enrolment at {item.school.name}; then the "
                 f"{item.mark_count:,} held marks are imported."})


@capability_required(Capability.EDIT_PUPILS)
def ctf_review_reject(request, pk: int):
    item = _pending_item(request, pk)
    if not item.is_pending:
        return redirect("ctf_review_detail", pk=item.pk)
    form = ReviewRejectForm(request.POST or None, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        done = _resolve(request, form, item, services.review_reject, version=form.cleaned_data["version"],
                        note=form.cleaned_data["note"])
        if done:
            return done
    return render(request, "attendance/ctf_review_form.html", {
        **_context(request, item), "form": form, "title": "Reject this pupil",
        "intro": "Nothing is imported for a rejected pupil. The item, with what the file said and its marks, stays in "
                 "the queue's history."})
