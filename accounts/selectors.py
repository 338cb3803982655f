"""Reads of the accounts app."""

from django.db.models import QuerySet

from accounts.models import Notification, User

# The columns the inbox renders (accounts.representations.NOTIFICATION).
NOTIFICATION_COLUMNS = ("id", "kind", "actor_id", "bounty_id", "payload", "created_at", "read_at")


def _by_email(email: str) -> QuerySet[User]:
    # email_lower is what the unique constraint indexes, so the lookup uses that index.
    return User.objects.filter(email_lower=email.strip().lower())


def user_by_email(*, email: str) -> User | None:
    """The user with this email address, compared case-insensitively, if any."""
    return _by_email(email).first()


def user_by_google_id(*, google_id: str) -> User | None:
    """The user linked to this Google account (`sub` claim), if any."""
    return User.objects.filter(google_id=google_id).first()


def user_email_taken(*, email: str, exclude_pk: int | None = None) -> bool:
    """Whether an account (other than `exclude_pk`) holds this email address, case-insensitively."""
    queryset = _by_email(email)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.exists()


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first (ids grow with creation); only unread ones with
    `unread=True`, only read ones with `unread=False`."""
    notifications = Notification.objects.filter(recipient=user)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.only(*NOTIFICATION_COLUMNS).order_by("-id")


def notification_unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread (one COUNT on the unread index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
