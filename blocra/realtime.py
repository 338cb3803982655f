"""Events for the WebSockets (blocra.consumers), sent through the channel layer once the change they tell
about is committed.

The services of every app call `publish_on_commit` inside their transaction: a rolled-back change sends
nothing, and a committed one is sent after the commit, never before its data can be read. Sending is
best effort: the change is committed and the inbox holds what a socket missed, so a channel layer that
is down or slow costs the request at most `SEND_TIMEOUT_SECONDS` and a logged warning, never an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger("blocra.realtime")

SEND_TIMEOUT_SECONDS = 2.0


class Close(IntEnum):
    """The close codes of BlocRA's sockets (documented in the README and the OpenAPI description)."""

    NORMAL = 1000
    MESSAGE_TOO_BIG = 1009
    BAD_REQUEST = 4400
    UNAUTHENTICATED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    IDLE_TIMEOUT = 4408
    TOO_MANY_CONNECTIONS = 4429


# Channel-layer message types, each handled by the consumer method of the same name with "_" for ".":
# a message for the client, and "check that your credentials still hold" (sessions revoked).
CLIENT_MESSAGE = "realtime.message"
RECHECK = "realtime.recheck"
# A message for the client, after which the socket closes with `code` (the bounty was deleted).
FINAL_MESSAGE = "realtime.final"

# One send: the group whose sockets get it, and the channel-layer message.
Event = tuple[str, dict[str, Any]]


def user_group(user_id: int) -> str:
    """The sockets of one signed-in user (ws/notifications)."""
    return f"user.{int(user_id)}"


def bounty_group(bounty_id: uuid.UUID | str) -> str:
    """The sockets watching one bounty (ws/bounties/{id})."""
    return f"bounty.{uuid.UUID(str(bounty_id)).hex}"


def client_event(group: str, message: Mapping[str, Any]) -> Event:
    """`message` (JSON-ready, with its `type`) for every socket of `group`."""
    return group, {"type": CLIENT_MESSAGE, "message": dict(message)}


def final_event(group: str, message: Mapping[str, Any], *, code: Close) -> Event:
    """`message` for every socket of `group`, which then closes with `code`."""
    return group, {"type": FINAL_MESSAGE, "message": dict(message), "code": int(code)}


def recheck_event(group: str) -> Event:
    """Every socket of `group` checks its credentials again and closes if they no longer hold."""
    return group, {"type": RECHECK}


def publish_on_commit(events: Sequence[Event]) -> None:
    """Send `events` once the current transaction commits (at once outside a transaction); a rolled-back
    transaction, or savepoint, sends nothing. Never raises: failures are logged."""
    if not events:
        return
    batch = list(events)
    transaction.on_commit(lambda: publish_now(batch))


def publish_now(events: Sequence[Event]) -> None:
    """Send `events` now, in order, within SEND_TIMEOUT_SECONDS all told. Never raises."""
    if not events:
        return
    try:
        if isinstance(get_channel_layer(), InMemoryChannelLayer):
            # Its sockets can only be this process's, on the loop of its ASGI server (`make run`): the
            # send runs there, from the worker thread of the view. A WSGI worker holds none.
            if _sockets_in_process:
                async_to_sync(_send)(list(events))
        else:
            # A WSGI worker has no loop: a new one per send would open a new Redis connection each time
            # (about 2.5 ms); the process's sender loop keeps one.
            asyncio.run_coroutine_threadsafe(_send(list(events)), _sender_loop()).result(SEND_TIMEOUT_SECONDS + 1)
    except Exception as error:  # the change is committed: a lost push is logged, not raised
        logger.warning(
            "realtime.publish_failed",
            extra={"events": len(events), "error": f"{type(error).__name__}: {error}"},
        )


_sockets_in_process = False


def sockets_served_here() -> None:
    """Called by the ASGI application (blocra.asgi) as it loads: this process holds sockets, so events
    for the in-memory layer are worth sending (a WSGI worker skips them: about 0.6 ms each for nobody)."""
    global _sockets_in_process
    _sockets_in_process = True


_sender_lock = threading.Lock()
_sender: tuple[int, asyncio.AbstractEventLoop] | None = None


def _sender_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for sends, running in a daemon thread of its own, started on first use
    (and again in a forked child, whose copy of the parent's thread does not run)."""
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="blocra-realtime-sender", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


async def _send(events: list[Event]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        for group, message in events:
            await layer.group_send(group, message)

    await asyncio.wait_for(send_all(), timeout=SEND_TIMEOUT_SECONDS)
