"""Demo exclusions and provision (issue 5), loaded by schools.demo.load_demo after the pupils and users.

Suspensions and permanent exclusions across the schools this autumn and last year, with deadlines near, met and
missed as of the demo's "today" (23 November 2026); a pupil close to the 45-day limit; day-6 provision in place for
some exclusions and missing for others; part-time timetables with overdue reviews; AP providers (23 fte places at the
main one, as B&NES commissioned in seed 004); managed moves; Fair Access referrals in the 38+/69+/100+ bands; and a
children-missing-education register with enquiries. Everything goes through the services, so deadlines are worked out
exactly as for real records, and is drawn from ``random.Random(seed)`` over pupils in UPN order (deterministic).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.exceptions import ValidationError

from schools.exclusions import rules, services
from schools.models import Enrolment, Exclusion, Partnership, PartTimeTimetable, School, User

REFERENCE_DATE = datetime.date(2026, 11, 23)
AUTUMN_START = datetime.date(2026, 9, 2)
LAST_YEAR = (datetime.date(2026, 1, 5), datetime.date(2026, 7, 17))
D = datetime.date

DESCRIPTIONS = [
    "Pushed a member of staff who asked him to move on from the corridor.",
    "Threatened another pupil with a compass in science.",
    "Refused to hand over a vape and became abusive to the head of year.",
    "Repeated defiance and walking out of lessons after several warnings.",
    "Filmed another pupil in the toilets and shared it on social media.",
    "Fight on the field at lunchtime; the other pupil needed first aid.",
    "Brought a knife onto the school site.",
    "Racist abuse directed at a younger pupil on the bus.",
]


class _Loader:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.officer = User.objects.get(username="officer")
        self.school_lead = User.objects.get(username="school")
        self.lead_school = self.school_lead.schools.first()
        self.used: set[int] = set()
        self.counts: dict[str, int] = {}

    def pupils_on_roll(self, phase: str, on: datetime.date) -> list[tuple[object, School]]:
        rows = (Enrolment.objects.filter(school__phase=phase, school__is_open=True, start_date__lte=on,
                                         end_date__isnull=True)
                .select_related("pupil", "school").order_by("pupil__upn"))
        return [(e.pupil, e.school) for e in rows]

    def pick(self, phase: str, on: datetime.date, n: int) -> list[tuple[object, School]]:
        pool = [(p, s) for p, s in self.pupils_on_roll(phase, on) if p.pk not in self.used]
        chosen = self.rng.sample(pool, min(n, len(pool)))
        self.used.update(p.pk for p, _ in chosen)
        return chosen

    def user_for(self, school: School):
        return self.school_lead if school == self.lead_school else self.officer

    def school_day(self, first: datetime.date, last: datetime.date, school: School) -> datetime.date | None:
        from schools.school_days import is_school_day

        for _ in range(40):
            day = first + datetime.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))
            if is_school_day(day, school):
                return day
        return None

    def reasons(self) -> list[str]:
        current = [code for code, reason in rules.REASON_CODES.items() if reason.current]
        weights = [6 if c in ("DB", "VA", "PA", "PP") else 1 for c in current]
        first = self.rng.choices(current, weights=weights)[0]
        others = self.rng.sample([c for c in current if c != first], self.rng.choice([0, 0, 1, 2]))
        return [first, *others]

    def exclude(self, pupil, school, **fields) -> Exclusion | None:
        fields.setdefault("reasons", self.reasons())
        fields.setdefault("description", self.rng.choice(DESCRIPTIONS))
        start = fields["start_date"]
        if self.rng.random() < 0.85:
            fields.setdefault("la_notified_on", min(start + datetime.timedelta(days=self.rng.choice([0, 0, 1, 3])),
                                                    REFERENCE_DATE))
        try:
            exclusion = services.exclusion_record(user=self.user_for(school), pupil=pupil, school=school, **fields)
        except ValidationError:
            return None  # e.g. the draw overlapped: the demo simply has one fewer
        self.counts[exclusion.kind] = self.counts.get(exclusion.kind, 0) + 1
        return exclusion

    def provide(self, exclusion: Exclusion, provider, *, late_days: int = 0, hours: int = 25) -> None:
        start = exclusion.day6_date + datetime.timedelta(days=late_days)
        if start > REFERENCE_DATE:
            return
        la = exclusion.day6_duty == "la"
        services.placement_record(
            user=self.officer, pupil=exclusion.pupil, exclusion=exclusion, arranged_by="la" if la else "school",
            commissioning_school=None if la else exclusion.school,
            provider_kind="ap" if la else "other", ap_provider=provider if la else None,
            provider_name="" if la else "Partnership inclusion centre", hours_per_week=Decimal(hours),
            start_date=start)
        self.counts["placement"] = self.counts.get("placement", 0) + 1

    # ---------------------------------------------------------------------------------------------------------

    def providers(self):
        make = services.ap_provider_create
        self.aspire = make(user=self.officer, name="Aspire Academy (alternative provision)", urn="148902",
                           places_commissioned=Decimal(23), contact="Admissions, 01632 960 410")
        self.college = make(user=self.officer, name="College Central (PRU)", urn="135112",
                            places_commissioned=Decimal(30), contact="Referrals, 01632 960 522")
        self.skills = make(user=self.officer, name="Hastings Skills Workshop", registered=False,
                           places_commissioned=Decimal(4), contact="Workshop manager, 01632 960 733")

    def suspensions(self):
        # This autumn, mostly secondary, a few primary; then last school year's history.
        for phase, n, first, last in [("secondary", 40, AUTUMN_START, REFERENCE_DATE - datetime.timedelta(days=1)),
                                      ("primary", 8, AUTUMN_START, REFERENCE_DATE - datetime.timedelta(days=1)),
                                      ("secondary", 20, *LAST_YEAR)]:
            for pupil, school in self.pick(phase, last, n):
                day = self.school_day(first, last, school)
                if day is None:
                    continue
                sessions = self.rng.choice([1, 2, 2, 2, 4, 4, 6, 6, 10, 12, 14])
                exclusion = self.exclude(pupil, school, kind="suspension", start_date=day,
                                         start_session=self.rng.choice(["am", "am", "am", "pm"]),
                                         length_sessions=sessions,
                                         parental_representations=sessions > 10 and self.rng.random() < 0.5)
                if exclusion and exclusion.day6_duty and self.rng.random() < 0.6:
                    self.provide(exclusion, None, late_days=self.rng.choice([0, 0, 3]))
                if exclusion and self.rng.random() < 0.3:
                    # A repeat this term: some pupils build up towards a board review.
                    later = self.school_day(exclusion.end_date + datetime.timedelta(days=3), last, school)
                    if later:
                        self.exclude(pupil, school, kind="suspension", start_date=later,
                                     length_sessions=self.rng.choice([4, 6, 10]))

    def back_to_back(self):
        """Back-to-back suspensions that together pass five school days, so the school must arrange education from
        the 6th day of the run: one pupil at the school user's school with the provision missing (it shows on the
        day-6 dashboard), one elsewhere with the provision in place."""
        lead_pool = [(p, s) for p, s in self.pupils_on_roll(self.lead_school.phase, REFERENCE_DATE)
                     if s == self.lead_school and p.pk not in self.used]
        picked = lead_pool[:1] + self.pick("secondary", REFERENCE_DATE, 1)
        self.used.update(p.pk for p, _ in picked)
        for index, (pupil, school) in enumerate(picked):
            start = self.school_day(D(2026, 11, 2), D(2026, 11, 4), school)
            if start is None:
                continue
            first = self.exclude(pupil, school, kind="suspension", start_date=start, length_sessions=6,
                                 reasons=["DB"])
            if first is None:
                continue
            after = services.add_school_days(first.end_date, 1, school)
            second = self.exclude(pupil, school, kind="suspension", start_date=after, length_sessions=6,
                                  reasons=["VA"])
            if second is not None and index == 1:
                second.refresh_from_db()
                if second.day6_duty:
                    self.provide(second, None)

    def over_the_summer(self):
        """A suspension from the last days of the summer term into September: its days count in each school year."""
        for pupil, school in self.pick("secondary", D(2026, 7, 20), 1):
            start = self.school_day(D(2026, 7, 20), D(2026, 7, 20), school)
            if start is not None:
                self.exclude(pupil, school, kind="suspension", start_date=start, length_sessions=10,
                             reasons=["PP"], la_notified_on=start)

    def lunchtimes(self):
        for pupil, school in self.pick("primary", REFERENCE_DATE, 4):
            day = self.school_day(AUTUMN_START, REFERENCE_DATE - datetime.timedelta(days=7), school)
            if day:
                self.exclude(pupil, school, kind="lunchtime", start_date=day, length_sessions=self.rng.choice([1, 3]))

    def near_the_cap(self):
        """One pupil at 42 days this year: the warning shows and a further three-day suspension is refused."""
        picked = self.pick("secondary", REFERENCE_DATE, 1)
        if not picked:
            return
        pupil, school = picked[0]
        day = AUTUMN_START
        for sessions in (30, 30, 24):
            start = self.school_day(day, day + datetime.timedelta(days=10), school)
            if start is None:
                return
            exclusion = self.exclude(pupil, school, kind="suspension", start_date=start, length_sessions=sessions,
                                     reasons=["DB", "VA"], parental_representations=True)
            if exclusion is None:
                return
            if exclusion.day6_duty:
                self.provide(exclusion, None)
            day = exclusion.end_date + datetime.timedelta(days=7)

    def permanent_exclusions(self):
        """Permanent exclusions at different stages: day 6 met, met late, missing; board due soon or missed; a
        review under way."""
        plans = [
            (D(2026, 9, 15), "on_time", dict(board=("upheld", D(2026, 10, 2), D(2026, 10, 5)), irp=D(2026, 10, 20))),
            (D(2026, 10, 6), "late", dict(board=("upheld", D(2026, 10, 21), D(2026, 10, 22)))),
            (D(2026, 11, 2), "on_time", {}),
            (D(2026, 11, 10), "missing", {}),
            (D(2026, 11, 18), "none_yet", {}),
            (D(2026, 11, 20), "none_yet", {}),
            (D(2026, 3, 9), "on_time", dict(board=("upheld", D(2026, 3, 25), D(2026, 3, 26)))),
        ]
        for (start, provision, review), (pupil, school) in zip(plans, self.pick("secondary", REFERENCE_DATE, 7),
                                                               strict=False):
            day = self.school_day(start, start + datetime.timedelta(days=2), school)
            if day is None:
                continue
            exclusion = self.exclude(pupil, school, kind="permanent", start_date=day,
                                     reasons=self.rng.choice([["PA"], ["OW"], ["DB", "VA"], ["DA", "DB"]]))
            if exclusion is None:
                continue
            if provision in ("on_time", "late"):
                self.provide(exclusion, self.aspire if self.rng.random() < 0.7 else self.college,
                             late_days=7 if provision == "late" else 0)
            if "board" in review:
                decision, met, told = review["board"]
                try:
                    services.exclusion_review_record(
                        user=self.officer, exclusion=exclusion, board_met_on=met, board_decision=decision,
                        board_decision_notified_on=told, irp_applied_on=review.get("irp"))
                except ValidationError:
                    pass

    def part_time_timetables(self):
        reasons = [r for r, _ in PartTimeTimetable.Reason.choices]
        for i, (pupil, school) in enumerate(self.pick("secondary", REFERENCE_DATE, 6)
                                            + self.pick("primary", REFERENCE_DATE, 4)):
            start = self.school_day(AUTUMN_START, REFERENCE_DATE - datetime.timedelta(days=14), school)
            if start is None:
                continue
            weeks = self.rng.choice([4, 6, 8, 12])
            try:
                services.part_time_record(
                    user=self.user_for(school), pupil=pupil, school=school, start_date=start,
                    planned_end_date=start + datetime.timedelta(weeks=weeks),
                    hours_per_week=Decimal(self.rng.choice([10, 12.5, 15, 17.5, 20])), reason=reasons[i % len(reasons)],
                    reason_detail="Agreed at a meeting with parent and SENCo; reviewed fortnightly.",
                    parent_agreed_on=start - datetime.timedelta(days=self.rng.choice([1, 3, 7])),
                    la_notified_on=start if self.rng.random() < 0.7 else None,
                    next_review_date=start + datetime.timedelta(days=self.rng.choice([14, 21, 28])))
                self.counts["part_time"] = self.counts.get("part_time", 0) + 1
            except ValidationError:
                continue

    def managed_moves(self):
        secondaries = list(School.objects.filter(phase="secondary", is_open=True).order_by("urn"))
        outcomes = ["transferred", "returned", None, None]
        for outcome, (pupil, school) in zip(outcomes, self.pick("secondary", REFERENCE_DATE, 4), strict=False):
            to_school = self.rng.choice([s for s in secondaries if s != school])
            start = self.school_day(AUTUMN_START, D(2026, 10, 16), school)
            if start is None:
                continue
            try:
                move = services.managed_move_record(
                    user=self.user_for(school), pupil=pupil, from_school=school, to_school=to_school,
                    agreed_on=start - datetime.timedelta(days=5), start_date=start,
                    review_date=start + datetime.timedelta(weeks=6),
                    notes="Agreed at the behaviour and attendance panel.")
            except ValidationError:
                continue
            if outcome:
                services.managed_move_outcome(user=self.officer, move=move, outcome=outcome,
                                              outcome_on=start + datetime.timedelta(weeks=6))
            self.counts["managed_move"] = self.counts.get("managed_move", 0) + 1

    def fair_access(self):
        panels = list(Partnership.objects.order_by("name"))
        # Out of school since: about 110, 75, 45, 25 and 10 school days before "today".
        since = [D(2026, 5, 5), D(2026, 6, 22), D(2026, 9, 14), D(2026, 10, 12), D(2026, 11, 9), D(2026, 9, 21)]
        categories = ["no_place", "excluded", "looked_after", "refugee", "traveller", "criminal_justice"]
        picked = self.pick("secondary", REFERENCE_DATE, len(since))
        for i, (out, (pupil, _school)) in enumerate(zip(since, picked, strict=False)):
            referred = min(out + datetime.timedelta(days=10), REFERENCE_DATE)
            referral = services.fair_access_refer(user=self.officer, pupil=pupil, category=categories[i],
                                                  referred_on=referred, out_of_school_since=out,
                                                  panel=panels[i % len(panels)] if panels else None)
            if i == len(since) - 1:  # one placed
                school = School.objects.filter(phase="secondary").order_by("urn").first()
                services.fair_access_allocate(user=self.officer, referral=referral, allocated_school=school,
                                              allocated_on=D(2026, 10, 5), placed_on=D(2026, 10, 12))
            self.counts["fair_access"] = self.counts.get("fair_access", 0) + 1

    def cme(self):
        officer2 = User.objects.filter(username="officer6").first() or self.officer
        picked = self.pick("secondary", REFERENCE_DATE, 2) + self.pick("primary", REFERENCE_DATE, 1)
        for i, (pupil, school) in enumerate(picked):
            record = services.cme_record(user=self.officer, pupil=pupil, reason=["absent_10", "no_destination",
                                                                                 "deletion_20"][i],
                                         referred_on=D(2026, 10, 5) + datetime.timedelta(days=7 * i),
                                         referring_school=school, last_attended_on=D(2026, 9, 18), officer=officer2)
            services.cme_enquiry_add(user=self.officer, record=record, made_on=record.referred_on + datetime.timedelta(
                days=2), method="home_visit", result="No answer at the address; card left.")
            if i == 0:
                services.cme_enquiry_add(user=self.officer, record=record, made_on=record.referred_on +
                                         datetime.timedelta(days=9), method="other_la",
                                         result="Family registered with a GP in another county; that LA contacted.")
                services.cme_close(user=self.officer, record=record, outcome="other_la",
                                   outcome_on=record.referred_on + datetime.timedelta(days=12),
                                   notes="The other LA confirmed a school place.")
        for name, reason in [("Unnamed child reported by housing", "arrived"), ("Lily (surname not known)", "other")]:
            services.cme_record(user=self.officer, child_name=name, reason=reason, referred_on=D(2026, 11, 16),
                                referral_source="Housing officer" if reason == "arrived" else "Neighbour",
                                officer=officer2)
        self.counts["cme"] = len(picked) + 2


def load(*, seed: int, stdout=None) -> None:
    """Create the demo's exclusions and provision. Runs inside load_demo's transaction."""
    loader = _Loader(seed)
    loader.providers()
    loader.permanent_exclusions()
    loader.near_the_cap()
    loader.suspensions()
    loader.back_to_back()
    loader.over_the_summer()
    loader.lunchtimes()
    loader.part_time_timetables()
    loader.managed_moves()
    loader.fair_access()
    loader.cme()
    reminders = services.exclusion_reminders_refresh(today=REFERENCE_DATE)
    if stdout is not None:
        c = loader.counts
        stdout.write(f"{c.get('suspension', 0)} suspensions, {c.get('permanent', 0)} permanent and "
                     f"{c.get('lunchtime', 0)} lunchtime exclusions, {c.get('placement', 0)} placements, "
                     f"{c.get('part_time', 0)} part-time timetables, {c.get('managed_move', 0)} managed moves, "
                     f"{c.get('fair_access', 0)} Fair Access referrals, {c.get('cme', 0)} CME records; "
                     f"{reminders['open']} open reminders\n")
