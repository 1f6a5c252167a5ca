import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0023_roll_notifications'),
    ]

    operations = [
        migrations.CreateModel(
            name='HomeEducationRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('notified_on', models.DateField(verbose_name='Date the LA was notified')),
                ('source', models.CharField(choices=[('parent', 'Parent told the LA'), ('school_deletion', 'School deletion notice'), ('other', 'Other (another LA, health, social care)')], max_length=20)),
                ('reasons', models.JSONField(blank=True, default=list, help_text='Codes from schools.ehe.rules.REASONS.', verbose_name='Reasons given')),
                ('reasons_detail', models.TextField(blank=True, verbose_name="Reasons in the parent's words")),
                ('sen_status', models.CharField(blank=True, help_text='Copied from the pupil record (E = EHC plan, K = SEN support).', max_length=1, verbose_name='SEN status when notified')),
                ('consent_required', models.BooleanField(default=False, help_text='An EHCP pupil at a special school (Pupil Registration Regulations 2024, reg 9).', verbose_name='LA consent needed to deregister')),
                ('consent_decision', models.CharField(choices=[('not_needed', 'Not needed'), ('pending', 'Consent needed: decision pending'), ('given', 'LA consented'), ('refused', 'LA refused consent')], default='not_needed', max_length=12)),
                ('consent_decided_on', models.DateField(blank=True, null=True)),
                ('consent_notes', models.TextField(blank=True)),
                ('suitability', models.CharField(choices=[('not_known', 'Not yet known'), ('suitable', 'Suitable'), ('not_suitable', 'Appears not suitable')], default='not_known', max_length=12)),
                ('suitability_assessed_on', models.DateField(blank=True, null=True)),
                ('suitability_notes', models.TextField(blank=True)),
                ('enquiry_sent_on', models.DateField(blank=True, null=True, verbose_name='Informal enquiry sent')),
                ('enquiry_response_due', models.DateField(blank=True, null=True, verbose_name='Reply due')),
                ('enquiry_response_on', models.DateField(blank=True, null=True, verbose_name='Reply received')),
                ('enquiry_response', models.TextField(blank=True, verbose_name='Reply')),
                ('status', models.CharField(choices=[('open', 'Open: home educated'), ('returned', 'Returned to school'), ('closed', 'Closed (moved away, past school age, other)')], default='open', max_length=10)),
                ('returned_on', models.DateField(blank=True, null=True, verbose_name='Returned to school on')),
                ('closed_on', models.DateField(blank=True, null=True)),
                ('closed_reason', models.CharField(blank=True, max_length=200)),
                ('notes', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('cnis_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='home_education_record', to='schools.childnotinschool')),
                ('consent_decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('officer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='home_education_records', to=settings.AUTH_USER_MODEL)),
                ('pupil', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='home_education_records', to='schools.pupil')),
                ('return_school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='schools.school')),
                ('source_notification', models.ForeignKey(blank=True, help_text="The school's deletion notice this record came from.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='home_education_records', to='schools.rollnotification')),
                ('school', models.ForeignKey(blank=True, help_text='The school the child was on the roll of, if any.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='home_education_records', to='schools.school')),
                ('suitability_assessed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'elective home education record',
                'ordering': ['-notified_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='HomeEducationContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('contact_on', models.DateField()),
                ('kind', models.CharField(choices=[('home_visit', 'Home visit'), ('meeting', 'Meeting elsewhere'), ('phone', 'Phone call'), ('letter', 'Letter or e-mail'), ('report', 'Written report or samples of work received')], max_length=12)),
                ('outcome', models.CharField(choices=[('seen', 'Education seen or described'), ('info', 'Information received'), ('no_response', 'No response'), ('declined', 'Parent declined contact'), ('arranged', 'Further contact arranged'), ('concern', 'Concern raised')], max_length=12)),
                ('notes', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='schools.homeeducationrecord')),
            ],
            options={
                'verbose_name': 'home education contact',
                'ordering': ['-contact_on', '-pk'],
            },
        ),
        migrations.AddIndex(
            model_name='homeeducationrecord',
            index=models.Index(fields=['status', '-notified_on'], name='ehe_status_notified_idx'),
        ),
        migrations.AddIndex(
            model_name='homeeducationrecord',
            index=models.Index(fields=['status', 'enquiry_response_due'], name='ehe_enquiry_due_idx'),
        ),
        migrations.AddConstraint(
            model_name='homeeducationrecord',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'returned'), _negated=True), models.Q(('returned_on__isnull', False), ('return_school__isnull', False)), _connector='OR'), name='ehe_return_names_school_and_date', violation_error_message='A return to school names the school and the date.'),
        ),
        migrations.AddConstraint(
            model_name='homeeducationrecord',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('pupil',), name='ehe_one_open_record', violation_error_message='This child already has an open home education record.'),
        ),
        migrations.AddConstraint(
            model_name='homeeducationrecord',
            constraint=models.CheckConstraint(condition=models.Q(('enquiry_sent_on__isnull', True), ('enquiry_response_due__isnull', False), _connector='OR'), name='ehe_enquiry_has_due_date'),
        ),
    ]
