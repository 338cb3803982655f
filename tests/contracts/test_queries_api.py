"""Contract queries: own lists, owner-or-admin reads and deletes, the ContractQuery shape."""

import uuid
from datetime import UTC, datetime

import pytest

from contracts.models import ContractQuery
from tests.contracts.conftest import assert_error
from tests.factories import ContractQueryFactory

pytestmark = pytest.mark.django_db

LIST_URLS = ["/api/contracts/queries", "/api/queries"]
DETAIL_URLS = ["/api/contracts/queries/{id}", "/api/queries/{id}"]


def test_contract_query_serialises_the_contract_shape(owner, owner_client):
    # given
    query = ContractQueryFactory(
        user=owner,
        query_type="balance_of",
        parameters={"account": "0x1"},
        result={"balance": "10"},
        duration_ms=12,
    )
    # when
    response = owner_client.get(f"/api/queries/{query.pk}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": str(query.pk),
        "user_id": owner.pk,
        "contract_address": query.contract_address,
        "query_type": "balance_of",
        "parameters": {"account": "0x1"},
        "result": {"balance": "10"},
        "status": "success",
        "error": None,
        "duration_ms": 12,
        "created_at": body["created_at"],
    }
    created = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert body["created_at"].endswith("Z")
    assert created.tzinfo is not None and created.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_list_returns_own_newest_first_with_pagination_headers(url, owner, stranger, owner_client):
    older = ContractQueryFactory(user=owner)
    newer = ContractQueryFactory(user=owner)
    ContractQuery.objects.filter(pk=older.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
    ContractQueryFactory(user=stranger)

    response = owner_client.get(url)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(newer.pk), str(older.pk)]
    assert response["X-Total-Count"] == "2"
    assert 'rel="first"' in response["Link"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_list_of_admin_holds_only_their_own(url, owner, admin, admin_api):
    ContractQueryFactory(user=owner)
    mine = ContractQueryFactory(user=admin)

    response = admin_api.get(url)

    assert [row["id"] for row in response.json()] == [str(mine.pk)]


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_list_paginates(url, owner, owner_client):
    ContractQueryFactory.create_batch(3, user=owner)

    response = owner_client.get(url, {"page": 2, "page_size": 2})

    assert response.status_code == 200
    assert len(response.json()) == 1
    assert response["X-Total-Count"] == "3"
    assert 'rel="prev"' in response["Link"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_list_rejects_a_bad_page_size(url, owner_client):
    body = assert_error(owner_client.get(url, {"page_size": 1000}), 400, "request.validation_failed")
    assert "page_size" in body["errors"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_query_list_costs_the_same_for_one_and_many_rows(url, owner, owner_client, django_assert_num_queries):
    ContractQueryFactory(user=owner)
    # user of the token, COUNT for X-Total-Count, the page
    with django_assert_num_queries(3):
        assert len(owner_client.get(url).json()) == 1
    ContractQueryFactory.create_batch(9, user=owner)
    with django_assert_num_queries(3):
        assert len(owner_client.get(url).json()) == 10


@pytest.mark.parametrize("url", DETAIL_URLS)
def test_query_detail_is_readable_by_owner_and_admin(url, owner, owner_client, admin_api, django_assert_num_queries):
    query = ContractQueryFactory(user=owner)
    # user of the token, the query (scoped to the owner)
    with django_assert_num_queries(2):
        response = owner_client.get(url.format(id=query.pk))
    assert response.status_code == 200
    assert response.json()["id"] == str(query.pk)
    # user of the token, the query (unscoped for an admin)
    with django_assert_num_queries(2):
        response = admin_api.get(url.format(id=query.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("url", DETAIL_URLS)
def test_query_detail_of_another_user_is_not_found(url, owner, stranger_client):
    query = ContractQueryFactory(user=owner)

    assert_error(stranger_client.get(url.format(id=query.pk)), 404, "contracts.query_not_found")


@pytest.mark.parametrize("url", DETAIL_URLS)
def test_query_detail_of_unknown_or_malformed_id_is_not_found(url, owner_client):
    assert_error(owner_client.get(url.format(id=uuid.uuid4())), 404, "contracts.query_not_found")
    assert_error(owner_client.get(url.format(id="not-a-uuid")), 404, "request.not_found")


def test_query_delete_by_owner_removes_it(owner, owner_client, django_assert_num_queries):
    query = ContractQueryFactory(user=owner)
    # user of the token; SAVEPOINT; the query's owner (scoped to the caller); DELETE; INSERT activity; RELEASE
    with django_assert_num_queries(6):
        response = owner_client.delete(f"/api/queries/{query.pk}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Query deleted"}
    assert not ContractQuery.objects.filter(pk=query.pk).exists()


def test_query_delete_by_admin_removes_another_users_query(owner, admin_api):
    query = ContractQueryFactory(user=owner)

    assert admin_api.delete(f"/api/queries/{query.pk}/").status_code == 200
    assert not ContractQuery.objects.filter(pk=query.pk).exists()


def test_query_delete_by_stranger_is_not_found_and_keeps_the_query(owner, stranger_client):
    query = ContractQueryFactory(user=owner)

    assert_error(stranger_client.delete(f"/api/queries/{query.pk}"), 404, "contracts.query_not_found")
    assert ContractQuery.objects.filter(pk=query.pk).exists()


def test_contract_query_detail_route_does_not_delete(owner, owner_client):
    query = ContractQueryFactory(user=owner)

    assert_error(owner_client.delete(f"/api/contracts/queries/{query.pk}"), 405, "request.method_not_allowed")
    assert ContractQuery.objects.filter(pk=query.pk).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/contracts/queries"),
        ("get", "/api/queries"),
        ("get", "/api/contracts/queries/1b6f3c2d-7e8a-4f90-8c1d-2e3f4a5b6c7d"),
        ("get", "/api/queries/2c7a4d3e-8f9b-4a01-9d2e-3f4a5b6c7d8e"),
        ("delete", "/api/queries/3d8b5e4f-9a0c-4b12-8e3f-4a5b6c7d8e9f"),
    ],
)
def test_query_endpoints_refuse_anonymous_callers(method, url, api_client):
    assert_error(getattr(api_client, method)(url), 401, "auth.not_authenticated")


def test_query_endpoints_treat_a_junk_bearer_as_anonymous(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer null")

    assert_error(api_client.get("/api/queries"), 401, "auth.not_authenticated")
