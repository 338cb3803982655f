"""What every BlocRA WebSocket shares: the subprotocol, credentials out of the handshake, refusals with a
documented close code, per-connection limits and the client messages every socket understands.

The protocol (README, "Real time"):
- The client offers the subprotocol `blocra.v1`, and may carry its access token as a second one,
  `bearer.<JWT>`, or a one-use ticket from POST /api/notifications/ticket in the query (`?ticket=`).
  A long-lived token never goes in the URL.
- A refused connection is accepted, told why (`{"type": "error", "code", "message"}`) and closed with
  a code of `Close`, so that a browser, which sees no HTTP status of a refused handshake, learns it.
- The client sends `{"type": "ping"}` (answered `{"type": "pong"}`) more often than the idle timeout.
  A message larger than WS_MAX_MESSAGE_BYTES closes the socket (1009).
- A signed-in socket ends when its credentials expire (4401) unless the client sends a fresh access
  token first: `{"type": "authenticate", "token": "<JWT>"}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache

from blocra.client_ip import UNKNOWN_IP, client_ip_of
from blocra.clock import clock
from blocra.realtime import Close

logger = logging.getLogger("blocra.realtime")

SUBPROTOCOL = "blocra.v1"
BEARER_PREFIX = "bearer."
TICKET_PARAMETER = "ticket"
# How often a socket renews what expires unless renewed: its group memberships (the Redis layer's
# group_expiry) and its connection slot (SLOT_TTL_SECONDS).
RENEW_SECONDS = 40.0
# A slot of a process that died without closing its sockets frees itself after this.
SLOT_TTL_SECONDS = 120


class Refused(Exception):
    """The socket is refused, or ended, with `code`; `error` and `message` tell the client why."""

    def __init__(self, code: Close, error: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.error = error
        self.message = message


@dataclass(frozen=True)
class Identity:
    """Who is on a socket: a user (`user_id`), or an anonymous client counted by its address."""

    user_id: int | None
    address: str
    # Epoch seconds at which the credentials end (the access token's `exp`); None for anonymous.
    expires_at: float | None = None
    # What a credentials check needs again later (the token's generation and session).
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def limit_key(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"address:{self.address}"

    @property
    def limit(self) -> int:
        if self.user_id is not None:
            return int(settings.WS_MAX_CONNECTIONS_PER_USER)
        return int(settings.WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS)


@dataclass(frozen=True)
class Credentials:
    """What the handshake carried: an access token (subprotocol) or a ticket (query), at most one."""

    token: str | None
    ticket: str | None
    address: str


def handshake_credentials(scope: Mapping[str, Any]) -> Credentials:
    """The credentials of a handshake; raises Refused (4400) when it carries both kinds or several."""
    tokens = [p.removeprefix(BEARER_PREFIX) for p in scope.get("subprotocols", []) if p.startswith(BEARER_PREFIX)]
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    tickets = query.get(TICKET_PARAMETER, [])
    if len(tokens) + len(tickets) > 1:
        raise Refused(Close.BAD_REQUEST, "ws.credentials_ambiguous", "Send one access token or one ticket, not both.")
    return Credentials(
        token=tokens[0] if tokens else None, ticket=tickets[0] if tickets else None, address=scope_address(scope)
    )


def scope_address(scope: Mapping[str, Any]) -> str:
    """The client's address, X-Forwarded-For believed from TRUSTED_PROXIES only (as for HTTP)."""
    client = scope.get("client")
    remote = str(client[0]) if client else ""
    forwarded = ",".join(
        value.decode("latin-1") for name, value in scope.get("headers", []) if name.lower() == b"x-forwarded-for"
    )
    return client_ip_of(remote, forwarded) if remote or forwarded else UNKNOWN_IP


