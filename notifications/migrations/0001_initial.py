"""Notifications move from dispatch to their own app: the same tables, taken over as they are
(dispatch 0012 forgets them, 0002 here renames them and replaces the case link)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dispatch", "0011_case_case_escalated_open_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100, verbose_name='key')),
                        ('kind', models.CharField(choices=[('yellow_card', 'time running out'), ('red_card', 'past the due time'), ('escalated', 'escalated to the district'), ('letter', 'deadline letter'), ('rating', 'rate the handling of your report'), ('assessment', 'assessment forms to fill')], max_length=20, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('email_status', models.CharField(blank=True, choices=[('', 'no email'), ('pending', 'to send'), ('sending', 'sending'), ('sent', 'sent'), ('failed', 'failed')], default='', max_length=10, verbose_name='email')),
                        ('email_attempts', models.PositiveSmallIntegerField(default=0, verbose_name='email attempts')),
                        ('emailed_at', models.DateTimeField(blank=True, null=True, verbose_name='emailed at')),
                        ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='dispatch.case', verbose_name='case')),
                        ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', '-created_at', '-id'], name='notification_user_idx'), models.Index(condition=models.Q(('read_at', None)), fields=['user'], name='notification_unread_idx'), models.Index(condition=models.Q(('email_status__in', ['pending', 'sending'])), fields=['email_status'], name='notification_email_todo_idx')],
                        'constraints': [models.UniqueConstraint(fields=('user', 'key'), name='notification_once_per_user')],
                        'db_table': 'dispatch_notification',
                    },
                ),
                migrations.CreateModel(
                    name='NotificationSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('by_email', models.BooleanField(default=True, verbose_name='also by email')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_settings', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'notification settings',
                        'verbose_name_plural': 'notification settings',
                        'db_table': 'dispatch_notificationsettings',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
