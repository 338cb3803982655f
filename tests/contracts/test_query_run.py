"""POST /contracts/query and POST /queries: the query runs on the local Starknet node now and is recorded."""

import pytest

from blocra import starknet
from contracts.models import ContractQuery
from tests.contracts.conftest import ALICE, BOB, OLD_TOKEN, TOKEN, assert_error, hex64, rpc_requests
from tests.starknet_node import BLOCK_TIME, ERC20_CLASS_HASH, FEE, GENESIS_TIMESTAMP, SEQUENCER, STRK, unreachable_url

pytestmark = pytest.mark.django_db

RUN_URLS = ["/api/contracts/query", "/api/queries"]
RUN = "/api/contracts/query"


def run(client, query_type: str, address: int | str = TOKEN, url: str = RUN, **parameters):
    body = {"contract_address": address if isinstance(address, str) else hex(address), "query_type": query_type}
    if parameters:
        body["parameters"] = parameters
    return client.post(url, body, format="json")


# --- Successful queries -------------------------------------------------------------------------------
@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_balance_of_reads_the_balance_and_records_it(url, chain, owner, owner_client):
    # when
    response = run(owner_client, "balance_of", url=url, account=hex(ALICE))

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "success" and body["error"] is None
    assert body["result"] == {"account": hex64(ALICE), "balance": str(500 * 10**6)}
    assert body["contract_address"] == hex64(TOKEN)
    assert body["parameters"] == {"account": hex64(ALICE)}
    assert body["user_id"] == owner.pk and isinstance(body["duration_ms"], int)
    stored = ContractQuery.objects.get(pk=body["id"])
    assert (stored.user, stored.status, stored.result) == (owner, "success", body["result"])


def test_query_run_balance_of_follows_a_transfer(chain, owner_client):
    chain.transfer(TOKEN, ALICE, BOB, 150_500_000)

    alice = run(owner_client, "balance_of", account=hex(ALICE)).json()["result"]["balance"]
    bob = run(owner_client, "balance_of", account=hex(BOB)).json()["result"]["balance"]
    fee_paid = run(owner_client, "balance_of", address=STRK, account=hex(SEQUENCER)).json()["result"]["balance"]

    # Read back through starknet-py: the API reports what the chain holds.
    assert alice == "349500000" == str(starknet.erc20_balance_of(hex(TOKEN), hex(ALICE)))
    assert bob == "150500000" == str(starknet.erc20_balance_of(hex(TOKEN), hex(BOB)))
    assert fee_paid == str(FEE)


def test_query_run_balance_of_falls_back_to_camel_case_and_reads_the_high_word(chain, starknet_node, owner_client):
    response = run(owner_client, "balance_of", address=OLD_TOKEN, account=hex(ALICE))

    assert response.json()["result"]["balance"] == str(3 * 2**128 + 7)
    assert starknet_node.called_functions() == ["balance_of", "balanceOf"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (TOKEN, {"name": "Bounty Reward Token", "symbol": "BRT", "decimals": 6, "total_supply": str(500 * 10**6)}),
        (STRK, {"name": "Starknet Token", "symbol": "STRK", "decimals": 18, "total_supply": str(10 * 10**18)}),
        (OLD_TOKEN, {"name": "Old Token", "symbol": "OLD", "decimals": 18, "total_supply": str(3 * 2**128 + 7)}),
    ],
    ids=["bytearray", "short-string", "camel-case-only"],
)
def test_query_run_erc20_info_reads_names_in_both_encodings(chain, owner_client, token, expected):
    response = run(owner_client, "erc20_info", address=token)

    assert response.status_code == 201, response.content
    assert response.json()["result"] == expected
    metadata = starknet.erc20_metadata(hex(token))
    assert (metadata.name, metadata.symbol, metadata.decimals) == (
        expected["name"],
        expected["symbol"],
        expected["decimals"],
    )


