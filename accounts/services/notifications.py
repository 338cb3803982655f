"""The in-app inbox: notifications the services of every app write in the transaction of the change they
tell about (so a rolled-back change leaves none), and their recipient marking them read.

Each notification is also pushed to its recipient's sockets (ws/notifications) once the transaction
commits, in the inbox's JSON shape; so is marking read, so that the user's other devices clear theirs.

Nobody is told about their own action: the actor is left out of the recipients (a database constraint
backs this up).
"""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from accounts.errors import NotificationNotFound
from accounts.models import Notification, User
from accounts.notification_serializers import NOTIFICATION
from blocra.pruning import PRUNE_BATCH_SIZE, delete_in_batches
from blocra.realtime import client_event, publish_on_commit, user_group


def _actor_id(actor: User | None) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def notification_create(
    *,
    recipient_id: int,
    kind: str,
    actor: User | None = None,
    bounty_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> Notification | None:
    """Tell `recipient_id` about `kind` (one INSERT), in the caller's transaction. Returns None and writes
    nothing when the recipient is the actor."""
    created = notification_create_many(
        recipient_ids=[recipient_id], kind=kind, actor=actor, bounty_id=bounty_id, payload=payload
    )
    return created[0] if created else None


def notification_create_many(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    actor: User | None = None,
    bounty_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """Tell each distinct recipient about `kind` with the same payload, in one INSERT (none when nobody is
    left once the actor is taken out), in the caller's transaction."""
    actor_id = _actor_id(actor)
    recipients = [pk for pk in dict.fromkeys(recipient_ids) if pk != actor_id]
    if not recipients:
        return []
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, actor_id=actor_id, bounty_id=bounty_id, payload=dict(payload or {})
            )
            for pk in recipients
        ]
    )
    publish_on_commit(
        [
            client_event(
                user_group(notification.recipient_id),
                {"type": "notification", "notification": NOTIFICATION.from_instance(notification)},
            )
            for notification in created
        ]
    )
    return created


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; idempotent (an already read one keeps its `read_at`).
    Raises NotificationNotFound for an unknown id or another user's notification."""
    marked = Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotificationNotFound()
    if marked:
        publish_on_commit([client_event(user_group(user.pk), {"type": "notification.read", "id": notification.pk})])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read, in one conditional UPDATE; returns how many."""
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        publish_on_commit([client_event(user_group(user.pk), {"type": "notification.read_all", "marked_read": marked})])
    return marked


def notifications_prune(*, older_than: datetime, batch_size: int = PRUNE_BATCH_SIZE, dry_run: bool = False) -> int:
    """Delete notifications created before `older_than` (one exactly at it stays), read or not, oldest first
    in batches each committed on its own; returns how many. Idempotent. With `dry_run` only counts."""
    expired = Notification.objects.filter(created_at__lt=older_than)
    if dry_run:
        return expired.count()
    return delete_in_batches(expired, order_by="id", batch_size=batch_size)
