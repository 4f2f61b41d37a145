"""The email an Open311 request gave, encrypted at rest."""

import haidian.privacy
from django.db import migrations

ENCRYPT = haidian.privacy.encrypting("open311_servicerequest", {'email': None})


class Migration(migrations.Migration):

    dependencies = [
        ('open311', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='servicerequest',
            name='email',
            field=haidian.privacy.EncryptedEmailField(blank=True, max_length=254, verbose_name='email'),
        ),
        # Rows already there are encrypted (and indexed) in batches; back again on reversal.
        migrations.RunPython(*ENCRYPT, elidable=False),
    ]
