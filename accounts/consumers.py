"""ws/notifications: the signed-in user's notifications, live, as the inbox (GET /api/notifications)
gets them. Only the user's own stream: the socket's identity picks it, never the URL."""

from typing import Any

from channels.db import database_sync_to_async

from accounts import selectors
from accounts.models import User
from accounts.socket_auth import socket_identity, socket_identity_holds, socket_identity_renewed
from blocra.consumers import Credentials, Identity, Refused, SocketConsumer
from blocra.realtime import Close, user_group


def _unread_count(user_id: int) -> int:
    return selectors.notification_unread_count(user=User(pk=user_id))


class NotificationsConsumer(SocketConsumer):
    async def identify(self, credentials: Credentials) -> Identity:
        identity = await socket_identity(credentials)
        if identity is None:
            raise Refused(
                Close.UNAUTHENTICATED,
                "ws.not_authenticated",
                "Sign in: offer the subprotocols `blocra.v1` and `bearer.<access token>`, or add `?ticket=`.",
            )
        return identity

    async def open(self, identity: Identity) -> tuple[list[str], dict[str, Any]]:
        assert identity.user_id is not None
        unread = await database_sync_to_async(_unread_count)(identity.user_id)
        ready = {
            "type": "ready",
            "user_id": identity.user_id,
            "unread_count": unread,
            "expires_at": identity.expires_at,
        }
        return [user_group(identity.user_id)], ready

    async def renew(self, token: str, identity: Identity) -> Identity:
        return await socket_identity_renewed(token, identity)

    async def credentials_hold(self, identity: Identity) -> bool:
        return await socket_identity_holds(identity)
