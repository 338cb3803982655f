"""Who is on a WebSocket: an access token carried as the subprotocol `bearer.<JWT>`, or a ticket from
POST /api/notifications/ticket, checked like the HTTP API checks its bearer tokens (signature, expiry,
an active user, a session not signed out).

A ticket is for clients that cannot set a subprotocol header: signed, valid WS_TICKET_TTL_SECONDS and
usable once (its nonce is claimed in the cache, shared by every process), so one that leaks through a
URL in a log is worth nothing. The socket it opens ends when the access token that asked for it would
have.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken, Token

from accounts.authentication import GENERATION_CLAIM, SESSION_CLAIM, token_current
from accounts.models import User
from blocra.clock import clock
from blocra.consumers import Credentials, Identity, Refused
from blocra.realtime import Close

TICKET_SALT = "blocra.accounts.socket-ticket"


@dataclass(frozen=True)
class SocketTicket:
    ticket: str
    expires_in: int


def socket_ticket_issue(*, user: User, token: Token) -> SocketTicket:
    """A one-use ticket opening a socket as `user`, for the session and until the expiry of `token`
    (the access token of the request asking for it)."""
    claims = {
        "u": user.pk,
        GENERATION_CLAIM: token.get(GENERATION_CLAIM, 0),
        SESSION_CLAIM: token.get(SESSION_CLAIM, ""),
        "exp": int(token["exp"]),
        "n": secrets.token_urlsafe(12),
    }
    ttl = int(settings.WS_TICKET_TTL_SECONDS)
    return SocketTicket(ticket=signing.dumps(claims, salt=TICKET_SALT), expires_in=ttl)


def _refused(error: str, message: str) -> Refused:
    return Refused(Close.UNAUTHENTICATED, error, message)


def _current_user(user_id: Any, claims: dict[str, Any]) -> User | None:
    """The active user of credentials with these claims, None when they were revoked (one query)."""
    user = User.objects.filter(pk=user_id, is_active=True).only("pk", "token_generation", "kept_session").first()
    return user if user is not None and token_current(user=user, claims=claims) else None


def _user_identity(*, user_id: Any, claims: dict[str, Any], expires_at: float, address: str) -> Identity:
    user = _current_user(user_id, claims)
    if user is None:
        raise _refused("ws.credentials_revoked", "These credentials were revoked or the account is inactive.")
    return Identity(
        user_id=user.pk,
        address=address,
        expires_at=expires_at,
        claims={GENERATION_CLAIM: claims.get(GENERATION_CLAIM, 0), SESSION_CLAIM: claims.get(SESSION_CLAIM)},
    )


def _token_identity(raw: str, address: str) -> Identity:
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]
    except TokenError:
        raise _refused("ws.invalid_token", "The access token is invalid or expired.") from None
    claims = dict(token.payload)
    return _user_identity(
        user_id=claims.get(jwt_settings.USER_ID_CLAIM), claims=claims, expires_at=float(claims["exp"]), address=address
    )


def _ticket_identity(raw: str, address: str) -> Identity:
    try:
        claims = signing.loads(raw, salt=TICKET_SALT, max_age=int(settings.WS_TICKET_TTL_SECONDS))
    except signing.SignatureExpired:
        raise _refused("ws.ticket_expired", "The ticket expired; ask for a new one.") from None
    except signing.BadSignature:
        raise _refused("ws.invalid_ticket", "The ticket is invalid.") from None
    if not isinstance(claims, dict) or float(claims.get("exp", 0)) <= clock().time():
        raise _refused("ws.ticket_expired", "The ticket's session expired; sign in again.")
    # Claimed once, in the cache every process shares: a second use is refused.
    if not cache.add(f"ws-ticket:{claims.get('n')}", 1, int(settings.WS_TICKET_TTL_SECONDS) + 5):
        raise _refused("ws.ticket_used", "The ticket was used already; ask for a new one.")
    return _user_identity(user_id=claims.get("u"), claims=claims, expires_at=float(claims["exp"]), address=address)


def _identify(credentials: Credentials) -> Identity | None:
    if credentials.token is not None:
        return _token_identity(credentials.token, credentials.address)
    if credentials.ticket is not None:
        return _ticket_identity(credentials.ticket, credentials.address)
    return None


async def socket_identity(credentials: Credentials) -> Identity | None:
    """The signed-in identity of the handshake's credentials, None without any; raises Refused (4401)
    for invalid, expired, used or revoked ones."""
    return await database_sync_to_async(_identify)(credentials)


async def socket_identity_renewed(token: str, identity: Identity) -> Identity:
    """The identity a fresh access token gives; raises Refused (4401) for a bad token, 4403 for
    another user's."""
    renewed = await database_sync_to_async(_token_identity)(token, identity.address)
    if renewed.user_id != identity.user_id:
        raise Refused(Close.FORBIDDEN, "ws.other_user", "The token is another user's.")
    return renewed


def _identity_holds(identity: Identity) -> bool:
    if identity.user_id is None:
        return True
    return _current_user(identity.user_id, identity.claims) is not None


async def socket_identity_holds(identity: Identity) -> bool:
    """Whether a signed-in identity's session is still current (not signed out, the user active)."""
    return bool(await database_sync_to_async(_identity_holds)(identity))
