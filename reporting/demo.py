"""Demo reporting data (issue 8), loaded by schools.demo.load_demo after every other area's records.

Each demo LA officer is link officer for the schools of one partnership (set-wise, one insert), so an officer's
dashboard has its own schools; and the end-of-term report the beat schedule would have made for the last term that
ended before the demo's "today" is made through the same service (its PDF is written once the demo's transaction
commits), so the termly report list has a past report to open.
"""

from __future__ import annotations

import datetime

from reporting import services
from reporting.models import SchoolLinkOfficer
from schools.models import Partnership, School, User
from schools.roles import Role

REFERENCE_DATE = datetime.date(2026, 11, 23)


def load(*, seed: int, stdout=None) -> None:
    officers = list(User.objects.filter(role=Role.LA_OFFICER, is_active=True).order_by("username"))
    partnerships = list(Partnership.objects.order_by("name"))
    links = []
    if officers and partnerships:
        for index, partnership in enumerate(partnerships):
            officer = officers[(index + seed) % len(officers)]
            links += [SchoolLinkOfficer(school_id=pk, officer=officer)
                      for pk in School.objects.filter(partnership=partnership).values_list("pk", flat=True)]
    SchoolLinkOfficer.objects.bulk_create(links)
    run = services.report_schedule_term_end(today=REFERENCE_DATE)
    if stdout is not None:
        made = f"; the {run.term_label} report is made at the end of loading" if run else ""
        stdout.write(f"Reporting: {len(links)} schools with a link officer{made}\n")
