"""Block ranges of the chain reads: bounds given as blocks or dates, clamped to the latest block, with
a bounded number of block reads."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from blocra import starknet
from contracts.dates import range_end, range_start
from contracts.errors import BlockRangeTooLarge


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
