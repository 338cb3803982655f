"""Writes of rewards that are not payouts: giving a waiting reward its recipient."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from bounties.locks import rewards_addressed_lock, rewards_waiting_for_wallet_lock
from bounties.models import Reward


def reward_assign_recipient(*, user: User) -> int:
    """Address the user's pending rewards that have no recipient yet to their linked wallet; returns how
    many. The wallet-link flow calls this after storing `user.wallet_address`; a no-op without one."""
    if not user.wallet_address:
        return 0
    with transaction.atomic():
        waiting = rewards_waiting_for_wallet_lock(user=user)
        if not waiting:
            return 0
        Reward.objects.filter(pk__in=waiting, recipient_address__isnull=True).update(
            recipient_address=user.wallet_address, updated_at=timezone.now()
        )
        for reward_id in waiting:
            activity_record(
                action="reward.recipient_assigned",
                actor=user,
                target_type="reward",
                target_id=reward_id,
                metadata={"recipient_address": user.wallet_address},
            )
    return len(waiting)


def rewards_recipient_clear(*, user: User) -> int:
    """Take the payout address off the user's pending rewards (they wait for a wallet the owner links);
    returns how many. Rewards already being paid (`processing`) or paid keep theirs: the money moved.
    Runs in the caller's transaction or its own."""
    with transaction.atomic():
        addressed = rewards_addressed_lock(user=user)
        if not addressed:
            return 0
        Reward.objects.filter(pk__in=[reward_id for reward_id, _ in addressed]).update(
            recipient_address=None, updated_at=timezone.now()
        )
        for reward_id, address in addressed:
            activity_record(
                action="reward.recipient_cleared",
                actor=user,
                target_type="reward",
                target_id=reward_id,
                metadata={"previous_recipient": address},
            )
    return len(addressed)
