"""GET /bounties and GET /bounties/{id}: public reads, filters, search, ordering, pagination."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.bounties.helpers import BOUNTY_KEYS, assert_error, submit
from tests.factories import BountyFactory

pytestmark = pytest.mark.django_db


# --- retrieve ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "participant", "stranger", "admin", "anonymous"])
def test_bounty_retrieve_is_public(clients, bounty, persona):
    response = clients[persona].get(f"/api/bounties/{bounty.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == str(bounty.pk)
    assert set(response.json()) == BOUNTY_KEYS


@pytest.mark.parametrize(
    "path", ["/api/bounties/5f0c7a8e-2b1d-4c3e-9a6f-0d1e2f3a4b5c", "/api/bounties/not-a-uuid", "/api/bounties/12"]
)
def test_bounty_retrieve_unknown_is_404_json(clients, path):
    response = clients["anonymous"].get(path)
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_bounty_retrieve_accepts_trailing_slash_and_malformed_bearer(bounty, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer null")
    response = api_client.get(f"/api/bounties/{bounty.pk}/")
    assert response.status_code == 200


# --- list --------------------------------------------------------------------------------------------


def ids(response):
    return [row["id"] for row in response.json()]


def test_bounty_list_is_public_paginated_array(clients):
    bounties = BountyFactory.create_batch(3)
    response = clients["anonymous"].get("/api/bounties?page_size=2")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert ids(response) == [str(b.pk) for b in reversed(bounties)][:2]
    assert response["X-Total-Count"] == "3"
    assert 'rel="next"' in response["Link"]
    assert set(response.json()[0]) == BOUNTY_KEYS


def test_bounty_list_filters(clients, owner):
    open_dev = BountyFactory(category="development", difficulty="beginner", reward_token="STRK", created_by=owner)
    in_review = BountyFactory(status="in_review", category="design", difficulty="expert", reward_token="ETH")
    address_token = BountyFactory(reward_token="0x" + "0" * 63 + "1", category="design")
    client = clients["anonymous"]
    assert ids(client.get("/api/bounties?status=active")) == [str(address_token.pk), str(open_dev.pk)]
    assert ids(client.get("/api/bounties?status=in_review")) == [str(in_review.pk)]
    assert ids(client.get("/api/bounties?category=design")) == [str(address_token.pk), str(in_review.pk)]
    assert ids(client.get("/api/bounties?difficulty=expert")) == [str(in_review.pk)]
    assert ids(client.get("/api/bounties?reward_token=eth")) == [str(in_review.pk)]
    assert ids(client.get("/api/bounties?reward_token=0x1")) == [str(address_token.pk)]
    assert ids(client.get(f"/api/bounties?created_by={owner.pk}")) == [str(open_dev.pk)]


def test_bounty_list_search_title_and_description(clients):
    by_title = BountyFactory(title="Cairo verifier", description="x")
    by_description = BountyFactory(title="Other", description="Needs a CAIRO expert")
    BountyFactory(title="Unrelated", description="y")
    response = clients["anonymous"].get("/api/bounties?search=cairo")
    assert set(ids(response)) == {str(by_title.pk), str(by_description.pk)}


def test_bounty_list_ordering(clients):
    now = timezone.now()
    small = BountyFactory(reward_amount=Decimal("9.5"), deadline=now + timedelta(days=2))
    large = BountyFactory(reward_amount=Decimal("100"), deadline=now + timedelta(days=1))
    no_deadline = BountyFactory(reward_amount=Decimal("10"), deadline=None)
    client = clients["anonymous"]
    assert ids(client.get("/api/bounties?ordering=reward_amount")) == [
        str(small.pk),
        str(no_deadline.pk),
        str(large.pk),
    ]
    assert ids(client.get("/api/bounties?ordering=-reward_amount")) == [
        str(large.pk),
        str(no_deadline.pk),
        str(small.pk),
    ]
    assert ids(client.get("/api/bounties?ordering=deadline")) == [str(large.pk), str(small.pk), str(no_deadline.pk)]
    assert ids(client.get("/api/bounties?ordering=-deadline")) == [str(small.pk), str(large.pk), str(no_deadline.pk)]
    assert ids(client.get("/api/bounties?ordering=created_at")) == [str(small.pk), str(large.pk), str(no_deadline.pk)]
    assert ids(client.get("/api/bounties")) == [str(no_deadline.pk), str(large.pk), str(small.pk)]


@pytest.mark.parametrize(
    "query",
    [
        "status=paused",
        "difficulty=godlike",
        "reward_token=DOGE",
        "created_by=abc",
        "created_by=9223372036854775808",  # beyond a 64-bit id
        "ordering=title",
        "page=0",
        "page_size=101",
        "search=" + "x" * 201,
        "search=%00",
    ],
)
def test_bounty_list_bad_query_is_400(clients, query):
    response = clients["anonymous"].get(f"/api/bounties?{query}")
    assert_error(response, 400, "request.validation_failed")


def test_bounty_list_counters_come_from_maintained_columns(clients, bounty, submission):
    row = clients["anonymous"].get("/api/bounties").json()[0]
    assert row["participant_count"] == 1
    assert row["submission_count"] == 1
    submit(bounty, submission.user, "second version")  # replaces the pending one
    row = clients["anonymous"].get("/api/bounties").json()[0]
    assert row["submission_count"] == 1
