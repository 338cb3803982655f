"""Public chain analytics with bounded, cached work: a contract's recent activity, latest-block stats.

RPC budget (each client operation also costs the node two requests: spec version and chain id):
- `contract_activity_analyze`: the latest block number, at most two date searches (each at most
  ceil(log2(blocks + 2)) reads), and one operation reading ANALYZE_MAX_BLOCKS blocks with their
  receipts; cached ANALYZE_CACHE_SECONDS per (chain, contract, range);
- `chain_stats_latest`: one operation reading the latest block with receipts, at most once per
  CHAIN_STATS_CACHE_SECONDS across all workers (a cache lock elects the one that reads).
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from accounts.services import activity_record
from blocra import starknet
from blocra.clock import clock
from contracts.block_ranges import block_range_resolve
from contracts.chain_data import address_text, fee_text, rfc3339
from contracts.dates import iso_text
from contracts.errors import ChainStatsBusy, chain_answer_error

FEE_TOKENS = {"FRI": "STRK", "WEI": "ETH"}
ANALYZE_MAX_TRANSACTIONS = 10


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
    return f"contracts:analyze:{settings.STARKNET_CHAIN_ID}:{contract_address}:{bounds}"


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
                "timestamp": rfc3339(block.timestamp),
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
    timestamp = rfc3339(block.timestamp)
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
