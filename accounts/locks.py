"""Row locks of the accounts app, the only place that takes them."""

from accounts.models import User


def user_lock(user_id: int) -> User:
    """The user, locked while the profile changes: of a profile edit and a picture upload at once, the
    second sees the picture the first wrote (and deletes the right file once replaced); of two
    moderations at once, the second sees the role and activation the first left. User.DoesNotExist
    when there is none."""
    return User.objects.select_for_update().get(pk=user_id)
