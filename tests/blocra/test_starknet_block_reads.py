"""blocra/starknet's bounded block reads: several blocks in one operation, binary search by time."""

import math

import pytest

from blocra import starknet
from tests.starknet_node import BLOCK_TIME, GENESIS_TIMESTAMP


@pytest.fixture
def node(starknet_node):
    starknet_node.chain.mine_blocks(20)
    starknet_node.clear_log()
    return starknet_node


def test_get_blocks_reads_the_blocks_in_one_operation(node):
    blocks = starknet.get_blocks([3, 1, "latest"])

    assert [block.block_number for block in blocks] == [3, 1, 20]
    assert blocks[0].timestamp == GENESIS_TIMESTAMP + 3 * BLOCK_TIME
    assert node.methods == ["starknet_specVersion", "starknet_chainId"] + ["starknet_getBlockWithTxHashes"] * 3


def test_get_blocks_unknown_block_is_block_not_found(node):
    with pytest.raises(starknet.BlockNotFound):
        starknet.get_blocks([1, 21])


@pytest.mark.parametrize(
    ("offset", "expected"),
    [(0, 0), (1, 1), (BLOCK_TIME, 1), (BLOCK_TIME + 1, 2), (20 * BLOCK_TIME, 20), (20 * BLOCK_TIME + 1, 21)],
)
def test_first_block_at_finds_the_first_block_at_or_after_a_time(node, offset, expected):
    assert starknet.first_block_at(GENESIS_TIMESTAMP + offset, low=0, high=20) == expected
    assert node.methods.count("starknet_getBlockWithTxHashes") <= math.ceil(math.log2(22))


def test_first_block_at_searches_only_within_its_bounds(node):
    assert starknet.first_block_at(GENESIS_TIMESTAMP, low=5, high=8) == 5
    reads = [params["block_id"]["block_number"] for params in node.calls("starknet_getBlockWithTxHashes")]
    assert reads and all(5 <= number <= 8 for number in reads)


def test_first_block_at_refuses_reversed_bounds_before_any_request(node):
    with pytest.raises(ValueError):
        starknet.first_block_at(GENESIS_TIMESTAMP, low=3, high=2)
    assert node.methods == []
