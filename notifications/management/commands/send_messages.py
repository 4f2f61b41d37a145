"""`manage.py send_messages`: send the messages waiting for reporters, as the Celery task does."""

from django.core.management.base import BaseCommand

from notifications.messages import send_pending_messages


class Command(BaseCommand):
    help = ("Send the SMS and emails waiting for reporters, each at most once (a failed one waits for "
            "its next attempt); safe to run alongside the workers.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="send at most this many (1000)")

    def handle(self, *args, limit: int, **options):
        result = send_pending_messages(limit=limit)
        self.stdout.write(f"{result.sent} sent, {result.retrying} to try again, {result.failed} failed, "
                          f"{result.skipped} skipped (opted out)")
