"""`manage.py verify_payouts [--limit N] [--dry-run]`: check the transactions of processing rewards again.

Safe to run from cron or a systemd timer, as often as wanted and even twice at once: each check is
the same idempotent one as POST /rewards/{id}/verify (the chain is read first, then the reward is
re-read under a lock), and a reward still pre-confirmed or unknown to the node is left as it is.

Exit status: 0 when the batch was checked, whatever the rewards' outcomes; 1 (CommandError) only when
the node could not be asked about any of them (every check met node trouble), so a timer alerts on
an unreachable or broken node and not on a transaction that is merely still pending.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blocra import starknet
from blocra.errors import ApiError
from bounties.errors import PayoutRefused, TransactionNotFound, TransferAlreadyUsed
from bounties.models import Reward
from bounties.services import reward_payout_verify

DEFAULT_LIMIT = 100


class Command(BaseCommand):
    help = "Check processing rewards' payout transactions on Starknet again (idempotent; safe from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_LIMIT,
            help=f"Check at most this many processing rewards, oldest first (default {DEFAULT_LIMIT}).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the rewards that would be checked; ask no node, change nothing.",
        )

    def handle(self, *args, limit: int = DEFAULT_LIMIT, dry_run: bool = False, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        batch = list(
            Reward.objects.filter(status=Reward.Status.PROCESSING)
            .order_by("updated_at", "id")
            .values_list("id", "transaction_hash")[:limit]
        )
        if dry_run:
            for reward_id, tx_hash in batch:
                self.stdout.write(f"would check {reward_id} ({tx_hash})")
            self.stdout.write(self.style.SUCCESS(f"{len(batch)} processing rewards would be checked."))
            return

        counts = {"paid": 0, "processing": 0, "failed": 0, "not found": 0, "node trouble": 0, "other": 0}
        for reward_id, tx_hash in batch:
            outcome = self._check(reward_id)
            counts[outcome] += 1
            self.stdout.write(f"{reward_id} ({tx_hash}): {outcome}")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items() if count)
        self.stdout.write(f"Checked {len(batch)} processing rewards" + (f": {summary}." if summary else "."))
        if batch and counts["node trouble"] == len(batch):
            raise CommandError("The Starknet node could not be asked about any reward.")

    def _check(self, reward_id) -> str:
        try:
            reward = reward_payout_verify(reward_id=reward_id)
        except TransactionNotFound:
            return "not found"
        except (PayoutRefused, TransferAlreadyUsed) as exc:
            self.stderr.write(f"{reward_id}: {exc.message}")
            return "failed"
        except starknet.NodeError:
            return "node trouble"
        except ApiError as exc:
            # A reward changed meanwhile (paid through the API, say) or its token cannot be read.
            self.stderr.write(f"{reward_id}: {exc.message}")
            return "other"
        return reward.status
