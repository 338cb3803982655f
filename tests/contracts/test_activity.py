"""Contract work in the activity log: each query run (failed ones too), event read and analysis (a
"report", cached or not, anonymous or not), saved query and dashboard created or deleted, and a query
deleted by an admin as moderation; each with who, on what, from where."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ActivityLog
from contracts.models import ContractQuery, Dashboard, SavedQuery
from tests.activity import activity_row, traced
from tests.contracts.conftest import ALICE, BOB, TOKEN, hex64
from tests.factories import ContractQueryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_analyze_limit(settings):
    settings.ANALYZE_RATE_LIMIT = ""


@pytest.mark.parametrize("url", ["/api/contracts/query", "/api/queries"])
def test_activity_contract_query_run_success_and_failure(url, chain, owner, owner_client):
    body = {"contract_address": hex(TOKEN), "query_type": "balance_of", "parameters": {"account": hex(ALICE)}}
    succeeded = owner_client.post(url, body, format="json", **traced("req-q-1"))
    failed = owner_client.post(
        url, {"contract_address": "0xdead", "query_type": "class_hash"}, format="json", **traced("req-q-2")
    )

    assert (succeeded.status_code, failed.status_code) == (201, 404)
    rows = {row.request_id: row for row in ActivityLog.objects.filter(action="contract.query")}
    assert set(rows) == {"req-q-1", "req-q-2"}
    ok, ko = ContractQuery.objects.get(status="success"), ContractQuery.objects.get(status="failed")
    for row, query, status in ((rows["req-q-1"], ok, "success"), (rows["req-q-2"], ko, "failed")):
        assert (row.actor, row.target_type, row.target_id) == (owner, "contract_query", str(query.pk))
        assert row.metadata == {
            "query_type": query.query_type,
            "contract_address": query.contract_address,
            "status": status,
        }
        assert (row.ip_address, row.user_agent) == ("127.0.0.1", "blocra-tests/1.0 (activity)")
    assert failed.json()["query_id"] == str(ko.pk)


def test_activity_contract_events_read(chain, owner, owner_client):
    chain.transfer(TOKEN, ALICE, BOB, 5)

    response = owner_client.post(
        "/api/contracts/events", {"contractAddress": hex(TOKEN), "fromBlock": 0}, format="json", **traced("req-ev")
    )

    assert response.status_code == 200
    data = response.json()["data"]
    activity_row(
        "contract.events",
        actor=owner,
        target_type="",
        target_id="",
        request_id="req-ev",
        metadata={
            "contract_address": hex64(TOKEN),
            "from_block": data["fromBlock"],
            "to_block": data["toBlock"],
            "events": data["totalEvents"],
            "truncated": False,
        },
    )


def test_activity_contract_analyzed_anonymous_then_cached_for_a_user(chain, owner, owner_client):
    body = {"contractAddress": hex(TOKEN)}

    fresh = APIClient().post("/api/contracts/analyze", body, format="json", **traced("req-an-1"))
    cached = owner_client.post("/api/contracts/analyze", body, format="json", **traced("req-an-2"))

    # then: two reports, the second answered from the cache and attributed to the signed-in user
    assert (fresh.status_code, cached.status_code) == (200, 200)
    data = fresh.json()["data"]
    rows = {row.request_id: row for row in ActivityLog.objects.filter(action="contract.analyzed")}
    expected = {"contract_address": hex64(TOKEN), "from_block": data["from_block"], "to_block": data["to_block"]}
    assert rows["req-an-1"].actor is None
    assert rows["req-an-1"].metadata == {**expected, "cached": False}
    assert rows["req-an-2"].actor == owner
    assert rows["req-an-2"].metadata == {**expected, "cached": True}
    for row in rows.values():
        assert (row.target_type, row.target_id, row.ip_address) == ("", "", "127.0.0.1")


def test_activity_saved_query_and_dashboard_created_and_deleted(owner, owner_client):
    saved = owner_client.post(
        "/api/contracts/save-query", {"name": "ETH", "contracts": [hex(TOKEN)]}, format="json", **traced("req-s-1")
    )
    created = owner_client.post("/api/dashboard-builder", {"name": "DeFi"}, format="json", **traced("req-d-1"))
    dashboard_id = created.json()["dashboard"]["id"]
    deleted = owner_client.delete(f"/api/dashboard-builder/{dashboard_id}", **traced("req-d-2"))

    assert [r.status_code for r in (saved, created, deleted)] == [201, 201, 200]
    activity_row(
        "contract.saved_query_created",
        actor=owner,
        target_type="saved_query",
        target_id=SavedQuery.objects.get().pk,
        request_id="req-s-1",
        metadata={"contract_address": hex64(TOKEN), "contracts": 1, "chain": "starknet"},
    )
    on_dashboard = {"actor": owner, "target_type": "dashboard", "target_id": dashboard_id}
    activity_row("contract.dashboard_created", **on_dashboard, request_id="req-d-1", metadata={"name": "DeFi"})
    activity_row("contract.dashboard_deleted", **on_dashboard, request_id="req-d-2")
    assert not Dashboard.objects.exists()


@pytest.mark.parametrize("by", ["owner", "admin"])
def test_activity_contract_query_deleted_by_owner_or_admin(by, owner, admin, owner_client, admin_api):
    query = ContractQueryFactory(user=owner)
    actor, client = (owner, owner_client) if by == "owner" else (admin, admin_api)

    response = client.delete(f"/api/queries/{query.pk}", **traced("req-qd"))

    assert response.status_code == 200
    row = activity_row(
        "contract.query_deleted",
        actor=actor,
        target_type="contract_query",
        target_id=query.pk,
        request_id="req-qd",
        metadata={"owner_id": owner.pk},
    )
    assert row.metadata.get("moderation") == (True if by == "admin" else None)


def test_activity_contract_query_delete_of_another_users_query_is_404_and_logs_nothing(owner, stranger_client):
    query = ContractQueryFactory(user=owner)

    assert stranger_client.delete(f"/api/queries/{query.pk}").status_code == 404

    assert ContractQuery.objects.filter(pk=query.pk).exists()
    assert not ActivityLog.objects.filter(action="contract.query_deleted").exists()
