"""Load the deterministic demo authority (schools, calendars, pupils, families) and print the demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from schools.demo import MAX_PUPILS, MIN_PUPILS, DemoDataExists, existing_demo_logins, load_demo
from schools.models import School


class Command(BaseCommand):
    help = ("Load demo data: a fictional authority with about 60 schools, term dates and (by default) 15,000 pupils "
            "in families, plus one login per role. The same --seed always gives the same data.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--pupils", type=int, default=15000,
                            help=f"Number of pupils, {MIN_PUPILS} to {MAX_PUPILS} (default 15000).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if any school exists already (for container start-up scripts).")

    def handle(self, *args, seed, pupils, if_empty, **options):
        if if_empty and School.objects.exists():
            self.stdout.write("Demo data already present; not loading it again.")
            self._print_logins(existing_demo_logins(seed=seed))
            return
        if not MIN_PUPILS <= pupils <= MAX_PUPILS:
            raise CommandError(f"--pupils must be between {MIN_PUPILS} and {MAX_PUPILS}.")
        started = time.monotonic()
        try:
            # Jobs the demo starts (the end-of-term report) run as it loads, not in a background thread racing the
            # rest of the loading: the demo is complete, report included, when the logins are printed.
            with override_settings(JOBS_IN_BACKGROUND_THREAD=False):
                logins = load_demo(seed=seed, pupils=pupils, stdout=self.stdout)
        except DemoDataExists as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f}s (seed {seed})."))
        self._print_logins(logins)

    def _print_logins(self, logins: dict) -> None:
        if not logins:
            self.stdout.write("No demo logins with their demo passwords remain in this database.")
            return
        self.stdout.write("")
        headers = ("Role", "Username", "Password", "Can see")
        rows = [(login["role_label"], username, login["password"], login["sees"]) for username, login in logins.items()]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join(f"{{:<{width}}}" for width in widths)
        self.stdout.write(line.format(*headers).rstrip())
        self.stdout.write("  ".join("-" * width for width in widths))
        for row in rows:
            self.stdout.write(line.format(*row).rstrip())
