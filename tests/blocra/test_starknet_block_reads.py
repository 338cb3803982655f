"""blocra/starknet's bounded block reads: several blocks in one operation, binary search by time."""

import math

import pytest

from blocra import starknet
from tests.starknet_node import BLOCK_TIME, GENESIS_TIMESTAMP, STRK, TEST_ALICE, TEST_BOB


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


def test_get_latest_blocks_reads_the_window_and_the_pre_confirmed_block_in_one_operation(node):
    # given: blocks 0-20, and a transaction being built into block 21
    node.chain.mint(STRK, TEST_ALICE, 10**18)
    pending = node.chain.transfer(STRK, TEST_ALICE, TEST_BOB, 1, finality="PRE_CONFIRMED")
    node.clear_log()

    # when
    read = starknet.get_latest_blocks(3)

    # then: the latest first, then the earlier ones by number, then the pre-confirmed block's hashes
    assert [block.block_number for block in read.blocks] == [18, 19, 20]
    assert read.blocks[-1].timestamp == GENESIS_TIMESTAMP + 20 * BLOCK_TIME
    assert read.pre_confirmed is not None
    assert (read.pre_confirmed.block_number, read.pre_confirmed.transaction_hashes) == (21, [pending])
    assert node.methods == ["starknet_specVersion", "starknet_chainId"] + ["starknet_getBlockWithReceipts"] * 3 + [
        "starknet_getBlockWithTxHashes"
    ]
    assert [params["block_id"] for params in node.calls("starknet_getBlockWithReceipts")] == [
        "latest",
        {"block_number": 18},
        {"block_number": 19},
    ]
    assert node.calls("starknet_getBlockWithTxHashes") == [{"block_id": "pre_confirmed"}]


def test_get_latest_blocks_of_a_chain_shorter_than_the_window(starknet_node):
    read = starknet.get_latest_blocks(10)

    assert [block.block_number for block in read.blocks] == [0]
    assert read.pre_confirmed is not None and read.pre_confirmed.transaction_hashes == []


def test_get_latest_blocks_without_a_pre_confirmed_block(node):
    node.chain.serves_pre_confirmed = False

    read = starknet.get_latest_blocks(1)

    assert ([block.block_number for block in read.blocks], read.pre_confirmed) == ([20], None)


@pytest.mark.parametrize("count", [0, -1, True])
def test_get_latest_blocks_refuses_a_bad_count_before_any_request(node, count):
    with pytest.raises(ValueError):
        starknet.get_latest_blocks(count)
    assert node.methods == []
