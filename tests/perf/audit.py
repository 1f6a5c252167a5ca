"""Issue 19: every pupil an export names is recorded with it (schools.models.ExportedPupil). Timed on the largest
export there is, the whole authority's pupils, against a bare INSERT ... SELECT of the same ids into an unindexed
table: the membership rows (keyed, and written with the event) must cost no more than four bare copies, and
under 2 s at 250,000 pupils."""

from __future__ import annotations

import time


def _bare_copy() -> float:
    from django.db import connection

    from schools.models import Pupil

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare_members (event_id bigint, pupil_id bigint)")
        start = time.perf_counter()
        cursor.execute(f"INSERT INTO bench_bare_members SELECT 1, id FROM {Pupil._meta.db_table}")
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_bare_members")
    return elapsed


def measure(result_type) -> list:
    from schools.audit import record_export
    from schools.models import ExportedPupil, Pupil, User

    user = User.objects.get_or_create(username="bench-exporter", defaults={"role": "la_officer"})[0]
    pupils = Pupil.objects.all()
    reference = _bare_copy()
    start = time.perf_counter()
    event = record_export(user=user, object_type="schools.Pupil", rows=pupils.count(), fmt="csv",
                          path="/pupils/export", pupils=pupils, pupil_path="pk")
    seconds = time.perf_counter() - start
    named = ExportedPupil.objects.filter(event=event).count()
    print(f"  export membership: {named:,} pupils recorded with one export")
    ratio = seconds / reference if reference else 0.0
    return [result_type("Export membership (all pupils)", seconds, "s", f"bare INSERT..SELECT {reference:.2f} s",
                        f"ratio {ratio:.1f} <= 4, <= 2 s", ratio <= 4 and seconds <= 2)]
