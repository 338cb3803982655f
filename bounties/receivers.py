"""Reactions of the bounties app to events of the apps below it."""

from accounts.models import User


def reward_follow_linked_wallet(sender, *, user: User, **kwargs) -> None:
    """A winner who links a wallet gets their pending rewards addressed to it."""
    from bounties.services import reward_assign_recipient

    reward_assign_recipient(user=user)
