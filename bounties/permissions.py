"""Who may manage a bounty: its creator and admins. Services call these; views only add authentication."""

from accounts.models import User
from bounties.errors import NotOwner
from bounties.models import Bounty


def user_can_manage_bounty(*, user: User, bounty: Bounty) -> bool:
    return bool(user.is_authenticated) and (user.is_admin or bounty.created_by_id == user.pk)


def moderation_metadata(*, actor: User | None, bounty: Bounty) -> dict[str, bool]:
    """Activity-log metadata marking a moderation: `{"moderation": True}` when `actor` acts on a bounty
    someone else created (an admin, through the API or the admin site), else nothing. No actor (the
    system) is no moderation, and then the bounty's creator is not read."""
    if actor is None or bounty.created_by_id == actor.pk:
        return {}
    return {"moderation": True}


def ensure_can_manage_bounty(*, user: User, bounty: Bounty) -> None:
    """Raises NotOwner (403) unless `user` created the bounty or is an admin."""
    if not user_can_manage_bounty(user=user, bounty=bounty):
        raise NotOwner()
