"""Reactions of the bounties app to events of the apps below it."""

from collections.abc import Iterable

from accounts.models import User

# The creator's fields the bounty list and detail show.
CREATOR_FIELDS = frozenset({"username", "wallet_address"})


def reward_follow_linked_wallet(sender, *, user: User, **kwargs) -> None:
    """A winner who links a wallet gets their pending rewards addressed to it."""
    from bounties.services import reward_assign_recipient

    reward_assign_recipient(user=user)


def reward_forget_reclaimed_recipient(sender, *, user: User, **kwargs) -> None:
    """An account handed to its address's verified owner keeps no payout address someone else set:
    its pending rewards wait for the owner's own wallet."""
    from bounties.services import rewards_recipient_clear

    rewards_recipient_clear(user=user)


def bounty_reads_follow_bounty(sender, *, using: str, **kwargs) -> None:
    """A bounty saved or deleted (by a service, the admin site, a command, a fixture): the cached list
    and detail answers retire (bulk writes: bounties.querysets)."""
    from bounties.caching import bounty_reads_changed

    bounty_reads_changed(using=using)


def bounty_reads_follow_creator(
    sender, *, created: bool, update_fields: Iterable[str] | None, using: str, **kwargs
) -> None:
    """A user's username or wallet changed (or any field of a full save): the cached answers,
    which show them as a bounty's creator, retire. A new user has created no bounty yet."""
    if created or (update_fields is not None and not CREATOR_FIELDS.intersection(update_fields)):
        return
    from bounties.caching import bounty_reads_changed

    bounty_reads_changed(using=using)


def bounty_reads_follow_migrate(sender, *, using: str, **kwargs) -> None:
    """Migrations may rewrite bounties with historical models, which the hooks above do not see."""
    from bounties.caching import bounty_reads_changed

    bounty_reads_changed(using=using)
