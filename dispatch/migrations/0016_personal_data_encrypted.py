"""Reporters' name, phone and email encrypted at rest with blind indexes for the phone and email
(haidian.privacy), and the retention job's mark and indexes."""

import haidian.privacy
from django.conf import settings
from django.db import migrations, models

ENCRYPT = haidian.privacy.encrypting("dispatch_case", {'reporter_phone': 'reporter_phone_index', 'reporter_email': 'reporter_email_index', 'reporter_name': None})


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_forces_in_every_street'),
        ('dispatch', '0015_defaults_in_the_database'),
        ('grids', '0002_patrol'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='personal_data_erased_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='personal data erased at'),
        ),
        migrations.AddField(
            model_name='case',
            name='reporter_email_index',
            field=haidian.privacy.BlindIndexField(db_default='', source='reporter_email'),
        ),
        migrations.AddField(
            model_name='case',
            name='reporter_phone_index',
            field=haidian.privacy.BlindIndexField(db_default='', source='reporter_phone'),
        ),
        migrations.AlterField(
            model_name='case',
            name='reporter_email',
            field=haidian.privacy.EncryptedEmailField(blank=True, db_default='', max_length=254, verbose_name='reporter email'),
        ),
        migrations.AlterField(
            model_name='case',
            name='reporter_name',
            field=haidian.privacy.EncryptedCharField(blank=True, db_default='', max_length=50, verbose_name='reporter name'),
        ),
        migrations.AlterField(
            model_name='case',
            name='reporter_phone',
            field=haidian.privacy.EncryptedCharField(blank=True, db_default='', max_length=20, verbose_name='reporter phone'),
        ),
        # Rows already there are encrypted (and indexed) in batches; back again on reversal.
        migrations.RunPython(*ENCRYPT, elidable=False),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('reporter_phone_index', ''), _negated=True), fields=['reporter_phone_index'], name='case_reporter_phone_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('reporter_email_index', ''), _negated=True), fields=['reporter_email_index'], name='case_reporter_email_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('personal_data_erased_at', None), ('status', 'closed')), fields=['closed_at'], name='case_retention_closed_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('personal_data_erased_at', None), ('status', 'rejected')), fields=['rejected_at'], name='case_retention_rejected_idx'),
        ),
    ]
