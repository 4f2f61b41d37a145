"""`manage.py personal_data_rekey`: write every encrypted value again under the current key and cipher."""

from django.core.management.base import BaseCommand
from django.db import connection

from haidian.privacy import convert_rows, encrypted_columns, keyring


class Command(BaseCommand):
    help = ("After a new PERSONAL_DATA_KEY (and PERSONAL_DATA_KEY_ID, the old key in PERSONAL_DATA_KEYS_OLD): "
            "re-encrypt every personal-data column under the current key and cipher, in batches. Values "
            "already current are left alone, so it can be stopped and run again; then the old key can go.")

    def handle(self, *args, **options):
        total = 0
        for table, columns in encrypted_columns():
            changed = convert_rows(connection, table, columns, to="current")
            total += changed
            self.stdout.write(f"{table}: {changed} row(s) re-encrypted")
        ring = keyring()
        self.stdout.write(f"{total} row(s) now under key {ring.current} ({ring.cipher})")
