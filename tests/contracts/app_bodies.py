"""Request bodies as the BlocRA app sends them, built from what its pages put in them.

`save_query_body()` is what the contract-events page posts to `/contracts/save-query` after it fetched a
contract's events (at most 100 events as it builds them, its statistics, `contractInfo`; no `name`, no
dates); `dashboard_body()` what it posts to `/dashboards` (its widget objects, tags). Values are
realistic in size: full 0x + 64 hex addresses and hashes, three-key ERC-20 Transfer events.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any

STRK_TOKEN = "0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d"
ETH_TOKEN = "0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7"
TRANSFER_SELECTOR = "0x0099cd8bde557814842a3121e8ddfd433a539b8c9f14bf31ebf108d12e6196e9"
FIRST_BLOCK = 812_345
FIRST_TIME = 1_769_853_600  # 2026-01-31T10:00:00Z


def _felt(seed: int) -> str:
    """A full-width felt (0x + 64 hex digits, below 2**251) that differs per seed."""
    return "0x0" + hashlib.sha256(str(seed).encode()).hexdigest()[:63]


def app_event(index: int) -> dict[str, Any]:
    """One event as the app builds it from `/contracts/events`: an ERC-20 Transfer with its decoding."""
    sender, recipient = _felt(2 * index + 1), _felt(2 * index + 2)
    amount = 10**16 * (index + 1) + 123_456_789
    timestamp = FIRST_TIME + 12 * index
    return {
        "block_number": FIRST_BLOCK + index // 2,
        "transaction_hash": _felt(10_000 + index),
        "from_address": STRK_TOKEN,
        "keys": [TRANSFER_SELECTOR, sender, recipient],
        "data": [hex(amount), "0x0"],
        "event_name": "Transfer",
        "decoded_data": {"from": sender, "to": recipient, "amount": f"{amount / 10**18:.6f}"},
        "timestamp": datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "timestamp_raw": timestamp,
    }


def app_stats(events: int = 100) -> dict[str, Any]:
    """The statistics the app computes over the fetched events (`volumeOverTime` one point per block)."""
    blocks = (events + 1) // 2
    return {
        "totalEvents": events,
        "totalTransactions": events,
        "totalCalls": events,
        "uniqueBlocks": blocks,
        "uniqueUsers": min(events, 87),
        "avgEventsPerBlock": "2.00",
        "avgEventsPerTx": "1.00",
        "avgTxPerBlock": "2.00",
        "totalVolume": "12.345678",
        "transferCount": events,
        "volumeOverTime": [
            {
                "name": f"Block {FIRST_BLOCK + n}",
                "block": FIRST_BLOCK + n,
                "value": 0.123456 * (n + 1),
                "transactions": 2,
            }
            for n in range(blocks)
        ],
        "dateRange": {"from": "2026-01-31T10:00:00.000Z", "to": "2026-01-31T10:19:48.000Z", "span": "19 minutes"},
        "eventTypes": {"Transfer": events},
        "topCallers": [
            {"name": f"{_felt(n)[:6]}...{_felt(n)[-4:]}", "address": _felt(n), "calls": 10 - n} for n in range(10)
        ],
        "isActive": True,
        "hasTransfers": True,
        "hasApprovals": False,
        "errorRate": {"rate": 2.5},
    }


def save_query_body(events: int = 100) -> dict[str, Any]:
    """POST /contracts/save-query as the app sends it: contract objects (one name blank), "Starknet"."""
    return {
        "contracts": [{"address": STRK_TOKEN, "name": "STRK"}, {"address": ETH_TOKEN, "name": ""}],
        "chain": "Starknet",
        "events": [app_event(n) for n in range(events)],
        "stats": app_stats(events),
        "contractInfo": {"contractType": "Smart Contract", "contractName": "STRK"},
    }


def dashboard_body(points: int = 50) -> dict[str, Any]:
    """POST /dashboards as the app sends it: title, description, its widget objects, tags."""
    return {
        "title": "STRK Analytics Dashboard",
        "description": "Auto-generated dashboard for ERC20 Token analysis",
        "widgets": [
            {
                "id": "total-events-kpi",
                "type": "kpi",
                "title": "Total Events",
                "data": [{"value": 120}],
                "position": {"x": 0, "y": 0, "w": 3, "h": 3},
            },
            {
                "id": "unique-users-kpi",
                "type": "kpi",
                "title": "Unique Users",
                "data": [{"value": 87}],
                "position": {"x": 3, "y": 0, "w": 3, "h": 3},
            },
            {
                "id": "events-timeline",
                "type": "line",
                "title": "Events Over Time",
                "data": [{"name": FIRST_BLOCK + n, "value": 1 + n % 3} for n in range(points)],
                "position": {"x": 6, "y": 0, "w": 6, "h": 4},
            },
            {
                "id": "transfer-volume",
                "type": "gauge",
                "title": "Transfer Volume",
                "data": [{"value": 12.345678, "max": 100}],
                "position": {"x": 0, "y": 4, "w": 4, "h": 4},
            },
            {
                "id": "event-types",
                "type": "pie",
                "title": "Event Types",
                "data": [{"name": "Transfer", "value": 100}, {"name": "Approval", "value": 20}],
                "position": {"x": 4, "y": 4, "w": 4, "h": 4},
            },
        ],
        "tags": ["Starknet", "ERC20 Token"],
    }
