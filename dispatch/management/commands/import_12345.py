import csv
import datetime as dt
import math
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils import timezone

from dispatch.models import Case, Source
from dispatch.services import case_create
from haidian.calendar import SHANGHAI
from haidian.errors import InvalidInput
from haidian.workflow import SYSTEM

COLUMNS = ("time", "content", "address", "lat", "lng", "phone", "hotline_number")
TITLE_LENGTH = 30
# Spreadsheet exports often drop the zero padding or the seconds.
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
# A clock a few minutes apart from ours is not an error; a work order from tomorrow is.
_FUTURE_TOLERANCE = dt.timedelta(minutes=10)


class BadRow(ValueError):
    """A row that cannot become a case; the message names the problem for the clerk."""


@dataclass(frozen=True)
class WorkOrder:
    """One 12345 hotline work order (工单) as the CSV has it."""

    number: str
    reported_at: dt.datetime
    content: str
    address: str
    phone: str
    lat: float
    lng: float

    @property
    def title(self) -> str:
        return " ".join(self.content.split())[:TITLE_LENGTH]


def parse_time(value: str, now: dt.datetime) -> dt.datetime:
    """ISO 8601 or 2026/3/1 8:15; a time without an offset is Beijing time."""
    text = value.strip().replace("/", "-")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        for fmt in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise BadRow(f"time {value!r} is not a date and time like 2026-03-01 08:15:00") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=SHANGHAI)
    if moment > now + _FUTURE_TOLERANCE:
        raise BadRow(f"time {value!r} is in the future")
    return moment


def parse_coordinate(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise BadRow(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise BadRow(f"{name} {value!r} is not a number")
    return number


def _max_length(field: str) -> int:
    return Case._meta.get_field(field).max_length


def parse_row(row: dict[str, str | None], now: dt.datetime) -> WorkOrder:
    values = {column: (row.get(column) or "").strip() for column in COLUMNS}
    for column in ("time", "content", "lat", "lng", "hotline_number"):
        if not values[column]:
            raise BadRow(f"{column} is empty")
    for column, field in (("hotline_number", "external_id"), ("phone", "reporter_phone"), ("address", "address")):
        if len(values[column]) > _max_length(field):
            raise BadRow(f"{column} is longer than {_max_length(field)} characters")
    return WorkOrder(
        number=values["hotline_number"],
        reported_at=parse_time(values["time"], now),
        content=values["content"],
        address=values["address"],
        phone=values["phone"],
        lat=parse_coordinate("lat", values["lat"]),
        lng=parse_coordinate("lng", values["lng"]),
    )


def already_imported(number: str) -> bool:
    return Case.objects.filter(source=Source.HOTLINE_12345, external_id=number).exists()


class Command(BaseCommand):
    help = (
        "Import work orders of the 12345 citizen hotline from a UTF-8 CSV file (a BOM is fine) with the "
        "header time,content,address,lat,lng,phone,hotline_number. Each row becomes a reported case in "
        "the grid containing its point; a time without an offset is Beijing time. Work orders imported "
        "before (same hotline number) are skipped, so the same file can be imported again. Bad rows are "
        "listed by line on standard error and do not stop the good ones; the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .csv export of the hotline's work orders")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                imported, skipped, problems = self.import_rows(path, csv.reader(handle))
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror or exc}") from None

        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"Imported {imported} cases, skipped {skipped} already imported, {len(problems)} bad rows")
        if problems:
            raise CommandError(
                f"{path}: {len(problems)} bad row(s) not imported (listed above); every other row was "
                f"imported ({imported} now, {skipped} before)."
            )

    def import_rows(self, path: str, reader) -> tuple[int, int, list[str]]:
        imported, skipped, problems = 0, 0, []
        try:
            header = [name.strip() for name in next(reader, [])]
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text: {exc}") from None
        if not header:
            raise CommandError(f"{path}: the file is empty; expected the header {','.join(COLUMNS)}")
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise CommandError(f"{path}: the header lacks {', '.join(missing)}; expected {','.join(COLUMNS)}")

        now = timezone.now()
        while True:
            # A quoted field may span lines: a row starts on the line after the previous one ended.
            line = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError as exc:
                raise CommandError(
                    f"{path}: not UTF-8 text from line {line} on ({exc}); {imported} case(s) were imported "
                    "from the lines before it."
                ) from None
            except csv.Error as exc:
                problems.append(f"line {line}: not readable as CSV: {exc}")
                continue
            if not any(field.strip() for field in fields):
                continue  # blank lines and the empty rows spreadsheets leave at the end
            try:
                order = parse_row(dict(zip(header, fields, strict=False)), now)
            except BadRow as exc:
                problems.append(f"line {line}: {exc}")
                continue
            if already_imported(order.number):
                skipped += 1
                continue
            try:
                case_create(
                    actor=SYSTEM, source=Source.HOTLINE_12345, external_id=order.number, title=order.title,
                    description=order.content, address=order.address, reporter_phone=order.phone,
                    lat=order.lat, lng=order.lng, now=order.reported_at,
                )
            except InvalidInput as exc:
                messages = (str(message) for field_messages in exc.errors.values() for message in field_messages)
                problems.append(f"line {line}: " + " ".join(messages))
                continue
            except IntegrityError:
                # Another import of the same work order committed between the check and the insert.
                if not already_imported(order.number):
                    raise
                skipped += 1
                continue
            imported += 1
        return imported, skipped, problems