def test_query_run_call_returns_felts_as_hex(chain, owner_client):
    decimals = run(owner_client, "call", function="decimals")
    balance = run(owner_client, "call", address=OLD_TOKEN, function="balanceOf", calldata=[str(ALICE)])

    assert decimals.json()["result"] == {"function": "decimals", "result": ["0x6"]}
    assert balance.json()["result"]["result"] == ["0x7", "0x3"]  # u256 [low, high]
    # Calldata is stored normalised: decimal text becomes hex.
    assert balance.json()["parameters"] == {"function": "balanceOf", "calldata": [hex(ALICE)]}


@pytest.mark.parametrize("layout", ["current", "legacy"])
def test_query_run_receipt_decodes_the_transfer_and_the_fee(chain, owner_client, layout):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 42_000_000, layout=layout)

    response = run(owner_client, "receipt", transaction_hash=hex(tx_hash))

    assert response.status_code == 201, response.content
    result = response.json()["result"]
    assert result["transaction_hash"] == hex64(tx_hash)
    assert (result["execution_status"], result["finality_status"]) == ("SUCCEEDED", "ACCEPTED_ON_L2")
    assert result["block_number"] == chain.latest.number and result["block_hash"] == hex64(chain.latest.hash)
    assert result["actual_fee"] == {"amount": str(FEE), "unit": "FRI"}
    transfer, fee = result["events"]
    assert transfer["event_name"] == "Transfer" and transfer["from_address"] == hex64(TOKEN)
    assert transfer["decoded_data"] == {"from": hex64(ALICE), "to": hex64(BOB), "value": "42000000"}
    assert fee["decoded_data"] == {"from": hex64(ALICE), "to": hex64(SEQUENCER), "value": str(FEE)}
    # a receipt carries no block time, and none is read for it: no chain time to show
    assert "timestamp" not in result and all("timestamp" not in event for event in result["events"])


def test_query_run_receipt_of_a_reverted_transaction(chain, owner_client):
    chain.mint(STRK, BOB, FEE)
    tx_hash = chain.transfer(TOKEN, BOB, ALICE, 1)

    result = run(owner_client, "receipt", transaction_hash=str(tx_hash)).json()["result"]

    assert result["execution_status"] == "REVERTED"
    assert "insufficient balance" in result["revert_reason"]


def test_query_run_class_hash_nonce_and_block_number(chain, owner_client):
    chain.deploy_account(ALICE, public_key=0x1)
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.transfer(TOKEN, ALICE, BOB, 1)

    class_hash = run(owner_client, "class_hash").json()["result"]
    nonce = run(owner_client, "nonce", address=ALICE).json()["result"]
    block_number = run(owner_client, "block_number").json()["result"]

    assert class_hash == {"class_hash": hex(ERC20_CLASS_HASH)}
    assert int(class_hash["class_hash"], 16) == starknet.get_class_hash_at(hex(TOKEN))
    assert nonce == {"nonce": "0x2"} and starknet.get_nonce(hex(ALICE)) == 2
    assert block_number == {"block_number": 2} and starknet.get_block_number() == 2


def test_query_run_events_decodes_transfers_and_approvals(chain, owner_client):
    chain.transfer(TOKEN, ALICE, BOB, 5)
    chain.approve(TOKEN, ALICE, BOB, 9, layout="legacy")
    chain.mine_blocks(2)

    response = run(owner_client, "events", from_block=0, to_block=3)

    assert response.status_code == 201, response.content
    result = response.json()["result"]
    assert (result["from_block"], result["to_block"], result["truncated"]) == (0, 3, False)
    assert [(event["event_name"], event["block_number"]) for event in result["events"]] == [
        ("Transfer", 1),
        ("Approval", 2),
    ]
    assert result["events"][1]["decoded_data"] == {"owner": hex64(ALICE), "spender": hex64(BOB), "value": "9"}
    assert result["events"][0]["timestamp"] == GENESIS_TIMESTAMP + BLOCK_TIME  # Unix seconds
    assert ContractQuery.objects.get(pk=response.json()["id"]).result == result  # stored as answered


