"""Checking activity-log rows written by a real HTTP request: what, who, on what, and from where."""

from typing import Any

from accounts.models import ActivityLog

USER_AGENT = "blocra-tests/1.0 (activity)"
# The test client's address: REMOTE_ADDR of Django's and DRF's test clients.
CLIENT_IP = "127.0.0.1"


def traced(request_id: str) -> dict[str, str]:
    """Headers of a request whose activity rows must carry `request_id` and USER_AGENT; pass them as
    keyword arguments to a test client's get/post/patch/delete."""
    return {"HTTP_X_REQUEST_ID": request_id, "HTTP_USER_AGENT": USER_AGENT}


def activity_row(
    action: str,
    *,
    actor: Any,
    target_type: str,
    target_id: Any,
    request_id: str,
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """The one row of `action` and asserts on it: actor (a user or None), target, the request's id,
    address and user agent, and the given `metadata` items (others may be present). Returns it."""
    rows = list(ActivityLog.objects.filter(action=action))
    assert len(rows) == 1, f"expected one {action} row, found {[(row.action, row.metadata) for row in rows]}"
    row = rows[0]
    assert row.actor_id == (actor.pk if actor is not None else None)
    assert (row.target_type, row.target_id) == (target_type, str(target_id) if target_id != "" else "")
    assert (row.request_id, row.ip_address, row.user_agent) == (request_id, CLIENT_IP, USER_AGENT)
    for key, value in (metadata or {}).items():
        assert row.metadata.get(key) == value, f"{action} metadata {key}: {row.metadata.get(key)!r} != {value!r}"
    return row
