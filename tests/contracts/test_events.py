"""POST /contracts/events: bounded block ranges, dates found by binary search, decoded events with real
block timestamps, against the local node."""

import math

import pytest

from blocra import starknet
from tests.contracts.conftest import ALICE, BOB, TOKEN, assert_error, hex64, rpc_requests
from tests.starknet_node import BLOCK_TIME, GENESIS_TIMESTAMP, STRK, unreachable_url

pytestmark = pytest.mark.django_db

EVENTS = "/api/contracts/events"
HEADER_READ = "starknet_getBlockWithTxHashes"


def events(client, **body):
    return client.post(EVENTS, {"contractAddress": hex(TOKEN), **body}, format="json")


def block_time(block_number: int) -> int:
    """The local node's time of a block, in Unix seconds."""
    return GENESIS_TIMESTAMP + BLOCK_TIME * block_number


@pytest.fixture
def activity(chain, starknet_node):
    """Blocks 1-4: a Transfer (current layout), a Transfer (legacy layout), an Approval, an empty block."""
    chain.mint(TOKEN, ALICE, 2**129)
    chain.transfer(TOKEN, ALICE, BOB, 11)
    chain.transfer(TOKEN, ALICE, BOB, 2**128 + 5, layout="legacy")
    chain.approve(TOKEN, ALICE, BOB, 2**128 + 5)
    chain.mine_block()
    starknet_node.clear_log()
    return chain


def test_events_decode_transfers_and_approvals_with_block_timestamps(activity, owner_client):
    response = events(owner_client, fromBlock=0, toBlock=4)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert (data["fromBlock"], data["toBlock"], data["totalEvents"], data["truncated"]) == (0, 4, 3, False)
    transfer, legacy, approval = data["events"]
    assert transfer == {
        "block_number": 1,
        "transaction_hash": hex64(activity.blocks[1].txs[0].hash),
        "from_address": hex64(TOKEN),
        "keys": [hex(starknet.TRANSFER_SELECTOR), hex(ALICE), hex(BOB)],
        "data": ["0xb", "0x0"],
        "event_name": "Transfer",
        "decoded_data": {"from": hex64(ALICE), "to": hex64(BOB), "value": "11"},
        "timestamp": block_time(1),
    }
    assert legacy["keys"] == [hex(starknet.TRANSFER_SELECTOR)] and legacy["block_number"] == 2
    assert legacy["decoded_data"] == {"from": hex64(ALICE), "to": hex64(BOB), "value": str(2**128 + 5)}
    assert legacy["timestamp"] == block_time(2)
    assert approval["event_name"] == "Approval" and approval["block_number"] == 3
    assert approval["decoded_data"] == {"owner": hex64(ALICE), "spender": hex64(BOB), "value": str(2**128 + 5)}
    assert approval["timestamp"] == block_time(3)


def test_events_decode_the_legacy_layout(chain, owner_client):
    chain.transfer(STRK, ALICE, BOB, 7 * 10**18, layout="legacy")

    response = owner_client.post(EVENTS, {"contractAddress": hex(STRK), "fromBlock": 1, "toBlock": 1}, format="json")

    transfer, fee = response.json()["data"]["events"]
    assert transfer["keys"] == [hex(starknet.TRANSFER_SELECTOR)]
    assert transfer["decoded_data"] == {"from": hex64(ALICE), "to": hex64(BOB), "value": str(7 * 10**18)}
    assert fee["event_name"] == "Transfer"  # the fee transfer is a STRK event too


def test_events_read_one_timestamp_per_distinct_block(activity, starknet_node, owner_client):
    events(owner_client, fromBlock=0, toBlock=4)

    # block number, getEvents, timestamps of blocks 1-3; each operation opens with 2 handshake requests
    assert rpc_requests(starknet_node, HEADER_READ) == 3
    assert rpc_requests(starknet_node) == 3 + 3 + 5