# --- Definitive chain answers: recorded as failed, answered 4xx ------------------------------------
@pytest.mark.parametrize(
    ("query_type", "address", "parameters", "status", "code"),
    [
        ("class_hash", 0xDEAD, {}, 404, "contracts.contract_not_found"),
        ("erc20_info", 0xDEAD, {}, 404, "contracts.contract_not_found"),
        ("receipt", TOKEN, {"transaction_hash": "0x1234"}, 404, "contracts.transaction_not_found"),
        ("call", TOKEN, {"function": "mint_me_money"}, 400, "contracts.entry_point_not_found"),
        ("call", TOKEN, {"function": "balance_of"}, 400, "contracts.call_reverted"),
        ("events", TOKEN, {"from_block": 50}, 404, "contracts.block_not_found"),
    ],
)
@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_definitive_chain_answers_are_recorded_as_failed(
    chain, owner, owner_client, query_type, address, parameters, status, code, url
):
    # when
    body = assert_error(run(owner_client, query_type, address=address, url=url, **parameters), status, code)

    # then: the failed query is stored and named in the answer
    stored = ContractQuery.objects.get(pk=body["query_id"])
    assert (stored.user, stored.status, stored.query_type, stored.result) == (owner, "failed", query_type, None)
    assert stored.error == body["message"]
    assert owner_client.get(f"/api/queries/{body['query_id']}").json()["status"] == "failed"


def test_query_run_erc20_info_of_a_non_token_is_refused(chain, owner_client):
    chain.deploy_account(0xACC, public_key=0x1)

    assert_error(run(owner_client, "erc20_info", address=0xACC), 400, "contracts.call_reverted")


# --- Node trouble: recorded as failed, answered 502/503/504 ----------------------------------------
@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_node_down_is_503_and_recorded(settings, db, owner_client, url):
    settings.STARKNET_RPC_URLS = [unreachable_url()]

    body = assert_error(run(owner_client, "block_number", url=url), 503, "starknet.unavailable")

    stored = ContractQuery.objects.get(pk=body["query_id"])
    assert stored.status == "failed" and stored.error == starknet.NodeUnavailable.message
    assert "127.0.0.1" not in body["message"]


@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_hanging_node_is_504_and_recorded(starknet_node, settings, owner_client, url):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3)

    body = assert_error(run(owner_client, "block_number", url=url), 504, "starknet.timeout")

    stored = ContractQuery.objects.get(pk=body["query_id"])
    assert stored.status == "failed" and stored.duration_ms >= 250


@pytest.mark.parametrize("fault", ["answer_without_result", "answer_not_json"])
@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_malformed_answer_is_502_and_recorded(chain, starknet_node, owner_client, fault, url):
    getattr(starknet_node, fault)(method="starknet_getClassHashAt")

    body = assert_error(run(owner_client, "class_hash", url=url), 502, "starknet.bad_gateway")

    assert ContractQuery.objects.get(pk=body["query_id"]).status == "failed"


def test_query_run_node_refusing_service_is_503(chain, starknet_node, owner_client):
    starknet_node.fail(429)

    assert_error(run(owner_client, "block_number"), 503, "starknet.unavailable")
    assert ContractQuery.objects.filter(status="failed").count() == 1


