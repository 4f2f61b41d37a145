"""What the management commands that act "as of now, or --now" share (the sweeps beat also runs)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from haidian.calendar import SHANGHAI


class AsOfCommand(BaseCommand):
    """A command with `--now ISO8601` (Asia/Shanghai when it has no offset); `self.as_of(now)` is the
    instant to act as of."""

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the instant to act as of (ISO 8601; Asia/Shanghai if no offset)")

    def as_of(self, now: str | None) -> dt.datetime:
        if not now:
            return timezone.now()
        try:
            moment = dt.datetime.fromisoformat(now)
        except ValueError:
            raise CommandError(f"--now: {now!r} is not an ISO 8601 date and time") from None
        return moment.replace(tzinfo=SHANGHAI) if timezone.is_naive(moment) else moment
