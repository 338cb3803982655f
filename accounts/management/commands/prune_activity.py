"""Delete activity-log rows past their retention, in short batches."""

from argparse import ArgumentTypeError
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services.activity import PRUNE_BATCH_SIZE, activity_prune
from blocra.clock import clock


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number.") from None
    if number < 1:
        raise ArgumentTypeError(f"must be at least 1, not {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Delete activity-log rows older than the retention: ACTIVITY_RETENTION_DAYS days (default 365), "
        "or --days. A row created exactly at the cutoff is kept. Rows go oldest first, a batch of ids per "
        "DELETE, each batch committed on its own, so a large backlog never holds the database's write lock "
        "for long; an interrupted run is simply run again. Idempotent: a second run deletes nothing. "
        "Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=_positive,
            default=None,
            help="Keep this many days instead of ACTIVITY_RETENTION_DAYS (at least 1).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the rows that would be deleted; delete nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=PRUNE_BATCH_SIZE,
            help=f"Rows deleted per statement (default {PRUNE_BATCH_SIZE}).",
        )

    def handle(self, *args, days: int | None, dry_run: bool, batch_size: int, **options) -> None:
        retention = days if days is not None else settings.ACTIVITY_RETENTION_DAYS
        if retention < 1:
            # Settings refuse this at start-up; a test or a shell may still have changed them.
            raise CommandError(f"The retention must be at least 1 day, not {retention}.")
        now = datetime.fromtimestamp(clock().time(), tz=UTC)
        cutoff = now - timedelta(days=retention)
        count = activity_prune(older_than=cutoff, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {count} activity row(s) created before {cutoff.isoformat()} (kept: {retention} days)."
        )
