"""Event reads (`starknet_getEvents`) with a bounded number of pages."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from blocra.starknet.felts import address_to_int
from blocra.starknet.transport import block_kwargs, run
from blocra.starknet.types import BlockId, Event, EventsPage

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient


def get_events(
    *,
    address: str | None,
    from_block: BlockId,
    to_block: BlockId,
    keys: Sequence[Sequence[int]] | None = None,
    chunk_size: int = 100,
    max_pages: int = 1,
    continuation_token: str | None = None,
) -> EventsPage:
    """Events emitted by `address` in [from_block, to_block] matching the positional `keys` filter,
    read `chunk_size` at a time for at most `max_pages` pages. A returned continuation token means the
    walk stopped early; pass it back to go on. Node-side 31/33 (page size, token) count as NodeError."""
    emitter = address_to_int(address) if address is not None else None
    if chunk_size < 1 or max_pages < 1:
        raise ValueError("chunk_size and max_pages must be at least 1.")
    block_kwargs(from_block)
    block_kwargs(to_block)

    async def operation(client: "FullNodeClient") -> EventsPage:
        events: list[Event] = []
        token = continuation_token
        pages = 0
        while pages < max_pages:
            chunk = await client.get_events(
                address=emitter,
                keys=[list(position) for position in keys or []],
                from_block_number=from_block,
                to_block_number=to_block,
                chunk_size=chunk_size,
                continuation_token=token,
            )
            pages += 1
            events.extend(Event.from_rpc(event) for event in chunk.events)
            token = chunk.continuation_token
            if token is None:
                break
        return EventsPage(events=events, continuation_token=token, pages=pages)

    return run(operation, "get_events")
