"""Saved queries: POST /contracts/save-query and GET /contracts/saved-queries."""

import json

import pytest

from contracts.models import SavedQuery
from contracts.serializers.fields import MAX_JSON_BYTES, MAX_JSON_DEPTH
from contracts.serializers.saved_queries import MAX_CONTRACT_INFO_BYTES, MAX_CONTRACTS_PER_SAVED_QUERY
from contracts.services.saved_queries import MAX_SAVED_QUERIES_PER_USER
from tests.contracts.app_bodies import ETH_TOKEN, STRK_TOKEN, save_query_body
from tests.contracts.conftest import assert_error
from tests.factories import SavedQueryFactory

pytestmark = pytest.mark.django_db

SAVE = "/api/contracts/save-query"
LIST = "/api/contracts/saved-queries"
ETH = "0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7"
STRK = "0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d"


def test_save_query_stores_normalised_contracts_and_answers_its_id(owner, owner_client):
    # when
    response = owner_client.post(
        SAVE,
        {
            "name": "  ETH and STRK  ",
            "contracts": [ETH.upper().replace("0X", "0x"), STRK],
            "fromDate": "2026-01-01",
            "toDate": "2026-01-31T12:00:00+02:00",
            "events": ["Transfer"],
            "stats": {"volume": True},
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    saved = SavedQuery.objects.get(pk=body["data"]["queryId"])
    assert isinstance(body["data"]["queryId"], int)
    assert saved.user == owner
    assert saved.name == "ETH and STRK"
    assert saved.chain == "starknet"
    assert saved.contract_address == "0x" + ETH[2:].rjust(64, "0")
    assert saved.query == {
        "contracts": ["0x" + ETH[2:].rjust(64, "0"), STRK],
        "contractNames": {},
        "fromDate": "2026-01-01",
        "toDate": "2026-01-31T10:00:00Z",
        "events": ["Transfer"],
        "stats": {"volume": True},
        "contractInfo": None,
    }


def test_save_query_stores_the_body_the_app_sends(owner, owner_client):
    # given: contract objects (one name blank), "Starknet", 100 events, statistics, contractInfo; no name
    body = save_query_body(events=100)
    # when
    response = owner_client.post(SAVE, body, format="json")
    # then
    assert response.status_code == 201, response.content
    saved = SavedQuery.objects.get(pk=response.json()["data"]["queryId"])
    assert saved.user == owner
    assert saved.chain == "starknet"
    assert saved.name == "Query on STRK and 1 more"
    assert saved.contract_address == STRK_TOKEN
    assert saved.query == {
        "contracts": [STRK_TOKEN, ETH_TOKEN],
        "contractNames": {STRK_TOKEN: "STRK"},
        "fromDate": None,
        "toDate": None,
        "events": body["events"],
        "stats": body["stats"],
        "contractInfo": {"contractType": "Smart Contract", "contractName": "STRK"},
    }
    assert len(saved.query["events"]) == 100


def test_save_query_bounds_hold_the_apps_largest_body_with_room_to_spare():
    # The app saves at most 100 events: as it builds them they take well under half of the bound.
    body = save_query_body(events=100)

    assert len(json.dumps(body["events"], separators=(",", ":"))) < MAX_JSON_BYTES / 2
    assert len(json.dumps(body["stats"], separators=(",", ":"))) < MAX_JSON_BYTES / 10
    assert len(json.dumps(body["contractInfo"], separators=(",", ":"))) < MAX_CONTRACT_INFO_BYTES / 5


def test_save_query_counts_the_saved_contracts_for_the_suggestions(owner_client):
    response = owner_client.post(SAVE, save_query_body(events=3), format="json")
    query_id = response.json()["data"]["queryId"]

    suggestions = owner_client.get(f"/api/dashboard-builder/suggest/{query_id}").json()["suggestions"]

    # two contracts: bar and pie; statistics: number; events without a date range: table
    assert {s["visualization_type"] for s in suggestions} == {"bar", "pie", "number", "table"}


@pytest.mark.parametrize("chain", ["Starknet", "STARKNET", "  starknet ", "starknet"])
def test_save_query_matches_the_chain_without_regard_to_case(chain, owner_client):
    response = owner_client.post(SAVE, {"contracts": [ETH], "chain": chain}, format="json")

    assert response.status_code == 201
    assert SavedQuery.objects.get(pk=response.json()["data"]["queryId"]).chain == "starknet"


@pytest.mark.parametrize("chain", ["ethereum", "Starknet Sepolia", "", 5])
def test_save_query_refuses_an_unknown_chain_naming_the_supported_ones(chain, owner_client):
    response = owner_client.post(SAVE, {"contracts": [ETH], "chain": chain}, format="json")

    errors = assert_error(response, 400, "request.validation_failed")["errors"]
    assert list(errors) == ["chain"]
    if chain != "":
        assert "starknet" in errors["chain"][0]
    assert not SavedQuery.objects.exists()


def test_save_query_takes_address_strings_and_objects_keeping_the_first_name(owner_client):
    one, two, three = f"0x{1:064x}", f"0x{2:064x}", f"0x{3:064x}"
    contracts = [
        "0x1",
        {"address": "0x0001", "name": "  One  "},
        {"address": "0x2", "name": ""},
        {"address": "0x02", "name": "Two"},
        {"address": "0x1", "name": "Another name"},
        {"address": "0x3", "name": None},
        {"address": "0x3"},
    ]

    response = owner_client.post(SAVE, {"contracts": contracts, "name": "Mixed"}, format="json")

    assert response.status_code == 201, response.content
    content = SavedQuery.objects.get(pk=response.json()["data"]["queryId"]).query
    # a blank or missing name is no name: the first name given wins, trimmed
    assert content["contracts"] == [one, two, three]
    assert content["contractNames"] == {one: "One", two: "Two"}


def test_save_query_ignores_keys_it_does_not_know(owner_client):
    body = {"contracts": [{"address": ETH, "name": "ETH", "logo": "eth.png"}], "view": {"tab": 2}, "version": 3}

    response = owner_client.post(SAVE, body, format="json")

    assert response.status_code == 201
    content = SavedQuery.objects.get(pk=response.json()["data"]["queryId"]).query
    assert set(content) == {"contracts", "contractNames", "fromDate", "toDate", "events", "stats", "contractInfo"}
    assert content["contractInfo"] is None


def test_save_query_names_an_unnamed_query_after_its_contracts(owner_client):
    response = owner_client.post(SAVE, {"contracts": [ETH, STRK, "0x1"]}, format="json")

    saved = SavedQuery.objects.get(pk=response.json()["data"]["queryId"])
    assert saved.name == "Query on 0x49d3…4dc7 and 2 more"
    assert saved.query["fromDate"] is None and saved.query["events"] is None


def test_save_query_names_a_short_address_in_full(owner_client):
    blank = owner_client.post(SAVE, {"contracts": ["0x00abc"], "name": "   "}, format="json")
    null = owner_client.post(SAVE, {"contracts": ["0xabc"], "name": None}, format="json")

    assert SavedQuery.objects.get(pk=blank.json()["data"]["queryId"]).name == "Query on 0xabc"
    assert SavedQuery.objects.get(pk=null.json()["data"]["queryId"]).name == "Query on 0xabc"


def test_save_query_merges_addresses_that_are_the_same_number(owner_client):
    response = owner_client.post(SAVE, {"contracts": ["0x1", "0x0001", "0x2"]}, format="json")

    saved = SavedQuery.objects.get(pk=response.json()["data"]["queryId"])
    assert saved.query["contracts"] == [f"0x{1:064x}", f"0x{2:064x}"]


def test_save_query_accepts_the_same_day_as_range(owner_client):
    response = owner_client.post(
        SAVE, {"contracts": [ETH], "fromDate": "2026-03-01T18:00:00Z", "toDate": "2026-03-01"}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "contracts"),
        ({"contracts": []}, "contracts"),
        ({"contracts": "0x1"}, "contracts"),
        ({"contracts": ["0x1", "not an address"]}, "contracts.1"),
        ({"contracts": [12]}, "contracts.0"),
        ({"contracts": ["0x" + "f" * 64]}, "contracts.0"),
        ({"contracts": ["0x" + "1" * 65]}, "contracts.0"),
        ({"contracts": [f"0x{n + 1:x}" for n in range(MAX_CONTRACTS_PER_SAVED_QUERY + 1)]}, "contracts"),
        ({"contracts": [ETH], "chain": "ethereum"}, "chain"),
        ({"contracts": [ETH], "name": "x" * 201}, "name"),
        ({"contracts": [ETH], "fromDate": "yesterday"}, "fromDate"),
        ({"contracts": [ETH], "fromDate": "2026-02-30"}, "fromDate"),
        ({"contracts": [ETH], "toDate": 20260101}, "toDate"),
        ({"contracts": [ETH], "fromDate": "0001-01-01T00:00:00+14:00"}, "fromDate"),
        ({"contracts": [ETH], "toDate": "9999-12-31T23:00:00-05:00"}, "toDate"),
        ({"contracts": [ETH], "toDate": "2026-01-01T10:00:00+99:00"}, "toDate"),
        ({"contracts": [ETH], "fromDate": ["2026-01-01"]}, "fromDate"),
        ([ETH], "non_field_errors"),
        ({"contracts": [ETH], "fromDate": "2026-02-01", "toDate": "2026-01-31"}, "toDate"),
        ({"contracts": [ETH], "fromDate": "2026-02-01T00:00:01Z", "toDate": "2026-02-01T00:00:00Z"}, "toDate"),
        ({"contracts": [ETH], "events": "x" * (MAX_JSON_BYTES + 1)}, "events"),
        ({"contracts": [ETH], "stats": {"a": [[[[[[[[1]]]]]]]]}}, "stats"),
        ({"contracts": [None]}, "contracts.0"),
        ({"contracts": [["0x1"]]}, "contracts.0"),
        ({"contracts": [{"name": "STRK"}]}, "contracts.0.address"),
        ({"contracts": [{"address": "STRK", "name": "STRK"}]}, "contracts.0.address"),
        ({"contracts": [{"address": 1}]}, "contracts.0.address"),
        ({"contracts": [ETH, {"address": STRK, "name": "x" * 101}]}, "contracts.1.name"),
        ({"contracts": [ETH], "contractInfo": "Smart Contract"}, "contractInfo"),
        ({"contracts": [ETH], "contractInfo": ["STRK"]}, "contractInfo"),
        ({"contracts": [ETH], "contractInfo": {"contractName": "x" * MAX_CONTRACT_INFO_BYTES}}, "contractInfo"),
        ({"contracts": [ETH], "contractInfo": {"abi": {"functions": []}}}, "contractInfo"),
    ],
)
def test_save_query_rejects_invalid_input_with_field_errors(body, field, owner_client):
    response = owner_client.post(SAVE, body, format="json")

    errors = assert_error(response, 400, "request.validation_failed")["errors"]
    assert field in errors
    assert not SavedQuery.objects.exists()


