"""When a sender claimed a message or an email: one left `sending` past MESSAGE_SENDING_TIMEOUT_MINUTES
(its worker died) is claimed again."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0005_message_to_encrypted'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='claimed at'),
        ),
        migrations.AddField(
            model_name='notification',
            name='email_claimed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='email claimed at'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(('status', 'sending')), fields=['claimed_at'],
                               name='message_sending_idx'),
        ),
    ]
