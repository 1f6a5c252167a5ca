"""Duplicate pupils (issue 21): each pupil's name keys (for the "sounds like" search and the duplicate finder's
blocks), the "not the same child" dismissals and the merge records. The keys of existing pupils are filled here, a
batch at a time."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from schools.duplicates.phonetics import name_key

BATCH = 10_000


def _fill_name_keys(apps, schema_editor):
    """One UPDATE per pupil, sent a batch at a time (executemany): bulk_update's CASE expressions are far slower on
    PostgreSQL at 250,000 pupils."""
    Pupil = apps.get_model("schools", "Pupil")
    table = schema_editor.quote_name(Pupil._meta.db_table)
    last = 0
    while True:
        rows = list(Pupil.objects.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "legal_first_name", "legal_last_name")[:BATCH])
        if not rows:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET first_name_key = %s, last_name_key = %s WHERE id = %s",
                               [(name_key(first), name_key(last_name), pk) for pk, first, last_name in rows])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0024_home_education"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DuplicateDismissal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("note", models.CharField(blank=True, max_length=500)),
                ("dismissed_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-dismissed_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="PupilMerge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("merged_pupil_id", models.BigIntegerField(
                    help_text="The merged-away record's number (restored with it).")),
                ("merged_upn", models.CharField(max_length=13, verbose_name="Merged-away UPN")),
                ("merged_name", models.CharField(max_length=200)),
                ("merged_record", models.JSONField(help_text="The merged-away pupil's fields as they were.")),
                ("kept_changes", models.JSONField(blank=True, default=dict,
                                                  help_text="{field: [before, after]} on the kept record.")),
                ("moved", models.JSONField(default=list,
                                           help_text='[{"model": label, "field": name, "pks": [...]}]')),
                ("reason", models.TextField()),
                ("merged_at", models.DateTimeField(auto_now_add=True)),
                ("undone_at", models.DateTimeField(blank=True, null=True)),
                ("undo_note", models.TextField(blank=True,
                                               help_text="Rows that had changed since the merge and stayed put.")),
            ],
            options={
                "ordering": ["-merged_at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="pupil",
            name="first_name_key",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="pupil",
            name="last_name_key",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.RunPython(_fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="pupil",
            index=models.Index(fields=["last_name_key", "date_of_birth"], name="pupil_last_key_dob_idx"),
        ),
        migrations.AddIndex(
            model_name="pupil",
            index=models.Index(fields=["first_name_key", "date_of_birth"], name="pupil_first_key_dob_idx"),
        ),
        migrations.AddField(
            model_name="duplicatedismissal",
            name="dismissed_by",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="duplicatedismissal",
            name="pupil_high",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to="schools.pupil"),
        ),
        migrations.AddField(
            model_name="duplicatedismissal",
            name="pupil_low",
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name="+", to="schools.pupil"),
        ),
        migrations.AddField(
            model_name="pupilmerge",
            name="kept",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="merges_kept",
                                    to="schools.pupil"),
        ),
        migrations.AddField(
            model_name="pupilmerge",
            name="merged_by",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="pupilmerge",
            name="undone_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name="duplicatedismissal",
            constraint=models.UniqueConstraint(fields=("pupil_low", "pupil_high"), name="duplicate_dismissal_once"),
        ),
        migrations.AddConstraint(
            model_name="duplicatedismissal",
            constraint=models.CheckConstraint(condition=models.Q(("pupil_low__lt", models.F("pupil_high"))),
                                              name="duplicate_dismissal_ordered"),
        ),
        migrations.AddIndex(
            model_name="pupilmerge",
            index=models.Index(fields=["-merged_at"], name="pupil_merge_time_idx"),
        ),
        migrations.AddConstraint(
            model_name="pupilmerge",
            constraint=models.CheckConstraint(
                condition=models.Q(("undone_at__isnull", True), ("undone_by__isnull", False), _connector="OR"),
                name="pupil_merge_undone_has_who"),
        ),
    ]
