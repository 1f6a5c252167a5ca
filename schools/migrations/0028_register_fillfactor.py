"""Room on every page for one more version of each row, so that a register import updates week and summary rows in
place (heap-only tuples: no new index entries, and the previous day's versions are pruned from the page when it is
next read).

A day's registers rewrite each pupil's current week row and its term and year summary rows. A week's rows lie
together (imports write new weeks week by week), so a day updates every row on those pages; with a tenth (weeks) or
under a third (summaries) of the page free, most new versions went to other pages with an entry in each index. At
half-full pages, one more day for 50,000 pupils measured (tests/perf, rolled back, three runs each):
- the week rows' UPDATE: 0.33 s → 0.09 s;
- the term and year summary upserts: 0.47 + 0.46 s → 0.22 + 0.18 s.
The price is space: the week rows of a 50,000-pupil year take 412 MB instead of 257 MB. Only the current year's
rows are ever updated, so an LA that partitions the weeks by year (README, Production) can rewrite a closed year's
partition full. SQLite has no such setting."""

from django.db import migrations

TABLES = ("schools_attendanceweek", "schools_attendancesummary")
BEFORE = {"schools_attendanceweek": 90, "schools_attendancesummary": 70}
FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def restore_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, fillfactor in BEFORE.items():
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")


class Migration(migrations.Migration):
    dependencies = [("schools", "0027_summary_period_pa_index")]

    operations = [migrations.RunPython(set_fillfactor, restore_fillfactor, elidable=False)]
