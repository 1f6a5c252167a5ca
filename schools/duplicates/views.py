"""Pages for duplicate pupils: the review list (with its CSV), a pupil's possible duplicates, the merge preview and
confirmation, merge records and "Undo merge". Thin: selectors read, services write. LA editors only (EDIT_PUPILS):
everyone else gets 403 before any pupil is looked up."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from schools import selectors as pupil_selectors
from schools.audit import record_export, record_view
from schools.common.web import PAGE_SIZE, apply_form_errors, capability_required, query_without, sort_headers
from schools.duplicates import rules, selectors, services
from schools.duplicates.forms import SORTS, DuplicateFilterForm, MergeForm, OtherRecordForm
from schools.exports import safe_cell
from schools.models import Enrolment, Pupil
from schools.navigation import pupil_tabs
from schools.roles import Capability


def _export(request, candidates):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="possible-duplicate-pupils.csv"'
    writer = csv.writer(response)
    writer.writerow(["Score", "Why they match", "Details", "Record 1 number", "Record 1 UPN", "Record 1 name",
                     "Record 1 date of birth", "Record 2 number", "Record 2 UPN", "Record 2 name",
                     "Record 2 date of birth", "Marked not the same child"])
    for c in candidates:
        values = [c.score, "; ".join(m.rule.label for m in c.matches), " ".join(m.detail for m in c.matches)]
        for row in (c.a, c.b):
            values += [row["pk"], row["upn"], f"{row['legal_first_name']} {row['legal_last_name']}",
                       row["date_of_birth"].isoformat()]
        values.append("Yes" if c.dismissed else "No")
        writer.writerow([safe_cell(v) for v in values])
    record_export(user=request.user, object_type="schools.Pupil (possible duplicates)", rows=len(candidates),
                  fmt="csv", path=request.get_full_path(), pupils=[pk for c in candidates for pk in (c.low, c.high)])
    return response


@capability_required(Capability.EDIT_PUPILS)
def duplicate_list(request):
    """Likely duplicate pairs across the authority, best match first, each with why it matched and its next step."""
    form = DuplicateFilterForm(request.GET or None)
    chosen = form.cleaned()
    scan = selectors.find_candidates(user=request.user, include_dismissed=chosen["dismissed"] == "show",
                                     refresh=request.GET.get("refresh") == "1")
    candidates = [c for c in scan.candidates if not chosen["rule"] or chosen["rule"] in c.rule_codes]
    candidates = selectors.sorted_candidates(candidates, chosen["sort"])
    if request.GET.get("format") == "csv":
        return _export(request, candidates)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.GET.get("refresh") == "1":  # checked again: back to the same list without asking again on reload
        return redirect(f"{request.path}?{query_without(request, 'refresh')}")
    selectors.attach_pupils(user=request.user, candidates=list(page.object_list))
    return render(request, "duplicates/list.html", {
        "filter_form": form, "page": page, "query": query_without(request),
        "headers": sort_headers(request, SORTS), "oversized": scan.oversized_blocks, "rules": rules.RULES.values(),
        "checked_at": scan.checked_at, "refresh_query": query_without(request, "refresh"),
        "back": request.get_full_path(),
    })


@require_POST
@capability_required(Capability.EDIT_PUPILS)
def dismiss(request):
    """"Not the same child" from a row of the review list or a pupil's duplicates tab."""
    try:
        a, b = int(request.POST.get("a", "")), int(request.POST.get("b", ""))
    except ValueError as error:
        raise Http404("No such records.") from error
    first, second = selectors.pair_get(user=request.user, a=a, b=b)
    try:
        services.dismiss_pair(user=request.user, a=first, b=second, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{first.display_name} ({first.upn}) and {second.display_name} ({second.upn}) are "
                                  f"marked as not the same child and will not be offered again.")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/duplicates/") else reverse("duplicates:list"))


@capability_required(Capability.EDIT_PUPILS)
def pupil_duplicates(request, pk: int):
    """The pupil record's Possible duplicates tab, and a way to merge any other record into this one by UPN."""
    pupil = pupil_selectors.pupil_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=pupil, path=request.path)
    candidates = selectors.candidates_for_pupil(user=request.user, pupil=pupil)
    selectors.attach_pupils(user=request.user, candidates=candidates)
    enrolments = list(pupil_selectors.pupil_enrolments(user=request.user, pupil=pupil))
    form = OtherRecordForm()
    form.helper.form_method = "get"
    form.helper.form_action = reverse("duplicates:merge", args=[pupil.pk])
    return render(request, "duplicates/pupil.html", {
        "pupil": pupil, "tabs": pupil_tabs(request.user, pupil, active="duplicates"),
        "current_enrolment": next((e for e in enrolments if e.is_current), None),
        "candidates": candidates, "form": form, "back": request.path,
    })


