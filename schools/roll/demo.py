"""Demo roll notifications (issue 21), loaded by schools.demo.load_demo after the exclusions (a permanent exclusion
has its deletion notice). The LA's triage queue holds a notice for each next step: home education, children missing
education (with and without a match), a permanent exclusion, a move the new school has confirmed and one it has not;
a few admission notices (one late, one with a UPN new to the LA); and one deletion already triaged. Schools' own leads
send their notices; for the other schools the officer keys in what arrived by email. Deterministic (seeded)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from schools.models import Enrolment, Exclusion, School, User
from schools.roll import services
from schools.roll.rules import Step
from schools.validators import upn_check_letter

REFERENCE_DATE = datetime.date(2026, 11, 23)
D = datetime.date


class _Loader:
    def __init__(self, seed: int):
        self.rng = random.Random(seed + 21)
        self.officer = User.objects.get(username="officer")
        self.lead = User.objects.get(username="school")
        self.lead_school = self.lead.schools.first()
        self.today = min(REFERENCE_DATE, timezone.localdate())
        self.count = 0

    def on_roll(self, phase: str, n: int, exclude=()) -> list[Enrolment]:
        rows = list(Enrolment.objects.filter(school__phase=phase, end_date__isnull=True, school__is_open=True)
                    .exclude(pupil__in=exclude).select_related("pupil", "school").order_by("pupil__upn")[:400])
        return self.rng.sample(rows, min(n, len(rows)))

    def send(self, kind: str, school: School, **fields):
        by_lead = school == self.lead_school
        notice = services.notification_submit(
            user=self.lead if by_lead else self.officer, school=school, kind=kind,
            received_on=None if by_lead else fields.pop("received_on", self.today), **fields)
        self.count += 1
        return notice

    def about(self, enrolment: Enrolment) -> dict:
        pupil = enrolment.pupil
        return {"upn": pupil.upn, "first_name": pupil.legal_first_name, "last_name": pupil.legal_last_name,
                "date_of_birth": pupil.date_of_birth, "sex": pupil.sex, "nc_year": enrolment.nc_year}

    def deletions(self):
        soon = self.today + datetime.timedelta(days=4)
        picked = self.on_roll("secondary", 5) + self.on_roll("primary", 3)
        if len(picked) < 8:
            return []  # a demo too small for the set
        used = [e.pupil_id for e in picked]
        home_ed, home_ed2, missing, moved, moved_unconfirmed, away, *rest = picked
        self.send("deletion", home_ed.school, **self.about(home_ed), event_date=soon, ground="f",
                  parent_name="Mrs J Parent", notes="Parent's letter received; plans to home educate.")
        self.send("deletion", home_ed2.school, **self.about(home_ed2), event_date=soon, ground="f")
        self.send("deletion", missing.school, **self.about(missing), event_date=self.today, ground="i",
                  notes="Absent since the start of the month; home visit found the house empty.")
        other = School.objects.filter(phase=moved.school.phase, is_open=True).exclude(pk=moved.school_id).first()
        self.send("deletion", moved.school, **self.about(moved), event_date=self.today - datetime.timedelta(days=3),
                  ground="g", new_school=other, new_address="12 Station Road", received_on=self.today)
        self.send("admission", other, **self.about(moved), event_date=self.today - datetime.timedelta(days=2),
                  address="12 Station Road")
        third = School.objects.filter(is_open=True).exclude(pk__in=[moved_unconfirmed.school_id]).order_by("urn")[3]
        self.send("deletion", moved_unconfirmed.school, **self.about(moved_unconfirmed), event_date=soon, ground="a",
                  new_school=third, new_school_start=soon + datetime.timedelta(days=1))
        self.send("deletion", away.school, **self.about(away), event_date=self.today, ground="g",
                  new_address="Address not known (moved out of the area)")
        done = self.send("deletion", rest[0].school, **self.about(rest[0]), event_date=D(2026, 11, 13),
                         ground="i", received_on=D(2026, 11, 16))
        services.notification_triage(user=self.officer, notification=done, step=Step.CME,
                                     note="CME enquiry opened on the day the notice arrived.")
        return used

    def exclusion(self):
        excluded = (Exclusion.objects.filter(kind=Exclusion.Kind.PERMANENT, cancelled_on__isnull=True,
                                             start_date__gte=D(2026, 11, 1)).select_related("pupil", "school")
                    .order_by("start_date", "pk").first())
        if excluded is None:
            return
        enrolment = Enrolment.objects.filter(pupil=excluded.pupil, school=excluded.school).first()
        if enrolment is None:
            return
        self.send("deletion", excluded.school, **self.about(enrolment), event_date=self.today, ground="o")

    def admissions(self, used):
        picked = self.on_roll("primary", 2, exclude=used)
        if len(picked) < 2:
            return
        late, on_time = picked
        self.send("admission", late.school, **self.about(late), event_date=D(2026, 11, 2),
                  received_on=D(2026, 11, 17), address="3 Church Lane")
        self.send("admission", on_time.school, **self.about(on_time), event_date=D(2026, 11, 18),
                  received_on=D(2026, 11, 19), address="8 Mill Street")
        digits = "999000" + f"{self.rng.randint(0, 999999):06d}"[:5] + "1"
        self.send("admission", self.lead_school, upn=upn_check_letter(digits) + digits, first_name="Kacper",
                  last_name="Nowak", date_of_birth=D(2015, 6, 14), sex="M", nc_year=6,
                  event_date=self.today - datetime.timedelta(days=1), address="Flat 2, 40 Quay Street",
                  previous_school_name="Szkoła Podstawowa nr 3, Gdańsk (new to England)")


def load(*, seed: int, stdout=None) -> None:
    """Create the demo's roll notifications. Runs inside load_demo's transaction."""
    loader = _Loader(seed)
    used = loader.deletions()
    loader.exclusion()
    loader.admissions(used)
    if stdout is not None:
        stdout.write(f"{loader.count} roll notifications\n")
