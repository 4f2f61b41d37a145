"""The address of a message to a reporter, encrypted at rest, found by its blind index."""

import haidian.privacy
from django.db import migrations

ENCRYPT = haidian.privacy.encrypting("notifications_message", {'to': 'to_index'})


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_send_messages_schedule'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='to_index',
            field=haidian.privacy.BlindIndexField(db_default='', db_index=True, source='to'),
        ),
        migrations.AlterField(
            model_name='message',
            name='to',
            field=haidian.privacy.EncryptedCharField(max_length=254, verbose_name='to'),
        ),
        # Rows already there are encrypted (and indexed) in batches; back again on reversal.
        migrations.RunPython(*ENCRYPT, elidable=False),
    ]
