"""GET /dashboards/stats: figures of the latest blocks from the local node, cached so polls never fan out."""

import threading

import pytest
from rest_framework.test import APIClient

from tests.bulkhead import chain_slots_held
from tests.contracts.conftest import ALICE, BOB, TOKEN, assert_error, rpc_requests
from tests.starknet_node import BLOCK_TIME, FEE, GENESIS_TIMESTAMP, STRK, unreachable_url

pytestmark = pytest.mark.django_db

STATS = "/api/dashboards/stats"
BLOCK_READ = "starknet_getBlockWithReceipts"
HASHES_READ = "starknet_getBlockWithTxHashes"
CAROL = 0xCA201


@pytest.fixture
def busy_block(chain):
    """Block 1 holds three transactions from two senders: two succeeded, one reverted."""
    chain.mint(STRK, BOB, FEE)
    chain.transfer(TOKEN, ALICE, BOB, 1, finality="PRE_CONFIRMED")
    chain.transfer(TOKEN, BOB, ALICE, 10**12, finality="PRE_CONFIRMED")  # Bob holds no TOKEN: reverted
    chain.transfer(STRK, ALICE, BOB, 5, finality="PRE_CONFIRMED")
    return chain.mine_pending()


def test_stats_answers_numbers_and_unix_seconds(busy_block, api_client):
    response = api_client.get(STATS, {"chain": "starknet"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "success": True,
        "block_number": 1,
        "timestamp": GENESIS_TIMESTAMP + BLOCK_TIME,
        "stats": {
            "window_blocks": 2,  # the chain is shorter than the window: blocks 0 and 1
            "total_transactions": 3,
            "active_users": 2,
            "unique_senders": 2,
            "total_fees": "0.003",
            "avg_fee": "0.001",
            "fee_token": "STRK",
            "successful_txs": 2,
            "failed_txs": 1,
            "pending_txs": 0,
            "gas_used": 3_000_000,
            "volume": 0.003,  # 5 base units and three 0.001 STRK fee transfers: 0.003000000000000005 STRK
            "tvl": None,
        },
        "block_info": {"block_number": 1, "timestamp": GENESIS_TIMESTAMP + BLOCK_TIME, "transaction_count": 3},
    }


@pytest.fixture
def window_chain(chain, settings):
    """Blocks 1-5 and two pre-confirmed transactions; the window is the latest 4 blocks (2-5).

    block 1 (outside): Carol -> Alice 7 STRK, 900,000 gas
    block 2: Alice -> Bob 2 STRK (1,000 gas); Alice -> Bob 3 TOKEN (2,000); Bob -> Alice 0.0000004 STRK (3,000)
    block 3: Bob -> Alice 10**12 TOKEN, reverted (4,000); Bob -> Carol 1.5 STRK, legacy layout (5,000)
    block 4: Alice approves Bob for 9 STRK: an Approval, not a transfer (6,000)
    block 5: Alice multicall -> Bob 0.0000004 STRK and -> Carol 1 base unit (7,000)
    pre-confirmed: Carol -> Bob 5 STRK (8,000); Bob -> Alice 1 TOKEN (9,000)
    Every transaction also carries its 0.001 STRK fee transfer.
    """
    settings.CHAIN_STATS_WINDOW_BLOCKS = 4
    chain.mint(STRK, BOB, 10**18)
    chain.mint(STRK, CAROL, 20 * 10**18)
    chain.transfer(STRK, CAROL, ALICE, 7 * 10**18, l2_gas=900_000)
    chain.transfer(STRK, ALICE, BOB, 2 * 10**18, finality="PRE_CONFIRMED", l2_gas=1_000)
    chain.transfer(TOKEN, ALICE, BOB, 3 * 10**6, finality="PRE_CONFIRMED", l2_gas=2_000)
    chain.transfer(STRK, BOB, ALICE, 4 * 10**11, finality="PRE_CONFIRMED", l2_gas=3_000)
    chain.mine_pending()
    chain.transfer(TOKEN, BOB, ALICE, 10**12, finality="PRE_CONFIRMED", l2_gas=4_000)
    chain.transfer(STRK, BOB, CAROL, 15 * 10**17, layout="legacy", finality="PRE_CONFIRMED", l2_gas=5_000)
    chain.mine_pending()
    chain.approve(STRK, ALICE, BOB, 9 * 10**18, l2_gas=6_000)
    chain.transfer_many(STRK, ALICE, [(BOB, 4 * 10**11), (CAROL, 1)], l2_gas=7_000)
    chain.transfer(STRK, CAROL, BOB, 5 * 10**18, finality="PRE_CONFIRMED", l2_gas=8_000)
    chain.transfer(TOKEN, BOB, ALICE, 10**6, finality="PRE_CONFIRMED", l2_gas=9_000)
    assert (chain.latest.number, [tx.execution_status for tx in chain.blocks[3].txs]) == (5, ["REVERTED", "SUCCEEDED"])
    return chain


def test_stats_figures_over_the_window_match_a_count_by_hand(window_chain, starknet_node, api_client):
    response = api_client.get(STATS)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "success": True,
        "block_number": 5,
        "timestamp": GENESIS_TIMESTAMP + 5 * BLOCK_TIME,
        "stats": {
            "window_blocks": 4,
            "total_transactions": 7,  # 3 + 2 + 1 + 1
            "active_users": 2,  # Alice and Bob; Carol sent only outside the window and pre-confirmed
            "unique_senders": 2,
            "total_fees": "0.007",
            "avg_fee": "0.001",
            "fee_token": "STRK",
            "successful_txs": 6,
            "failed_txs": 1,
            "pending_txs": 2,
            "gas_used": 28_000,  # 1,000 + 2,000 + ... + 7,000; not block 1's 900,000 nor the pre-confirmed
            # STRK transfers: 2 + 0.0000004 + 1.5 + 0.0000004 + 10**-18, plus 7 fees of 0.001
            # = 3.507000800000000001 STRK, rounded once: 3.507001 (rounding each transfer would give 3.507)
            "volume": 3.507001,
            "tvl": None,
        },
        "block_info": {"block_number": 5, "timestamp": GENESIS_TIMESTAMP + 5 * BLOCK_TIME, "transaction_count": 1},
    }
    # the window's blocks only: block 1 was never read
    assert [params["block_id"] for params in starknet_node.calls(BLOCK_READ)] == [
        "latest",
        {"block_number": 2},
        {"block_number": 3},
        {"block_number": 4},
    ]
    assert starknet_node.calls(HASHES_READ) == [{"block_id": "pre_confirmed"}]


