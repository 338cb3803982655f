"""Chain-backed reads and the contract query run, all through `contracts.starknet` with bounded work.

RPC budget (each client operation also costs the node two requests: spec version and chain id):
- a contract query is one operation (two for `erc20_info` without cached metadata, two for `events`);
- `contract_events_fetch`: the latest block number, at most two binary searches over block timestamps
  when dates are given (each at most ceil(log2(blocks + 2)) reads: the end over the whole chain, the
  start within CONTRACT_EVENTS_MAX_SPAN blocks of it, or over the whole chain when the end is open),
  CONTRACT_EVENTS_MAX_PAGES pages of CONTRACT_EVENTS_PAGE_SIZE events, one timestamp read per distinct
  block of those events;
- `contract_activity_analyze`: the latest block number, at most two date searches, and one operation
  reading ANALYZE_MAX_BLOCKS blocks with their receipts; cached ANALYZE_CACHE_SECONDS;
- `chain_stats_latest`: one operation reading the latest block with receipts, at most once per
  CHAIN_STATS_CACHE_SECONDS across all workers (a cache lock elects the one that reads).

A client error is mapped to an API error by `contracts.errors.chain_error` (404/400 for definitive
chain answers, 502/503/504 for node trouble).
"""

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from blocra.amounts import format_amount
from contracts import starknet
from contracts.dates import iso_text, range_end, range_start
from contracts.errors import BlockRangeTooLarge, ChainStatsBusy, chain_error
from contracts.models import ContractQuery
from contracts.services import contract_query_record

FEE_TOKENS = {"FRI": "STRK", "WEI": "ETH"}
FEE_DECIMALS = 18
ANALYZE_MAX_TRANSACTIONS = 10


# --- Formatting ---------------------------------------------------------------------------------------
def _address(value: int | None) -> str | None:
    return None if value is None else f"0x{value:064x}"