def _other_record(request, keep: Pupil) -> tuple[Pupil | None, OtherRecordForm]:
    """The record named by ?other= (a record number from a list, or a UPN typed in)."""
    form = OtherRecordForm(request.GET or None)
    form.helper.form_method = "get"
    if not form.is_bound or not form.is_valid():
        return None, form
    text = form.cleaned_data["other"].strip().upper()
    visible = Pupil.objects.visible_to(request.user)
    other = (visible.filter(pk=int(text)).first() if text.isdecimal() and len(text) <= 18
             else visible.filter(upn=text).first())
    if other is None:
        form.add_error("other", "No pupil has that UPN. Check the UPN and try again")
    elif other.pk == keep.pk:
        form.add_error("other", "Enter the UPN of a different pupil: this is the record being kept")
    else:
        return other, form
    return None, form


#: How many of one kind of record the preview names one by one (the count is always the full number).
LISTED_PER_KIND = 25


def _groups(preview) -> list[dict]:
    """Each kind of record that moves: its title, count, the first rows named (an enrolment with the register weeks
    that move with it) and what else moves with them."""
    groups = []
    for group in preview.groups:
        shown = group.rows[:LISTED_PER_KIND]
        weeks = selectors.enrolment_register_counts(shown) if group.relation.model is Enrolment else {}
        labels = []
        for row in shown:
            if row.pk in weeks:
                n = weeks[row.pk]
                labels.append(f"{row.school} from {row.start_date:%-d %B %Y}"
                              f"{f' to {row.end_date:%-d %B %Y}' if row.end_date else ''} "
                              f"({n} register week{'s' if n != 1 else ''})")
            elif group.relation.model is Enrolment:
                labels.append(f"{row.school} from {row.start_date:%-d %B %Y} (no register weeks)")
            else:
                labels.append(str(row))
        groups.append({"title": group.relation.title, "count": len(group.rows), "labels": labels,
                       "more": max(len(group.rows) - LISTED_PER_KIND, 0), "note": group.note})
    return groups


@capability_required(Capability.EDIT_PUPILS)
def merge(request, pk: int):
    """Preview (GET) and make (POST) a merge of ?other= into this pupil: every row that moves, and every conflict."""
    keep = pupil_selectors.pupil_get(user=request.user, pk=pk)
    other, other_form = _other_record(request, keep)
    if other is None:
        return render(request, "duplicates/merge_choose.html", {"pupil": keep, "form": other_form})
    keep, remove = selectors.pair_get(user=request.user, a=keep.pk, b=other.pk)
    form = MergeForm(request.POST or None)
    form.helper.form_action = f"{request.path}?other={remove.pk}"
    if request.method == "POST" and form.is_valid():
        try:
            merged = services.pupil_merge(user=request.user, keep=keep, remove=remove,
                                          reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_form_errors(form, error)
        else:
            messages.success(request, f"{merged.merged_name} ({merged.merged_upn}) is merged into "
                                      f"{keep.display_name} ({keep.upn}). You can undo this for {rules.UNDO_DAYS} "
                                      f"days.")
            return redirect("duplicates:merge_detail", pk=merged.pk)
    for pupil in (keep, remove):
        record_view(user=request.user, instance=pupil, path=request.path)
    preview = selectors.merge_preview(keep=keep, remove=remove)
    return render(request, "duplicates/merge.html", {
        "preview": preview, "keep": keep, "remove": remove, "form": form, "groups": _groups(preview),
        "kept_changes": [(Pupil._meta.get_field(name.removesuffix("_id")).verbose_name, before, after)
                         for name, (before, after) in preview.kept_changes.items()],
        "swap_href": f"{reverse('duplicates:merge', args=[remove.pk])}?other={keep.pk}",
        "undo_days": rules.UNDO_DAYS, "not_moved": rules.NOT_MOVED,
    })


@capability_required(Capability.EDIT_PUPILS)
def merge_list(request):
    page = Paginator(selectors.merge_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for merge_record in page.object_list:
        merge_record.undoable = selectors.can_undo(merge_record)
    return render(request, "duplicates/merges.html", {"page": page, "query": query_without(request),
                                                      "undo_days": rules.UNDO_DAYS})


@capability_required(Capability.EDIT_PUPILS)
def merge_detail(request, pk: int):
    merge_record = selectors.merge_get(user=request.user, pk=pk)
    record_view(user=request.user, instance=merge_record, pupil_id=merge_record.kept_id, path=request.path)
    return render(request, "duplicates/merge_detail.html", {
        "merge": merge_record, "undoable": selectors.can_undo(merge_record),
        "deadline": selectors.undo_deadline(merge_record), "undo_days": rules.UNDO_DAYS,
        "moved": [(entry["model"], len(entry["pks"])) for entry in merge_record.moved],
        "merged_record": merge_record.merged_record,
    })


@require_POST
@capability_required(Capability.EDIT_PUPILS)
def merge_undo(request, pk: int):
    merge_record = selectors.merge_get(user=request.user, pk=pk)
    try:
        restored = services.pupil_merge_undo(user=request.user, merge=merge_record)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("duplicates:merge_detail", pk=merge_record.pk)
    merge_record.refresh_from_db()
    text = f"The merge is undone: {restored.display_name} ({restored.upn}) has their own record again."
    if merge_record.undo_note:
        text += f" {merge_record.undo_note}"
    messages.success(request, text)
    return redirect("pupil_detail", pk=restored.pk)
