"""Block reads: the latest number, blocks (optionally with every receipt), the latest blocks with the
pre-confirmed one, timestamps, search by time."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from blocra.starknet.errors import BlockNotFound, NodeBadResponse
from blocra.starknet.transport import RPC_BLOCK_NOT_FOUND, block_kwargs, chain_id_text, rpc_code, run
from blocra.starknet.types import Block, BlockId, BlockTransaction, Event, LatestBlocks

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient


def get_block_number() -> int:
    """The number of the latest accepted block."""

    async def operation(client: "FullNodeClient") -> int:
        number = await client.get_block_number()
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise NodeBadResponse()
        return number

    return run(operation, "get_block_number")


def get_chain_id() -> str:
    """The chain id of the first working node, as text (`SN_MAIN`, `SN_SEPOLIA`)."""

    async def operation(client: "FullNodeClient") -> str:
        return chain_id_text(await client.get_chain_id())

    return run(operation, "get_chain_id")


def _block(raw: Any, transactions: list[BlockTransaction] | None = None) -> Block:
    status = getattr(raw, "status", None)
    hashes = list(raw.transactions) if transactions is None else [tx.transaction_hash for tx in transactions]
    return Block(
        block_number=raw.block_number,
        block_hash=getattr(raw, "block_hash", None),
        parent_hash=getattr(raw, "parent_hash", None),
        timestamp=raw.timestamp,
        status=status.value if status is not None else "PRE_CONFIRMED",
        transaction_hashes=hashes,
        transactions=transactions or [],
    )


async def _read_block(client: "FullNodeClient", block: BlockId, with_receipts: bool) -> Block:
    try:
        if not with_receipts:
            return _block(await client.get_block_with_tx_hashes(**block_kwargs(block)))
        raw = await client.get_block_with_receipts(**block_kwargs(block))
    except Exception as exc:
        if rpc_code(exc) == RPC_BLOCK_NOT_FOUND:
            raise BlockNotFound() from exc
        raise
    transactions = [
        BlockTransaction(
            transaction_hash=item.receipt.transaction_hash,
            type=item.receipt.type.value,
            sender_address=getattr(item.transaction, "sender_address", None),
            execution_status=item.receipt.execution_status.value,
            actual_fee=item.receipt.actual_fee.amount,
            fee_unit=item.receipt.actual_fee.unit.value,
            events=[Event.from_rpc(event) for event in item.receipt.events],
            l2_gas=item.receipt.execution_resources.l2_gas,
        )
        for item in raw.transactions
    ]
    return _block(raw, transactions)


def get_block(block: BlockId = "latest", *, with_receipts: bool = False) -> Block:
    """A block with its timestamp and transaction hashes; `with_receipts` also reads every transaction
    with its receipt (sender, status, fee, events, L2 gas). `"pre_confirmed"` is the block being built
    (no hash, no parent). Raises BlockNotFound (24) and NodeError."""
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> Block:
        return await _read_block(client, block, with_receipts)

    return run(operation, "get_block")


def get_blocks(blocks: Sequence[BlockId], *, with_receipts: bool = False) -> list[Block]:
    """The given blocks, in order, read in one operation (one call per block: callers bound the list).
    Raises BlockNotFound (24) and NodeError."""
    for block in blocks:
        block_kwargs(block)

    async def operation(client: "FullNodeClient") -> list[Block]:
        return [await _read_block(client, block, with_receipts) for block in blocks]

    return run(operation, "get_blocks")


def get_latest_blocks(count: int) -> LatestBlocks:
    """The latest `count` blocks with their receipts (fewer when the chain is shorter), oldest first, and
    the pre-confirmed block with its transaction hashes, read in one operation: the latest block first,
    then the earlier ones by number, then the pre-confirmed block, so the window is one consistent
    stretch of the chain (`count` + 1 block reads). A node without a pre-confirmed block (24) gives
    `pre_confirmed` None. Raises ValueError (count below 1) and NodeError."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("get_latest_blocks needs a count of at least 1.")

    async def operation(client: "FullNodeClient") -> LatestBlocks:
        latest = await _read_block(client, "latest", True)
        first = max(0, latest.block_number - count + 1)
        earlier = [await _read_block(client, number, True) for number in range(first, latest.block_number)]
        try:
            pre_confirmed: Block | None = await _read_block(client, "pre_confirmed", False)
        except BlockNotFound:
            pre_confirmed = None
        return LatestBlocks(blocks=[*earlier, latest], pre_confirmed=pre_confirmed)

    return run(operation, "get_latest_blocks")


def get_block_timestamps(block_numbers: Sequence[int]) -> dict[int, int]:
    """{block number: Unix timestamp} for the given blocks, read in one operation (one call per block:
    callers bound the list)."""
    for number in block_numbers:
        block_kwargs(number)

    async def operation(client: "FullNodeClient") -> dict[int, int]:
        out: dict[int, int] = {}
        for number in dict.fromkeys(block_numbers):
            out[number] = (await _read_block(client, number, False)).timestamp
        return out

    return run(operation, "get_block_timestamps")


def first_block_at(timestamp: int, *, low: int, high: int) -> int:
    """The first block in [low, high] whose timestamp is >= `timestamp` (high + 1 when none is), found
    by binary search in one operation: at most ceil(log2(high - low + 2)) block reads.
    Raises BlockNotFound (24) and NodeError."""
    if not 0 <= low <= high:
        raise ValueError("first_block_at needs 0 <= low <= high.")

    async def operation(client: "FullNodeClient") -> int:
        lo, hi = low, high + 1
        while lo < hi:
            middle = (lo + hi) // 2
            if (await _read_block(client, middle, False)).timestamp >= timestamp:
                hi = middle
            else:
                lo = middle + 1
        return lo

    return run(operation, "first_block_at")
