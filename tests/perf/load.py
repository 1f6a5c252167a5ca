"""The bounded load test in `make bench`: 20 concurrent users on mixed journeys against gunicorn on loopback, on the
benchmark LA, with locust (used as a library). Limit: p95 <= 150 ms on the list and profile pages, and no errors.

    python -m tests.perf [--pupils 250000] [--load-seconds 60]      (a step of the benchmark; --no-load skips it)
    BENCH_DATABASE_URL=... python -m tests.perf.load                  (again, on a database kept with --keep)

Thirteen LA officers, two managers and five school users (each with their own session) move between the pupil list
(plain, a search by surname, name, part of a surname or UPN of a pupil they may see, one school), pupil profiles,
school pages, the case list and case pages, My work, the exclusion list, the penalty-notice threshold worklist (its
runs made first, as the nightly job makes them), the early-warning alert list (the nightly evaluation run first), the
home page with its panels of work, the reports overview and its attendance section, the attendance overview, the
pupils behind a figure (persistent absence), the legal dashboard, the TSM list, the three roll-notification lists,
home education (LA staff) and (managers) the Team page and duplicates, pausing 0.5-1.5 s between pages as a person
would (and before the first, so they do not all start at the same instant). gunicorn runs 4 sync workers with
production settings (DEBUG off, persistent database connections). The database is vacuumed and analysed first, as
autovacuum keeps a live one. Every page is fetched on every worker before the clock starts, so the figures are the
steady state rather than each worker's first import of its templates. A response other than 200 is an error; the time
is locust's, from sending the request to the whole body read.

Locust patches the standard library for gevent when it is imported, so it runs in a child process of its own
(``--drive``), reading the pages and sessions the parent prepared with Django.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

USERS = 20
OFFICERS = 13
MANAGERS = 2
LIMIT_MS = 150
GUNICORN_WORKERS = int(os.environ.get("LOAD_GUNICORN_WORKERS", "4"))
# Journeys: page name -> weight (how often a user opens it next).
WEIGHTS = {"pupil list": 2, "pupil list: search": 2, "pupil list: one school": 1, "pupil profile": 3,
           "school page": 1, "case list": 2, "case page": 2, "my work": 1, "exclusion list": 1,
           "threshold worklist": 1, "alert list": 1, "home page": 1, "reports overview": 1,
           "reports: attendance": 1, "attendance overview": 1, "pupils behind a figure": 1, "legal dashboard": 1,
           "TSM list": 1, "team page": 1, "roll notifications": 1, "roll: overdue": 1, "roll: no notice": 1,
           "duplicates": 1, "home education": 1}
KINDS = ("officer", "manager", "school")
# The two managers open their own pages (the team page, duplicates) more often than a page everyone shares, so each
# is measured on a dozen or more requests a minute rather than a handful (or none).
OWN_PAGES = {"manager": {"team page": 6, "duplicates": 6}}
# The limit is on the list and profile pages; every page in the journeys is one or the other, so all have it.
LIMITED = set(WEIGHTS)


def _chosen(only: str | None) -> dict[str, int]:
    """The journeys' pages: all of them, or (``--pages``, comma-separated names) some, e.g. to see the pages of one
    issue at a size where others saturate the workers."""
    if not only:
        return dict(WEIGHTS)
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in WEIGHTS]
    if unknown:
        raise SystemExit(f"Unknown pages {unknown}; the pages are: {', '.join(WEIGHTS)}")
    return {name: WEIGHTS[name] for name in names}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _session_key(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _keep_dashboards(users) -> None:
    """The dashboards' figures as a morning finds them kept for each user's default scope (reporting.snapshots: the
    nightly refresh adds up again those read the day before; at a small LA nothing is kept)."""
    from reporting import selectors as report_selectors
    from reporting import snapshots

    started = time.perf_counter()
    period = report_selectors.report_period_for(None)
    for user in users:
        scope = report_selectors.scope_for(user)
        snapshots.report_figures_for(scope, period, sections=["attendance", "exclusions", "legal", "casework",
                                                              "provision"], summary=True)
        snapshots.report_figures_for(scope, period, sections=["attendance"])
    print(f"  dashboards' figures kept for {len(users)} users' scopes in {time.perf_counter() - started:.1f} s")


def _prepare() -> dict:
    """Two kinds of user with their sessions, and the pages each may open (ids drawn from the generated LA)."""
    from django.db import connection
    from django.urls import reverse

    from cases.models import Case
    from schools.models import Enrolment, Pupil, School, User

    rng = random.Random(9)
    school = School.objects.order_by("pk").first()
    officers = list(User.objects.filter(role="la_officer", username__startswith="bench-officer-").order_by("pk"))
    if not officers:
        officers = [User.objects.get_or_create(username="load-officer", defaults={"role": "la_officer"})[0]]
    # tests/perf/report.py hands every generated case to its first officer (it picks officers[pk % 25] for pks that
    # are all multiples of 50), so one My work page would list every open case in the LA. Spread them over the
    # officers as a team's caseloads are, so My work is measured at a caseload rather than at the whole LA.
    ids = [officer.pk for officer in officers]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Case._meta.db_table} SET officer_id = (%s::bigint[])[1 + id %% %s] "
                       f"WHERE officer_id = ANY(%s)", [ids, len(ids), ids])
    # The threshold worklist's kept runs, as the nightly job leaves them (schools.attendance.threshold).
    from django.utils import timezone

    from schools.attendance import threshold

    threshold.refresh_current_runs(timezone.localdate())
    # Early-warning alerts, as the nightly evaluation leaves them, assigned to the officers' link schools.
    from cases.alerts.services import evaluate_alerts
    from cases.models import SchoolLinkOfficer

    SchoolLinkOfficer.objects.bulk_create(
        [SchoolLinkOfficer(school_id=pk, officer=officers[n % len(officers)])
         for n, pk in enumerate(School.objects.order_by("pk").values_list("pk", flat=True))], ignore_conflicts=True)
    evaluate_alerts(today=timezone.localdate())
    # A live database is kept vacuumed and analysed by autovacuum; a just-built one is not yet, and the planner would
    # plan the pages on the statistics of the tables before the bulk load (and before the update, runs and alerts).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    school_user, _ = User.objects.get_or_create(username="load-school", defaults={"role": "school_user"})
    school_user.schools.set([school])
    pupil_ids = list(Pupil.objects.values_list("pk", flat=True))
    at_school = list(Enrolment.objects.filter(school=school).values_list("pupil_id", flat=True))
    cases = list(Case.objects.values_list("pk", flat=True))
    school_cases = list(Case.objects.filter(school=school).values_list("pk", flat=True))
    urns = list(School.objects.values_list("urn", flat=True))

    def searches(pupils) -> list[str]:
        """What officers type, for pupils drawn from those the user may see: a surname, a first name and surname,
        the first letters of a surname, or a UPN."""
        found = Pupil.objects.filter(pk__in=rng.sample(pupils, min(50, len(pupils))))
        terms = []
        for index, (first, last, upn) in enumerate(found.values_list("legal_first_name", "legal_last_name", "upn")):
            terms.append([last, f"{first} {last}", last[:4], upn][index % 4])
        return [f"{reverse('pupil_list')}?{urlencode({'q': term})}" for term in terms]

    def pages(pupils, case_ids, school_urns, schools_for_filter, manager=False, la=True):
        return {
            "pupil list": [reverse("pupil_list")] + [f"{reverse('pupil_list')}?page={n}" for n in range(2, 6)],
            "pupil list: search": searches(pupils),
            "pupil list: one school": [f"{reverse('pupil_list')}?school={pk}" for pk in schools_for_filter],
            "pupil profile": [reverse("pupil_detail", args=[pk]) for pk in rng.sample(pupils, min(300, len(pupils)))],
            "school page": [reverse("school_detail", args=[urn]) for urn in school_urns],
            "case list": [reverse("cases:list")],
            "case page": [reverse("cases:detail", args=[pk]) for pk in rng.sample(case_ids, min(300, len(case_ids)))],
            "my work": [reverse("cases:my_work")],
            "exclusion list": [reverse("exclusion_list")],
            "threshold worklist": [reverse("pn_threshold_list"), f"{reverse('pn_threshold_list')}?page=2",
                                   f"{reverse('pn_threshold_list')}?action=none",
                                   f"{reverse('pn_threshold_list')}?sort=-sessions"],
            "alert list": [reverse("cases:alerts"), f"{reverse('cases:alerts')}?page=2",
                           f"{reverse('cases:alerts')}?assigned=me", f"{reverse('cases:alerts')}?sort=name"],
            "home page": [reverse("home")],
            "reports overview": [reverse("reporting:dashboard")],
            "reports: attendance": [reverse("reporting:section", args=["attendance"])],
            "attendance overview": [reverse("attendance_overview")],
            "pupils behind a figure": [f"{reverse('attendance_pupil_list')}?show=pa"],
            "legal dashboard": [reverse("legal:dashboard")],
            "TSM list": [reverse("cases:tsm_list")],
            "team page": [reverse("cases:team")] if manager else [],
            "roll notifications": [reverse("roll:list"), f"{reverse('roll:list')}?status=to_triage"],
            "roll: overdue": [reverse("roll:overdue")],
            "roll: no notice": [reverse("roll:missing")],
            "duplicates": [reverse("duplicates:list")] if manager else [],
            "home education": [reverse("ehe_list")] if la else [],
        }

    school_pks = list(School.objects.values_list("pk", flat=True))
    manager, _ = User.objects.get_or_create(username="load-manager", defaults={"role": "la_manager"})
    from django.conf import settings

    la_urns, la_schools = rng.sample(urns, min(50, len(urns))), rng.sample(school_pks, min(20, len(school_pks)))
    _keep_dashboards([manager, *{officers[n % len(officers)] for n in range(OFFICERS)}])
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "officer": {"sessions": [_session_key(officers[n % len(officers)]) for n in range(OFFICERS)],
                    "pages": pages(pupil_ids, cases, la_urns, la_schools)},
        "manager": {"sessions": [_session_key(manager) for _ in range(MANAGERS)],
                    "pages": pages(pupil_ids, cases, la_urns, la_schools, manager=True)},
        "school": {"sessions": [_session_key(school_user) for _ in range(USERS - OFFICERS - MANAGERS)],
                   "pages": pages(at_school, school_cases, [school.urn], [school.pk], la=False)},
    }


def _start_gunicorn(url: str, port: int, log) -> subprocess.Popen:
    from django.conf import settings

    # The sessions were signed in with this process's key (their auth hash is keyed with it), so the server shares it.
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "false", "SECRET_KEY": settings.SECRET_KEY,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
           "DATABASE_CONN_MAX_AGE": "60", "DJANGO_SETTINGS_MODULE": "config.settings",
           # The generated users sign in by session, not with a code (two-factor sign-in is tested on its own).
           "TWO_FACTOR_REQUIRED_FOR_LA_ROLES": "false",
           # Several workers share one cache, as the README's production settings have it (kept overview figures).
           "REDIS_CACHE_URL": os.environ.get("LOAD_REDIS_CACHE_URL", "redis://127.0.0.1:6379/3")}
    env.pop("CELERY_BROKER_URL", None)  # nothing here starts a job
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS), "--timeout", "60"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start; see its log above.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s.")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children now alive (gunicorn's master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    for one in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else 0.0


def run(url: str, seconds: int, only: str | None = None) -> dict:
    """Start gunicorn on the benchmark database, drive it for ``seconds``, return the timings per page."""
    spec = _prepare()
    spec["weights"] = _chosen(only)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        log_path = Path(folder) / "gunicorn.log"
        with log_path.open("wb") as log:
            server = _start_gunicorn(url, port, log)
            try:
                spec.update(base=f"http://127.0.0.1:{port}", seconds=seconds)
                spec_path, out_path = Path(folder) / "spec.json", Path(folder) / "timings.json"
                spec_path.write_text(json.dumps(spec))
                cpu_before = _cpu_seconds(server.pid)
                machine_before = _machine_busy()
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                client_cpu_before = children.ru_utime + children.ru_stime
                done = subprocess.run([sys.executable, "-m", "tests.perf.load", "--drive", str(spec_path),
                                       str(out_path)], capture_output=True, text=True, check=False)
                if done.returncode:
                    sys.stderr.write(done.stdout + done.stderr)
                    raise SystemExit("The load test failed; see above.")
                timings = json.loads(out_path.read_text())
                timings["server_cpu"] = _cpu_seconds(server.pid) - cpu_before
                busy, total = (after - before for after, before in zip(_machine_busy(), machine_before, strict=True))
                timings["machine_busy"] = busy / total if total else 0.0
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                timings["client_cpu"] = children.ru_utime + children.ru_stime - client_cpu_before
                timings["load_average"] = os.getloadavg()[0]
            finally:
                os.killpg(server.pid, 15)
                server.wait(timeout=30)
        errors = [line for line in log_path.read_text(errors="replace").splitlines() if "Traceback" in line]
    timings["server_tracebacks"] = len(errors)
    return timings


def measure(result_type, url: str, seconds: int, only: str | None = None) -> list:
    """`make bench`'s step: print the table of pages and return one Result per limited page, overall and errors."""
    timings = run(url, seconds, only)
    pages = timings["pages"]
    everything = [ms for page in pages.values() for ms in page["ms"]]
    errors = sum(page["errors"] for page in pages.values())
    print(f"  load: {USERS} users ({OFFICERS} LA officers, {MANAGERS} managers, {USERS - OFFICERS - MANAGERS} school "
          f"users) for {seconds} s against "
          f"gunicorn ({GUNICORN_WORKERS} workers) on loopback: {len(everything):,} requests, "
          f"{len(everything) / seconds:.1f} a second, {errors} errors")
    # Contention-independent: the app's own CPU per request (gunicorn's processes; PostgreSQL's share is not in it),
    # and how busy the machine was, since the latencies include waiting for a CPU.
    print(f"  gunicorn CPU per request {1000 * timings['server_cpu'] / max(len(everything), 1):.0f} ms, the load "
          f"client's {1000 * timings['client_cpu'] / max(len(everything), 1):.0f} ms; the machine's CPUs "
          f"{100 * timings['machine_busy']:.0f}% busy over the run (load average {timings['load_average']:.1f} on "
          f"{os.cpu_count()} CPUs at its end)")
    def errors_note(page):
        return f", {page['errors']} errors, first: {page['first_error']}" if page["errors"] else ""

    print(f"  {'page':26} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  limit")
    results = []
    for name, page in sorted(pages.items()):
        p50, p95 = _percentile(page["ms"], 0.5), _percentile(page["ms"], 0.95)
        limited = name in LIMITED
        print(f"  {name:26} {len(page['ms']):>8} {p50:>7.0f} {p95:>7.0f} {max(page['ms'], default=0):>7.0f}  "
              f"{'p95 <= 150 ms' if limited else '(reported only)'}{errors_note(page)}")
        if limited:
            # A page no user reached in the run is not measured, so it has not met the limit.
            visited = bool(page["ms"])
            results.append(result_type(f"Load p95: {name}", p95, "ms",
                                       f"p50 {p50:.0f} ms, n={len(page['ms'])}" if visited else "not visited",
                                       f"<= {LIMIT_MS} ms", visited and p95 <= LIMIT_MS))
    p50, p95 = _percentile(everything, 0.5), _percentile(everything, 0.95)
    results.append(result_type("Load p95: every page", p95, "ms", f"p50 {p50:.0f} ms, n={len(everything)}",
                               "(reported)", True))
    results.append(result_type("Load errors", errors + timings["server_tracebacks"], "", f"{len(everything)} requests",
                               "0", errors + timings["server_tracebacks"] == 0))
    return results


