"""Messages to reporters (SMS and email to people without an account) and their opt-outs."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_case_link_and_tables'),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageOptOut',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address_hash', models.CharField(max_length=64, unique=True, verbose_name='address (hashed)')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
            ],
            options={
                'verbose_name': 'message opt-out',
                'verbose_name_plural': 'message opt-outs',
            },
        ),
        migrations.CreateModel(
            name='Message',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=100, unique=True, verbose_name='key')),
                ('channel', models.CharField(choices=[('sms', 'SMS'), ('email', 'email')], max_length=5, verbose_name='channel')),
                ('to', models.CharField(max_length=254, verbose_name='to')),
                ('template', models.CharField(help_text='What the message says, e.g. received, dispatched, result.', max_length=20, verbose_name='template')),
                ('text', models.TextField(verbose_name='text')),
                ('case_number', models.CharField(blank=True, max_length=20, verbose_name='case number')),
                ('status', models.CharField(choices=[('pending', 'to send'), ('sending', 'sending'), ('sent', 'sent'), ('failed', 'failed'), ('skipped_opt_out', 'not sent: opted out')], default='pending', max_length=16, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
            ],
            options={
                'verbose_name': 'message to a reporter',
                'verbose_name_plural': 'messages to reporters',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['id'], name='message_pending_idx'), models.Index(fields=['case_number', '-created_at', '-id'], name='message_case_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'sent', 'failed', 'skipped_opt_out'])), name='message_status_valid'), models.CheckConstraint(condition=models.Q(('channel__in', ['sms', 'email'])), name='message_channel_valid')],
            },
        ),
    ]
