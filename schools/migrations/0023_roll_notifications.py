import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("schools", "0022_pn_entry_sort_name"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name='RollNotification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('admission', 'Admission (new pupil return)'), ('deletion', 'Deletion (deletion return)')], max_length=10)),
                ('upn', models.CharField(max_length=13, verbose_name='UPN')),
                ('first_name', models.CharField(max_length=80)),
                ('last_name', models.CharField(max_length=80)),
                ('date_of_birth', models.DateField()),
                ('sex', models.CharField(blank=True, choices=[('', 'Not given'), ('F', 'Female'), ('M', 'Male')], max_length=1)),
                ('nc_year', models.SmallIntegerField(blank=True, null=True, verbose_name='NC year')),
                ('event_date', models.DateField(help_text='Admission: the date the pupil was added to the admission register. Deletion: the date the name is (or is to be) deleted.')),
                ('address', models.CharField(blank=True, max_length=250, verbose_name="Pupil's address")),
                ('previous_school_name', models.CharField(blank=True, max_length=150)),
                ('ground', models.CharField(blank=True, choices=[('a', 'reg 9(1)(a): Registered at another school (not dual registration)'), ('b', 'reg 9(1)(b): Completed nursery education at the school and not expected to continue there'), ('c', 'reg 9(1)(c): Also registered at another school, which has agreed the deletion'), ('d', 'reg 9(1)(d): School attendance order amended by the LA to name another school'), ('e', 'reg 9(1)(e): School attendance order revoked: suitable education otherwise than at school arranged'), ('f', 'reg 9(1)(f): Parent has told the school in writing the pupil will be educated otherwise than at school'), ('g', 'reg 9(1)(g): No longer lives within a reasonable distance of the school (not a boarder)'), ('h', 'reg 9(1)(h): Not returned within 10 school days after a leave of absence, whereabouts unknown after enquiries'), ('i', "reg 9(1)(i): Continuously absent for 20 school days, whereabouts unknown after the school's and LA's enquiries"), ('j', 'reg 9(1)(j): Detained under a sentence of detention and not expected to return'), ('k', 'reg 9(1)(k): Has died'), ('l', 'reg 9(1)(l): Will cease to be of compulsory school age and is not continuing into the sixth form'), ('m', 'reg 9(1)(m): Boarder at a maintained school or academy whose boarding fees have not been paid'), ('n', 'reg 9(1)(n): Ceased to be a pupil of an independent or non-maintained special school'), ('o', 'reg 9(1)(o): Permanently excluded')], max_length=1)),
                ('new_address', models.CharField(blank=True, help_text='Where the pupil will live, if known.', max_length=250)),
                ('new_address_from', models.DateField(blank=True, null=True)),
                ('new_school_name', models.CharField(blank=True, help_text='The new school when outside the LA.', max_length=150)),
                ('new_school_start', models.DateField(blank=True, null=True)),
                ('parent_name', models.CharField(blank=True, max_length=160, verbose_name='Parent the pupil lives with')),
                ('parent_phone', models.CharField(blank=True, max_length=30)),
                ('notes', models.TextField(blank=True)),
                ('source', models.CharField(choices=[('page', 'Web page'), ('api', 'API'), ('csv', 'CSV upload')], default='page', max_length=4)),
                ('received_on', models.DateField(verbose_name='Date the LA received it')),
                ('due_on', models.DateField(blank=True, help_text='When the return was due (None: no term dates).', null=True)),
                ('late', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('status', models.CharField(choices=[('to_triage', 'To triage'), ('done', 'Done')], default='to_triage', max_length=10)),
                ('step', models.CharField(blank=True, choices=[('cme', 'Children missing education enquiry'), ('ehe', 'Elective home education register'), ('exclusion', 'Permanent exclusion record'), ('move', 'Moved to another school'), ('record', 'No further action')], max_length=10, verbose_name='Step taken')),
                ('ehe_record_pk', models.PositiveBigIntegerField(blank=True, null=True)),
                ('triaged_at', models.DateTimeField(blank=True, null=True)),
                ('triage_note', models.TextField(blank=True)),
                ('cme_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='roll_notifications', to='schools.cmerecord')),
                ('exclusion', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='roll_notifications', to='schools.exclusion')),
                ('new_school', models.ForeignKey(blank=True, help_text="The new school, when it is one of the LA's.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='schools.school')),
                ('pupil', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='roll_notifications', to='schools.pupil')),
                ('school', models.ForeignKey(help_text='The school making the return.', on_delete=django.db.models.deletion.PROTECT, related_name='roll_notifications', to='schools.school')),
                ('submitted_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('triaged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-received_on', '-pk'],
                'indexes': [models.Index(fields=['status', 'received_on'], name='roll_status_received_idx'), models.Index(fields=['school', 'kind', 'pupil'], name='roll_school_kind_pupil_idx'), models.Index(fields=['upn', 'kind'], name='roll_upn_kind_idx')],
                'constraints': [models.UniqueConstraint(fields=('school', 'kind', 'upn', 'event_date'), name='roll_notification_once', violation_error_message='This school has already sent this notice.'), models.CheckConstraint(condition=models.Q(('kind', 'admission'), models.Q(('ground', ''), _negated=True), _connector='OR'), name='roll_deletion_has_ground', violation_error_message='Choose the ground for the deletion.'), models.CheckConstraint(condition=models.Q(('new_school', models.F('school')), _negated=True), name='roll_new_school_differs', violation_error_message='The new school must be a different school.')],
            },
        ),
    ]
