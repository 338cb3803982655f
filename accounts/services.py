"""Writes of the accounts app."""

from typing import Any

from django.http import HttpRequest

from accounts.models import ActivityLog, User
from blocra.client_ip import UNKNOWN_IP, client_ip


def activity_record(
    *,
    action: str,
    actor: User | None = None,
    request: HttpRequest | None = None,
    target_type: str = "",
    target_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row to the activity log; the request, when given, supplies IP and user agent."""
    ip_address = client_ip(request) if request is not None else None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:512] if request is not None else ""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return ActivityLog.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        ip_address=ip_address if ip_address and ip_address != UNKNOWN_IP else None,
        user_agent=user_agent,
        metadata=metadata or {},
    )