def test_stats_window_of_one_block_reads_only_the_latest(window_chain, settings, starknet_node, api_client):
    settings.CHAIN_STATS_WINDOW_BLOCKS = 1

    stats = api_client.get(STATS).json()["stats"]

    assert (stats["window_blocks"], stats["total_transactions"], stats["active_users"], stats["gas_used"]) == (
        1,
        1,
        1,
        7_000,
    )
    assert stats["volume"] == 0.001  # 0.0000004 STRK + 1 base unit + the fee: 0.001000400000000001
    assert starknet_node.calls(BLOCK_READ) == [{"block_id": "latest"}]


def test_stats_of_an_empty_block_are_zeros(chain, api_client):
    stats = api_client.get(STATS).json()["stats"]

    assert stats == {
        "window_blocks": 1,
        "total_transactions": 0,
        "active_users": 0,
        "unique_senders": 0,
        "total_fees": "0",
        "avg_fee": None,
        "fee_token": "STRK",
        "successful_txs": 0,
        "failed_txs": 0,
        "pending_txs": 0,
        "gas_used": 0,
        "volume": 0.0,
        "tvl": None,
    }


def test_stats_node_without_a_pre_confirmed_block_has_no_pending_transactions(window_chain, api_client):
    window_chain.serves_pre_confirmed = False

    response = api_client.get(STATS)

    assert response.status_code == 200, response.content
    assert response.json()["stats"]["pending_txs"] == 0


@pytest.mark.parametrize(
    ("amount", "volume"),
    [
        (5 * 10**11, 0.001),  # 0.0010005 STRK with the fee: half way, the even neighbour is 0.001000
        (15 * 10**11, 0.001002),  # 0.0010015: half way, the even neighbour is 0.001002
        (5 * 10**11 + 1, 0.001001),  # just past half way
    ],
)
def test_stats_volume_is_rounded_half_to_even_to_6_decimals(chain, api_client, amount, volume):
    chain.transfer(STRK, ALICE, BOB, amount)

    assert api_client.get(STATS).json()["stats"]["volume"] == volume


def test_stats_count_strk_transfers_of_the_configured_strk_contract(window_chain, settings, api_client):
    # given: another contract is named as STRK; it emitted no transfer in the window
    settings.STARKNET_TOKENS = {**settings.STARKNET_TOKENS, "STRK": {"address": hex(TOKEN), "decimals": 6}}

    stats = api_client.get(STATS).json()["stats"]

    # then: only its transfers count, in its decimals (3 TOKEN in block 2; block 3's one reverted)
    assert stats["volume"] == 3.0


def test_stats_polled_50_times_reads_the_node_once_per_cache_period(
    chain, starknet_node, settings, api_client, fake_clock
):
    # given: a chain longer than the window; one fill is the handshake (2 requests), the window's 10 blocks
    # with receipts and the pre-confirmed block
    settings.CHAIN_STATS_CACHE_SECONDS = 15
    chain.mine_blocks(12)
    starknet_node.clear_log()
    fill = 2 + 10 + 1

    # when: 50 polls in a row
    answers = [api_client.get(STATS).json()["block_number"] for _ in range(50)]

    # then: one fill reached the node
    assert answers == [12] * 50
    assert rpc_requests(starknet_node) == fill
    assert rpc_requests(starknet_node, BLOCK_READ) == 10

    # when: the chain moves on and the period ends
    chain.mine_blocks(2)
    fake_clock.advance(14.9)
    assert api_client.get(STATS).json()["block_number"] == 12  # still within the period
    assert rpc_requests(starknet_node) == fill
    fake_clock.advance(0.1)
    answers = [api_client.get(STATS).json()["block_number"] for _ in range(50)]

    # then: exactly one more fill, with the new blocks
    assert answers == [14] * 50
    assert rpc_requests(starknet_node) == 2 * fill