def test_events_filter_by_positional_keys(activity, owner_client):
    transfers = events(owner_client, keys=[[hex(starknet.TRANSFER_SELECTOR)]]).json()["data"]["events"]
    to_bob = events(owner_client, keys=[[], [], [hex(BOB)]]).json()["data"]["events"]

    assert [event["event_name"] for event in transfers] == ["Transfer", "Transfer"]
    # The legacy Transfer has one key only, so a third-key filter skips it; the Approval's spender is Bob.
    assert [event["event_name"] for event in to_bob] == ["Transfer", "Approval"]


def test_events_default_span_ends_at_the_latest_block(activity, settings, owner_client):
    settings.CONTRACT_EVENTS_DEFAULT_SPAN = 2

    data = events(owner_client).json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (3, 4)
    assert [event["block_number"] for event in data["events"]] == [3]  # block 4 is empty


def test_events_from_block_alone_reads_the_default_span_after_it(activity, settings, owner_client):
    settings.CONTRACT_EVENTS_DEFAULT_SPAN = 2

    data = events(owner_client, fromBlock=1).json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (1, 2)


def test_events_to_block_past_the_chain_is_clamped(activity, owner_client):
    data = events(owner_client, fromBlock=2, toBlock=500).json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (2, 4)


def test_events_from_block_past_the_chain_is_404(activity, owner_client):
    assert_error(events(owner_client, fromBlock=5), 404, "contracts.block_not_found")


def test_events_span_over_the_maximum_is_400_without_rpc(activity, starknet_node, owner_client):
    body = assert_error(events(owner_client, fromBlock=0, toBlock=10_000), 400, "request.validation_failed")

    assert "toBlock" in body["errors"]
    assert starknet_node.methods == []
    assert events(owner_client, fromBlock=0, toBlock=9_999).status_code == 200


def test_events_span_cap_follows_the_setting(activity, settings, owner_client):
    settings.CONTRACT_EVENTS_MAX_SPAN = 3

    assert_error(events(owner_client, fromBlock=0, toBlock=3), 400, "request.validation_failed")
    assert events(owner_client, fromBlock=1, toBlock=3).status_code == 200


def test_events_stop_after_the_page_budget(chain, starknet_node, settings, owner_client):
    settings.CONTRACT_EVENTS_PAGE_SIZE = 2
    settings.CONTRACT_EVENTS_MAX_PAGES = 1
    for amount in (1, 2, 3):
        chain.transfer(TOKEN, ALICE, BOB, amount)
    starknet_node.clear_log()

    data = events(owner_client, fromBlock=0, toBlock=3).json()["data"]

    assert (data["totalEvents"], data["truncated"]) == (2, True)
    assert rpc_requests(starknet_node, "starknet_getEvents") == 1
    assert starknet_node.calls("starknet_getEvents")[0]["filter"]["chunk_size"] == 2


# --- Dates --------------------------------------------------------------------------------------------
@pytest.fixture
def long_chain(chain, starknet_node):
    """40 blocks, one every 30 s from 2026-01-01T00:00:00Z; a Transfer in blocks 5, 10, 20 and 30."""
    for number in range(1, 41):
        if number in (5, 10, 20, 30):
            chain.transfer(TOKEN, ALICE, BOB, number)
        else:
            chain.mine_block()
    starknet_node.clear_log()
    return chain


def test_events_dates_resolve_to_blocks_by_binary_search(long_chain, starknet_node, owner_client):
    # 00:02:05 falls after block 4 (00:02:00): block 5 is the first; 00:10:10 is block 20 (00:10:00) + 10 s.
    data = events(owner_client, fromDate="2026-01-01T00:02:05Z", toDate="2026-01-01T00:10:10Z").json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (5, 20)
    assert [event["decoded_data"]["value"] for event in data["events"]] == ["5", "10", "20"]
    # Searches: the end over blocks 0-40, the start over blocks 0-20; then the events' three timestamps.
    budget = math.ceil(math.log2(42)) + math.ceil(math.log2(22)) + 3
    assert rpc_requests(starknet_node, HEADER_READ) <= budget


def test_events_dates_as_whole_days(long_chain, owner_client):
    data = events(owner_client, fromDate="2026-01-01", toDate="2026-01-01").json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (0, 40)


