"""Who may manage a bounty: its creator and admins. Services call these; views only add authentication."""

from accounts.models import User
from bounties.errors import NotOwner
from bounties.models import Bounty


def user_can_manage_bounty(*, user: User, bounty: Bounty) -> bool:
    return bool(user.is_authenticated) and (user.is_admin or bounty.created_by_id == user.pk)


def ensure_can_manage_bounty(*, user: User, bounty: Bounty) -> None:
    """Raises NotOwner (403) unless `user` created the bounty or is an admin."""
    if not user_can_manage_bounty(user=user, bounty=bounty):
        raise NotOwner()
