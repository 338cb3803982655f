"""Delete activity-log rows past their retention, in short batches."""

from datetime import datetime

from accounts.services.activity import activity_prune
from blocra.pruning import PruneCommand


class Command(PruneCommand):
    help = (
        "Delete activity-log rows older than the retention: ACTIVITY_RETENTION_DAYS days (default 365), "
        "or --days. A row created exactly at the cutoff is kept. Rows go oldest first, a batch of ids per "
        "DELETE, each batch committed on its own, so a large backlog never holds the database's write lock "
        "for long; an interrupted run is simply run again. Idempotent: a second run deletes nothing. "
        "Run it daily (cron or a systemd timer)."
    )
    rows = "activity row(s)"
    retention_setting = "ACTIVITY_RETENTION_DAYS"

    def prune(self, *, older_than: datetime, batch_size: int, dry_run: bool) -> int:
        return activity_prune(older_than=older_than, batch_size=batch_size, dry_run=dry_run)
