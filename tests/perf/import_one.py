"""One register import, as the background job runs it, in its own process (so the benchmark reads its peak memory).

    python -m tests.perf.import_one FILE   → prints "<seconds> <job message>"
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files import File

    from schools.attendance.services import run_import
    from schools.models import AttendanceImport, Job, User

    path = Path(sys.argv[1])
    user, _ = User.objects.get_or_create(username="bench-importer", defaults={"role": "la_officer"})
    job = Job.objects.create(kind=Job.Kind.ATTENDANCE_IMPORT, created_by=user)
    attendance_import = AttendanceImport(kind="csv", original_name=path.name, uploaded_by=user, job=job)
    with path.open("rb") as stream:
        attendance_import.file.save(path.name, File(stream), save=True)  # the upload, not timed
    start = time.perf_counter()
    run_import(attendance_import)
    elapsed = time.perf_counter() - start
    job.refresh_from_db()
    attendance_import.file.delete(save=False)
    # VmHWM is this process's own peak since it started (ru_maxrss would include the parent's pages from the fork).
    peak_kib = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                    if line.startswith("VmHWM:"))
    print(f"{elapsed:.3f} {peak_kib} {job.message}")


if __name__ == "__main__":
    main()
