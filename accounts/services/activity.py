"""The activity log: one service every app calls to record who did what, from where."""

from typing import Any

from accounts.models import ActivityLog, User
from blocra.request_context import request_context


def activity_record(
    *,
    action: str,
    actor: User | None = None,
    target_type: str = "",
    target_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row to the activity log. Where from (IP, user agent) and the request id come from the
    request being served (`blocra.request_context`); outside a request they stay empty."""
    context = request_context()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return ActivityLog.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        ip_address=context.ip_address if context is not None else None,
        user_agent=context.user_agent if context is not None else "",
        request_id=context.request_id if context is not None else "",
        metadata=metadata or {},
    )
