"""Exclusions: the days a suspension counts in the school year it starts in (the rest in the next, for the 45-day
cap), and the first day of the back-to-back run a suspension belongs to (day 6 counts from it)."""

from decimal import Decimal

from django.db import migrations, models


def every_day_in_its_start_year(apps, schema_editor):
    # What the cap counted until now; the daily recompute splits a suspension that runs over a summer.
    Exclusion = apps.get_model("schools", "Exclusion")
    Exclusion.objects.update(start_year_days=models.F("days"))


class Migration(migrations.Migration):

    dependencies = [
        ("schools", "0004_ctf_review_and_stage_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="exclusion",
            name="start_year_days",
            field=models.DecimalField(
                decimal_places=1, default=Decimal("0"), max_digits=5,
                help_text="Of those, the school days in the school year it starts in; the rest (a suspension over "
                          "the summer) count in the next year, for the 45-day cap."),
        ),
        migrations.AddField(
            model_name="exclusion",
            name="run_start_date",
            field=models.DateField(
                blank=True, null=True,
                help_text="First day of the back-to-back suspensions this one is part of (empty when it stands "
                          "alone): the 6th school day counts from it."),
        ),
        migrations.RunPython(every_day_in_its_start_year, migrations.RunPython.noop),
    ]
