"""Demo CTF review queue: two Common Transfer Files imported through the real import path, so the queue holds pupils
for every reason and in every status (waiting, matched, created, rejected, replaced by a later file).

The school demo user sends the first file (so they can follow their held pupils); the officer sends a later one that
holds one of the same pupils again, then resolves some items through the same services the pages use. A dozen
pupils and a few dozen marks: it adds well under a second to the demo load.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.base import ContentFile
from django.db.models import Count

from schools.attendance.review import services as review
from schools.attendance.services import run_import
from schools.models import AttendanceImport, CtfReviewItem, Job, Pupil, School, User
from schools.validators import upn_check_letter

# The demo creates this many pupils beyond the ones schools.demo plans: children new to the authority, created from
# the queue (so the demo's pupil count is the planned number plus these).
CREATED_PUPILS = 1
WEEK = datetime.date(2026, 11, 16)  # a full school week before the demo's "today" (23 Nov 2026)
LATER_WEEK = datetime.date(2026, 11, 9)
NEW_CHILDREN = [("Nowak", "Kacper", "2014-06-11", "M"), ("Okoye", "Amara", "2015-02-03", "F"),
                ("Lindqvist", "Elsa", "2013-10-21", "F"), ("Ferreira", "Tiago", "2014-01-30", "M")]


def _new_upn(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = f"845{rng.randrange(10**8, 10**9):09d}"
        upn = upn_check_letter(body) + body
        if upn not in taken:
            taken.add(upn)
            return upn


def _marks(rng: random.Random) -> str:
    """A week of marks, Monday to Friday, mostly present with an absence or two."""
    return "".join(rng.choice(["/\\", "/\\", "/\\", "NN", "I\\", "/N", "L\\"]) for _ in range(5))


def _pupil_xml(*, upn, surname, forename, dob, sex, school, marks, start, former="", nc_year="7") -> str:
    former_xml = f"<FormerUPN>{former}</FormerUPN>" if former else ""
    return f"""<Pupil><UPN>{upn}</UPN><Surname>{surname}</Surname><Forename>{forename}</Forename><DOB>{dob}</DOB>
<Sex>{sex}</Sex><BasicDetails>{former_xml}<NCyearActual>{nc_year}</NCyearActual></BasicDetails>
<Attendance><YearData><Year>2026</Year><LEA>{school.laestab[:3]}</LEA><Estab>{school.laestab[3:]}</Estab>
<AttendSessions><AttendanceStartDate>{start.isoformat()}</AttendanceStartDate><AttendanceMarks>{marks}</AttendanceMarks>
</AttendSessions></YearData></Attendance></Pupil>"""


def _file(school, pupils: list[str]) -> bytes:
    return (f"""<?xml version="1.0" encoding="UTF-8"?><CTfile><Header><DocumentName>Common Transfer File</DocumentName>
<CTFversion>25.0</CTFversion><DateTime>2026-11-20T16:00:00</DateTime><DocumentQualifier>partial</DocumentQualifier>
<SourceSchool><LEA>{school.laestab[:3]}</LEA><Estab>{school.laestab[3:]}</Estab><URN>{school.urn}</URN>
<SchoolName>{school.name}</SchoolName><AcademicYear>2026</AcademicYear></SourceSchool></Header>
<CTFpupilData>{"".join(pupils)}</CTFpupilData></CTfile>""").encode()


def _import(user, name: str, content: bytes) -> AttendanceImport:
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user, params={"file": name, "kind": "ctf"})
    attendance_import = AttendanceImport(kind=AttendanceImport.Kind.CTF, original_name=name, uploaded_by=user, job=job)
    attendance_import.file.save(name, ContentFile(content), save=False)
    attendance_import.save()
    run_import(attendance_import)
    return attendance_import


def load(*, seed: int, stdout=None) -> None:
    """Add the demo CTF review queue. Call inside schools.demo.load_demo's transaction, after the registers."""
    from schools.demo import SCHOOL_USER_SCHOOL

    rng = random.Random(seed + 3)
    school = School.objects.get(name=SCHOOL_USER_SCHOOL)
    school_user, officer = User.objects.get(username="school"), User.objects.get(username="officer")
    on_roll = list(Pupil.objects.filter(enrolments__school=school, enrolments__end_date__isnull=True)
                   .order_by("pk")[:400])
    differs, through_former, renumbered = rng.sample(on_roll, 3)
    taken = set(Pupil.objects.values_list("upn", flat=True))
    unknown, created, rejected, superseding = (_new_upn(rng, taken) for _ in range(4))
    old_upn = _new_upn(rng, taken)
    Pupil.objects.filter(pk=through_former.pk).update(former_upn=old_upn)

    def child(upn, details, **extra):
        surname, forename, dob, sex = details
        return _pupil_xml(upn=upn, surname=surname, forename=forename, dob=dob, sex=sex, school=school,
                          marks=_marks(rng), start=WEEK, **extra)

    first = _import(school_user, "ctf-from-school.xml", _file(school, [
        child(unknown, NEW_CHILDREN[0]),
        child(created, NEW_CHILDREN[1]),
        child(rejected, NEW_CHILDREN[2]),
        # The authority's record has another date of birth for this UPN.
        child(differs.upn, (differs.legal_last_name, differs.legal_first_name,
                            (differs.date_of_birth + datetime.timedelta(days=31)).isoformat(), differs.sex)),
        # The file gives a UPN the authority knows only as this pupil's former UPN.
        child(old_upn, (through_former.legal_last_name, through_former.legal_first_name,
                        through_former.date_of_birth.isoformat(), through_former.sex)),
        # A new UPN, with the pupil's current one as the former UPN: the school renumbered the child.
        child(superseding, (renumbered.legal_last_name, renumbered.legal_first_name,
                            renumbered.date_of_birth.isoformat(), renumbered.sex), former=renumbered.upn),
    ]))
    # The officer imports a later file holding the unknown child again, with an earlier week: it replaces the item.
    _import(officer, "ctf-resent.xml", _file(school, [_pupil_xml(
        upn=unknown, surname=NEW_CHILDREN[0][0], forename=NEW_CHILDREN[0][1], dob=NEW_CHILDREN[0][2],
        sex=NEW_CHILDREN[0][3], school=school, marks=_marks(rng), start=LATER_WEEK)]))

    items = {item.upn: item for item in CtfReviewItem.objects.filter(attendance_import=first)}
    item = items[created]
    defaults = review.create_defaults(item)
    review.review_create(user=officer, item=item, version=item.version, start_date=WEEK, nc_year=7,
                         note="New to the authority: moved from Wales in November.",
                         **{name: defaults[name] for name in review.PUPIL_FIELDS_FROM_FORM})
    item = items[superseding]
    review.review_match(user=officer, item=item, version=item.version, pupil=renumbered, take_file_upn=True,
                        note="Same child: the school issued a new UPN after a data correction.")
    item = items[rejected]
    review.review_reject(user=officer, item=item, version=item.version,
                         note="Not a pupil of this authority: a visiting pupil included in the school's file.")
    if stdout is not None:
        counts = dict(CtfReviewItem.objects.values_list("status").annotate(n=Count("pk")).order_by())
        stdout.write("CTF review queue: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + "\n")
