"""Public chain analytics with bounded, cached work: a contract's recent activity, latest-block stats.

RPC budget (each client operation also costs the node two requests: spec version and chain id):
- `contract_activity_analyze`: the latest block number, at most two date searches (each at most
  ceil(log2(blocks + 2)) reads), and one operation reading ANALYZE_MAX_BLOCKS blocks with their
  receipts; cached ANALYZE_CACHE_SECONDS per (chain, contract, range);
- `chain_stats_latest`: at most once per CHAIN_STATS_CACHE_SECONDS across all workers (a cache lock
  elects the one that reads), one operation reading the latest CHAIN_STATS_WINDOW_BLOCKS blocks with
  their receipts and the pre-confirmed block with its transaction hashes: CHAIN_STATS_WINDOW_BLOCKS + 1
  block reads, CHAIN_STATS_WINDOW_BLOCKS + 3 requests with the handshake (13 by default), fewer while
  the chain is shorter than the window.

Chain times (a block's timestamp) are answered as the chain gives them: integers, Unix seconds.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from accounts.services import activity_record
from blocra import starknet
from blocra.amounts import amount_from_base_units
from blocra.clock import clock
from contracts.block_ranges import block_range_resolve
from contracts.chain_data import address_text, fee_text
from contracts.dates import iso_text
from contracts.errors import ChainStatsBusy, chain_answer_error

FEE_TOKENS = {"FRI": "STRK", "WEI": "ETH"}
ANALYZE_MAX_TRANSACTIONS = 10
# Cache keys name the answer's shape: a new shape gets a new version, so while releases overlap (a rolling
# restart) neither serves the other's entries (the earlier one's had RFC 3339 times, no window figures).
CACHE_SHAPE = "v2"


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
        "total_fees": fee_text(totals["FRI"]),
        "avg_fee": fee_text(totals["FRI"] // strk_paid) if strk_paid else None,
        "total_fees_eth": fee_text(totals["WEI"]),
        "fee_token": "STRK",
    }


def _analyze_cache_key(
    contract_address: str, from_date: date | datetime | None, to_date: date | datetime | None
) -> str:
    bounds = ":".join(iso_text(value) if value is not None else "-" for value in (from_date, to_date))
    return f"contracts:analyze:{CACHE_SHAPE}:{settings.STARKNET_CHAIN_ID}:{contract_address}:{bounds}"


def contract_activity_analyze(
    *,
    actor: User | None = None,
    contract_address: str,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
) -> dict[str, Any]:
    """Activity of a contract over at most ANALYZE_MAX_BLOCKS blocks: the latest ones, or the last ones
    of the date range. Cached ANALYZE_CACHE_SECONDS per (chain, contract, range). Every answer, cached
    or not, is a report: logged as `contract.analyzed` (by `actor`, None when anonymous).
    Raises the API errors of chain_answer_error and starknet.NodeError."""
    key = _analyze_cache_key(contract_address, from_date, to_date)
    cached = cache.get(key)
    if cached is not None:
        _analysis_record(actor=actor, analysis=cached, cached=True)
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
    except starknet.ChainAnswer as exc:
        raise chain_answer_error(exc) from exc
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
                "transaction_hash": address_text(tx.transaction_hash),
                "block_number": block.block_number,
                "timestamp": block.timestamp,
                "sender_address": address_text(tx.sender_address),
                "type": tx.type,
                "status": tx.execution_status,
                "fee": fee_text(tx.actual_fee),
                "fee_token": FEE_TOKENS.get(tx.fee_unit, tx.fee_unit),
            }
            for block, tx in reversed(found[-ANALYZE_MAX_TRANSACTIONS:])
        ],
    }
    cache.set(key, analysis, settings.ANALYZE_CACHE_SECONDS)
    _analysis_record(actor=actor, analysis=analysis, cached=False)
    return analysis


def _analysis_record(*, actor: User | None, analysis: dict[str, Any], cached: bool) -> None:
    # A contract address (66 characters) does not fit the target id: it is in the metadata.
    activity_record(
        action="contract.analyzed",
        actor=actor,
        metadata={
            "contract_address": analysis["contract_address"],
            "from_block": analysis["from_block"],
            "to_block": analysis["to_block"],
            "cached": cached,
        },
    )


# --- Latest-blocks statistics -------------------------------------------------------------------------
VOLUME_DECIMALS = 6


def _stats_cache_key(chain: str) -> str:
    return f"contracts:chain_stats:{CACHE_SHAPE}:{chain}:{settings.STARKNET_CHAIN_ID}"


def _strk_moved(transactions: list[starknet.BlockTransaction]) -> int:
    """Base units of STRK moved by the Transfer events (either layout) the STRK contract emitted in these
    transactions' receipts, fee transfers included: exact, as an integer."""
    strk = starknet.address_to_int(settings.STARKNET_TOKENS["STRK"]["address"])
    total = 0
    for tx in transactions:
        for event in tx.events:
            if event.from_address != strk:
                continue
            decoded = starknet.decode_erc20_event(event)
            if decoded is not None and decoded.kind == "Transfer":
                total += decoded.amount
    return total


