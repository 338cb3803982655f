"""Deleting rows past their retention in short batches, and the management command shape every
`prune_<rows>` command shares (`--days`, `--dry-run`, `--batch-size`)."""

import abc
from argparse import ArgumentTypeError
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model, QuerySet

from blocra.clock import clock

# Rows deleted per statement: each DELETE is short, so a large backlog never holds SQLite's write lock
# (or PostgreSQL row locks) for long.
PRUNE_BATCH_SIZE = 5000


def delete_in_batches(expired: QuerySet[Any], *, order_by: str, batch_size: int = PRUNE_BATCH_SIZE) -> int:
    """Delete the rows of `expired`, first by `order_by`, `batch_size` ids per DELETE, each batch
    committed on its own (so an interrupted run keeps what it did); returns how many."""
    model: type[Model] = expired.model
    deleted = 0
    while True:
        ids = list(expired.order_by(order_by).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        removed, _ = model._default_manager.filter(pk__in=ids).delete()
        deleted += removed


def positive_whole_number(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number.") from None
    if number < 1:
        raise ArgumentTypeError(f"must be at least 1, not {number}.")
    return number


class PruneCommand(BaseCommand, abc.ABC):
    """Delete rows older than a retention in days: the setting `retention_setting`, or --days."""

    # What is deleted, as the report says it ("activity row(s)"), and the setting of the retention.
    rows: str
    retention_setting: str

    @abc.abstractmethod
    def prune(self, *, older_than: datetime, batch_size: int, dry_run: bool) -> int:
        """Delete (or with `dry_run` count) the rows created before `older_than`; returns how many."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=positive_whole_number,
            default=None,
            help=f"Keep this many days instead of {self.retention_setting} (at least 1).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count the rows that would be deleted.")
        parser.add_argument(
            "--batch-size",
            type=positive_whole_number,
            default=PRUNE_BATCH_SIZE,
            help=f"Rows deleted per statement (default {PRUNE_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, days: int | None, dry_run: bool, batch_size: int, **options: Any) -> None:
        retention = days if days is not None else int(getattr(settings, self.retention_setting))
        if retention < 1:
            # Settings refuse this at start-up; a test or a shell may still have changed them.
            raise CommandError(f"The retention must be at least 1 day, not {retention}.")
        now = datetime.fromtimestamp(clock().time(), tz=UTC)
        cutoff = now - timedelta(days=retention)
        count = self.prune(older_than=cutoff, batch_size=batch_size, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} {self.rows} created before {cutoff.isoformat()} (kept: {retention} days).")
