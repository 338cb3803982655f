"""Talking to the project's WebSockets in tests: Channels' WebsocketCommunicator on the real ASGI
application (blocra.asgi: its routing, consumers and channel layer), with the protocol's subprotocols."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from blocra.asgi import application
from blocra.consumers import BEARER_PREFIX, SUBPROTOCOL

# Seconds to wait for a message that must come (generous: the suite runs on every core at once).
ARRIVES = 5
# Seconds to wait before concluding that nothing comes.
NOTHING = 0.3


def access_token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def communicator(
    path: str,
    *,
    token: str | None = None,
    protocols: tuple[str, ...] = (SUBPROTOCOL,),
    headers: list[tuple[bytes, bytes]] | None = None,
    client: tuple[str, int] = ("203.0.113.7", 50000),
) -> WebsocketCommunicator:
    subprotocols = [*protocols, *([f"{BEARER_PREFIX}{token}"] if token else [])]
    socket = WebsocketCommunicator(application, path, headers=headers or [], subprotocols=subprotocols)
    socket.scope["client"] = client
    return socket


async def opened(path: str, **options: Any) -> tuple[WebsocketCommunicator, dict]:
    """A socket that was accepted and sent its first message, which must be `ready`: (socket, ready)."""
    socket = communicator(path, **options)
    connected, protocol = await socket.connect(timeout=ARRIVES)
    assert connected, f"handshake refused with {protocol}"
    ready = await socket.receive_json_from(timeout=ARRIVES)
    assert ready["type"] == "ready", ready
    return socket, ready


async def refused(path: str, **options: Any) -> tuple[dict, dict]:
    """Connect, expecting to be accepted, told why and closed: (error message, close event)."""
    socket = communicator(path, **options)
    connected, protocol = await socket.connect(timeout=ARRIVES)
    assert connected, f"handshake refused with {protocol}"
    return await closed_with_error(socket)


async def closed_with_error(socket: WebsocketCommunicator) -> tuple[dict, dict]:
    error = await socket.receive_json_from(timeout=ARRIVES)
    assert error["type"] == "error", error
    close = await socket.receive_output(timeout=ARRIVES)
    assert close["type"] == "websocket.close", close
    # As a server does once the socket is closed: the consumer's disconnect runs (frees its slot, ...).
    await socket.disconnect(code=close.get("code", 1000), timeout=ARRIVES)
    return error, close


async def closed(socket: WebsocketCommunicator) -> tuple[list[dict], dict]:
    """The messages a socket sends until the server closes it, and its close event (then the server's
    disconnect, as a real server sends it)."""
    messages = []
    while (output := await socket.receive_output(timeout=ARRIVES))["type"] == "websocket.send":
        messages.append(json.loads(output["text"]))
    assert output["type"] == "websocket.close", output
    await socket.disconnect(code=output.get("code", 1000), timeout=ARRIVES)
    return messages, output


async def next_message(socket: WebsocketCommunicator, kind: str) -> dict:
    message = await socket.receive_json_from(timeout=ARRIVES)
    assert message["type"] == kind, message
    return message


def in_thread(function, *args: Any, **kwargs: Any):
    """Run sync code (services, the ORM) from a test coroutine, as a view would in its worker thread;
    after-commit pushes reach the test's event loop."""
    return database_sync_to_async(function)(*args, **kwargs)