def _display_amount(base_units: int, decimals: int) -> float:
    """Base units in token units rounded half to even to VOLUME_DECIMALS places, as a JSON number: a
    display figure, rounded only here (money records stay exact decimal strings)."""
    if decimals > VOLUME_DECIMALS:
        step = 10 ** (decimals - VOLUME_DECIMALS)
        whole, rest = divmod(base_units, step)
        if 2 * rest > step or (2 * rest == step and whole % 2):
            whole += 1
        base_units, decimals = whole, VOLUME_DECIMALS
    return float(amount_from_base_units(base_units, decimals))


def _stats_measure() -> dict[str, Any]:
    """Figures over the latest CHAIN_STATS_WINDOW_BLOCKS blocks (fewer while the chain is shorter), read
    in one operation with the pre-confirmed block; `block_number`, `timestamp` and `block_info` describe
    the latest block. tvl stays null: it needs every contract's balances and their prices."""
    read = starknet.get_latest_blocks(settings.CHAIN_STATS_WINDOW_BLOCKS)
    latest = read.blocks[-1]
    transactions = [tx for block in read.blocks for tx in block.transactions]
    fees = _fee_figures(transactions)
    senders = {tx.sender_address for tx in transactions if tx.sender_address is not None}
    return {
        "block_number": latest.block_number,
        "timestamp": latest.timestamp,
        "stats": {
            "window_blocks": len(read.blocks),
            "total_transactions": len(transactions),
            "active_users": len(senders),
            "unique_senders": len(senders),
            "total_fees": fees["total_fees"],
            "avg_fee": fees["avg_fee"],
            "fee_token": "STRK",
            "successful_txs": sum(1 for tx in transactions if tx.execution_status == "SUCCEEDED"),
            "failed_txs": sum(1 for tx in transactions if tx.execution_status == "REVERTED"),
            "pending_txs": len(read.pre_confirmed.transaction_hashes) if read.pre_confirmed is not None else 0,
            "gas_used": sum(tx.l2_gas for tx in transactions),
            "volume": _display_amount(_strk_moved(transactions), settings.STARKNET_TOKENS["STRK"]["decimals"]),
            "tvl": None,
        },
        "block_info": {
            "block_number": latest.block_number,
            "timestamp": latest.timestamp,
            "transaction_count": len(latest.transactions),
        },
    }


STATS_WAIT_STEP = 0.05


def chain_stats_latest(*, chain: str) -> dict[str, Any]:
    """Statistics of the latest blocks, read from the node at most once per CHAIN_STATS_CACHE_SECONDS.

    On a cold cache one request (any worker) wins a short cache lock and reads the window; the others
    wait for its answer as long as one read may take (STARKNET_RPC_TIMEOUT per configured node), then
    get ChainStatsBusy (503). On a cold cache, readers and waiters alike hold a chain-call slot (the
    client's bulkhead), so waiting on a hung node holds no more workers than chain calls may.
    Raises the API errors of chain_answer_error and starknet.NodeError (NodeBusy when no slot is free).
    """
    key = _stats_cache_key(chain)
    stats = _fresh(cache.get(key))
    if stats is not None:
        return stats
    with starknet.chain_slot():
        return _stats_fill_or_wait(key)


def _stats_fill_or_wait(key: str) -> dict[str, Any]:
    """After a cache miss: read the node under the fill lock, or wait for the request holding it."""
    lock = f"{key}:lock"
    # Each configured node gets STARKNET_RPC_TIMEOUT: that bounds one read, failover included.
    read_budget = settings.STARKNET_RPC_TIMEOUT * max(1, len(settings.STARKNET_RPC_URLS))
    deadline = clock().monotonic() + read_budget
    while True:
        # The lock outlives a hung read by a little, so a crashed worker cannot hold it for ever.
        if cache.add(lock, 1, timeout=int(read_budget) + 5):
            try:
                # A reader that held the lock just before us may have filled the cache since our read.
                stats = _fresh(cache.get(key))
                if stats is None:
                    stats = _stats_measure()
                    entry = {"measured_at": clock().time(), "stats": stats}
                    cache.set(key, entry, settings.CHAIN_STATS_CACHE_SECONDS)
            except starknet.ChainAnswer as exc:
                raise chain_answer_error(exc) from exc
            finally:
                cache.delete(lock)
            return stats
        if clock().monotonic() >= deadline:
            raise ChainStatsBusy()
        clock().sleep(STATS_WAIT_STEP)
        stats = _fresh(cache.get(key))
        if stats is not None:
            return stats


def _fresh(entry: Any) -> dict[str, Any] | None:
    """The cached statistics while younger than CHAIN_STATS_CACHE_SECONDS by the application's clock
    (the cache's own expiry only cleans up)."""
    if not isinstance(entry, dict) or clock().time() - entry["measured_at"] >= settings.CHAIN_STATS_CACHE_SECONDS:
        return None
    stats: dict[str, Any] = entry["stats"]
    return stats
