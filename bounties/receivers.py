"""Reactions of the bounties app to events of the apps below it."""

from accounts.models import User


def reward_follow_linked_wallet(sender, *, user: User, **kwargs) -> None:
    """A winner who links a wallet gets their pending rewards addressed to it."""
    from bounties.services import reward_assign_recipient

    reward_assign_recipient(user=user)


def reward_forget_reclaimed_recipient(sender, *, user: User, **kwargs) -> None:
    """An account handed to its address's verified owner keeps no payout address someone else set:
    its pending rewards wait for the owner's own wallet."""
    from bounties.services import rewards_recipient_clear

    rewards_recipient_clear(user=user)