def test_save_query_json_bounds_are_inclusive(owner_client):
    nested: list = [1]
    for _ in range(MAX_JSON_DEPTH - 1):
        nested = [nested]

    response = owner_client.post(SAVE, {"contracts": [ETH], "events": nested}, format="json")

    assert response.status_code == 201


def test_save_query_takes_a_null_contract_info_as_none(owner_client):
    response = owner_client.post(SAVE, {"contracts": [ETH], "contractInfo": None}, format="json")

    assert response.status_code == 201
    assert SavedQuery.objects.get(pk=response.json()["data"]["queryId"]).query["contractInfo"] is None


def test_save_query_rejects_malformed_json(owner_client):
    response = owner_client.generic("POST", SAVE, '{"contracts": [', content_type="application/json")

    assert_error(response, 400, "request.malformed")


@pytest.mark.parametrize("body", [{"contracts": [ETH]}, save_query_body(events=100)], ids=["one-address", "app-body"])
def test_save_query_costs_a_constant_number_of_queries(body, owner_client, django_assert_num_queries):
    # user of the token; SAVEPOINT, lock of the user row, COUNT of saved queries, INSERT, INSERT activity,
    # RELEASE
    with django_assert_num_queries(7):
        response = owner_client.post(SAVE, body, format="json")
    assert response.status_code == 201


