"""Events of a contract over a bounded block range, with real block timestamps.

RPC budget (each client operation also costs the node two requests: spec version and chain id): the
latest block number, at most two binary searches over block timestamps when dates are given (each at
most ceil(log2(blocks + 2)) reads: the end over the whole chain, the start within
CONTRACT_EVENTS_MAX_SPAN blocks of it, or over the whole chain when the end is open),
CONTRACT_EVENTS_MAX_PAGES pages of CONTRACT_EVENTS_PAGE_SIZE events, one timestamp read per distinct
block of those events."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.services import activity_record
from blocra import starknet
from contracts.block_ranges import BlockRange, block_range_resolve
from contracts.chain_data import event_json
from contracts.errors import chain_answer_error


@dataclass(frozen=True)
class EventsResult:
    events: list[dict[str, Any]]
    from_block: int
    to_block: int
    truncated: bool


def events_read(*, contract_address: str, blocks: BlockRange, keys: list[list[str]] | None) -> EventsResult:
    """At most CONTRACT_EVENTS_MAX_PAGES pages of the contract's events in `blocks`, each with its
    block's timestamp (one read per distinct block). Raises starknet errors."""
    page = starknet.get_events(
        address=contract_address,
        from_block=blocks.from_block,
        to_block=blocks.to_block,
        keys=[[int(key, 16) for key in position] for position in keys or []],
        chunk_size=settings.CONTRACT_EVENTS_PAGE_SIZE,
        max_pages=settings.CONTRACT_EVENTS_MAX_PAGES,
    )
    numbers = sorted({event.block_number for event in page.events if event.block_number is not None})
    timestamps = starknet.get_block_timestamps(numbers) if numbers else {}
    return EventsResult(
        events=[event_json(event, timestamps.get(event.block_number)) for event in page.events],  # type: ignore[arg-type]
        from_block=blocks.from_block,
        to_block=blocks.to_block,
        truncated=page.continuation_token is not None,
    )


def contract_events_fetch(
    *,
    user: User | None,
    contract_address: str,
    from_block: int | None = None,
    to_block: int | None = None,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
    keys: list[list[str]] | None = None,
) -> EventsResult:
    """Events of a contract in a bounded block range with real block timestamps, Transfer and Approval
    decoded; a read that answered is logged as `contract.events` (by `user`). Raises
    BlockRangeTooLarge, the API errors of chain_answer_error and starknet.NodeError."""
    try:
        blocks = block_range_resolve(
            from_block=from_block,
            to_block=to_block,
            from_date=from_date,
            to_date=to_date,
            default_span=settings.CONTRACT_EVENTS_DEFAULT_SPAN,
            max_span=settings.CONTRACT_EVENTS_MAX_SPAN,
        )
        result = events_read(contract_address=contract_address, blocks=blocks, keys=keys)
    except starknet.ChainAnswer as exc:
        raise chain_answer_error(exc) from exc
    # A contract address (66 characters) does not fit the target id: it is in the metadata.
    activity_record(
        action="contract.events",
        actor=user,
        metadata={
            "contract_address": contract_address,
            "from_block": result.from_block,
            "to_block": result.to_block,
            "events": len(result.events),
            "truncated": result.truncated,
        },
    )
    return result