def _rfc3339(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def _fee_text(base_units: int) -> str:
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
            first: _address(decoded.sender) or "",
            second: _address(decoded.recipient) or "",
            "value": str(decoded.amount),
        }
    body: dict[str, Any] = {
        "block_number": event.block_number,
        "transaction_hash": _address(event.transaction_hash),
        "from_address": _address(event.from_address),
        "keys": [hex(key) for key in event.keys],
        "data": [hex(item) for item in event.data],
        "event_name": decoded.kind if decoded is not None else None,
        "decoded_data": decoded_data,
    }
    if event.block_number is not None:
        body["timestamp"] = _rfc3339(timestamp) if timestamp is not None else None
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
    decoded. Raises BlockRangeTooLarge and the API errors of chain_error."""
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
    except starknet.StarknetError as exc:
        raise chain_error(exc) from exc


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
        "transaction_hash": _address(receipt.transaction_hash),
        "type": receipt.type,
        "execution_status": receipt.execution_status,
        "finality_status": receipt.finality_status,
        "block_number": receipt.block_number,
        "block_hash": _address(receipt.block_hash),
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
    except starknet.StarknetError as exc:
        failed = contract_query_record(
            user=user,
            contract_address=contract_address,
            query_type=query_type,
            parameters=parameters,
            error=exc.message,
            duration_ms=_elapsed_ms(started),
        )
        raise chain_error(exc, extra={"query_id": str(failed.pk)}) from exc
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


# --- Activity analysis --------------------------------------------------------------------------------
def _involves(tx: starknet.BlockTransaction, contract: int) -> bool:
    """A transaction of the contract: sent by it (an account), or one whose receipt holds an event it
    emitted (any call into it that logs, e.g. every ERC-20 transfer of a token)."""
    return tx.sender_address == contract or any(event.from_address == contract for event in tx.events)


def _fee_totals(transactions: list[starknet.BlockTransaction]) -> dict[str, int]:
    totals = {unit: 0 for unit in FEE_TOKENS}
    for tx in transactions:
        if tx.fee_unit in totals:
            totals[tx.fee_unit] += tx.actual_fee
    return totals


def _fee_figures(transactions: list[starknet.BlockTransaction]) -> dict[str, str | None]:
    """total_fees and avg_fee in STRK over the transactions that paid in FRI (every v3 transaction);
    total_fees_eth over those that paid in WEI (legacy). None when no transaction paid in STRK."""
    totals = _fee_totals(transactions)
    strk_paid = sum(1 for tx in transactions if tx.fee_unit == "FRI")
    return {
        "total_fees": _fee_text(totals["FRI"]),
        "avg_fee": _fee_text(totals["FRI"] // strk_paid) if strk_paid else None,
        "total_fees_eth": _fee_text(totals["WEI"]),
        "fee_token": "STRK",
    }


def _analyze_cache_key(
    contract_address: str, from_date: date | datetime | None, to_date: date | datetime | None
) -> str:
    bounds = ":".join(iso_text(value) if value is not None else "-" for value in (from_date, to_date))
    return f"contracts:analyze:{settings.STARKNET_CHAIN_ID}:{contract_address}:{bounds}"


def contract_activity_analyze(
    *, contract_address: str, from_date: date | datetime | None = None, to_date: date | datetime | None = None
) -> dict[str, Any]:
    """Activity of a contract over at most ANALYZE_MAX_BLOCKS blocks: the latest ones, or the last ones
    of the date range. Cached ANALYZE_CACHE_SECONDS per (chain, contract, range).
    Raises the API errors of chain_error."""
    key = _analyze_cache_key(contract_address, from_date, to_date)
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        blocks = block_range_resolve(
            from_date=from_date,
            to_date=to_date,
            default_span=settings.ANALYZE_MAX_BLOCKS,
            max_span=None,
            open_end="latest",
        )
        first = max(blocks.from_block, blocks.to_block - settings.ANALYZE_MAX_BLOCKS + 1)
        read = starknet.get_blocks(list(range(first, blocks.to_block + 1)), with_receipts=True)
    except starknet.StarknetError as exc:
        raise chain_error(exc) from exc
    contract = int(contract_address, 16)
    found = [(block, tx) for block in read for tx in block.transactions if _involves(tx, contract)]
    transactions = [tx for _, tx in found]
    analysis = {
        "contract_address": contract_address,
        "status": "Active" if found else "No Recent Activity",
        "transaction_count": len(found),
        **_fee_figures(transactions),
        "unique_senders": len({tx.sender_address for tx in transactions if tx.sender_address is not None}),
        "blocks_analyzed": len(read),
        "current_block": blocks.latest,
        "from_block": first,
        "to_block": blocks.to_block,
        "range_from_block": blocks.from_block,
        "transactions": [
            {
                "transaction_hash": _address(tx.transaction_hash),
                "block_number": block.block_number,
                "timestamp": _rfc3339(block.timestamp),
                "sender_address": _address(tx.sender_address),
                "type": tx.type,
                "status": tx.execution_status,
                "fee": _fee_text(tx.actual_fee),
                "fee_token": FEE_TOKENS.get(tx.fee_unit, tx.fee_unit),
            }
            for block, tx in reversed(found[-ANALYZE_MAX_TRANSACTIONS:])
        ],
    }
    cache.set(key, analysis, settings.ANALYZE_CACHE_SECONDS)
    return analysis


# --- Latest-block statistics --------------------------------------------------------------------------
def _stats_cache_key(chain: str) -> str:
    return f"contracts:chain_stats:{chain}:{settings.STARKNET_CHAIN_ID}"


def _stats_measure() -> dict[str, Any]:
    """Figures of the latest block. Not measurable from one block, hence null: active_users (needs a
    time window), pending_txs (an accepted block holds none; the pre-confirmed block is not read),
    gas_used (resources are priced per kind, l1_gas, l1_data_gas and l2_gas: no single figure), volume
    (token amounts need prices), tvl (balances of every contract)."""
    block = starknet.get_block("latest", with_receipts=True)
    transactions = block.transactions
    fees = _fee_figures(transactions)
    timestamp = _rfc3339(block.timestamp)
    return {
        "block_number": block.block_number,
        "timestamp": timestamp,
        "stats": {
            "total_transactions": len(transactions),
            "active_users": None,
            "unique_senders": len({tx.sender_address for tx in transactions if tx.sender_address is not None}),
            "total_fees": fees["total_fees"],
            "avg_fee": fees["avg_fee"],
            "fee_token": "STRK",
            "successful_txs": sum(1 for tx in transactions if tx.execution_status == "SUCCEEDED"),
            "failed_txs": sum(1 for tx in transactions if tx.execution_status == "REVERTED"),
            "pending_txs": None,
            "gas_used": None,
            "volume": None,
            "tvl": None,
        },
        "block_info": {
            "block_number": block.block_number,
            "timestamp": timestamp,
            "transaction_count": len(transactions),
        },
    }


STATS_WAIT_STEP = 0.05


def chain_stats_latest(*, chain: str) -> dict[str, Any]:
    """Latest-block statistics, read from the node at most once per CHAIN_STATS_CACHE_SECONDS.

    On a cold cache one request (any worker) wins a short cache lock and reads the block; the others
    wait for its answer as long as one read may take (STARKNET_RPC_TIMEOUT per configured node), then
    get ChainStatsBusy (503).
    Raises the API errors of chain_error.
    """
    key, lock = _stats_cache_key(chain), f"{_stats_cache_key(chain)}:lock"
    # Each configured node gets STARKNET_RPC_TIMEOUT: that bounds one read, failover included.
    read_budget = settings.STARKNET_RPC_TIMEOUT * max(1, len(settings.STARKNET_RPC_URLS))
    deadline = time.monotonic() + read_budget
    while True:
        stats = cache.get(key)
        if stats is not None:
            return stats
        # The lock outlives a hung read by a little, so a crashed worker cannot hold it for ever.
        if cache.add(lock, 1, timeout=int(read_budget) + 5):
            try:
                stats = _stats_measure()
                cache.set(key, stats, settings.CHAIN_STATS_CACHE_SECONDS)
            except starknet.StarknetError as exc:
                raise chain_error(exc) from exc
            finally:
                cache.delete(lock)
            return stats
        if time.monotonic() >= deadline:
            raise ChainStatsBusy()
        time.sleep(STATS_WAIT_STEP)
