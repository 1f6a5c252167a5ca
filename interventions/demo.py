"""Demo casework for the demo authority: cases and the intervention plans worked on them, made here (the app above
both) so that one random sequence decides them together. schools.demo.load_demo runs :func:`load` inside its
transaction, as the "casework" demo step this app provides (interventions.apps).

Referrals (awaiting triage, accepted, declined), open cases at every stage with chronologies (some restricted),
intervention plans, reviews and tasks (some overdue), closed cases with outcomes (one reopened), linked sibling cases,
a targeting support meeting for every school this autumn term, two teams of officers with their manager, a part-time
officer's own caseload limit, and this morning's review and task reminders. Everything is written through the
services, so the audit trail, stage history and timeline events are what real use would leave (teams and limits,
which admins edit in the admin site, are created directly). Deterministic: one ``random.Random(seed)``; the same seed
and pupil count give the same casework.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Count, Q
from django.utils import timezone

from cases import services
from cases.models import Case, CaseworkPolicy, ChronologyEntry, OfficerCaseloadLimit, Team, TeamMember, TsmPupil
from interventions import services as plan_services
from interventions.models import Intervention
from schools.models import AcademicYear, Enrolment, Pupil, School, User
from schools.stages import Stage

OFFICER_USERNAMES = ["officer", "officer2", "officer3", "officer4", "officer5", "officer6"]
# How many open cases each officer holds relative to the others: officer3 is deliberately over the limit at full
# size so the caseload warning shows.
OFFICER_WEIGHTS = [16, 17, 30, 15, 16, 6]

CONCERNS = [
    "Attendance has fallen steadily since the start of term, mostly Mondays and Fridays.",
    "Long periods of unexplained absence; parents not answering calls or letters.",
    "Persistent lateness, often after registration closes, and missed mornings.",
    "Anxiety about school reported by parent; attendance below 80% this half term.",
    "Behaviour in lessons leading to internal exclusions; attendance now dropping too.",
    "Sibling group with poor attendance across two schools; younger child often kept at home.",
    "Returned from a managed move; needs support to settle and attend.",
]
ENTRY_TEMPLATES = [
    ("call", "", "Phone call with parent about attendance", "Parent says mornings are hard; agreed to call if "
                                                              "absent.", "Parent; LA officer"),
    ("letter", "", "Attendance concern letter sent", "Standard letter with attendance record enclosed.", ""),
    ("home_visit", "", "Home visit", "Met parent and pupil at home; discussed barriers to attendance.",
     "Parent; pupil; LA officer"),
    ("school_visit", "", "School visit: met attendance lead", "Reviewed registers and the school's actions.",
     "Attendance lead; LA officer"),
    ("meeting", "taf", "Team around the family meeting", "Early Help plan reviewed with the family.",
     "Parent; Early Help coordinator; school; LA officer"),
    ("meeting", "attendance_panel", "Attendance panel at school", "Targets set for the next six weeks.",
     "Parent; head of year; LA officer"),
    ("note", "", "Note: spoke to school nurse", "Nurse to see pupil about recurring headaches.", ""),
    ("meeting", "legal_planning", "Legal planning meeting", "Evidence reviewed; options discussed.",
     "LA officer; legal officer"),
]
RESTRICTED_TEMPLATES = [
    ("note", "safeguarding", "Safeguarding: information shared by social care",
     "Strategy discussion held; details held by children's social care."),
    ("call", "medical", "Medical: call with CAMHS practitioner", "Pupil on the CAMHS waiting list; advice on a "
                                                                  "gradual return."),
]
INTERVENTIONS_BY_STAGE = {
    Stage.PREVENTION: ["Meeting with parents or carers in school", "First-day absence contact"],
    Stage.EARLY_INTERVENTION: ["Early Help assessment and plan", "Home visit", "Monitoring letter from the LA",
                               "Mentoring or counselling"],
    Stage.TARGETED_SUPPORT: ["Attendance intervention", "Parenting contract", "Specialist attendance assessment",
                             "Parenting programmes"],
    Stage.LEGAL: ["Penalty notice (non-attendance)", "Education supervision order"],
}


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


class CaseworkLoader:
    def __init__(self, seed: int, stdout):
        self.rng = random.Random(seed)
        self.stdout = stdout
        from schools.demo import REFERENCE_DATE

        self.today = min(REFERENCE_DATE, timezone.localdate())
        users = {u.username: u for u in User.objects.filter(
            username__in=[*OFFICER_USERNAMES, "manager", "school", "school2"])}
        self.officers = [users[name] for name in OFFICER_USERNAMES if name in users]
        self.manager = users["manager"]
        self.school_users = [users[name] for name in ("school", "school2") if name in users]
        self.interventions = {i.name: i for i in Intervention.objects.active()}
        self.used: set[int] = set()
        self.cases: list[Case] = []

    def days_ago(self, low: int, high: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(low, high))

    # -- choosing pupils ------------------------------------------------------------------------------------------

    def pupils_at(self, school_ids=None, *, limit: int):
        """Pupils on a current roll, in a stable order, as (pupil, school) pairs."""
        enrolments = Enrolment.objects.filter(end_date__isnull=True, start_date__lte=self.today).select_related(
            "pupil", "school").order_by("pk")
        if school_ids is not None:
            enrolments = enrolments.filter(school_id__in=school_ids)
        pool = [(e.pupil, e.school) for e in enrolments[:4000] if e.pupil_id not in self.used]
        self.rng.shuffle(pool)
        return pool[:limit]

    def siblings_pool(self, limit: int):
        """Pupils with a sibling on a current roll (whole-family cases)."""
        families = (Pupil.objects.filter(family__isnull=False).values("family").annotate(n=Count("pk"))
                    .filter(n__gte=2).order_by("family")[:400])
        family_ids = [f["family"] for f in families]
        self.rng.shuffle(family_ids)
        by_family: dict[int, list[Enrolment]] = {}
        for enrolment in (Enrolment.objects.filter(pupil__family_id__in=family_ids, end_date__isnull=True)
                          .select_related("pupil", "school").order_by("pupil_id", "pk")):
            by_family.setdefault(enrolment.pupil.family_id, []).append(enrolment)
        pairs = []
        for family_id in family_ids:
            children = by_family.get(family_id, [])
            if len(children) >= 2 and not {e.pupil_id for e in children} & self.used:
                pairs.append([(e.pupil, e.school) for e in children[:2]])
            if len(pairs) >= limit:
                break
        return pairs

    # -- building a case --------------------------------------------------------------------------------------------

    def entries(self, case: Case, officer, *, count: int) -> None:
        for _ in range(count):
            if self.rng.random() < 0.15:
                kind, restriction, summary, details = self.rng.choice(RESTRICTED_TEMPLATES)
                meeting, participants = "", ""
            else:
                kind, meeting, summary, details, participants = self.rng.choice(ENTRY_TEMPLATES)
                restriction = ""
            span = max(0, (self.today - case.opened_on).days)
            on = case.opened_on + datetime.timedelta(days=self.rng.randint(0, span))
            services.entry_add(user=officer, case=case, entry_type=kind, meeting_type=meeting, occurred_on=on,
                               summary=summary, details=details, participants=participants, restriction=restriction,
                               outcome=self.rng.choice(["", "Follow-up call booked.", "Letter to follow."]))

    def plan(self, case: Case, officer, stage: str, start: datetime.date, *, end_it: bool = False):
        names = [n for n in INTERVENTIONS_BY_STAGE[stage] if n in self.interventions]
        if not names:
            return None
        plan = plan_services.plan_add(
            user=officer, case=case, intervention=self.interventions[self.rng.choice(names)], start_date=start,
            owner=officer, target_attendance=self.rng.choice([85, 90, 92, 95]),
            goals="Attend every morning; parent to ring the school by 9am on any day of absence.")
        if end_it:
            ended = min(self.today, start + datetime.timedelta(days=70))
            plan_services.plan_end(user=officer, plan=plan, expected_version=plan.version, status="completed",
                                   outcome=self.rng.choice(["achieved", "partly", "not_achieved"]), ended_on=ended,
                                   outcome_notes="Reviewed with the family at the end of the plan.")
        return plan

    def reviews(self, case: Case, officer, plan, *, keep_up_to_date: bool) -> None:
        interval = datetime.timedelta(weeks=case.review_interval_weeks)
        due = case.opened_on + interval
        while due <= self.today:
            if not keep_up_to_date and due + interval > self.today:
                break  # the latest review was missed: the case shows as overdue
            services.review_add(user=officer, case=case, plan=plan, held_on=due,
                                progress=self.rng.choice(["Some improvement in mornings.", "No change yet.",
                                                          "Attendance up since the last review."]),
                                decision=self.rng.choice(["continue", "continue", "change_plan"]),
                                attendance_percent=self.rng.choice([72, 78.5, 81, 84, 88.5, 91]))
            due += interval

    def open_case(self, pupil, school, officer, *, stage: str, opened_on: datetime.date, case_type="attendance",
                  linked=None, by=None, miss_review: bool | None = None) -> Case:
        case = services.case_open(user=by or self.manager, pupil=pupil, school=school, case_type=case_type,
                                  officer=officer, opened_on=opened_on, summary=self.rng.choice(CONCERNS),
                                  stage=Stage.EARLY_INTERVENTION if stage != Stage.PREVENTION else stage,
                                  lead_practitioner=Case.Lead.LA if stage in {Stage.TARGETED_SUPPORT, Stage.LEGAL}
                                  else Case.Lead.SCHOOL, linked_case=linked)
        self.used.add(pupil.pk)
        # One case in three missed its latest review, so overdue reviews show (deterministically, at any size).
        self.work(case, officer, stage, miss_review=len(self.cases) % 3 == 0 if miss_review is None else miss_review)
        self.cases.append(case)
        return case

    def work(self, case: Case, officer, stage: str, *, miss_review: bool) -> None:
        self.entries(case, officer, count=self.rng.randint(2, 5))
        start = case.opened_on + datetime.timedelta(days=self.rng.randint(3, 14))
        plan = self.plan(case, officer, min(stage, Stage.TARGETED_SUPPORT), min(start, self.today),
                         end_it=stage == Stage.LEGAL)
        if stage in {Stage.TARGETED_SUPPORT, Stage.LEGAL}:
            case = services.case_change_stage(
                user=officer, case=case, stage=Stage.TARGETED_SUPPORT, expected_version=case.version,
                changed_on=min(self.today, case.opened_on + datetime.timedelta(days=21)),
                reason="Attendance below 80% after stage 2 support; LA officer now leads.")
        if stage == Stage.LEGAL:
            services.case_change_stage(
                user=officer, case=case, stage=Stage.LEGAL, expected_version=case.version,
                changed_on=min(self.today, case.opened_on + datetime.timedelta(days=90)),
                reason="Support plan completed without improvement; parent not engaging. Legal planning agreed.")
        if case.status == Case.Status.OPEN:
            self.reviews(case, officer, plan if plan and plan.status == "active" else None,
                         keep_up_to_date=not miss_review)
        for _ in range(self.rng.randint(0, 2)):
            services.task_add(user=officer, case=case, assigned_to=officer,
                              title=self.rng.choice(["Chase school for latest register", "Home visit",
                                                     "Send monitoring letter", "Book TAF meeting"]),
                              due_date=self.today + datetime.timedelta(days=self.rng.randint(-12, 21)))

    def next_officer(self, weights):
        """Every officer gets a case first, then the weights decide (so a small demo still shows each caseload)."""
        self.handed_out = getattr(self, "handed_out", 0) + 1
        if self.handed_out <= len(self.officers):
            return self.officers[self.handed_out - 1]
        return self.rng.choices(self.officers, weights)[0]

    # -- the whole load ---------------------------------------------------------------------------------------------

    def run(self, pupils_total: int) -> None:
        if not self.officers:
            return
        CaseworkPolicy.objects.get_or_create(pk=1)
        n_open = min(95, max(10, pupils_total // 150))
        weights = OFFICER_WEIGHTS[:len(self.officers)]
        stages = [Stage.PREVENTION, Stage.EARLY_INTERVENTION, Stage.EARLY_INTERVENTION, Stage.TARGETED_SUPPORT,
                  Stage.TARGETED_SUPPORT, Stage.LEGAL]

        # Whole-family cases: siblings with linked cases.
        for pair in self.siblings_pool(max(1, n_open // 15)):
            officer = self.next_officer(weights)
            first = self.open_case(*pair[0], officer, stage=Stage.TARGETED_SUPPORT, opened_on=self.days_ago(60, 120),
                                   miss_review=True)
            self.open_case(*pair[1], officer, stage=Stage.EARLY_INTERVENTION, opened_on=self.days_ago(30, 59),
                           linked=first)

        # Cases at the school users' schools, so their logins have something to see.
        school_ids = [s for u in self.school_users for s in u.schools.values_list("pk", flat=True)]
        for pupil, school in self.pupils_at(school_ids, limit=4):
            officer = self.next_officer(weights)
            self.open_case(pupil, school, officer, stage=stages[len(self.cases) % len(stages)],
                           opened_on=self.days_ago(20, 150))

        for pupil, school in self.pupils_at(limit=max(0, n_open - len(self.cases))):
            officer = self.next_officer(weights)
            self.open_case(pupil, school, officer, stage=stages[len(self.cases) % len(stages)],
                           opened_on=self.days_ago(10, 170),
                           case_type=self.rng.choice(["attendance"] * 6 + ["behaviour", "attendance_behaviour"]))

        # Closed cases with outcomes.
        for pupil, school in self.pupils_at(limit=max(2, n_open // 5)):
            officer = self.rng.choice(self.officers)
            case = services.case_open(user=self.manager, pupil=pupil, school=school, case_type="attendance",
                                      officer=officer, opened_on=self.days_ago(200, 330),
                                      summary=self.rng.choice(CONCERNS))
            self.used.add(pupil.pk)
            self.entries(case, officer, count=2)
            plan = self.plan(case, officer, Stage.EARLY_INTERVENTION, case.opened_on + datetime.timedelta(days=7),
                             end_it=True)
            if plan is not None:
                services.review_add(user=officer, case=case, plan=plan, progress="Target met; plan completed.",
                                    decision="close", held_on=plan.ended_on, attendance_percent=93)
            services.case_close(user=officer, case=case, expected_version=case.version,
                                outcome=self.rng.choice(["improved", "improved", "moved_school", "other"]),
                                closed_on=min(self.today, case.opened_on + datetime.timedelta(days=120)),
                                outcome_notes="Attendance sustained above 90% for six weeks.")

        self.referrals()
        self.awaiting_allocation()
        self.tsms()
        self.teams()
        self.reopen_one()
        services.casework_reminders_refresh(today=self.today)
        _say(self.stdout, f"{Case.objects.count()} cases ({Case.objects.open().count()} open), "
                          f"{ChronologyEntry.objects.count()} chronology entries, "
                          f"{TsmPupil.objects.count()} pupils discussed at TSMs")

    def referrals(self) -> None:
        """From each school user: one awaiting triage, one accepted (and allocated), one declined."""
        for user in self.school_users:
            school = user.schools.first()
            pool = self.pupils_at([school.pk], limit=3)
            for index, (pupil, _) in enumerate(pool):
                referral = services.referral_create(
                    user=user, pupil=pupil, school=school, case_type="attendance",
                    reasons=["irregular", "no_response"] if index != 1 else ["lateness"],
                    concerns=self.rng.choice(CONCERNS),
                    tried_class_teacher="Daily check-in with the form tutor for three weeks.",
                    tried_parent_contact="Two letters and a meeting with mother in school.",
                    tried_head_of_year="Attendance report card; head of year called home." if index else "")
                self.used.add(pupil.pk)
                if index == 1:
                    case = services.referral_accept(user=self.manager, referral=referral,
                                                    expected_version=referral.version,
                                                    officer=self.rng.choice(self.officers))
                    self.entries(case, case.officer, count=2)
                elif index == 2:
                    services.referral_decline(
                        user=self.manager, referral=referral, expected_version=referral.version,
                        reason="Attendance is 94% this term: please continue the stage 1 actions (first-day calls, "
                               "a meeting with parents) and discuss the pupil at the next TSM.")

    def teams(self) -> None:
        """Two teams of officers under the service manager (officers cover each other's cases within a team), and
        a part-time officer's own caseload limit, so the over-limit warning shows against it."""
        half = (len(self.officers) + 1) // 2
        for name, area, members in [("North and west", "Attendance casework in the northern and western "
                                                          "partnerships", self.officers[:half]),
                                    ("South and east", "Attendance casework and children missing education in the "
                                                       "southern and eastern partnerships", self.officers[half:])]:
            if members:
                team = Team.objects.create(name=name, manager=self.manager, area=area)
                TeamMember.objects.bulk_create([TeamMember(team=team, officer=officer) for officer in members])
        part_time = next((o for o in self.officers if o.username == "officer5"), None)
        if part_time is not None:
            OfficerCaseloadLimit.objects.create(officer=part_time, caseload_limit=12, reason="Part time (0.6 FTE)")

    def reopen_one(self) -> None:
        """A closed case the manager reopened: the school reported a new decline after the summer."""
        case = (Case.objects.filter(status=Case.Status.CLOSED, outcome="improved").order_by("pk").first()
                or Case.objects.filter(status=Case.Status.CLOSED).order_by("pk").first())
        if case is not None:
            services.case_reopen(user=self.manager, case=case, expected_version=case.version,
                                 reason="Attendance fell again after the summer holiday; the school asked the LA to "
                                        "pick the case up again.")

    def awaiting_allocation(self) -> None:
        for pupil, school in self.pupils_at(limit=3):
            case = services.case_open(user=self.manager, pupil=pupil, school=school, case_type="cme",
                                      summary="Pupil has not attended for ten days and the family is not at the "
                                              "address: children missing education enquiry.",
                                      opened_on=self.days_ago(1, 6), stage=Stage.TARGETED_SUPPORT)
            self.used.add(pupil.pk)
            self.cases.append(case)

    def tsms(self) -> None:
        year = AcademicYear.objects.filter(start_date__lte=self.today, end_date__gte=self.today).first()
        if year is None:
            return
        open_by_school: dict[int, list[Case]] = {}
        for case in Case.objects.filter(status=Case.Status.OPEN, school__isnull=False).order_by("pk"):
            open_by_school.setdefault(case.school_id, []).append(case)
        schools = list(School.objects.filter(is_open=True).order_by("name"))
        for number, school in enumerate(schools):
            officer = self.officers[number % len(self.officers)]
            held_on = min(self.today, datetime.date(year.start_date.year, 10, 6) + datetime.timedelta(
                days=number % 30))
            tsm = services.tsm_create(
                user=officer, school=school, academic_year=year, term="autumn", held_on=held_on, officer=officer,
                attendees=f"Attendance lead, {school.name}; {officer.display_name} (LA); Early Help coordinator",
                notes="Reviewed the persistent absence list and the school's stage 1 and 2 actions.")
            for case in open_by_school.get(school.pk, [])[:3]:
                if case.opened_on <= held_on and Enrolment.objects.filter(
                        pupil_id=case.pupil_id, school=school, start_date__lte=held_on).filter(
                        Q(end_date__isnull=True) | Q(end_date__gte=held_on)).exists():
                    services.tsm_pupil_add(user=officer, tsm=tsm, pupil=case.pupil,
                                           notes="Progress against the plan discussed; school to keep daily "
                                                 "contact.")
            services.task_add(user=officer, tsm=tsm, assigned_to=officer, title="Send TSM notes to the school",
                              due_date=held_on + datetime.timedelta(days=7))


def load(*, seed: int, stdout=None) -> None:
    """Add the demo casework. Call inside schools.demo.load_demo's transaction, after the users exist."""
    pupils_total = Pupil.objects.count()
    CaseworkLoader(seed, stdout).run(pupils_total)
