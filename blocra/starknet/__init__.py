"""The Starknet client: the one way the backend talks to Starknet (JSON-RPC 0.10 through starknet-py).

Shared infrastructure below every app. Its surface is synchronous and returns plain dataclasses
(`types`); its errors are its own (`errors`). Node trouble (`NodeError`) is answered 503/504/502 by the
API's exception handler, so callers let it propagate; definitive chain answers (not found, reverted)
are for each app to word.

Modules: `transport` (failover, timeouts, error classification), `errors`, `felts` (addresses, felts,
strings), `types`, reads by concern (`calls`, `erc20`, `blocks`, `receipts`, `events`, `state`),
`signatures` (SNIP-12 hashes, SNIP-6 checks), `nodes` (the deploy-time check) and the bulkhead that
keeps a hung node from holding every worker (`slots`, `breaker`).
"""

from blocra.starknet.blocks import (
    first_block_at,
    get_block,
    get_block_number,
    get_block_timestamps,
    get_blocks,
    get_chain_id,
    get_latest_blocks,
)
from blocra.starknet.calls import call_contract, call_view, camel_case
from blocra.starknet.erc20 import (
    APPROVAL_SELECTOR,
    TRANSFER_SELECTOR,
    decode_erc20_event,
    erc20_balance_of,
    erc20_metadata,
    erc20_total_supply,
)
from blocra.starknet.errors import (
    AccountNotDeployed,
    BlockNotFound,
    ChainAnswer,
    ContractCallReverted,
    ContractNotFound,
    EntryPointNotFound,
    InvalidAddress,
    NodeBadResponse,
    NodeBusy,
    NodeCircuitOpen,
    NodeError,
    NodeTimeout,
    NodeUnavailable,
    StarknetError,
    TransactionNotFound,
    UnexpectedContractAnswer,
)
from blocra.starknet.events import get_events
from blocra.starknet.felts import (
    FIELD_PRIME,
    address_to_int,
    decode_string,
    felt_hex,
    normalize_account_address,
    normalize_address,
    parse_felt,
    u256,
)
from blocra.starknet.nodes import check_nodes
from blocra.starknet.receipts import get_transaction_receipt
from blocra.starknet.signatures import message_hash, verify_signature
from blocra.starknet.slots import chain_slot
from blocra.starknet.state import get_class_hash_at, get_nonce
from blocra.starknet.types import (
    Block,
    BlockId,
    BlockTransaction,
    Erc20Event,
    Event,
    EventsPage,
    LatestBlocks,
    NodeStatus,
    Receipt,
    TokenMetadata,
)

__all__ = [
    "APPROVAL_SELECTOR",
    "FIELD_PRIME",
    "TRANSFER_SELECTOR",
    "AccountNotDeployed",
    "Block",
    "BlockId",
    "BlockNotFound",
    "BlockTransaction",
    "ChainAnswer",
    "ContractCallReverted",
    "ContractNotFound",
    "EntryPointNotFound",
    "Erc20Event",
    "Event",
    "EventsPage",
    "InvalidAddress",
    "LatestBlocks",
    "NodeBadResponse",
    "NodeBusy",
    "NodeCircuitOpen",
    "NodeError",
    "NodeStatus",
    "NodeTimeout",
    "NodeUnavailable",
    "Receipt",
    "StarknetError",
    "TokenMetadata",
    "TransactionNotFound",
    "UnexpectedContractAnswer",
    "address_to_int",
    "call_contract",
    "call_view",
    "camel_case",
    "chain_slot",
    "check_nodes",
    "decode_erc20_event",
    "decode_string",
    "erc20_balance_of",
    "erc20_metadata",
    "erc20_total_supply",
    "felt_hex",
    "first_block_at",
    "get_block",
    "get_block_number",
    "get_block_timestamps",
    "get_blocks",
    "get_chain_id",
    "get_class_hash_at",
    "get_events",
    "get_latest_blocks",
    "get_nonce",
    "get_transaction_receipt",
    "message_hash",
    "normalize_account_address",
    "normalize_address",
    "parse_felt",
    "u256",
    "verify_signature",
]
