"""GET /api/admin/query-logs (bounded by `limit`) and GET /api/admin/activity (filters, pagination)."""

from datetime import timedelta

import pytest

from accounts.services import activity_record
from blocra.request_context import RequestContext, request_context_bound
from tests.adminpanel.conftest import placed_at
from tests.factories import ActivityFactory, ContractQueryFactory, UserFactory

pytestmark = pytest.mark.django_db

QUERY_LOGS = "/api/admin/query-logs"
ACTIVITY = "/api/admin/activity"


def rfc3339(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# --- query logs -------------------------------------------------------------------------------------


def test_admin_query_logs_newest_first_with_the_users_email(clients, now):
    ada, bob = UserFactory(email="ada@example.com"), UserFactory(email="bob@example.com")
    older = placed_at(ContractQueryFactory(user=ada), now - timedelta(hours=1))
    newer = placed_at(ContractQueryFactory(user=bob, status="failed", error="Contract not found."), now)

    response = clients["moderator"].get(QUERY_LOGS)

    assert response.status_code == 200
    data = response.json()["data"]
    assert [row["id"] for row in data] == [str(newer.pk), str(older.pk)]
    assert data[0] == {
        "id": str(newer.pk),
        "user_id": bob.pk,
        "user_email": "bob@example.com",
        "contract_address": newer.contract_address,
        "query_type": "block_number",
        "parameters": {},
        "result": {"block_number": 1},
        "status": "failed",
        "error": "Contract not found.",
        "duration_ms": 5,
        "created_at": rfc3339(now),
    }


def test_admin_query_logs_of_one_user_and_limited(clients):
    ada = UserFactory()
    ContractQueryFactory.create_batch(4, user=ada)
    ContractQueryFactory.create_batch(2)

    assert len(clients["admin"].get(QUERY_LOGS, {"user_id": ada.pk}).json()["data"]) == 4
    assert len(clients["admin"].get(QUERY_LOGS, {"user_id": ada.pk, "limit": 3}).json()["data"]) == 3
    assert len(clients["admin"].get(QUERY_LOGS, {"limit": 1000}).json()["data"]) == 6
    assert clients["admin"].get(QUERY_LOGS, {"user_id": 999999}).json()["data"] == []


def test_admin_query_logs_limit_defaults_to_100(clients):
    ContractQueryFactory.create_batch(101, user=UserFactory())

    assert len(clients["admin"].get(QUERY_LOGS).json()["data"]) == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"user_id": "x"}, "user_id"),
        ({"user_id": "1.5"}, "user_id"),
        ({"user_id": str(2**64)}, "user_id"),
    ],
)
def test_admin_query_logs_bad_parameters_are_400(clients, params, field):
    ContractQueryFactory()

    response = clients["admin"].get(QUERY_LOGS, params)

    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert set(response.json()["errors"]) == {field}


def test_admin_query_logs_blank_limit_is_the_default(clients):
    # given: one logged query
    ContractQueryFactory()

    # when: `limit` is sent blank, as everywhere in the API a blank query value is read as not sent
    response = clients["admin"].get(QUERY_LOGS, {"limit": ""})

    # then: the default limit applies
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


@pytest.mark.parametrize("rows", [1, 20])
def test_admin_query_logs_query_count_is_constant(clients, django_assert_num_queries, rows):
    for user in UserFactory.create_batch(rows):
        ContractQueryFactory(user=user)
    # auth; the queries joined with their users
    with django_assert_num_queries(2):
        response = clients["moderator"].get(QUERY_LOGS)
    assert len(response.json()["data"]) == rows


# --- activity ---------------------------------------------------------------------------------------


@pytest.fixture
def log(now):
    """Rows of several kinds, actors, targets, addresses and times (newest first: login_ada, ...)."""
    ada, bob = UserFactory(email="ada@example.com", username="ada"), UserFactory(email="bob@example.com")
    rows = {}
    with request_context_bound(RequestContext(ip_address="203.0.113.5", user_agent="curl/8", request_id="req-1")):
        rows["login_ada"] = placed_at(activity_record(action="auth.login", actor=ada), now)
    rows["failed"] = placed_at(ActivityFactory(actor=None, action="auth.login_failed"), now - timedelta(hours=1))
    rows["bounty"] = placed_at(
        activity_record(action="bounty.created", actor=bob, target_type="bounty", target_id="b-1"),
        now - timedelta(hours=2),
    )
    rows["authx"] = placed_at(ActivityFactory(actor=bob, action="authx.other"), now - timedelta(hours=3))
    rows["moderation"] = placed_at(
        activity_record(
            action="admin.user_role_change",
            actor=ada,
            target_type="user",
            target_id=bob.pk,
            metadata={"from": "user", "to": "admin"},
        ),
        now - timedelta(days=2),
    )
    return {"ada": ada, "bob": bob, **rows}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [entry["id"] for entry in response.json()["data"]]


