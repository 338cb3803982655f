"""`manage.py flush_expired_tokens`: delete credentials that can no longer be used.

- refresh-token records past their expiry, with their blacklist rows: what simplejwt's own
  `flushexpiredtokens` deletes (it stays available), here counted;
- wallet sign-in challenges that expired over an hour ago (the grace the sign-in flow keeps itself;
  `purge_wallet_challenges --older-than-hours N` chooses another).

Email confirmation links are signed and hold no row, so there is nothing of theirs to delete. Idempotent:
run it daily from cron or a systemd timer; a second run deletes nothing.

Exit status: 0, with the counts; 1 only when the database fails.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import sessions_flush_expired, wallet_challenges_purge
from accounts.services.wallet import CHALLENGE_PURGE_GRACE


class Command(BaseCommand):
    help = (
        "Delete expired refresh-token records (with their blacklist rows) and long-expired wallet sign-in "
        "challenges, printing how many (idempotent; run daily)."
    )

    def handle(self, *args, **options) -> None:
        tokens = sessions_flush_expired()
        challenges = wallet_challenges_purge(expired_before=timezone.now() - CHALLENGE_PURGE_GRACE)
        self.stdout.write(
            f"Deleted {tokens.outstanding} expired refresh token(s) ({tokens.blacklisted} of them blacklisted) "
            f"and {challenges} expired wallet challenge(s)."
        )
