"""Delete wallet sign-in challenges that expired long enough ago, all at once.

Not needed regularly: issuing a challenge already purges a batch of long-expired ones. It clears a
backlog (e.g. after a flood of challenge requests) or keeps the table shorter than the hour of grace."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import wallet_challenges_purge


class Command(BaseCommand):
    help = "Delete wallet sign-in challenges that expired more than --older-than-hours ago (default 24)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="Delete challenges that expired more than this many hours ago (default 24; 0: all expired ones).",
        )

    def handle(self, *args, older_than_hours: int, **options):
        cutoff = timezone.now() - timedelta(hours=max(0, older_than_hours))
        deleted = wallet_challenges_purge(expired_before=cutoff)
        self.stdout.write(f"Deleted {deleted} wallet challenge(s) that expired before {cutoff.isoformat()}.")
