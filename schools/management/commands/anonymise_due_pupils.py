"""Anonymise pupils past retention now (as the nightly beat task does), or with --dry-run list who it would take."""

from django.core.management.base import BaseCommand

from schools.data_protection.retention import anonymise, dry_run, hold_reasons


class Command(BaseCommand):
    help = "Anonymise pupil records past the retention period (schools.data_protection.retention)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who would be anonymised; change nothing.")

    def handle(self, *args, **options):
        if options["dry_run"]:
            result = dry_run()
            c = result["cutoffs"]
            self.stdout.write(f"Policy: {c.years_after_leaving} years after leaving (on or before {c.left_before}), "
                              f"aged at least {c.min_age} (born on or before {c.born_before}).")
            for pupil in result["to_anonymise"]:
                self.stdout.write(f"would anonymise\t{pupil.pk}\t{pupil.upn}\tleft {pupil.left_on}")
            for pupil in result["held"]:
                self.stdout.write(f"held back\t{pupil.pk}\t{pupil.upn}\t{'; '.join(hold_reasons(pupil))}")
            self.stdout.write(f"{result['to_anonymise'].count()} due, {result['held'].count()} held back.")
            return
        run = anonymise()
        self.stdout.write(f"Retention run {run.pk}: {run.anonymised} anonymised, {run.held} held back.")