class SocketConsumer(AsyncJsonWebsocketConsumer):
    """A BlocRA socket. Subclasses say who may connect (`identify`) and what they get (`open`), and may
    answer more client message types (`client_messages`: type -> method name)."""

    client_messages: ClassVar[dict[str, str]] = {"ping": "on_ping", "authenticate": "on_authenticate"}

    identity: Identity | None = None
    _groups: tuple[str, ...] = ()
    _slot: str | None = None
    _watchdog: asyncio.Task[None] | None = None
    _last_seen: float = 0.0
    _opened_at: float = 0.0
    _closed: bool = False
    # Why the server closed the socket (an error code), for the log line of its end.
    _ended_by: str = ""
    # Set by every client message: the watchdog looks at the clock again (and a test moving the
    # application's clock gets its effect without waiting).
    _wake: asyncio.Event

    # --- What subclasses provide -------------------------------------------------------------------

    async def identify(self, credentials: Credentials) -> Identity:
        """Who is connecting; raises Refused to turn them away. This base serves no socket: every
        path it is routed to is refused (4404)."""
        raise Refused(Close.NOT_FOUND, "ws.not_found", "No socket at this path.")

    async def open(self, identity: Identity) -> tuple[list[str], dict[str, Any]]:
        """The groups the socket joins, and its first message (`{"type": "ready", ...}`); raises Refused."""
        raise Refused(Close.NOT_FOUND, "ws.not_found", "No socket at this path.")

    async def renew(self, token: str, identity: Identity) -> Identity:
        """The identity a fresh access token gives the same user; raises Refused."""
        raise Refused(Close.FORBIDDEN, "ws.not_supported", "This socket takes no credentials.")

    async def credentials_hold(self, identity: Identity) -> bool:
        """Whether the identity's credentials still hold (checked when its sessions were revoked)."""
        return True

    # --- Connection --------------------------------------------------------------------------------

    async def connect(self) -> None:
        offered = self.scope.get("subprotocols", [])
        if offered and SUBPROTOCOL not in offered:
            # A browser fails a handshake that answers none of its subprotocols: nothing to explain to.
            await self.close(code=Close.BAD_REQUEST)
            return
        await self.accept(SUBPROTOCOL if offered else None)
        self._last_seen = self._opened_at = clock().monotonic()
        self._wake = asyncio.Event()
        try:
            credentials = handshake_credentials(self.scope)
            identity = await self.identify(credentials)
            self.identity = identity
            self._slot = await self._take_slot(identity)
            groups, ready = await self.open(identity)
            for group in groups:
                await self.channel_layer.group_add(group, self.channel_name)
            self._groups = tuple(groups)
        except Refused as refused:
            await self._refuse(refused)
            return
        await self.send_json(ready)
        self._watchdog = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        self._closed = True
        # One line per socket, as the access log has one per request.
        logger.info(
            "ws.closed",
            extra={
                "path": self.scope.get("path", ""),
                "user_id": self.identity.user_id if self.identity is not None else None,
                "close_code": code,
                "error": self._ended_by or None,
                "seconds": round(clock().monotonic() - self._opened_at, 3),
            },
        )
        if self._watchdog is not None and self._watchdog is not asyncio.current_task():
            self._watchdog.cancel()
        for group in self._groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self._groups = ()
        await self._free_slot()

    async def _refuse(self, refused: Refused) -> None:
        if self._closed:
            return
        self._closed = True
        self._ended_by = refused.error
        await self.send_json({"type": "error", "code": refused.error, "message": refused.message})
        await self.close(code=int(refused.code), reason=refused.error)

    # --- Client messages ---------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        self._last_seen = clock().monotonic()
        self._wake.set()
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
        if size > settings.WS_MAX_MESSAGE_BYTES:
            await self._refuse(
                Refused(
                    Close.MESSAGE_TOO_BIG,
                    "ws.message_too_big",
                    f"Messages are at most {settings.WS_MAX_MESSAGE_BYTES} bytes.",
                )
            )
            return
        if text_data is None:
            await self._error("ws.binary_unsupported", "Messages are JSON text.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("ws.invalid_json", "The message is not JSON.")
            return
        kind = content.get("type") if isinstance(content, dict) else None
        handler = self.client_messages.get(kind) if isinstance(kind, str) else None
        if handler is None:
            known = ", ".join(sorted(self.client_messages))
            await self._error("ws.unknown_type", f"A message is an object whose `type` is one of: {known}.")
            return
        try:
            await getattr(self, handler)(content)
        except Refused as refused:
            await self._refuse(refused)

    async def _error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def on_ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_authenticate(self, content: dict[str, Any]) -> None:
        token = content.get("token")
        if not isinstance(token, str) or not token or self.identity is None:
            await self._error("ws.invalid_message", "`authenticate` carries the access token as `token`.")
            return
        if self.identity.user_id is None:
            raise Refused(Close.FORBIDDEN, "ws.not_supported", "This socket was opened without credentials.")
        self.identity = await self.renew(token, self.identity)
        await self.send_json({"type": "authenticated", "expires_at": self.identity.expires_at})

    # --- Channel-layer messages (blocra.realtime: CLIENT_MESSAGE, FINAL_MESSAGE, RECHECK) -------------

    async def realtime_message(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def realtime_final(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])
        self._closed = True
        await self.close(code=int(event["code"]))

    async def realtime_recheck(self, event: dict[str, Any]) -> None:
        if self.identity is not None and not await self.credentials_hold(self.identity):
            await self._refuse(Refused(Close.UNAUTHENTICATED, "ws.session_revoked", "The session was signed out."))

    # --- Limits ------------------------------------------------------------------------------------

    async def _watch(self) -> None:
        """Close the socket once its client has been silent for the idle timeout, or its credentials
        expired; renew its group memberships and slot meanwhile."""
        renew_at = clock().monotonic() + RENEW_SECONDS
        while not self._closed:
            now = clock().monotonic()
            idle_left = self._last_seen + float(settings.WS_IDLE_TIMEOUT_SECONDS) - now
            expires_at = self.identity.expires_at if self.identity is not None else None
            credentials_left = math.inf if expires_at is None else expires_at - clock().time()
            if idle_left <= 0:
                await self._refuse(
                    Refused(
                        Close.IDLE_TIMEOUT, "ws.idle_timeout", "No message from the client within the idle timeout."
                    )
                )
                return
            if credentials_left <= 0:
                await self._refuse(
                    Refused(Close.UNAUTHENTICATED, "ws.credentials_expired", "The access token expired; sign in again.")
                )
                return
            if now >= renew_at:
                await self._renew_leases()
                renew_at = now + RENEW_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=max(0.01, min(idle_left, credentials_left, renew_at - now))
                )
            self._wake.clear()

    async def _renew_leases(self) -> None:
        try:
            for group in self._groups:
                await self.channel_layer.group_add(group, self.channel_name)
            if self._slot is not None:
                await cache.atouch(self._slot, SLOT_TTL_SECONDS)
        except Exception as error:  # a socket outlives a hiccup of the layer or cache
            logger.warning("realtime.renew_failed", extra={"error": f"{type(error).__name__}: {error}"})

    async def _take_slot(self, identity: Identity) -> str | None:
        """One of the identity's `limit` connection slots in the cache (shared by every process), or
        Refused (4429) when all are taken. A cache that is down lets the socket through."""
        try:
            for index in range(identity.limit):
                key = f"ws-slot:{identity.limit_key}:{index}"
                if await cache.aadd(key, self.channel_name, SLOT_TTL_SECONDS):
                    return key
        except Exception as error:  # fail open, like the rate limits
            logger.warning("realtime.slot_unavailable", extra={"error": f"{type(error).__name__}: {error}"})
            return None
        raise Refused(
            Close.TOO_MANY_CONNECTIONS,
            "ws.too_many_connections",
            f"At most {identity.limit} open sockets at once; close one first.",
        )

    async def _free_slot(self) -> None:
        slot, self._slot = self._slot, None
        if slot is None:
            return
        try:
            if await cache.aget(slot) == self.channel_name:
                await cache.adelete(slot)
        except Exception as error:  # the slot expires by itself
            logger.warning("realtime.slot_not_freed", extra={"error": f"{type(error).__name__}: {error}"})


class UnknownPathConsumer(SocketConsumer):
    """Every path that is no socket of ours: refused with 4404, as the base refuses any."""
