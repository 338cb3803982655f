"""Delete inbox notifications past their retention, in short batches."""

from datetime import datetime

from accounts.services.notifications import notifications_prune
from blocra.pruning import PruneCommand


class Command(PruneCommand):
    help = (
        "Delete notifications older than the retention, read or not: NOTIFICATION_RETENTION_DAYS days "
        "(default 180), or --days. One created exactly at the cutoff is kept. Oldest first, a batch of ids "
        "per DELETE, each batch committed on its own; idempotent. Run it daily (cron or a systemd timer)."
    )
    rows = "notification(s)"
    retention_setting = "NOTIFICATION_RETENTION_DAYS"

    def prune(self, *, older_than: datetime, batch_size: int, dry_run: bool) -> int:
        return notifications_prune(older_than=older_than, batch_size=batch_size, dry_run=dry_run)
