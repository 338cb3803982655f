"""GET /dashboards/stats: latest-block figures from the local node, cached so polls never fan out."""

import threading

import pytest
from rest_framework.test import APIClient

from tests.bulkhead import chain_slots_held
from tests.contracts.conftest import ALICE, BOB, TOKEN, assert_error, rpc_requests
from tests.starknet_node import FEE, STRK, unreachable_url

pytestmark = pytest.mark.django_db

STATS = "/api/dashboards/stats"
BLOCK_READ = "starknet_getBlockWithReceipts"


@pytest.fixture
def busy_block(chain):
    """Block 1 holds three transactions from two senders: two succeeded, one reverted."""
    chain.mint(STRK, BOB, FEE)
    chain.transfer(TOKEN, ALICE, BOB, 1, finality="PRE_CONFIRMED")
    chain.transfer(TOKEN, BOB, ALICE, 10**12, finality="PRE_CONFIRMED")  # Bob holds no TOKEN: reverted
    chain.transfer(STRK, ALICE, BOB, 5, finality="PRE_CONFIRMED")
    return chain.mine_pending()


def test_stats_reads_the_latest_block(busy_block, api_client):
    response = api_client.get(STATS, {"chain": "starknet"})

    assert response.status_code == 200, response.content
    assert response.json() == {
        "success": True,
        "block_number": 1,
        "timestamp": "2026-01-01T00:00:30Z",
        "stats": {
            "total_transactions": 3,
            "active_users": None,
            "unique_senders": 2,
            "total_fees": "0.003",
            "avg_fee": "0.001",
            "fee_token": "STRK",
            "successful_txs": 2,
            "failed_txs": 1,
            "pending_txs": None,
            "gas_used": None,
            "volume": None,
            "tvl": None,
        },
        "block_info": {"block_number": 1, "timestamp": "2026-01-01T00:00:30Z", "transaction_count": 3},
    }


def test_stats_of_an_empty_block_has_no_average_fee(chain, api_client):
    stats = api_client.get(STATS).json()["stats"]

    assert (stats["total_transactions"], stats["total_fees"], stats["avg_fee"]) == (0, "0", None)


def test_stats_polled_50_times_reads_the_node_once_per_cache_period(
    chain, starknet_node, settings, api_client, fake_clock
):
    # given
    settings.CHAIN_STATS_CACHE_SECONDS = 15

    # when: 50 polls in a row
    answers = [api_client.get(STATS).json()["block_number"] for _ in range(50)]

    # then: one block read (and its handshake) reached the node
    assert answers == [0] * 50
    assert rpc_requests(starknet_node, BLOCK_READ) == 1
    assert rpc_requests(starknet_node) == 3

    # when: the chain moves on and the period ends
    chain.mine_blocks(2)
    fake_clock.advance(14.9)
    assert api_client.get(STATS).json()["block_number"] == 0  # still within the period
    fake_clock.advance(0.1)
    answers = [api_client.get(STATS).json()["block_number"] for _ in range(50)]

    # then: exactly one more read, with the new block
    assert answers == [2] * 50
    assert rpc_requests(starknet_node, BLOCK_READ) == 2


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
    cache.add("contracts:chain_stats:starknet:SN_SEPOLIA:lock", 1, timeout=60)

    # when / then: this request waits about one read's time, then answers 503 without reading itself
    assert_error(api_client.get(STATS), 503, "contracts.stats_busy")
    assert starknet_node.methods == []
