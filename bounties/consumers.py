"""ws/bounties/{id}: the public changes of one bounty (its status; its deletion), for everyone watching
it. Every bounty is public, so anyone may watch. Credentials are optional and refused when bad; they only
count the socket against its user's limit instead of its address's, and, the data being public, the
socket does not end when they expire."""

import dataclasses
import uuid
from typing import Any

from channels.db import database_sync_to_async

from accounts.socket_auth import socket_identity
from blocra.consumers import Credentials, Identity, Refused, SocketConsumer
from blocra.realtime import Close, bounty_group
from blocra.shapes import datetime_text
from bounties.models import Bounty


def _bounty_state(bounty_id: uuid.UUID) -> dict[str, Any] | None:
    row = Bounty.objects.filter(pk=bounty_id).values("id", "status", "participant_count", "updated_at").first()
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "participant_count": row["participant_count"],
        "updated_at": datetime_text(row["updated_at"]),
    }


class BountyConsumer(SocketConsumer):
    # Nothing to renew: the socket outlives its credentials.
    client_messages = {"ping": "on_ping"}

    async def identify(self, credentials: Credentials) -> Identity:
        identity = await socket_identity(credentials)
        if identity is None:
            return Identity(user_id=None, address=credentials.address)
        return dataclasses.replace(identity, expires_at=None)

    async def open(self, identity: Identity) -> tuple[list[str], dict[str, Any]]:
        bounty_id = self.scope["url_route"]["kwargs"]["bounty_id"]
        state = await database_sync_to_async(_bounty_state)(bounty_id)
        if state is None:
            raise Refused(Close.NOT_FOUND, "bounties.not_found", "No such bounty.")
        return [bounty_group(bounty_id)], {"type": "ready", "bounty": state}
