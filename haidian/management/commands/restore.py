from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haidian import backups


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `manage.py backup` into a new (or empty) PostgreSQL database "
        "given by --database-url (created if it does not exist), check every table's row count and "
        "checksum against the backup's manifest, and unpack the media into --media-root (default "
        "MEDIA_ROOT; it must be empty or absent). The running site's database is never the target "
        "unless you name it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup folder, e.g. var/backups/20261204-191002")
        parser.add_argument("--database-url", required=True,
                            help="postgres://user:password@host:port/name of the database to restore into")
        parser.add_argument("--media-root", type=Path, help="where the media go (default MEDIA_ROOT)")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")

    def handle(self, *args, **options):
        media_root = None if options["no_media"] else (options["media_root"] or Path(settings.MEDIA_ROOT))
        try:
            result = backups.restore(folder=options["path"], database_url=options["database_url"],
                                     media_root=media_root)
        except backups.BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        media = f", {result.media_files} media files into {media_root}" if media_root is not None else ""
        self.stdout.write(f"Restored {result.tables} tables ({result.rows} rows, every count and checksum as in "
                          f"the backup) into database {result.database}{media}")
