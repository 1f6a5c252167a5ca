# Early-warning alerts (issue 15): the rules as data (seeded by 0006) and the alerts as episodes; and the school
# link officer, moved down from reporting (reporting 0004) with its table left where it is, so this migration creates
# it in Django's state only (the alerts go to a school's link officer when the pupil has no case officer).

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_case_list_order_index'),
        ('schools', '0018_council_sign_in'),
        # The link officer leaves reporting's state before it joins this app's (its table is reporting's 0001).
        ('reporting', '0004_link_officer_moves_to_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AlertRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.SlugField(help_text="A short fixed name for the rule, e.g. 'three-unexplained'. Not shown to users.", max_length=60, unique=True)),
                ('name', models.CharField(help_text='What the alert list calls the rule.', max_length=120)),
                ('kind', models.CharField(choices=[('consecutive_unexplained', 'Unexplained absences in a row (N or O)'), ('vulnerable_unauthorised', 'Unauthorised absence of a looked-after child, a child in need or on a protection plan, or with an EHC plan'), ('suspension_social_worker', 'Suspension or exclusion of a child with a social worker'), ('persistent_absence', 'Persistent absence (10% or more) this term'), ('severe_absence', 'Severe absence (50% or more) this term'), ('attendance_fall', 'Fall in attendance over recent school weeks against the term before')], help_text='What the rule looks for; its figures are set below.', max_length=30)),
                ('condition', models.TextField(help_text='Shown on every alert from this rule; keep it in step with the figures.', verbose_name='When it fires, in plain English')),
                ('sessions', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(380)])),
                ('points', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='Percentage points')),
                ('weeks', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(52)])),
                ('goes_to', models.TextField(help_text='Who acts on the alert and what they do.', verbose_name='Who it goes to')),
                ('source', models.TextField(help_text="The guidance (or the LA's own decision) the rule comes from.", verbose_name='Why: the guidance it follows')),
                ('active', models.BooleanField(default=True, help_text='Switched-off rules open no alerts; their open alerts stay until someone deals with them.')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'early-warning rule',
                'ordering': ['name'],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SchoolLinkOfficer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='linked_schools', to=settings.AUTH_USER_MODEL)),
                        ('school', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='link_officer', to='schools.school')),
                    ],
                    options={
                        'verbose_name': 'school link officer',
                        'db_table': 'reporting_schoollinkofficer',
                        'ordering': ['school__name'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('opened_on', models.DateField()),
                ('evidence', models.JSONField(blank=True, default=dict, help_text='The marks, dates or figures that fired the rule (cases.alerts.evidence).')),
                ('status', models.CharField(choices=[('open', 'To do'), ('done', 'Dealt with')], default='open', max_length=4)),
                ('done_at', models.DateTimeField(blank=True, null=True)),
                ('done_note', models.TextField(blank=True)),
                ('cleared_on', models.DateField(blank=True, help_text='The first evaluation at which the rule no longer held (or fired on something new after this episode was dealt with).', null=True)),
                ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='assigned_alerts', to=settings.AUTH_USER_MODEL)),
                ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('pupil', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='schools.pupil')),
                ('school', models.ForeignKey(help_text='The school whose register or record fired the rule.', on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='schools.school')),
                ('team', models.ForeignKey(blank=True, help_text="The team whose inbox holds the alert (the assignee's team, if any).", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='alerts', to='cases.team')),
                ('rule', models.ForeignKey(help_text='Switch a rule off rather than delete it: its alerts keep it.', on_delete=django.db.models.deletion.PROTECT, related_name='alerts', to='cases.alertrule')),
            ],
            options={
                'ordering': ['-opened_on', '-pk'],
                'indexes': [models.Index(fields=['-opened_on', '-id'], name='alert_opened_idx'), models.Index(fields=['assigned_to', 'status'], name='alert_assignee_idx'), models.Index(fields=['team', 'status'], name='alert_team_idx'), models.Index(fields=['school', 'status'], name='alert_school_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('cleared_on__isnull', True)), fields=('rule', 'pupil'), name='alert_one_open_episode', violation_error_message='This pupil already has an open alert from this rule.'), models.CheckConstraint(condition=models.Q(('status', 'open'), models.Q(('done_by__isnull', False), ('done_at__isnull', False)), _connector='OR'), name='alert_done_has_who_and_when'), models.CheckConstraint(condition=models.Q(('cleared_on__isnull', True), ('cleared_on__gte', models.F('opened_on')), _connector='OR'), name='alert_clears_after_opening')],
            },
        ),
    ]
