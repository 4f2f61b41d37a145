import json

from django.core.management.base import BaseCommand, CommandError

from grids.services import GridImportError, grids_import


class Command(BaseCommand):
    help = (
        "Create or update grids from a GeoJSON FeatureCollection whose features carry the properties "
        "code (15 digits), name and community (12-digit community code). The file is checked whole "
        "first: any bad feature stops the import and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to a .geojson FeatureCollection")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text: {exc}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON: {exc}") from None

        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        if kind != "FeatureCollection" or not isinstance(data.get("features"), list):
            raise CommandError(f"{path}: expected a GeoJSON FeatureCollection with a features list, got {kind}")

        try:
            result = grids_import(features=data["features"])
        except GridImportError as exc:
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(f"{path}: nothing imported, {len(exc.problems)} problem(s):\n{lines}") from None
        self.stdout.write(
            f"Imported {result.created + result.updated} grids: {result.created} created, {result.updated} updated"
        )
