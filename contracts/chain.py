"""Chain-backed reads and the contract query run, all through `blocra.starknet` with bounded work.

RPC budget (each client operation also costs the node two requests: spec version and chain id):
- a contract query is one operation (two for `erc20_info` without cached metadata; `events` as below);
- `contract_events_fetch`: the latest block number, at most two binary searches over block timestamps
  when dates are given (each at most ceil(log2(blocks + 2)) reads: the end over the whole chain, the
  start within CONTRACT_EVENTS_MAX_SPAN blocks of it, or over the whole chain when the end is open),
  CONTRACT_EVENTS_MAX_PAGES pages of CONTRACT_EVENTS_PAGE_SIZE events, one timestamp read per distinct
  block of those events.

contracts/analytics.py holds the public analytics (analysis of a contract, latest-block statistics).
A definitive chain answer is worded by `contracts.errors.chain_answer_error` (404/400); node trouble
(502/503/504) is answered by the API's exception handler.
"""

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from typing import Any, Literal

from django.conf import settings

from accounts.models import User
from blocra import starknet
from blocra.amounts import format_amount
from blocra.errors import starknet_trouble
from contracts.dates import range_end, range_start
from contracts.errors import BlockRangeTooLarge, chain_answer_error
from contracts.models import ContractQuery
from contracts.services import contract_query_record

FEE_DECIMALS = 18


# --- Formatting ---------------------------------------------------------------------------------------
def address_text(value: int | None) -> str | None:
    return None if value is None else f"0x{value:064x}"


def rfc3339(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def fee_text(base_units: int) -> str:
    """A fee in base units (FRI or WEI) as a decimal string of STRK or ETH; exact, never a float."""
    with localcontext() as context:
        context.prec = 100
        return format_amount(Decimal(base_units).scaleb(-FEE_DECIMALS)) or "0"


def event_json(event: starknet.Event, timestamp: int | None = None) -> dict[str, Any]:
    """An event as the API shows it; Transfer and Approval (either layout) are decoded."""
    decoded = starknet.decode_erc20_event(event)
    decoded_data: dict[str, str] | None = None
    if decoded is not None:
        first, second = ("from", "to") if decoded.kind == "Transfer" else ("owner", "spender")
        decoded_data = {
            first: f"0x{decoded.sender:064x}",
            second: f"0x{decoded.recipient:064x}",
            "value": str(decoded.amount),
        }
    body: dict[str, Any] = {
        "block_number": event.block_number,
        "transaction_hash": address_text(event.transaction_hash),
        "from_address": address_text(event.from_address),
        "keys": [hex(key) for key in event.keys],
        "data": [hex(item) for item in event.data],
        "event_name": decoded.kind if decoded is not None else None,
        "decoded_data": decoded_data,
    }
    if event.block_number is not None:
        body["timestamp"] = rfc3339(timestamp) if timestamp is not None else None
    return body


# --- Block ranges -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BlockRange:
    from_block: int
    to_block: int
    latest: int


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def block_range_resolve(
    *,
    from_block: int | None = None,
    to_block: int | None = None,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
    default_span: int,
    max_span: int | None,
    open_end: Literal["span", "latest"] = "span",
) -> BlockRange:
    """Blocks for the given bounds (each a block or a date), clamped to the latest block.

    A missing start is `default_span` blocks before the end; a missing end is `default_span` blocks
    after the start (`open_end="span"`) or the latest block (`"latest"`, and always when both are
    missing). Dates are found by binary search over block timestamps, at most ceil(log2(n + 2)) block
    reads each: the end over the whole chain; the start over the whole chain when the end is open, else
    within `max_span` blocks of the end. Raises BlockNotFound when the range holds no block,
    BlockRangeTooLarge when a date range spans more than `max_span` blocks, StarknetError.
    """
    latest = starknet.get_block_number()
    if to_date is not None:
        to_block = starknet.first_block_at(_epoch(range_end(to_date)) + 1, low=0, high=latest) - 1
        if to_block < 0:
            raise starknet.BlockNotFound("No block was produced by toDate.")
    if from_date is not None:
        start = _epoch(range_start(from_date))
        end = latest if to_block is None else min(to_block, latest)
        low = 0 if max_span is None or to_block is None else max(0, end - max_span)
        from_block = starknet.first_block_at(start, low=low, high=end)
        if from_block == low and low > 0:
            raise BlockRangeTooLarge(f"The dates span more than {max_span} blocks: narrow them or give block numbers.")
        if from_block > end:
            raise starknet.BlockNotFound("No block was produced between fromDate and the end of the range.")
    if from_block is not None and from_block > latest:
        raise starknet.BlockNotFound(f"The range starts after the latest block ({latest}).")
    if to_block is None:
        to_block = latest if from_block is None or open_end == "latest" else from_block + default_span - 1
    to_block = min(to_block, latest)
    if from_block is None:
        from_block = max(0, to_block - default_span + 1)
    if from_block > to_block:
        raise starknet.BlockNotFound("The range holds no block.")
    return BlockRange(from_block=from_block, to_block=to_block, latest=latest)


# --- Events -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventsResult:
    events: list[dict[str, Any]]
    from_block: int
    to_block: int
    truncated: bool


def _events_read(*, contract_address: str, blocks: BlockRange, keys: list[list[str]] | None) -> EventsResult:
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
    contract_address: str,
    from_block: int | None = None,
    to_block: int | None = None,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
    keys: list[list[str]] | None = None,
) -> EventsResult:
    """Events of a contract in a bounded block range with real block timestamps, Transfer and Approval
    decoded. Raises BlockRangeTooLarge, the API errors of chain_answer_error and starknet.NodeError."""
    try:
        blocks = block_range_resolve(
            from_block=from_block,
            to_block=to_block,
            from_date=from_date,
            to_date=to_date,
            default_span=settings.CONTRACT_EVENTS_DEFAULT_SPAN,
            max_span=settings.CONTRACT_EVENTS_MAX_SPAN,
        )
        return _events_read(contract_address=contract_address, blocks=blocks, keys=keys)
    except starknet.ChainAnswer as exc:
        raise chain_answer_error(exc) from exc


