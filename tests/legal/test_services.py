"""Legal services: the worked examples end to end and every bad input the issue names, each refused with a clear
message and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.models import ChronologyEntry
from legal import services
from legal.models import LegalAlert, LegalPathway, LetterTemplate, Payment, PenaltyNotice, Prosecution
from tests.factories import CarerFactory, EnrolmentFactory, PupilFactory
from tests.pdf_support import assert_tagged_pdf

D = datetime.date
pytestmark = pytest.mark.django_db


LEAVE_START, LEAVE_END = D(2026, 10, 19), D(2026, 10, 23)


def _notice(world, lw, *, carer=None, pupil=None, start=LEAVE_START, end=LEAVE_END, issued=None,
            kind="term_time_leave", **extra):
    return services.notice_issue(user=world.users["la_officer"], pupil=pupil or world.pupil_b,
                                 carer=carer or lw.second_parent, notice_type=kind, period_start=start,
                                 period_end=end, issued_on=issued or end + datetime.timedelta(days=3), **extra)


def test_support_gate_refuses_without_evidence_and_a_manager_overrides(world, cases_world):
    case = cases_world.case_a
    with pytest.raises(ValidationError) as error:
        services.pathway_open(user=world.users["la_officer"], case=case)
    assert "Early help offered" in str(error.value) and "Home visit" in str(error.value)
    with pytest.raises(ValidationError, match="Only a manager"):
        services.pathway_open(user=world.users["la_officer"], case=case, override_reason="Urgent")
    assert not LegalPathway.objects.exists()
    pathway = services.pathway_open(user=world.users["la_manager"], case=case,
                                    override_reason="Parent refuses all contact; support cannot be delivered.")
    assert not pathway.gate_passed and pathway.overridden_by == world.users["la_manager"]
    assert ChronologyEntry.objects.filter(case=case, summary__contains="manager override").exists()


def test_gate_reads_chronology_plans_and_contracts(legal_world):
    pathway = legal_world.pathway
    assert pathway.gate_passed
    evidence = {row["item"]: row for row in pathway.evidence}
    assert evidence["Home visit"]["evidence"] and evidence["Early help offered"]["evidence"]
    assert "Attendance contract agreed" in evidence["Attendance contract, or why not"]["evidence"][0]


def test_non_attendance_needs_a_pathway_but_term_time_leave_does_not(world, legal_world):
    with pytest.raises(ValidationError, match="open legal pathway"):
        _notice(world, legal_world, kind="non_attendance")
    notice = _notice(world, legal_world)
    assert notice.full_amount == Decimal("160.00") and notice.reduced_amount == Decimal("80.00")


def test_third_notice_refused_with_alternatives_and_nothing_saved(world, legal_world):
    _notice(world, legal_world, start=D(2026, 9, 7), end=D(2026, 9, 11))
    second = _notice(world, legal_world)
    assert second.number_in_window == 2 and second.reduced_amount is None and second.full_amount == Decimal("160")
    count = PenaltyNotice.objects.count()
    with pytest.raises(ValidationError) as error:
        _notice(world, legal_world, start=D(2026, 11, 2), end=D(2026, 11, 6))
    assert "Consider instead" in str(error.value) and "education supervision order" in str(error.value)
    assert PenaltyNotice.objects.count() == count


def test_two_parents_and_two_children_are_counted_separately(world, legal_world):
    _notice(world, legal_world, start=D(2026, 9, 7), end=D(2026, 9, 11))
    _notice(world, legal_world)
    # The other parent's notice for the same child is a first notice.
    other_parent = _notice(world, legal_world, carer=legal_world.parent, start=D(2026, 11, 2), end=D(2026, 11, 6))
    assert other_parent.number_in_window == 2  # their first was the fixture's notice
    third_parent = CarerFactory(family=legal_world.parent.family, full_name="Grandma Parent")
    assert _notice(world, legal_world, carer=third_parent).number_in_window == 1
    # The same parent's notice for a sibling is a first notice too.
    sibling = PupilFactory(family=legal_world.parent.family)
    EnrolmentFactory(pupil=sibling, school=world.school_b)
    assert _notice(world, legal_world, pupil=sibling).number_in_window == 1


def test_withdrawn_notice_frees_the_limit(world, legal_world):
    first = _notice(world, legal_world, start=D(2026, 9, 7), end=D(2026, 9, 11))
    _notice(world, legal_world)
    services.notice_withdraw(user=world.users["legal_officer"], notice=first, ground="wrong_recipient")
    assert _notice(world, legal_world, start=D(2026, 11, 2), end=D(2026, 11, 6)).number_in_window == 2


def _pay(world, notice, amount, paid_on):
    return services.payment_record(user=world.users["legal_officer"], reference=notice.reference, amount=amount,
                                   paid_on=paid_on, method="card")


def test_payment_on_the_21st_and_22nd_day(world, legal_world):
    notice = legal_world.notice  # served by hand on 20 October 2026
    with pytest.raises(ValidationError) as error:
        _pay(world, notice, "80.00", D(2026, 11, 11))  # day 22
    assert "£80.00 is less than the £160.00 due" in str(error.value) and "day 22" in str(error.value)
    assert not Payment.objects.exists()
    _pay(world, notice, "80.00", D(2026, 11, 10))  # day 21
    notice.refresh_from_db()
    assert notice.status == PenaltyNotice.Status.PAID_REDUCED and notice.paid_amount == Decimal("80.00")


def test_a_payment_before_the_deemed_date_of_receipt_is_paid_in_time(world, legal_world):
    """Worked example (PN regs 2007 as amended 2024, reg 5; deemed receipt on the second working day after posting):
    posted on Friday 6 November 2026, deemed received on Tuesday 10 November; the reduced £80 is due to day 21,
    1 December. The parent pays £80 on Monday 9 November, before the deemed receipt: paid in time, reduced rate."""
    notice = _notice(world, legal_world)  # issued 26 October 2026, first notice: £80 reduced, £160 full
    notice = services.notice_serve(user=world.users["la_officer"], notice=notice, served_on=D(2026, 11, 6),
                                   service_method="post", expected_version=notice.version)
    assert (notice.received_on, notice.reduced_due_on) == (D(2026, 11, 10), D(2026, 12, 1))
    with pytest.raises(ValidationError) as error:
        _pay(world, notice, "160.00", D(2026, 11, 9))
    assert "before its deemed receipt on 10 November 2026" in str(error.value)
    _pay(world, notice, "80.00", D(2026, 11, 9))
    notice.refresh_from_db()
    assert notice.status == PenaltyNotice.Status.PAID_REDUCED and notice.paid_on == D(2026, 11, 9)


@pytest.mark.parametrize("reference, amount, paid_on, field, text", [
    ("PN-999999", "80.00", D(2026, 11, 1), "reference", "No penalty notice has the reference"),
    ("nonsense", "80.00", D(2026, 11, 1), "reference", "No penalty notice has the reference"),
    (None, "100.00", D(2026, 11, 1), "amount", "£100.00 is more than the £80.00 due"),
    (None, "40.00", D(2026, 11, 1), "amount", "£40.00 is less than the £80.00 due"),
    (None, "80.001", D(2026, 11, 1), "amount", "pounds and pence"),
    (None, "eighty", D(2026, 11, 1), "amount", "not an amount of money"),
    (None, "160.00", D(2026, 11, 18), "paid_on", "payment period"),
    (None, "80.00", D(2027, 1, 1), "paid_on", "cannot be in the future"),
])
def test_bad_payments_are_refused_at_the_field(world, legal_world, reference, amount, paid_on, field, text):
    with pytest.raises(ValidationError) as error:
        services.payment_record(user=world.users["legal_officer"], reference=reference or legal_world.notice.reference,
                                amount=amount, paid_on=paid_on, method="card")
    assert text in " ".join(error.value.message_dict[field])
    assert not Payment.objects.exists()
    assert PenaltyNotice.objects.get(pk=legal_world.notice.pk).status == "issued"


def test_paid_notice_can_never_be_prosecuted(world, legal_world):
    _pay(world, legal_world.notice, "80.00", D(2026, 11, 5))
    with pytest.raises(ValidationError, match="a paid notice can never be prosecuted"):
        services.prosecution_create(user=world.users["legal_officer"], pathway=legal_world.pathway,
                                    carer=legal_world.parent, offence="s444_1", period_start=D(2026, 10, 5),
                                    period_end=D(2026, 10, 16), penalty_notice=legal_world.notice)
    with pytest.raises(ValidationError, match="cannot be prosecuted for the period"):
        services.prosecution_create(user=world.users["legal_officer"], pathway=legal_world.pathway,
                                    carer=legal_world.parent, offence="s444_1", period_start=D(2026, 10, 1),
                                    period_end=D(2026, 10, 9))
    assert Prosecution.objects.count() == 1


def test_payment_after_referral_halts_the_prosecution_and_alerts(world, legal_world):
    legal = world.users["legal_officer"]
    # A notice served by post on 23 October; the parent paid on day 27, keyed in only after the referral.
    notice = services.notice_issue(user=world.users["la_officer"], pupil=world.pupil_b, carer=legal_world.parent,
                                   notice_type="non_attendance", period_start=D(2026, 9, 7), period_end=D(2026, 9, 18),
                                   issued_on=D(2026, 9, 21), served_on=D(2026, 9, 21), service_method="post",
                                   pathway=legal_world.pathway)
    services.notices_mark_unpaid()
    notice.refresh_from_db()
    assert notice.status == PenaltyNotice.Status.UNPAID
    prosecution = services.prosecution_create(user=legal, pathway=legal_world.pathway, carer=legal_world.parent,
                                              offence="s444_1", period_start=D(2026, 9, 7),
                                              period_end=D(2026, 9, 18), penalty_notice=notice)
    notice.refresh_from_db()
    assert notice.status == PenaltyNotice.Status.REFERRED
    _pay(world, notice, "160.00", notice.full_due_on)
    prosecution.refresh_from_db()
    assert prosecution.status == Prosecution.Status.HALTED and notice.reference in prosecution.halted_reason
    alerts = LegalAlert.objects.filter(prosecution=prosecution)
    assert {a.user for a in alerts} >= {legal, world.users["la_officer"]}
    assert ChronologyEntry.objects.filter(case=legal_world.pathway.case, summary__contains="halted").exists()


def test_prosecution_needs_eso_consideration_and_is_in_time(world, cases_world, legal_world):
    pathway = services.pathway_open(user=world.users["la_manager"], case=cases_world.case_a, override_reason="x")
    parent = legal_world.parent
    with pytest.raises(ValidationError, match="s447"):
        services.prosecution_create(user=world.users["legal_officer"], pathway=pathway, carer=parent,
                                    offence="s444_1", period_start=D(2026, 9, 7), period_end=D(2026, 10, 2))
    with pytest.raises(ValidationError, match="six-month limit"):
        services.prosecution_create(user=world.users["legal_officer"], pathway=legal_world.pathway, carer=parent,
                                    offence="s444_1a", period_start=D(2026, 1, 5), period_end=D(2026, 5, 1))


def test_hearing_not_before_information_laid(world, legal_world):
    legal, prosecution = world.users["legal_officer"], legal_world.prosecution
    with pytest.raises(ValidationError, match="Lay the information"):
        services.hearing_add(user=legal, prosecution=prosecution, hearing_on=D(2026, 11, 20), court="Lewes",
                             kind="first")
    with pytest.raises(ValidationError, match="witness statement"):
        services.prosecution_lay(user=legal, prosecution=prosecution, laid_on=D(2026, 11, 12), court="Lewes MC",
                                 expected_version=prosecution.version)
    prosecution = services.prosecution_prepare(user=legal, prosecution=prosecution,
                                               expected_version=prosecution.version, witness_statement="I am...",
                                               interview_on=D(2026, 11, 9), interview_notes="Under caution.")
    services.prosecution_lay(user=legal, prosecution=prosecution, laid_on=D(2026, 11, 12), court="Lewes MC",
                             expected_version=prosecution.version)
    with pytest.raises(ValidationError, match="cannot be before the information was laid on 12 November 2026"):
        services.hearing_add(user=legal, prosecution=prosecution, hearing_on=D(2026, 11, 11), court="", kind="first")
    services.hearing_add(user=legal, prosecution=prosecution, hearing_on=D(2026, 11, 20), court="", kind="first",
                         plea="guilty")
    prosecution.refresh_from_db()
    with pytest.raises(ValidationError, match="£1,000.00"):
        services.prosecution_outcome(user=legal, prosecution=prosecution, outcome="fine", outcome_on=D(2026, 11, 20),
                                     fine_amount="1200", expected_version=prosecution.version)
    services.prosecution_outcome(user=legal, prosecution=prosecution, outcome="fine", outcome_on=D(2026, 11, 20),
                                 fine_amount="220.00", costs_amount="150", expected_version=prosecution.version)
    prosecution.refresh_from_db()
    assert prosecution.status == "concluded" and prosecution.fine_amount == Decimal("220.00")


def test_template_with_unknown_placeholder_is_refused_naming_it(world):
    with pytest.raises(ValidationError) as error:
        services.template_save(user=world.users["legal_officer"], kind="warning_letter", name="New",
                               subject="Hello {{ parent_name }}", body="Dear {{ parnet_name }}, {{ child_name }}")
    assert "{{ parnet_name }}" in error.value.message_dict["body"][0]
    with pytest.raises(ValidationError, match="not closed"):
        services.template_save(user=world.users["legal_officer"], kind="warning_letter", name="New",
                               subject="Hi", body="Dear {{ parent_name }")
    assert not LetterTemplate.objects.filter(name="New").exists()


def test_letter_refused_when_a_placeholder_has_no_value(world, legal_world):
    template = LetterTemplate.objects.get(kind="prosecution_cover")
    with pytest.raises(ValidationError, match="court_name"):
        services.letter_send(user=world.users["legal_officer"], template=template, pupil=world.pupil_b,
                             carer=legal_world.second_parent, case=legal_world.pathway.case,
                             prosecution=legal_world.prosecution)
    letter = services.letter_send(user=world.users["la_officer"], template=LetterTemplate.objects.get(
        kind="penalty_notice"), pupil=world.pupil_b, carer=legal_world.parent, notice=legal_world.notice,
        case=legal_world.pathway.case)
    assert legal_world.notice.reference in letter.body and "£80.00 within 21 days" in letter.body
    letter.file.seek(0)
    assert_tagged_pdf(letter.file.read(), title=letter.subject, roles={"P"})


def test_sao_notice_needs_fifteen_days_and_order_names_a_school(world, legal_world):
    officer = world.users["la_officer"]
    with pytest.raises(ValidationError, match="at least 15 days"):
        services.sao_notice(user=officer, pathway=legal_world.pathway, carer=legal_world.parent,
                            notice_served_on=D(2026, 10, 1), notice_period_days=14)
    sao = services.sao_notice(user=officer, pathway=legal_world.pathway, carer=legal_world.parent,
                              notice_served_on=D(2026, 10, 1), notice_period_days=15)
    assert sao.response_due_on == D(2026, 10, 16)
    with pytest.raises(ValidationError, match="after the notice period"):
        services.sao_update(user=officer, sao=sao, step="order", on=D(2026, 10, 16), named_school=world.school_b,
                            expected_version=sao.version)
    with pytest.raises(ValidationError, match="names the school"):
        services.sao_update(user=officer, sao=sao, step="order", on=D(2026, 10, 19), expected_version=sao.version)
    sao = services.sao_update(user=officer, sao=sao, step="order", on=D(2026, 10, 19), named_school=world.school_b,
                              expected_version=sao.version)
    sao = services.sao_update(user=officer, sao=sao, step="complied", on=D(2026, 11, 2), expected_version=sao.version)
    assert sao.stage == "complied"


def test_eso_extension_window_and_length(world, legal_world):
    officer = world.users["la_officer"]
    eso = services.eso_apply(user=officer, pathway=legal_world.pathway, applied_on=D(2025, 11, 1), court="Brighton")
    eso = services.eso_decision(user=officer, eso=eso, made=True, decided_on=D(2025, 12, 1),
                                expected_version=eso.version)
    assert eso.expires_on == D(2026, 11, 30)
    with pytest.raises(ValidationError, match="last 3 months"):
        services.eso_extend(user=officer, eso=eso, applied_on=D(2026, 8, 1), granted_on=D(2026, 9, 1),
                            new_expiry=D(2027, 11, 30))
    with pytest.raises(ValidationError, match="up to 3 years"):
        services.eso_extend(user=officer, eso=eso, applied_on=D(2026, 10, 1), granted_on=D(2026, 11, 1),
                            new_expiry=D(2029, 12, 1))
    services.eso_extend(user=officer, eso=eso, applied_on=D(2026, 10, 1), granted_on=D(2026, 11, 1),
                        new_expiry=D(2027, 11, 30))


def test_school_request_decided_within_ten_working_days(world, legal_world):
    request = legal_world.request
    assert request.decision_due == D(2026, 12, 7)  # submitted Monday 23 November
    with pytest.raises(ValidationError, match="school will read this"):
        services.request_decide(user=world.users["legal_officer"], request=request, approve=False, reason="",
                                expected_version=request.version)
    decided = services.request_decide(user=world.users["legal_officer"], request=request, approve=True,
                                      reason="Leave was refused in advance.", la_notes="Check the father's address",
                                      served_on=D(2026, 11, 23), service_method="post",
                                      expected_version=request.version)
    notice = decided.notices.get()
    assert notice.carer == legal_world.second_parent and notice.received_on == D(2026, 11, 25)


def test_contracts_need_both_sides(world, legal_world):
    with pytest.raises(ValidationError, match="both sides"):
        services.contract_create(user=world.users["la_officer"], kind="parenting", pupil=world.pupil_b,
                                 carer=legal_world.parent, agreed_on=D(2026, 11, 1),
                                 parent_requirements="Attend.", support_offered="")
    other_family = CarerFactory()
    with pytest.raises(ValidationError, match="not in"):
        services.contract_create(user=world.users["la_officer"], kind="parenting", pupil=world.pupil_b,
                                 carer=other_family, agreed_on=D(2026, 11, 1), parent_requirements="Attend.",
                                 support_offered="Mentor.")


def test_the_pack_always_carries_the_s9_declaration_and_every_letter_the_checklist_shows(world, legal_world, client):
    """A witness statement is admissible without the witness only with the Criminal Justice Act 1967 s9 declaration
    and the witness's name and role; the officer's saved text (here, without the declaration) cannot drop them. The
    pack's "letters sent" holds the letter the support checklist cites from the chronology."""
    import io

    from django.urls import reverse
    from pypdf import PdfReader

    from legal.rules import S9_DECLARATION

    prosecution = legal_world.prosecution
    prosecution = services.prosecution_prepare(
        user=world.users["legal_officer"], prosecution=prosecution, expected_version=prosecution.version,
        interview_on=D(2026, 11, 2), interview_notes="Interviewed at the civic centre.",
        witness_statement="I am the attendance officer for the school.\n\nThe register shows the sessions missed.")
    client.force_login(world.users["legal_officer"])
    response = client.get(reverse("legal:prosecution_pack", args=[prosecution.pk]))
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert " ".join(S9_DECLARATION.format(pages="the pages of this statement").split()) in text
    witness = prosecution.officer or world.users["legal_officer"]
    assert f"Statement of {witness.get_full_name() or witness.username}" in text and "Over 18" in text
    assert "I am the attendance officer for the school." in text and "Signed" in text
    evidence = {row["item"]: row["evidence"] for row in legal_world.pathway.evidence}
    assert any("Formal warning letter sent" in line for line in evidence["Warning letter"])
    assert "Formal warning letter sent" in text and "Recorded in the chronology" in text


