"""POST /contracts/analyze: public, rate limited, cached, and reading a fixed number of blocks."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ActivityLog
from tests.contracts.conftest import ALICE, BOB, TOKEN, assert_error, hex64, rpc_requests
from tests.starknet_node import BLOCK_TIME, FEE, GENESIS_TIMESTAMP, STRK, unreachable_url

pytestmark = pytest.mark.django_db

ANALYZE = "/api/contracts/analyze"
BLOCK_READ = "starknet_getBlockWithReceipts"


@pytest.fixture(autouse=True)
def _no_analyze_limit(settings):
    """Most tests call the endpoint many times; the rate limit tests set their own."""
    settings.ANALYZE_RATE_LIMIT = ""


def analyze(client, address: int = TOKEN, **body):
    return client.post(ANALYZE, {"contractAddress": hex(address), **body}, format="json")


def test_analyze_counts_the_transactions_of_the_contract(chain, api_client):
    # given: two TOKEN transfers by Alice, one by Bob, and a STRK transfer that does not touch TOKEN
    chain.mint(STRK, BOB, FEE)
    first = chain.transfer(TOKEN, ALICE, BOB, 10)
    chain.transfer(STRK, ALICE, BOB, 1)
    chain.transfer(TOKEN, ALICE, BOB, 20)
    last = chain.transfer(TOKEN, BOB, ALICE, 5)
    chain.mine_block()

    # when
    response = analyze(api_client)

    # then
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["contract_address"] == hex64(TOKEN)
    assert data["status"] == "Active"
    assert data["transaction_count"] == 3
    assert (data["total_fees"], data["avg_fee"], data["total_fees_eth"]) == ("0.003", "0.001", "0")
    assert data["unique_senders"] == 2
    assert (data["current_block"], data["from_block"], data["to_block"], data["blocks_analyzed"]) == (5, 0, 5, 6)
    assert [tx["transaction_hash"] for tx in data["transactions"]][::2] == [hex64(last), hex64(first)]
    assert data["transactions"][0] == {
        "transaction_hash": hex64(last),
        "block_number": 4,
        "timestamp": GENESIS_TIMESTAMP + 4 * BLOCK_TIME,  # Unix seconds
        "sender_address": hex64(BOB),
        "type": "INVOKE",
        "status": "SUCCEEDED",
        "fee": "0.001",
        "fee_token": "STRK",
    }


def test_analyze_counts_transactions_sent_by_an_account(chain, api_client):
    chain.deploy_account(ALICE, public_key=0x1)
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.transfer(STRK, ALICE, BOB, 1)

    data = analyze(api_client, ALICE).json()["data"]

    assert (data["status"], data["transaction_count"], data["unique_senders"]) == ("Active", 2, 1)


def test_analyze_without_recent_activity(chain, settings, api_client):
    settings.ANALYZE_MAX_BLOCKS = 3
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.mine_blocks(3)

    data = analyze(api_client).json()["data"]

    assert data["status"] == "No Recent Activity"
    assert (data["transaction_count"], data["avg_fee"], data["total_fees"], data["transactions"]) == (0, None, "0", [])
    assert (data["from_block"], data["to_block"], data["blocks_analyzed"]) == (2, 4, 3)


def test_analyze_lists_at_most_ten_transactions_newest_first(chain, api_client):
    hashes = [chain.transfer(TOKEN, ALICE, BOB, amount) for amount in range(1, 13)]

    data = analyze(api_client).json()["data"]

    assert data["transaction_count"] == 12
    assert [tx["transaction_hash"] for tx in data["transactions"]] == [hex64(tx) for tx in reversed(hashes[2:])]


def test_analyze_reads_a_fixed_number_of_blocks(chain, starknet_node, api_client):
    # given: a chain much longer than the analysis window
    chain.mine_blocks(60)
    starknet_node.clear_log()

    # when
    data = analyze(api_client).json()["data"]

    # then: the block number, then the 20 latest blocks with receipts in one operation
    assert (data["from_block"], data["to_block"], data["blocks_analyzed"]) == (41, 60, 20)
    assert rpc_requests(starknet_node, BLOCK_READ) == 20
    assert rpc_requests(starknet_node) == 3 + 2 + 20


def test_analyze_date_range_reads_the_last_blocks_of_the_range(chain, starknet_node, settings, api_client):
    settings.ANALYZE_MAX_BLOCKS = 5
    for number in range(1, 41):
        chain.transfer(TOKEN, ALICE, BOB, 1) if number in (12, 18, 25) else chain.mine_block()
    starknet_node.clear_log()

    # Blocks 10 (00:05:00) to 20 (00:10:00).
    data = analyze(api_client, fromDate="2026-01-01T00:05:00Z", toDate="2026-01-01T00:10:00Z").json()["data"]

    assert (data["range_from_block"], data["from_block"], data["to_block"], data["blocks_analyzed"]) == (10, 16, 20, 5)
    assert data["transaction_count"] == 1  # block 18; block 12 lies outside the analysed window
    assert rpc_requests(starknet_node, BLOCK_READ) == 5
    assert rpc_requests(starknet_node, "starknet_getBlockWithTxHashes") <= 2 * 6  # two searches over 41 blocks


def test_analyze_is_cached_per_contract_and_range(chain, starknet_node, api_client):
    chain.transfer(TOKEN, ALICE, BOB, 1)
    assert analyze(api_client).json()["data"]["transaction_count"] == 1
    starknet_node.clear_log()

    # when: the chain moves on within the cache period
    chain.transfer(TOKEN, ALICE, BOB, 1)

    # then: the same answer, without a request to the node
    assert analyze(api_client).json()["data"]["transaction_count"] == 1
    assert starknet_node.methods == []
    # another range is another entry
    assert analyze(api_client, fromDate="2026-01-01").json()["data"]["transaction_count"] == 2


def test_analyze_is_rate_limited_with_retry_after(chain, settings, api_client, fake_clock):
    settings.ANALYZE_RATE_LIMIT = "2/m"

    assert analyze(api_client).status_code == 200
    assert analyze(api_client).status_code == 200
    response = analyze(api_client)

    assert_error(response, 429, "request.rate_limited")
    assert int(response["Retry-After"]) >= 1


def test_analyze_rate_limit_counts_invalid_requests_too(starknet_node, settings, api_client, fake_clock):
    settings.ANALYZE_RATE_LIMIT = "1/m"

    assert api_client.post(ANALYZE, {"contractAddress": "nope"}, format="json").status_code == 400
    assert_error(analyze(api_client), 429, "request.rate_limited")
    assert starknet_node.methods == []


def test_analyze_is_public_even_with_a_junk_bearer(chain, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer null")

    assert analyze(api_client).status_code == 200


def test_analyze_with_a_revoked_or_forged_token_answers_anonymously(chain, user, client_for):
    # A public endpoint: a token it cannot accept only leaves the report unattributed, never a 401.
    revoked = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.AAAA")

    assert analyze(revoked).status_code == 200
    assert analyze(forged).status_code == 200
    assert list(ActivityLog.objects.filter(action="contract.analyzed").values_list("actor", flat=True)) == [None, None]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contractAddress": "0x"}, "contractAddress"),
        ({}, "contractAddress"),
        ({"contractAddress": "0x1", "fromDate": "soon"}, "fromDate"),
        ({"contractAddress": "0x1", "fromDate": "2026-01-02", "toDate": "2026-01-01"}, "toDate"),
    ],
)
def test_analyze_invalid_input_is_400_without_rpc(starknet_node, api_client, body, field):
    errors = assert_error(api_client.post(ANALYZE, body, format="json"), 400, "request.validation_failed")["errors"]

    assert field in errors
    assert starknet_node.methods == []


def test_analyze_dates_before_the_chain_are_404(chain, api_client):
    assert_error(analyze(api_client, toDate="2025-12-31"), 404, "contracts.block_not_found")


def test_analyze_node_down_is_503(settings, db, api_client):
    settings.STARKNET_RPC_URLS = [unreachable_url()]

    assert_error(analyze(api_client), 503, "starknet.unavailable")


def test_analyze_hanging_node_is_504(starknet_node, settings, api_client):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3, method=BLOCK_READ)

    assert_error(analyze(api_client), 504, "starknet.timeout")


def test_analyze_malformed_answer_is_502(chain, starknet_node, api_client):
    starknet_node.answer_without_result(method=BLOCK_READ)

    assert_error(analyze(api_client), 502, "starknet.bad_gateway")


def test_analyze_query_count(chain, api_client, django_assert_num_queries):
    # miss: cache read, cache write; hit: the cache read. The cache is outside the database
    # (blocra.cache or Redis), so neither is SQL. Each answer is a report: INSERT activity.
    with django_assert_num_queries(1):
        assert analyze(api_client).status_code == 200
    with django_assert_num_queries(1):
        assert analyze(api_client).status_code == 200


def test_analyze_query_count_signed_in(chain, user, client_for, django_assert_num_queries):
    client = client_for(user)
    # user of the token; INSERT activity
    with django_assert_num_queries(2):
        assert analyze(client).status_code == 200


def test_analyze_query_count_with_the_rate_limiter(chain, settings, api_client, django_assert_num_queries):
    settings.ANALYZE_RATE_LIMIT = "100/m"
    assert analyze(api_client).status_code == 200
    # hit with the limiter on: its counter, then the cache read, both outside the database; INSERT activity
    with django_assert_num_queries(1):
        assert analyze(api_client).status_code == 200


def test_analyze_from_date_alone_reads_the_latest_blocks(chain, settings, api_client):
    settings.ANALYZE_MAX_BLOCKS = 4
    chain.mine_blocks(30)

    data = analyze(api_client, fromDate="2026-01-01T00:05:00Z").json()["data"]

    assert (data["range_from_block"], data["from_block"], data["to_block"], data["current_block"]) == (10, 27, 30, 30)
