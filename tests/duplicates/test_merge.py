"""Merging two pupil records: every row linked to the merged-away record moves (found generically from the models'
_meta), conflicts refuse the merge with nothing changed, everything is audited, and "Undo merge" within 30 days puts
each row back and restores the merged-away record with its own number."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case
from schools.duplicates import rules, selectors, services
from schools.models import (
    AnonymisedPupil,
    AttendanceWeek,
    AuditEvent,
    CMERecord,
    Enrolment,
    Pupil,
    PupilMerge,
    RetentionRun,
    Term,
)
from tests.factories import AcademicYearFactory, CaseFactory, EnrolmentFactory, PupilFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def pair(world):
    """Ben Able (pupil B, at Beta Academy now) and a second record of him made by Alpha Primary last year, with an
    enrolment and its register, an attendance case and a CME referral."""
    second = PupilFactory(legal_first_name="Benn", legal_last_name="Able", date_of_birth=world.pupil_b.date_of_birth)
    enrolment = EnrolmentFactory(pupil=second, school=world.school_a, start_date=D(2023, 9, 4),
                                 end_date=D(2024, 7, 19), nc_year=7)
    year = AcademicYearFactory(name="2023/24", start_date=D(2023, 9, 1), end_date=D(2024, 8, 31))
    term = Term.objects.create(academic_year=year, name=Term.Name.AUTUMN, start_date=D(2023, 9, 4),
                               end_date=D(2023, 12, 20))
    for monday in (D(2023, 9, 4), D(2023, 9, 11)):
        AttendanceWeek.objects.create(enrolment=enrolment, week_start=monday, marks="/\\" * 5, academic_year=year,
                                      term=term, possible=10, present=10, sessions=10)
    case = CaseFactory(pupil=second)
    cme = CMERecord.objects.create(pupil=second, referred_on=D(2024, 7, 22), reason=CMERecord.Reason.choices[0][0])
    return world.pupil_b, second, enrolment, case, cme


def test_every_link_to_a_pupil_is_moved_or_kept_on_purpose():
    labels = {r.label for r in selectors.pupil_relations()}
    assert {"schools.Enrolment.pupil", "cases.Case.pupil", "legal.PenaltyNotice.pupil", "schools.Exclusion.pupil",
            "schools.CMERecord.pupil", "interventions.BookingPupil.pupil", "schools.PnThresholdEntry.pupil",
            "schools.PupilMerge.kept"} <= labels
    moved = {r.label for r in selectors.movable_relations()}
    assert labels - moved == set(rules.NOT_MOVED) | set(rules.REFUSE_IF_PRESENT)


def test_the_preview_lists_every_row_that_moves(pair):
    keep, remove, enrolment, case, cme = pair
    preview = selectors.merge_preview(keep=keep, remove=remove)
    assert preview.conflicts == []
    moves = {g.relation.label: [row.pk for row in g.rows] for g in preview.groups}
    assert moves == {"schools.Enrolment.pupil": [enrolment.pk], "cases.Case.pupil": [case.pk],
                     "schools.CMERecord.pupil": [cme.pk]}
    assert selectors.enrolment_register_counts([enrolment]) == {enrolment.pk: 2}
    assert preview.kept_changes == {"former_upn": ("", remove.upn)}


def test_merge_moves_everything_and_undo_puts_it_back(pair, world):
    keep, remove, enrolment, case, cme = pair
    manager = world.users["la_manager"]
    remove_pk, remove_upn = remove.pk, remove.upn
    merge = services.pupil_merge(user=manager, keep=keep, remove=remove, reason="School confirmed a double entry.")

    assert not Pupil.objects.filter(pk=remove_pk).exists()
    assert Enrolment.objects.get(pk=enrolment.pk).pupil_id == keep.pk
    assert AttendanceWeek.objects.filter(enrolment__pupil=keep).count() == 2  # the register moved with it
    assert Case.objects.get(pk=case.pk).pupil_id == keep.pk
    assert CMERecord.objects.get(pk=cme.pk).pupil_id == keep.pk
    keep.refresh_from_db()
    assert keep.former_upn == remove_upn  # the old UPN still finds the child
    assert merge.moved_count == 3
    assert {e["model"] for e in merge.moved} == {"schools.Enrolment", "cases.Case", "schools.CMERecord"}
    events = AuditEvent.objects.filter(username="la_manager")
    assert events.filter(action="delete", object_type="schools.Pupil", object_id=str(remove_pk)).exists()
    assert events.filter(action="create", object_type="schools.PupilMerge", pupil_id=keep.pk).exists()
    assert events.filter(action="update", object_type="schools.Pupil", object_id=str(keep.pk)).exists()

    restored = services.pupil_merge_undo(user=world.users["la_officer"], merge=merge)
    assert restored.pk == remove_pk and restored.upn == remove_upn
    assert restored.legal_first_name == "Benn" and restored.first_name_key == "BN"
    assert Enrolment.objects.get(pk=enrolment.pk).pupil_id == remove_pk
    assert Case.objects.get(pk=case.pk).pupil_id == remove_pk
    assert CMERecord.objects.get(pk=cme.pk).pupil_id == remove_pk
    keep.refresh_from_db()
    assert keep.former_upn == ""
    merge.refresh_from_db()
    assert merge.undone_by == world.users["la_officer"] and merge.undo_note == ""
    assert AuditEvent.objects.filter(action="create", object_type="schools.Pupil", object_id=str(remove_pk)).exists()
    with pytest.raises(ValidationError, match="already been undone"):
        services.pupil_merge_undo(user=world.users["la_officer"], merge=merge)


def test_undo_leaves_rows_changed_since_and_says_so(pair, world):
    keep, remove, enrolment, case, cme = pair
    merge = services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="Same child.")
    CMERecord.objects.filter(pk=cme.pk).delete()
    services.pupil_merge_undo(user=world.users["la_manager"], merge=merge)
    merge.refresh_from_db()
    assert merge.undo_note.startswith("Left where they were: 1 of 1 ")
    assert Case.objects.get(pk=case.pk).pupil_id == merge.merged_pupil_id


def test_undo_is_refused_after_30_days(pair, world):
    keep, remove, *_ = pair
    merge = services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="Same child.")
    later = merge.merged_at + datetime.timedelta(days=rules.UNDO_DAYS, minutes=1)
    with pytest.raises(ValidationError, match="30 days"):
        services.pupil_merge_undo(user=world.users["la_manager"], merge=merge, now=later)
    assert selectors.can_undo(merge, merge.merged_at + datetime.timedelta(days=rules.UNDO_DAYS))
    assert not Pupil.objects.filter(pk=merge.merged_pupil_id).exists()


def test_two_open_cases_of_one_type_refuse_the_merge_and_nothing_changes(pair, world):
    keep, remove, enrolment, case, cme = pair
    CaseFactory(pupil=keep)  # both records have an open attendance case: only one may be open
    preview = selectors.merge_preview(keep=keep, remove=remove)
    assert len(preview.conflicts) == 1 and preview.conflicts[0].startswith("Cases: both records have one with the "
                                                                          "same case type")
    with pytest.raises(ValidationError):
        services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="Same child.")
    assert Pupil.objects.filter(pk=remove.pk).exists()
    assert Enrolment.objects.get(pk=enrolment.pk).pupil_id == remove.pk
    assert not PupilMerge.objects.exists()


def test_two_enrolments_at_one_school_for_the_same_days_refuse_the_merge(pair, world):
    keep, remove, *_ = pair
    EnrolmentFactory(pupil=remove, school=world.school_b, start_date=D(2024, 9, 2), nc_year=9)
    conflicts = selectors.merge_preview(keep=keep, remove=remove).conflicts
    assert any(c.startswith("Enrolments: both records are on Beta Academy's roll for overlapping dates")
               for c in conflicts)
    with pytest.raises(ValidationError):
        services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="Same child.")


def test_an_anonymised_record_is_not_merged(pair, world):
    keep, remove, *_ = pair
    run = RetentionRun.objects.create(years_after_leaving=6, min_age=25, left_before=D(2020, 1, 1),
                                      born_before=D(2000, 1, 1))
    AnonymisedPupil.objects.create(pupil=remove, run=run, left_on=D(2019, 7, 19))
    conflicts = selectors.merge_preview(keep=keep, remove=remove).conflicts
    assert any("anonymised" in c for c in conflicts)


def test_merging_needs_a_reason_and_an_la_editor(pair, world):
    keep, remove, *_ = pair
    with pytest.raises(ValidationError):
        services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="  ")
    for name in ("legal_officer", "school_b"):
        with pytest.raises(PermissionDenied):
            services.pupil_merge(user=world.users[name], keep=keep, remove=remove, reason="Same child.")
    assert Pupil.objects.filter(pk=remove.pk).exists()


def test_a_kept_record_merged_again_carries_its_merge_record(pair, world):
    keep, remove, *_ = pair
    first = services.pupil_merge(user=world.users["la_manager"], keep=keep, remove=remove, reason="Same child.")
    third = PupilFactory(legal_first_name="Ben", legal_last_name="Able", date_of_birth=keep.date_of_birth)
    services.pupil_merge(user=world.users["la_manager"], keep=third, remove=keep, reason="Same child again.")
    first.refresh_from_db()
    assert first.kept_id == third.pk
    # Undoing the first merge now takes its rows back from the record they ended up on.
    restored = services.pupil_merge_undo(user=world.users["la_manager"], merge=first)
    assert Enrolment.objects.filter(pupil=restored).count() == 1
