"""Plain results of the client: frozen dataclasses of ints and strings, nothing of starknet-py's."""

from dataclasses import dataclass, field
from typing import Any, Literal

BlockId = int | Literal["latest", "pre_confirmed", "l1_accepted"]
BLOCK_TAGS = ("latest", "pre_confirmed", "l1_accepted")

ExecutionStatus = Literal["SUCCEEDED", "REVERTED"]
FinalityStatus = Literal["PRE_CONFIRMED", "ACCEPTED_ON_L2", "ACCEPTED_ON_L1"]


@dataclass(frozen=True)
class Event:
    """An event as carried by a receipt, or (with the block fields) as returned by getEvents."""

    from_address: int
    keys: list[int]
    data: list[int]
    transaction_hash: int | None = None
    block_number: int | None = None
    block_hash: int | None = None
    transaction_index: int | None = None
    event_index: int | None = None

    @classmethod
    def from_rpc(cls, raw: Any) -> "Event":
        """From starknet-py's emitted or receipt event."""
        return cls(
            from_address=raw.from_address,
            keys=list(raw.keys),
            data=list(raw.data),
            transaction_hash=getattr(raw, "transaction_hash", None),
            block_number=getattr(raw, "block_number", None),
            block_hash=getattr(raw, "block_hash", None),
            transaction_index=getattr(raw, "transaction_index", None),
            event_index=getattr(raw, "event_index", None),
        )


@dataclass(frozen=True)
class Receipt:
    """A transaction receipt. `block_hash` is None while the transaction is pre-confirmed."""

    transaction_hash: int
    type: str
    execution_status: ExecutionStatus
    finality_status: FinalityStatus
    block_number: int
    block_hash: int | None
    actual_fee: int
    fee_unit: str
    events: list[Event]
    revert_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.execution_status == "SUCCEEDED"

    @property
    def accepted(self) -> bool:
        """Accepted on L2 or L1; a pre-confirmed transaction is not (yet)."""
        return self.finality_status in ("ACCEPTED_ON_L2", "ACCEPTED_ON_L1")


@dataclass(frozen=True)
class BlockTransaction:
    """One transaction of a block read with its receipt. `l2_gas` is the L2 gas it consumed (the
    receipt's `execution_resources.l2_gas`)."""

    transaction_hash: int
    type: str
    sender_address: int | None
    execution_status: str
    actual_fee: int
    fee_unit: str
    events: list[Event]
    l2_gas: int


@dataclass(frozen=True)
class Block:
    """A block header plus its transaction hashes (and, read with receipts, the transactions)."""

    block_number: int
    block_hash: int | None
    parent_hash: int | None
    timestamp: int
    status: str
    transaction_hashes: list[int]
    transactions: list[BlockTransaction] = field(default_factory=list)


@dataclass(frozen=True)
class LatestBlocks:
    """The latest blocks read with their receipts, oldest first (the latest last), and the pre-confirmed
    block with its transaction hashes (None when the node has none), all from one operation."""

    blocks: list[Block]
    pre_confirmed: Block | None


@dataclass(frozen=True)
class EventsPage:
    """Events of a bounded getEvents walk. `continuation_token` is set when more pages were left unread."""

    events: list[Event]
    continuation_token: str | None
    pages: int


@dataclass(frozen=True)
class TokenMetadata:
    address: str
    name: str
    symbol: str
    decimals: int


@dataclass(frozen=True)
class Erc20Event:
    """A decoded ERC-20 Transfer (`sender` -> `recipient`) or Approval (`sender` = owner, `recipient` = spender)."""

    kind: Literal["Transfer", "Approval"]
    token: int
    sender: int
    recipient: int
    amount: int


@dataclass(frozen=True)
class NodeStatus:
    """What `check_nodes` learned about one configured URL; `url` is redacted to scheme and host."""

    url: str
    ok: bool
    spec_version: str | None
    chain_id: str | None
    problem: str | None
