from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from haidian import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the media folder into a new folder named by "
        "the date and time under --dir (default BACKUP_DIR, var/backups/), with a manifest of every "
        "table's row count and checksum. Restore with `manage.py restore`; see docs/security.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="where the dated backup folder is made (default BACKUP_DIR)")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        try:
            result = backups.backup(directory=options["dir"], using=options["database"])
        except backups.BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(f"Backed up {result.tables} tables ({result.rows} rows) and {result.media_files} media "
                          f"files into {result.folder} ({result.bytes / 1_000_000:.1f} MB)")
