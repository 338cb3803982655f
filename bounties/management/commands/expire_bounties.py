"""`manage.py expire_bounties [--dry-run]`: expire open bounties whose deadline has passed.

Idempotent: each bounty moves by a conditional update from open to expired, so a bounty already
expired, or changed meanwhile (cancelled, its deadline moved), is skipped; a second run expires
nothing. Run it from cron or a systemd timer, e.g. every minute.

Exit status: 0, with the count; 1 only when the database fails.
"""

from django.core.management.base import BaseCommand

from bounties.services import bounty_expire_due


class Command(BaseCommand):
    help = "Expire open bounties whose deadline has passed (safe to run repeatedly, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the bounties that would expire; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        ids = bounty_expire_due(dry_run=dry_run)
        for bounty_id in ids:
            self.stdout.write(f"{'would expire' if dry_run else 'expired'} {bounty_id}")
        verb = "would expire" if dry_run else "expired"
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} bounties {verb}."))