def test_a_letter_carries_the_letterhead_its_reference_and_who_to_contact(world, legal_world):
    import io

    from pypdf import PdfReader

    from schools.models import LocalAuthority

    LocalAuthority.objects.update(address="County Hall\nLewes\nBN7 1UE", phone="01632 960000",
                                  email="attendance@example.com")
    officer = world.users["la_officer"]
    officer.first_name, officer.last_name, officer.job_title = "Alex", "Officer", "Education welfare officer"
    officer.phone, officer.email = "01632 960123", "alex.officer@example.com"
    officer.save()
    letter = services.letter_send(user=officer, template=LetterTemplate.objects.get(kind="penalty_notice"),
                                  pupil=world.pupil_b, carer=legal_world.parent, notice=legal_world.notice,
                                  case=legal_world.pathway.case)
    letter.file.seek(0)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.file.read())).pages).split())
    assert letter.reference == f"LT-{letter.pk:06d}"
    for expected in ["Test County Council", "County Hall", "Telephone 01632 960000", "attendance@example.com",
                     f"Our reference: {letter.reference}", "Contact me", "Alex Officer, Education welfare officer",
                     "Telephone 01632 960123", "Email alex.officer@example.com", f"Please quote {letter.reference}"]:
        assert expected in text, expected


def test_deemed_receipt_skips_a_bank_holiday_and_an_early_payment_is_in_time(world, legal_world):
    """Posted on Friday 22 May 2026; Monday 25 May is the spring bank holiday, so the second working day after
    posting is Wednesday 27 May (deemed receipt). £80 paid on Tuesday 26 May, before it: in time, reduced rate."""
    notice = _notice(world, legal_world, start=D(2026, 5, 11), end=D(2026, 5, 15), issued=D(2026, 5, 20))
    notice = services.notice_serve(user=world.users["la_officer"], notice=notice, served_on=D(2026, 5, 22),
                                   service_method="post", expected_version=notice.version)
    assert notice.received_on == D(2026, 5, 27)
    _pay(world, notice, "80.00", D(2026, 5, 26))
    notice.refresh_from_db()
    assert notice.status == PenaltyNotice.Status.PAID_REDUCED
