"""Co-managers' phones encrypted at rest, found by their blind index."""

import haidian.privacy
from django.db import migrations

ENCRYPT = haidian.privacy.encrypting("comanagers_comanager", {'phone': 'phone_index'})


class Migration(migrations.Migration):

    dependencies = [
        ('comanagers', '0002_seed_posts'),
    ]

    operations = [
        migrations.AddField(
            model_name='comanager',
            name='phone_index',
            field=haidian.privacy.BlindIndexField(db_index=True, source='phone'),
        ),
        migrations.AlterField(
            model_name='comanager',
            name='phone',
            field=haidian.privacy.EncryptedCharField(max_length=20, verbose_name='phone'),
        ),
        # Rows already there are encrypted (and indexed) in batches; back again on reversal.
        migrations.RunPython(*ENCRYPT, elidable=False),
    ]