# --- Contract queries ---------------------------------------------------------------------------------
def _run_call(address: str, parameters: dict[str, Any]) -> Any:
    calldata = [int(item, 16) for item in parameters.get("calldata", [])]
    felts = starknet.call_contract(address, parameters["function"], calldata)
    return {"function": parameters["function"], "result": [hex(value) for value in felts]}


def _run_erc20_info(address: str, parameters: dict[str, Any]) -> Any:
    metadata = starknet.erc20_metadata(address)
    total_supply = starknet.erc20_total_supply(address)
    return {
        "name": metadata.name,
        "symbol": metadata.symbol,
        "decimals": metadata.decimals,
        "total_supply": str(total_supply),
    }


def _run_balance_of(address: str, parameters: dict[str, Any]) -> Any:
    return {"account": parameters["account"], "balance": str(starknet.erc20_balance_of(address, parameters["account"]))}


def _run_events(address: str, parameters: dict[str, Any]) -> Any:
    blocks = block_range_resolve(
        from_block=parameters.get("from_block"),
        to_block=parameters.get("to_block"),
        default_span=settings.CONTRACT_EVENTS_DEFAULT_SPAN,
        max_span=settings.CONTRACT_EVENTS_MAX_SPAN,
    )
    result = _events_read(contract_address=address, blocks=blocks, keys=parameters.get("keys"))
    return {
        "from_block": result.from_block,
        "to_block": result.to_block,
        "events": result.events,
        "truncated": result.truncated,
    }


def receipt_json(receipt: starknet.Receipt) -> dict[str, Any]:
    return {
        "transaction_hash": address_text(receipt.transaction_hash),
        "type": receipt.type,
        "execution_status": receipt.execution_status,
        "finality_status": receipt.finality_status,
        "block_number": receipt.block_number,
        "block_hash": address_text(receipt.block_hash),
        "actual_fee": {"amount": str(receipt.actual_fee), "unit": receipt.fee_unit},
        "revert_reason": receipt.revert_reason,
        "events": [event_json(event) for event in receipt.events],
    }


def _run_receipt(address: str, parameters: dict[str, Any]) -> Any:
    return receipt_json(starknet.get_transaction_receipt(int(parameters["transaction_hash"], 16)))


def _run_class_hash(address: str, parameters: dict[str, Any]) -> Any:
    return {"class_hash": hex(starknet.get_class_hash_at(address))}


def _run_nonce(address: str, parameters: dict[str, Any]) -> Any:
    return {"nonce": hex(starknet.get_nonce(address))}


def _run_block_number(address: str, parameters: dict[str, Any]) -> Any:
    return {"block_number": starknet.get_block_number()}


_RUNNERS = {
    ContractQuery.QueryType.CALL: _run_call,
    ContractQuery.QueryType.ERC20_INFO: _run_erc20_info,
    ContractQuery.QueryType.BALANCE_OF: _run_balance_of,
    ContractQuery.QueryType.EVENTS: _run_events,
    ContractQuery.QueryType.RECEIPT: _run_receipt,
    ContractQuery.QueryType.CLASS_HASH: _run_class_hash,
    ContractQuery.QueryType.NONCE: _run_nonce,
    ContractQuery.QueryType.BLOCK_NUMBER: _run_block_number,
}


def contract_query_run(
    *, user: User, contract_address: str, query_type: str, parameters: dict[str, Any]
) -> ContractQuery:
    """Run a validated query on Starknet now and record its outcome (duration included).

    On a chain error the query is recorded as failed with the client-safe message, then the mapped API
    error is raised with the recorded query's id as `query_id` in its body.
    """
    started = time.monotonic()
    try:
        result = _RUNNERS[ContractQuery.QueryType(query_type)](contract_address, parameters)
    except (starknet.ChainAnswer, starknet.NodeError) as exc:
        # Node trouble is recorded too: the history shows every query the user ran, and the answer
        # names the recorded query, which is why this one place words node trouble itself.
        failed = contract_query_record(
            user=user,
            contract_address=contract_address,
            query_type=query_type,
            parameters=parameters,
            error=exc.message,
            duration_ms=_elapsed_ms(started),
        )
        extra = {"query_id": str(failed.pk)}
        if isinstance(exc, starknet.NodeError):
            raise starknet_trouble(exc, extra=extra) from exc
        raise chain_answer_error(exc, extra=extra) from exc
    return contract_query_record(
        user=user,
        contract_address=contract_address,
        query_type=query_type,
        parameters=parameters,
        result=result,
        duration_ms=_elapsed_ms(started),
    )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
