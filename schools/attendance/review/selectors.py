"""Reads for the CTF review queue. Every selector takes the user and starts from the scoped queryset."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404

from schools.models import CtfReviewItem, Pupil

SEARCH_LIMIT = 25


def review_list(*, user):
    return (CtfReviewItem.objects.visible_to(user)
            .select_related("attendance_import", "attendance_import__uploaded_by", "school", "resolved_by", "pupil",
                            "candidate")
            .order_by("created_at", "pk"))


def review_get(*, user, pk: int) -> CtfReviewItem:
    return get_object_or_404(review_list(user=user), pk=pk)


def candidate_scope(*, user):
    """Every pupil a held item may be matched to: those the user may see."""
    return Pupil.objects.visible_to(user)


def visible_candidate_ids(user, items) -> set[int]:
    """Of these items' candidates, the ids of those the user may see (one query)."""
    ids = {item.candidate_id for item in items if item.candidate_id}
    if not ids:
        return set()
    return set(Pupil.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_pupil(user, pupil: Pupil | None) -> Pupil | None:
    """The pupil if the user may see them, else None (a school never learns of another school's pupil)."""
    if pupil is None:
        return None
    return Pupil.objects.visible_to(user).filter(pk=pupil.pk).first()


def candidate_search(*, user, item: CtfReviewItem, text: str | None, date_of_birth: datetime.date | None):
    """Pupils the held item could be: a search over the pupils the user may see (name, UPN or former UPN, and
    optionally date of birth). With no search yet, the file's surname and date of birth, plus the rules' candidate."""
    pupils = Pupil.objects.visible_to(user).with_current_enrolment(user)
    if text is None and date_of_birth is None:
        text = item.surname
        date_of_birth = item.date_of_birth
    found = pupils.search(text or "")
    if date_of_birth:
        found = found.filter(date_of_birth=date_of_birth)
    if not (text or date_of_birth):
        found = found.none()
    results = list(found.order_by("legal_last_name", "legal_first_name", "pk")[:SEARCH_LIMIT])
    if item.candidate_id and all(p.pk != item.candidate_id for p in results):
        candidate = pupils.filter(pk=item.candidate_id).first()
        if candidate is not None:
            results.insert(0, candidate)
    return results
