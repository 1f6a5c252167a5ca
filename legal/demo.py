"""Demo legal work for the demo authority (schools.demo.load_demo calls :func:`load` after the casework): pathways
on the legal-stage cases (one by manager override), notices in every status (issued, paid at each rate, unpaid,
referred, withdrawn, a second notice, imported history), school requests awaiting a decision, approved and declined,
contracts, an ESO, an SAO and a prosecution with hearings and an outcome. Written through the services so the audit
trail and chronology are what real use leaves. A few dozen records: it adds well under a second to the load."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.models import Case
from cases.services import entry_add
from legal import services
from legal.models import Contract, PenaltyNotice
from schools.models import Carer, User
from schools.school_age import outside_school_age

D = datetime.timedelta


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def load(*, seed: int, stdout=None) -> None:
    from schools.demo import REFERENCE_DATE

    today = min(REFERENCE_DATE, timezone.localdate())
    users = {u.username: u for u in User.objects.filter(username__in=["manager", "officer", "legal", "school",
                                                                      "school2"])}
    if not {"manager", "legal"} <= set(users):
        return
    manager, legal = users["manager"], users["legal"]
    # Legal-stage cases first, then targeted support (a small demo has few at stage 4).
    # Legal steps are for children of compulsory school age throughout the demo's legal dates; a small demo may
    # need an early-intervention case to make four.
    cases = [c for c in Case.objects.filter(stage__in=["4_legal", "3_targeted_support", "2_early_intervention"],
                                            status="open", pupil__family__isnull=False)
             .select_related("pupil", "school", "officer").order_by("-stage", "pk")[:200]
             if _of_school_age(c.pupil, today)][:4]
    carers = {}
    for carer in Carer.objects.filter(family_id__in={c.pupil.family_id for c in cases}).order_by("pk"):
        carers.setdefault(carer.family_id, []).append(carer)
    made = {"pathways": 0, "notices": 0}
    for number, case in enumerate(cases):
        parents = carers.get(case.pupil.family_id, [])
        if not parents:
            continue
        officer = case.officer or manager
        parent = parents[0]
        for kind, summary, meeting in [("meeting", "TAF meeting with the family", "taf"),
                                       ("home_visit", "Home visit: nobody answered; card left", ""),
                                       ("letter", "Formal warning letter sent to both parents", "")]:
            entry_add(user=officer, case=case, entry_type=kind, meeting_type=meeting, summary=summary,
                      occurred_on=max(case.opened_on, today - D(days=70)))
        if number != 3:
            services.contract_create(user=officer, kind=Contract.Kind.ATTENDANCE, pupil=case.pupil, carer=parent,
                                     case=case, agreed_on=max(case.opened_on, today - D(days=60)),
                                     parent_requirements="Ensure attendance every day; call the school by 9am on "
                                                         "any day of absence.",
                                     support_offered="Weekly check-in with the attendance officer; breakfast club.")
            pathway = services.pathway_open(user=officer, case=case, opened_on=today - D(days=50))
        else:
            pathway = services.pathway_open(user=manager, case=case, opened_on=today - D(days=50),
                                            override_reason="The family refused every offer of support and would "
                                                            "not meet; legal action agreed at the legal planning "
                                                            "meeting.")
        made["pathways"] += 1
        issued = today - D(days=45)

        def notice(carer, start, end, on, served=True, pathway=pathway, case=case, officer=officer,
                   kind="non_attendance"):
            made["notices"] += 1
            return services.notice_issue(user=officer, pupil=case.pupil, carer=carer, notice_type=kind,
                                         period_start=start, period_end=end, issued_on=on,
                                         served_on=on if served else None, service_method="hand" if served else "",
                                         pathway=pathway)

        first = notice(parent, issued - D(days=25), issued - D(days=14), issued)
        if number == 0:  # paid at the reduced rate, then a second notice (flat £160) still running
            services.payment_record(user=legal, reference=first.reference, amount=first.reduced_amount,
                                    paid_on=first.reduced_due_on, method="card")
            notice(parent, today - D(days=20), today - D(days=10), today - D(days=6))
            services.nti_issue(user=officer, pathway=pathway, carer=parent, issued_on=today - D(days=5),
                               expectations="Attend every session for six school weeks.")
        elif number == 1:  # paid in full; the other parent's notice unpaid and referred, then prosecuted
            services.payment_record(user=legal, reference=first.reference, amount=first.full_amount,
                                    paid_on=first.full_due_on, method="bank")
            other = parents[1] if len(parents) > 1 else parent
            if other != parent:
                unpaid = notice(other, issued - D(days=25), issued - D(days=14), issued)
            else:  # a one-parent family: a second notice (the flat £160) for later absence, left unpaid
                unpaid = notice(parent, issued - D(days=10), issued - D(days=3), issued + D(days=3))
            services.notices_mark_unpaid(today=today)
            services.eso_consider(user=legal, pathway=pathway, considered_on=today - D(days=12), decision="not_apply",
                                  reasons="Support has been refused throughout; supervision would not change that.")
            unpaid.refresh_from_db()
            if not unpaid.is_paid:
                prosecution = services.prosecution_create(user=legal, pathway=pathway, carer=other, offence="s444_1",
                                                          period_start=unpaid.period_start,
                                                          period_end=unpaid.period_end, penalty_notice=unpaid)
                prosecution = services.prosecution_prepare(
                    user=legal, prosecution=prosecution, expected_version=prosecution.version,
                    interview_on=today - D(days=10), interview_notes="Interviewed under caution at the civic centre.",
                    witness_statement="I am employed by the local authority as a legal officer.\n\nThe register "
                                      "exhibited shows the sessions missed.")
                prosecution = services.prosecution_lay(user=legal, prosecution=prosecution, laid_on=today - D(days=8),
                                                       court="Brighton Magistrates' Court",
                                                       expected_version=prosecution.version)
                services.hearing_add(user=legal, prosecution=prosecution, hearing_on=today - D(days=3), court="",
                                     kind="first", result="Adjourned for trial.")
                services.hearing_add(user=legal, prosecution=prosecution, hearing_on=today - D(days=1), court="",
                                     kind="trial", plea="guilty", result="Guilty plea entered.")
                prosecution.refresh_from_db()
                services.prosecution_outcome(user=legal, prosecution=prosecution, outcome="fine",
                                             outcome_on=today - D(days=1), fine_amount="220.00",
                                             costs_amount="120.00", expected_version=prosecution.version)
        elif number == 2:  # withdrawn; a later notice not yet served; an ESO in force and an SAO
            services.notice_withdraw(user=legal, notice=first, ground="wrong_recipient",
                                     notes="Sent to the old address.", withdrawn_on=issued + D(days=3))
            notice(parent, today - D(days=18), today - D(days=9), today - D(days=2), served=False)
            services.eso_consider(user=officer, pathway=pathway, considered_on=today - D(days=40), decision="apply",
                                  reasons="Parents want help but cannot get the child to school.")
            eso = services.eso_apply(user=officer, pathway=pathway, applied_on=today - D(days=38),
                                     court="Brighton Family Court")
            services.eso_decision(user=officer, eso=eso, made=True, decided_on=today - D(days=20),
                                  expected_version=eso.version, directions="Attend the weekly review meetings.")
            services.sao_notice(user=officer, pathway=pathway, carer=parent, notice_served_on=today - D(days=9),
                                notice_period_days=15)
        else:  # unpaid and referred
            services.notices_mark_unpaid(today=today)
            first.refresh_from_db()
            services.notice_refer(user=legal, notice=first, expected_version=first.version)
    # Imported history from the 2013-2024 regime.
    if cases and carers.get(cases[0].pupil.family_id):
        case = cases[0]
        services.notice_issue(user=legal, pupil=case.pupil, carer=carers[case.pupil.family_id][0],
                              notice_type="term_time_leave", period_start=datetime.date(2023, 6, 5),
                              period_end=datetime.date(2023, 6, 9), issued_on=datetime.date(2023, 6, 20),
                              served_on=datetime.date(2023, 6, 20), service_method="post", imported=True)
        made["notices"] += 1
    _requests(users, today)
    _say(stdout, f"{made['pathways']} legal pathways, {PenaltyNotice.objects.count()} penalty notices, "
                 f"{Contract.objects.count()} contracts")


def _of_school_age(pupil, today) -> bool:
    """Of compulsory school age on every date the demo's legal records use (up to a school year back)."""
    return outside_school_age(pupil.date_of_birth, today - D(days=LOOKBACK_DAYS), today) is None