def _drive(spec_path: str, out_path: str) -> None:
    """The child: locust users against the server, raw timings per page written to ``out_path``."""
    import gevent
    from locust import FastHttpUser, between, events, task
    from locust.env import Environment

    spec = json.loads(Path(spec_path).read_text())
    weights = spec["weights"]
    timings: dict[str, dict] = {name: {"ms": [], "errors": 0} for name in weights}
    measuring = {"on": False}

    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
        if measuring["on"]:
            timings[name]["ms"].append(response_time)
            if exception is not None:
                timings[name]["errors"] += 1
                timings[name].setdefault("first_error", str(exception))

    def journey(kind: str):
        sessions = iter(spec[kind]["sessions"])
        pages = spec[kind]["pages"]
        # Only the pages this kind of user has (a school user has no team page), so no turn is spent on nothing.
        names = [name for name in weights if pages.get(name)]
        chances = [OWN_PAGES.get(kind, {}).get(name, weights[name]) for name in names]

        # FastHttpUser (geventhttpclient) rather than HttpUser (requests): the client shares this machine's two
        # CPUs with gunicorn and PostgreSQL, and uses a fraction of the CPU per request that requests does.
        class Journey(FastHttpUser):
            host = spec["base"]
            wait_time = between(0.5, 1.5)
            fixed_count = len(spec[kind]["sessions"])

            def on_start(self):
                self.cookie = {"Cookie": f"{spec['cookie']}={next(sessions)}"}
                # Each user's first page at a random moment within one pause, as people arrive, rather than all
                # twenty at the same instant: that burst (twenty requests queued on four workers) was half the
                # requests over 150 ms in a run at 250,000 pupils, all in its first 0.2 s.
                gevent.sleep(random.uniform(0, 1.5))

            @task
            def next_page(self):
                if not names:  # --pages named none of this kind's pages
                    return
                name = random.choices(names, chances)[0]
                # A search by a full UPN opens that pupil (a redirect), so that journey follows it, timed to the
                # pupil's page as the officer waits for it; any other redirect (to sign-in) is an error.
                with self.client.get(random.choice(pages[name]), name=name, headers=self.cookie, catch_response=True,
                                     allow_redirects=name == "pupil list: search") as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")

        Journey.__name__ = f"{kind.title()}Journey"
        return Journey

    import requests

    # Warm-up, not counted: each page fetched by as many sessions at once as gunicorn has workers, so every worker
    # takes one (a sync worker serves one request at a time) and has loaded the page's code and templates; fetched
    # one after another, each went to whichever worker took it, and a page could miss a worker.
    from gevent.pool import Pool

    warm = Pool(GUNICORN_WORKERS)
    for kind in KINDS:
        keys = spec[kind]["sessions"][:GUNICORN_WORKERS]
        for urls in (urls for name, urls in spec[kind]["pages"].items() if name in weights):
            for url in urls[:2]:
                warm.map(lambda key, url=url: requests.get(spec["base"] + url, cookies={spec["cookie"]: key},
                                                           allow_redirects=False, timeout=60),
                         (keys * GUNICORN_WORKERS)[:GUNICORN_WORKERS])

    environment = Environment(user_classes=[journey(kind) for kind in KINDS], events=events)
    runner = environment.create_local_runner()
    measuring["on"] = True
    runner.start(USERS, spawn_rate=USERS)
    gevent.spawn_later(spec["seconds"], runner.quit)
    runner.greenlet.join()
    Path(out_path).write_text(json.dumps({"pages": timings}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drive", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--pages", help="only these pages (comma-separated names, as the table prints them)")
    args = parser.parse_args(argv)
    if args.drive:
        _drive(*args.drive)
        return 0
    from tests.perf.__main__ import DEFAULT_URL, Result

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    results = measure(Result, url, args.seconds, args.pages)
    missed = [r.name for r in results if not r.ok]
    print("\nAll load limits met." if not missed else f"\nMissed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