# --- Invalid input: 400 before any RPC, nothing recorded --------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"contract_address": "0xzz", "query_type": "block_number"}, "contract_address"),
        ({"contract_address": hex(2**251), "query_type": "block_number"}, "contract_address"),
        ({"contract_address": "0x1", "query_type": "storage"}, "query_type"),
        ({"contract_address": "0x1"}, "query_type"),
        ({"contract_address": "0x1", "query_type": "call"}, "parameters.function"),
        ({"contract_address": "0x1", "query_type": "call", "parameters": {"function": "1abc"}}, "parameters.function"),
        (
            {"contract_address": "0x1", "query_type": "call", "parameters": {"function": "balance-of"}},
            "parameters.function",
        ),
        (
            {"contract_address": "0x1", "query_type": "call", "parameters": {"function": "a" * 65}},
            "parameters.function",
        ),
        (
            {
                "contract_address": "0x1",
                "query_type": "call",
                "parameters": {"function": "f", "calldata": ["0x1"] * 65},
            },
            "parameters.calldata",
        ),
        (
            {"contract_address": "0x1", "query_type": "call", "parameters": {"function": "f", "calldata": ["-1"]}},
            "parameters.calldata.0",
        ),
        (
            {
                "contract_address": "0x1",
                "query_type": "call",
                "parameters": {"function": "f", "calldata": [hex(starknet.FIELD_PRIME)]},
            },
            "parameters.calldata.0",
        ),
        (
            {"contract_address": "0x1", "query_type": "call", "parameters": {"function": "f", "calldata": [7]}},
            "parameters.calldata.0",
        ),
        ({"contract_address": "0x1", "query_type": "balance_of"}, "parameters.account"),
        ({"contract_address": "0x1", "query_type": "balance_of", "parameters": {"account": "x"}}, "parameters.account"),
        ({"contract_address": "0x1", "query_type": "receipt", "parameters": {}}, "parameters.transaction_hash"),
        ({"contract_address": "0x1", "query_type": "receipt", "parameters": "0x1"}, "parameters"),
        (
            {"contract_address": "0x1", "query_type": "events", "parameters": {"from_block": 0, "to_block": 10_000}},
            "parameters.to_block",
        ),
        (
            {"contract_address": "0x1", "query_type": "events", "parameters": {"from_block": 9, "to_block": 8}},
            "parameters.to_block",
        ),
        (
            {"contract_address": "0x1", "query_type": "events", "parameters": {"from_block": -1}},
            "parameters.from_block",
        ),
        (
            {"contract_address": "0x1", "query_type": "events", "parameters": {"keys": [["0x1"]] * 5}},
            "parameters.keys",
        ),
    ],
)
def test_query_run_invalid_input_is_400_without_rpc_or_record(chain, starknet_node, owner_client, body, field):
    response = owner_client.post(RUN, body, format="json")

    errors = assert_error(response, 400, "request.validation_failed")["errors"]
    assert field in errors, errors
    assert starknet_node.methods == []
    assert not ContractQuery.objects.exists()


@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_malformed_json_is_400(owner_client, url):
    response = owner_client.generic("POST", url, "{not json", content_type="application/json")

    assert_error(response, 400, "request.malformed")


@pytest.mark.parametrize("url", RUN_URLS)
def test_query_run_refuses_anonymous_callers(url, api_client, starknet_node):
    assert_error(run(api_client, "block_number", url=url), 401, "auth.not_authenticated")
    assert starknet_node.methods == []


# --- RPC budget and query counts ----------------------------------------------------------------------
def test_query_run_makes_one_client_operation(chain, starknet_node, owner_client):
    run(owner_client, "balance_of", account=hex(ALICE))

    assert starknet_node.methods == ["starknet_specVersion", "starknet_chainId", "starknet_call"]


def test_query_run_query_count(chain, owner_client, django_assert_num_queries):
    # user of the token; SAVEPOINT; INSERT of the query; INSERT activity; RELEASE
    with django_assert_num_queries(5):
        assert run(owner_client, "balance_of", account=hex(ALICE)).status_code == 201
    # a failed query costs the same: the failed query is recorded and logged alike
    with django_assert_num_queries(5):
        assert run(owner_client, "class_hash", address=0xDEAD).status_code == 404


def test_query_run_events_makes_a_bounded_number_of_rpc_requests(chain, starknet_node, owner_client):
    for amount in range(1, 4):
        chain.transfer(TOKEN, ALICE, BOB, amount)
    starknet_node.clear_log()

    run(owner_client, "events")

    # block number, one page of events, the three distinct blocks' timestamps; 2 handshake requests each
    assert rpc_requests(starknet_node) == 3 + 3 + 5
    assert rpc_requests(starknet_node, "starknet_getEvents") == 1


def test_query_run_accepts_null_or_missing_parameters_and_a_trailing_slash(chain, owner_client):
    null = owner_client.post(
        RUN + "/", {"contract_address": hex(TOKEN), "query_type": "block_number", "parameters": None}, format="json"
    )
    missing = run(owner_client, "block_number")

    assert (null.status_code, missing.status_code) == (201, 201), null.content
    assert null.json()["parameters"] == {} == missing.json()["parameters"]


def test_query_run_stores_only_the_parameters_its_type_reads(chain, owner_client):
    response = run(owner_client, "balance_of", account="0xA11CE", function="ignored")

    assert response.json()["parameters"] == {"account": hex64(ALICE)}
