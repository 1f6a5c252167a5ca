"""Nothing held on a pupil is left out: every model that points at a pupil (or at a pupil-linked model) is in the walk
that the subject access export and the retention job share, and each has its section and retention rule."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from schools.data_protection.retention import scrub_fields
from schools.data_protection.rules import LEGAL_HOLDS, MODELS, NOT_ABOUT_THIS_PUPIL
from schools.data_protection.subject_access import pupil_linked_models
from schools.models import Pupil


def _points_at(model, targets) -> bool:
    for f in model._meta.get_fields():
        if not (f.is_relation and not f.auto_created and f.related_model in targets):
            continue
        if f"{model._meta.label}.{f.name}" in NOT_ABOUT_THIS_PUPIL or f.related_model is model:
            continue
        return True
    return False


def test_every_model_with_a_pupil_key_is_walked():
    direct = {m for m in apps.get_models() if _points_at(m, {Pupil})}
    # A sanity floor so a broken introspection cannot pass by finding nothing.
    assert {"cases.Case", "legal.Prosecution", "schools.Exclusion", "interventions.BookingPupil"} <= {
        m._meta.label for m in direct}
    missing = sorted(m._meta.label for m in direct - set(pupil_linked_models()))
    assert not missing, f"Models with a pupil foreign key that the subject access export would leave out: {missing}"


def test_every_child_of_a_walked_model_is_walked():
    walked = set(pupil_linked_models())
    children = {m for m in apps.get_models() if _points_at(m, walked)}
    missing = sorted(m._meta.label for m in children - walked)
    assert not missing, f"Models under a pupil-linked model left out of the walk: {missing}"


def test_every_walked_model_has_a_section_and_retention_rule():
    walked = {m._meta.label for m in pupil_linked_models()}
    unnamed = sorted(walked - set(MODELS))
    assert not unnamed, (f"Pupil-linked models with no entry in schools.data_protection.rules.MODELS (say what "
                         f"the export calls them and which text fields are not personal data): {unnamed}")
    stale = sorted(set(MODELS) - walked)
    assert not stale, f"Entries in MODELS for models no longer linked to a pupil: {stale}"


def test_kept_fields_exist_and_everything_else_textual_is_cleared():
    for label, rule in MODELS.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.get_fields()}
        assert set(rule["keep"]) <= names, (label, set(rule["keep"]) - names)
        cleared = {f.name for f in scrub_fields(model)}
        assert not cleared & set(rule["keep"]), label
    # The free text that matters most is cleared.
    chronology = {f.name for f in scrub_fields(apps.get_model("cases.ChronologyEntry"))}
    assert {"summary", "details", "outcome", "participants"} <= chronology
    assert {"social_worker_name", "social_worker_contact"} <= {f.name for f in scrub_fields(Pupil)}
    assert "file" in {f.name for f in scrub_fields(apps.get_model("cases.Attachment"))}
    # Register marks and their corrections are codes, kept so attendance figures do not change.
    assert "marks" not in {f.name for f in scrub_fields(apps.get_model("schools.AttendanceWeek"))}
    assert not scrub_fields(apps.get_model("schools.AttendanceMarkChange"))


def test_the_walk_does_not_follow_links_to_other_pupils():
    case_model = apps.get_model("cases.Case")
    assert pupil_linked_models()[case_model] == ("pupil",)
    ctf = apps.get_model("schools.CtfReviewItem")
    assert all("candidate" not in path for path in pupil_linked_models()[ctf])


def test_legal_holds_name_real_statuses():
    for label, path, field, statuses, _reason in LEGAL_HOLDS:
        model = apps.get_model(label)
        f = model._meta.get_field(field)
        assert isinstance(f, models.CharField)
        assert set(statuses) <= {value for value, _ in f.choices}, label
        assert model._meta.get_field(path).related_model is Pupil
