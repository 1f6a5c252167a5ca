"""Demo elective home education records (issue 21), loaded by schools.demo.load_demo after the exclusions.

A register in every state the pages show, as of the demo's "today" (23 November 2026): newly notified with no
contact yet, visited and suitable (annual contact due), an EHCP pupil at a special school waiting for the LA's
consent (when the demo has one), education that appears unsuitable with the informal enquiry's reply waiting or
overdue, a notice from a school's deletion, a return to school and a record closed on moving away. legal.ehe.demo
then serves a s437(1) notice on one overdue enquiry. Pupils are drawn from ``random.Random(seed)`` in UPN order.
"""

from __future__ import annotations

import datetime
import random

from schools.ehe import services
from schools.models import Enrolment, HomeEducationRecord, Pupil, School, User

D = datetime.date


def _pupils(rng: random.Random, n: int) -> list[tuple[Pupil, School]]:
    taken = set(HomeEducationRecord.objects.values_list("pupil_id", flat=True))
    rows = (Enrolment.objects.filter(school__phase="secondary", end_date__isnull=True, pupil__family__isnull=False)
            .exclude(pupil_id__in=taken).select_related("pupil", "school").order_by("pupil__upn")[:4000])
    pool = [(e.pupil, e.school) for e in rows]
    return rng.sample(pool, min(n, len(pool)))


def load(*, seed: int, stdout=None) -> dict:
    rng = random.Random(seed + 21)
    officer = User.objects.get(username="officer")
    chosen = _pupils(rng, 8)
    if len(chosen) < 8:
        return {}
    register = services.register_home_education
    made = []

    pupil, school = chosen[0]
    made.append(register(user=officer, pupil=pupil, school=school, notified_on=D(2026, 11, 18), source="parent",
                         reasons=["PHIL", "LIFE"], reasons_detail="We want to follow a child-led approach.",
                         officer=officer))

    pupil, school = chosen[1]
    record = register(user=officer, pupil=pupil, school=school, notified_on=D(2026, 2, 2), source="parent",
                      reasons=["HEALTH"], reasons_detail="Anxiety made school attendance impossible.",
                      officer=officer)
    services.ehe_add_contact(user=officer, record=record, contact_on=D(2026, 3, 10), kind="home_visit",
                             outcome="seen", notes="Structured timetable, maths tutor twice a week, good work seen.")
    services.ehe_assess_suitability(user=officer, record=record, suitability="suitable", assessed_on=D(2026, 3, 10),
                                    notes="Broad curriculum and regular work; tutor for maths.")
    made.append(record)

    for pupil, school, sent in [(*chosen[2], D(2026, 10, 12)), (*chosen[3], D(2026, 10, 19)),
                                (*chosen[4], D(2026, 11, 16))]:
        record = register(user=officer, pupil=pupil, school=school, notified_on=D(2026, 9, 14),
                          source="school_deletion", reasons=["DISSAT", "BULLY"], officer=officer)
        services.ehe_add_contact(user=officer, record=record, contact_on=D(2026, 9, 28), kind="phone",
                                 outcome="declined", notes="Parent declined a visit and offered no information.")
        services.ehe_assess_suitability(user=officer, record=record, suitability="not_suitable",
                                        assessed_on=D(2026, 10, 5),
                                        notes="No information about the education after two requests.")
        services.ehe_send_enquiry(user=officer, record=record, sent_on=sent)
        made.append(record)

    pupil, school = chosen[5]
    record = register(user=officer, pupil=pupil, school=school, notified_on=D(2026, 1, 12), source="parent",
                      reasons=["SHORT"], officer=officer)
    services.ehe_return_to_school(user=officer, record=record, returned_on=D(2026, 9, 3), school=school)
    made.append(record)

    pupil, school = chosen[6]
    record = register(user=officer, pupil=pupil, school=school, notified_on=D(2026, 4, 20), source="parent",
                      reasons=["RELIG"], officer=officer)
    services.ehe_close(user=officer, record=record, closed_on=D(2026, 8, 28), reason="Moved to another LA (Kent).")
    made.append(record)

    special = (Enrolment.objects.filter(school__phase="special", end_date__isnull=True,
                                        pupil__sen_status=Pupil.SenStatus.EHCP)
               .exclude(pupil__home_education_records__isnull=False).select_related("pupil", "school")
               .order_by("pupil__upn").first())
    if special is not None:
        made.append(register(user=officer, pupil=special.pupil, school=special.school, notified_on=D(2026, 11, 19),
                             source="parent", reasons=["SEN"], officer=officer,
                             reasons_detail="The placement is not meeting his needs."))
    if stdout is not None:
        stdout.write(f"  Elective home education: {len(made)} records")
    return {"ehe_records": len(made)}