#: How far back the demo dates its legal steps (notices, contracts and requests), at most.
LOOKBACK_DAYS = 200


def _requests(users, today) -> None:
    """From each school user: one request awaiting a decision, one approved (term-time leave), one declined."""
    from schools.models import Enrolment

    legal = users["legal"]
    for name in ("school", "school2"):
        user = users.get(name)
        if user is None:
            continue
        school = user.schools.first()
        used = set(PenaltyNotice.objects.values_list("pupil_id", flat=True))
        enrolments = [e for e in Enrolment.objects.filter(school=school, end_date__isnull=True,
                                                          pupil__family__isnull=False)
                      .select_related("pupil").order_by("pk")[:40]
                      if e.pupil_id not in used and _of_school_age(e.pupil, today)]
        made = 0
        for enrolment in enrolments:
            carers = list(Carer.objects.filter(family_id=enrolment.pupil.family_id, parental_responsibility=True))
            if not carers:
                continue
            request = services.request_submit(
                user=user, school=school, pupil=enrolment.pupil, carers=carers, notice_type="term_time_leave",
                absence_from=today - D(days=18), absence_to=today - D(days=14), sessions_missed=10,
                leave_refused_on=today - D(days=40),
                details="Holiday taken in term time after the head refused the leave request in writing.",
                letters_sent="Leave refusal letter; letter on return reminding parents of the LA's code.")
            if made == 1:
                services.request_decide(user=legal, request=request, approve=True, expected_version=request.version,
                                        reason="Leave refused in advance; the LA's code of conduct applies.",
                                        la_notes="Both parents at the same address: serve by hand.",
                                        # The decision (and so the notice's issue) is dated the real today,
                                        # which may be after the demo's reference date.
                                        served_on=timezone.localdate(), service_method="hand")
            elif made == 2:
                services.request_decide(user=legal, request=request, approve=False, expected_version=request.version,
                                        reason="The leave request was made after the holiday was booked but the "
                                               "school did not reply in writing: please send the refusal letter.")
            made += 1
            if made == 3:
                break