def test_save_query_refuses_past_the_per_user_limit(owner, owner_client):
    SavedQuery.objects.bulk_create(SavedQueryFactory.build(user=owner) for _ in range(MAX_SAVED_QUERIES_PER_USER - 1))
    assert owner_client.post(SAVE, {"contracts": [ETH]}, format="json").status_code == 201

    response = owner_client.post(SAVE, {"contracts": [ETH]}, format="json")

    assert_error(response, 409, "contracts.saved_query_limit_reached")
    assert SavedQuery.objects.filter(user=owner).count() == MAX_SAVED_QUERIES_PER_USER


def test_saved_query_list_returns_own_newest_first(owner, stranger, owner_client):
    first = SavedQueryFactory(user=owner)
    second = SavedQueryFactory(user=owner)
    SavedQueryFactory(user=stranger)

    response = owner_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    queries = body["data"]["queries"]
    assert [q["id"] for q in queries] == [second.pk, first.pk]
    assert set(queries[0]) == {"id", "name", "chain", "contract_address", "query", "created_at", "updated_at"}
    assert queries[0]["query"] == second.query


def test_saved_query_list_costs_the_same_for_one_and_many_rows(owner, owner_client, django_assert_num_queries):
    SavedQueryFactory(user=owner)
    # user of the token, the saved queries
    with django_assert_num_queries(2):
        assert len(owner_client.get(LIST).json()["data"]["queries"]) == 1
    SavedQueryFactory.create_batch(9, user=owner)
    with django_assert_num_queries(2):
        assert len(owner_client.get(LIST).json()["data"]["queries"]) == 10


@pytest.mark.parametrize(("method", "url"), [("post", SAVE), ("get", LIST)])
def test_saved_query_endpoints_refuse_anonymous_callers(method, url, api_client):
    assert_error(getattr(api_client, method)(url, {}, format="json"), 401, "auth.not_authenticated")
