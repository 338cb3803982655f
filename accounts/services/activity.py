"""The activity log: one service every app calls to record who did what, from where, and the pruning
of rows past their retention (`prune_activity`)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from accounts.models import ActivityLog, User
from blocra.pruning import PRUNE_BATCH_SIZE, delete_in_batches
from blocra.request_context import request_context


def _entry(
    *, action: str, actor: User | None, target_type: str, target_id: Any, metadata: dict[str, Any] | None
) -> ActivityLog:
    context = request_context()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return ActivityLog(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        ip_address=context.ip_address if context is not None else None,
        user_agent=context.user_agent if context is not None else "",
        request_id=context.request_id if context is not None else "",
        metadata=metadata or {},
    )


def activity_record(
    *,
    action: str,
    actor: User | None = None,
    target_type: str = "",
    target_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row to the activity log (one INSERT). Where from (IP, user agent) and the request id
    come from the request being served (`blocra.request_context`); outside a request they stay empty.
    An anonymous `actor` is recorded as none."""
    entry = _entry(action=action, actor=actor, target_type=target_type, target_id=target_id, metadata=metadata)
    entry.save(force_insert=True)
    return entry


def activity_record_many(
    *,
    action: str,
    actor: User | None,
    target_type: str,
    targets: Iterable[tuple[Any, dict[str, Any]]],
) -> list[ActivityLog]:
    """One row per `(target_id, metadata)` of `targets`, as `activity_record` writes them, in a single
    INSERT: for one action applied to many rows at once (a bulk admin action)."""
    entries = [
        _entry(action=action, actor=actor, target_type=target_type, target_id=target_id, metadata=metadata)
        for target_id, metadata in targets
    ]
    if not entries:
        return []
    return ActivityLog.objects.bulk_create(entries)


def activity_prune(*, older_than: datetime, batch_size: int = PRUNE_BATCH_SIZE, dry_run: bool = False) -> int:
    """Delete activity rows created before `older_than` (a row exactly at it stays), oldest first,
    `batch_size` ids per DELETE, each batch committed on its own; returns how many. Idempotent. With
    `dry_run` only counts."""
    expired = ActivityLog.objects.filter(created_at__lt=older_than)
    if dry_run:
        return expired.count()
    return delete_in_batches(expired, order_by="created_at", batch_size=batch_size)