def test_admin_activity_lists_entries_newest_first_with_actor_and_origin(clients, log, now):
    response = clients["moderator"].get(ACTIVITY)

    names = ["login_ada", "failed", "bounty", "authx", "moderation"]
    assert ids(response) == [log[name].pk for name in names]
    assert response["X-Total-Count"] == "5"
    assert response.json()["data"][0] == {
        "id": log["login_ada"].pk,
        "action": "auth.login",
        "actor": {"id": log["ada"].pk, "email": "ada@example.com", "username": "ada"},
        "target_type": "",
        "target_id": "",
        "ip_address": "203.0.113.5",
        "user_agent": "curl/8",
        "request_id": "req-1",
        "metadata": {},
        "created_at": rfc3339(now),
    }
    assert response.json()["data"][1]["actor"] is None
    assert response.json()["data"][4]["metadata"] == {"from": "user", "to": "admin"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "auth.login"}, ["login_ada"]),
        ({"action": "auth."}, ["login_ada", "failed"]),
        ({"action": "auth"}, []),
        ({"target_type": "user"}, ["moderation"]),
        ({"target_type": "bounty", "target_id": "b-1"}, ["bounty"]),
        ({"ip": "203.0.113.5"}, ["login_ada"]),
        ({"request_id": "req-1"}, ["login_ada"]),
        ({"since": "2025-06-15T12:30:00Z"}, ["login_ada", "failed", "bounty"]),
        ({"until": "2025-06-15T12:30:00Z"}, ["authx", "moderation"]),
        ({"since": "2025-06-15T11:30:00+00:00", "until": "2025-06-15T14:30:00Z"}, ["failed", "bounty", "authx"]),
        ({"since": "2025-06-15T16:30:00+02:00"}, ["login_ada"]),
    ],
)
def test_admin_activity_filters(clients, log, params, expected):
    response = clients["admin"].get(ACTIVITY, params)

    assert ids(response) == [log[name].pk for name in expected]


def test_admin_activity_filters_by_actor(clients, log):
    response = clients["admin"].get(ACTIVITY, {"actor_id": log["bob"].pk})

    assert ids(response) == [log["bounty"].pk, log["authx"].pk]


def test_admin_activity_is_paginated(clients, log):
    first = clients["admin"].get(ACTIVITY, {"page_size": 2})
    third = clients["admin"].get(ACTIVITY, {"page_size": 2, "page": 3})

    assert ids(first) == [log["login_ada"].pk, log["failed"].pk]
    assert ids(third) == [log["moderation"].pk]
    assert first["X-Total-Count"] == third["X-Total-Count"] == "5"
    assert 'rel="next"' in first["Link"] and 'rel="prev"' in third["Link"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2025-13-01T00:00:00Z"}, "until"),
        ({"since": "2025-06-15T12:00:00Z", "until": "2025-06-15T11:59:59Z"}, "until"),
        ({"actor_id": "ada"}, "actor_id"),
        ({"ip": "not-an-address"}, "ip"),
        ({"action": "a" * 65}, "action"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_admin_activity_bad_parameters_are_400(clients, params, field):
    response = clients["admin"].get(ACTIVITY, params)

    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert set(response.json()["errors"]) == {field}


@pytest.mark.parametrize("rows", [1, 30])
def test_admin_activity_query_count_is_constant(clients, django_assert_num_queries, rows):
    for user in UserFactory.create_batch(rows):
        ActivityFactory(actor=user)
    # auth; COUNT; the page joined with the actors
    with django_assert_num_queries(3):
        response = clients["moderator"].get(ACTIVITY, {"page_size": 100, "action": "auth."})
    assert len(response.json()["data"]) == rows


def test_admin_activity_equal_since_and_until_is_an_empty_range(clients):
    # given: activity at the very instant named
    ActivityFactory()
    instant = "2025-06-15T12:00:00Z"

    # when: since and until name the same instant
    response = clients["admin"].get(ACTIVITY, {"since": instant, "until": instant})

    # then: no row is at or after it and before it, which is no mistake
    assert response.status_code == 200
    assert response.json()["data"] == []