def test_events_date_range_wider_than_the_cap_is_400(long_chain, settings, owner_client):
    settings.CONTRACT_EVENTS_DEFAULT_SPAN = 5
    settings.CONTRACT_EVENTS_MAX_SPAN = 10

    assert_error(
        events(owner_client, fromDate="2026-01-01T00:00:00Z", toDate="2026-01-01T00:15:00Z"),
        400,
        "contracts.block_range_too_large",
    )
    # Exactly ten blocks (21-30) are fine.
    data = events(owner_client, fromDate="2026-01-01T00:10:30Z", toDate="2026-01-01T00:15:00Z").json()["data"]
    assert (data["fromBlock"], data["toBlock"]) == (21, 30)


def test_events_dates_before_the_chain_are_404(long_chain, owner_client):
    assert_error(events(owner_client, toDate="2025-12-31"), 404, "contracts.block_not_found")


def test_events_date_after_the_latest_block_is_404(long_chain, owner_client):
    assert_error(events(owner_client, fromDate="2026-02-01"), 404, "contracts.block_not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contractAddress": "0x"}, "contractAddress"),
        ({"contractAddress": hex(TOKEN), "fromBlock": -1}, "fromBlock"),
        ({"contractAddress": hex(TOKEN), "fromBlock": 1.5}, "fromBlock"),
        ({"contractAddress": hex(TOKEN), "fromBlock": 5, "toBlock": 4}, "toBlock"),
        ({"contractAddress": hex(TOKEN), "fromDate": "yesterday"}, "fromDate"),
        ({"contractAddress": hex(TOKEN), "fromDate": "2026-01-02", "toDate": "2026-01-01"}, "toDate"),
        ({"contractAddress": hex(TOKEN), "fromBlock": 1, "fromDate": "2026-01-01"}, "fromDate"),
        ({"contractAddress": hex(TOKEN), "keys": ["0x1"]}, "keys.0"),
        ({"contractAddress": hex(TOKEN), "keys": [["0xnope"]]}, "keys.0.0"),
        ({"contractAddress": hex(TOKEN), "keys": [["0x1"] * 17]}, "keys.0"),
    ],
)
def test_events_invalid_input_is_400_without_rpc(starknet_node, owner_client, body, field):
    errors = assert_error(owner_client.post(EVENTS, body, format="json"), 400, "request.validation_failed")["errors"]

    assert field in errors, errors
    assert starknet_node.methods == []


# --- Node trouble, auth, query count ------------------------------------------------------------------
def test_events_node_down_is_503(settings, db, owner_client):
    settings.STARKNET_RPC_URLS = [unreachable_url()]

    assert_error(events(owner_client), 503, "starknet.unavailable")


def test_events_hanging_node_is_504(starknet_node, settings, owner_client):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3, method="starknet_getEvents")

    assert_error(events(owner_client), 504, "starknet.timeout")


def test_events_malformed_answer_is_502(activity, starknet_node, owner_client):
    starknet_node.answer_not_json(method="starknet_getEvents")

    assert_error(events(owner_client), 502, "starknet.bad_gateway")


def test_events_refuse_anonymous_callers(api_client, starknet_node):
    assert_error(events(api_client), 401, "auth.not_authenticated")
    assert starknet_node.methods == []


def test_events_query_count(activity, owner_client, django_assert_num_queries):
    # user of the token; INSERT activity (events are read from the chain, nothing else is stored)
    with django_assert_num_queries(2):
        assert events(owner_client, fromBlock=0, toBlock=4).json()["data"]["totalEvents"] == 3


def test_events_from_date_alone_may_lie_far_before_the_latest_block(long_chain, settings, owner_client):
    # An open end: the start is searched over the whole chain, and the default span follows it.
    settings.CONTRACT_EVENTS_DEFAULT_SPAN = 6
    settings.CONTRACT_EVENTS_MAX_SPAN = 10

    data = events(owner_client, fromDate="2026-01-01T00:02:30Z").json()["data"]

    assert (data["fromBlock"], data["toBlock"]) == (5, 10)
    assert [event["decoded_data"]["value"] for event in data["events"]] == ["5", "10"]
