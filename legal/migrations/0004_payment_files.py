"""Payment files from the council's income system and their staged lines (legal.payments.models)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('legal', '0003_notify_messages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PaymentFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(max_length=200)),
                ('sha256', models.CharField(error_messages={'unique': 'This file has already been imported.'}, max_length=64, unique=True)),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('default_method', models.CharField(help_text='How the payments in the file were made (legal.Payment.Method), unless a line says otherwise.', max_length=6)),
                ('line_count', models.PositiveIntegerField(default=0)),
                ('matched_count', models.PositiveIntegerField(default=0)),
                ('queued_count', models.PositiveIntegerField(default=0)),
                ('duplicate_count', models.PositiveIntegerField(default=0)),
                ('total_amount', models.DecimalField(decimal_places=2, default=0, max_digits=12)),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-uploaded_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='PaymentLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('line_number', models.PositiveIntegerField(help_text='The line in the file, counting the header as line 1.')),
                ('paid_on', models.DateField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=9)),
                ('reference', models.CharField(blank=True, help_text='As the file gave it.', max_length=60)),
                ('reference_key', models.CharField(blank=True, help_text='The reference normalised for matching.', max_length=60)),
                ('payer', models.CharField(blank=True, max_length=120)),
                ('method', models.CharField(max_length=6)),
                ('status', models.CharField(choices=[('matched', 'Paid to its notice'), ('queued', 'In the queue: needs a decision'), ('duplicate', 'Already imported: ignored'), ('accepted', 'Suggestion accepted'), ('matched_by_hand', 'Matched by hand'), ('rejected', 'Rejected')], max_length=16)),
                ('problem', models.CharField(blank=True, choices=[('unmatched', 'No notice has this reference'), ('underpaid', 'Less than the amount due'), ('overpaid', 'More than the amount due'), ('late', 'Paid after the payment period'), ('already_paid', 'The notice was already paid'), ('withdrawn', 'The notice was withdrawn'), ('not_served', "The notice's service is not recorded"), ('refused', 'Refused for another reason')], max_length=14)),
                ('problem_detail', models.TextField(blank=True, help_text='Why it was not paid to a notice straight away.')),
                ('suggestions', models.JSONField(blank=True, default=list, help_text='[{notice, why, distance}] suggested matches, best first.')),
                ('refund_amount', models.DecimalField(blank=True, decimal_places=2, help_text="An overpayment's excess, to refund.", max_digits=9, null=True)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='legal.paymentline')),
                ('file', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='legal.paymentfile')),
                ('notice', models.ForeignKey(blank=True, help_text='The notice it was paid to, or the one its reference named.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='legal.penaltynotice')),
                ('payment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='file_line', to='legal.payment')),
            ],
            options={
                'ordering': ['file', 'line_number'],
                'indexes': [models.Index(fields=['paid_on', 'amount', 'reference_key'], name='payment_line_seen_idx'), models.Index(fields=['status', 'paid_on'], name='payment_line_queue_idx')],
                'constraints': [models.UniqueConstraint(fields=('file', 'line_number'), name='payment_line_unique_line'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'rejected'), _negated=True), models.Q(('decision_note', ''), _negated=True), _connector='OR'), name='payment_line_rejected_has_reason', violation_error_message='Say why the payment is rejected.'), models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['matched', 'accepted', 'matched_by_hand']), _negated=True), ('payment__isnull', False), _connector='OR'), name='payment_line_matched_has_payment'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_line_amount_positive')],
            },
        ),
    ]
