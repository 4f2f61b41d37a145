import json

from django.core.management.base import BaseCommand, CommandError

from grids.services import grids_export


class Command(BaseCommand):
    help = (
        "Write every grid as a GeoJSON FeatureCollection (the format import_grids reads) to FILE, "
        "or to standard output when no FILE is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write the .geojson (default: standard output)")

    def handle(self, *args, **options):
        collection = grids_export()
        text = json.dumps(collection, ensure_ascii=False)
        path = options["file"]
        if not path:
            self.stdout.write(text)
            return
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.write("\n")
        except OSError as exc:
            raise CommandError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
        self.stderr.write(f"Exported {len(collection['features'])} grids to {path}")