def test_stats_50_polls_over_50_seconds_fill_once_per_cache_period(
    chain, starknet_node, settings, api_client, fake_clock
):
    # given: a poll every second, a block every 10 polls
    settings.CHAIN_STATS_CACHE_SECONDS = 15
    chain.mine_blocks(12)
    starknet_node.clear_log()
    answers = []

    # when
    for poll in range(50):
        answers.append(api_client.get(STATS).json()["block_number"])
        fake_clock.advance(1)
        if poll % 10 == 9:
            chain.mine_block()

    # then: fills at 0, 15, 30 and 45 s only, each of 13 requests, each answering the chain as it was then
    assert rpc_requests(starknet_node) == 4 * (2 + 10 + 1)
    assert answers == [12] * 15 + [13] * 15 + [15] * 15 + [16] * 5


@pytest.mark.django_db(transaction=True)
def test_stats_concurrent_cold_requests_read_the_node_once(chain, starknet_node):
    # given: the block read is slow, so every request arrives while the first one is reading
    starknet_node.hang(0.5, method=BLOCK_READ, times=1)
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def poll():
        barrier.wait()
        statuses.append(APIClient().get(STATS).status_code)

    # when
    threads = [threading.Thread(target=poll) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    # then
    assert statuses == [200] * 6
    assert rpc_requests(starknet_node, BLOCK_READ) == 1


def test_stats_unknown_chain_is_400(starknet_node, api_client):
    body = assert_error(api_client.get(STATS, {"chain": "ethereum"}), 400, "request.validation_failed")

    assert "chain" in body["errors"]
    assert starknet_node.methods == []


def test_stats_is_public_even_with_a_junk_bearer(chain, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer undefined")

    assert api_client.get(STATS).status_code == 200


def test_stats_node_down_is_503_and_not_cached(settings, starknet_node, api_client):
    settings.STARKNET_RPC_URLS = [unreachable_url()]
    assert_error(api_client.get(STATS), 503, "starknet.unavailable")

    settings.STARKNET_RPC_URLS = [starknet_node.url]
    assert api_client.get(STATS).status_code == 200


def test_stats_hanging_node_is_504(starknet_node, settings, api_client):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3)

    assert_error(api_client.get(STATS), 504, "starknet.timeout")


def test_stats_cold_cache_with_every_chain_slot_in_use_is_503_busy(chain, starknet_node, settings, api_client):
    # given: the only chain-call slot is held by another request; nothing is cached
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    with chain_slots_held(1):
        # when
        response = api_client.get(STATS)

    # then: neither read nor waited for another reader
    assert_error(response, 503, "starknet.busy")
    assert response["Retry-After"] == "1"
    assert starknet_node.methods == []


def test_stats_warm_cache_answers_with_every_chain_slot_in_use(chain, settings, api_client):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    assert api_client.get(STATS).status_code == 200
    with chain_slots_held(1):
        assert api_client.get(STATS).status_code == 200


def test_stats_malformed_answer_is_502(starknet_node, api_client):
    starknet_node.answer_without_result(method=BLOCK_READ)

    assert_error(api_client.get(STATS), 502, "starknet.bad_gateway")


def test_stats_query_count(chain, api_client, django_assert_num_queries):
    # miss: cache read, lock add, cache read again under the lock, cache write, lock delete; all outside
    # the database (blocra.cache or Redis), so no SQL
    with django_assert_num_queries(0):
        assert api_client.get(STATS).status_code == 200
    # hit: the cache read only
    with django_assert_num_queries(0):
        assert api_client.get(STATS).status_code == 200


def test_stats_waiting_for_another_reader_gives_up_with_503(chain, starknet_node, settings, api_client):
    # given: another worker holds the fill lock and never finishes
    from django.core.cache import cache

    settings.STARKNET_RPC_TIMEOUT = 0.3
    cache.add("contracts:chain_stats:v2:starknet:SN_SEPOLIA:lock", 1, timeout=60)

    # when / then: this request waits about one read's time, then answers 503 without reading itself
    assert_error(api_client.get(STATS), 503, "contracts.stats_busy")
    assert starknet_node.methods == []


def test_stats_never_serve_an_entry_of_the_earlier_shape(chain, api_client):
    # given: a fresh entry the previous release cached (RFC 3339 times, null figures) under its key
    from django.core.cache import cache

    from blocra.clock import clock

    earlier = {"block_number": 0, "timestamp": "2026-01-01T00:00:00Z", "stats": {"active_users": None}}
    cache.set("contracts:chain_stats:starknet:SN_SEPOLIA", {"measured_at": clock().time(), "stats": earlier}, 60)

    # when
    body = api_client.get(STATS).json()

    # then: measured anew, in the current shape
    assert (body["timestamp"], body["stats"]["active_users"], body["stats"]["window_blocks"]) == (
        GENESIS_TIMESTAMP,
        0,
        1,
    )
